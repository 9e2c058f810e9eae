"""Issue 10, item 13: retention of personal data (RGPD) with a fixed clock (``now=``): the
nightly ``purge_expired_data`` command (and its dry run), the inactivity warning sent once,
the registry that a later domain (billing) fills, and the agents' deletion of an account
requested in "Mes données" (with and without the permission)."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from espace_citoyen.accounts.models import AccountStatus, User
from espace_citoyen.activities.models import Occurrence, Reservation
from espace_citoyen.core import retention as registry
from espace_citoyen.demarches.models import Demarche, DemarcheKind, DemarcheStatus
from espace_citoyen.demarches.services import demarche_open
from espace_citoyen.documents.models import Document
from espace_citoyen.family.models import Child, Membership
from espace_citoyen.portal.models import InactivityWarning
from espace_citoyen.portal.retention import purge_expired_data

from tests.factories import add_children, add_documents, make_citizen

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
DAY = datetime.timedelta(days=1)


def _age(user, *, joined=None, last_login=None, **fields):
    User.objects.filter(pk=user.pk).update(date_joined=joined or user.date_joined, last_login=last_login, **fields)
    user.refresh_from_db()
    return user


def _exists(user) -> bool:
    return User.objects.filter(pk=user.pk).exists()


def test_unconfirmed_signups_go_once_their_link_has_expired(settings):
    days = settings.ESPACE_CITOYEN_EMAIL_CONFIRMATION_DAYS
    expired = _age(make_citizen("expire@example.fr", status=AccountStatus.EMAIL_UNCONFIRMED, household=False),
                   joined=NOW - (days + 1) * DAY)
    fresh = _age(make_citizen("frais@example.fr", status=AccountStatus.EMAIL_UNCONFIRMED, household=False),
                 joined=NOW - (days - 1) * DAY)
    purge_expired_data(now=NOW)
    assert not _exists(expired) and _exists(fresh)


def test_refused_accounts_go_after_six_months_with_their_files(settings):
    old = _age(make_citizen("refuse@example.fr", status=AccountStatus.REFUSED), status_changed_at=NOW - 200 * DAY)
    recent = _age(make_citizen("refuse2@example.fr", status=AccountStatus.REFUSED), status_changed_at=NOW - 30 * DAY)
    (document,) = add_documents(old, 1)
    storage, name = document.file.storage, document.file.name
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.db.transaction.on_commit", lambda callback, *args, **kwargs: callback())
        purge_expired_data(now=NOW)
    assert not _exists(old) and _exists(recent)
    assert not Document.objects.filter(pk=document.pk).exists() and not storage.exists(name)


def test_dry_run_deletes_nothing_and_sends_nothing(settings):
    old = _age(make_citizen("refuse@example.fr", status=AccountStatus.REFUSED), status_changed_at=NOW - 200 * DAY)
    _age(make_citizen("dormant@example.fr"), last_login=NOW - 3 * 365 * DAY)
    mail.outbox.clear()
    report = purge_expired_data(now=NOW, dry_run=True)
    assert dict((key, count) for key, _label, count in report.lines)["refused_accounts"] >= 1
    assert report.warned >= 1
    assert _exists(old) and not mail.outbox and not InactivityWarning.objects.exists()


def test_inactive_accounts_are_warned_once_a_month_before_then_deleted(django_capture_on_commit_callbacks):
    user = _age(make_citizen("dormant@example.fr"), last_login=NOW - (3 * 365 - 20) * DAY)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        purge_expired_data(now=NOW)
    assert _exists(user)
    assert [m.to for m in mail.outbox if "supprimé faute d'utilisation" in m.subject] == [["dormant@example.fr"]]
    warning = InactivityWarning.objects.get(user=user)
    assert warning.sent_at == NOW and warning.deletion_after >= NOW + 30 * DAY
    # The next nights: no second e-mail; the account stays until a month after the warning.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        purge_expired_data(now=NOW + 25 * DAY)
    assert _exists(user) and not mail.outbox
    purge_expired_data(now=NOW + 31 * DAY)
    assert not _exists(user)


def test_a_login_after_the_warning_keeps_the_account():
    user = _age(make_citizen("dormant@example.fr"), last_login=NOW - (3 * 365 - 20) * DAY)
    purge_expired_data(now=NOW)
    _age(user, last_login=NOW + 2 * DAY)
    purge_expired_data(now=NOW + 40 * DAY)
    assert _exists(user)


def test_town_agents_are_never_deleted():
    agent = _age(make_citizen("agent.dormant@ville-villennes-sur-seine.fr", household=False),
                 last_login=NOW - 5 * 365 * DAY, is_staff=True)
    mail.outbox.clear()
    purge_expired_data(now=NOW)
    purge_expired_data(now=NOW + 60 * DAY)
    assert _exists(agent) and not mail.outbox


def test_an_erased_parent_leaves_the_household_the_other_keeps_the_children():
    parent = _age(make_citizen("parti@example.fr", status=AccountStatus.REFUSED), status_changed_at=NOW - 200 * DAY)
    (child,) = add_children(parent, 1)
    other = make_citizen("reste@example.fr", household=Membership.objects.get(user=parent).household)
    purge_expired_data(now=NOW)
    assert not _exists(parent)
    assert Child.objects.filter(pk=child.pk).exists() and Membership.objects.filter(user=other).exists()


def test_finished_demarches_go_after_five_years_open_ones_stay():
    user = make_citizen("demandes@example.fr")
    old = demarche_open(user=user, kind=DemarcheKind.OTHER, title="Ancienne")
    still_open = demarche_open(user=user, kind=DemarcheKind.OTHER, title="Ouverte")
    Demarche.objects.filter(pk=old.pk).update(status=DemarcheStatus.CLOSED, updated_at=NOW - 6 * 365 * DAY)
    Demarche.objects.filter(pk=still_open.pk).update(updated_at=NOW - 6 * 365 * DAY)
    purge_expired_data(now=NOW)
    assert not Demarche.objects.filter(pk=old.pk).exists() and Demarche.objects.filter(pk=still_open.pk).exists()


def test_days_of_activity_and_their_bookings_go_after_two_years():
    from tests.espace_citoyen.activities.agenda_factories import make_activity, make_occurrence

    user = make_citizen("cantine@example.fr")
    (child,) = add_children(user, 1)
    activity = make_activity(label="T-purge")
    old = make_occurrence(activity, (NOW - 3 * 365 * DAY).date())
    recent = make_occurrence(activity, (NOW - 300 * DAY).date())
    for occurrence in (old, recent):
        Reservation.objects.create(child=child, occurrence=occurrence, status="booked")
    purge_expired_data(now=NOW)
    assert not Occurrence.objects.filter(pk=old.pk).exists()
    assert list(Reservation.objects.filter(child=child).values_list("occurrence_id", flat=True)) == [recent.pk]


def test_entries_without_a_registered_rule_are_skipped_then_a_domain_registers_one(settings, capsys):
    """A table entry whose domain is not installed (here a made-up one) is reported and
    skipped; once a domain registers its rule, the run applies it with the table's days."""
    settings.ESPACE_CITOYEN_RETENTION = {**settings.ESPACE_CITOYEN_RETENTION, "archives_test": {"days": 30}}
    call_command("purge_expired_data", "--dry-run")
    out = capsys.readouterr().out
    assert "[archives_test] : aucune règle enregistrée" in out and "Simulation : rien n'a été supprimé" in out
    seen = []
    registry.register(registry.RetentionRule(
        "archives_test", "Archives", expired=lambda now, entry: seen.append((now, entry["days"])) or [],
        purge=lambda objects, now: 0))
    try:
        report = purge_expired_data(now=NOW)
    finally:
        registry.unregister("archives_test")
    assert seen == [(NOW, 30)] and "archives_test" not in report.skipped


