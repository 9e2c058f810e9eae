"""Retention of personal data (RGPD), applied every night by ``manage.py purge_expired_data``
and, for one account, by an agent carrying out a deletion request made in "Mes données".

The durations are the table ``settings.ESPACE_CITOYEN_RETENTION`` (documented, with their
sources, in the README); the rules are in ``core.retention``'s registry: the portal, the
composition root, registers here those of the domains it composes (accounts, family,
documents, démarches, activities); a domain built later (billing) registers its own.

Every function takes ``now`` (tests pass a fixed clock) and nothing is deleted with
``dry_run``."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from espace_citoyen.accounts.models import AccountStatus
from espace_citoyen.activities.models import Occurrence
from espace_citoyen.core.agents import is_agent_account
from espace_citoyen.core.emails import send_templated_email
from espace_citoyen.core.household_versions import changes_batched
from espace_citoyen.core.retention import RetentionRule, get_rule, register, registered_rules
from espace_citoyen.demarches.models import Demarche, DemarcheStatus
from espace_citoyen.family.models import Membership
from espace_citoyen.family.services import household_leave

from .models import InactivityWarning

logger = logging.getLogger("espace_citoyen.retention")
FINISHED_DEMARCHE_STATUSES = [DemarcheStatus.ACCEPTED, DemarcheStatus.REFUSED, DemarcheStatus.CLOSED]


def _days(entry: dict, name: str = "days") -> datetime.timedelta:
    return datetime.timedelta(days=int(entry[name]))


def _citizens():
    """Accounts the rules may delete: never a town agent's."""
    return get_user_model().objects.filter(is_staff=False, is_superuser=False)


# --- One account -------------------------------------------------------------------------

@dataclass
class ErasureSummary:
    documents: int = 0
    children: int = 0
    demarches: int = 0
    left_household: bool = False


def account_erasure_summary(*, user) -> ErasureSummary:
    """What erasing ``user`` deletes (shown to the agent before they confirm)."""
    membership = Membership.objects.filter(user=user).select_related("household").first()
    summary = ErasureSummary(documents=user.documents.count(), demarches=Demarche.objects.filter(user=user).count())
    if membership is not None:
        if membership.household.memberships.exclude(user=user).exists():
            summary.left_household = True
        else:
            summary.children = membership.household.children.count()
    return summary


def _delete_files(files: list) -> None:
    """Delete stored files once the transaction that removed their rows commits."""
    def delete():
        for storage, name in files:
            try:
                storage.delete(name)
            except OSError:
                logger.warning("retention: file %s could not be deleted", name)

    transaction.on_commit(delete)


@transaction.atomic
def account_erase(*, user, reason: str) -> ErasureSummary:
    """Delete a citizen's account and what only they hold: vault documents (files too),
    démarches and their timelines, calendar feeds; their household when they were its only
    adult (children and photos; a household that invoices must keep stays, emptied),
    otherwise they leave it (the other adults keep the children).
    A town agent's account is never erased here."""
    if is_agent_account(user):
        raise ValueError("A town agent's account is not erased by the retention rules.")
    summary = account_erasure_summary(user=user)
    files = [(document.file.storage, document.file.name) for document in user.documents.all() if document.file]
    membership = Membership.objects.filter(user=user).select_related("household").first()
    if membership is not None:
        household = membership.household
        if summary.left_household:
            household_leave(user=user)
        else:
            files += [(child.photo.storage, child.photo.name) for child in household.children.all() if child.photo]
            try:
                with transaction.atomic():
                    household.delete()
            except ProtectedError:
                # Records kept for a legal period (the household's invoices) hold it: it stays,
                # emptied of its children and of the person, until those records go too.
                household.children.all().delete()
                Membership.objects.filter(user=user).delete()
    logger.info("retention: account %s erased (%s)", user.pk, reason)
    user.delete()
    _delete_files(files)
    return summary


# --- The rules of the domains the portal composes -------------------------------------------

def _unconfirmed_signups(now, entry):
    link_days = settings.ESPACE_CITOYEN_EMAIL_CONFIRMATION_DAYS
    cutoff = now - datetime.timedelta(days=link_days) - _days(entry)
    return _citizens().filter(status=AccountStatus.EMAIL_UNCONFIRMED, date_joined__lt=cutoff)


def _refused_accounts(now, entry):
    return _citizens().filter(status=AccountStatus.REFUSED).filter(
        Q(status_changed_at__lt=now - _days(entry)) | Q(status_changed_at__isnull=True, date_joined__lt=now - _days(entry)))


def _last_activity():
    return Coalesce("last_login", "date_joined")


