"""Démarches of type "transmission de documents" (documents app): the documents appear on
the citizen's page and on the agent's page, and only there."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories
from espace_citoyen.demarches.models import DemarcheService

pytestmark = pytest.mark.django_db


def make_pdf() -> bytes:
    return factories.make_pdf("Avis d'imposition")


@pytest.fixture
def transmitted(citizen):
    documents = pytest.importorskip("espace_citoyen.documents.services")
    from espace_citoyen.documents.models import DocumentType

    document = documents.document_upload(
        user=citizen, uploaded_file=SimpleUploadedFile("avis.pdf", make_pdf(), content_type="application/pdf"),
        doc_type=DocumentType.values[0], label="Avis d'imposition 2025",
    )
    demarche = documents.documents_transmit(user=citizen, documents=[document], service=DemarcheService.SCOLAIRE,
                                            message="Pour le quotient")
    return demarche, document


def test_citizen_sees_the_transmitted_documents(client, citizen, other_citizen, transmitted):
    demarche, document = transmitted
    client.force_login(citizen)
    content = client.get(f"/espace-citoyen/demarches/{demarche.number}/").content.decode()
    assert "Documents transmis" in content
    assert f'href="/espace-citoyen/documents/{document.pk}/"' in content
    client.force_login(other_citizen)
    assert client.get(f"/espace-citoyen/demarches/{demarche.number}/").status_code == 404


def test_agents_of_the_service_only_see_the_documents(client, otp_login, agent_scolaire, agent_population,
                                                      transmitted):
    demarche, document = transmitted
    otp_login(client, agent_scolaire)
    content = client.get(f"/admin/espace-citoyen/demarches/{demarche.pk}/").content.decode()
    assert "Avis d&#x27;imposition 2025" in content
    assert f"/documents/{document.pk}/" in content
    otp_login(client, agent_population)
    assert client.get(f"/admin/espace-citoyen/demarches/{demarche.pk}/").status_code == 404
