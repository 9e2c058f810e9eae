"""Two-factor authentication (django-otp): the citizen's security page, the login code
step, backup codes, disabling, and TOTP before any /admin/ page for the staff."""

import re
import time
from base64 import b32decode

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from espace_citoyen.accounts import demo, services
from espace_citoyen.accounts.models import AccountEvent, AccountEventKind
from espace_citoyen.accounts.reauth import SESSION_KEY as REAUTH_SESSION_KEY

from .conftest import PASSWORD

User = get_user_model()

LOGIN_URL = "/espace-citoyen/connexion/"
CODE_URL = "/espace-citoyen/connexion/code/"
SECURITY_URL = "/espace-citoyen/securite/"
SETUP_URL = "/espace-citoyen/securite/activer/"
CODES_URL = "/espace-citoyen/securite/codes-de-secours/"
DISABLE_URL = "/espace-citoyen/securite/desactiver/"
ADMIN_SETUP_URL = "/admin/double-authentification/activer/"
ADMIN_VERIFY_URL = "/admin/double-authentification/verifier/"


def code_for(device, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or `steps_ahead` periods of 30 s later:
    a code is accepted once only, and the device tolerates one period of drift)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enable_two_factor(user) -> tuple[TOTPDevice, list[str]]:
    device = services.two_factor_start(user=user)
    codes = services.two_factor_confirm(user=user, device=device, code=code_for(device))
    device.refresh_from_db()
    return device, codes


def expire_reauthentication(client) -> None:
    """As if the last proof of the password were older than ESPACE_CITOYEN_REAUTH_MINUTES."""
    session = client.session
    session.pop(REAUTH_SESSION_KEY, None)
    session.save()


def login_with_password(client, email=None, password=PASSWORD, next_url=""):
    data = {"username": email, "password": password}
    url = LOGIN_URL + (f"?next={next_url}" if next_url else "")
    if next_url:
        data["next"] = next_url
    return client.post(url, data)


# --- Security page: set up, backup codes, disable -------------------------------------


def test_security_page_needs_login(client):
    response = client.get(SECURITY_URL)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)


def test_security_page_shows_state_and_activation_button(client, citizen):
    client.force_login(citizen)
    html = client.get(SECURITY_URL).content.decode()
    assert "État : non activée." in html
    assert "Activer la double authentification" in html


def test_setup_shows_svg_qr_code_and_grouped_key_then_confirms(client, citizen, django_capture_on_commit_callbacks):
    client.force_login(citizen)
    response = client.post(SETUP_URL, {"start": "1"})
    assert response.status_code == 302 and response.url == SETUP_URL
    device = TOTPDevice.objects.get(user=citizen)
    assert not device.confirmed

    response = client.get(SETUP_URL)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    html = response.content.decode()
    svg = re.search(r"<svg [^>]*>.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and 'aria-label="QR code à scanner' in svg and "<title>" in svg
    assert "style=" not in svg and "<script" not in svg  # our CSP allows neither inline styles nor scripts
    assert "style-src 'self'" in response["Content-Security-Policy"]
    key = re.search(r'<p class="totp-key"><code>([A-Z2-7 ]+)</code></p>', html).group(1)
    assert all(len(group) == 4 for group in key.split(" "))
    assert b32decode(key.replace(" ", "")) == device.bin_key

    # A wrong code: a French error tied to the field; nothing is confirmed.
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(SETUP_URL, {"code": wrong})
    assert response.status_code == 200
    assert "Ce code n&#x27;est pas valide." in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    device.throttle_reset()  # django-otp waits 1 s after a failure

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SETUP_URL, {"code": code_for(device)})
    assert response.status_code == 302 and response.url == CODES_URL
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id  # this session counts as verified
    assert AccountEvent.objects.filter(user=citizen, kind=AccountEventKind.TWO_FACTOR_ENABLED).count() == 1
    assert len(mail.outbox) == 1 and "activée" in mail.outbox[0].subject
    assert mail.outbox[0].to == [citizen.email]

    # The backup codes are shown once.
    html = client.get(CODES_URL).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", html)
    assert len(codes) == 10
    assert sorted(codes) == sorted(StaticToken.objects.filter(device__user=citizen).values_list("token", flat=True))
    assert "Ces codes ne seront plus affichés." in html
    assert client.get(CODES_URL).url == SECURITY_URL

    html = client.get(SECURITY_URL).content.decode()
    assert "État : activée." in html and "Générer de nouveaux codes de secours" in html


