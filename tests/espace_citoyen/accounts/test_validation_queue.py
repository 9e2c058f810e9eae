"""Staff validation of accounts made with the creation wizard (Wagtail admin, group
"Relations population", permission accounts.validate_account)."""

import datetime
import io
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from espace_citoyen.accounts import services
from espace_citoyen.accounts.groups import ensure_relations_population_group
from espace_citoyen.accounts.models import AccountEventKind, AccountStatus, Profile
from espace_citoyen.demarches.models import DemarcheStatus

pytestmark = pytest.mark.django_db

User = get_user_model()
PARIS = ZoneInfo("Europe/Paris")
LIST_URL = "/admin/espace-citoyen/comptes-a-valider/"


def make_pending(email, *, confirmed_at, last_name="Dupont", photo=False):
    user = User.objects.create_user(email, "Tilleuls-du-parc-2026", first_name="Léa", last_name=last_name,
                                    status=AccountStatus.EMAIL_UNCONFIRMED)
    profile = Profile.objects.create(user=user, civility="mme", birth_name="Martin", street_number="12",
                                     street="rue de Poissy", postcode="78670", city="Villennes-sur-Seine",
                                     phone_mobile="06 12 34 56 78")
    if photo:
        buffer = io.BytesIO()
        Image.new("RGB", (60, 80), (10, 120, 200)).save(buffer, format="JPEG")
        profile.photo.save("photo.jpg", ContentFile(buffer.getvalue()))
    services.account_record_event(user=user, kind=AccountEventKind.CREATED, actor=user)
    with mock.patch("django.utils.timezone.now", return_value=confirmed_at):
        return services.account_confirm_email(user=user)


@pytest.fixture
def agent(db):
    user = User.objects.create_user("agent.population@ville-villennes-sur-seine.fr", "Agent-mot-de-passe-2026",
                                    first_name="Alice", last_name="Agent", is_staff=True)
    user.groups.add(ensure_relations_population_group())
    return user


@pytest.fixture
def pending(db):
    return make_pending("lea.dupont@example.fr", confirmed_at=datetime.datetime(2026, 5, 22, 10, tzinfo=PARIS), photo=True)


@pytest.fixture
def staff_without_permission(db):
    user = User.objects.create_user("stagiaire@ville-villennes-sur-seine.fr", "Stagiaire-mot-de-passe-26",
                                    is_staff=True)
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


def review_url(user):
    return f"{LIST_URL}{user.pk}/"


# --- Permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "{pk}/", "{pk}/photo/"])
def test_views_need_the_permission(client, otp_login, editor, staff_without_permission, pending, suffix):
    url = LIST_URL + suffix.format(pk=pending.pk)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous.url
    for user in (editor, staff_without_permission):
        assert not user.has_perm("accounts.validate_account")
        otp_login(client, user)
        response = client.get(url)
        assert response.status_code in (302, 403), user
        if response.status_code == 302:
            assert response.url == "/admin/"
        client.logout()


def test_actions_need_the_permission(client, otp_login, editor, pending):
    otp_login(client, editor)
    response = client.post(review_url(pending), {"action": "validate"})
    assert response.status_code == 302 and response.url == "/admin/"
    pending.refresh_from_db()
    assert pending.status == AccountStatus.PENDING
    assert not mail.outbox


def test_agent_of_relations_population_sees_the_queue(client, otp_login, agent, pending):
    otp_login(client, agent)
    assert client.get(LIST_URL).status_code == 200
    assert client.get(review_url(pending)).status_code == 200
    assert client.get(review_url(pending) + "photo/").status_code == 200
    assert LIST_URL in client.get("/admin/").content.decode()


def test_menu_item_hidden_without_the_permission(client, otp_login, editor):
    otp_login(client, editor)
    assert LIST_URL not in client.get("/admin/").content.decode()


# --- Listing --------------------------------------------------------------------------------


def test_queue_is_ordered_by_deadline_and_flags_overdue_ones(client, otp_login, agent):
    now = timezone.now()
    soon = make_pending("bientot@example.fr", confirmed_at=now - datetime.timedelta(hours=1), last_name="Bientôt")
    late = make_pending("tard@example.fr", confirmed_at=now - datetime.timedelta(days=10), last_name="Tardif")
    User.objects.create_user("actif@example.fr", "x-Un-mot-de-passe-long-1")  # active: not listed
    otp_login(client, agent)
    html = client.get(LIST_URL).content.decode()
    overdue_only = client.get(LIST_URL, {"en_retard": "1"}).content.decode()
    assert html.index("tard@example.fr") < html.index("bientot@example.fr")
    assert "actif@example.fr" not in html
    assert html.count("En retard") == 1
    row_late = html[html.index("tard@example.fr"):html.index("bientot@example.fr")]
    assert "En retard" in row_late
    assert "tard@example.fr" in overdue_only and "bientot@example.fr" not in overdue_only
    assert late.validation_due_at < soon.validation_due_at
    # Each row shows its account's own town (read for the page's accounts).
    Profile.objects.filter(user=soon).update(city="Médan")
    html = client.get(LIST_URL).content.decode()
    assert "<td>Villennes-sur-Seine</td>" in html[html.index("tard@example.fr"):html.index("bientot@example.fr")]
    assert "<td>Médan</td>" in html[html.index("bientot@example.fr"):]


def test_queue_search(client, otp_login, agent, pending):
    make_pending("autre@example.fr", confirmed_at=datetime.datetime(2026, 5, 20, 9, tzinfo=PARIS), last_name="Autre")
    otp_login(client, agent)
    html = client.get(LIST_URL, {"q": "dupont"}).content.decode()
    assert "lea.dupont@example.fr" in html and "autre@example.fr" not in html
    html = client.get(LIST_URL, {"q": "martin"}).content.decode()  # birth name
    assert "lea.dupont@example.fr" in html


