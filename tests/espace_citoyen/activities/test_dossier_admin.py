"""Registration dossiers, agent side: list and review restricted to the Pôle scolaire
(and superusers), decisions with their transitions, démarche and e-mails."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from espace_citoyen.activities.models import Dossier, DossierStatus
from espace_citoyen.activities.selectors.dossiers import validated_activity_ids
from espace_citoyen.activities.services.dossiers import dossier_get_or_create, dossier_set_status, dossier_submit
from espace_citoyen.core.services_map import ensure_service_groups
from espace_citoyen.demarches.models import DemarcheStatus
from espace_citoyen.family.models import AuthorizedPerson

from .test_dossiers import activities, child, make_citizen, parent, school, upload, year  # noqa: F401


def _agent(email, group_name):
    ensure_service_groups()
    user = get_user_model().objects.create_user(email, "Un-mot-de-passe-solide-42", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def scolaire(db):
    return _agent("agent.scolaire@ville-test.fr", "Pôle scolaire")


@pytest.fixture
def population(db):
    return _agent("agent.population@ville-test.fr", "Relations population")


@pytest.fixture
def submitted(parent, child, activities):  # noqa: F811
    canteen, evening, _ = activities
    AuthorizedPerson.objects.create(child=child, name="Mamie Bernard", relationship="Grand-mère", phone="0601020304")
    dossier = dossier_get_or_create(user=parent, child=child, school_year=canteen.school_year)
    dossier.activities.set([canteen, evening])
    dossier.documents.set([upload(parent)])
    dossier.health_confirmed = True
    dossier.photo_consent = dossier.may_leave_alone = dossier.emergency_care_consent = True
    dossier.save()
    return dossier_submit(user=parent, dossier=dossier)


def test_list_and_review_for_pole_scolaire(client, otp_login, scolaire, submitted):
    otp_login(client, scolaire)
    html = client.get(reverse("dossiers_admin:list"), {"q": "chloé"}).content.decode()
    assert "Chloé Bernard" in html
    assert reverse("dossiers_admin:review", args=[submitted.pk]) in html
    assert "Chloé" not in client.get(reverse("dossiers_admin:list"), {"q": "zzz"}).content.decode()
    assert "Chloé" not in client.get(reverse("dossiers_admin:list"), {"school": "Autre école"}).content.decode()
    assert "Chloé" not in client.get(reverse("dossiers_admin:list"), {"status": "validated",
                                                                    "year": submitted.school_year.label}).content.decode()
    assert "Chloé" in client.get(reverse("dossiers_admin:list"), {"year": submitted.school_year.label,
                                                                    "school": submitted.child.school}).content.decode()
    review = client.get(reverse("dossiers_admin:review", args=[submitted.pk]))
    assert review.status_code == 200
    text = review.content.decode()
    assert "Accueil du soir" in text and "Mamie Bernard" in text and "Arachide" in text
    document = submitted.documents.get()
    assert client.get(reverse("dossiers_admin:document", args=[submitted.pk, document.pk])).status_code == 200


def test_other_staff_refused(client, otp_login, population, submitted):
    otp_login(client, population)
    assert client.get(reverse("dossiers_admin:list")).status_code in (302, 403)
    response = client.post(reverse("dossiers_admin:review", args=[submitted.pk]), {"decision": "validate"})
    assert response.status_code in (302, 403)
    document = submitted.documents.get()
    assert client.get(reverse("dossiers_admin:document", args=[submitted.pk, document.pk])).status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == DossierStatus.SUBMITTED


def test_other_staff_refused_on_review_get(client, otp_login, population, submitted):
    otp_login(client, population)
    response = client.get(reverse("dossiers_admin:review", args=[submitted.pk]))
    assert response.status_code in (302, 403)
    assert "Mamie Bernard" not in response.content.decode()


def test_a_draft_is_the_familys_own_until_sent(client, otp_login, scolaire, parent, child, activities):  # noqa: F811
    """Opening the dossier page makes a draft (with last year's documents): the Pôle scolaire
    sees neither it nor its attachments before the family sends it."""
    canteen, _evening, _ = activities
    draft = dossier_get_or_create(user=parent, child=child, school_year=canteen.school_year)
    document = upload(parent)
    draft.documents.set([document])
    otp_login(client, scolaire)
    assert reverse("dossiers_admin:review", args=[draft.pk]) not in client.get(reverse("dossiers_admin:list")).content.decode()
    assert client.get(reverse("dossiers_admin:review", args=[draft.pk])).status_code == 404
    assert client.get(reverse("dossiers_admin:document", args=[draft.pk, document.pk])).status_code == 404


def test_list_filters_are_encoded_in_the_pagination_links(client, otp_login, scolaire, submitted):
    otp_login(client, scolaire)
    response = client.get(reverse("dossiers_admin:list"), {"q": "a&status=validated", "school": "Les Tilleuls"})
    assert response.context["extra_query"] == "school=Les+Tilleuls&q=a%26status%3Dvalidated"


def test_superuser_sees_the_list(client, otp_login, superuser, submitted):
    otp_login(client, superuser)
    assert "Chloé Bernard" in client.get(reverse("dossiers_admin:list")).content.decode()


def test_validate(client, otp_login, scolaire, submitted, parent, django_capture_on_commit_callbacks):  # noqa: F811
    otp_login(client, scolaire)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dossiers_admin:review", args=[submitted.pk]), {"decision": "validate"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == DossierStatus.VALIDATED
    assert submitted.demarche.status == DemarcheStatus.ACCEPTED
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [parent.email]
    assert "validé" in mail.outbox[0].subject
    assert "réserver les jours d'activité de Chloé" in mail.outbox[0].body
    assert validated_activity_ids(child=submitted.child, school_year=submitted.school_year) == set(
        submitted.activities.values_list("pk", flat=True))


def test_refuse_requires_a_reason(client, otp_login, scolaire, submitted, django_capture_on_commit_callbacks):
    otp_login(client, scolaire)
    mail.outbox.clear()
    response = client.post(reverse("dossiers_admin:review", args=[submitted.pk]), {"decision": "refuse"})
    assert response.status_code == 200
    assert "Indiquez le motif du refus." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == DossierStatus.SUBMITTED
    assert not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dossiers_admin:review", args=[submitted.pk]),
                               {"decision": "refuse", "comment": "Enfant non domicilié à Villennes."})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == DossierStatus.REFUSED
    assert submitted.demarche.status == DemarcheStatus.REFUSED
    assert "Motif du refus : Enfant non domicilié à Villennes." in mail.outbox[0].body


def test_ask_completion_then_parent_resubmits(client, otp_login, scolaire, submitted, parent,  # noqa: F811
                                              django_capture_on_commit_callbacks):
    otp_login(client, scolaire)
    mail.outbox.clear()
    response = client.post(reverse("dossiers_admin:review", args=[submitted.pk]), {"decision": "to_complete"})
    assert "Indiquez aux parents ce qu'il faut compléter." in response.content.decode().replace("&#x27;", "'")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dossiers_admin:review", args=[submitted.pk]),
                               {"decision": "to_complete", "comment": "L'attestation d'assurance est illisible."})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == DossierStatus.TO_COMPLETE
    assert submitted.demarche.status == DemarcheStatus.TO_COMPLETE
    assert "L'attestation d'assurance est illisible." in mail.outbox[0].body
    # The parent may edit and send again: the same démarche goes back to "envoyée".
    number = submitted.demarche.number
    client.force_login(parent)
    page = client.get(reverse("activities:dossier_edit", args=[submitted.child.pk, submitted.school_year.label]))
    assert "Envoyer à nouveau le dossier" in page.content.decode()
    dossier_submit(user=parent, dossier=submitted)
    submitted.refresh_from_db()
    assert submitted.status == DossierStatus.SUBMITTED
    assert submitted.demarche.number == number
    assert submitted.demarche.status == DemarcheStatus.SENT


def test_transition_map_enforced(scolaire, submitted):
    dossier_set_status(dossier=submitted, status=DossierStatus.VALIDATED, actor=scolaire)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="ne peut pas passer"):
        dossier_set_status(dossier=submitted, status=DossierStatus.REFUSED, actor=scolaire, comment="Non")
    assert Dossier.objects.get(pk=submitted.pk).status == DossierStatus.VALIDATED
