"""Registration dossiers, citizen side: campaign window, scoping, progress, draft, submit,
re-registration, documents of the household only, and the booking helper."""

import datetime
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from espace_citoyen.accounts.models import AccountStatus
from espace_citoyen.activities.models import (
    Activity, BookingRule, Dossier, DossierStatus, RegistrationCampaign, School, SchoolYear,
)
from espace_citoyen.activities.selectors.dossiers import dossier_progress, validated_activity_ids
from espace_citoyen.activities.services.dossiers import dossier_get_or_create, dossier_set_status
from espace_citoyen.demarches.models import DemarcheKind, DemarcheStatus
from espace_citoyen.documents.models import Document, DocumentType
from espace_citoyen.documents.services import document_upload
from espace_citoyen.family.models import AuthorizedPerson, Child, Membership
from tests import factories
from tests.factories import make_pdf

YEAR = "2040-2041"
PASSWORD = "Un-mot-de-passe-solide-42"


def make_citizen(email, *, status=AccountStatus.ACTIVE, household=None):
    return factories.make_citizen(email, first_name="Claire", last_name="Bernard", status=status, household=household)


def upload(user, doc_type=DocumentType.INSURANCE_CERTIFICATE, label="Attestation d'assurance"):
    file = SimpleUploadedFile("attestation.pdf", make_pdf(), content_type="application/pdf")
    return document_upload(user=user, uploaded_file=file, doc_type=doc_type, label=label)


def make_year(label, *, opens_delta=-5, closes_delta=20):
    first = int(label[:4])
    year = SchoolYear.objects.create(label=label, starts_on=datetime.date(first, 9, 1),
                                     ends_on=datetime.date(first + 1, 7, 4))
    today = timezone.localdate()
    RegistrationCampaign.objects.create(school_year=year, opens_on=today + datetime.timedelta(days=opens_delta),
                                        closes_on=today + datetime.timedelta(days=closes_delta))
    return year


def make_activities(year, school):
    rule, _ = BookingRule.objects.get_or_create(name="J-2 test", defaults={"days_before": 2,
                                                                         "before": datetime.time(10)})
    canteen = Activity.objects.create(school_year=year, name="Restauration scolaire", weekdays=[0, 1, 3, 4],
                                      capacity=100, booking_rule=rule)
    canteen.schools.add(school)
    evening = Activity.objects.create(school_year=year, name="Accueil du soir", weekdays=[0, 1, 3, 4], capacity=30,
                                      booking_rule=rule, required_documents=[DocumentType.INSURANCE_CERTIFICATE])
    evening.schools.add(school)
    other_school = School.objects.create(name=f"École des Tests {year.label}")
    elsewhere = Activity.objects.create(school_year=year, name="Étude surveillée", capacity=20, booking_rule=rule)
    elsewhere.schools.add(other_school)
    return canteen, evening, elsewhere


@pytest.fixture
def school(db):
    return School.objects.create(name="École Test des Tilleuls")


@pytest.fixture
def year(db):
    return make_year(YEAR)


@pytest.fixture
def activities(year, school):
    return make_activities(year, school)


@pytest.fixture
def parent(db):
    return make_citizen("claire.bernard@example.fr")


@pytest.fixture
def child(parent, school):
    household = parent.memberships.get().household
    return Child.objects.create(household=household, first_name="Chloé", last_name="Bernard",
                                school=school.name, school_class="CE1", allergies="Arachide")


@pytest.fixture
def stranger(db):
    return make_citizen("sam.petit@example.fr")


def url(child, label=YEAR):
    return reverse("activities:dossier_edit", args=[child.pk, label])


def complete_post(activities, documents, **extra):
    canteen, evening, _elsewhere = activities
    data = {"activities": [canteen.pk, evening.pk], "health_notes": "Asthme léger", "health_confirmed": "on",
            "photo_consent": "oui", "may_leave_alone": "non", "emergency_care_consent": "oui",
            "documents": [d.pk for d in documents]}
    data.update(extra)
    return data


