"""Security round (issue 10), the accounts' items: each rule holds at every door.

1. An unconfirmed address logs in nowhere (admin login, citizen login, a session made
   otherwise); citizens stay out of Wagtail's login.
2. Wagtail's own password reset is off; the space's reset serves everyone, with its limits.
3. A sensitive change asks for the password (and the second factor) again, unless proved
   in the last minutes: login address, second factor on or off, new backup codes.
4. A password reset is told to the account's owner.
5. Common French passwords are refused, even followed by digits.
10. Agents of the Relations population review citizens' accounts only."""

import re
import time
from html import unescape

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from espace_citoyen.accounts import reauth, services
from espace_citoyen.accounts.models import AccountStatus, Profile
from espace_citoyen.demarches.models import Demarche
from espace_citoyen.documents.models import Document
from tests.factories import PASSWORD, make_citizen, make_pdf, make_staff

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/"
SPACE = "/espace-citoyen/"
SECURITY_URL = "/espace-citoyen/securite/"
SETUP_URL = "/espace-citoyen/securite/activer/"
CODES_URL = "/espace-citoyen/securite/codes-de-secours/"
DISABLE_URL = "/espace-citoyen/securite/desactiver/"
CONTACT_URL = "/espace-citoyen/coordonnees/"
RESET_URL = "/espace-citoyen/mot-de-passe-oublie/"
INVALID_LOGIN = "Adresse e-mail ou mot de passe incorrect."


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def unconfirmed(email="nouvelle.inscrite@example.fr"):
    """An account made with the wizard whose e-mail link was never opened."""
    return services.account_signup(
        email=email, password=PASSWORD, first_name="Nina", last_name="Nouvelle",
        profile={"street_number": "3", "street": "rue de Poissy", "postcode": "78670", "city": "Villennes-sur-Seine"},
        privacy_notice_accepted=True,
    )


def expire_reauthentication(client) -> None:
    session = client.session
    session[reauth.SESSION_KEY] = time.time() - 3600
    session.save()


