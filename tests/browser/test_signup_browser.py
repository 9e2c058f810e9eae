"""Browser journey of "Je n'ai pas d'espace": the three steps of the creation wizard (with
PRÉCÉDENT once), the confirmation link, the validation by an agent, then the dashboard.
axe-core checks each step and the confirmation page."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from espace_citoyen.accounts import services
from espace_citoyen.accounts.models import AccountStatus

from .conftest import assert_accessible

pytestmark = pytest.mark.browser

PASSWORD = "Tilleuls-du-parc-2026"
EMAIL = "lea.dupont@example.fr"
LINK_RE = re.compile(r"https?://[^/\s]+(/espace-citoyen/confirmer-mon-courriel/[^/\s]+/[^/\s]+/)")


def test_create_confirm_validate_and_log_in(live_site, browser_page):
    page = browser_page
    page.goto(live_site.url + "/espace-citoyen/connexion/")
    page.get_by_role("link", name="Créer mon espace", exact=True).click()
    page.wait_for_url(re.compile(r"/espace-citoyen/creer-mon-espace/$"))
    assert "Étape 1 sur 3 : Identité" in page.locator(".page-header").inner_text()
    assert_accessible(page)

    # Step 1: a missing required field first, then the identity.
    page.get_by_role("button", name="Suivant").click()
    page.wait_for_selector("#resume-erreurs")
    assert "Indiquez votre nom usuel." in page.locator("#resume-erreurs").inner_text()
    assert_accessible(page)
    page.get_by_label("Civilité").select_option("mme")
    page.get_by_label("Nom usuel").fill("Dupont")
    page.get_by_label("Prénom(s)").fill("Léa")
    page.get_by_label("Date de naissance").fill("14/03/1985")
    page.get_by_label("Département de naissance").select_option("78")
    page.get_by_role("button", name="Suivant").click()

    # Step 2, then PRÉCÉDENT once: step 1 still holds the identity, step 2 what was typed.
    page.wait_for_selector("text=Étape 2 sur 3 : Coordonnées")
    assert_accessible(page)
    page.get_by_label("Voie").fill("rue de Poissy")
    page.get_by_label("Code postal").fill("78670")
    page.get_by_label("Commune", exact=True).fill("Villennes-sur-Seine")
    page.get_by_label("Téléphone mobile").fill("06 12 34 56 78")
    page.get_by_label("* Courriel", exact=True).fill(EMAIL)
    page.get_by_role("button", name="Précédent").click()
    page.wait_for_selector("text=Étape 1 sur 3 : Identité")
    assert page.get_by_label("Nom usuel").input_value() == "Dupont"
    page.get_by_role("button", name="Suivant").click()
    page.wait_for_selector("text=Étape 2 sur 3 : Coordonnées")
    assert page.get_by_label("* Courriel", exact=True).input_value() == EMAIL
    page.get_by_role("button", name="Suivant").click()

    # Step 3: summary, password twice, personal-data notice.
    page.wait_for_selector("text=Étape 3 sur 3 : Mot de passe")
    summary = page.locator(".signup-summary").inner_text()
    assert "Dupont" in summary and EMAIL in summary and "78670" in summary
    assert_accessible(page)
    page.get_by_label("* Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("* Confirmation du mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("J'ai lu la notice relative aux données personnelles").check()
    page.get_by_role("button", name="Créer mon espace").click()
    page.wait_for_url(re.compile(r"/verifiez-votre-boite-mail/$"))
    assert page.locator("h1").inner_text() == "Vérifiez votre boîte mail"
    assert_accessible(page)

    # The confirmation link of the e-mail (locmem backend, same process as the live server).
    (message,) = [m for m in mail.outbox if m.to == [EMAIL]]
    path = LINK_RE.search(message.body).group(1)
    page.goto(live_site.url + path)
    assert_accessible(page)
    page.get_by_role("button", name="Confirmer mon adresse e-mail").click()
    page.wait_for_url(re.compile(r"/confirmer-mon-courriel/confirme/$"))
    assert "Votre demande sera traitée au plus tard le" in page.locator("main").inner_text()
    assert_accessible(page)

    # Pending: logs in, sees the status on the dashboard.
    page.get_by_role("link", name="Me connecter").click()
    page.get_by_label("Identifiant (adresse e-mail)").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Me connecter").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/$"))
    assert "En attente de validation" in page.locator("main").inner_text()
    assert_accessible(page)

    # An agent validates (the service the admin view calls); the dashboard shows no notice.
    user = get_user_model().objects.get(email=EMAIL)
    agent = get_user_model().objects.create_user("agent@ville-villennes-sur-seine.fr", "Agent-mot-de-passe-2026",
                                                 is_staff=True)
    services.account_validate(user=user, actor=agent)
    user.refresh_from_db()
    assert user.status == AccountStatus.ACTIVE
    page.reload()
    assert page.locator("h1").inner_text() == "Tableau de bord"
    assert "Bonjour Léa" in page.locator(".page-header").inner_text()
    assert "En attente de validation" not in page.locator("main").inner_text()
