"""Activation of accounts imported from the Portail Famille: the single-use, expiring link
of the activation e-mail, and "Vérifier l'adresse et renvoyer" in the admin."""

import datetime
import re
from unittest import mock

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import make_staff as staff_user
from espace_citoyen.accounts import services
from espace_citoyen.accounts.models import AccountEventKind, AccountStatus
from espace_citoyen.accounts.tokens import activation_token_generator

User = get_user_model()
PASSWORD = "Tilleuls-du-parc-2026"
LINK_RE = re.compile(r"https?://[^/\s]+(/espace-citoyen/activer/[^/\s]+/[^/\s]+/)")
LIST_URL = "/admin/espace-citoyen/comptes-a-activer/"


@pytest.fixture
def imported(db, django_capture_on_commit_callbacks):
    user = User.objects.create_user(
        "julien.martin@example.org", password=None, first_name="Julien", last_name="Martin",
        status=AccountStatus.TO_ACTIVATE, legacy_key="1042-1",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.activation_send(user=user, actor=None)
    return user


def link_in(message) -> str:
    match = LINK_RE.search(message.body)
    assert match, message.body
    return match.group(1)


def choose_password(client, url, password=PASSWORD, confirmation=None):
    return client.post(url, {"new_password1": password, "new_password2": confirmation or password})


def test_activation_email_gives_the_identifier_and_a_link(imported):
    (message,) = mail.outbox
    assert message.to == ["julien.martin@example.org"]
    assert "Activez votre espace citoyen" in message.subject
    assert "Votre identifiant : julien.martin@example.org" in message.body
    assert "01 39 08 25 67" in message.body
    html = message.alternatives[0][0]
    assert link_in(message) in html


def test_link_works_once(client, imported):
    url = link_in(mail.outbox[0])
    page = client.get(url)
    assert page.status_code == 200
    assert "julien.martin@example.org" in page.content.decode()

    response = choose_password(client, url)

    assert response.status_code == 200
    assert "Votre espace est activé" in response.content.decode()
    assert reverse("accounts:login") in response.content.decode()
    assert "_auth_user_id" not in client.session  # no automatic login
    imported.refresh_from_db()
    assert imported.status == AccountStatus.ACTIVE
    assert imported.check_password(PASSWORD)
    event = imported.account_events.get(kind=AccountEventKind.ACTIVATED)
    assert (event.actor, event.from_status, event.to_status) == (imported, AccountStatus.TO_ACTIVATE, AccountStatus.ACTIVE)
    request = RequestFactory().post("/espace-citoyen/connexion/")
    assert authenticate(request=request, username="julien.martin@example.org", password=PASSWORD) == imported

    # Second use of the same link: refused, with the way to get a new e-mail.
    again = client.get(url)
    assert "Ce lien d'activation n'est plus valide" in again.content.decode()
    assert "01 39 08 25 67" in again.content.decode()
    choose_password(client, url, password="Autre-mot-de-passe-99")
    imported.refresh_from_db()
    assert imported.check_password(PASSWORD)


def test_link_expires_after_the_activation_delay(client, imported, settings):
    assert settings.ESPACE_CITOYEN_ACTIVATION_DAYS == 14
    url = link_in(mail.outbox[0])
    now = datetime.datetime.now()
    with mock.patch.object(activation_token_generator, "_now", return_value=now + datetime.timedelta(days=13)):
        assert "Activer mon espace citoyen" in client.get(url).content.decode()
    with mock.patch.object(activation_token_generator, "_now", return_value=now + datetime.timedelta(days=15)):
        response = choose_password(client, url)
    assert "Ce lien d'activation n'est plus valide" in response.content.decode()
    imported.refresh_from_db()
    assert imported.status == AccountStatus.TO_ACTIVATE and not imported.has_usable_password()


def test_bad_links_are_refused(client, imported):
    url = link_in(mail.outbox[0])
    assert "n'est plus valide" in client.get(url[:-3] + "xx/").content.decode()
    assert "n'est plus valide" in client.get("/espace-citoyen/activer/zzz/abc-def/").content.decode()


def test_password_rules_apply(client, imported):
    url = link_in(mail.outbox[0])
    response = choose_password(client, url, password="123", confirmation="123")
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    response = choose_password(client, url, password=PASSWORD, confirmation=PASSWORD + "x")
    assert "Les deux mots de passe saisis ne sont pas identiques." in response.content.decode()
    imported.refresh_from_db()
    assert imported.status == AccountStatus.TO_ACTIVATE


# --- admin: "Vous n'avez pas reçu d'email d'activation" --------------------------------


def resend_url(user):
    return f"{LIST_URL}{user.pk}/renvoyer/"


def test_admin_pages_need_the_permission(client, otp_login, imported):
    otp_login(client, staff_user("agent@ville-villennes-sur-seine.fr", "import_portail_famille"))
    for url in (LIST_URL, resend_url(imported)):
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("wagtailadmin_home"), url
    response = client.post(resend_url(imported), {"email": "autre@example.org"})
    assert response.status_code == 302
    imported.refresh_from_db()
    assert imported.email == "julien.martin@example.org"


def test_listing_shows_accounts_to_activate(client, otp_login, imported):
    User.objects.create_user("deja.actif@example.org", password=None)
    otp_login(client, staff_user("relations@ville-villennes-sur-seine.fr", "send_activation"))
    response = client.get(LIST_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "julien.martin@example.org" in page and "1042-1" in page
    assert imported.activation_sent_at.astimezone().strftime("%d/%m/%Y") in page
    assert "deja.actif@example.org" not in page
    assert "julien.martin@example.org" not in client.get(LIST_URL, {"q": "durand"}).content.decode()


def test_resend_corrects_the_address_and_sends_one_email(client, otp_login, imported, django_capture_on_commit_callbacks):
    agent = staff_user("relations@ville-villennes-sur-seine.fr", "send_activation")
    otp_login(client, agent)
    old_link = link_in(mail.outbox[0])
    mail.outbox.clear()
    page = client.get(resend_url(imported))
    assert page.status_code == 200 and 'value="julien.martin@example.org"' in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend_url(imported), {"email": " Julien.Martin@Exemple.fr "})

    assert response.status_code == 302 and response.url == LIST_URL
    imported.refresh_from_db()
    assert imported.email == "julien.martin@exemple.fr"
    corrected = imported.account_events.get(kind=AccountEventKind.EMAIL_CORRECTED)
    assert corrected.actor == agent
    assert corrected.comment == "julien.martin@example.org → julien.martin@exemple.fr"
    assert imported.account_events.filter(kind=AccountEventKind.ACTIVATION_SENT, actor=agent).count() == 1
    (message,) = mail.outbox
    assert message.to == ["julien.martin@exemple.fr"]

    # The new link works, the old one no longer does.
    client.logout()
    assert "n'est plus valide" in client.get(old_link).content.decode()
    assert "Votre espace est activé" in choose_password(client, link_in(message)).content.decode()


def test_resend_renews_an_expired_link_without_changing_the_address(client, otp_login, imported, django_capture_on_commit_callbacks):
    otp_login(client, staff_user("relations@ville-villennes-sur-seine.fr", "send_activation"))
    mail.outbox.clear()
    later = datetime.datetime.now() + datetime.timedelta(days=30)
    with mock.patch.object(activation_token_generator, "_now", return_value=later):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(resend_url(imported), {"email": "julien.martin@example.org"})
        (message,) = mail.outbox
        assert message.to == ["julien.martin@example.org"]
        assert not imported.account_events.filter(kind=AccountEventKind.EMAIL_CORRECTED).exists()
        client.logout()
        assert "Activer mon espace citoyen" in client.get(link_in(message)).content.decode()


def test_resend_refuses_an_address_used_by_another_account(client, otp_login, imported):
    User.objects.create_user("claire.martin@example.org", password=None)
    otp_login(client, staff_user("relations@ville-villennes-sur-seine.fr", "send_activation"))
    mail.outbox.clear()
    response = client.post(resend_url(imported), {"email": "CLAIRE.martin@example.org"})
    assert response.status_code == 200
    assert "Cette adresse e-mail est déjà utilisée par un autre compte." in response.content.decode()
    response = client.post(resend_url(imported), {"email": "pas-une-adresse"})
    assert "Saisissez une adresse e-mail valide" in response.content.decode()
    imported.refresh_from_db()
    assert imported.email == "julien.martin@example.org" and mail.outbox == []


def test_resend_is_only_for_accounts_to_activate(client, otp_login, db):
    active = User.objects.create_user("actif@example.org", password=None)
    otp_login(client, staff_user("relations@ville-villennes-sur-seine.fr", "send_activation"))
    assert client.get(resend_url(active)).status_code == 404


def test_menu_items_follow_the_permissions(client, otp_login, db):
    otp_login(client, staff_user("relations@ville-villennes-sur-seine.fr", "send_activation"))
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Comptes à activer" in page or "Comptes \\u00e0 activer" in page
    assert "Importer le Portail Famille" not in page
