"""Rate limits of the pages that e-mail an address typed by the visitor
(espace_citoyen.core.throttle, ESPACE_CITOYEN_RATE_LIMITS): sign-up and password reset per
IP address and per target address (the same "sent" page, nothing sent), change of login
address and co-parent invitations per account (a French error, nothing sent)."""

import logging
import types
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache

from tests import factories
from espace_citoyen.accounts.models import AccountStatus, Profile
from espace_citoyen.family.models import Invitation
from site_cms.settings import base

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "Tilleuls-du-parc-2026"
SIGNUP_URL = "/espace-citoyen/creer-mon-espace/"
SIGNUP_SENT_URL = "/espace-citoyen/creer-mon-espace/verifiez-votre-boite-mail/"
RESET_URL = "/espace-citoyen/mot-de-passe-oublie/"
RESET_DONE_URL = "/espace-citoyen/mot-de-passe-oublie/courriel-envoye/"
CONTACT_URL = "/espace-citoyen/coordonnees/"
INVITE_URL = "/espace-citoyen/famille/inviter/"
EMAIL_CHANGE_ERROR = "Trop de demandes de changement d'adresse aujourd'hui : réessayez demain."
INVITATION_ERROR = "Vous avez envoyé trop d'invitations aujourd'hui : réessayez demain."
IDENTITY = {
    "identite-civility": "mme", "identite-last_name": "Lenoir", "identite-birth_name": "",
    "identite-first_name": "Agathe", "identite-birth_date": "02/05/1990", "identite-birth_country": "France",
    "identite-birth_department": "78", "identite-birth_city": "Poissy",
}
CONTACT = {
    "coordonnees-street_number": "3", "coordonnees-street": "rue du Pont", "coordonnees-address_complement": "",
    "coordonnees-postcode": "78670", "coordonnees-city": "Villennes-sur-Seine",
    "coordonnees-phone_home": "", "coordonnees-phone_mobile": "06 11 22 33 44",
    "coordonnees-phone_work": "", "coordonnees-fax": "", "coordonnees-preferred_contact": "email",
}
PASSWORD_STEP = {
    "mot-de-passe-password1": PASSWORD, "mot-de-passe-password2": PASSWORD, "mot-de-passe-privacy_notice": "on",
}


@pytest.fixture(autouse=True)
def rate_limits(settings, monkeypatch):
    """The real limits of base.py (test.py raises them for the other modules), an empty
    cache, and django-ratelimit's clock frozen so that no window ends during a test."""
    settings.ESPACE_CITOYEN_RATE_LIMITS = dict(base.ESPACE_CITOYEN_RATE_LIMITS)
    monkeypatch.setattr("django_ratelimit.core.time", types.SimpleNamespace(time=lambda: 1_800_000_000.0))
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Runs the after-commit callbacks (the e-mails) of what happens inside, as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def signup(client, commit, email, ip="203.0.113.7"):
    """The three steps of the wizard from `ip`; returns the last response."""
    def post(step, data):
        response = client.post(SIGNUP_URL, {"signup_wizard_view-current_step": step, **data}, REMOTE_ADDR=ip)
        assert response.status_code in (200, 302)
        return response

    client.get(SIGNUP_URL, REMOTE_ADDR=ip)
    post("identite", IDENTITY)
    post("coordonnees", {**CONTACT, "coordonnees-email": email})
    with commit():
        return post("mot-de-passe", PASSWORD_STEP)


def page(client, url) -> str:
    return unescape(client.get(url).content.decode())


def make_citizen(email, status=AccountStatus.ACTIVE):
    return factories.make_citizen(email, first_name="Jules", last_name="Garnier", status=status, household=False,
                                  profile={"street_number": "5", "street": "rue de Poissy", "postcode": "78670",
                                           "city": "Villennes-sur-Seine"})


# --- Sign-up ---------------------------------------------------------------------------


def test_first_signup_sends_its_link(client, commit):
    response = signup(client, commit, "agathe.lenoir@example.fr")
    assert response.status_code == 302 and response.url == SIGNUP_SENT_URL
    assert [message.to for message in mail.outbox] == [["agathe.lenoir@example.fr"]]
    assert User.objects.filter(email="agathe.lenoir@example.fr").exists()


