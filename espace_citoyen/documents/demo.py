"""Demo documents for `manage.py seed_demo` (idempotent): the validated demo parent gets
generated PDFs (attestation CAF, avis d'imposition), a scanned-like image (justificatif
de domicile, close to expiry) and one transmission to the Pôle scolaire."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from fpdf import FPDF
from PIL import Image, ImageDraw

from espace_citoyen.accounts.models import User
from espace_citoyen.core.services_map import TownService, ensure_service_groups

from .models import Document, DocumentTransmission, DocumentType
from .services import document_upload, documents_transmit

DEMO_OWNER_EMAIL = "camille.bernard@example.org"


def _pdf(title: str, lines: list[str]) -> bytes:
    pdf = FPDF()
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 12, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    for line in lines:
        pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "I", 9)
    pdf.multi_cell(0, 6, "Document de démonstration généré automatiquement - sans valeur.")
    return bytes(pdf.output())


def _image(text: str) -> bytes:
    image = Image.new("RGB", (900, 600), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 880, 580), outline="black", width=3)
    y = 60
    for line in text.splitlines():
        draw.text((60, y), line, fill="black")
        y += 30
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def seed(*, stdout) -> list:
    ensure_service_groups()
    owner = User.objects.filter(email__iexact=DEMO_OWNER_EMAIL).first()
    if owner is None or Document.objects.filter(owner=owner).exists():
        return []
    today = timezone.localdate()
    year = today.year
    files = [
        (
            "attestation-caf.pdf", DocumentType.CAF_CERTIFICATE, f"Attestation CAF – quotient familial {year}",
            _pdf("Attestation de quotient familial", [
                "Caisse d'allocations familiales des Yvelines", "Allocataire : Camille Bernard",
                f"Quotient familial au 1er janvier {year} : 842 EUR", "78670 Villennes-sur-Seine",
            ]),
            datetime.date(year, 12, 31),
        ),
        (
            "avis-imposition.pdf", DocumentType.TAX_NOTICE, f"Avis d'imposition {year - 1} (revenus {year - 2})",
            _pdf(f"Avis d'impôt {year - 1} sur les revenus {year - 2}", [
                "Direction générale des finances publiques", "Déclarant : Camille Bernard",
                "Revenu fiscal de référence : 48 250 EUR", "Nombre de parts : 3",
            ]),
            None,
        ),
        (
            "facture-electricite.jpg", DocumentType.PROOF_OF_ADDRESS, "Justificatif de domicile (facture d'électricité)",
            _image("FACTURE D'ELECTRICITE\nCamille Bernard\n14 rue de Poissy\n78670 Villennes-sur-Seine\n"
                   "Document de demonstration"),
            today + datetime.timedelta(days=12),
        ),
    ]
    documents = []
    for filename, doc_type, label, content, valid_until in files:
        upload = SimpleUploadedFile(filename, content, content_type="application/octet-stream")
        documents.append(document_upload(user=owner, uploaded_file=upload, doc_type=doc_type, label=label,
                                         valid_until=valid_until))
    if not DocumentTransmission.objects.filter(demarche__user=owner).exists():
        documents_transmit(
            user=owner, documents=documents[:1], service=TownService.SCOLAIRE,
            message="Pour le calcul du tarif de la cantine de mes enfants.",
        )
    return []
