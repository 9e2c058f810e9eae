"""Attendance reads (agents)."""

from __future__ import annotations

from django.db.models import F, Prefetch, QuerySet

from espace_citoyen.core.services_map import TownService
from espace_citoyen.documents.models import Document, DocumentType
from espace_citoyen.family.models import AuthorizedPerson

from ..models import Occurrence, Reservation, ReservationStatus

__all__ = ["attendance_sheet", "household_medical_certificates", "medical_certificates_by_household",
           "occurrences_for_attendance"]


def occurrences_for_attendance() -> QuerySet[Occurrence]:
    return Occurrence.objects.select_related("activity", "activity__school_year")


def attendance_sheet(occurrence: Occurrence) -> QuerySet[Reservation]:
    """Booked children of one day, with health notes, pick-up persons and attendance."""
    return (
        Reservation.objects.filter(occurrence=occurrence, status=ReservationStatus.BOOKED)
        .select_related("child", "child__household", "attendance__justification", "absence_report__certificate",
                        "absence_report__transmission", "absence_report__reported_by")
        .prefetch_related(Prefetch("child__authorized_persons", queryset=AuthorizedPerson.objects.all()))
        .order_by("child__last_name", "child__first_name")
    )


def _sent_certificates() -> QuerySet[Document]:
    """Medical certificates the family sent to the Pôle scolaire: the vault is private until a
    document is transmitted to a service (documents.services.documents_transmit)."""
    return Document.objects.filter(doc_type=DocumentType.MEDICAL_CERTIFICATE,
                                   transmissions__service=TownService.SCOLAIRE)


def household_medical_certificates(child) -> QuerySet[Document]:
    """The certificates an agent may give as the justification of the child's absence."""
    return _sent_certificates().filter(owner__memberships__household_id=child.household_id).distinct().order_by(
        "-uploaded_at")


def medical_certificates_by_household(household_ids) -> dict[int, list[Document]]:
    """{household id: medical certificates of its adults' vaults, newest first}, in one query
    (the attendance sheet of a canteen day lists a hundred children)."""
    certificates: dict[int, list[Document]] = {}
    queryset = (
        _sent_certificates().filter(owner__memberships__household_id__in=set(household_ids))
        .annotate(household_id=F("owner__memberships__household_id")).order_by("-uploaded_at", "-id")
    )
    for document in queryset:
        documents = certificates.setdefault(document.household_id, [])
        if document not in documents:  # sent twice
            documents.append(document)
    return certificates


def attendance_of(reservation):
    return getattr(reservation, "attendance", None) if hasattr(reservation, "attendance") else None


def absence_of(reservation):
    """The family's absence report of a booking (services/absences.py), if any."""
    return getattr(reservation, "absence_report", None)