OVER_LIMIT = "Trop de demandes de création d'espace depuis cette connexion ou pour cette adresse"


def test_eleventh_signup_from_one_ip_is_refused_and_keeps_the_answers(client, commit, caplog):
    for number in range(10):
        assert signup(client, commit, f"rl-ip-{number}@example.fr").url == SIGNUP_SENT_URL
    assert len(mail.outbox) == 10
    with caplog.at_level(logging.WARNING):
        response = signup(client, commit, "rl-ip-10@example.fr")
    # Said plainly (a kiosk or a school share one address), with the answers kept: nothing lost.
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert OVER_LIMIT in html and "rl-ip-10@example.fr" in html
    assert len(mail.outbox) == 10
    assert not User.objects.filter(email="rl-ip-10@example.fr").exists()
    assert "rate limit signup_ip exceeded" in caplog.text
    # Another address is not held back by that one.
    signup(client, commit, "rl-ip-10@example.fr", ip="198.51.100.20")
    assert mail.outbox[-1].to == ["rl-ip-10@example.fr"] and len(mail.outbox) == 11


def test_fourth_signup_for_one_address_sends_nothing(client, commit):
    for number in range(3):
        response = signup(client, commit, "agathe.lenoir@example.fr", ip=f"198.51.100.{number + 1}")
        assert response.url == SIGNUP_SENT_URL
    assert len(mail.outbox) == 3
    sent_page = page(client, SIGNUP_SENT_URL)
    # Same address once normalised, from a fourth IP address.
    response = signup(client, commit, " Agathe.LENOIR@Example.fr", ip="198.51.100.4")
    assert response.status_code == 200 and OVER_LIMIT in unescape(response.content.decode())
    assert len(mail.outbox) == 3
    assert sent_page


def test_existing_address_warning_is_limited_too(client, commit):
    make_citizen("jules.garnier@example.fr")
    for number in range(4):
        signup(client, commit, "jules.garnier@example.fr", ip=f"198.51.100.{number + 1}")
    assert len(mail.outbox) == 3 and all(message.to == ["jules.garnier@example.fr"] for message in mail.outbox)


# --- Password reset --------------------------------------------------------------------


def reset(client, email, ip="203.0.113.7", **extra):
    return client.post(RESET_URL, {"email": email}, REMOTE_ADDR=ip, **extra)


def test_first_reset_sends_its_link(client):
    make_citizen("jules.garnier@example.fr")
    response = reset(client, "jules.garnier@example.fr")
    assert response.status_code == 302 and response.url == RESET_DONE_URL
    assert [message.to for message in mail.outbox] == [["jules.garnier@example.fr"]]


def test_eleventh_reset_from_one_ip_shows_the_same_page_but_sends_nothing(client, caplog):
    make_citizen("jules.garnier@example.fr")
    for number in range(10):
        assert reset(client, f"inconnu-{number}@example.fr").url == RESET_DONE_URL
    with caplog.at_level(logging.WARNING):
        response = reset(client, "jules.garnier@example.fr")
    assert response.status_code == 302 and response.url == RESET_DONE_URL
    assert mail.outbox == []
    assert "rate limit password_reset_ip exceeded" in caplog.text
    assert reset(client, "jules.garnier@example.fr", ip="198.51.100.20").url == RESET_DONE_URL
    assert len(mail.outbox) == 1


def test_fourth_reset_for_one_address_sends_nothing(client):
    make_citizen("jules.garnier@example.fr")
    for number in range(3):
        assert reset(client, "jules.garnier@example.fr", ip=f"198.51.100.{number + 1}").url == RESET_DONE_URL
    assert len(mail.outbox) == 3
    response = reset(client, "Jules.Garnier@EXAMPLE.fr", ip="198.51.100.4")
    assert response.status_code == 302 and response.url == RESET_DONE_URL
    assert len(mail.outbox) == 3