def code_for(device, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enable_two_factor(user):
    device = services.two_factor_start(user=user)
    codes = services.two_factor_confirm(user=user, device=device, code=code_for(device))
    device.refresh_from_db()
    return device, codes


# --- 1. E-mail confirmation cannot be skipped ------------------------------------------


def test_unconfirmed_account_gets_no_session_through_the_admin_login(client):
    user = unconfirmed()
    assert user.status == AccountStatus.EMAIL_UNCONFIRMED
    response = client.post(ADMIN_LOGIN, {"username": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert INVALID_LOGIN in response.content.decode()
    assert SESSION_KEY not in client.session
    assert client.get(SPACE).status_code == 302  # to the login page


def test_unconfirmed_account_cannot_use_the_vault_whatever_the_door(client):
    user = unconfirmed()
    client.post(ADMIN_LOGIN, {"username": user.email, "password": PASSWORD})
    client.post("/espace-citoyen/connexion/", {"username": user.email, "password": PASSWORD})
    response = client.post("/espace-citoyen/documents/ajouter/", {
        "doc_type": "other", "label": "Essai", "file": ContentFile(make_pdf(), name="essai.pdf"),
    })
    assert response.status_code == 302 and "/connexion/" in response.url
    assert not Document.objects.filter(owner=user).exists()
    assert not Demarche.objects.filter(user=user).exclude(kind="account_creation").exists()


def test_a_session_of_an_unconfirmed_account_is_not_honoured(client):
    """Sessions made another way (a future API, an old session) load the user through the
    same rule: no user, so the login page."""
    user = unconfirmed()
    client.force_login(user)
    assert client.get(SPACE).status_code == 302
    assert client.get("/espace-citoyen/documents/").status_code == 302


def test_the_citizen_login_still_tells_the_owner_to_confirm(client):
    user = unconfirmed()
    response = client.post("/espace-citoyen/connexion/", {"username": user.email, "password": PASSWORD})
    assert "Votre adresse e-mail n'est pas encore confirmée" in unescape(response.content.decode())
    wrong = client.post("/espace-citoyen/connexion/", {"username": user.email, "password": "Pas-le-bon-42-x"})
    assert "pas encore confirmée" not in wrong.content.decode()  # said only to whoever knows the password


def test_a_validated_citizen_is_refused_by_the_admin_login_like_a_wrong_password(client):
    citizen = make_citizen("camille.citoyenne@example.fr")
    response = client.post(ADMIN_LOGIN, {"username": citizen.email, "password": PASSWORD})
    assert response.status_code == 200
    assert INVALID_LOGIN in response.content.decode()
    assert SESSION_KEY not in client.session
    wrong = client.post(ADMIN_LOGIN, {"username": citizen.email, "password": "Pas-le-bon-42-x"})
    assert INVALID_LOGIN in wrong.content.decode()


def test_an_agent_still_logs_in_to_the_admin(client):
    agent = make_staff("agent.login@ville-villennes-sur-seine.fr")
    agent.set_password(PASSWORD)
    agent.save()
    response = client.post(ADMIN_LOGIN, {"username": agent.email, "password": PASSWORD})
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == agent.pk


def test_the_admin_login_is_in_french(client):
    html = client.get(ADMIN_LOGIN).content.decode()
    assert "Mot de passe" in html and ">Password<" not in html
    assert f'href="{RESET_URL}"' in html


# --- 2. One password reset channel -------------------------------------------------------


@pytest.mark.parametrize("path", ["/admin/password_reset/", "/admin/password_reset/done/"])
def test_wagtail_password_reset_is_off(client, path):
    assert client.get(path).status_code == 404
    assert client.post(path, {"email": "camille@example.fr"}).status_code == 404
    assert mail.outbox == []


def test_staff_reset_through_the_space_follows_its_limit(client, settings):
    settings.ESPACE_CITOYEN_RATE_LIMITS = {**settings.ESPACE_CITOYEN_RATE_LIMITS, "password_reset_email": "3/h"}
    agent = make_staff("agent.reset@ville-villennes-sur-seine.fr")
    agent.set_password(PASSWORD)
    agent.save()
    for _ in range(6):
        client.post(RESET_URL, {"email": agent.email})
    assert [message.to for message in mail.outbox] == [[agent.email]] * 3


# --- 3. Re-authentication before sensitive changes ----------------------------------------


def contact_form(**overrides):
    data = {"street_number": "12", "street": "rue de Poissy", "address_complement": "", "postcode": "78670",
            "city": "Villennes-sur-Seine", "phone_home": "", "phone_mobile": "06 12 34 56 78", "phone_work": "",
            "fax": "", "email": "camille.martin@example.fr", "preferred_contact": "email"}
    data.update(overrides)
    return data


def test_email_change_asks_for_the_password_and_keeps_what_was_typed(client, django_capture_on_commit_callbacks):
    citizen = make_citizen("camille.martin@example.fr", profile={})
    client.force_login(citizen)
    expire_reauthentication(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CONTACT_URL, contact_form(email="voleur@example.net", city="Poissy"))
    html = unescape(response.content.decode())
    assert "Pour changer d'adresse de connexion, confirmez votre identité" in html
    assert 'value="voleur@example.net"' in html and 'value="Poissy"' in html  # nothing lost
    assert mail.outbox == []
    assert Profile.objects.get(user=citizen).city == ""  # nothing saved either

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CONTACT_URL, contact_form(email="voleur@example.net", password="Mauvais-mot-42"))
    assert "Le mot de passe est incorrect." in response.content.decode()
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CONTACT_URL, contact_form(email="camille.neuve@example.fr", password=PASSWORD))
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["camille.neuve@example.fr"]]


def test_contact_details_alone_need_no_password(client):
    citizen = make_citizen("camille.martin@example.fr", profile={})
    client.force_login(citizen)
    expire_reauthentication(client)
    assert client.post(CONTACT_URL, contact_form(city="Poissy")).status_code == 302
    assert Profile.objects.get(user=citizen).city == "Poissy"


