"""Browser journey of the démarches history: the demo parent filters her démarches, opens
the one "à compléter" and answers it; axe on each page."""

import re

import pytest

from .conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_history_filter_detail_and_reply(live_site, browser_page):
    page = browser_page
    page.goto(live_site.url + "/espace-citoyen/demarches/")
    page.wait_for_url(re.compile(r"/espace-citoyen/connexion/"))
    page.get_by_label("Identifiant (adresse e-mail)").fill("camille.bernard@example.org")
    page.get_by_label("Mot de passe").fill("Famille-Bernard-2026")
    page.get_by_role("button", name="Me connecter").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/demarches/$"))
    assert page.locator("h1").inner_text() == "Historique de mes démarches"
    assert "Modification du PAI de Chloé" in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_label("État").select_option(label="À compléter")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r"etat=to_complete"))
    main = page.locator("main").inner_text()
    assert "Attestation de quotient familial 2026" in main and "Modification du PAI de Chloé" not in main
    assert_accessible(page)

    page.locator("main table a").first.click()
    page.wait_for_url(re.compile(r"/espace-citoyen/demarches/D\d{4}-\d{6}/$"))
    assert page.locator("h1").inner_text() == "Attestation de quotient familial 2026"
    assert "Le service Régie" in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_role("button", name="Envoyer ma réponse").click()
    page.wait_for_selector("#resume-erreurs")
    assert "Écrivez votre réponse au service." in page.locator("#resume-erreurs").inner_text()
    assert_accessible(page)

    page.get_by_label("Votre réponse au service").fill("Voici l'avis 2025, déposé dans mes documents.")
    page.get_by_role("button", name="Envoyer ma réponse").click()
    page.wait_for_selector(".flash")
    assert "Votre réponse est envoyée au service" in page.locator(".flash").inner_text()
    assert "Voici l'avis 2025" in page.locator("main").inner_text()
    assert_accessible(page)
