import re

import pytest
from django.contrib.auth import get_user_model

from espace_citoyen.accounts.models import AccountStatus
from espace_citoyen.demarches.models import DemarcheKind
from espace_citoyen.family.models import Household, Membership

from .conftest import assert_accessible

pytestmark = pytest.mark.browser

PASSWORD = "Un-mot-de-passe-solide-42"


def _pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, "Attestation de quotient familial")
    return bytes(pdf.output())


def test_upload_and_transmit_a_document(live_site, browser_page):
    user = get_user_model().objects.create_user(
        "lea.garnier@example.fr", PASSWORD, first_name="Léa", last_name="Garnier", status=AccountStatus.ACTIVE,
    )
    Membership.objects.create(household=Household.objects.create(), user=user)
    page = browser_page
    page.goto(live_site.url + "/espace-citoyen/documents/")
    page.wait_for_url(re.compile(r"/espace-citoyen/connexion/"))
    page.get_by_label("Identifiant (adresse e-mail)").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Me connecter").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/documents/$"))
    assert page.locator("h1").inner_text() == "Mes documents"
    assert "Votre coffre-fort est vide" in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Ajouter un document").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/documents/ajouter/$"))
    assert_accessible(page)
    # A file that is not a PDF/JPEG/PNG: refused, the label typed is kept.
    page.get_by_label("Fichier").set_input_files(
        files=[{"name": "attestation.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00" + b"\x00" * 64}]
    )
    page.get_by_label("Type de document").select_option(label="Attestation CAF / quotient familial")
    page.get_by_label("Nom du document").fill("Attestation CAF 2026")
    page.get_by_role("button", name="Ajouter ce document").click()
    page.wait_for_selector("#resume-erreurs")
    assert "pas au format PDF, JPEG ou PNG" in page.locator("#resume-erreurs").inner_text()
    assert page.get_by_label("Nom du document").input_value() == "Attestation CAF 2026"
    assert_accessible(page)

    page.get_by_label("Fichier").set_input_files(
        files=[{"name": "attestation.pdf", "mimeType": "application/pdf", "buffer": _pdf()}]
    )
    page.get_by_role("button", name="Ajouter ce document").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/documents/$"))
    assert "a été ajouté à votre espace" in page.locator(".flash-messages").inner_text()
    assert "Attestation CAF 2026" in page.locator("table").inner_text()
    assert "utilisés sur 200 Mo" in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Attestation CAF 2026", exact=True).click()
    page.wait_for_url(re.compile(r"/espace-citoyen/documents/\d+/$"))
    assert_accessible(page)

    page.get_by_role("link", name="Transmettre ce document à nos services").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/documents/transmettre/"))
    assert page.get_by_label("Attestation CAF 2026 (Attestation CAF / quotient familial)").is_checked()
    assert_accessible(page)
    page.get_by_label("Pôle scolaire").check()
    page.get_by_label("Message au service (facultatif)").fill("Pour le tarif de la cantine.")
    page.get_by_role("button", name="Transmettre").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/documents/$"))
    demarche = user.demarches.get()
    assert demarche.kind == DemarcheKind.DOCUMENT_TRANSMISSION
    assert demarche.service == "scolaire"
    assert f"démarche n° {demarche.number}" in page.locator(".flash-messages").inner_text()
    assert_accessible(page)
