"""The families of the former Portail Famille: households, parents' accounts ("à activer",
activation e-mail) and children, created or updated from the parsed CSV (parsing.py).
Idempotent by the legacy ids; the format is documented in docs/legacy-import.md.

A line whose parent's e-mail address is that of an account the import did not create (made
with the wizard before migration day) is not imported at all: it waits in "Familles à
rapprocher" (models.FamilyReconciliation) for an agent's decision (services/reconciliation.py).
Once decided, later runs follow the decision: the family lives in the household chosen, the
children merged with the parent's own are left to the parent, a rejected line is skipped."""

import logging

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from wagtail.models import ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update

from espace_citoyen.accounts.models import AccountEventKind, AccountStatus, Profile, User
from espace_citoyen.accounts.services import account_record_event, activation_send
from espace_citoyen.core.household_versions import changes_batched
from espace_citoyen.family.models import Child, Household, Membership
from espace_citoyen.messaging.unread_cache import facts_changes_batched

from ..models import FamilyReconciliation, ReconciliationStatus
from ..parsing import parse_portail_famille
from ..report import ImportReport, RowError
from .import_index import _ImportIndex, _RowAccounts

logger = logging.getLogger("espace_citoyen.portail_famille")


def legacy_import(*, rows, actor: User | None, dry_run: bool = False, progress=None):
    """Creates or updates households, parents' accounts and children from parsed rows
    (parsing.FamilyRow). Each row runs in its own savepoint: a failing row is reported and
    the others go on. Idempotent by legacy ids; in dry-run everything is rolled back and
    no e-mail leaves. `progress(done, total)` is called after each row."""
    report = ImportReport(dry_run=dry_run)
    rows = list(rows)
    with transaction.atomic(), facts_changes_batched(), changes_batched():
        index = _ImportIndex(rows)
        for done, row in enumerate(rows, start=1):
            _legacy_import_row(row=row, actor=actor, report=report, index=index)
            if progress is not None:
                progress(done, len(rows))
        if dry_run:
            transaction.set_rollback(True)
    logger.info(
        "portail famille import dry_run=%s created=%s updated=%s unchanged=%s queued=%s errors=%s",
        dry_run, report.created, report.updated, report.unchanged, report.queued, len(report.errors),
    )
    return report


_IMPORTED_PROFILE_FIELDS = {
    "civility": "civilité",
    "street_number": "numéro",
    "street": "voie",
    "address_complement": "complément d'adresse",
    "postcode": "code postal",
    "city": "commune",
    "phone_home": "téléphone domicile",
    "phone_mobile": "téléphone mobile",
    "phone_work": "téléphone professionnel",
}
IMPORTED_CHILD_FIELDS = {
    "first_name": "prénom",
    "last_name": "nom",
    "sex": "sexe",
    "birth_date": "date de naissance",
    "school": "école",
    "school_class": "classe",
}


def _diff(instance, values: dict, labels: dict) -> list[str]:
    """Sets the changed attributes on `instance`; returns "label : old → new" for each."""
    changed = []
    for name, label in labels.items():
        old = getattr(instance, name)
        if old != values[name]:
            setattr(instance, name, values[name])
            changed.append(f"{label} : {old or '–'} → {values[name] or '–'}")
    return changed


def profile_values(row, parent) -> dict:
    """A parent's Profile fields from a family line (the family's address for each parent)."""
    return {
        "civility": parent.civility, "street_number": row.street_number, "street": row.street,
        "address_complement": row.address_complement, "postcode": row.postcode, "city": row.city,
        "phone_home": parent.phone_home, "phone_mobile": parent.phone_mobile, "phone_work": parent.phone_work,
    }


def child_values(child_row) -> dict:
    return {name: getattr(child_row, name) for name in IMPORTED_CHILD_FIELDS}


def email_usable_as_login(email: str) -> bool:
    """Accents are tolerated in a file's address to find an existing account, never in a new
    login before the "@" (an accented domain is a real, internationalised one)."""
    return email.partition("@")[0].isascii()


def create_imported_parent(*, row, parent, household: Household, actor: User | None, email: str = "") -> User:
    """An account "à activer" for a parent of a family line (legacy key `<famille>-<rang>`),
    in `household`, with its history and the activation e-mail (sent after commit). `email`:
    another address than the file's (an agent's decision in "Familles à rapprocher")."""
    user = User(email=email or parent.email, first_name=parent.first_name, last_name=parent.last_name,
                status=AccountStatus.TO_ACTIVATE, legacy_key=f"{row.legacy_id}-{parent.index}",
                status_changed_at=timezone.now())
    user.set_unusable_password()
    user.save()
    Profile.objects.create(user=user, **profile_values(row, parent))
    Membership.objects.create(household=household, user=user)  # a new account has no membership yet
    account_record_event(
        user=user, kind=AccountEventKind.IMPORTED, actor=actor, to_status=AccountStatus.TO_ACTIVATE,
        comment=f"Famille {row.legacy_id}, ligne {row.line}",
    )
    activation_send(user=user, actor=actor)
    return user


