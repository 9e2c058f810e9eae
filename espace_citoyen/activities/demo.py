"""Demo activities (idempotent, after family/demo.py), built relative to today so that a
newcomer always finds something to try: the school year around today (zone C holidays,
approximate dates computed by ``school_year_dates``), two schools, six activities with their
rules and capacities, the days generated, validated dossiers for Chloé and Nathan Bernard,
and around today (``DemoPlan``):

- weekly bookings from four weeks before to two weeks after the current week (past days
  with attendance: all present except Nathan, absent one Thursday three weeks ago);
- this week's days past their booking deadline (locked: booked and not booked);
- free days to book (the evening care on Thursdays and Fridays, the third week ahead);
- a full Wednesday with Nathan on its waiting list, the next one full too (Nathan may join
  its list), and the last Wednesday before this week full;
- two days closed by the town with their reason (one before this week, one after);
- a few 2025-2026 bookings imported from the Portail Famille (portail_famille/demo.py).

Re-running on the same day changes nothing; on a later day it adds what that day's plan
needs (a booking cancelled by hand is never booked again). Bookings go through the booking
service "as of" a month before the window, so that no deadline is past; a booking the
service refuses is written as a row, and booked_count is recomputed at the end either way.
The demo children filling the full Wednesdays are booked by the Pôle scolaire demo agent
(with a reason). ``seed(today=...)`` builds the plan of another day (tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from espace_citoyen.accounts.demo import demo_totp_device
from espace_citoyen.accounts.models import AccountStatus, User
from espace_citoyen.core.business_calendar import PARIS
from espace_citoyen.core.household_versions import everything_changed
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
    OccurrenceStatus,
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
from .rules import booking_deadline
from .services.booking import reservation_book
from .services.catalogue import catalogue_ensure_group_permissions, occurrences_generate

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
# Childcare in the sense of the tax certificate ("frais de garde", billing/certificates.py):
# the morning and evening care and the leisure centre. Not the canteen (meals are excluded
# by the tax rule) nor the supervised homework ("étude", teaching rather than care).
CHILDCARE = {"Accueil du matin", "Accueil du soir", "Accueil de loisirs du mercredi",
             "Accueil de loisirs des vacances"}
DEMO_HOUSEHOLD = "DEMO-ALSH"
AGENT = DemoLogin("Agent Pôle scolaire", "pole.scolaire@ville-villennes-sur-seine.fr", "Agent-Scolaire-2026",
                  "/admin/espace-citoyen/presences/")
AGENT_REASON = "Inscription saisie par le Pôle scolaire (démonstration)"
OTHER_CHILDREN = [("Anaïs", "Fournier", Sex.GIRL), ("Gaspard", "Girard", Sex.BOY), ("Capucine", "Bonnet", Sex.GIRL),
                  ("Eliott", "Dupuis", Sex.BOY), ("Faustine", "Vidal", Sex.GIRL), ("Isidore", "Renaud", Sex.BOY),
                  ("Héloïse", "Perrin", Sex.GIRL), ("Gaspard", "Fournier", Sex.BOY), ("Joséphine", "Girard", Sex.GIRL)]


@dataclass(frozen=True)
class DemoPlan:
    """The demo's days, relative to ``today`` (Paris)."""

    today: date
    now: datetime
    label: str
    starts_on: date
    ends_on: date
    holidays: tuple
    window: tuple  # (first, last) day of the weekly bookings
    booked_as_of: datetime


def _saturday_from(day: date) -> date:
    return day + timedelta(days=(5 - day.weekday()) % 7)


def school_year_dates(first_year: int) -> tuple[str, date, date, tuple]:
    """(label, rentrée, last day, holidays) of the school year starting in September of
    ``first_year``: rentrée on 1 September, end on the first Saturday of July, zone C
    holidays of two weeks each from the Saturday of a usual week (approximate: agents correct
    them in the admin, "Vacances scolaires", then regenerate the days). For 2026-2027 these
    are the official dates of the Toussaint, Christmas, winter and spring holidays."""
    nxt = first_year + 1
    holidays = tuple(
        (name, saturday, saturday + timedelta(days=15)) for name, saturday in (
            ("Vacances de la Toussaint", _saturday_from(date(first_year, 10, 17))),
            ("Vacances de Noël", _saturday_from(date(first_year, 12, 18))),
            ("Vacances d'hiver", _saturday_from(date(nxt, 2, 14))),
            ("Vacances de printemps", _saturday_from(date(nxt, 4, 11))),
        ))
    return f"{first_year}-{nxt}", date(first_year, 9, 1), _saturday_from(date(nxt, 7, 1)), holidays


