"""Every read of the vault, scoped to the caller: another account's id gives 404."""

import datetime

from django.conf import settings
from django.db.models import Count, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from espace_citoyen.core.services_map import services_visible_to, staff_can_see_service
from espace_citoyen.demarches.models import DemarcheStatus

from .models import Document, DocumentTransmission

OPEN_DEMARCHE_STATUSES = (DemarcheStatus.SENT, DemarcheStatus.IN_PROGRESS, DemarcheStatus.TO_COMPLETE)


def documents_for(*, user, doc_type: str = "") -> QuerySet[Document]:
    """The documents of `user`'s vault, newest first, optionally of one type."""
    queryset = Document.objects.filter(owner=user)
    if doc_type:
        queryset = queryset.filter(doc_type=doc_type)
    return queryset


def document_for(*, user, document_id: int) -> Document:
    """One document of `user`'s vault, or 404 (whoever else owns it)."""
    try:
        return Document.objects.get(owner=user, pk=document_id)
    except (Document.DoesNotExist, ValueError, TypeError):
        raise Http404("Document introuvable.") from None


def vault_usage(*, user) -> int:
    """Bytes used by `user`'s vault."""
    return Document.objects.filter(owner=user).aggregate(total=Sum("size"))["total"] or 0


def vault_totals(*, user) -> tuple[int, int]:
    """(number of documents, bytes used) of `user`'s vault, in one query."""
    totals = Document.objects.filter(owner=user).aggregate(count=Count("pk"), total=Sum("size"))
    return totals["count"], totals["total"] or 0


def vault_summary(*, user, used: int | None = None) -> dict:
    """The vault's use against its quota; `used` when the caller has read it already."""
    used = vault_usage(user=user) if used is None else used
    quota = settings.ESPACE_CITOYEN_VAULT_QUOTA_BYTES
    return {"used": used, "quota": quota, "percent": min(100, round(used * 100 / quota)) if quota else 100}


def document_open_transmissions(*, document: Document) -> QuerySet[DocumentTransmission]:
    """Transmissions including `document` whose démarche is still being handled."""
    return document.transmissions.filter(demarche__status__in=OPEN_DEMARCHE_STATUSES).select_related("demarche")


def documents_expiring_for_reminder(*, today: datetime.date | None = None) -> QuerySet[Document]:
    """Documents whose validity ends within the warning window (not yet past) and whose
    owner has not been reminded yet."""
    today = today or timezone.localdate()
    limit = today + datetime.timedelta(days=settings.ESPACE_CITOYEN_DOCUMENT_EXPIRY_WARNING_DAYS)
    return Document.objects.filter(
        valid_until__isnull=False, valid_until__gte=today, valid_until__lte=limit, expiry_reminder_sent_at__isnull=True,
        owner__is_active=True,
    )


# --- Staff (admin) -------------------------------------------------------------------


def transmissions_for_staff(*, user) -> QuerySet[DocumentTransmission]:
    """Transmissions addressed to the services `user` works for (all of them for superusers)."""
    services = services_visible_to(user)
    return (
        DocumentTransmission.objects.filter(service__in=services)
        .select_related("demarche", "demarche__user")
        .prefetch_related("documents")
    )


def transmitted_document_for_staff(*, user, demarche_id: int, document_id: int) -> Document:
    """A document of a transmission, for an agent of the transmission's service; 404 otherwise."""
    transmission = DocumentTransmission.objects.filter(demarche_id=demarche_id).first()
    if transmission is None or not staff_can_see_service(user, transmission.service):
        raise Http404("Document introuvable.")
    document = transmission.documents.filter(pk=document_id).first()
    if document is None:
        raise Http404("Document introuvable.")
    return document
