"""Attendance reads (agents)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from espace_citoyen.documents.models import Document, DocumentType
from espace_citoyen.family.models import AuthorizedPerson

from ..models import Occurrence, Reservation, ReservationStatus

__all__ = ["attendance_sheet", "household_medical_certificates", "occurrences_for_attendance"]


def occurrences_for_attendance() -> QuerySet[Occurrence]:
    return Occurrence.objects.select_related("activity", "activity__school_year")


def attendance_sheet(occurrence: Occurrence) -> QuerySet[Reservation]:
    """Booked children of one day, with health notes, pick-up persons and attendance."""
    return (
        Reservation.objects.filter(occurrence=occurrence, status=ReservationStatus.BOOKED)
        .select_related("child", "child__household")
        .prefetch_related(Prefetch("child__authorized_persons", queryset=AuthorizedPerson.objects.all()))
        .order_by("child__last_name", "child__first_name")
    )


def household_medical_certificates(child) -> QuerySet[Document]:
    return Document.objects.filter(
        doc_type=DocumentType.MEDICAL_CERTIFICATE, owner__memberships__household_id=child.household_id,
    ).distinct().order_by("-uploaded_at")


def attendance_of(reservation):
    return getattr(reservation, "attendance", None) if hasattr(reservation, "attendance") else None
