"""Every write on the vault and on transmissions."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from espace_citoyen.core.emails import send_templated_email
from espace_citoyen.core.services_map import TownService
from espace_citoyen.core.validation import reencode_image
from espace_citoyen.demarches.models import Demarche, DemarcheKind
from espace_citoyen.demarches.services import demarche_open

from . import selectors
from .models import EXTENSIONS, Document, DocumentContentType, DocumentTransmission, DocumentType
from .validation import check_quota, inspect_upload, sanitize_filename


IMAGE_FORMATS = {DocumentContentType.JPEG: "JPEG", DocumentContentType.PNG: "PNG"}


@transaction.atomic
def document_upload(*, user, uploaded_file, doc_type: DocumentType, label: str,
                    valid_until: datetime.date | None = None) -> Document:
    """Check `uploaded_file` by its content and the quota, then store it in `user`'s vault."""
    content_type = inspect_upload(uploaded_file)
    name = uploaded_file.name
    if content_type != DocumentContentType.PDF:
        # Images lose their metadata (EXIF: GPS position of a phone photo, device, date), as
        # children's photos do; PDFs are kept as sent.
        try:
            data = reencode_image(uploaded_file, image_format=IMAGE_FORMATS[content_type])
        except Exception:  # noqa: BLE001 - any decoder failure means an unreadable image
            raise ValidationError("Cette image est illisible ou endommagée. Enregistrez-la à nouveau puis "
                                  "réessayez.", code="image_unreadable") from None
        uploaded_file = ContentFile(data, name=name)
    # Lock the owner's row so two simultaneous uploads cannot both pass the quota.
    get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
    check_quota(used=selectors.vault_usage(user=user), incoming=uploaded_file.size)
    document = Document(
        owner=user, doc_type=doc_type, label=label.strip(), content_type=content_type, size=uploaded_file.size,
        original_filename=sanitize_filename(name, extension=EXTENSIONS[content_type]),
        valid_until=valid_until,
    )
    uploaded_file.seek(0)
    document.file.save("upload", uploaded_file, save=False)
    try:
        document.save()
    except Exception:
        document.file.storage.delete(document.file.name)
        raise
    return document


@transaction.atomic
def document_update(*, user, document: Document, label: str, doc_type: DocumentType,
                    valid_until: datetime.date | None) -> Document:
    """Rename a document, change its type or validity date (a new date re-arms the reminder)."""
    document = selectors.document_for(user=user, document_id=document.pk)
    if document.valid_until != valid_until:
        document.expiry_reminder_sent_at = None
    document.label = label.strip()
    document.doc_type = doc_type
    document.valid_until = valid_until
    document.save(update_fields=["label", "doc_type", "valid_until", "expiry_reminder_sent_at", "updated_at"])
    return document


@transaction.atomic
def document_delete(*, user, document: Document) -> None:
    """Delete a document and its file, unless a démarche being handled still uses it."""
    document = selectors.document_for(user=user, document_id=document.pk)
    open_transmissions = list(selectors.document_open_transmissions(document=document))
    if open_transmissions:
        numbers = ", ".join(t.demarche.number for t in open_transmissions)
        raise ValidationError(
            f"Ce document a été transmis à nos services (démarche {numbers}) : vous pourrez le supprimer "
            "quand cette démarche sera terminée."
        )
    document.delete()  # signals.delete_document_file removes the file after the commit


@transaction.atomic
def documents_transmit(*, user, documents: list[Document], service: TownService, message: str = "") -> Demarche:
    """Send documents of `user`'s vault to a town service: opens a démarche "transmission de
    documents" that the service's agents see in the admin. The documents stay in the vault."""
    ids = {document.pk for document in documents}
    owned = list(selectors.documents_for(user=user).filter(pk__in=ids))
    if not ids or len(owned) != len(ids):
        raise ValidationError("Choisissez au moins un document de votre espace.")
    service = TownService(service)
    count = len(owned)
    title = f"Transmission de {count} document{'s' if count > 1 else ''}"
    comment = "Documents transmis : " + ", ".join(f"{d.label} ({d.get_doc_type_display()})" for d in owned)
    if message.strip():
        comment += f"\n\nMessage : {message.strip()}"
    demarche = demarche_open(
        user=user, kind=DemarcheKind.DOCUMENT_TRANSMISSION, title=title, service=service.value, comment=comment,
    )
    transmission = DocumentTransmission.objects.create(demarche=demarche, service=service, message=message.strip())
    transmission.documents.set(owned)
    return demarche


def document_expiry_reminders_send(*, today: datetime.date | None = None) -> int:
    """E-mail each owner once about their documents close to expiry (one e-mail per user,
    never twice per document). Returns the number of e-mails sent."""
    today = today or timezone.localdate()
    owner_ids = sorted(set(selectors.documents_expiring_for_reminder(today=today).values_list("owner_id", flat=True)))
    sent = 0
    for owner_id in owner_ids:
        with transaction.atomic():
            documents = list(
                selectors.documents_expiring_for_reminder(today=today).filter(owner_id=owner_id)
                .select_for_update().select_related("owner").order_by("valid_until", "pk")
            )
            if not documents:
                continue
            owner = documents[0].owner
            Document.objects.filter(pk__in=[d.pk for d in documents]).update(expiry_reminder_sent_at=timezone.now())
            if not send_templated_email(template="documents/emails/expiry_reminder", to=owner.email, on_commit=False,
                                        context={"user": owner, "documents": documents}):
                transaction.set_rollback(True)  # not marked as reminded: the next run tries again
                continue
            sent += 1
    return sent
