import re

import pytest

from espace_citoyen.family.models import Child

from .conftest import assert_accessible

pytestmark = pytest.mark.browser


def _login(page, base_url, email="camille.bernard@example.org", password="Famille-Bernard-2026"):
    page.goto(base_url + "/espace-citoyen/connexion/")
    page.get_by_label("Identifiant (adresse e-mail)").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Me connecter").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/$"))


def test_parent_adds_a_child_with_an_authorized_person(live_site, browser_page):
    page = browser_page
    _login(page, live_site.url)
    page.goto(live_site.url + "/espace-citoyen/famille/")
    assert page.locator("h1").inner_text() == "Ma famille"
    assert "Julien Bernard" in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Ajouter un enfant").click()
    page.wait_for_url(re.compile(r"/famille/enfants/ajouter/$"))
    assert_accessible(page)

    # Sent with errors: one summary, focused, the typed first name kept.
    page.locator("#id_first_name").fill("Léa")
    page.locator("#id_birth_date").fill("01/01/2099")
    page.get_by_role("button", name="Ajouter l'enfant").click()
    page.wait_for_selector("#resume-erreurs")
    assert page.locator("#resume-erreurs").count() == 1
    assert page.evaluate("document.activeElement.id") == "resume-erreurs"
    assert "La date de naissance ne peut pas être dans le futur." in page.locator("#resume-erreurs").inner_text()
    assert page.locator("#id_first_name").input_value() == "Léa"
    assert_accessible(page)

    page.locator("#id_last_name").fill("Bernard")
    page.get_by_label("Fille").check()
    page.locator("#id_birth_date").fill("14/02/2022")
    page.get_by_label("École", exact=True).fill("École maternelle du Parc")
    page.get_by_label("* Nom et prénom").fill("Monique Bernard")
    page.get_by_label("* Lien avec l'enfant").fill("Grand-mère")
    page.get_by_label("* Téléphone", exact=True).fill("06 45 45 45 45")
    page.get_by_role("button", name="Ajouter l'enfant").click()
    page.wait_for_url(re.compile(r"/famille/enfants/\d+/$"))
    assert page.locator("h1").inner_text() == "Léa Bernard"
    assert "Votre demande a été transmise au Pôle scolaire" in page.locator(".flash-messages").inner_text()
    assert "Monique Bernard (Grand-mère)" in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Revenir à ma famille").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/famille/$"))
    assert page.get_by_role("link", name="Léa Bernard").is_visible()
    child = Child.objects.get(first_name="Léa", last_name="Bernard")
    assert child.authorized_persons.get().phone == "06 45 45 45 45"