def test_urls():
    assert reverse("activities:dossier_list") == "/espace-citoyen/enfants/dossiers/"
    assert reverse("activities:dossier_edit", args=[7, "2027-2028"]) == "/espace-citoyen/enfants/7/dossier/2027-2028/"


def test_another_household_gets_404(client, child, activities, stranger):
    client.force_login(stranger)
    assert client.get(url(child)).status_code == 404
    assert client.post(url(child), {"save": "1"}).status_code == 404
    assert not Dossier.objects.filter(child=child).exists()
    page = client.get(reverse("activities:dossier_list")).content.decode()
    assert "Chloé" not in page


def test_anonymous_redirected_to_login(client, child, activities):
    response = client.get(url(child))
    assert response.status_code == 302
    assert "connexion" in response["Location"] or "login" in response["Location"]


def test_pending_account_refused(client, school, activities):
    pending = make_citizen("en.attente@example.fr", status=AccountStatus.PENDING)
    kid = Child.objects.create(household=pending.memberships.get().household, first_name="Léo", last_name="Martin",
                               school=school.name)
    client.force_login(pending)
    for address in (url(kid), reverse("activities:dossier_list")):
        response = client.get(address)
        assert response.status_code == 403
        assert "en attente de validation" in response.content.decode()
    assert not Dossier.objects.filter(child=kid).exists()