def demo_plan(today: date | None = None) -> DemoPlan:
    """The school year of ``today`` (the next one during the summer break) and the booking
    window around it: from the Monday four weeks before to the Sunday two weeks after."""
    now = timezone.now() if today is None else datetime.combine(today, time(8), tzinfo=PARIS)
    today = now.astimezone(PARIS).date()
    label, starts_on, ends_on, holidays = school_year_dates(today.year - 1)
    if today > ends_on:
        label, starts_on, ends_on, holidays = school_year_dates(today.year)
    anchor = max(today, starts_on)
    monday = anchor - timedelta(days=anchor.weekday())
    first = max(starts_on, monday - timedelta(weeks=4))
    last = min(ends_on, monday + timedelta(weeks=2, days=6))
    return DemoPlan(today=today, now=now, label=label, starts_on=starts_on, ends_on=ends_on, holidays=holidays,
                    window=(first, last),
                    booked_as_of=datetime.combine(first - timedelta(days=30), time(9), tzinfo=PARIS))


def _catalogue(plan: DemoPlan):
    year, _ = SchoolYear.objects.get_or_create(label=plan.label, defaults={
        "starts_on": plan.starts_on, "ends_on": plan.ends_on})
    for name, start, end in plan.holidays:
        HolidayPeriod.objects.get_or_create(school_year=year, name=name, defaults={"starts_on": start, "ends_on": end})
    RegistrationCampaign.objects.get_or_create(school_year=year, defaults={
        "opens_on": plan.starts_on.replace(month=5, day=4), "closes_on": plan.starts_on.replace(month=6, day=30)})
    schools = [School.objects.get_or_create(name=name)[0] for name in SCHOOLS]
    rules = {}
    for name, (days, before, business) in RULES.items():
        rules[name], _ = BookingRule.objects.get_or_create(name=name, defaults={
            "days_before": days, "before": before, "business_days": business})
    activities = {}
    for name, weekdays, period, rule, capacity, documents in ACTIVITIES:
        activity, created = Activity.objects.get_or_create(school_year=year, name=name, defaults={
            "weekdays": weekdays, "period": period, "booking_rule": rules[rule], "capacity": capacity,
            "required_documents": documents, "childcare": name in CHILDCARE})
        if created:
            activity.schools.set(schools)
        elif name in CHILDCARE and not activity.childcare:  # a database seeded before the flag existed
            Activity.objects.filter(pk=activity.pk).update(childcare=True)
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


def _write_bookings(pending, *, parent, household_id, agent, as_of) -> None:
    rows = []
    for child, occurrence in pending:
        own = parent is not None and child.household_id == household_id
        try:
            with transaction.atomic():
                reservation_book(child=child, occurrence=occurrence, actor=parent if own else agent,
                                 override_reason="" if own else AGENT_REASON, now=as_of)
            continue
        except Exception:  # noqa: BLE001 - the demo must load whatever the engine's rules
            pass
        rows.append(Reservation(child=child, occurrence=occurrence, status=ReservationStatus.BOOKED,
                                source=ReservationSource.PORTAL))
    Reservation.objects.bulk_create(rows, ignore_conflicts=True)


def _wednesdays(activity, plan: DemoPlan) -> tuple:
    """(the last Wednesday before this week – last week's, or the last before the holidays –,
    the first Wednesday still open at least two days, the next one)."""
    days = list(Occurrence.objects.filter(activity=activity, status=OccurrenceStatus.OPEN).order_by("date"))
    monday = plan.today - timedelta(days=plan.today.weekday())
    past = next((o for o in reversed(days) if plan.window[0] <= o.date < monday), None)
    open_days = [o for o in days if booking_deadline(occurrence=o) > plan.now + timedelta(days=2)]
    return past, (open_days[0] if open_days else None), (open_days[1] if len(open_days) > 1 else None)


def _close(activity, day: date | None, reason: str) -> None:
    """Close a day nobody booked (written directly: closing through the service e-mails families)."""
    if day is not None:
        Occurrence.objects.filter(activity=activity, date=day, status=OccurrenceStatus.OPEN, booked_count=0,
                                  ).exclude(reservations__isnull=False).update(
            status=OccurrenceStatus.CLOSED, closed_reason=reason)


def _day_on(activity, weekday: int, start: date, end: date, *, last: bool = False) -> date | None:
    """The first (or last) day of the activity on that weekday (0 = Monday) between start and end."""
    days = Occurrence.objects.filter(activity=activity, date__range=(start, end),
                                     date__week_day=(weekday + 1) % 7 + 1).order_by("-date" if last else "date")
    return days.values_list("date", flat=True).first()


def nathan_absent_day(plan: DemoPlan, *, canteen=None) -> date | None:
    """The past canteen Thursday the demo marks Nathan absent: the first one from the window's
    second week (the second Thursday of the window, school holidays aside)."""
    canteen = canteen or Activity.objects.get(school_year__label=plan.label, name="Restauration scolaire")
    yesterday = plan.today - timedelta(days=1)
    return (_day_on(canteen, 3, plan.window[0] + timedelta(days=7), yesterday)
            or _day_on(canteen, 3, plan.window[0], yesterday))