def test_ip_address_is_read_through_the_trusted_proxy(client, settings):
    """Behind one proxy, the client's address is the last one of X-Forwarded-For: changing
    the part the client writes itself does not escape the limit."""
    settings.TRUSTED_PROXY_COUNT = 1
    make_citizen("jules.garnier@example.fr")
    for number in range(10):
        reset(client, f"inconnu-{number}@example.fr", ip="10.0.0.1",
              HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 203.0.113.50")
    reset(client, "jules.garnier@example.fr", ip="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.50")
    assert mail.outbox == []
    # Another client behind the same proxy is not affected.
    reset(client, "jules.garnier@example.fr", ip="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.51")
    assert len(mail.outbox) == 1


# --- Change of login address -----------------------------------------------------------


def contact_form(email, **overrides):
    return {
        "street_number": "5", "street": "rue de Poissy", "address_complement": "", "postcode": "78670",
        "city": "Villennes-sur-Seine", "phone_home": "", "phone_mobile": "", "phone_work": "", "fax": "",
        "email": email, "preferred_contact": "email", **overrides,
    }


@pytest.mark.parametrize("status", [AccountStatus.ACTIVE, AccountStatus.PENDING])
def test_sixth_email_change_of_the_day_is_refused_in_french(client, commit, status):
    user = make_citizen("jules.garnier@example.fr", status=status)
    client.force_login(user)
    with commit():
        response = client.post(CONTACT_URL, contact_form("jules.nouveau-0@example.fr"), follow=True)
    assert "Nous avons envoyé un lien de confirmation à jules.nouveau-0@example.fr" in unescape(
        response.content.decode())
    assert [message.to for message in mail.outbox] == [["jules.nouveau-0@example.fr"]]
    for number in range(1, 5):
        with commit():
            client.post(CONTACT_URL, contact_form(f"jules.nouveau-{number}@example.fr"))
    assert len(mail.outbox) == 5
    with commit():
        response = client.post(CONTACT_URL, contact_form("jules.nouveau-5@example.fr", city="Poissy"))
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert EMAIL_CHANGE_ERROR in html
    assert 'value="jules.nouveau-5@example.fr"' in html
    assert len(mail.outbox) == 5
    assert Profile.objects.get(user=user).city == "Villennes-sur-Seine"  # nothing saved either
    # Other details can still be saved without changing the address.
    with commit():
        client.post(CONTACT_URL, contact_form("jules.garnier@example.fr", city="Poissy"))
    assert Profile.objects.get(user=user).city == "Poissy" and len(mail.outbox) == 5


# --- Co-parent invitations -------------------------------------------------------------


def test_eleventh_invitation_of_the_day_is_refused_in_french(client):
    user = make_citizen("jules.garnier@example.fr")
    client.force_login(user)
    response = client.post(INVITE_URL, {"email": "parent-0@example.fr"})
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["parent-0@example.fr"]]
    for number in range(1, 10):
        assert client.post(INVITE_URL, {"email": f"parent-{number}@example.fr"}).status_code == 302
    assert len(mail.outbox) == 10
    response = client.post(INVITE_URL, {"email": "parent-10@example.fr"})
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert INVITATION_ERROR in html
    assert 'value="parent-10@example.fr"' in html
    assert len(mail.outbox) == 10
    assert not Invitation.objects.filter(email="parent-10@example.fr").exists()


def test_invitation_limit_is_per_account(client):
    first, second = make_citizen("jules.garnier@example.fr"), make_citizen("lise.garnier@example.fr")
    client.force_login(first)
    for number in range(11):
        client.post(INVITE_URL, {"email": f"parent-{number}@example.fr"})
    client.force_login(second)
    assert client.post(INVITE_URL, {"email": "parent-0@example.fr"}).status_code == 302
    assert len(mail.outbox) == 11


def test_look_alike_spellings_of_an_address_share_one_counter():
    """PostgreSQL finds "ſask@…" (long s) for the account "sask@…": the counter must too."""
    from espace_citoyen.core.throttle import address_key

    assert address_key("ſask@example.fr") == address_key(" SASK@Example.fr") == "sask@example.fr"
    assert address_key("ﬁlou@example.fr") == "filou@example.fr"  # the "ﬁ" ligature
