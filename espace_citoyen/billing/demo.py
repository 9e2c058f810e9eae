"""Demo invoices (idempotent, after activities/demo.py): the Régie group and its agent, the
quotient brackets and tariffs of the school year's activities, the Bernard household's
quotient read on the CAF certificate Camille transmitted to the Régie, bookings in the first
half of the month before last, and the invoices of the two months before today's – the first
paid at the desk by cheque, the last to pay and corrected by a credit note (a canteen meal of
Chloé's not served: her class was on a school trip).

Dates are relative to today, like the activities demo's; the runs are made "as of" the day
after each month, through the same services as the back office. A month outside the school
year (the summer) has nothing to invoice."""

from __future__ import annotations

import datetime
from datetime import date, timedelta

from espace_citoyen.accounts.demo import demo_totp_device
from espace_citoyen.accounts.models import AccountStatus, User
from espace_citoyen.activities.demo import demo_plan
from espace_citoyen.activities.models import (
    Activity,
    Attendance,
    AttendanceStatus,
    Occurrence,
    Reservation,
    ReservationStatus,
    SchoolYear,
)
from espace_citoyen.core.business_calendar import PARIS
from espace_citoyen.core.household_versions import everything_changed
from espace_citoyen.core.services_map import TownService
from espace_citoyen.documents.models import Document, DocumentTransmission, DocumentType
from espace_citoyen.documents.services import documents_transmit
from espace_citoyen.family.models import Child
from home.demo import DemoLogin

from .models import ActivityTariff, HouseholdQuotient, Invoice, QuotientBracket, TariffPrice
from .services.credit_notes import credit_note_create
from .services.payments import payment_record
from .services.pricing import billing_ensure_group_permissions, quotient_set
from .services.runs import invoicing_run_create, invoicing_run_execute

REGIE = DemoLogin("Agent Régie (factures, paiements)", "regie@ville-villennes-sur-seine.fr", "Agent-Regie-2026",
                  "/admin/espace-citoyen/factures/")
BRACKETS = (0, 500, 900, 1300)
# Activity: (price per day by bracket, "hors commune" price, late-booking surcharge), in cents.
TARIFFS = {
    "Restauration scolaire": ((120, 280, 385, 490), 620, 100),
    "Accueil du matin": ((80, 150, 210, 260), 320, 50),
    "Accueil du soir": ((110, 200, 290, 360), 450, 50),
    "Étude surveillée": ((90, 160, 230, 290), 350, 0),
    "Accueil de loisirs du mercredi": ((450, 900, 1350, 1800), 2400, 300),
    "Accueil de loisirs des vacances": ((500, 1000, 1500, 2000), 2600, 300),
}
EARLY_BOOKINGS = {  # child: {activity: weekdays}, the 1st to the 16th of the month before last
    "Chloé": {"Restauration scolaire": [0, 1, 3, 4], "Accueil du soir": [0, 1]},
    "Nathan": {"Restauration scolaire": [0, 1, 3, 4], "Accueil du matin": [0, 3]},
}


