import re
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from espace_citoyen.accounts import services
from espace_citoyen.accounts.models import AccountEvent, AccountEventKind
from espace_citoyen.accounts.validators import TownNamePasswordValidator

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

RESET_URL = "/espace-citoyen/mot-de-passe-oublie/"
CHANGE_URL = "/espace-citoyen/mot-de-passe/"
NEW_PASSWORD = "Une-nouvelle-phrase-de-passe-7"
SENT_TEXT = "Si un espace existe pour cette adresse, vous allez recevoir un courriel"
TOWN_NAME_ERROR = "Votre mot de passe ne doit pas contenir le nom de la commune (« Villennes »)."


def reset_link_from(message) -> str:
    match = re.search(r"https?://[^/\s]+(/espace-citoyen/mot-de-passe-oublie/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def request_reset(client, email):
    return client.post(RESET_URL, {"email": email})


# Validator


@pytest.mark.parametrize("password", ["Villennes-2026-mairie", "monVILLENNESamoi!", "Villénnes-sur-Seine-78", "xx-VİLLENNES-xx"])
def test_town_name_validator_refuses_the_town_name(password):
    with pytest.raises(ValidationError) as error:
        TownNamePasswordValidator().validate(password)
    assert error.value.messages == [TOWN_NAME_ERROR]


def test_town_name_validator_accepts_other_passwords():
    assert TownNamePasswordValidator().validate("Une-phrase-sans-la-ville-42") is None
    assert "nom de la commune" in TownNamePasswordValidator().get_help_text()


# Password reset


def test_reset_page_is_french_and_accessible(client):
    response = client.get(RESET_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1 and "Mot de passe oublié" in html
    assert '<label class="form-field__label" for="id_email">Adresse e-mail de votre espace</label>' in html
    assert 'autocomplete="email"' in html


def test_login_page_links_to_reset(client):
    assert f'href="{RESET_URL}"' in client.get("/espace-citoyen/connexion/").content.decode()


def test_reset_sends_a_french_email_with_a_link_for_an_existing_account(client, citizen):
    response = request_reset(client, "Camille.Martin@example.fr")
    assert response.status_code == 302
    assert response.url == "/espace-citoyen/mot-de-passe-oublie/courriel-envoye/"
    assert SENT_TEXT in client.get(response.url).content.decode()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [citizen.email]
    assert message.subject == "Villennes-sur-Seine – choisir un nouveau mot de passe pour votre espace citoyen"
    assert "Bonjour Camille," in message.body
    assert "Ce lien ne sert qu'une fois et reste valable 24 heures." in message.body
    assert "&#x27;" not in message.body  # plain text, not HTML-escaped
    reset_link_from(message)


def test_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, citizen):
    known = request_reset(client, citizen.email)
    unknown = request_reset(client, "personne@example.fr")
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [citizen.email]
    assert client.get(known.url).content == client.get(unknown.url).content


def test_reset_sends_nothing_for_an_inactive_account(client, citizen):
    citizen.is_active = False
    citizen.save()
    response = request_reset(client, citizen.email)
    assert response.status_code == 302
    assert mail.outbox == []


def test_reset_link_sets_the_password_once_without_logging_in(client, citizen):
    request_reset(client, citizen.email)
    link = reset_link_from(mail.outbox[0])

    response = client.get(link)
    assert response.status_code == 302  # the token leaves the URL (no leak through Referer)
    form_url = response.url
    assert form_url.endswith("/nouveau-mot-de-passe/")
    html = client.get(form_url).content.decode()
    assert "Choisir un nouveau mot de passe" in html
    assert html.count('autocomplete="new-password"') == 2

    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.url == "/espace-citoyen/mot-de-passe-oublie/termine/"
    html = client.get(response.url).content.decode()
    assert "Votre nouveau mot de passe est enregistré" in html
    assert 'href="/espace-citoyen/connexion/"' in html
    assert SESSION_KEY not in client.session  # no automatic login

    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
    assert AccountEvent.objects.filter(user=citizen, kind=AccountEventKind.PASSWORD_RESET).count() == 1

    # Second use of the same link: refused, with a way to ask for a new one.
    response = Client().get(link)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ce lien n'est plus valide" in html
    assert f'href="{RESET_URL}"' in html

    # The new password works.
    response = Client().post("/espace-citoyen/connexion/", {"username": citizen.email, "password": NEW_PASSWORD})
    assert response.status_code == 302


def test_reset_link_expires_after_one_day(client, citizen):
    request_reset(client, citizen.email)
    link = reset_link_from(mail.outbox[0])
    with mock.patch.object(PasswordResetTokenGenerator, "_now", return_value=datetime.now() + timedelta(hours=23)):
        assert Client().get(link).status_code == 302  # still valid
    with mock.patch.object(PasswordResetTokenGenerator, "_now", return_value=datetime.now() + timedelta(hours=25)):
        response = Client().get(link)
    assert response.status_code == 200
    assert "Ce lien n'est plus valide" in response.content.decode()


def test_broken_reset_link_is_refused(client):
    response = client.get("/espace-citoyen/mot-de-passe-oublie/MTIzNDU2/abc-123/")
    assert response.status_code == 200
    assert "Ce lien n'est plus valide" in response.content.decode()


def test_reset_refuses_a_password_with_the_town_name(client, citizen):
    request_reset(client, citizen.email)
    form_url = client.get(reset_link_from(mail.outbox[0])).url
    response = client.post(form_url, {"new_password1": "Vive-Villénnes-sur-Seine", "new_password2": "Vive-Villénnes-sur-Seine"})
    assert response.status_code == 200
    html = response.content.decode()
    assert TOWN_NAME_ERROR in html
    assert 'id="resume-erreurs"' in html
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)


