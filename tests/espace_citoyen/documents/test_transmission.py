import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from espace_citoyen.core.services_map import SERVICE_GROUPS, ensure_service_groups, staff_can_see_service
from espace_citoyen.demarches.models import DemarcheKind, DemarcheStatus
from espace_citoyen.demarches.services import demarche_set_status
from espace_citoyen.documents.models import Document, DocumentTransmission
from espace_citoyen.documents.services import document_delete, documents_transmit


def _agent(email, group_name):
    ensure_service_groups()
    user = get_user_model().objects.create_user(email, "Un-mot-de-passe-solide-42", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def transmitted(owner, upload):
    documents = [upload(owner, label="Attestation CAF"), upload(owner, label="Avis d'imposition")]
    demarche = documents_transmit(user=owner, documents=documents, service="scolaire", message="Pour la cantine.")
    return demarche, documents


def test_transmit_page_opens_a_demarche(client, owner, upload):
    first = upload(owner, label="Attestation CAF")
    upload(owner, label="Autre")
    client.force_login(owner)
    page = client.get(reverse("documents:transmit"), {"document": first.pk}).content.decode()
    assert f'value="{first.pk}" id="id_documents_0" checked' in page or "checked" in page
    response = client.post(reverse("documents:transmit"),
                           {"documents": [first.pk], "service": "regie", "message": "Pour ma facture."})
    assert response.status_code == 302
    demarche = owner.demarches.get()
    assert demarche.kind == DemarcheKind.DOCUMENT_TRANSMISSION
    assert demarche.title == "Transmission de 1 document"
    assert demarche.service == "regie"
    assert demarche.status == DemarcheStatus.SENT
    assert list(demarche.transmission.documents.all()) == [first]
    assert demarche.transmission.message == "Pour ma facture."
    assert Document.objects.filter(pk=first.pk, owner=owner).exists()
    follow = client.get(reverse("documents:list")).content.decode()
    assert f"démarche n° {demarche.number}" in follow


def test_transmit_errors_are_french_and_keep_message(client, owner, upload):
    upload(owner)
    client.force_login(owner)
    response = client.post(reverse("documents:transmit"), {"message": "Mon message gardé"})
    html = response.content.decode()
    assert "Cochez au moins un document à transmettre." in html
    assert "Choisissez le service à qui transmettre vos documents." in html
    assert "Mon message gardé" in html
    assert not owner.demarches.exists()


def test_service_title_counts_documents(transmitted):
    demarche, documents = transmitted
    assert demarche.title == "Transmission de 2 documents"
    assert demarche.transmission.service == "scolaire"
    assert set(demarche.transmission.documents.all()) == set(documents)


def test_transmitting_another_users_document_is_refused(owner, other, upload):
    foreign = upload(other)
    with pytest.raises(ValidationError):
        documents_transmit(user=owner, documents=[foreign], service="population")
    assert not DocumentTransmission.objects.filter(demarche__user=owner).exists()


def test_transmitted_document_cannot_be_deleted_while_demarche_is_open(client, owner, transmitted):
    demarche, documents = transmitted
    client.force_login(owner)
    page = client.get(reverse("documents:delete", args=[documents[0].pk])).content.decode()
    assert "ne peut pas être supprimé pour l&#x27;instant" in page or "ne peut pas être supprimé pour l'instant" in page
    client.post(reverse("documents:delete", args=[documents[0].pk]))
    assert Document.objects.filter(pk=documents[0].pk).exists()
    demarche_set_status(demarche=demarche, status=DemarcheStatus.CLOSED, actor=owner)
    document_delete(user=owner, document=documents[0])
    assert not Document.objects.filter(pk=documents[0].pk).exists()


def test_staff_can_see_service_map(db):
    ensure_service_groups()
    scolaire = _agent("agent.scolaire@ville-villennes-sur-seine.fr", SERVICE_GROUPS["scolaire"])
    assert staff_can_see_service(scolaire, "scolaire")
    assert not staff_can_see_service(scolaire, "regie")
    for name in SERVICE_GROUPS.values():
        group = Group.objects.get(name=name)
        assert group.permissions.filter(codename="access_admin").exists()
        assert group.permissions.filter(codename="view_demarche").exists()


# --- Admin ------------------------------------------------------------------------------


def test_agent_of_the_service_sees_the_documents(client, otp_login, transmitted):
    demarche, documents = transmitted
    agent = _agent("agent.scolaire@ville-villennes-sur-seine.fr", "Pôle scolaire")
    otp_login(client, agent)
    listing = client.get(reverse("documents_admin:transmission_list"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert demarche.number in html
    url = reverse("documents_admin:transmission_document", args=[demarche.pk, documents[0].pk])
    assert url == f"/admin/espace-citoyen/transmissions/{demarche.pk}/documents/{documents[0].pk}/"
    assert url in html
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    download = client.get(url + "?telecharger=1")
    assert download["Content-Disposition"].startswith("attachment;")


def test_superuser_sees_the_documents(client, otp_login, superuser, transmitted):
    demarche, documents = transmitted
    otp_login(client, superuser)
    url = reverse("documents_admin:transmission_document", args=[demarche.pk, documents[1].pk])
    assert client.get(url).status_code == 200


def test_agent_of_another_service_and_editor_do_not(client, otp_login, editor, transmitted):
    demarche, documents = transmitted
    regie = _agent("agent.regie@ville-villennes-sur-seine.fr", "Régie")
    url = reverse("documents_admin:transmission_document", args=[demarche.pk, documents[0].pk])
    otp_login(client, regie)
    assert client.get(url).status_code == 404
    assert demarche.number not in client.get(reverse("documents_admin:transmission_list")).content.decode()
    client.logout()
    otp_login(client, editor)
    assert client.get(url).status_code == 404
    listing = client.get(reverse("documents_admin:transmission_list"))
    assert listing.status_code in (302, 403)
    assert demarche.number.encode() not in listing.content


def test_document_not_in_the_transmission_is_404(client, otp_login, owner, upload, transmitted):
    demarche, _documents = transmitted
    untransmitted = upload(owner, label="Pas transmis")
    agent = _agent("agent.scolaire@ville-villennes-sur-seine.fr", "Pôle scolaire")
    otp_login(client, agent)
    url = reverse("documents_admin:transmission_document", args=[demarche.pk, untransmitted.pk])
    assert client.get(url).status_code == 404


def test_admin_urls_require_login(client, transmitted):
    demarche, documents = transmitted
    for url in (reverse("documents_admin:transmission_list"),
                reverse("documents_admin:transmission_document", args=[demarche.pk, documents[0].pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_citizen_owner_cannot_use_admin_url(client, owner, transmitted):
    demarche, documents = transmitted
    client.force_login(owner)
    response = client.get(reverse("documents_admin:transmission_document", args=[demarche.pk, documents[0].pk]))
    assert response.status_code in (302, 403, 404)
    assert not hasattr(response, "streaming_content")