def test_billing_registers_its_rules():
    """Invoices and payments are kept ten years by billing's own rules."""
    assert registry.get_rule("invoices") is not None and registry.get_rule("payments") is not None


# --- Deletion requested in "Mes données", carried out by an agent --------------------------

DELETIONS = "/admin/espace-citoyen/suppressions-de-compte/"


@pytest.fixture
def deletion_request():
    user = make_citizen("partir@example.fr")
    add_documents(user, 2)
    demarche = demarche_open(user=user, kind=DemarcheKind.ACCOUNT_DELETION, title="Suppression de mon compte",
                             actor=user)
    return user, demarche


def _agent(*, may_delete: bool):
    agent = User.objects.create_user("agent.suppr@ville-villennes-sur-seine.fr", "Agent-Suppression-2026",
                                     is_staff=True, status=AccountStatus.ACTIVE)
    agent.groups.add(Group.objects.get(name="Relations population"))
    if may_delete:
        agent.user_permissions.add(Permission.objects.get(content_type__app_label="accounts", codename="delete_user"))
    return agent


def test_agent_with_the_permission_carries_out_the_deletion(client, otp_login, deletion_request,
                                                            django_capture_on_commit_callbacks):
    user, demarche = deletion_request
    otp_login(client, _agent(may_delete=True))
    listing = client.get(DELETIONS).content.decode()
    assert demarche.number in listing
    page = client.get(f"{DELETIONS}{demarche.pk}/").content.decode()
    assert "2 document(s) du coffre-fort" in page and "Supprimer définitivement ce compte" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{DELETIONS}{demarche.pk}/")
    assert response.status_code == 302
    assert not _exists(user) and not Document.objects.filter(owner_id=user.pk).exists()
    assert [m.to for m in mail.outbox] == [["partir@example.fr"]]


def test_agent_without_the_permission_is_refused(client, otp_login, deletion_request):
    user, demarche = deletion_request
    otp_login(client, _agent(may_delete=False))
    assert client.get(DELETIONS).status_code in {302, 403}
    response = client.post(f"{DELETIONS}{demarche.pk}/")
    assert response.status_code in {302, 403}
    assert _exists(user)


def test_an_agent_account_is_not_deleted_from_a_request(client, otp_login, superuser):
    staff = make_citizen("agent.demande@ville-villennes-sur-seine.fr", household=False)
    User.objects.filter(pk=staff.pk).update(is_staff=True)
    demarche = demarche_open(user=staff, kind=DemarcheKind.ACCOUNT_DELETION, title="Suppression", actor=staff)
    otp_login(client, superuser)
    client.post(f"{DELETIONS}{demarche.pk}/")
    assert _exists(staff)
