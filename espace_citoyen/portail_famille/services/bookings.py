"""The bookings made before the portal, from the Portail Famille export (docs/legacy-bookings.md).

CSV separated by ";" with a header line:
    reservation;enfant;activite;annee;date;statut
(reservation id, child legacy id such as "1042-1", activity name, school year label
"2019-2020", date JJ/MM/AAAA, status "réservé" or "annulé").

Idempotent: a booking already imported (same legacy id) is updated, never duplicated.

A booking of a child whose family waits in "Familles à rapprocher" is not imported: the row
is reported as waiting (never attached to a copy of the child), and a run after the agent's
decision imports it on the child the family was attached to (its legacy id, services/reconciliation.py).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import F

from espace_citoyen.activities.models import (
    Activity,
    BookingRule,
    Occurrence,
    Period,
    Reservation,
    ReservationSource,
    ReservationStatus,
    SchoolYear,
)
from espace_citoyen.core.household_versions import changes_batched
from espace_citoyen.family.models import Child

from ..models import ReconciliationStatus
from ..selectors import reconciliation_of_family

LEGACY_RULE_NAME = "Reprise Portail Famille"
LEGACY_CAPACITY = 200
STATUSES = {"réservé": ReservationStatus.BOOKED, "reserve": ReservationStatus.BOOKED,
            "réservée": ReservationStatus.BOOKED, "annulé": ReservationStatus.CANCELLED,
            "annule": ReservationStatus.CANCELLED, "annulée": ReservationStatus.CANCELLED}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    waiting: list[str] = field(default_factory=list)  # rows of families waiting for an agent's decision
    errors: list[str] = field(default_factory=list)


class WaitingForReconciliation(Exception):
    """The child's family waits in "Familles à rapprocher": the row is imported by a later run."""


def _school_year(label: str) -> SchoolYear:
    year = SchoolYear.objects.filter(label=label).first()
    if year:
        return year
    try:
        first, second = (int(part) for part in label.split("-"))
    except ValueError as exc:
        raise ValueError(f"année scolaire « {label} » invalide (attendu par exemple 2019-2020)") from exc
    if second != first + 1:
        raise ValueError(f"année scolaire « {label} » invalide (attendu par exemple 2019-2020)")
    return SchoolYear.objects.create(label=label, starts_on=date(first, 9, 1), ends_on=date(second, 7, 6))


def _activity(year: SchoolYear, name: str) -> Activity:
    activity = Activity.objects.filter(school_year=year, name=name).first()
    if activity:
        return activity
    rule, _ = BookingRule.objects.get_or_create(
        name=LEGACY_RULE_NAME, defaults={"days_before": 0, "before": "00:00", "business_days": False})
    return Activity.objects.create(school_year=year, name=name, weekdays=[], period=Period.ALL,
                                   capacity=LEGACY_CAPACITY, booking_rule=rule, is_active=False)


def _occurrence(activity: Activity, day: date) -> Occurrence:
    occurrence, _ = Occurrence.objects.get_or_create(
        activity=activity, date=day, defaults={"capacity": max(activity.capacity, LEGACY_CAPACITY)})
    return Occurrence.objects.select_for_update().get(pk=occurrence.pk)


def _take_place(occurrence: Occurrence) -> None:
    """One more booked place; raise capacity rather than violate the CHECK (legacy data is
    history: the children were there)."""
    if occurrence.booked_count >= occurrence.capacity:
        Occurrence.objects.filter(pk=occurrence.pk).update(capacity=occurrence.booked_count + 1)
    Occurrence.objects.filter(pk=occurrence.pk).update(booked_count=F("booked_count") + 1)


def _free_place(occurrence: Occurrence) -> None:
    Occurrence.objects.filter(pk=occurrence.pk, booked_count__gt=0).update(booked_count=F("booked_count") - 1)


