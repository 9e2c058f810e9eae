"""Issue 10, item 12: images stored in the vault lose their metadata (EXIF with the GPS
position of a phone photo, device, date), as children's photos do; PDFs are kept as sent."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from espace_citoyen.documents.models import DocumentType
from espace_citoyen.documents.services import document_upload

from .conftest import make_pdf

GPS_IFD = 0x8825


def make_jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), "teal")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 15"  # Model
    exif[0x0112] = 6  # Orientation: rotated 90° clockwise
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (48.0, 56.0, 24.0), 3: "E", 4: (1.0, 59.0, 48.0)})
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, comment=b"Rue des Lilas")
    return buffer.getvalue()


def _store(owner, data: bytes, name: str):
    return document_upload(user=owner, uploaded_file=SimpleUploadedFile(name, data),
                           doc_type=DocumentType.OTHER, label="Pièce")


def test_the_fixture_really_carries_gps_exif():
    with Image.open(io.BytesIO(make_jpeg_with_gps())) as image:
        assert image.getexif().get_ifd(GPS_IFD)[1] == "N"


def test_vault_jpeg_loses_its_exif_and_gps_position(owner):
    document = _store(owner, make_jpeg_with_gps(), "photo.jpg")
    with document.file.open("rb") as stored:
        data = stored.read()
    assert document.size == len(data)
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        exif = image.getexif()
        assert not exif.get_ifd(GPS_IFD) and not len(exif)
        assert "exif" not in image.info and "comment" not in image.info
        assert image.size == (48, 64)  # turned upright by its orientation before it was dropped
    assert b"PhoneMaker" not in data and b"Rue des Lilas" not in data


def test_vault_png_loses_its_text_chunks(owner):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Location", "48.94 N, 1.99 E")
    buffer = io.BytesIO()
    Image.new("RGBA", (20, 10), (1, 2, 3, 128)).save(buffer, format="PNG", pnginfo=info)
    document = _store(owner, buffer.getvalue(), "scan.png")
    with document.file.open("rb") as stored:
        data = stored.read()
    assert b"48.94" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG" and image.mode == "RGBA" and image.size == (20, 10)


def test_vault_pdf_is_kept_byte_for_byte(owner):
    pdf = make_pdf("Attestation d'assurance")
    document = _store(owner, pdf, "attestation.pdf")
    with document.file.open("rb") as stored:
        assert stored.read() == pdf
