"""The agents' decisions in "Familles à rapprocher" (models.FamilyReconciliation): a family line
of the Portail Famille whose parent already had an account is attached to that account's
household, imported as a separate household, or rejected. Each decision is taken once, in a
transaction, recorded in the account's history and e-mailed to the account's owner (after
commit). The families import then follows it on every later run (services/families.py)."""

import logging

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from espace_citoyen.accounts.models import AccountEventKind, User, normalize_email_address
from espace_citoyen.accounts.services import account_record_event
from espace_citoyen.activities.models import Occurrence, Reservation, ReservationStatus, WaitingListEntry, WaitingStatus
from espace_citoyen.core.emails import send_templated_email, site_url
from espace_citoyen.core.household_versions import everything_changed
from espace_citoyen.family.models import Child, Household, Membership
from espace_citoyen.family.services import household_create_for

from ..models import RECONCILIATION_TRANSITIONS, FamilyReconciliation, ReconciliationStatus
from ..selectors import account_for_email, matching_child
from ..selectors import reconciliation_family_row as family_row
from .families import IMPORTED_CHILD_FIELDS, child_values, create_imported_parent, email_usable_as_login

logger = logging.getLogger("espace_citoyen.portail_famille")

ALREADY_DECIDED = "Cette famille a déjà été traitée par un agent."
# Fields of a child the Portail Famille may fill in when the parent left them empty.
_FILLABLE_CHILD_FIELDS = ("sex", "school", "school_class")


def _lock(reconciliation: FamilyReconciliation, new_status: str) -> FamilyReconciliation:
    locked = FamilyReconciliation.objects.select_for_update().get(pk=reconciliation.pk)
    if new_status not in RECONCILIATION_TRANSITIONS[locked.status]:
        raise ValueError(ALREADY_DECIDED)
    return locked


def _decide(reconciliation, *, status, actor, household=None, outcome="", reason="", merged=()) -> None:
    reconciliation.status = status
    reconciliation.household = household
    reconciliation.outcome = outcome
    reconciliation.reason = reason
    reconciliation.merged_children = list(merged)
    reconciliation.decided_by = actor
    reconciliation.decided_at = timezone.now()
    reconciliation.save(update_fields=[
        "status", "household", "outcome", "reason", "merged_children", "decided_by", "decided_at",
    ])


def _notify(*, reconciliation, template: str, context: dict) -> None:
    account = reconciliation.account
    if account is None:
        return
    send_templated_email(template=f"portail_famille/emails/{template}", to=account.email, context={
        "user": account, "legacy_id": reconciliation.legacy_id,
        "family_url": site_url(reverse("family:household")), **context,
    })


# --- Attach ------------------------------------------------------------------------------------


def reconciliation_attach(*, reconciliation: FamilyReconciliation, actor: User) -> FamilyReconciliation:
    """The legacy family is the account owner's: its children join the account's household
    (created if the account has none) – merged with a child the parent already declared (same
    first name and birth date; the Portail Famille only fills in what the parent left empty),
    added otherwise –, the other parent gets an account "à activer" as with any import, and
    what an earlier import may have left in a household of its own (children and their
    bookings) moves there. The household takes the famille id when it has none."""
    with transaction.atomic():
        reconciliation = _lock(reconciliation, ReconciliationStatus.ATTACHED)
        if reconciliation.account_id is None:
            raise ValueError("Le compte de ce rapprochement n'existe plus : importez la famille à part ou écartez-la.")
        account = User.objects.select_for_update().get(pk=reconciliation.account_id)
        row = family_row(reconciliation)
        household = household_create_for(user=account)
        earlier = Household.objects.filter(legacy_id=row.legacy_id).exclude(pk=household.pk).first()
        key = f"{row.legacy_id}-{reconciliation.parent_index}"
        if account.legacy_key is None and not User.objects.filter(legacy_key=key).exists():
            account.legacy_key = key
            account.save(update_fields=["legacy_key"])
        parents = [_other_parent(row=row, parent=parent, household=household, earlier=earlier, actor=actor)
                   for parent in row.parents if parent.index != reconciliation.parent_index]
        merged, children = _attach_children(row=row, household=household)
        if earlier is not None and not earlier.memberships.exists() and not earlier.children.exists():
            earlier.delete()
            earlier = None
        if household.legacy_id is None and earlier is None:
            household.legacy_id = row.legacy_id
            household.save(update_fields=["legacy_id", "updated_at"])
        outcome = "\n".join(children + parents)
        _decide(reconciliation, status=ReconciliationStatus.ATTACHED, actor=actor, household=household,
                outcome=outcome, merged=merged)
        account_record_event(
            user=account, kind=AccountEventKind.LEGACY_ATTACHED, actor=actor,
            comment=f"Famille {row.legacy_id} rattachée au foyer n° {household.pk} : " + " ; ".join(children + parents),
        )
        _notify(reconciliation=reconciliation, template="reconciliation_attached",
                context={"children": children, "parents": parents, "is_validated": account.is_validated})
    logger.info("portail famille reconciliation attached legacy_id=%s household=%s actor=%s",
                reconciliation.legacy_id, household.pk, actor.pk)
    return reconciliation


