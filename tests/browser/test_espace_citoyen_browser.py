import re

import pytest
from django.contrib.auth import get_user_model

from .conftest import assert_accessible

pytestmark = pytest.mark.browser

PASSWORD = "Un-mot-de-passe-solide-42"


def test_login_dashboard_and_logout_journey_is_accessible(live_site, browser_page):
    get_user_model().objects.create_user("camille.martin@example.fr", PASSWORD, first_name="Camille")
    page = browser_page
    page.goto(live_site.url + "/")
    page.get_by_role("link", name="Se connecter à l'espace citoyen").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/connexion/$"))
    assert page.locator("h1").inner_text() == "Connexion à l'espace citoyen"
    assert_accessible(page)

    # A wrong password: the error summary gets the focus and names the problem.
    page.get_by_label("Identifiant (adresse e-mail)").fill("camille.martin@example.fr")
    page.get_by_label("Mot de passe").fill("pas-le-bon-mot-de-passe")
    page.get_by_role("button", name="Me connecter").click()
    page.wait_for_selector("#resume-erreurs")
    assert page.evaluate("document.activeElement.id") == "resume-erreurs"
    assert "Adresse e-mail ou mot de passe incorrect." in page.locator("#resume-erreurs").inner_text()
    assert page.title().startswith("Erreur")
    assert_accessible(page)

    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Me connecter").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/$"))
    assert page.locator("h1").inner_text() == "Tableau de bord"
    assert "Bonjour Camille" in page.locator(".page-header").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Modifier mon mot de passe").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/mot-de-passe/$"))
    assert_accessible(page)

    page.goto(live_site.url + "/espace-citoyen/")
    page.get_by_role("button", name="Me déconnecter").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/connexion/$"))
    assert "Vous êtes déconnecté de votre espace citoyen." in page.locator(".flash-messages").inner_text()
    page.goto(live_site.url + "/espace-citoyen/")
    page.wait_for_url(re.compile(r"/espace-citoyen/connexion/\?next=/espace-citoyen/$"))


def test_forgotten_password_page_is_accessible(live_site, browser_page):
    page = browser_page
    page.goto(live_site.url + "/espace-citoyen/connexion/")
    page.get_by_role("link", name="J'ai oublié mon mot de passe").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/mot-de-passe-oublie/$"))
    assert_accessible(page)
    page.get_by_label("Adresse e-mail de votre espace").fill("personne@example.fr")
    page.get_by_role("button", name="Recevoir le lien").click()
    page.wait_for_url(re.compile(r"/courriel-envoye/$"))
    assert "Si un espace existe pour cette adresse" in page.locator("main").inner_text()
    assert_accessible(page)


def test_login_page_fits_320px(live_site, chromium):
    context = chromium.new_context(locale="fr-FR", viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        page.goto(live_site.url + "/espace-citoyen/connexion/")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"login page scrolls horizontally by {overflow}px at 320px"
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/espace-citoyen/", "/espace-citoyen/documents/", "/espace-citoyen/demarches/",
                                  "/espace-citoyen/enfants/dossiers/", "/espace-citoyen/famille/",
                                  "/espace-citoyen/messages/"])
def test_space_pages_fit_320px(live_site, chromium, path):
    """A parent's pages on a small phone: no horizontal scrolling of the page, no table wider
    than its box (tables become labelled cards), and no serious axe violation at that size."""
    context = chromium.new_context(locale="fr-FR", viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        page.goto(live_site.url + "/espace-citoyen/connexion/")
        page.get_by_label("Identifiant (adresse e-mail)").fill("camille.bernard@example.org")
        page.get_by_label("Mot de passe").fill("Famille-Bernard-2026")
        page.get_by_role("button", name="Me connecter").click()
        page.wait_for_url(re.compile(r"/espace-citoyen/$"))
        page.goto(live_site.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls horizontally by {overflow}px at 320px"
        tables = page.evaluate(
            "Array.from(document.querySelectorAll('table')).map(t => t.scrollWidth - t.parentElement.clientWidth)")
        assert all(extra <= 0 for extra in tables), f"{path}: tables wider than their box by {tables}px"
        assert_accessible(page)
    finally:
        context.close()
