import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from espace_citoyen.accounts.models import AccountStatus
from espace_citoyen.documents.models import DocumentType
from espace_citoyen.documents.services import document_upload
from espace_citoyen.family.models import Household, Membership


def make_pdf(text: str = "Attestation", *, encrypt: str | None = None) -> bytes:
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, text)
    data = bytes(pdf.output())
    if encrypt:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        writer.encrypt(encrypt)
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
    return data


def make_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(buffer, format="PNG")
    return buffer.getvalue()


def _citizen(email: str, status=AccountStatus.ACTIVE):
    user = get_user_model().objects.create_user(email, "Un-mot-de-passe-solide-42", first_name="Alex",
                                                last_name="Durand", status=status)
    household = Household.objects.create()
    Membership.objects.create(household=household, user=user)
    return user


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
