import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from espace_citoyen.accounts.models import AccountStatus
from espace_citoyen.activities.models import (
    Activity, BookingRule, Dossier, DossierStatus, RegistrationCampaign, School, SchoolYear,
)
from espace_citoyen.documents.models import DocumentType
from espace_citoyen.family.models import AuthorizedPerson, Child, Household, Membership

from .conftest import assert_accessible

pytestmark = pytest.mark.browser

PASSWORD = "Un-mot-de-passe-solide-42"


def _pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, "Attestation d'assurance scolaire")
    return bytes(pdf.output())


def test_fill_save_and_submit_a_dossier(live_site, browser_page):
    user = get_user_model().objects.create_user(
        "marc.lefort@example.fr", PASSWORD, first_name="Marc", last_name="Lefort", status=AccountStatus.ACTIVE,
    )
    household = Household.objects.create()
    Membership.objects.create(household=household, user=user)
    school = School.objects.create(name="École Navigateur")
    child = Child.objects.create(household=household, first_name="Inès", last_name="Lefort", school=school.name,
                                 school_class="CM1", allergies="Kiwi")
    AuthorizedPerson.objects.create(child=child, name="Jeanne Lefort", relationship="Tante", phone="0611223344")
    year = SchoolYear.objects.create(label="2045-2046", starts_on=datetime.date(2045, 9, 1),
                                     ends_on=datetime.date(2046, 7, 4))
    today = timezone.localdate()
    RegistrationCampaign.objects.create(school_year=year, opens_on=today - datetime.timedelta(days=1),
                                        closes_on=today + datetime.timedelta(days=30))
    rule = BookingRule.objects.create(name="J-2 navigateur", days_before=2, before=datetime.time(10))
    evening = Activity.objects.create(school_year=year, name="Accueil du soir", capacity=30, booking_rule=rule,
                                      required_documents=[DocumentType.INSURANCE_CERTIFICATE])
    evening.schools.add(school)

    page = browser_page
    page.goto(live_site.url + f"/espace-citoyen/enfants/{child.pk}/dossier/2045-2046/")
    page.wait_for_url(re.compile(r"/espace-citoyen/connexion/"))
    page.get_by_label("Identifiant (adresse e-mail)").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Me connecter").click()
    page.wait_for_url(re.compile(r"/dossier/2045-2046/$"))
    assert page.locator("h1").inner_text() == "Dossier d'inscription 2045-2046 – Inès Lefort"
    assert "1 sur 5 éléments complétés" in page.locator("main").inner_text()  # the pick-up person
    assert_accessible(page)

    # Save a draft and come back.
    page.get_by_label("Accueil du soir").check()
    page.get_by_role("group", name=re.compile("photographier")).get_by_label("Oui").check()
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_selector(".flash-messages")
    assert "Votre dossier est enregistré" in page.locator(".flash-messages").inner_text()
    assert page.get_by_label("Accueil du soir").is_checked()
    assert "2 sur 5 éléments complétés" in page.locator("main").inner_text()
    assert_accessible(page)

    # Submitting an incomplete dossier lists what is missing.
    page.get_by_role("button", name="Envoyer le dossier").click()
    page.wait_for_selector("#resume-erreurs")
    missing = page.locator("#resume-erreurs").inner_text()
    assert "Répondez aux trois autorisations" in missing
    assert "Joignez chaque pièce demandée" in missing
    assert_accessible(page)

    page.get_by_label("J'ai vérifié la fiche sanitaire").check()
    page.get_by_role("group", name=re.compile("partir seul")).get_by_label("Non").check()
    page.get_by_role("group", name=re.compile("soigner")).get_by_label("Oui").check()
    page.get_by_label("Ajouter une pièce à mon coffre-fort (facultatif)").set_input_files(
        files=[{"name": "assurance.pdf", "mimeType": "application/pdf", "buffer": _pdf()}]
    )
    page.get_by_label("Type de la pièce ajoutée").select_option(label="Attestation d'assurance")
    page.get_by_label("Nom de la pièce ajoutée").fill("Assurance 2045")
    page.get_by_role("button", name="Envoyer le dossier").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/enfants/dossiers/$"))
    assert "Votre dossier est envoyé au Pôle scolaire" in page.locator(".flash-messages").inner_text()
    assert_accessible(page)
    dossier = Dossier.objects.get(child=child, school_year=year)
    assert dossier.status == DossierStatus.SUBMITTED
    assert dossier.demarche.title == "Dossier d'inscription 2045-2046 – Inès Lefort"
    assert dossier.documents.get().label == "Assurance 2045"
