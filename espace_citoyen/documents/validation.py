"""Checks of an uploaded file, by its content (never by its name or the browser's type)."""

import io
import re
import unicodedata

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from espace_citoyen.core.formats import format_size

from .models import DocumentContentType

ALLOWED_FORMATS_TEXT = "PDF, JPEG ou PNG"


def sanitize_filename(name: str, *, extension: str) -> str:
    """A safe display name: no path, no control or special characters, the extension of
    the detected type, 120 characters at most."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = "".join(ch if (ch.isalnum() or ch in " -_()") else "_" for ch in stem)
    stem = re.sub(r"_+", "_", re.sub(r"\s+", " ", stem)).strip(" ._")[:100]
    return f"{stem or 'document'}{extension}"


def inspect_upload(upload) -> str:
    """Return the content type of `upload` (PDF, JPEG or PNG) or raise a French ValidationError."""
    max_bytes = settings.ESPACE_CITOYEN_DOCUMENT_MAX_BYTES
    if not upload.size:
        raise ValidationError("Le fichier envoyé est vide.", code="empty")
    if upload.size > max_bytes:
        raise ValidationError(
            f"Le fichier pèse {format_size(upload.size)} : la taille maximale est de "
            f"{format_size(max_bytes)}. Réduisez-le (numérisation en résolution plus basse, "
            "compression) avant de l'envoyer.",
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(8192)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime not in DocumentContentType.values:
        raise ValidationError(
            f"Ce fichier n'est pas au format {ALLOWED_FORMATS_TEXT} (son contenu a été vérifié, "
            "pas seulement son nom). Enregistrez-le ou numérisez-le dans l'un de ces formats.",
            code="bad_type",
        )
    upload.seek(0)
    if mime == DocumentContentType.PDF:
        _check_pdf(upload)
    else:
        _check_image(upload, mime)
    upload.seek(0)
    return mime


def _check_pdf(upload) -> None:
    try:
        reader = PdfReader(io.BytesIO(upload.read()))
        if reader.is_encrypted:
            raise ValidationError(
                "Ce PDF est protégé par un mot de passe : nos services ne pourraient pas l'ouvrir. "
                "Enregistrez-en une copie sans protection avant de l'envoyer.",
                code="pdf_encrypted",
            )
        if len(reader.pages) < 1:
            raise PyPdfError("no page")
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - any parser failure means an unreadable file
        raise ValidationError(
            "Ce PDF est illisible ou endommagé. Ouvrez-le sur votre appareil, enregistrez-le "
            "à nouveau puis réessayez.",
            code="pdf_unreadable",
        ) from None


def _check_image(upload, mime: str) -> None:
    try:
        with Image.open(upload) as image:
            image.verify()
            detected = Image.MIME.get(image.format)
    except Exception:  # noqa: BLE001 - any decoder failure means an unreadable image
        raise ValidationError(
            "Cette image est illisible ou endommagée. Enregistrez-la à nouveau puis réessayez.",
            code="image_unreadable",
        ) from None
    if detected != mime:
        raise ValidationError(
            f"Ce fichier n'est pas au format {ALLOWED_FORMATS_TEXT}.", code="bad_type",
        )


def check_quota(*, used: int, incoming: int) -> None:
    quota = settings.ESPACE_CITOYEN_VAULT_QUOTA_BYTES
    if used + incoming > quota:
        raise ValidationError(
            f"Votre espace de stockage est presque plein : {format_size(used)} utilisés sur "
            f"{format_size(quota)}, ce fichier pèse {format_size(incoming)}. "
            "Supprimez des documents dont vous n'avez plus besoin, puis réessayez.",
            code="over_quota",
        )