def _other_parent(*, row, parent, household: Household, earlier: Household | None, actor) -> str:
    """The line's other parent, as the import would treat them, in `household`; a sentence
    saying what was done."""
    name = f"{parent.first_name} {parent.last_name}".strip()
    imported = User.objects.filter(legacy_key=f"{row.legacy_id}-{parent.index}").first()
    if imported is not None:  # by an earlier import
        Membership.objects.get_or_create(household=household, user=imported)
        if earlier is not None:
            Membership.objects.filter(household=earlier, user=imported).delete()
        return f"{name} : compte déjà importé ({imported.email}), dans le foyer"
    if not parent.email:
        return f"{name} : pas d'adresse e-mail dans le fichier, pas de compte"
    other = account_for_email(parent.email)
    if other is not None:
        if Membership.objects.filter(household=household, user=other).exists():
            if other.legacy_key is None:
                other.legacy_key = f"{row.legacy_id}-{parent.index}"
                other.save(update_fields=["legacy_key"])
            return f"{name} : a déjà son compte dans le foyer ({other.email})"
        return f"{name} : pas de compte créé, l'adresse {parent.email} est celle d'un autre compte (à vérifier avec la famille)"
    if not email_usable_as_login(parent.email):
        return f"{name} : pas de compte créé, l'adresse {parent.email} n'est pas valide"
    user = create_imported_parent(row=row, parent=parent, household=household, actor=actor)
    return f"{name} : compte créé ({user.email}), « à activer » ; courriel d'activation envoyé"


def _born(child) -> str:
    return f"né(e) le {child.birth_date:%d/%m/%Y}" if child.birth_date else "date de naissance inconnue"


def _attach_children(*, row, household: Household) -> tuple[list[str], list[str]]:
    """(legacy ids merged with the parent's own children, one sentence per child)."""
    own = list(household.children.all())
    taken: set[int] = set()
    merged, lines = [], []
    for child_row in row.children:
        legacy_id = f"{row.legacy_id}-{child_row.index}"
        previous = Child.objects.filter(legacy_id=legacy_id).first()  # left by an earlier import
        if previous is not None and previous.household_id == household.pk:
            taken.add(previous.pk)
            lines.append(f"{previous.first_name} ({_born(previous)}) : déjà dans le foyer")
            continue
        candidates = [c for c in own if c.pk not in taken and c.legacy_id in (None, legacy_id)]
        match = matching_child(child_row, candidates)
        if match is not None:
            taken.add(match.pk)
            if previous is not None:
                _move_child_records(source=previous, target=match)
            filled = [IMPORTED_CHILD_FIELDS[name] for name in _FILLABLE_CHILD_FIELDS
                      if not getattr(match, name) and getattr(child_row, name)]
            for name in _FILLABLE_CHILD_FIELDS:
                if not getattr(match, name):
                    setattr(match, name, getattr(child_row, name))
            match.legacy_id = legacy_id
            match.save()
            merged.append(legacy_id)
            lines.append(f"{match.first_name} ({_born(match)}) : reconnu(e) parmi les enfants déjà déclarés"
                         + (f", complété : {', '.join(filled)}" if filled else ""))
        elif previous is not None:
            previous.household = household
            previous.save(update_fields=["household", "updated_at"])
            lines.append(f"{previous.first_name} ({_born(previous)}) : ajouté(e) au foyer")
        else:
            child = Child.objects.create(household=household, legacy_id=legacy_id, **child_values(child_row))
            lines.append(f"{child.first_name} ({_born(child)}) : ajouté(e) au foyer")
    return merged, lines