def seed(*, stdout, today: date | None = None):
    everything_changed()  # bulk inserts below send no row signal; moved again at commit
    plan = demo_plan(today)
    year, activities = _catalogue(plan)
    agent = _agent(catalogue_ensure_group_permissions())
    chloe = Child.objects.filter(first_name="Chloé", last_name="Bernard").first()
    nathan = Child.objects.filter(first_name="Nathan", last_name="Bernard").first()
    if chloe is None or nathan is None:
        stdout.write(f"Activités : catalogue {plan.label} créé (enfants de démonstration absents).")
        return [AGENT]
    parent = User.objects.filter(memberships__household=chloe.household, status=AccountStatus.ACTIVE).order_by("id").first()
    plans = {
        chloe: ["Restauration scolaire", "Accueil du soir", "Accueil de loisirs du mercredi",
                "Accueil de loisirs des vacances"],
        nathan: ["Restauration scolaire", "Accueil du matin", "Étude surveillée", "Accueil de loisirs du mercredi"],
    }
    for child, names in plans.items():
        dossier, created = Dossier.objects.get_or_create(child=child, school_year=year, defaults={
            "status": DossierStatus.VALIDATED, "health_notes": child.allergies, "health_confirmed": True,
            "photo_consent": True, "may_leave_alone": False, "emergency_care_consent": True})
        if created:
            dossier.activities.set([activities[name] for name in names])

    others = _other_children()
    for child in others:
        dossier, created = Dossier.objects.get_or_create(child=child, school_year=year, defaults={
            "status": DossierStatus.VALIDATED, "health_confirmed": True, "photo_consent": True,
            "may_leave_alone": False, "emergency_care_consent": True})
        if created:
            dossier.activities.set([activities["Accueil de loisirs du mercredi"]])

    # Two days closed by the town, before the bookings: the last Friday evening care before
    # this week, and the first Monday study after it (neither is in the Bernard children's
    # weekly bookings).
    monday = plan.today - timedelta(days=plan.today.weekday())
    evening, study = activities["Accueil du soir"], activities["Étude surveillée"]
    _close(evening, _day_on(evening, 4, plan.window[0], monday - timedelta(days=1), last=True),
           "Grève du personnel d'animation")
    _close(study, _day_on(study, 0, monday + timedelta(days=7), plan.window[1]),
           "Conseil d'école : pas d'étude ce soir-là")

    existing = set(Reservation.objects.filter(occurrence__activity__school_year=year)
                   .values_list("child_id", "occurrence_id"))
    booked: dict = {}
    window = Occurrence.objects.filter(activity__school_year=year, date__range=plan.window,
                                       status=OccurrenceStatus.OPEN)
    weekly = {
        chloe: {"Restauration scolaire": MON_TUE_THU_FRI, "Accueil du soir": [0, 1], "Accueil de loisirs du mercredi": [2]},
        nathan: {"Restauration scolaire": MON_TUE_THU_FRI, "Accueil du matin": [0, 3], "Étude surveillée": [1]},
    }
    for occurrence in window.select_related("activity"):
        for child, pattern in weekly.items():
            days = pattern.get(occurrence.activity.name)
            if days and occurrence.date.weekday() in days:
                booked.setdefault((child.pk, occurrence.pk), (child, occurrence))
    wednesday = activities["Accueil de loisirs du mercredi"]
    last_week, full_day, next_full = _wednesdays(wednesday, plan)
    for day in (last_week, full_day, next_full):
        if day is not None:
            for child in [chloe, *others][: day.capacity]:
                booked.setdefault((child.pk, day.pk), (child, day))
    _write_bookings([pair for key, pair in booked.items() if key not in existing], parent=parent,
                    household_id=chloe.household_id, agent=agent, as_of=plan.booked_as_of)

    # Keep booked_count in step with the rows.
    counts = (Reservation.objects.filter(occurrence=OuterRef("pk"), status=ReservationStatus.BOOKED)
              .values("occurrence").annotate(n=Count("pk")).values("n"))
    Occurrence.objects.filter(activity__school_year=year).update(booked_count=Coalesce(Subquery(counts), 0))

    if full_day is not None and not WaitingListEntry.objects.filter(occurrence=full_day, child=nathan).exists():
        WaitingListEntry.objects.create(occurrence=full_day, child=nathan, status=WaitingStatus.WAITING,
                                        created_by=parent)

    # Attendance of past days: everyone present except Nathan, absent at the canteen one Thursday.
    absent_day = nathan_absent_day(plan, canteen=activities["Restauration scolaire"])
    past = Reservation.objects.filter(child__in=[chloe, nathan], status=ReservationStatus.BOOKED,
                                      occurrence__date__lt=plan.today, occurrence__activity__school_year=year,
                                      attendance__isnull=True)
    Attendance.objects.bulk_create([
        Attendance(reservation=r, status=AttendanceStatus.ABSENT
                   if (r.child_id == nathan.pk and r.occurrence.date == absent_day
                       and r.occurrence.activity.name == "Restauration scolaire") else AttendanceStatus.PRESENT)
        for r in past.select_related("occurrence__activity")
    ])
    total = Reservation.objects.filter(occurrence__activity__school_year=year, status=ReservationStatus.BOOKED).count()
    full_text = f", mercredi {full_day.date:%d/%m/%Y} complet avec liste d'attente" if full_day else ""
    stdout.write(f"Activités : année {plan.label}, {len(activities)} activités, {total} réservations{full_text}.")
    return [AGENT]
