"""Absences reported by parents ("Signaler une absence").

Past its booking deadline a day can no longer be cancelled, but a parent can always tell the
Pôle scolaire that the child will not come, today or on a coming locked day. The report:

- is recorded per booked activity of the day (``AbsenceReport``, one per reservation; a
  second report of the same day completes the first, e.g. with the certificate);
- with a medical certificate (from the parent's own vault, or uploaded on the spot by the
  view through ``documents.services.document_upload``): the certificate is transmitted to the
  Pôle scolaire (a démarche "transmission de documents", as from "Mes documents") and the
  attendance is pre-filled "absent, justifié" with it; without one, "absent";
- an agent can still change the attendance on the sheet; a child already marked present is
  refused (the parent calls the Pôle scolaire);
- billing follows the existing rule, through the attendance: a booked day is billed unless the
  absence is justified by a medical certificate;
- the family gets an acknowledgement by e-mail (after the commit)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from espace_citoyen.core.business_calendar import PARIS, format_day
from espace_citoyen.core.emails import send_templated_email, site_url
from espace_citoyen.core.services_map import TownService
from espace_citoyen.documents.models import Document, DocumentTransmission, DocumentType
from espace_citoyen.documents.services import documents_transmit
from espace_citoyen.family.models import Child, Membership
from espace_citoyen.family.selectors import notification_emails_for

from .. import rules
from ..models import (
    AbsenceReason,
    AbsenceReport,
    Attendance,
    AttendanceStatus,
    OccurrenceStatus,
    Reservation,
    ReservationStatus,
)
from .attendance import attendance_mark

__all__ = ["absence_report", "reportable_reservations"]


def reportable_reservations(*, child: Child, day: datetime.date, now: datetime.datetime | None = None) -> list:
    """The child's bookings of ``day`` for which an absence can be reported: booked, the day
    open (not closed by the town), today or later, and past the booking deadline (before it,
    the parent simply cancels)."""
    now = now or timezone.now()
    if day < now.astimezone(PARIS).date():
        return []
    reservations = (Reservation.objects.filter(child=child, occurrence__date=day, status=ReservationStatus.BOOKED,
                                               occurrence__status=OccurrenceStatus.OPEN)
                    .select_related("occurrence__activity__booking_rule", "absence_report__certificate")
                    .order_by("occurrence__activity__name"))
    return [r for r in reservations if not rules.can_change(occurrence=r.occurrence, now=now)]


def _check_parent(*, child: Child, actor) -> None:
    if not Membership.objects.filter(household_id=child.household_id, user=actor).exists():
        raise ValidationError("Cet enfant ne fait pas partie de votre foyer.")
    if not getattr(actor, "is_validated", False):
        raise ValidationError("Votre compte doit être validé par la mairie avant de pouvoir signaler une absence.")


def _transmission(*, actor, certificate: Document, child: Child, day: datetime.date) -> DocumentTransmission:
    """The transmission of the certificate to the Pôle scolaire: an earlier one, else a new one."""
    existing = (DocumentTransmission.objects.filter(service=TownService.SCOLAIRE, documents=certificate)
                .order_by("-id").first())
    if existing is not None:
        return existing
    demarche = documents_transmit(
        user=actor, documents=[certificate], service=TownService.SCOLAIRE,
        message=f"Certificat médical pour l'absence de {child.first_name} {child.last_name} le {format_day(day)}.")
    return DocumentTransmission.objects.get(demarche=demarche)


@transaction.atomic
def absence_report(*, child: Child, reservations: list[Reservation], actor, reason: str, details: str = "",
                   certificate: Document | None = None, now: datetime.datetime | None = None) -> list[AbsenceReport]:
    """Report the child absent on the given bookings (of one day, see
    ``reportable_reservations``). Raises ValidationError with a French message when refused."""
    now = now or timezone.now()
    _check_parent(child=child, actor=actor)
    if reason not in AbsenceReason.values:
        raise ValidationError("Indiquez le motif de l'absence.")
    if not reservations:
        raise ValidationError("Cochez au moins une activité de ce jour.")
    days = {r.occurrence.date for r in reservations}
    if len(days) != 1:
        raise ValidationError("Une absence se signale jour par jour.")
    day = days.pop()
    allowed = {r.pk for r in reportable_reservations(child=child, day=day, now=now)}
    if any(r.pk not in allowed or r.child_id != child.pk for r in reservations):
        raise ValidationError("Cette journée ne peut plus faire l'objet d'un signalement : seules les journées "
                              "réservées d'aujourd'hui et des jours à venir dont le délai de modification est "
                              "dépassé le peuvent (avant ce délai, annulez la réservation).")
    if certificate is not None and (certificate.owner_id != actor.pk
                                    or certificate.doc_type != DocumentType.MEDICAL_CERTIFICATE):
        raise ValidationError("Choisissez un certificat médical de votre coffre-fort.")
    marked = {a.reservation_id: a for a in Attendance.objects.select_for_update().filter(
        reservation__in=[r.pk for r in reservations])}
    present = [r for r in reservations if getattr(marked.get(r.pk), "status", None) == AttendanceStatus.PRESENT]
    if present:
        raise ValidationError(f"Le Pôle scolaire a déjà pointé {child.first_name} présent(e) à "
                              f"« {present[0].occurrence.activity.name} » ce jour-là : appelez-le pour toute "
                              "correction.")
    transmission = _transmission(actor=actor, certificate=certificate, child=child, day=day) if certificate else None
    reports = []
    for reservation in reservations:
        report, created = AbsenceReport.objects.get_or_create(reservation=reservation, defaults={
            "reason": reason, "details": details.strip(), "certificate": certificate, "transmission": transmission,
            "reported_by": actor})
        if not created:  # a second report of the same day completes the first
            report.reason, report.details = reason, details.strip() or report.details
            if certificate is not None:
                report.certificate, report.transmission = certificate, transmission
            report.save(update_fields=["reason", "details", "certificate", "transmission", "updated_at"])
        justification = report.certificate if report.certificate_id else None
        current = marked.get(reservation.pk)
        if justification is not None:
            attendance_mark(reservation=reservation, status=AttendanceStatus.JUSTIFIED, actor=actor,
                            justification=justification)
        elif current is None or current.status != AttendanceStatus.JUSTIFIED:
            attendance_mark(reservation=reservation, status=AttendanceStatus.ABSENT, actor=actor)
        reports.append(report)
    recipients = notification_emails_for(household_id=child.household_id)
    if actor.email and actor.email not in recipients:
        recipients.append(actor.email)
    agenda = reverse("activities:agenda", args=[child.pk])
    send_templated_email(template="activities/emails/absence_ack", to=recipients, context={
        "child": child, "day": format_day(day), "activities": [r.occurrence.activity.name for r in reservations],
        "reason": AbsenceReason(reason).label, "details": details.strip(), "certificate": certificate,
        "actor": actor, "url": site_url(f"{agenda}?jour={day.isoformat()}"),
    })
    return reports
