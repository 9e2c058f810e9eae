"""Browser journey of the citizen inbox: the header count, the list, one message (axe)."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_parent_reads_a_targeted_message(live_site, browser_page):
    page = browser_page
    page.goto(live_site.url + "/espace-citoyen/connexion/")
    page.get_by_label("Identifiant (adresse e-mail)").fill("camille.bernard@example.org")
    page.get_by_label("Mot de passe").fill("Famille-Bernard-2026")
    page.get_by_role("button", name="Me connecter").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/$"))
    expect(page.get_by_role("link", name="Mon espace citoyen (3 messages non lus)")).to_be_visible()

    page.goto(live_site.url + "/espace-citoyen/messages/")
    expect(page.get_by_role("heading", level=1, name="Actualités et messages")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Les dernières actualités du site")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Sortie au musée des élèves de l'école des Tilleuls").click()
    expect(page.get_by_role("heading", level=1, name="Sortie au musée des élèves de l'école des Tilleuls")).to_be_visible()
    expect(page.get_by_text("Prévoyez un pique-nique")).to_be_visible()
    expect(page.get_by_role("link", name="Mon espace citoyen (2 messages non lus)")).to_be_visible()
    assert_accessible(page)
