
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import make_citizen, make_pdf, make_png  # noqa: F401 (shared with the tests of this folder)
from espace_citoyen.accounts.models import AccountStatus
from espace_citoyen.documents.models import DocumentType
from espace_citoyen.documents.services import document_upload


def _citizen(email: str, status=AccountStatus.ACTIVE):
    return make_citizen(email, first_name="Alex", last_name="Durand", status=status)


@pytest.fixture
def owner(db):
    return _citizen("alex.durand@example.fr")


@pytest.fixture
def other(db):
    return _citizen("sam.petit@example.fr")


@pytest.fixture
def upload(db):
    """upload(user, content=..., name=..., **fields) -> Document, through the service."""

    def make(user, *, content: bytes | None = None, name: str = "attestation.pdf", label: str = "Attestation CAF",
             doc_type=DocumentType.CAF_CERTIFICATE, valid_until=None):
        file = SimpleUploadedFile(name, content or make_pdf(), content_type="application/pdf")
        return document_upload(user=user, uploaded_file=file, doc_type=doc_type, label=label, valid_until=valid_until)

    return make