def _existing_account_match(row, accounts: _RowAccounts):
    """(parent, account) of the first parent of the line who has no imported account yet and
    whose address is the login of an account the import did not create; else None."""
    for parent in row.parents:
        if not parent.email or accounts.by_key.get(parent.index) is not None:
            continue
        account = accounts.for_email(parent.email)
        if account is not None and account.legacy_key is None:
            return parent, account
    return None


def _queue_row(*, row, match, reconciliation, actor, report, index: _ImportIndex) -> None:
    """The line goes to (or stays in) "Familles à rapprocher"; nothing else is written."""
    data = row.to_dict()
    data.pop("line")
    label = " / ".join(f"{p.first_name} {p.last_name}".strip() for p in row.parents)[:320]
    where = f"ligne {row.line} (famille {row.legacy_id})"
    if reconciliation is None:
        parent, account = match
        reconciliation = FamilyReconciliation.objects.create(
            legacy_id=row.legacy_id, line=row.line, label=label, row=data, account=account,
            parent_index=parent.index, created_by=actor,
        )
        index.reconciliations[row.legacy_id] = reconciliation
        account_record_event(
            user=account, kind=AccountEventKind.LEGACY_MATCHED, actor=actor,
            comment=f"Famille {row.legacy_id} (ligne {row.line}) : l'adresse du parent {parent.index} "
                    f"({parent.first_name} {parent.last_name}) est celle de ce compte. À rapprocher par un agent.",
        )
        report.changes.append(f"{where} : mise en attente dans « Familles à rapprocher »")
        state = "nouvelle"
    else:
        if reconciliation.row != data or reconciliation.label != label or reconciliation.line != row.line:
            changed = reconciliation.row != data
            reconciliation.row, reconciliation.label, reconciliation.line = data, label, row.line
            reconciliation.save(update_fields=["row", "label", "line"])
            if changed:
                report.changes.append(f"{where} : famille à rapprocher mise à jour d'après ce fichier")
        state = "déjà en attente"
    account = reconciliation.account
    parent = next((p for p in row.parents if p.index == reconciliation.parent_index), None)
    who = (f"{account.get_full_name() or account.email} ({account.get_status_display().lower()})"
           if account else "(compte supprimé depuis)")
    address = f"l'adresse {parent.email} est celle du compte de {who}" if parent and parent.email else (
        f"rapprochement avec le compte de {who}")
    report.queued_lines.append(f"{where} : {address} – à rapprocher ({state})")
    report.queued += 1


def _legacy_import_row(*, row, actor: User | None, report, index: _ImportIndex) -> None:
    row_errors: list = []
    try:
        with transaction.atomic():
            reconciliation = index.reconciliations.get(row.legacy_id)
            accounts = _RowAccounts(row, index)
            if reconciliation is None or reconciliation.is_pending:
                match = _existing_account_match(row, accounts)
                if match is not None or reconciliation is not None:
                    _queue_row(row=row, match=match, reconciliation=reconciliation, actor=actor, report=report,
                               index=index)
                    return
            elif reconciliation.status == ReconciliationStatus.REJECTED:
                report.set_aside += 1
                return
            _import_family(row=row, actor=actor, report=report, row_errors=row_errors, accounts=accounts,
                           decided=reconciliation, index=index)
    except Exception:  # one bad row must not stop the others (its savepoint is rolled back)
        logger.exception("portail famille import failed line=%s legacy_id=%s", row.line, row.legacy_id)
        index.load()  # what this row wrote to the index was rolled back with it
        report.failed += 1
        row_errors = [RowError(row.line, "", "erreur à l'enregistrement de cette famille ; rien n'a été modifié pour elle.")]
    finally:
        report.errors.extend(row_errors)