def test_email_change_of_an_account_with_two_factor_asks_the_code_too(client, otp_login, django_capture_on_commit_callbacks):
    citizen = make_citizen("camille.martin@example.fr", profile={})
    device, _codes = enable_two_factor(citizen)
    otp_login(client, citizen)
    expire_reauthentication(client)
    response = client.post(CONTACT_URL, contact_form(email="camille.neuve@example.fr", password=PASSWORD))
    assert "Saisissez le code de votre application." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CONTACT_URL, contact_form(email="camille.neuve@example.fr", password=PASSWORD,
                                                        code=code_for(device, 1)))
    assert response.status_code == 302 and len(mail.outbox) == 1


def test_enrolment_asks_for_the_password_before_any_secret(client):
    citizen = make_citizen("camille.martin@example.fr")
    client.force_login(citizen)
    expire_reauthentication(client)
    html = client.get(SECURITY_URL).content.decode()
    assert 'name="password"' in html and "Confirmez votre identité" in html
    response = client.post(SETUP_URL, {"start": "1"})
    assert response.status_code == 400 and "Saisissez votre mot de passe." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=citizen).exists()

    response = client.post(SETUP_URL, {"start": "1", "password": PASSWORD})
    assert response.status_code == 302 and response.url == SETUP_URL
    assert TOTPDevice.objects.filter(user=citizen, confirmed=False).count() == 1


def test_a_pending_enrolment_shows_its_secret_only_after_reauthentication(client):
    citizen = make_citizen("camille.martin@example.fr")
    device = services.two_factor_start(user=citizen)  # started earlier, left unconfirmed
    client.force_login(citizen)
    expire_reauthentication(client)
    key = "".join(device.bin_key.hex())
    page = client.get(SETUP_URL).content.decode()
    assert "<svg" not in page and key not in page and 'name="password"' in page
    refused = client.post(SETUP_URL, {"code": code_for(device)})  # a stolen session tries to confirm
    assert refused.status_code == 200 and "<svg" not in refused.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    response = client.post(SETUP_URL, {"reauth": "1", "password": PASSWORD})
    assert response.status_code == 302
    assert "<svg" in client.get(SETUP_URL).content.decode()


def test_new_backup_codes_ask_for_password_and_code(client, otp_login):
    citizen = make_citizen("camille.martin@example.fr")
    device, codes = enable_two_factor(citizen)
    otp_login(client, citizen)
    expire_reauthentication(client)
    response = client.post(CODES_URL, {"password": PASSWORD})
    assert response.status_code == 400 and "Saisissez le code de votre application." in response.content.decode()
    assert set(StaticToken.objects.filter(device__user=citizen).values_list("token", flat=True)) == set(codes)

    response = client.post(CODES_URL, {"password": PASSWORD, "code": code_for(device, 1)})
    assert response.status_code == 302
    assert not set(StaticToken.objects.filter(device__user=citizen).values_list("token", flat=True)) & set(codes)


def test_disabling_asks_for_password_and_code(client, otp_login):
    citizen = make_citizen("camille.martin@example.fr")
    device, codes = enable_two_factor(citizen)
    otp_login(client, citizen)
    expire_reauthentication(client)
    response = client.post(DISABLE_URL, {"password": PASSWORD, "code": "000000"})
    assert "Ce code n'est pas valide." in unescape(response.content.decode())
    assert TOTPDevice.objects.filter(user=citizen).exists()
    response = client.post(DISABLE_URL, {"password": PASSWORD, "code": codes[0]})  # a backup code works too
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=citizen).exists()


def test_a_recent_reauthentication_is_remembered_for_a_few_minutes(client, settings):
    settings.ESPACE_CITOYEN_REAUTH_MINUTES = 10
    citizen = make_citizen("camille.martin@example.fr")
    client.force_login(citizen)  # logging in proves the password
    assert 'name="password"' not in client.get(SECURITY_URL).content.decode()
    assert client.post(SETUP_URL, {"start": "1"}).status_code == 302

    session = client.session
    session[reauth.SESSION_KEY] = time.time() - 11 * 60
    session.save()
    assert 'name="password"' in client.get(SECURITY_URL).content.decode()


