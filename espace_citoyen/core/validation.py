"""Checks of what citizens type or upload, shared by the citizen-space forms.
Each raises a ValidationError with a French message."""

import io

import phonenumbers
from django import forms
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
PHOTO_MAX_SIDE = 600
INVALID_PHONE = _("Numéro de téléphone invalide, par exemple 01 39 08 25 40")
SINGLE_LINE = _("Ce champ tient sur une seule ligne : retirez les retours à la ligne et les tabulations.")


def validate_single_line(value: str) -> None:
    """Names end up in e-mail subjects and CSV cells: no line break nor control character."""
    if value and any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise forms.ValidationError(SINGLE_LINE, code="single_line")


def clean_phone_number(value: str) -> str:
    """A French (or international, with +) number, written the usual way: "01 39 08 25 40"."""

    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "FR")
    except phonenumbers.NumberParseException:
        raise forms.ValidationError(INVALID_PHONE, code="invalid_phone") from None
    if not phonenumbers.is_valid_number(number):
        raise forms.ValidationError(INVALID_PHONE, code="invalid_phone")
    if phonenumbers.region_code_for_number(number) == "FR":
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def process_photo(upload):
    """Checks an uploaded photo with Pillow (JPEG or PNG, 5 Mo at most, really an image)
    and returns it re-encoded as a JPEG of at most 600 px, without its metadata (EXIF:
    position, device)."""

    invalid = forms.ValidationError(
        _("Le fichier n'est pas une photo lisible. Choisissez une image JPEG ou PNG."), code="invalid_image"
    )
    if upload.size > PHOTO_MAX_BYTES:
        raise forms.ValidationError(_("La photo dépasse 5 Mo : choisissez une image plus légère."), code="too_big")
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            if probe.format not in ("JPEG", "PNG"):
                raise forms.ValidationError(_("La photo doit être au format JPEG ou PNG."), code="format")
            if probe.width * probe.height > PHOTO_MAX_PIXELS:
                raise invalid
            probe.verify()
        data = reencode_image(upload, image_format="JPEG", max_side=PHOTO_MAX_SIDE, quality=85)
    except forms.ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise invalid from None
    return ContentFile(data, name="photo.jpg")


def reencode_image(source, *, image_format: str, max_side: int | None = None, quality: int = 90) -> bytes:
    """An image checked beforehand (Pillow's verify()), decoded and encoded again without its
    metadata — EXIF (GPS position, device, date), XMP, comments, PNG text chunks: none is
    passed to save() — turned upright by its EXIF orientation, fitted within ``max_side``
    pixels when given. JPEG or PNG; the colour profile (ICC) is kept. Used for the children's
    and sign-up photos (process_photo) and the images of the document vault."""
    source.seek(0)
    with Image.open(source) as image:  # verify() leaves an image unusable: reopen
        icc_profile = image.info.get("icc_profile")
        image = ImageOps.exif_transpose(image)
        if max_side:
            image.thumbnail((max_side, max_side))
        image.info = {}  # Pillow writes some of it back by default (a JPEG comment...)
        options = {"icc_profile": icc_profile} if icc_profile else {}
        if image_format == "JPEG":
            image = image.convert("RGB") if image.mode not in ("RGB", "L") else image
            options.update(quality=quality, optimize=True)
        elif image.mode not in ("RGB", "RGBA", "L", "LA", "P", "1", "I;16"):
            image = image.convert("RGBA")
        output = io.BytesIO()
        image.save(output, format=image_format, **options)
    return output.getvalue()
