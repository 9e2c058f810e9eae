"""Attendance writes (agents)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from espace_citoyen.documents.models import Document

from ..models import Attendance, AttendanceStatus, Reservation, ReservationStatus
from ..selectors.attendance import household_medical_certificates

__all__ = ["attendance_mark"]


@transaction.atomic
def attendance_mark(*, reservation: Reservation, status: str, actor, justification: Document | None = None) -> Attendance:
    """Mark a booked child present, absent, or absent with a justification (a medical
    certificate from the vault of an adult of the child's household)."""
    if status not in AttendanceStatus.values:
        raise ValidationError("Présence inconnue.")
    if reservation.status != ReservationStatus.BOOKED:
        raise ValidationError("Cette réservation a été annulée : la présence ne peut pas être pointée.")
    if status == AttendanceStatus.JUSTIFIED:
        if justification is None:
            raise ValidationError("Choisissez le certificat médical qui justifie l'absence.")
        if not household_medical_certificates(reservation.child).filter(pk=justification.pk).exists():
            raise ValidationError("Ce document n'est pas un certificat médical transmis au Pôle scolaire par le "
                                  "foyer de l'enfant.")
    else:
        justification = None
    attendance, _created = Attendance.objects.update_or_create(
        reservation=reservation,
        defaults={"status": status, "justification": justification, "marked_by": actor},
    )
    return attendance