def _move_child_records(*, source: Child, target: Child) -> None:
    """An earlier import made `source`, a copy of the parent's `target`: its bookings follow
    the child (a day booked twice keeps the parent's booking and frees the copy's place), then
    the copy goes; a copy with a registration dossier is only unlinked from the Portail Famille,
    for the Pôle scolaire to check."""
    booked = set(Reservation.objects.filter(child=target, status=ReservationStatus.BOOKED)
                 .values_list("occurrence_id", flat=True))
    for reservation in Reservation.objects.select_for_update().filter(child=source):
        if reservation.status == ReservationStatus.BOOKED and reservation.occurrence_id in booked:
            Occurrence.objects.filter(pk=reservation.occurrence_id, booked_count__gt=0).update(
                booked_count=F("booked_count") - 1)
            reservation.delete()
            continue
        reservation.child = target
        reservation.save(update_fields=["child"])
    waiting = set(WaitingListEntry.objects.filter(child=target, status__in=[WaitingStatus.WAITING, WaitingStatus.OFFERED])
                  .values_list("occurrence_id", flat=True))
    WaitingListEntry.objects.filter(child=source, occurrence_id__in=waiting).delete()
    WaitingListEntry.objects.filter(child=source).update(child=target)
    everything_changed()  # an update sends no row signal: the dashboards' offers
    if source.dossiers.exists():
        source.legacy_id = None
        source.save(update_fields=["legacy_id", "updated_at"])
    else:
        source.delete()


# --- Separate household ----------------------------------------------------------------------


def reconciliation_import_separately(*, reconciliation: FamilyReconciliation, actor: User,
                                     email: str = "") -> FamilyReconciliation:
    """The legacy family is not the account owner's (another person who shares the e-mail
    address): it is imported in a household of its own, as any family. The parent whose
    address is the account's gets an account "à activer" only with another address given by
    the agent (`email`); without one, no account, as a parent without e-mail."""
    email = normalize_email_address(email)
    with transaction.atomic():
        reconciliation = _lock(reconciliation, ReconciliationStatus.SEPARATE)
        row = family_row(reconciliation)
        if email and account_for_email(email) is not None:
            raise ValueError("Cette adresse e-mail est déjà utilisée par un autre compte.")
        if email and not email_usable_as_login(email):
            raise ValueError("Saisissez une adresse e-mail sans accent avant « @ ».")
        household, _created = Household.objects.get_or_create(legacy_id=row.legacy_id)
        parents = []
        for parent in row.parents:
            if parent.index != reconciliation.parent_index:
                parents.append(_other_parent(row=row, parent=parent, household=household, earlier=None, actor=actor))
                continue
            name = f"{parent.first_name} {parent.last_name}".strip()
            if email:
                user = create_imported_parent(row=row, parent=parent, household=household, actor=actor, email=email)
                parents.append(f"{name} : compte créé avec l'adresse {user.email}, « à activer » ; "
                               "courriel d'activation envoyé")
            else:
                parents.append(f"{name} : pas de compte (l'adresse du fichier est celle d'un autre compte)")
        children = []
        for child_row in row.children:
            legacy_id = f"{row.legacy_id}-{child_row.index}"
            child = Child.objects.filter(legacy_id=legacy_id).first()
            if child is None:
                child = Child.objects.create(household=household, legacy_id=legacy_id, **child_values(child_row))
            elif child.household_id != household.pk:
                child.household = household
                child.save(update_fields=["household", "updated_at"])
            children.append(f"{child.first_name} ({_born(child)})")
        outcome = "\n".join([f"Foyer n° {household.pk} : " + (", ".join(children) or "aucun enfant")] + parents)
        _decide(reconciliation, status=ReconciliationStatus.SEPARATE, actor=actor, household=household,
                outcome=outcome)
        if reconciliation.account is not None:
            account_record_event(
                user=reconciliation.account, kind=AccountEventKind.LEGACY_SEPARATE, actor=actor,
                comment=f"Famille {row.legacy_id} importée dans un foyer à part (foyer n° {household.pk}) : "
                        "elle n'est pas rattachée à ce compte.",
            )
        _notify(reconciliation=reconciliation, template="reconciliation_separate", context={})
    logger.info("portail famille reconciliation separate legacy_id=%s household=%s actor=%s",
                reconciliation.legacy_id, household.pk, actor.pk)
    return reconciliation


# --- Reject ------------------------------------------------------------------------------------


def reconciliation_reject(*, reconciliation: FamilyReconciliation, actor: User, reason: str) -> FamilyReconciliation:
    """The line is set aside with a reason (sent to the account's owner): nothing is imported,
    now or by later runs of the import."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("Indiquez le motif.")
    with transaction.atomic():
        reconciliation = _lock(reconciliation, ReconciliationStatus.REJECTED)
        _decide(reconciliation, status=ReconciliationStatus.REJECTED, actor=actor, reason=reason,
                outcome="Rien n'a été importé.")
        if reconciliation.account is not None:
            account_record_event(
                user=reconciliation.account, kind=AccountEventKind.LEGACY_REJECTED, actor=actor,
                comment=f"Famille {reconciliation.legacy_id} écartée : {reason}",
            )
        _notify(reconciliation=reconciliation, template="reconciliation_rejected", context={"reason": reason})
    logger.info("portail famille reconciliation rejected legacy_id=%s actor=%s", reconciliation.legacy_id, actor.pk)
    return reconciliation