def test_setup_is_refused_while_two_factor_is_on(client, citizen, otp_login):
    device, _ = enable_two_factor(citizen)
    otp_login(client, citizen)
    assert client.post(SETUP_URL, {"start": "1"}).url == SECURITY_URL
    assert list(TOTPDevice.objects.filter(user=citizen)) == [device]


def test_new_backup_codes_replace_the_old_ones(client, citizen, otp_login):
    _, old_codes = enable_two_factor(citizen)
    otp_login(client, citizen)
    response = client.post(CODES_URL)
    assert response.url == CODES_URL
    new_codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", client.get(CODES_URL).content.decode())
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert services.two_factor_verify(user=citizen, code=old_codes[0]) is None
    StaticDevice.objects.get(user=citizen).throttle_reset()  # django-otp waits 1 s after a failure
    assert services.two_factor_verify(user=citizen, code=new_codes[0]) is not None


def test_disable_needs_the_current_password(client, citizen, otp_login, django_capture_on_commit_callbacks):
    device, _codes = enable_two_factor(citizen)
    otp_login(client, citizen)
    expire_reauthentication(client)
    response = client.post(DISABLE_URL, {"password": "pas-le-bon", "code": code_for(device, 1)})
    assert response.status_code == 200
    assert "Le mot de passe est incorrect." in response.content.decode()
    assert TOTPDevice.objects.filter(user=citizen).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(DISABLE_URL, {"password": PASSWORD, "code": code_for(device, 1)})
    assert response.url == SECURITY_URL
    assert not TOTPDevice.objects.filter(user=citizen).exists()
    assert not StaticDevice.objects.filter(user=citizen).exists()
    assert AccountEvent.objects.filter(user=citizen, kind=AccountEventKind.TWO_FACTOR_DISABLED, actor=citizen).exists()
    assert [m.subject for m in mail.outbox][-1].endswith("double authentification désactivée sur votre espace citoyen")

    # Without a second factor the password alone logs in again.
    client.logout()
    response = login_with_password(client, citizen.email)
    assert response.url == reverse("portal:dashboard")


# --- Login: the code step --------------------------------------------------------------


def test_citizen_without_two_factor_logs_in_with_the_password(client, citizen):
    response = login_with_password(client, citizen.email)
    assert response.status_code == 302 and response.url == reverse("portal:dashboard")
    assert int(client.session[SESSION_KEY]) == citizen.pk


def test_login_asks_for_the_code_then_follows_next(client, citizen):
    device, _ = enable_two_factor(citizen)
    response = login_with_password(client, citizen.email, next_url="/espace-citoyen/securite/")
    assert response.status_code == 302 and response.url == CODE_URL
    assert SESSION_KEY not in client.session  # not logged in yet
    assert client.get(SECURITY_URL).status_code == 302

    response = client.get(CODE_URL)
    html = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert "Code à 6 chiffres de votre application, ou un code de secours" in html
    assert 'autocomplete="one-time-code"' in html

    response = client.post(CODE_URL, {"code": code_for(device, steps_ahead=1)})
    assert response.status_code == 302 and response.url == SECURITY_URL
    assert int(client.session[SESSION_KEY]) == citizen.pk
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(CODE_URL).url == LOGIN_URL  # the pending login is used up


def test_a_backup_code_works_once(client, citizen):
    _, codes = enable_two_factor(citizen)
    login_with_password(client, citizen.email)
    response = client.post(CODE_URL, {"code": codes[3].upper()})
    assert response.url == reverse("portal:dashboard")
    assert int(client.session[SESSION_KEY]) == citizen.pk

    client.logout()
    login_with_password(client, citizen.email)
    response = client.post(CODE_URL, {"code": codes[3]})
    assert response.status_code == 200
    assert "Ce code n&#x27;est pas valide." in response.content.decode()
    assert SESSION_KEY not in client.session


def test_wrong_codes_are_limited_per_pending_login(client, citizen, settings):
    device, _ = enable_two_factor(citizen)
    login_with_password(client, citizen.email)
    wrong = f"{(int(code_for(device)) + 500_000) % 1_000_000:06d}"
    for _ in range(settings.TWO_FACTOR_MAX_ATTEMPTS - 1):
        response = client.post(CODE_URL, {"code": wrong})
        assert response.status_code == 200
        assert SESSION_KEY not in client.session
    device.refresh_from_db()
    assert device.throttling_failure_count >= 1  # django-otp's own throttling (1 s, 2 s, 4 s...)

    response = client.post(CODE_URL, {"code": wrong})
    assert response.status_code == 302 and response.url == LOGIN_URL
    assert SESSION_KEY not in client.session
    assert "Trop de codes erronés" in client.get(LOGIN_URL).content.decode()
    # The good code no longer helps: the password must be typed again.
    device.throttle_reset()
    assert client.post(CODE_URL, {"code": code_for(device)}).url == LOGIN_URL
    assert SESSION_KEY not in client.session


