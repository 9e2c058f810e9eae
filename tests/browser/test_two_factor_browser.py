"""Browser journey: a citizen turns on two-factor authentication, then logs in with a code."""

import re
import time
from base64 import b32decode

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import TOTP

from .conftest import assert_accessible

pytestmark = pytest.mark.browser

PASSWORD = "Un-mot-de-passe-solide-42"
EMAIL = "dominique.leroy@example.fr"


def app_code(key: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for this base32 key (RFC 6238: 30 s, 6 digits)."""
    totp = TOTP(b32decode(key.replace(" ", "")), step=30, t0=0, digits=6)
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


def log_in_with_password(page, base_url):
    page.goto(base_url + "/espace-citoyen/connexion/")
    page.get_by_label("Identifiant (adresse e-mail)").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Me connecter").click()


def test_citizen_turns_on_two_factor_and_logs_in_with_a_code(live_site, browser_page):
    get_user_model().objects.create_user(EMAIL, PASSWORD, first_name="Dominique")
    page = browser_page
    log_in_with_password(page, live_site.url)
    page.wait_for_url(re.compile(r"/espace-citoyen/$"))

    page.get_by_role("link", name="Sécurité de mon compte (double authentification)").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/securite/$"))
    assert "État : non activée." in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_role("button", name="Activer la double authentification").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/securite/activer/$"))
    assert page.get_by_role("img", name=re.compile("QR code à scanner")).is_visible()
    key = page.locator(".totp-key code").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{1,4}", key)
    assert_accessible(page)

    page.get_by_label("Code à 6 chiffres affiché par l'application").fill(app_code(key))
    page.get_by_role("button", name="Valider et activer").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/securite/codes-de-secours/$"))
    codes = page.locator(".backup-codes code").all_inner_texts()
    assert len(codes) == 10
    assert "Ces codes ne seront plus affichés." in page.locator("main").inner_text()
    assert_accessible(page)

    page.goto(live_site.url + "/espace-citoyen/")
    page.get_by_role("button", name="Me déconnecter").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/connexion/$"))

    log_in_with_password(page, live_site.url)
    page.wait_for_url(re.compile(r"/espace-citoyen/connexion/code/$"))
    assert page.locator("h1").inner_text() == "Code de connexion"
    assert_accessible(page)

    # A wrong code: the error summary names the problem.
    page.get_by_label("Code à 6 chiffres de votre application, ou un code de secours").fill("pas-un-code")
    page.get_by_role("button", name="Valider le code").click()
    page.wait_for_selector("#resume-erreurs")
    assert "Ce code n'est pas valide." in page.locator("#resume-erreurs").inner_text()
    assert_accessible(page)

    # The code used at set-up cannot serve twice: the app's next code (one period of
    # drift is allowed), after django-otp's one-second wait that follows a wrong code.
    time.sleep(1.1)
    page.get_by_label("Code à 6 chiffres de votre application, ou un code de secours").fill(app_code(key, steps_ahead=1))
    page.get_by_role("button", name="Valider le code").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/$"))
    assert page.locator("h1").inner_text() == "Tableau de bord"
    assert "Bonjour Dominique" in page.locator(".page-header").inner_text()