def _first_of_month(day: date, shift: int = 0) -> date:
    month = day.month - 1 + shift
    return date(day.year + month // 12, month % 12 + 1, 1)


def _agent(group) -> User:
    agent = User.objects.filter(email__iexact=REGIE.email).first()
    if agent is None:
        agent = User.objects.create_user(REGIE.email, REGIE.password, first_name="Karim", last_name="Benali",
                                         is_staff=True, status=AccountStatus.ACTIVE)
    agent.groups.add(group)
    demo_totp_device(user=agent)
    return agent


def _tariffs(year: SchoolYear) -> None:
    brackets = [QuotientBracket.objects.get_or_create(school_year=year, lower_bound=bound)[0] for bound in BRACKETS]
    for name, (prices, outside, surcharge) in TARIFFS.items():
        activity = Activity.objects.filter(school_year=year, name=name).first()
        if activity is None or ActivityTariff.objects.filter(activity=activity).exists():
            continue
        tariff = ActivityTariff.objects.create(activity=activity, outside_town_price_cents=outside,
                                               late_surcharge_cents=surcharge)
        TariffPrice.objects.bulk_create([TariffPrice(tariff=tariff, bracket=bracket, unit_price_cents=cents)
                                         for bracket, cents in zip(brackets, prices)])


def _quotient(household, year, agent) -> None:
    """Camille transmits her CAF certificate to the Régie; the agent records 842 €."""

    if HouseholdQuotient.objects.filter(household=household, school_year=year).exists():
        return
    caf = Document.objects.filter(owner__memberships__household=household,
                                  doc_type=DocumentType.CAF_CERTIFICATE).select_related("owner").first()
    if caf is None:
        quotient_set(household=household, school_year=year, quotient=842, actor=agent,
                     note="Attestation CAF présentée au guichet (démonstration)")
        return
    transmission = DocumentTransmission.objects.filter(service=TownService.REGIE, documents=caf).first()
    demarche = transmission.demarche if transmission else documents_transmit(
        user=caf.owner, documents=[caf], service=TownService.REGIE,
        message="Mon attestation de quotient familial, pour le tarif de la cantine et des accueils.")
    quotient_set(household=household, school_year=year, quotient=842, document=caf, demarche=demarche, actor=agent)


def _early_bookings(children: dict[str, Child], year: SchoolYear, month: date) -> None:
    """Days of Chloé and Nathan in the first half of ``month`` (written as rows, booked the
    month before, all present), unless the activities demo booked that month already."""
    end = month.replace(day=16)
    if Reservation.objects.filter(child__in=children.values(), occurrence__date__range=(month, end)).exists():
        return
    occurrences = {(o.activity.name, o.date): o for o in Occurrence.objects.filter(
        activity__school_year=year, date__range=(month, end)).select_related("activity")}
    rows = []
    for first_name, plan in EARLY_BOOKINGS.items():
        for (name, day), occurrence in occurrences.items():
            if day.weekday() in plan.get(name, []):
                rows.append(Reservation(child=children[first_name], occurrence=occurrence,
                                        status=ReservationStatus.BOOKED))
    created = Reservation.objects.bulk_create(rows)
    ids = [r.pk for r in created] or list(Reservation.objects.filter(
        child__in=children.values(), occurrence__date__range=(month, end)).values_list("pk", flat=True))
    booked_on = _first_of_month(month, -1).replace(day=20)
    Reservation.objects.filter(pk__in=ids).update(
        created_at=datetime.datetime(booked_on.year, booked_on.month, booked_on.day, 18, tzinfo=PARIS))
    Attendance.objects.bulk_create([Attendance(reservation_id=pk, status=AttendanceStatus.PRESENT) for pk in ids])
    for occurrence in {r.occurrence for r in rows}:
        Occurrence.objects.filter(pk=occurrence.pk).update(
            booked_count=Reservation.objects.filter(occurrence=occurrence, status=ReservationStatus.BOOKED).count())


def _run(month: date, as_of: date, agent) -> None:
    run = invoicing_run_create(month=month, dry_run=False, actor=agent)
    invoicing_run_execute(run_id=run.pk, today=as_of)


def seed(*, stdout, today: date | None = None):
    everything_changed()  # bulk inserts below send no row signal; moved again at commit
    agent = _agent(billing_ensure_group_permissions())
    plan = demo_plan(today)
    year = SchoolYear.objects.filter(label=plan.label).first()
    if year is None:
        return [REGIE]
    _tariffs(year)
    chloe = Child.objects.filter(first_name="Chloé", last_name="Bernard").first()
    nathan = Child.objects.filter(first_name="Nathan", last_name="Bernard").first()
    if chloe is None or nathan is None:
        stdout.write(f"Factures : tarifs {plan.label} créés (famille de démonstration absente).")
        return [REGIE]
    household = chloe.household
    this_month = _first_of_month(plan.today)
    first, last = _first_of_month(plan.today, -2), _first_of_month(plan.today, -1)
    if not Invoice.objects.filter(household=household, month__in=[first, last]).exists():
        _quotient(household, year, agent)
        _early_bookings({"Chloé": chloe, "Nathan": nathan}, year, first)
        _run(first, last + timedelta(days=1), agent)
        paid = Invoice.objects.filter(household=household, month=first).first()
        if paid is not None:
            payment_record(invoice=paid, amount_cents=paid.balance_cents, method="cheque", cheque_number="0004567",
                           bank="Crédit Agricole Île-de-France", received_on=min(last.replace(day=10), plan.today),
                           actor=agent)
        _run(last, this_month, agent)
        to_pay = Invoice.objects.filter(household=household, month=last).first()
        chloe_lines = to_pay.lines.filter(child=chloe).order_by("-date") if to_pay else None
        trip = chloe_lines and (chloe_lines.filter(activity_name="Restauration scolaire").first() or chloe_lines.first())
        if trip:
            credit_note_create(invoice=to_pay, lines={trip.pk: None}, actor=agent,
                               reason=f"Sortie scolaire du {trip.date:%d/%m} : « {trip.activity_name} » non assuré",
                               today=this_month)
    invoices = Invoice.objects.filter(household=household).order_by("month")
    stdout.write("Factures : " + ", ".join(f"{i.number} ({i.month:%m/%Y}, {i.display_status().lower()})"
                                           for i in invoices) + f" ; agent Régie {REGIE.email}.")
    return [REGIE]