def _inactive_accounts(now, entry):
    """Inactive past the retention and warned at least ``warning_days`` ago, after their
    last login (the warning of an earlier period of inactivity does not count)."""
    users = _citizens().alias(active=_last_activity()).filter(active__lt=now - _days(entry))
    warned = InactivityWarning.objects.filter(sent_at__lte=now - _days(entry, "warning_days"))
    ready = []
    for user in users.filter(pk__in=warned.values("user_id")).exclude(status=AccountStatus.EMAIL_UNCONFIRMED):
        warning = InactivityWarning.objects.get(user=user)
        if warning.sent_at >= (user.last_login or user.date_joined):
            ready.append(user)
    return ready


def _erase_accounts(reason):
    def purge(users, now):
        count = 0
        for user in list(users):
            if not is_agent_account(user):
                account_erase(user=user, reason=reason)
                count += 1
        return count

    return purge


def inactivity_warnings_send(*, now=None, dry_run: bool = False) -> int:
    """E-mail, once, the citizens whose account will be deleted for inactivity in
    ``warning_days``; recorded in InactivityWarning. Returns how many are (or would be) warned."""
    now = now or timezone.now()
    entry = settings.ESPACE_CITOYEN_RETENTION["inactive_accounts"]
    due = now - _days(entry) + _days(entry, "warning_days")
    users = (_citizens().exclude(status=AccountStatus.EMAIL_UNCONFIRMED).alias(active=_last_activity())
             .filter(active__lt=due))
    count = 0
    for user in users:
        last_activity = user.last_login or user.date_joined
        warning = InactivityWarning.objects.filter(user=user).first()
        if warning is not None and warning.sent_at >= last_activity:
            continue  # already warned for this period of inactivity
        count += 1
        if dry_run:
            continue
        deletion_after = max(last_activity + _days(entry), now + _days(entry, "warning_days"))
        InactivityWarning.objects.update_or_create(user=user, defaults={"sent_at": now,
                                                                        "deletion_after": deletion_after})
        send_templated_email(template="portal/emails/inactivity_warning", to=user.email,
                             context={"user": user, "deletion_after": timezone.localtime(deletion_after)})
    return count


def _closed_demarches(now, entry):
    return Demarche.objects.filter(status__in=FINISHED_DEMARCHE_STATUSES, updated_at__lt=now - _days(entry))


def _delete_queryset(objects, now):
    """Delete the rows (their dependants follow by cascade); returns how many rows of the
    rule's own model went."""
    count = objects.count()
    objects.delete()
    return count


def _old_activity_days(now, entry):
    """Days of activity (with their bookings, waiting lists and attendance) older than the
    retention, counted from the day itself."""
    return Occurrence.objects.filter(date__lt=(now - _days(entry)).date())


def _count(objects) -> int:
    return len(objects) if isinstance(objects, list) else objects.count()


def register_portal_rules() -> None:
    register(RetentionRule("unconfirmed_signups", "Inscriptions jamais confirmées", _unconfirmed_signups,
                           _erase_accounts("unconfirmed sign-up"), order=10))
    register(RetentionRule("refused_accounts", "Comptes refusés", _refused_accounts,
                           _erase_accounts("refused account"), order=10))
    register(RetentionRule("inactive_accounts", "Comptes inactifs (prévenus un mois avant)", _inactive_accounts,
                           _erase_accounts("inactive account"), order=20))
    register(RetentionRule("closed_demarches", "Démarches terminées et leurs pièces transmises", _closed_demarches,
                           _delete_queryset, order=30))
    register(RetentionRule("bookings_and_attendance", "Jours d'activité, réservations et présences",
                           _old_activity_days, _delete_queryset, order=40))


# --- The nightly run ----------------------------------------------------------------------

@dataclass
class PurgeReport:
    lines: list[tuple[str, str, int]] = field(default_factory=list)  # (key, label, count)
    skipped: list[str] = field(default_factory=list)  # table entries without a registered rule
    warned: int = 0


def purge_expired_data(*, now=None, dry_run: bool = False) -> PurgeReport:
    """Apply every entry of settings.ESPACE_CITOYEN_RETENTION whose rule is registered;
    send the inactivity warnings. With ``dry_run``, count only."""
    now = now or timezone.now()
    table = settings.ESPACE_CITOYEN_RETENTION
    report = PurgeReport()
    report.skipped = [key for key in table if get_rule(key) is None]
    for rule in registered_rules():
        if rule.key not in table:
            continue
        # One move of the citizens' versions when the rule's deletions are committed, not
        # a lookup per deleted row.
        with changes_batched(), transaction.atomic():
            objects = rule.expired(now, table[rule.key])
            count = _count(objects) if dry_run else rule.purge(objects, now)
        report.lines.append((rule.key, rule.label, count))
    with transaction.atomic():
        report.warned = inactivity_warnings_send(now=now, dry_run=dry_run)
    return report

