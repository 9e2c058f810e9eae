"""The citizen space journey of issue 4 in a real browser: a validated parent logs in,
adds a child, uploads a document, transmits it, finds the démarche in the history, and
visits Mes coordonnées and Mes données; zero serious or critical axe violation on each page."""

import io
import re

import pytest

from .conftest import assert_accessible

pytestmark = pytest.mark.browser

PASSWORD = "Un-mot-de-passe-solide-42"


def _pdf_bytes() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, "Attestation d'assurance scolaire")
    return bytes(pdf.output())


def _validated_parent():
    from django.contrib.auth import get_user_model

    from espace_citoyen.family.models import Household, Membership

    user = get_user_model().objects.create_user(
        "parent.parcours@example.fr", PASSWORD, first_name="Camille", last_name="Parcours",
    )
    Membership.objects.create(household=Household.objects.create(), user=user)
    return user


def test_parent_journey_through_the_space_is_accessible(live_site, browser_page, tmp_path):
    _validated_parent()
    page = browser_page
    base = live_site.url

    page.goto(base + "/espace-citoyen/connexion/")
    page.get_by_label("Identifiant (adresse e-mail)").fill("parent.parcours@example.fr")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Me connecter").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/$"))
    assert page.locator("h1").inner_text() == "Tableau de bord"
    assert "Vous trouverez ici tous les membres de votre famille." in page.locator("main").inner_text()
    assert_accessible(page)

    # Family: add a child.
    page.get_by_role("link", name="Ajouter des membres à votre famille").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/famille/enfants/ajouter/$"))
    assert_accessible(page)
    page.get_by_label(re.compile(r"^\*?\s*Prénom$")).fill("Léa")
    page.get_by_label(re.compile(r"^\*?\s*Nom$")).fill("Parcours")
    page.get_by_label("Fille").check()
    page.get_by_label("Date de naissance").fill("03/05/2017")
    page.get_by_label("École", exact=True).fill("École élémentaire des Tilleuls")
    page.get_by_role("button", name="Ajouter l'enfant").click()
    page.wait_for_load_state()
    assert "Léa Parcours" in page.locator("main").inner_text()
    page.goto(base + "/espace-citoyen/famille/")
    assert page.locator("h1").inner_text() == "Ma famille"
    assert "Léa Parcours" in page.locator("main").inner_text()
    assert_accessible(page)

    # The dashboard lists the child with a link to its agenda.
    page.goto(base + "/espace-citoyen/")
    page.get_by_role("link", name="Léa Parcours").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/enfants/\d+/agenda/$"))
    assert page.locator("h1").inner_text() == "Agenda de Léa"
    assert_accessible(page)

    # Documents: upload a PDF.
    page.goto(base + "/espace-citoyen/documents/")
    assert page.locator("h1").inner_text() == "Mes documents"
    assert_accessible(page)
    page.get_by_role("link", name="Ajouter un document").first.click()
    page.wait_for_url(re.compile(r"/espace-citoyen/documents/ajouter/$"))
    assert_accessible(page)
    pdf = tmp_path / "assurance.pdf"
    pdf.write_bytes(_pdf_bytes())
    page.get_by_label("Fichier").set_input_files(str(pdf))
    page.get_by_label("Type de document").select_option(label="Attestation d'assurance")
    page.get_by_label("Nom du document").fill("Assurance scolaire 2026")
    page.get_by_role("button", name="Ajouter ce document").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/documents/$"))
    assert "Assurance scolaire 2026" in page.locator("main").inner_text()

    # Transmit it to a service.
    page.get_by_role("link", name="Transmettre des documents à nos services").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/documents/transmettre/"))
    assert_accessible(page)
    page.get_by_label(re.compile("Assurance scolaire 2026")).check()
    page.get_by_label("Pôle scolaire").check()
    page.get_by_label("Message au service (facultatif)").fill("Attestation pour la cantine de Léa.")
    page.get_by_role("button", name="Transmettre").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/documents/$"))

    # The démarche is in the history.
    page.goto(base + "/espace-citoyen/")
    page.get_by_role("link", name="Historique de mes démarches").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/demarches/$"))
    assert page.locator("h1").inner_text() == "Historique de mes démarches"
    assert "Transmission de documents" in page.locator("main").inner_text()
    assert_accessible(page)
    page.locator("table a").first.click()
    page.wait_for_url(re.compile(r"/espace-citoyen/demarches/[^/]+/$"))
    assert_accessible(page)

    # Mes coordonnées: change the phone, ask for a new address.
    page.goto(base + "/espace-citoyen/")
    page.get_by_role("link", name="Mes coordonnées").first.click()
    page.wait_for_url(re.compile(r"/espace-citoyen/coordonnees/$"))
    assert page.locator("h1").inner_text() == "Mes coordonnées"
    assert_accessible(page)
    page.get_by_label("Téléphone mobile").fill("06 12 34 56 78")
    page.get_by_label("Courriel (identifiant de connexion)").fill("nouvelle.adresse@example.fr")
    page.get_by_role("button", name="Enregistrer mes coordonnées").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/coordonnees/$"))
    main = page.locator("main").inner_text()
    assert "Vos coordonnées sont enregistrées." in main
    assert "Changement d'adresse e-mail en attente" in main
    assert_accessible(page)

    # Mes données.
    page.goto(base + "/espace-citoyen/mes-donnees/")
    assert page.locator("h1").inner_text() == "Mes données"
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger toutes mes données (ZIP)").click()
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(open(download_info.value.path(), "rb").read()))
    assert "donnees.json" in archive.namelist()
    assert any(name.startswith("documents/") for name in archive.namelist())
    page.get_by_label("Mot de passe actuel").fill("pas-le-bon")
    page.get_by_role("button", name="Demander la suppression de mon compte").click()
    assert "Le mot de passe est incorrect." in page.locator("main").inner_text()
    assert_accessible(page)