def _import_family(*, row, actor, report, row_errors, accounts: _RowAccounts,
                   decided: FamilyReconciliation | None, index: _ImportIndex) -> None:
    """Creates or updates one family. `decided`: the agent's decision in "Familles à
    rapprocher" (attached or separate), which the import follows."""
    if decided is not None and decided.household is not None:
        household, household_created = decided.household, False
    else:
        household, household_created = index.household(row.legacy_id)
    changes: list[str] = []
    existing_accounts: list[User] = []
    for parent in row.parents:
        if not parent.email:
            report.parents_without_email += 1
            continue
        column = f"parent{parent.index}_email"
        user = accounts.by_key.get(parent.index)
        if user is not None and user.status != AccountStatus.TO_ACTIVATE:
            # Activated (or attached to its owner's account): the citizen keeps their own data up to date.
            index.join(household, user)
            continue
        # "Importée à part": this parent's address in the file is the existing account's, never their login.
        shared = (decided is not None and decided.status == ReconciliationStatus.SEPARATE
                  and parent.index == decided.parent_index)
        if shared and user is None:
            continue
        email = user.email if shared else parent.email
        other = None
        if user is None or user.email != email:
            other = accounts.for_email(email)
            if other is not None and user is not None and other.pk == user.pk:
                other = None
        if other is not None:
            if decided is not None and other.legacy_key is None:
                continue  # the agent saw this address when deciding for the family
            owner = "d'une autre famille du Portail Famille" if other.legacy_key else "d'un compte déjà existant de l'Espace citoyen"
            row_errors.append(RowError(
                row.line, column,
                f"l'adresse {parent.email} est déjà celle {owner} : ce parent n'est pas importé "
                "(vérifiez l'adresse avec la famille).",
            ))
            continue
        if not email_usable_as_login(email):
            row_errors.append(RowError(row.line, column, f"adresse e-mail « {email} » invalide (pas d'accent avant « @ »)."))
            continue
        if user is None:
            user = create_imported_parent(row=row, parent=parent, household=household, actor=actor)
            index.account_created(user)
            index.memberships.add((household.pk, user.pk))
            report.accounts_created += 1
            changes.append(f"compte {user.email} créé")
            continue
        index.join(household, user)
        existing_accounts.append(user)
        old_email = user.email
        account_changes = _diff(
            user, {"email": email, "first_name": parent.first_name, "last_name": parent.last_name},
            {"email": "adresse e-mail", "first_name": "prénom", "last_name": "nom"},
        )
        profile = index.profile(user)
        profile_changes = _diff(profile, profile_values(row, parent), _IMPORTED_PROFILE_FIELDS)
        if account_changes:
            user.save()
            index.email_changed(user, old_email)
        if profile_changes:
            profile.save()
        if account_changes or profile_changes:
            report.accounts_updated += 1
            changes.extend(f"{user.email} – {change}" for change in account_changes + profile_changes)
    merged = set(decided.merged_children) if decided is not None else set()
    new_children: list[Child] = []
    for child_row in row.children:
        legacy_id = f"{row.legacy_id}-{child_row.index}"
        if legacy_id in merged:
            continue  # the parent's own child, matched by an agent: the parent keeps it up to date
        values = child_values(child_row)
        child = index.children.get(legacy_id)
        if child is None:
            with disable_reference_index_auto_update():  # indexed below, all the row's children at once
                child = index.children[legacy_id] = Child.objects.create(household=household, legacy_id=legacy_id, **values)
            new_children.append(child)
            report.children_created += 1
            changes.append(f"enfant {child_row.first_name} créé")
            continue
        child_changes = _diff(child, values, IMPORTED_CHILD_FIELDS)
        if child.household_id != household.pk:
            child.household = household
            child_changes.append("foyer")
        if child_changes:
            child.save()
            report.children_updated += 1
            changes.extend(f"enfant {child.first_name} – {change}" for change in child_changes)
    _index_new_objects(new_children)
    if household_created:
        report.created += 1
    elif changes:
        report.updated += 1
        for user in existing_accounts:
            account_record_event(
                user=user, kind=AccountEventKind.IMPORT_UPDATED, actor=actor,
                comment=f"Ligne {row.line} : " + " ; ".join(changes),
            )
    else:
        report.unchanged += 1
    report.changes.extend(f"ligne {row.line} (famille {row.legacy_id}) : {change}" for change in changes)


def _index_new_objects(objects: list) -> None:
    """Wagtail's reference index rows of objects just created, in one INSERT: what its post_save
    task (ReferenceIndex.create_or_update_for_object) writes for an object that has no row yet,
    without one task, four queries and a re-read per object."""
    if not objects or not ReferenceIndex.is_indexed(type(objects[0])):
        return
    model = type(objects[0])
    content_types = [
        ContentType.objects.get_for_model(klass, for_concrete_model=False)
        for klass in [model] + model._meta.get_parent_list()
    ]
    ReferenceIndex.objects.bulk_create(
        [
            ReferenceIndex(
                content_type=content_types[0], base_content_type=content_types[-1], object_id=obj.pk,
                to_content_type_id=to_content_type_id, to_object_id=to_object_id, model_path=model_path,
                content_path=content_path, content_path_hash=ReferenceIndex._get_content_path_hash(content_path),
            )
            for obj in objects
            for to_content_type_id, to_object_id, model_path, content_path
            in set(ReferenceIndex._extract_references_from_object(obj))
        ],
        ignore_conflicts=connection.features.supports_ignore_conflicts,
    )


def legacy_import_file(*, data: bytes | str, actor: User | None, dry_run: bool = False, progress=None):
    """Parses a Portail Famille CSV export (portail_famille/parsing.py) and imports its valid rows;
    the report lists the refused lines too, and how the file was read."""
    parsed = parse_portail_famille(data)
    if parsed.is_unreadable:
        report = ImportReport(dry_run=dry_run, encoding=parsed.encoding)
        report.errors = list(parsed.errors)
        return report
    report = legacy_import(rows=parsed.rows, actor=actor, dry_run=dry_run, progress=progress)
    report.encoding, report.notes = parsed.encoding, list(parsed.notes)
    report.add_parse_errors(parsed.errors)
    return report