def test_wrong_reauthentication_passwords_count_towards_the_login_lock(client):
    citizen = make_citizen("camille.martin@example.fr")
    client.force_login(citizen)
    for _ in range(2):
        expire_reauthentication(client)
        client.post(SETUP_URL, {"start": "1", "password": "Mauvais-mot-de-passe-1"})
    assert AccessAttempt.objects.filter(username=citizen.email).exists()
    assert not TOTPDevice.objects.filter(user=citizen).exists()


# --- 4. Notice after a password reset -----------------------------------------------------


def test_a_password_reset_is_told_to_the_owner(client, django_capture_on_commit_callbacks):
    citizen = make_citizen("camille.martin@example.fr")
    client.post(RESET_URL, {"email": citizen.email})
    link = re.search(r"https?://[^/\s]+(/espace-citoyen/mot-de-passe-oublie/[^/\s]+/[^/\s]+/)",
                     mail.outbox[0].body).group(1)
    form_url = client.get(link).url
    new = "Une-toute-nouvelle-phrase-9"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    notice = mail.outbox[-1]
    assert notice.to == [citizen.email]
    assert notice.subject == "Villennes-sur-Seine – le mot de passe de votre espace citoyen a été modifié"
    assert "avec le lien « mot de passe oublié »" in notice.body
    assert "01 39 08 25 40" in notice.body


# --- 5. Common passwords ---------------------------------------------------------------------


@pytest.mark.parametrize("password", ["motdepasse123", "azertyuiop123", "Azertyuiop!2026", "MotDePasse2026",
                                      "Jetaime2026!!", "Soleil-2026-!!"])
def test_common_french_passwords_are_refused(password):
    with pytest.raises(ValidationError) as error:
        validate_password(password)
    assert any("trop courant" in message for message in error.value.messages)


@pytest.mark.parametrize("password", ["quatre-chats-sur-le-toit", "Famille-Bernard-2026", "Un-mot-de-passe-solide-42"])
def test_passphrases_pass(password):
    validate_password(password)


def test_the_minimum_length_stays_twelve():
    validate_password("Tigre-Bleu-7")  # 12 characters, nothing common: accepted
    with pytest.raises(ValidationError) as error:
        validate_password("Tigre-Bleu7")
    assert any("12 caractères" in message for message in error.value.messages)


def test_the_password_change_page_refuses_a_common_password_in_french(client):
    citizen = make_citizen("camille.martin@example.fr")
    client.force_login(citizen)
    response = client.post("/espace-citoyen/mot-de-passe/", {
        "old_password": PASSWORD, "new_password1": "motdepasse123", "new_password2": "motdepasse123"})
    assert response.status_code == 200
    assert "Ce mot de passe est trop courant" in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)


# --- 10. Agents see citizens' accounts only ----------------------------------------------------


def test_relations_population_agent_reviews_citizens_not_staff(client, otp_login):
    agent = make_staff("agent.population@ville-villennes-sur-seine.fr", "validate_account")
    otp_login(client, agent)
    citizen = make_citizen("camille.martin@example.fr", status=AccountStatus.PENDING)
    staff = make_staff("redacteur@ville-villennes-sur-seine.fr")
    superuser = make_citizen("admin2@ville-villennes-sur-seine.fr", household=False)
    superuser.is_superuser = True
    superuser.save()
    base = "/admin/espace-citoyen/comptes-a-valider/"
    assert client.get(f"{base}{citizen.pk}/").status_code == 200
    assert client.get(f"{base}{staff.pk}/").status_code == 404
    assert client.get(f"{base}{superuser.pk}/").status_code == 404
    assert client.get(f"{base}{agent.pk}/").status_code == 404


def test_superuser_may_review_a_staff_account(client, otp_login, superuser):
    otp_login(client, superuser)
    staff = make_staff("redacteur@ville-villennes-sur-seine.fr")
    staff.status = AccountStatus.ACTIVE
    staff.save()
    assert client.get(f"/admin/espace-citoyen/comptes-a-valider/{staff.pk}/").status_code == 200