def import_row(row: dict) -> str:
    legacy_id = (row.get("reservation") or "").strip()
    child_id = (row.get("enfant") or "").strip()
    activity_name = (row.get("activite") or "").strip()
    year_label = (row.get("annee") or "").strip()
    raw_date = (row.get("date") or "").strip()
    raw_status = (row.get("statut") or "").strip().lower()
    if not legacy_id:
        raise ValueError("identifiant de réservation manquant")
    if not activity_name:
        raise ValueError("nom d'activité manquant")
    try:
        day = datetime.strptime(raw_date, "%d/%m/%Y").date()
    except ValueError as exc:
        raise ValueError(f"date « {raw_date} » invalide (attendu JJ/MM/AAAA)") from exc
    if raw_status not in STATUSES:
        raise ValueError(f"statut « {raw_status} » inconnu (attendu réservé ou annulé)")
    status = STATUSES[raw_status]
    child = Child.objects.filter(legacy_id=child_id).first() if child_id else None
    if child is None:
        reconciliation = reconciliation_of_family(child_id.rpartition("-")[0]) if "-" in child_id else None
        if reconciliation is not None and reconciliation.status == ReconciliationStatus.PENDING:
            raise WaitingForReconciliation(
                f"enfant « {child_id} » : la famille {reconciliation.legacy_id} attend son rapprochement "
                "(« Familles à rapprocher ») ; relancez cet import une fois la famille traitée")
        if reconciliation is not None and reconciliation.status == ReconciliationStatus.REJECTED:
            raise ValueError(f"enfant « {child_id} » : la famille {reconciliation.legacy_id} a été écartée "
                             "lors du rapprochement, ses réservations ne sont pas reprises")
        raise ValueError(f"enfant « {child_id} » introuvable (importez d'abord les familles du Portail Famille)")
    year = _school_year(year_label)
    if not year.starts_on <= day <= year.ends_on:
        raise ValueError(f"le {raw_date} n'est pas dans l'année scolaire {year.label}")
    occurrence = _occurrence(_activity(year, activity_name), day)

    reservation = Reservation.objects.select_for_update().filter(legacy_id=legacy_id).first()
    if reservation is None:
        if status == ReservationStatus.BOOKED and Reservation.objects.filter(
                child=child, occurrence=occurrence, status=ReservationStatus.BOOKED).exists():
            raise ValueError("l'enfant a déjà une réservation ce jour-là")
        if status == ReservationStatus.BOOKED:
            _take_place(occurrence)
        Reservation.objects.create(
            child=child, occurrence=occurrence, status=status, source=ReservationSource.LEGACY, legacy_id=legacy_id,
            cancelled_at=None)  # the export does not say when a booking was cancelled
        return "created"
    if (reservation.child_id, reservation.occurrence_id, reservation.status) == (child.pk, occurrence.pk, status):
        return "unchanged"
    if reservation.status == ReservationStatus.BOOKED:
        _free_place(reservation.occurrence)
    if status == ReservationStatus.BOOKED:
        _take_place(occurrence)
    reservation.child, reservation.occurrence, reservation.status = child, occurrence, status
    reservation.cancelled_at = None
    reservation.save(update_fields=["child", "occurrence", "status", "cancelled_at"])
    return "updated"


class BookingsFileError(ValueError):
    """The file cannot be read as a bookings export (its header is not the expected one)."""


def import_reservations(lines, *, dry_run: bool = False) -> ImportReport:
    """Imports the bookings of `lines` (CSV text lines, header first), each in its own
    savepoint; a refused line is reported with its number. Dry run: everything rolled back."""
    report = ImportReport()
    reader = csv.DictReader(lines, delimiter=";")
    expected = {"reservation", "enfant", "activite", "annee", "date", "statut"}
    if reader.fieldnames is None or not expected <= {name.strip().lower() for name in reader.fieldnames}:
        raise BookingsFileError("En-tête attendu : reservation;enfant;activite;annee;date;statut")
    with transaction.atomic(), changes_batched():
        for row in reader:
            row = {(k or "").strip().lower(): v for k, v in row.items()}
            try:
                with transaction.atomic():
                    outcome = import_row(row)
            except WaitingForReconciliation as exc:
                report.waiting.append(f"Ligne {reader.line_num} : {exc}")
                continue
            except ValueError as exc:
                report.errors.append(f"Ligne {reader.line_num} : {exc}")
                continue
            setattr(report, outcome, getattr(report, outcome) + 1)
        if dry_run:
            transaction.set_rollback(True)
    return report