def test_throttled_device_refuses_even_the_right_code(client, citizen):
    device, _ = enable_two_factor(citizen)
    login_with_password(client, citizen.email)
    client.post(CODE_URL, {"code": "000000" if code_for(device, 1) != "000000" else "111111"})
    response = client.post(CODE_URL, {"code": code_for(device, steps_ahead=1)})
    assert response.status_code == 200
    assert "Trop d&#x27;essais rapprochés" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_pending_login_expires(client, citizen, settings):
    device, _ = enable_two_factor(citizen)
    login_with_password(client, citizen.email)
    settings.TWO_FACTOR_PENDING_AGE = -1
    response = client.post(CODE_URL, {"code": code_for(device, steps_ahead=1)})
    assert response.status_code == 302 and response.url == LOGIN_URL
    assert SESSION_KEY not in client.session


def test_password_alone_through_the_admin_login_does_not_open_the_citizen_space(client, citizen):
    # The Wagtail admin login form knows nothing of the code step: a session that only
    # passed the password of an account with a second factor counts as anonymous.
    enable_two_factor(citizen)
    client.post("/admin/login/", {"username": citizen.email, "password": PASSWORD})
    response = client.get("/espace-citoyen/")
    assert response.status_code == 302 and response.url.startswith(LOGIN_URL)
    assert client.get(SECURITY_URL).url.startswith(LOGIN_URL)
    # ...and the password form then leads to the code step as usual.
    assert login_with_password(client, citizen.email).url == CODE_URL


def test_a_session_opened_before_the_second_factor_was_set_up_is_closed_by_it(client, citizen):
    # The session's user is read with whether a confirmed device exists (AccountBackend,
    # one query): a device confirmed elsewhere turns that older password-only session
    # anonymous at its next request, backup codes alone as well.
    client.force_login(citizen)
    assert client.get("/espace-citoyen/").status_code == 200
    StaticDevice.objects.create(user=citizen, name="Codes de secours", confirmed=True)
    response = client.get("/espace-citoyen/")
    assert response.status_code == 302 and response.url.startswith(LOGIN_URL)


def test_an_unconfirmed_device_does_not_close_the_session(client, citizen):
    client.force_login(citizen)
    TOTPDevice.objects.create(user=citizen, name="Téléphone", confirmed=False)
    assert client.get("/espace-citoyen/").status_code == 200


def test_has_confirmed_device_reads_the_devices_of_a_user_loaded_elsewhere(citizen, django_assert_num_queries):
    from espace_citoyen.accounts.backends import has_confirmed_device

    def fresh():
        return get_user_model().objects.get(pk=citizen.pk)  # not through AccountBackend

    user = fresh()
    with django_assert_num_queries(1):  # one query for every device model
        assert has_confirmed_device(user) is False
    TOTPDevice.objects.create(user=citizen, name="Téléphone", confirmed=False)
    assert has_confirmed_device(fresh()) is False
    StaticDevice.objects.create(user=citizen, name="Codes de secours", confirmed=True)
    assert has_confirmed_device(fresh()) is True


def test_code_page_without_a_password_first_goes_to_login(client, citizen):
    enable_two_factor(citizen)
    assert client.get(CODE_URL).url == LOGIN_URL
    assert client.post(CODE_URL, {"code": "123456"}).url == LOGIN_URL


def test_wrong_password_never_reaches_the_code_step(client, citizen):
    enable_two_factor(citizen)
    response = login_with_password(client, citizen.email, password="pas-le-bon")
    assert response.status_code == 200
    assert "_two_factor_pending" not in client.session