def test_campaign_not_open_yet(client, parent, child, school):
    year = make_year("2041-2042", opens_delta=10, closes_delta=40)
    make_activities(year, school)
    client.force_login(parent)
    response = client.get(url(child, "2041-2042"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Les inscriptions pour 2041-2042 ouvrent le" in html
    assert "Envoyer le dossier" not in html
    assert client.post(url(child, "2041-2042"), {"save": "1"}).status_code == 200
    assert not Dossier.objects.filter(child=child).exists()


def test_campaign_closed(client, parent, child, school):
    year = make_year("2042-2043", opens_delta=-40, closes_delta=-2)
    make_activities(year, school)
    client.force_login(parent)
    html = client.get(url(child, "2042-2043")).content.decode()
    assert "Les inscriptions pour 2042-2043 sont closes depuis le" in html
    assert "Envoyer le dossier" not in html


def test_unknown_year_is_404(client, parent, child):
    client.force_login(parent)
    assert client.get(url(child, "1990-1991")).status_code == 404


def test_form_offers_only_activities_of_the_childs_school(client, parent, child, activities):
    client.force_login(parent)
    html = client.get(url(child)).content.decode()
    assert "Restauration scolaire" in html
    assert "Accueil du soir" in html
    assert "Étude surveillée" not in html
    assert "0 sur 5 éléments complétés" in html
    assert "Arachide" in html  # health sheet pre-filled from the child


def test_save_draft_and_come_back(client, parent, child, activities):
    canteen = activities[0]
    client.force_login(parent)
    response = client.post(url(child), {"activities": [canteen.pk], "health_notes": "Lunettes",
                                        "photo_consent": "non", "save": "1"})
    assert response.status_code == 302
    dossier = Dossier.objects.get(child=child)
    assert dossier.status == DossierStatus.DRAFT
    assert list(dossier.activities.all()) == [canteen]
    assert dossier.photo_consent is False
    assert dossier.may_leave_alone is None
    html = client.get(url(child)).content.decode()
    assert "Lunettes" in html
    assert f'value="{canteen.pk}" id="id_activities_' in html and "checked" in html
    assert "2 sur 5 éléments complétés" in html  # activities, and documents (none asked for the canteen)


def test_progress_counts_five_elements(parent, child, activities):
    canteen, evening, _ = activities
    dossier = dossier_get_or_create(user=parent, child=child, school_year=canteen.school_year)
    assert dossier_progress(dossier=dossier, child=child)["label"] == "0 sur 5 éléments complétés"
    dossier.activities.set([canteen])
    dossier.health_confirmed = True
    dossier.photo_consent = dossier.may_leave_alone = dossier.emergency_care_consent = True
    dossier.save()
    assert dossier_progress(dossier=dossier, child=child)["label"] == "4 sur 5 éléments complétés"
    AuthorizedPerson.objects.create(child=child, name="Mamie Bernard", relationship="Grand-mère", phone="0601020304")
    assert dossier_progress(dossier=dossier, child=child)["label"] == "5 sur 5 éléments complétés"
    dossier.activities.add(evening)  # the evening care asks for an insurance certificate
    assert dossier_progress(dossier=dossier, child=child)["label"] == "4 sur 5 éléments complétés"


def test_list_page_shows_progress_per_child(client, parent, child, activities):
    client.force_login(parent)
    html = client.get(reverse("activities:dossier_list")).content.decode()
    assert "Chloé Bernard" in html
    assert "0 sur 5 éléments complétés" in html
    assert "Commencer le dossier" in html


def test_submit_incomplete_lists_missing_and_keeps_data(client, parent, child, activities):
    client.force_login(parent)
    response = client.post(url(child), {"activities": [activities[1].pk], "health_notes": "Gardé",
                                        "submit": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "ne peut pas encore être envoyé" in html
    assert "Vérifiez la fiche sanitaire et cochez la case de confirmation." in html
    assert "Répondez aux trois autorisations" in html
    assert "Ajoutez au moins une personne autorisée" in html
    assert "Joignez chaque pièce demandée" in html
    assert "Gardé" in html
    dossier = Dossier.objects.get(child=child)
    assert dossier.status == DossierStatus.DRAFT
    assert dossier.demarche is None
    assert dossier.health_notes == "Gardé"


def test_submit_creates_the_demarche(client, parent, child, activities):
    AuthorizedPerson.objects.create(child=child, name="Mamie Bernard", relationship="Grand-mère", phone="0601020304")
    insurance = upload(parent)
    client.force_login(parent)
    response = client.post(url(child), complete_post(activities, [insurance], submit="1"))
    assert response.status_code == 302
    dossier = Dossier.objects.get(child=child)
    assert dossier.status == DossierStatus.SUBMITTED
    assert dossier.submitted_at is not None
    demarche = dossier.demarche
    assert demarche.kind == DemarcheKind.REGISTRATION
    assert demarche.service == "scolaire"
    assert demarche.status == DemarcheStatus.SENT
    assert demarche.user == parent
    assert demarche.title == f"Dossier d'inscription {YEAR} – Chloé Bernard"
    follow = client.get(response["Location"]).content.decode()
    assert f"démarche n° {demarche.number}" in follow
    # Sent: read-only now.
    html = client.get(url(child)).content.decode()
    assert "Envoyer le dossier" not in html
    assert "Envoyé" in html


def test_upload_in_the_same_step(client, parent, child, activities):
    AuthorizedPerson.objects.create(child=child, name="Mamie Bernard", relationship="Grand-mère", phone="0601020304")
    client.force_login(parent)
    data = complete_post(activities, [], submit="1")
    data.update(new_file=SimpleUploadedFile("assurance.pdf", make_pdf(), content_type="application/pdf"),
                new_doc_type=DocumentType.INSURANCE_CERTIFICATE, new_label="Assurance scolaire 2040")
    response = client.post(url(child), data)
    assert response.status_code == 302
    document = Document.objects.get(owner=parent, label="Assurance scolaire 2040")
    dossier = Dossier.objects.get(child=child)
    assert list(dossier.documents.all()) == [document]
    assert dossier.status == DossierStatus.SUBMITTED


def test_upload_without_type_is_refused_in_french(client, parent, child, activities):
    client.force_login(parent)
    data = {"health_notes": "Conservé", "save": "1",
            "new_file": SimpleUploadedFile("assurance.pdf", make_pdf(), content_type="application/pdf")}
    html = client.post(url(child), data).content.decode()
    assert "Choisissez le type de la pièce ajoutée." in html
    assert "Donnez un nom à la pièce ajoutée." in html
    assert "Conservé" in html
    assert not Document.objects.filter(owner=parent).exists()


def test_only_own_documents_are_offered_and_accepted(client, parent, child, activities, stranger):
    """Issue 10, item 7: a co-parent's vault is private. The picker lists only the caller's
    own documents; the other parent's and a stranger's are refused."""
    co_parent = make_citizen("paul.bernard@example.fr", household=parent.memberships.get().household)
    mine = upload(parent, label="Mon attestation")
    theirs = upload(co_parent, label="Attestation de Paul")
    foreign = upload(stranger)
    client.force_login(parent)
    page = unescape(client.get(url(child)).content.decode())
    assert "Mon attestation" in page and "Attestation de Paul" not in page
    assert "Seuls les documents de votre coffre-fort vous sont proposés" in page
    assert "les autres adultes de votre foyer la verront dans ce dossier" in page
    for document in (foreign, theirs):
        response = client.post(url(child), {"documents": [document.pk], "health_notes": "Gardé", "save": "1"})
        assert response.status_code == 200
        assert "Ce document n'est pas dans votre coffre-fort." in unescape(response.content.decode())
        assert not Dossier.objects.get(child=child).documents.exists()
    response = client.post(url(child), {"documents": [mine.pk], "save": "1"})
    assert response.status_code == 302
    assert list(Dossier.objects.get(child=child).documents.all()) == [mine]


def test_a_document_attached_by_one_parent_is_shared_as_part_of_the_dossier(client, parent, child, activities):
    """The co-parent sees, in the dossier they share, the piece the other parent attached
    (named as such), keeps it when saving, and may not pick the other parent's other documents."""
    co_parent = make_citizen("paul.bernard@example.fr", household=parent.memberships.get().household)
    mine = upload(parent, label="Mon attestation")
    other = upload(parent, label="Mon livret de famille")
    client.force_login(parent)
    assert client.post(url(child), {"documents": [mine.pk], "save": "1"}).status_code == 302
    client.force_login(co_parent)
    page = unescape(client.get(url(child)).content.decode())
    assert "Mon attestation" in page and "jointe au dossier par" in page
    assert "Mon livret de famille" not in page
    response = client.post(url(child), {"documents": [mine.pk], "health_notes": "Rien", "save": "1"})
    assert response.status_code == 302
    assert list(Dossier.objects.get(child=child).documents.all()) == [mine]
    response = client.post(url(child), {"documents": [mine.pk, other.pk], "save": "1"})
    assert response.status_code == 200
    assert list(Dossier.objects.get(child=child).documents.all()) == [mine]


def test_activity_of_another_school_refused(client, parent, child, activities):
    client.force_login(parent)
    response = client.post(url(child), {"activities": [activities[2].pk], "save": "1"})
    assert response.status_code == 200
    assert "Choisissez des activités dans la liste proposée." in response.content.decode()


def test_reregistration_prefilled_from_last_year(client, parent, child, school):
    last_year = make_year("2039-2040", opens_delta=-400, closes_delta=-300)
    old_canteen, _old_evening, _ = make_activities(last_year, school)
    previous = Dossier.objects.create(child=child, school_year=last_year, status=DossierStatus.VALIDATED,
                                      health_notes="Allergie au pollen", photo_consent=True, may_leave_alone=False,
                                      emergency_care_consent=True)
    previous.activities.set([old_canteen])
    year = make_year(YEAR)
    canteen, evening, _ = make_activities(year, school)
    client.force_login(parent)
    html = client.get(url(child)).content.decode()
    assert "pré-rempli avec le dossier 2039-2040" in html
    dossier = Dossier.objects.get(child=child, school_year=year)
    assert list(dossier.activities.all()) == [canteen]
    assert dossier.health_notes == "Allergie au pollen"
    assert (dossier.photo_consent, dossier.may_leave_alone, dossier.emergency_care_consent) == (True, False, True)
    assert dossier.status == DossierStatus.DRAFT
    assert "Allergie au pollen" in html


def test_validated_activity_ids(parent, child, activities):
    canteen, evening, _ = activities
    dossier = dossier_get_or_create(user=parent, child=child, school_year=canteen.school_year)
    dossier.activities.set([canteen])
    assert validated_activity_ids(child=child, school_year=canteen.school_year) == set()
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.VALIDATED)
    assert validated_activity_ids(child=child, school_year=canteen.school_year) == {canteen.pk}


def test_transitions_checked(parent, child, activities):
    dossier = dossier_get_or_create(user=parent, child=child, school_year=activities[0].school_year)
    with pytest.raises(ValidationError, match="ne peut pas passer"):
        dossier_set_status(dossier=dossier, status=DossierStatus.VALIDATED, actor=parent)


def _submitted_dossier(client, parent, child, activities):
    AuthorizedPerson.objects.create(child=child, name="Mamie Bernard", relationship="Grand-mère", phone="0601020304")
    insurance = upload(parent)
    client.force_login(parent)
    assert client.post(url(child), complete_post(activities, [insurance], submit="1")).status_code == 302
    return Dossier.objects.get(child=child), insurance


def test_refused_dossier_corrected_and_sent_again(client, parent, child, activities, django_capture_on_commit_callbacks,
                                                   mailoutbox):
    dossier, insurance = _submitted_dossier(client, parent, child, activities)
    first_demarche = dossier.demarche
    agent = get_user_model().objects.create_user("agent.dossiers@ville-villennes-sur-seine.fr", PASSWORD,
                                                 is_staff=True, status=AccountStatus.ACTIVE)
    with django_capture_on_commit_callbacks(execute=True):
        dossier_set_status(dossier=dossier, status=DossierStatus.REFUSED, actor=agent,
                           comment="L'attestation d'assurance ne couvre pas les activités périscolaires.")
    assert "Motif du refus : L'attestation d'assurance ne couvre pas" in mailoutbox[-1].body

    # The list and the dossier page say why, and offer the correction.
    listing = unescape(client.get(reverse("activities:dossier_list")).content.decode())
    assert "Corriger et renvoyer le dossier" in listing
    assert "ne couvre pas les activités périscolaires" in listing
    page = unescape(client.get(url(child)).content.decode())
    assert "Le Pôle scolaire a refusé ce dossier." in page
    assert "Motif : L'attestation d'assurance ne couvre pas les activités périscolaires." in page
    assert "Envoyer à nouveau le dossier" in page
    assert 'name="health_notes"' in page  # the form, not the read-only page

    # The parent joins a new certificate and sends it again: a new démarche carries it on.
    better = upload(parent, label="Attestation d'assurance périscolaire")
    response = client.post(url(child), complete_post(activities, [better], submit="1"))
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED
    assert dossier.decision_comment == ""
    assert list(dossier.documents.all()) == [better]
    assert dossier.demarche != first_demarche
    assert dossier.demarche.status == DemarcheStatus.SENT
    first_demarche.refresh_from_db()
    assert first_demarche.status == DemarcheStatus.REFUSED
    assert "Dossier corrigé et envoyé à nouveau" in " ".join(dossier.demarche.events.values_list("comment", flat=True))
    # Back in the agents' queue, read-only for the parent.
    assert "Envoyer à nouveau le dossier" not in client.get(url(child)).content.decode()


def test_refused_dossier_read_only_once_the_campaign_is_closed(client, parent, child, activities):
    dossier, _insurance = _submitted_dossier(client, parent, child, activities)
    dossier_set_status(dossier=dossier, status=DossierStatus.REFUSED, actor=parent, comment="Pièces illisibles.")
    RegistrationCampaign.objects.filter(school_year=dossier.school_year).update(
        opens_on=timezone.localdate() - datetime.timedelta(days=30),
        closes_on=timezone.localdate() - datetime.timedelta(days=1))
    page = unescape(client.get(url(child)).content.decode())
    assert "Motif : Pièces illisibles." in page
    assert "sont closes depuis" in page
    assert 'name="health_notes"' not in page
    response = client.post(url(child), complete_post(activities, [], save="1"))
    assert response.status_code == 200
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.REFUSED
    assert dossier.health_notes == "Asthme léger"  # unchanged by the refused POST
    assert "Corriger et renvoyer" not in client.get(reverse("activities:dossier_list")).content.decode()


def test_completion_comment_shown_on_the_dossier(client, parent, child, activities):
    dossier, _insurance = _submitted_dossier(client, parent, child, activities)
    dossier_set_status(dossier=dossier, status=DossierStatus.TO_COMPLETE, actor=parent,
                       comment="Merci d'ajouter le numéro du médecin traitant.")
    page = unescape(client.get(url(child)).content.decode())
    assert "Le Pôle scolaire vous demande de compléter ce dossier." in page
    assert "Merci d'ajouter le numéro du médecin traitant." in page
    assert "Compléter le dossier" in client.get(reverse("activities:dossier_list")).content.decode()


def test_reregistration_carries_over_valid_documents(client, parent, child, school):
    last_year = make_year("2039-2040", opens_delta=-400, closes_delta=-300)
    old_canteen, old_evening, _ = make_activities(last_year, school)
    insurance = upload(parent)
    family_book = upload(parent, doc_type=DocumentType.FAMILY_RECORD_BOOK, label="Livret de famille")
    expired = upload(parent, doc_type=DocumentType.MEDICAL_CERTIFICATE, label="Certificat médical 2039")
    Document.objects.filter(pk=expired.pk).update(valid_until=timezone.localdate() - datetime.timedelta(days=1))
    other_parent = make_citizen("marc.bernard@example.fr", household=child.household)
    theirs = upload(other_parent, label="Attestation de Marc")
    previous = Dossier.objects.create(child=child, school_year=last_year, status=DossierStatus.VALIDATED)
    previous.activities.set([old_canteen, old_evening])
    previous.documents.set([insurance, family_book, expired, theirs])
    # Marc left the household since: his document is no longer the family's.
    Membership.objects.filter(user=other_parent).delete()

    year = make_year(YEAR)
    make_activities(year, school)
    client.force_login(parent)
    page = unescape(client.get(url(child)).content.decode())
    dossier = Dossier.objects.get(child=child, school_year=year)
    assert set(dossier.documents.all()) == {insurance, family_book}
    assert "Les pièces encore valables ont été reprises." in page
    assert "Certificat médical 2039" in page and "ont expiré et n'ont pas été reprises" in page
    # The carried-over insurance certificate counts for the evening care's required document.
    progress = dossier_progress(dossier=dossier, child=child)
    assert next(e for e in progress["elements"] if e.key == "documents").done


def test_a_validated_dossier_shows_what_the_town_validated(client, parent, child, activities,
                                                           django_capture_on_commit_callbacks):
    """Once validated, no to-do list ("3 sur 5 éléments complétés", "à compléter") any more:
    the date and what the Pôle scolaire validated, on the list and on the dossier."""
    AuthorizedPerson.objects.create(child=child, name="Mamie Bernard", relationship="Grand-mère", phone="0601020304")
    insurance = upload(parent)
    client.force_login(parent)
    client.post(url(child), complete_post(activities, [insurance], submit="1"))
    dossier = Dossier.objects.get(child=child)
    dossier_set_status(dossier=dossier, status=DossierStatus.VALIDATED, actor=parent)
    for page in (client.get(reverse("activities:dossier_list")), client.get(url(child))):
        html = page.content.decode()
        assert "Dossier validé par le Pôle scolaire le " in html
        assert "éléments complétés" not in html and "à compléter" not in html
        assert '<dl class="dossier-validated">' in html
        for text in ("Accueil du soir, Restauration scolaire", "Autorisation de photographier", "1 personne",
                     "Attestation d&#x27;assurance (Attestation d&#x27;assurance)"):
            assert text in html, text
    dossier.refresh_from_db()
    progress = dossier_progress(dossier=dossier, child=child)
    assert progress["validated"] and progress["validated_on"] is not None
