"""Demo activities (idempotent, after family/demo.py): the 2026-2027 school year with the
zone C holidays, two schools, six activities with their rules and capacities, the days
generated, validated dossiers for Chloé and Nathan Bernard, bookings over several weeks
around 26 November 2026 (one full Wednesday with Nathan on its waiting list) and
attendance for past days, and a few 2025-2026 bookings imported from the Portail Famille
(shown in the children's history).

Bookings go through the booking service (services/booking.py) as of 1 October 2026, so
that no deadline is past; a booking the service refuses is written as a row, and
booked_count is recomputed at the end either way. The demo children filling the full
Wednesday are booked by the Pôle scolaire demo agent (with a reason)."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import transaction

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from espace_citoyen.accounts.models import AccountStatus, User
from espace_citoyen.accounts.demo import demo_totp_device
from espace_citoyen.core.business_calendar import PARIS
from espace_citoyen.family.models import Child, Household, Sex
from home.demo import DemoLogin

from .models import (
    Activity,
    Attendance,
    AttendanceStatus,
    BookingRule,
    Dossier,
    DossierStatus,
    HolidayPeriod,
    Occurrence,
    Period,
    RegistrationCampaign,
    Reservation,
    ReservationSource,
    ReservationStatus,
    School,
    SchoolYear,
    WaitingListEntry,
    WaitingStatus,
)
from .services.catalogue import catalogue_ensure_group_permissions, occurrences_generate

YEAR_LABEL = "2026-2027"
# Zone C (Créteil, Paris, Versailles) holidays for 2026-2027. The winter and spring dates
# are approximate (not checked against the official calendar); agents can correct them in
# the admin ("Vacances scolaires") and then regenerate the days.
HOLIDAYS = [
    ("Vacances de la Toussaint", date(2026, 10, 17), date(2026, 11, 1)),
    ("Vacances de Noël", date(2026, 12, 19), date(2027, 1, 3)),
    ("Vacances d'hiver", date(2027, 2, 20), date(2027, 3, 7)),
    ("Vacances de printemps", date(2027, 4, 17), date(2027, 5, 2)),
]
SCHOOLS = ["École élémentaire des Tilleuls", "École maternelle du Parc"]
RULES = {
    "J-2 avant 10h, jours ouvrés": (2, time(10), True),
    "J-1 avant 18h, jours ouvrés": (1, time(18), True),
    "J-7 avant 12h, jours calendaires": (7, time(12), False),
    "J-14 avant 12h, jours calendaires": (14, time(12), False),
}
MON_TUE_THU_FRI = [0, 1, 3, 4]
ACTIVITIES = [
    # name, weekdays, period, rule, capacity, required documents
    ("Restauration scolaire", MON_TUE_THU_FRI, Period.SCHOOL_WEEKS, "J-2 avant 10h, jours ouvrés", 120, []),
    ("Accueil du matin", MON_TUE_THU_FRI, Period.SCHOOL_WEEKS, "J-1 avant 18h, jours ouvrés", 40, []),
    ("Accueil du soir", MON_TUE_THU_FRI, Period.SCHOOL_WEEKS, "J-1 avant 18h, jours ouvrés", 60, []),
    ("Étude surveillée", [0, 1, 3], Period.SCHOOL_WEEKS, "J-2 avant 10h, jours ouvrés", 25, []),
    ("Accueil de loisirs du mercredi", [2], Period.SCHOOL_WEEKS, "J-7 avant 12h, jours calendaires", 10,
     ["insurance_certificate"]),
    ("Accueil de loisirs des vacances", [0, 1, 2, 3, 4], Period.HOLIDAYS, "J-14 avant 12h, jours calendaires", 30,
     ["insurance_certificate"]),
]
TODAY = date(2026, 11, 26)
BOOKING_FROM = date(2026, 11, 2)
BOOKING_TO = date(2026, 12, 18)
FULL_WEDNESDAY = date(2026, 12, 2)
DEMO_HOUSEHOLD = "DEMO-ALSH"
BOOKED_AS_OF = datetime(2026, 10, 1, 9, 0, tzinfo=PARIS)
AGENT = DemoLogin("Agent Pôle scolaire", "pole.scolaire@ville-villennes-sur-seine.fr", "Agent-Scolaire-2026",
                  "/admin/espace-citoyen/presences/")
AGENT_REASON = "Inscription saisie par le Pôle scolaire (démonstration)"
OTHER_CHILDREN = [("Anaïs", "Fournier", Sex.GIRL), ("Gaspard", "Girard", Sex.BOY), ("Capucine", "Bonnet", Sex.GIRL),
                  ("Eliott", "Dupuis", Sex.BOY), ("Faustine", "Vidal", Sex.GIRL), ("Isidore", "Renaud", Sex.BOY),
                  ("Héloïse", "Perrin", Sex.GIRL), ("Gaspard", "Fournier", Sex.BOY), ("Joséphine", "Girard", Sex.GIRL)]


def _catalogue():
    year, _ = SchoolYear.objects.get_or_create(label=YEAR_LABEL, defaults={
        "starts_on": date(2026, 9, 1), "ends_on": date(2027, 7, 3)})
    for name, start, end in HOLIDAYS:
        HolidayPeriod.objects.get_or_create(school_year=year, name=name, defaults={"starts_on": start, "ends_on": end})
    RegistrationCampaign.objects.get_or_create(school_year=year, defaults={
        "opens_on": date(2026, 5, 4), "closes_on": date(2026, 6, 30)})
    schools = [School.objects.get_or_create(name=name)[0] for name in SCHOOLS]
    rules = {}
    for name, (days, before, business) in RULES.items():
        rules[name], _ = BookingRule.objects.get_or_create(name=name, defaults={
            "days_before": days, "before": before, "business_days": business})
    activities = {}
    for name, weekdays, period, rule, capacity, documents in ACTIVITIES:
        activity, created = Activity.objects.get_or_create(school_year=year, name=name, defaults={
            "weekdays": weekdays, "period": period, "booking_rule": rules[rule], "capacity": capacity,
            "required_documents": documents})
        if created:
            activity.schools.set(schools)
        occurrences_generate(activity=activity, actor=None)
        activities[name] = activity
    return year, activities


def _other_children() -> list[Child]:
    household, _ = Household.objects.get_or_create(legacy_id=DEMO_HOUSEHOLD)
    children = []
    for first, last, sex in OTHER_CHILDREN:
        child, _ = Child.objects.get_or_create(household=household, first_name=first, last_name=last, defaults={
            "sex": sex, "school": SCHOOLS[0], "school_class": "CE1", "birth_date": date(2018, 5, 1)})
        children.append(child)
    return children


def _agent(group) -> User:
    agent = User.objects.filter(email__iexact=AGENT.email).first()
    if agent is None:
        agent = User.objects.create_user(AGENT.email, AGENT.password, first_name="Sandrine", last_name="Lopes",
                                         is_staff=True, status=AccountStatus.ACTIVE)
    agent.groups.add(group)
    demo_totp_device(user=agent)
    return agent


def _book(child, occurrence, booked: dict):
    booked.setdefault((child.pk, occurrence.pk), (child, occurrence))


def _write_bookings(pending, *, parent, household_id, agent) -> None:
    try:
        from .services.booking import reservation_book
    except ImportError:  # booking engine not installed: rows only
        reservation_book = None
    rows = []
    for child, occurrence in pending:
        if reservation_book is not None:
            own = parent is not None and child.household_id == household_id
            try:
                with transaction.atomic():
                    reservation_book(child=child, occurrence=occurrence, actor=parent if own else agent,
                                     override_reason="" if own else AGENT_REASON, now=BOOKED_AS_OF)
                continue
            except Exception:  # noqa: BLE001 - the demo must load whatever the engine's rules
                pass
        rows.append(Reservation(child=child, occurrence=occurrence, status=ReservationStatus.BOOKED,
                                source=ReservationSource.PORTAL))
    Reservation.objects.bulk_create(rows)


def seed(*, stdout):
    year, activities = _catalogue()
    agent = _agent(catalogue_ensure_group_permissions())
    chloe = Child.objects.filter(first_name="Chloé", last_name="Bernard").first()
    nathan = Child.objects.filter(first_name="Nathan", last_name="Bernard").first()
    if chloe is None or nathan is None:
        stdout.write("Activités : catalogue 2026-2027 créé (enfants de démonstration absents).")
        return [AGENT]
    parent = User.objects.filter(memberships__household=chloe.household, status=AccountStatus.ACTIVE).order_by("id").first()
    plans = {
        chloe: ["Restauration scolaire", "Accueil du soir", "Accueil de loisirs du mercredi",
                "Accueil de loisirs des vacances"],
        nathan: ["Restauration scolaire", "Accueil du matin", "Étude surveillée", "Accueil de loisirs du mercredi"],
    }
    for child, names in plans.items():
        dossier, created = Dossier.objects.get_or_create(child=child, school_year=year, defaults={
            "status": DossierStatus.VALIDATED, "health_notes": child.allergies, "photo_consent": True,
            "may_leave_alone": False, "emergency_care_consent": True})
        if created:
            dossier.activities.set([activities[name] for name in names])

    others = _other_children()
    for child in others:
        dossier, created = Dossier.objects.get_or_create(child=child, school_year=year, defaults={
            "status": DossierStatus.VALIDATED, "photo_consent": True, "may_leave_alone": False,
            "emergency_care_consent": True})
        if created:
            dossier.activities.set([activities["Accueil de loisirs du mercredi"]])

    existing = set(Reservation.objects.filter(occurrence__activity__school_year=year, status=ReservationStatus.BOOKED)
                   .values_list("child_id", "occurrence_id"))
    booked: dict = {}
    window = Occurrence.objects.filter(activity__school_year=year, date__range=(BOOKING_FROM, BOOKING_TO))
    weekly = {
        chloe: {"Restauration scolaire": MON_TUE_THU_FRI, "Accueil du soir": [0, 1], "Accueil de loisirs du mercredi": [2]},
        nathan: {"Restauration scolaire": MON_TUE_THU_FRI, "Accueil du matin": [0, 3], "Étude surveillée": [1]},
    }
    for occurrence in window.select_related("activity"):
        for child, pattern in weekly.items():
            days = pattern.get(occurrence.activity.name)
            if days and occurrence.date.weekday() in days:
                _book(child, occurrence, booked)
    full_day = Occurrence.objects.get(activity=activities["Accueil de loisirs du mercredi"], date=FULL_WEDNESDAY)
    for child in others[: full_day.capacity - 1]:
        _book(child, full_day, booked)
    _write_bookings([pair for key, pair in booked.items() if key not in existing], parent=parent, household_id=chloe.household_id, agent=agent)

    # Keep booked_count in step with the rows.
    counts = (Reservation.objects.filter(occurrence=OuterRef("pk"), status=ReservationStatus.BOOKED)
              .values("occurrence").annotate(n=Count("pk")).values("n"))
    Occurrence.objects.filter(activity__school_year=year).update(booked_count=Coalesce(Subquery(counts), 0))

    if not WaitingListEntry.objects.filter(occurrence=full_day, child=nathan).exists():
        WaitingListEntry.objects.create(occurrence=full_day, child=nathan, status=WaitingStatus.WAITING,
                                        created_by=parent)

    # Attendance of past days: everyone present except Nathan, absent on 12 November.
    past = Reservation.objects.filter(child__in=[chloe, nathan], status=ReservationStatus.BOOKED,
                                      occurrence__date__lt=TODAY, occurrence__activity__school_year=year,
                                      attendance__isnull=True)
    Attendance.objects.bulk_create([
        Attendance(reservation=r, status=AttendanceStatus.ABSENT
                   if (r.child_id == nathan.pk and r.occurrence.date == date(2026, 11, 12)) else AttendanceStatus.PRESENT)
        for r in past.select_related("occurrence")
    ])
    total = Reservation.objects.filter(occurrence__activity__school_year=year, status=ReservationStatus.BOOKED).count()
    stdout.write(f"Activités : année {YEAR_LABEL}, {len(activities)} activités, {total} réservations, "
                 f"mercredi {FULL_WEDNESDAY:%d/%m/%Y} complet avec liste d'attente.")
    return [AGENT]