def test_password_reset_does_not_bypass_the_second_factor(client, citizen):
    device, _ = enable_two_factor(citizen)
    client.post("/espace-citoyen/mot-de-passe-oublie/", {"email": citizen.email})
    link = re.search(r"https?://[^/\s]+(/espace-citoyen/mot-de-passe-oublie/\S+/)", mail.outbox[-1].body).group(1)
    response = client.get(link)
    assert response.status_code == 302
    new_password = "Un-autre-mot-de-passe-solide-43"
    response = client.post(response.url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    assert SESSION_KEY not in client.session  # the reset never logs in

    response = login_with_password(client, citizen.email, password=new_password)
    assert response.url == CODE_URL
    assert SESSION_KEY not in client.session
    assert client.post(CODE_URL, {"code": code_for(device, steps_ahead=1)}).url == reverse("portal:dashboard")
    assert int(client.session[SESSION_KEY]) == citizen.pk


# --- Staff: TOTP before every /admin/ page ---------------------------------------------


def admin_urls() -> list[str]:
    from wagtail.documents.models import Document
    from wagtail.images.models import Image
    from wagtail.models import Site

    from espace_citoyen.family.models import Household

    site = Site.objects.get(is_default_site=True)
    page = site.root_page.get_children().live().first() or site.root_page
    superuser = User.objects.get(email="admin@ville-villennes-sur-seine.fr")
    urls = [
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_explore_root"),
        reverse("wagtailadmin_explore", args=(site.root_page.pk,)),
        reverse("wagtailadmin_pages:edit", args=(page.pk,)),
        reverse("wagtailadmin_pages:add_subpage", args=(site.root_page.pk,)),
        reverse("wagtailadmin_pages:search") + "?q=ecole",
        "/admin/images/",
        "/admin/documents/",
        "/admin/snippets/",
        "/admin/snippets/news/newscategory/",
        "/admin/users/",
        f"/admin/users/edit/{superuser.pk}/",
        "/admin/groups/",
        "/admin/sites/",
        "/admin/collections/",
        "/admin/redirects/",
        reverse("wagtailsettings:edit", args=("home", "contactsettings", site.pk)),
        reverse("wagtailsettings:edit", args=("home", "socialmediasettings", site.pk)),
        "/admin/reports/locked/",
        "/admin/reports/site-history/",
        "/admin/reports/aging-pages/",
        "/admin/workflows/list/",
        "/admin/workflows/tasks/index/",
        "/admin/account/",
        "/admin/espace-citoyen/foyers/",
        "/admin/espace-citoyen/enfants/",
        "/admin/espace-citoyen/comptes-a-activer/",
        "/admin/espace-citoyen/import-portail-famille/",
    ]
    image = Image.objects.first()
    if image is not None:
        urls.append(f"/admin/images/{image.pk}/")
    document = Document.objects.first()
    if document is not None:
        urls.append(f"/admin/documents/edit/{document.pk}/")
    household = Household.objects.first()
    if household is not None:
        urls.append(f"/admin/espace-citoyen/foyers/edit/{household.pk}/")
    return urls


def staff_user(email="agent.test@ville-villennes-sur-seine.fr"):
    user = User.objects.create_user(email, PASSWORD, is_staff=True)
    group = Group.objects.create(name=f"Groupe {email}")
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    user.groups.add(group)
    return user


@pytest.mark.django_db
def test_every_admin_url_sends_unverified_staff_without_device_to_enrolment(client, superuser):
    client.force_login(superuser)
    TOTPDevice.objects.filter(user=superuser).delete()
    StaticDevice.objects.filter(user=superuser).delete()
    for url in admin_urls():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(ADMIN_SETUP_URL + "?next="), (url, response.url)


@pytest.mark.django_db
def test_every_admin_url_sends_unverified_staff_with_device_to_verify(client, superuser):
    if not TOTPDevice.objects.filter(user=superuser, confirmed=True).exists():
        enable_two_factor(superuser)
    client.force_login(superuser)
    for url in admin_urls() + ["/admin/n-existe-pas/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(ADMIN_VERIFY_URL + "?next="), (url, response.url)


@pytest.mark.django_db
def test_every_admin_url_opens_once_verified(client, superuser, otp_login):
    otp_login(client, superuser)
    for url in admin_urls():
        response = client.get(url)
        assert response.status_code == 200, url


@pytest.mark.django_db
def test_group_staff_is_redirected_too(client):
    user = staff_user()
    client.force_login(user)
    response = client.get("/admin/pages/")
    assert response.url == ADMIN_SETUP_URL + "?next=%2Fadmin%2Fpages%2F"


def test_anonymous_and_citizens_keep_wagtails_login_redirect(client, citizen):
    assert client.get("/admin/pages/").url.startswith("/admin/login/")
    client.force_login(citizen)
    assert client.get("/admin/pages/").url.startswith("/admin/login/")
    assert client.get(ADMIN_SETUP_URL).url.startswith("/admin/login/")


@pytest.mark.django_db
def test_login_logout_password_reset_and_jsi18n_stay_open(client):
    user = staff_user()
    client.force_login(user)
    assert client.get("/admin/jsi18n/").status_code == 200
    # Wagtail's own password reset is off (the space's reset serves staff too): 404, not enrolment.
    assert client.get("/admin/password_reset/").status_code == 404
    response = client.post("/admin/logout/")
    assert response.status_code == 302 and not response.url.startswith("/admin/double-")
    assert SESSION_KEY not in client.session
    assert client.get("/admin/login/").status_code == 200


@pytest.mark.django_db
def test_staff_enrolment_then_backup_codes_then_admin(client, django_capture_on_commit_callbacks):
    user = staff_user()
    client.post("/admin/login/", {"username": user.email, "password": PASSWORD})
    response = client.get("/admin/")
    assert response.url == ADMIN_SETUP_URL + "?next=%2Fadmin%2F"
    response = client.get(response.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="img"' in html and 'class="totp-key"' in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.get(ADMIN_SETUP_URL).status_code == 200
    assert TOTPDevice.objects.get(user=user) == device  # reloading keeps the same key

    response = client.post(ADMIN_SETUP_URL, {"code": "123", "next": "/admin/"})
    assert response.status_code == 200 and "Ce code n&#x27;est pas valide." in response.content.decode()
    device.throttle_reset()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ADMIN_SETUP_URL, {"code": code_for(device), "next": "/admin/"})
    assert response.status_code == 302
    assert response.url.startswith("/admin/double-authentification/codes-de-secours/")
    html = client.get(response.url).content.decode()
    assert len(re.findall(r"<li><code>([a-z2-7]+)</code></li>", html)) == 10
    assert 'href="/admin/"' in html
    assert client.get("/admin/").status_code == 200
    assert AccountEvent.objects.filter(user=user, kind=AccountEventKind.TWO_FACTOR_ENABLED).exists()


@pytest.mark.django_db
def test_staff_verify_with_code_and_safe_next(client):
    user = staff_user()
    device, codes = enable_two_factor(user)
    client.post("/admin/login/", {"username": user.email, "password": PASSWORD})
    response = client.get("/admin/users/")
    assert response.url == ADMIN_VERIFY_URL + "?next=%2Fadmin%2Fusers%2F"
    assert client.get(ADMIN_SETUP_URL + "?next=/admin/").url.startswith(ADMIN_VERIFY_URL)
    response = client.get(ADMIN_VERIFY_URL + "?next=/admin/")
    assert response.status_code == 200
    assert "Code à 6 chiffres de votre application, ou un code de secours" in response.content.decode()

    response = client.post(ADMIN_VERIFY_URL, {"code": "999999x", "next": "https://exemple.invalid/"})
    assert response.status_code == 200 and "Ce code n&#x27;est pas valide." in response.content.decode()
    StaticDevice.objects.get(user=user).throttle_reset()  # django-otp waits 1 s after a failure
    response = client.post(ADMIN_VERIFY_URL, {"code": codes[0], "next": "https://exemple.invalid/"})
    assert response.status_code == 302 and response.url == "/admin/"  # no open redirect
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_staff_verify_logs_out_after_too_many_wrong_codes(client, settings):
    user = staff_user()
    enable_two_factor(user)
    client.force_login(user)
    for _ in range(settings.TWO_FACTOR_MAX_ATTEMPTS):
        response = client.post(ADMIN_VERIFY_URL, {"code": "wrongcode"})
    assert response.status_code == 302 and response.url == "/admin/login/"
    assert SESSION_KEY not in client.session


# --- Demo accounts ---------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_totp_device_is_fixed_and_idempotent(superuser):
    demo.demo_totp_device(user=superuser)
    demo.demo_totp_device(user=superuser)
    device = TOTPDevice.objects.get(user=superuser)
    assert device.confirmed and device.bin_key == b32decode(demo.DEMO_TOTP_KEY_BASE32)
    assert StaticDevice.objects.filter(user=superuser).count() == 1
    tokens = set(StaticToken.objects.filter(device__user=superuser).values_list("token", flat=True))
    assert tokens == set(demo.DEMO_BACKUP_CODES)
    assert services.two_factor_verify(user=superuser, code=code_for(device)) == device
