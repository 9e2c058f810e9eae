import logging
import re
import time
from datetime import timedelta
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.models import Session
from django.test import RequestFactory, override_settings
from django.utils import timezone

from espace_citoyen.accounts.middleware import LOGIN_TIME_SESSION_KEY, RENEWED_SESSION_KEY
from espace_citoyen.accounts.throttling import client_ip_address

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN_URL = "/espace-citoyen/connexion/"
INVALID = "Adresse e-mail ou mot de passe incorrect."
LOCKED = "Trop de tentatives de connexion. Réessayez dans 15 minutes."


def login(client, email, password, ip="127.0.0.1", **extra):
    return client.post(LOGIN_URL, {"username": email, "password": password, **extra}, REMOTE_ADDR=ip)


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


# Page and login


def test_login_page_is_french_and_accessible(client):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "Connexion à l'espace citoyen" in html
    assert '<label class="form-field__label" for="id_username">Identifiant (adresse e-mail)</label>' in html
    assert '<label class="form-field__label" for="id_password">Mot de passe</label>' in html
    assert 'autocomplete="username"' in html and 'autocomplete="current-password"' in html
    assert 'aria-describedby="id_username_helptext"' in html
    assert '<a href="/espace-citoyen/mot-de-passe-oublie/">J\'ai oublié mon mot de passe</a>' in html
    assert "Je n'ai pas d'espace" in html
    assert 'href="/espace-citoyen-mode-d-emploi/creer-mon-espace/"' in html
    assert 'href="/espace-citoyen/creer-mon-espace/"' in html  # the creation wizard


def test_login_leads_to_the_dashboard(client, citizen):
    response = login(client, "Camille.Martin@Example.fr ", PASSWORD)
    assert response.status_code == 302
    assert response.url == "/espace-citoyen/"
    assert int(client.session[SESSION_KEY]) == citizen.pk
    assert "Bonjour Camille" in client.get(response.url).content.decode()


def test_logged_in_user_visiting_login_goes_to_dashboard(client, citizen):
    client.force_login(citizen)
    response = client.get(LOGIN_URL)
    assert response.status_code == 302 and response.url == "/espace-citoyen/"


def test_next_is_followed_when_it_stays_on_the_site(client, citizen):
    response = login(client, citizen.email, PASSWORD, next="/espace-citoyen/mot-de-passe/")
    assert response.status_code == 302
    assert response.url == "/espace-citoyen/mot-de-passe/"


@pytest.mark.parametrize("target", ["https://pirate.example/", "//pirate.example/espace-citoyen/", "javascript:alert(1)"])
def test_external_next_is_refused(client, citizen, target):
    response = login(client, citizen.email, PASSWORD, next=target)
    assert response.status_code == 302
    assert response.url == "/espace-citoyen/"


def test_next_is_kept_in_the_form(client):
    html = client.get(LOGIN_URL + "?next=/espace-citoyen/mot-de-passe/").content.decode()
    assert '<input type="hidden" name="next" value="/espace-citoyen/mot-de-passe/">' in html
    html = client.get(LOGIN_URL + "?next=https://pirate.example/").content.decode()
    assert "pirate.example" not in html


def test_wrong_password_and_unknown_email_give_the_same_page(client, citizen):
    wrong_password = login(client, citizen.email, "pas-le-bon-mot-de-passe")
    unknown_email = login(client, "inconnu@example.fr", "pas-le-bon-mot-de-passe")
    assert wrong_password.status_code == unknown_email.status_code == 200
    for response in (wrong_password, unknown_email):
        html = response.content.decode()
        assert INVALID in html
        assert "<title>Erreur – Connexion à l'espace citoyen" in html
        assert SESSION_KEY not in client.session
    # Apart from the CSRF token and the address typed back in the field, identical pages.
    first = without_csrf(wrong_password.content.decode()).replace(citizen.email, "ADRESSE")
    second = without_csrf(unknown_email.content.decode()).replace("inconnu@example.fr", "ADRESSE")
    assert first == second


def test_inactive_account_gets_the_same_generic_message(client, citizen):
    citizen.is_active = False
    citizen.save()
    response = login(client, citizen.email, PASSWORD)
    assert response.status_code == 200
    html = response.content.decode()
    assert INVALID in html
    assert "inactif" not in html.lower() and "désactivé" not in html
    assert SESSION_KEY not in client.session


