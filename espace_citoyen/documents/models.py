"""The private document vault of a citizen, and the transmissions of documents to a
town service (each one a démarche).

Files live on the "private" storage under a random name per owner; they are served only
by views that check the owner (citizen) or the service (agents)."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from espace_citoyen.core.services_map import TownService
from espace_citoyen.core.storage import private_storage
from home.choices import ChoiceLabelsMixin


class DocumentType(models.TextChoices):
    MEDICAL_CERTIFICATE = "medical_certificate", _("Certificat médical")
    TAX_NOTICE = "tax_notice", _("Avis d'imposition")
    FAMILY_RECORD_BOOK = "family_record_book", _("Livret de famille")
    CAF_CERTIFICATE = "caf_certificate", _("Attestation CAF / quotient familial")
    PROOF_OF_ADDRESS = "proof_of_address", _("Justificatif de domicile")
    INSURANCE_CERTIFICATE = "insurance_certificate", _("Attestation d'assurance")
    OTHER = "other", _("Autre")


class DocumentContentType(models.TextChoices):
    PDF = "application/pdf", "PDF"
    JPEG = "image/jpeg", "JPEG"
    PNG = "image/png", "PNG"


EXTENSIONS = {
    DocumentContentType.PDF: ".pdf",
    DocumentContentType.JPEG: ".jpg",
    DocumentContentType.PNG: ".png",
}


class ExpiryState(models.TextChoices):
    VALID = "valid", _("Valide")
    EXPIRING = "expiring", _("Expire bientôt")
    EXPIRED = "expired", _("Expiré")


def document_upload_to(instance: "Document", filename: str) -> str:
    """A random name in the owner's folder: the citizen's file name is never used on disk."""
    extension = EXTENSIONS.get(instance.content_type, "")
    return f"documents/{instance.owner_id}/{uuid.uuid4().hex}{extension}"


class Document(ChoiceLabelsMixin, models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="documents", verbose_name=_("titulaire"),
    )
    doc_type = models.CharField(_("type de document"), max_length=30, choices=DocumentType.choices)
    label = models.CharField(_("nom du document"), max_length=120)
    file = models.FileField(_("fichier"), storage=private_storage, upload_to=document_upload_to, max_length=255)
    original_filename = models.CharField(_("nom du fichier envoyé"), max_length=150)
    content_type = models.CharField(_("format"), max_length=30, choices=DocumentContentType.choices)
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    valid_until = models.DateField(_("valable jusqu'au"), null=True, blank=True)
    uploaded_at = models.DateTimeField(_("ajouté le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    expiry_reminder_sent_at = models.DateTimeField(_("rappel d'expiration envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-uploaded_at"]),
            models.Index(fields=["valid_until", "expiry_reminder_sent_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gt=0), name="document_size_positive"),
            models.CheckConstraint(
                condition=models.Q(content_type__in=DocumentContentType.values), name="document_content_type_allowed",
            ),
            models.CheckConstraint(condition=~models.Q(label=""), name="document_label_not_empty"),
        ]

    def __str__(self):
        return self.label

    @property
    def is_image(self) -> bool:
        return self.content_type in (DocumentContentType.JPEG, DocumentContentType.PNG)

    @property
    def is_pdf(self) -> bool:
        return self.content_type == DocumentContentType.PDF

    def expiry_state(self, today: datetime.date | None = None) -> ExpiryState:
        """Expired when valid_until is past, expiring within the warning window, else valid."""
        if self.valid_until is None:
            return ExpiryState.VALID
        today = today or timezone.localdate()
        if self.valid_until < today:
            return ExpiryState.EXPIRED
        if self.valid_until <= today + datetime.timedelta(days=settings.ESPACE_CITOYEN_DOCUMENT_EXPIRY_WARNING_DAYS):
            return ExpiryState.EXPIRING
        return ExpiryState.VALID


class DocumentTransmission(ChoiceLabelsMixin, models.Model):
    """Documents of the vault sent to a town service: the démarche of type "transmission
    de documents". The documents stay in the owner's vault; while the démarche is open the
    owner cannot delete them (see services.document_delete)."""

    demarche = models.OneToOneField(
        "demarches.Demarche", on_delete=models.CASCADE, related_name="transmission", verbose_name=_("démarche"),
    )
    service = models.CharField(_("service"), max_length=30, choices=TownService.choices)
    message = models.TextField(_("message"), blank=True)
    documents = models.ManyToManyField(Document, related_name="transmissions", verbose_name=_("documents"))
    created_at = models.DateTimeField(_("transmise le"), auto_now_add=True)

    class Meta:
        verbose_name = _("transmission de documents")
        verbose_name_plural = _("transmissions de documents")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return str(self.demarche)
