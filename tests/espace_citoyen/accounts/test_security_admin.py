"""Back office "Sécurité des comptes": unlocking a login locked by django-axes and resetting
the second factor of someone who lost it (espace_citoyen/accounts/security_admin.py)."""

import html

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from espace_citoyen.accounts import selectors, services
from espace_citoyen.accounts.groups import ensure_relations_population_group
from espace_citoyen.accounts.models import AccountEvent, AccountEventKind

from .conftest import PASSWORD
from .test_two_factor import enable_two_factor

pytestmark = pytest.mark.django_db

User = get_user_model()
INDEX_URL = "/admin/espace-citoyen/securite-des-comptes/"
LOGIN_URL = "/espace-citoyen/connexion/"
ADMIN_SETUP_URL = "/admin/double-authentification/activer/"
REASON = "Identité vérifiée au guichet, pièce d'identité présentée"
READ_ONLY_STAFF = "seul un administrateur (super-utilisateur) peut débloquer sa connexion"
READ_ONLY_SELF = "C'est votre propre compte : vous ne pouvez pas le modifier ici."


def detail_url(user):
    return f"{INDEX_URL}{user.pk}/"


def login(client, email, password, ip="203.0.113.5"):
    return client.post(LOGIN_URL, {"username": email, "password": password}, REMOTE_ADDR=ip)


def lock_out(email, ip="203.0.113.5"):
    """Five wrong passwords through the real login view: the fifth answers 429."""
    client = Client()
    responses = [login(client, email, "mauvais-mot-de-passe", ip=ip) for _ in range(5)]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]


def html_of(response) -> str:
    """The page's text with HTML entities decoded (the admin escapes apostrophes)."""
    return html.unescape(response.content.decode())


@pytest.fixture
def agent(db):
    user = User.objects.create_user("agent.securite@ville-villennes-sur-seine.fr", "Agent-mot-de-passe-2026",
                                    first_name="Alice", last_name="Guichet")  # as seeded: admin access by group
    user.groups.add(ensure_relations_population_group())
    return user


@pytest.fixture
def other_agent(db):
    user = User.objects.create_user("autre.agent@ville-villennes-sur-seine.fr", "Agent-mot-de-passe-2026",
                                    first_name="Bruno", last_name="Collègue")
    user.groups.add(ensure_relations_population_group())
    return user