def test_empty_form_errors_are_tied_to_the_fields(client):
    html = client.post(LOGIN_URL, {"username": "", "password": ""}).content.decode()
    assert 'id="resume-erreurs"' in html and 'role="alert"' in html
    assert '<a href="#id_username">Identifiant (adresse e-mail) : Champ requis.</a>' in html
    assert '<a href="#id_password">Mot de passe : Champ requis.</a>' in html
    assert '<ul class="form-field__errors" id="id_username_error">' in html
    assert 'aria-invalid="true" aria-describedby="id_username_helptext id_username_error" id="id_username"' in html
    assert 'aria-invalid="true" aria-describedby="id_password_error" id="id_password"' in html
    assert "<strong>Erreur :</strong> Champ requis." in html


# Logout


def test_logout_is_post_only_and_flushes_the_session(client, citizen):
    login(client, citizen.email, PASSWORD)
    session_key = client.session.session_key
    assert Session.objects.filter(session_key=session_key).exists()

    response = client.get("/espace-citoyen/deconnexion/")
    assert response.status_code == 200  # a confirmation page, no logout
    assert "Voulez-vous vous déconnecter" in response.content.decode()
    assert int(client.session[SESSION_KEY]) == citizen.pk

    response = client.post("/espace-citoyen/deconnexion/")
    assert response.status_code == 302 and response.url == "/espace-citoyen/connexion/"
    assert not Session.objects.filter(session_key=session_key).exists()
    assert SESSION_KEY not in client.session
    assert "Vous êtes déconnecté de votre espace citoyen." in client.get(response.url).content.decode()
    assert client.get("/espace-citoyen/").status_code == 302


def test_anonymous_get_of_logout_goes_to_login(client):
    response = client.get("/espace-citoyen/deconnexion/")
    assert response.status_code == 302 and response.url == "/espace-citoyen/connexion/"


# Throttling (django-axes)


def test_five_failures_lock_the_account_from_that_address(client, citizen):
    for _ in range(4):
        response = login(client, citizen.email, "mauvais-mot-de-passe", ip="203.0.113.5")
        assert response.status_code == 200
        assert INVALID in response.content.decode()
    response = login(client, citizen.email, "mauvais-mot-de-passe", ip="203.0.113.5")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()

    # Even the right password is refused while the lock lasts.
    response = login(client, citizen.email, PASSWORD, ip="203.0.113.5")
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED in html and html.count("<h1") == 1
    assert response["Retry-After"] == "900"
    assert SESSION_KEY not in client.session
    # The e-mail is counted however it is typed.
    assert login(client, citizen.email.upper(), PASSWORD, ip="203.0.113.5").status_code == 429


def test_lock_does_not_apply_from_another_address(client, citizen):
    for _ in range(5):
        login(client, citizen.email, "mauvais-mot-de-passe", ip="203.0.113.5")
    assert login(client, citizen.email, PASSWORD, ip="203.0.113.5").status_code == 429

    response = login(client, citizen.email, PASSWORD, ip="198.51.100.7")
    assert response.status_code == 302 and response.url == "/espace-citoyen/"


def test_lock_ends_by_itself_after_fifteen_minutes(client, citizen):
    for _ in range(5):
        login(client, citizen.email, "mauvais-mot-de-passe", ip="203.0.113.5")
    assert login(client, citizen.email, PASSWORD, ip="203.0.113.5").status_code == 429

    # Axes reads the time through axes.handlers.proxy.now.
    with mock.patch("axes.handlers.proxy.now", return_value=timezone.now() + timedelta(minutes=14)):
        assert login(client, citizen.email, PASSWORD, ip="203.0.113.5").status_code == 429
    with mock.patch("axes.handlers.proxy.now", return_value=timezone.now() + timedelta(minutes=30)):
        response = login(client, citizen.email, PASSWORD, ip="203.0.113.5")
    assert response.status_code == 302 and response.url == "/espace-citoyen/"