def test_queue_pagination_keeps_search_and_filter(client, otp_login, agent):
    long_ago = timezone.now() - datetime.timedelta(days=10)
    for number in range(52):
        user = User.objects.create_user(f"retard{number:02d}@example.fr", "x-Un-mot-de-passe-long-1",
                                        last_name="Retard", status=AccountStatus.PENDING)
        user.validation_due_at = long_ago + datetime.timedelta(minutes=number)
        user.save(update_fields=["validation_due_at"])
    otp_login(client, agent)
    first = client.get(LIST_URL, {"q": "retard", "en_retard": "1"}).content.decode()
    assert "Page 1 sur 2" in first
    assert "retard00@example.fr" in first and "retard51@example.fr" not in first
    assert "?p=2&amp;q=retard&amp;en_retard=1" in first
    second = client.get(LIST_URL, {"q": "retard", "en_retard": "1", "p": "2"}).content.decode()
    assert "retard51@example.fr" in second and "retard00@example.fr" not in second


# --- Review, photo, history -------------------------------------------------------------------


def test_review_shows_identity_contact_photo_and_history(client, otp_login, agent, pending):
    otp_login(client, agent)
    html = client.get(review_url(pending)).content.decode()
    for text in ("Madame", "Dupont", "Martin", "Léa", "12 rue de Poissy", "78670 Villennes-sur-Seine",
                 "06 12 34 56 78", "lea.dupont@example.fr", "27/05/2026 10:00", "Espace créé", "Courriel confirmé",
                 ">Valider<", ">Refuser<", "Motif du refus"):
        assert text in html, text
    assert f'src="{review_url(pending)}photo/"' in html


def test_photo_is_served_inline_from_the_private_storage(client, otp_login, agent, pending):
    otp_login(client, agent)
    response = client.get(review_url(pending) + "photo/")
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == "inline"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).format == "JPEG"


def test_photo_404_without_photo(client, otp_login, agent):
    user = make_pending("sansphoto@example.fr", confirmed_at=datetime.datetime(2026, 5, 20, 9, tzinfo=PARIS))
    otp_login(client, agent)
    assert client.get(review_url(user) + "photo/").status_code == 404


# --- Decisions --------------------------------------------------------------------------------


def test_validate(client, otp_login, agent, pending, django_capture_on_commit_callbacks):
    otp_login(client, agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(review_url(pending), {"action": "validate"})
    assert response.status_code == 302 and response.url == LIST_URL
    pending.refresh_from_db()
    assert pending.status == AccountStatus.ACTIVE and pending.is_validated
    event = pending.account_events.get(kind=AccountEventKind.VALIDATED)
    assert (event.actor, event.from_status, event.to_status) == (agent, AccountStatus.PENDING, AccountStatus.ACTIVE)
    demarche = pending.demarches.get()
    assert demarche.status == DemarcheStatus.ACCEPTED
    last = demarche.events.last()
    assert (last.actor, last.to_status) == (agent, DemarcheStatus.ACCEPTED)
    (message,) = mail.outbox
    assert message.to == ["lea.dupont@example.fr"]
    assert "Votre espace citoyen est validé" in message.subject
    assert "/espace-citoyen/connexion/" in message.body
    assert f'href="{review_url(pending)}"' not in client.get(LIST_URL).content.decode()
    history = client.get(review_url(pending)).content.decode()
    assert "Compte validé" in history and "Alice Agent" in history


def test_refusal_needs_a_reason(client, otp_login, agent, pending):
    otp_login(client, agent)
    response = client.post(review_url(pending), {"action": "refuse", "reason": "   "})
    assert response.status_code == 200
    assert "Indiquez le motif du refus : il est envoyé à la personne." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == AccountStatus.PENDING
    assert not mail.outbox


def test_refuse(client, otp_login, agent, pending, django_capture_on_commit_callbacks):
    otp_login(client, agent)
    reason = "Adresse hors de la commune : merci de contacter votre mairie."
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(review_url(pending), {"action": "refuse", "reason": reason})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == AccountStatus.REFUSED and pending.refusal_reason == reason
    event = pending.account_events.get(kind=AccountEventKind.REFUSED)
    assert (event.actor, event.comment, event.to_status) == (agent, reason, AccountStatus.REFUSED)
    demarche = pending.demarches.get()
    assert demarche.status == DemarcheStatus.REFUSED
    last = demarche.events.last()
    assert (last.actor, last.comment) == (agent, reason)
    (message,) = mail.outbox
    assert "n'a pas été validée" in message.subject
    assert reason in message.body and "01 39 08 25 40" in message.body


def test_no_decision_twice(client, otp_login, agent, pending, django_capture_on_commit_callbacks):
    otp_login(client, agent)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(review_url(pending), {"action": "validate"})
        client.post(review_url(pending), {"action": "refuse", "reason": "Trop tard"})
    pending.refresh_from_db()
    assert pending.status == AccountStatus.ACTIVE
    assert len(mail.outbox) == 1


def test_services_refuse_wrong_moves(agent):
    active = User.objects.create_user("actif@example.fr", "x-Un-mot-de-passe-long-1")
    with pytest.raises(ValueError):
        services.account_validate(user=active, actor=agent)
    with pytest.raises(ValueError):
        services.account_refuse(user=active, actor=agent, reason="")


def test_relations_population_group_has_the_permission(agent):
    group = Group.objects.get(name="Relations population")
    assert group.permissions.filter(codename="validate_account").exists()
    assert agent.has_perm("accounts.validate_account")