@pytest.fixture
def staff_without_permission(db):
    user = User.objects.create_user("stagiaire.securite@ville-villennes-sur-seine.fr", "Stagiaire-mot-de-passe-26",
                                    is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


@pytest.fixture
def person(db):
    """A citizen with a second factor, the one who comes to the town hall."""
    user = User.objects.create_user("jeanne.securite@example.fr", PASSWORD, first_name="Jeanne", last_name="Lemoine")
    enable_two_factor(user)
    return user


def devices_of(user) -> int:
    return TOTPDevice.objects.filter(user=user).count() + StaticDevice.objects.filter(user=user).count()


# --- Permissions ------------------------------------------------------------------------------


def test_anonymous_goes_to_the_admin_login(client, person):
    for url in (INDEX_URL, detail_url(person)):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response.url


@pytest.mark.parametrize("who", ["editor", "staff_without_permission"])
def test_staff_without_validate_account_is_denied(client, otp_login, request, person, who):
    user = request.getfixturevalue(who)
    assert not user.has_perm("accounts.validate_account")
    otp_login(client, user)
    lock_out(person.email)
    for url in (INDEX_URL, detail_url(person)):
        response = client.get(url)
        assert response.status_code == 302 and response.url == "/admin/", url
    response = client.post(detail_url(person), {"action": "unlock"})
    assert response.status_code == 302 and response.url == "/admin/"
    response = client.post(detail_url(person), {"action": "reset_two_factor", "reason": REASON})
    assert response.status_code == 302 and response.url == "/admin/"
    assert AccessAttempt.objects.filter(username=person.email).exists()
    assert devices_of(person) == 2
    assert not AccountEvent.objects.filter(user=person, kind__in=["login_unlocked", "2fa_reset"]).exists()
    assert INDEX_URL not in html_of(client.get("/admin/"))  # no menu item


def test_menu_item_shown_to_agents_and_superusers(client, otp_login, agent, superuser):
    for user in (agent, superuser):
        otp_login(client, user)
        assert INDEX_URL in html_of(client.get("/admin/")), user
        assert "Sécurité des comptes" in html_of(client.get(INDEX_URL))
        client.logout()


def test_agent_acts_on_a_citizen(client, otp_login, agent, person):
    otp_login(client, agent)
    html = html_of(client.get(detail_url(person)))
    assert 'value="unlock"' not in html  # no failure: nothing to unlock
    assert "Aucun échec de connexion récent : rien à débloquer." in html
    assert "Motif (vérification d'identité effectuée)" in html
    assert 'value="reset_two_factor"' in html
    response = client.post(detail_url(person), {"action": "reset_two_factor", "reason": REASON})
    assert response.status_code == 302 and response.url == detail_url(person)
    assert devices_of(person) == 0


@pytest.mark.parametrize("target_kind", ["staff", "superuser"])
def test_agent_cannot_act_on_staff_or_superusers(client, otp_login, agent, other_agent, superuser, target_kind):
    target = other_agent if target_kind == "staff" else superuser
    if not devices_of(target):  # the demo superuser has one already
        enable_two_factor(target)
    devices_before = devices_of(target)
    assert devices_before
    lock_out(target.email)
    otp_login(client, agent)

    response = client.get(detail_url(target))
    assert response.status_code == 200
    html = html_of(response)
    assert READ_ONLY_STAFF in html
    assert 'name="action"' not in html and "Motif (vérification" not in html
    assert "Bloquée – 5 échecs" in html and "Activée" in html

    for data in ({"action": "unlock"}, {"action": "reset_two_factor", "reason": REASON}):
        response = client.post(detail_url(target), data)
        assert response.status_code == 403, data
        assert READ_ONLY_STAFF in html_of(response)
    assert devices_of(target) == devices_before
    assert AccessAttempt.objects.filter(username=target.email).get().failures_since_start == 5
    assert not AccountEvent.objects.filter(user=target, kind__in=["login_unlocked", "2fa_reset"]).exists()
    assert not mail.outbox


def test_superuser_acts_on_staff(client, otp_login, superuser, other_agent, django_capture_on_commit_callbacks):
    enable_two_factor(other_agent)
    lock_out(other_agent.email)
    otp_login(client, superuser)
    html = html_of(client.get(detail_url(other_agent)))
    assert READ_ONLY_STAFF not in html and 'value="unlock"' in html
    assert client.post(detail_url(other_agent), {"action": "unlock"}).status_code == 302
    assert not AccessAttempt.objects.filter(username=other_agent.email).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(detail_url(other_agent), {"action": "reset_two_factor", "reason": REASON})
    assert response.status_code == 302
    assert devices_of(other_agent) == 0
    assert [m.to for m in mail.outbox] == [[other_agent.email]]
    assert "il vous sera demandé de configurer à nouveau" in mail.outbox[0].body


@pytest.mark.parametrize("who", ["agent", "superuser"])
def test_nobody_acts_on_their_own_account(client, otp_login, request, who):
    user = request.getfixturevalue(who)
    otp_login(client, user)  # gives the user a confirmed device
    devices_before = devices_of(user)
    AccessAttempt.objects.create(username=user.email, ip_address="203.0.113.5", user_agent="test",
                                 failures_since_start=5, get_data="", post_data="", http_accept="", path_info="/")
    html = html_of(client.get(detail_url(user)))
    assert READ_ONLY_SELF in html and 'name="action"' not in html
    for data in ({"action": "unlock"}, {"action": "reset_two_factor", "reason": REASON}):
        response = client.post(detail_url(user), data)
        assert response.status_code == 403
        assert READ_ONLY_SELF in html_of(response)
    assert devices_of(user) == devices_before
    assert AccessAttempt.objects.filter(username=user.email).exists()


def test_services_refuse_forbidden_actors_too(agent, other_agent, person):
    from django.core.exceptions import PermissionDenied

    enable_two_factor(other_agent)
    with pytest.raises(PermissionDenied):
        services.account_two_factor_reset(user=other_agent, actor=agent, reason=REASON)
    with pytest.raises(PermissionDenied):
        services.account_two_factor_reset(user=agent, actor=agent, reason=REASON)
    with pytest.raises(PermissionDenied):
        services.account_login_unlock(user=person, actor=person)
    assert devices_of(other_agent) == 2


def test_csrf_is_required(otp_login, agent, person):
    client = Client(enforce_csrf_checks=True)
    otp_login(client, agent)
    response = client.post(detail_url(person), {"action": "reset_two_factor", "reason": REASON})
    assert response.status_code == 403
    assert devices_of(person) == 2


# --- Unlocking the login ------------------------------------------------------------------------


def test_locked_citizen_is_listed_then_unlocked_and_can_log_in(client, otp_login, agent, person):
    bystander = User.objects.create_user("voisin.securite@example.fr", PASSWORD)
    for _ in range(3):  # another account, from the same address
        login(Client(), bystander.email, "mauvais-mot-de-passe")
    lock_out(person.email)
    # Even the right password is refused (and counted: axes restarts the cool-off).
    assert login(Client(), person.email, PASSWORD).status_code == 429

    otp_login(client, agent)
    index = html_of(client.get(INDEX_URL))
    assert "Comptes bloqués en ce moment" in index
    assert person.email in index and "Bloquée – 6 échecs" in index
    assert bystander.email not in index  # 3 failures: not locked
    assert "recherchez son compte par adresse e-mail ou par nom" in index

    detail = html_of(client.get(detail_url(person)))
    assert "Bloquée – 6 échecs" in detail and 'value="unlock"' in detail

    response = client.post(detail_url(person), {"action": "unlock"})
    assert response.status_code == 302 and response.url == detail_url(person)
    page = html_of(client.get(response.url))
    assert "Connexion de jeanne.securite@example.fr débloquée (6 échec(s) effacé(s))" in page
    assert "Bloquée" not in page
    assert "Connexion débloquée par un agent" in page  # history

    assert not AccessAttempt.objects.filter(username=person.email).exists()
    assert AccessAttempt.objects.get(username=bystander.email).failures_since_start == 3
    event = AccountEvent.objects.get(user=person, kind=AccountEventKind.LOGIN_UNLOCKED)
    assert event.actor == agent and event.comment == "6 échec(s) de connexion effacé(s)"
    assert person.email not in html_of(client.get(INDEX_URL))

    # The person logs in again (password step, then the code step of their second factor).
    citizen_client = Client()
    response = login(citizen_client, person.email, PASSWORD)
    assert response.status_code == 302 and response.url.startswith("/espace-citoyen/connexion/code/")


def test_unlock_removes_failures_from_every_address(client, otp_login, agent):
    citizen = User.objects.create_user("multi.securite@example.fr", PASSWORD)
    lock_out(citizen.email, ip="203.0.113.5")
    login(Client(), citizen.email, "mauvais-mot-de-passe", ip="198.51.100.7")
    otp_login(client, agent)
    assert "Bloquée – 6 échecs" in html_of(client.get(detail_url(citizen)))
    client.post(detail_url(citizen), {"action": "unlock"})
    assert not AccessAttempt.objects.filter(username=citizen.email).exists()
    response = login(Client(), citizen.email, PASSWORD, ip="203.0.113.5")
    assert response.status_code == 302 and response.url == "/espace-citoyen/"


def test_recent_failures_below_the_limit_are_shown_not_locked(client, otp_login, agent):
    citizen = User.objects.create_user("deux.echecs@example.fr", PASSWORD, last_name="Deuxechecs")
    for _ in range(2):
        login(Client(), citizen.email, "mauvais-mot-de-passe")
    otp_login(client, agent)
    html = html_of(client.get(INDEX_URL, {"q": "deuxechecs"}))
    assert "2 échecs récents" in html and "Bloquée" not in html
    assert selectors.login_lock_state_for(user=citizen) == selectors.LoginLockState(failures=2, locked=False,
                                                                                     locked_failures=2)


def test_unlock_without_failures_is_an_error(client, otp_login, agent, person):
    otp_login(client, agent)
    response = client.post(detail_url(person), {"action": "unlock"})
    assert response.status_code == 400
    assert "Aucun échec de connexion n'est enregistré pour ce compte : rien à débloquer." in html_of(response)
    assert not AccountEvent.objects.filter(user=person, kind=AccountEventKind.LOGIN_UNLOCKED).exists()


# --- Resetting the second factor ----------------------------------------------------------------


def test_reset_without_reason_is_refused_and_keeps_the_typed_text(client, otp_login, agent, person):
    otp_login(client, agent)
    for reason in ("", "   "):
        response = client.post(detail_url(person), {"action": "reset_two_factor", "reason": reason})
        assert response.status_code == 400
        page = html_of(response)
        assert "La double authentification n'a pas été réinitialisée : indiquez le motif." in page
        assert "Indiquez le motif : comment l'identité de la personne a été vérifiée." in page
    # A typed text is kept on error (here: too long), escaped.
    too_long = "Vu au guichet <b> " + "x" * 1000
    response = client.post(detail_url(person), {"action": "reset_two_factor", "reason": too_long})
    assert response.status_code == 400
    raw = response.content.decode()
    assert "Vu au guichet &lt;b&gt; xxx" in raw and "<b> xxx" not in raw
    assert "Le motif ne doit pas dépasser 1000 caractères." in html_of(response)
    assert devices_of(person) == 2
    assert not AccountEvent.objects.filter(user=person, kind=AccountEventKind.TWO_FACTOR_RESET).exists()


def test_reset_of_an_account_without_second_factor_is_an_error(client, otp_login, agent):
    citizen = User.objects.create_user("sans.2fa@example.fr", PASSWORD)
    otp_login(client, agent)
    page = html_of(client.get(detail_url(citizen)))
    assert "Non activée" in page and "La double authentification n'est pas activée sur ce compte" in page
    assert 'value="reset_two_factor"' not in page
    response = client.post(detail_url(citizen), {"action": "reset_two_factor", "reason": REASON})
    assert response.status_code == 400
    assert "La double authentification n'est pas activée sur ce compte : rien à réinitialiser." in html_of(response)
    assert not AccountEvent.objects.filter(user=citizen, kind=AccountEventKind.TWO_FACTOR_RESET).exists()
    assert not mail.outbox


def test_reset_without_reason_deletes_nothing(client, otp_login, agent, person):
    otp_login(client, agent)
    client.post(detail_url(person), {"action": "reset_two_factor", "reason": " "})
    assert devices_of(person) == 2
    assert not mail.outbox


def test_reset_with_reason(client, otp_login, agent, person, django_capture_on_commit_callbacks):
    otp_login(client, agent)
    assert "Activée" in html_of(client.get(detail_url(person)))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(detail_url(person), {"action": "reset_two_factor", "reason": f"  {REASON}  "})
    assert response.status_code == 302 and response.url == detail_url(person)
    assert devices_of(person) == 0
    event = AccountEvent.objects.get(user=person, kind=AccountEventKind.TWO_FACTOR_RESET)
    assert event.actor == agent and event.comment == REASON
    assert event.get_kind_display() == "Double authentification réinitialisée par un agent"

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [person.email]
    assert "réinitialisée par un agent de la mairie" in message.subject
    assert "Un agent de la mairie de Villennes-sur-Seine a réinitialisé la double authentification" in message.body
    assert "Si vous n'avez pas demandé cette réinitialisation, appelez au plus vite le 01 39 08 25 40" in message.body
    assert "/espace-citoyen/securite/" in message.body
    assert REASON not in message.body

    page = html_of(client.get(detail_url(person)))
    assert "Double authentification de jeanne.securite@example.fr réinitialisée" in page
    assert "Non activée" in page and "Double authentification réinitialisée par un agent" in page
    assert "Identité vérifiée au guichet" in page  # the reason, in the history

    # The password alone now opens the citizen space.
    response = login(Client(), person.email, PASSWORD)
    assert response.status_code == 302 and response.url == "/espace-citoyen/"


def test_two_factor_disable_still_behaves_the_same(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.two_factor_disable(user=person, actor=person)
    assert devices_of(person) == 0
    assert AccountEvent.objects.filter(user=person, kind=AccountEventKind.TWO_FACTOR_DISABLED, actor=person).exists()
    assert "désactivée" in mail.outbox[0].subject


def test_staff_reset_by_superuser_is_sent_to_enrolment(client, otp_login, superuser, other_agent):
    staff_client = Client()
    otp_login(staff_client, other_agent)
    assert staff_client.get("/admin/").status_code == 200

    otp_login(client, superuser)
    response = client.post(detail_url(other_agent), {"action": "reset_two_factor", "reason": REASON})
    assert response.status_code == 302
    assert devices_of(other_agent) == 0

    response = staff_client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith(ADMIN_SETUP_URL)


# --- Search -------------------------------------------------------------------------------------


def test_search_by_name_and_email_with_every_word(client, otp_login, agent, person):
    User.objects.create_user("jeanne.autre@example.fr", PASSWORD, first_name="Jeanne", last_name="Dupuis")
    otp_login(client, agent)
    html = html_of(client.get(INDEX_URL, {"q": "LEMOINE"}))
    assert person.email in html and "jeanne.autre@example.fr" not in html
    assert "Citoyen" in html and "Activée" in html and "—" in html
    assert f'href="{detail_url(person)}"' in html
    html = html_of(client.get(INDEX_URL, {"q": "jeanne"}))
    assert person.email in html and "jeanne.autre@example.fr" in html
    html = html_of(client.get(INDEX_URL, {"q": "Jeanne  dupuis"}))
    assert person.email not in html and "jeanne.autre@example.fr" in html
    html = html_of(client.get(INDEX_URL, {"q": "agent.securite@ville"}))
    assert "Agent" in html and "Non activée" not in html  # otp_login gave the agent a device


def test_search_empty_state(client, otp_login, agent):
    otp_login(client, agent)
    html = html_of(client.get(INDEX_URL, {"q": "Zyxwvutsrq"}))
    assert "Aucun compte ne correspond à « Zyxwvutsrq »." in html


def test_search_is_paginated_by_25(client, otp_login, agent):
    for number in range(27):
        User.objects.create_user(f"pagine{number:02d}@example.fr", PASSWORD, last_name=f"Pagine{number:02d}")
    otp_login(client, agent)
    first = html_of(client.get(INDEX_URL, {"q": "pagine"}))
    assert "Page 1 sur 2" in first and "pagine24@example.fr" in first and "pagine25@example.fr" not in first
    second = html_of(client.get(INDEX_URL, {"q": "pagine", "p": "2"}))
    assert "pagine26@example.fr" in second and "pagine00@example.fr" not in second


def test_detail_shows_the_last_ten_events(client, otp_login, agent, person):
    for number in range(12):
        services.account_record_event(user=person, kind=AccountEventKind.CONTACT_UPDATED, actor=person,
                                      comment=f"modification n° {number:02d}")
    otp_login(client, agent)
    html = html_of(client.get(detail_url(person)))
    assert "modification n° 11" in html and "modification n° 02" in html
    assert "modification n° 01" not in html
    assert html.index("modification n° 11") < html.index("modification n° 02")


def test_agent_cannot_strip_the_second_factor_of_an_editor_without_is_staff(client, otp_login, agent):
    """Agents enter the admin through their group (Wagtail never sets is_staff): a
    Communication editor is an agent account all the same, for superusers only."""
    from django.contrib.auth.models import Group

    editor = User.objects.create_user("redacteur.securite@ville-villennes-sur-seine.fr", "Redacteur-mot-de-passe-26",
                                      first_name="Régis", last_name="Rédacteur")
    editor.groups.add(Group.objects.get(name="Communication"))
    enable_two_factor(editor)
    assert not editor.is_staff
    otp_login(client, agent)
    page = html_of(client.get(detail_url(editor)))
    assert READ_ONLY_STAFF in page
    response = client.post(detail_url(editor), {"action": "reset_two_factor", "reason": REASON})
    assert response.status_code == 403
    assert devices_of(editor) > 0
    assert not AccountEvent.objects.filter(user=editor, kind=AccountEventKind.TWO_FACTOR_RESET).exists()
    # What is written in an agent's history (reasons, addresses) is not shown to who may not act.
    AccountEvent.objects.create(user=editor, kind=AccountEventKind.EMAIL_CHANGE_REQUESTED,
                                comment="nouvelle.adresse.privee@example.fr")
    assert "nouvelle.adresse.privee@example.fr" not in html_of(client.get(detail_url(editor)))
    listing = html_of(client.get(INDEX_URL, {"q": "redacteur"}))
    assert "Agent" in listing