def test_success_resets_the_failure_count(client, citizen):
    for _ in range(4):
        login(client, citizen.email, "mauvais-mot-de-passe")
    assert login(client, citizen.email, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username=citizen.email).exists()
    client.logout()
    for _ in range(4):
        assert login(client, citizen.email, "mauvais-mot-de-passe").status_code == 200
    assert login(client, citizen.email, PASSWORD).status_code == 302


def test_logging_into_ones_own_account_does_not_reset_the_address_count(client, citizen):
    """An attacker with an account of their own cannot wipe their failures by logging in."""
    get_user_model().objects.create_user("attaquant@example.fr", PASSWORD)
    for _ in range(4):
        login(client, citizen.email, "mauvais-mot-de-passe", ip="203.0.113.5")
    assert login(client, "attaquant@example.fr", PASSWORD, ip="203.0.113.5").status_code == 302
    client.logout()
    assert AccessAttempt.objects.filter(username=citizen.email, ip_address="203.0.113.5").get().failures_since_start == 4
    response = login(client, citizen.email, "mauvais-mot-de-passe", ip="203.0.113.5")
    assert response.status_code == 429


def test_twenty_failures_from_one_address_lock_that_address(client, citizen):
    for number in range(19):
        response = login(client, f"essai{number}@example.fr", "mauvais-mot-de-passe", ip="203.0.113.9")
        assert response.status_code == 200, number
    response = login(client, "essai19@example.fr", "mauvais-mot-de-passe", ip="203.0.113.9")
    assert response.status_code == 429
    # The whole address is locked, even for an account it never tried.
    response = login(client, citizen.email, PASSWORD, ip="203.0.113.9")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    # Another address is not.
    response = login(client, citizen.email, PASSWORD, ip="198.51.100.7")
    assert response.status_code == 302


def test_failures_from_many_addresses_never_lock_the_account_elsewhere(client, citizen):
    """No lock per account alone: an attacker cannot lock the owner out."""
    for number in range(12):
        login(client, citizen.email, "mauvais-mot-de-passe", ip=f"203.0.113.{number + 10}")
    response = login(client, citizen.email, PASSWORD, ip="198.51.100.7")
    assert response.status_code == 302


def test_every_attempt_is_logged_without_the_password(client, citizen, caplog):
    caplog.set_level(logging.INFO)
    login(client, citizen.email, "Secret-Faux-Mot-De-Passe-1", ip="203.0.113.5")
    login(client, citizen.email, PASSWORD, ip="203.0.113.5")
    records = [r for r in caplog.records if r.name == "espace_citoyen.accounts"]
    messages = [r.getMessage() for r in records]
    assert f"login failed email={citizen.email} ip=203.0.113.5" in messages
    assert f"login succeeded email={citizen.email} ip=203.0.113.5" in messages
    assert "Secret-Faux-Mot-De-Passe-1" not in caplog.text
    assert PASSWORD not in caplog.text