def test_reset_refuses_two_different_passwords(client, citizen):
    request_reset(client, citizen.email)
    form_url = client.get(reset_link_from(mail.outbox[0])).url
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"})
    assert response.status_code == 200
    assert "Les deux mots de passe saisis ne sont pas identiques." in response.content.decode()


# Password change


def test_password_change_requires_login(client):
    response = client.get(CHANGE_URL)
    assert response.status_code == 302
    assert response.url == f"/espace-citoyen/connexion/?next={CHANGE_URL}"


def test_password_change_page(client, citizen):
    client.force_login(citizen)
    html = client.get(CHANGE_URL).content.decode()
    assert html.count("<h1") == 1 and "Modifier mon mot de passe" in html
    assert '<label class="form-field__label" for="id_old_password">Mot de passe actuel</label>' in html
    assert 'autocomplete="current-password"' in html
    assert html.count('autocomplete="new-password"') == 2
    assert "autofocus" not in html


def test_password_change_refuses_a_wrong_current_password(client, citizen):
    client.force_login(citizen)
    response = client.post(
        CHANGE_URL, {"old_password": "pas-le-bon", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 200
    assert "Le mot de passe actuel est incorrect." in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)
    assert mail.outbox == []
    assert not AccountEvent.objects.filter(user=citizen, kind=AccountEventKind.PASSWORD_CHANGED).exists()


def test_password_change_refuses_a_short_password_in_french(client, citizen):
    client.force_login(citizen)
    response = client.post(CHANGE_URL, {"old_password": PASSWORD, "new_password1": "Court-1", "new_password2": "Court-1"})
    assert response.status_code == 200
    assert "Ce mot de passe est trop court" in response.content.decode()


def test_password_change_keeps_the_session_and_sends_a_notice(client, citizen, django_capture_on_commit_callbacks):
    other_device = Client()
    other_device.force_login(citizen)
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGE_URL, {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )
    assert response.status_code == 302 and response.url == "/espace-citoyen/"

    # Still logged in here, with a success message…
    response = client.get("/espace-citoyen/")
    assert response.status_code == 200
    assert "Votre mot de passe a été modifié." in response.content.decode()
    # …but the session opened elsewhere with the old password is over.
    assert other_device.get("/espace-citoyen/").status_code == 302

    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
    assert AccountEvent.objects.filter(user=citizen, kind=AccountEventKind.PASSWORD_CHANGED).count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [citizen.email]
    assert message.subject == "Villennes-sur-Seine – le mot de passe de votre espace citoyen a été modifié"
    assert "Votre mot de passe a été modifié le" in message.body
    assert "Si ce n'est pas vous, appelez le 01 39 08 25 40" in message.body


def test_password_change_service_sends_the_notice_only_after_commit(citizen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.password_change(user=citizen, new_password=NEW_PASSWORD)
    assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