def test_lockout_is_logged(client, citizen, caplog):
    caplog.set_level(logging.INFO)
    for _ in range(5):
        login(client, citizen.email, "mauvais-mot-de-passe", ip="203.0.113.5")
    messages = [r.getMessage() for r in caplog.records if r.name == "espace_citoyen.accounts"]
    assert f"login locked out email={citizen.email} ip=203.0.113.5" in messages


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_client_address_behind_one_proxy_is_the_one_the_proxy_saw():
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    # The left-most value is whatever the client sent; the proxy appended the real one.
    assert client_ip_address(request) == "198.51.100.7"
    assert client_ip_address(RequestFactory().post("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_odd_forwarded_or_missing_address_falls_back_instead_of_failing():
    """A proxy sending "host:port" or garbage, or no address at all, must not break the
    rate-limited pages (the address is a counter key, never trusted for more)."""
    assert client_ip_address(RequestFactory().post("/", REMOTE_ADDR="10.0.0.2",
                                                   HTTP_X_FORWARDED_FOR="198.51.100.7:4711")) == "10.0.0.2"
    assert client_ip_address(RequestFactory().post("/", REMOTE_ADDR="", HTTP_X_FORWARDED_FOR="n'importe quoi")) \
        == "0.0.0.0"
    assert client_ip_address(RequestFactory().post("/", REMOTE_ADDR="2001:db8::1")) == "2001:db8::1"


def test_client_address_without_proxy_ignores_forwarded_header():
    request = RequestFactory().post("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip_address(request) == "198.51.100.7"


# Wagtail admin keeps its own login


def test_admin_still_redirects_to_its_own_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/?next=/admin/")


def test_admin_login_still_works(client, superuser):
    response = client.post("/admin/login/", {"username": superuser.email, "password": "Admin-Villennes-2026"})
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == superuser.pk
    # The password alone does not open the admin: the second factor comes first
    # (tests/espace_citoyen/accounts/test_two_factor.py).
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/double-authentification/")


# Sessions


def test_session_settings():
    from django.conf import settings

    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_RENEW_INTERVAL == 60
    assert settings.SESSION_ABSOLUTE_AGE == 12 * 60 * 60


def _renewed_seconds_ago(client, seconds):
    session = client.session
    session[RENEWED_SESSION_KEY] = int(time.time()) - seconds
    session.save()


def test_idle_session_is_renewed_at_most_once_a_minute(client, citizen):
    response = login(client, citizen.email, PASSWORD)
    assert response.cookies["sessionid"]["max-age"] == 1800  # the login saves it
    stamp = client.session[RENEWED_SESSION_KEY]
    assert abs(stamp - time.time()) < 5

    # Within the minute: the session is neither written again nor its cookie resent.
    with mock.patch.object(client.session.__class__, "save", autospec=True) as save:
        response = client.get("/espace-citoyen/")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    save.assert_not_called()

    # A minute later, the next request gives the session and its cookie 30 more minutes.
    _renewed_seconds_ago(client, 61)
    expiry_before = Session.objects.get(session_key=client.session.session_key).expire_date
    response = client.get("/espace-citoyen/")
    assert response.status_code == 200
    assert response.cookies["sessionid"]["max-age"] == 1800
    assert abs(client.session[RENEWED_SESSION_KEY] - time.time()) < 5
    assert Session.objects.get(session_key=client.session.session_key).expire_date > expiry_before


def test_a_session_from_the_future_is_renewed(client, citizen):
    login(client, citizen.email, PASSWORD)
    _renewed_seconds_ago(client, -3600)  # a clock set back: never a session that cannot be renewed
    assert client.get("/espace-citoyen/").cookies["sessionid"]["max-age"] == 1800


def test_an_expired_session_cookie_creates_no_session(client, citizen):
    login(client, citizen.email, PASSWORD)
    Session.objects.all().delete()  # 30 minutes without a request
    count = Session.objects.count()
    response = client.get("/espace-citoyen/")
    assert response.status_code == 302
    assert response.url == "/espace-citoyen/connexion/?next=/espace-citoyen/"
    assert Session.objects.count() == count
    assert client.get("/").status_code == 200
    assert Session.objects.count() == count


@pytest.mark.parametrize("path", ["/", "/sitemap.xml"])  # the site map reads neither the session nor the user
def test_a_cookie_naming_no_session_creates_none(client, home, path):
    client.cookies["sessionid"] = "x" * 32  # expired long ago, or made up
    response = client.get(path)
    assert response.status_code == 200
    assert response.cookies["sessionid"].value == ""  # deleted, not renewed
    assert Session.objects.count() == 0


def _set_login_time(client, hours_ago):
    session = client.session
    session[LOGIN_TIME_SESSION_KEY] = (timezone.now() - timedelta(hours=hours_ago)).timestamp()
    session.save()


def test_session_ends_twelve_hours_after_login_even_if_active(client, citizen):
    login(client, citizen.email, PASSWORD)
    assert isinstance(client.session[LOGIN_TIME_SESSION_KEY], float)
    _set_login_time(client, 11.5)
    assert client.get("/espace-citoyen/").status_code == 200

    _set_login_time(client, 12.1)
    response = client.get("/espace-citoyen/")
    assert response.status_code == 302
    assert response.url == "/espace-citoyen/connexion/?next=/espace-citoyen/"
    assert SESSION_KEY not in client.session


def test_session_without_login_time_is_ended(client, citizen):
    client.force_login(citizen)
    session = client.session
    del session[LOGIN_TIME_SESSION_KEY]
    session.save()
    assert client.get("/espace-citoyen/").status_code == 302
