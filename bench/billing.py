"""Timing of the monthly invoicing on a town-sized month (not run by `make test`).

    createdb -h 127.0.0.1 -U postgres villennes_billing_bench      # a throw-away database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/villennes_billing_bench .venv/bin/python bench/billing.py

Builds, with bulk inserts, BENCH_HOUSEHOLDS households (10,000 by default; one or two adults,
1.6 children on average, one in ten outside the town, four in five with a quotient) and a
month of bookings of last month: the canteen four days a week for every child, the evening
childcare two days a week for half of them, the Wednesday centre for a third; attendance
taken (95 % present, 3 % absent, 2 % absent with a certificate). Then times, with their SQL
query counts:

- the preview (``invoicing_plan``: reads and prices everything, writes nothing);
- the invoicing itself (``invoicing_write``: numbers, invoices, lines, history, by batches);
- the PDFs and e-mails of the invoices (``invoices_issue_documents``), on BENCH_PDF_SAMPLE
  invoices (all of them with BENCH_PDF_SAMPLE=0), extrapolated to all;
- running the same month again (nothing to write).

Run it again on the same database to time again without rebuilding (the bench's invoices
are deleted first). The machine's load average is printed: on a shared machine, compare the
CPU times.
"""

import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import setup_django  # noqa: E402

setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

HOUSEHOLDS = int(os.environ.get("BENCH_HOUSEHOLDS", 10_000))
PDF_SAMPLE = int(os.environ.get("BENCH_PDF_SAMPLE", 1_000))
YEAR_LABEL = "Bench"


class QueryCounter:
    """Counts the SQL statements run (without keeping their text, unlike CaptureQueriesContext)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed(label, function, **kwargs):
    """Wall time, this process's CPU time (PostgreSQL's own work is not in it) and queries."""
    counter = QueryCounter()
    started, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(counter):
        result = function(**kwargs)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"{label:<58} {seconds:>7.1f} s wall {cpu:>6.1f} s CPU {counter.count:>6} queries")
    return result, seconds, counter.count


def last_month() -> datetime.date:
    return (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def build(month: datetime.date) -> int:
    """The catalogue, households and a month of bookings; returns the number of bookings."""
    from espace_citoyen.accounts.models import Profile, User
    from espace_citoyen.activities.models import (
        Activity,
        Attendance,
        BookingRule,
        Occurrence,
        Reservation,
        SchoolYear,
    )
    from espace_citoyen.billing.models import ActivityTariff, HouseholdQuotient, QuotientBracket, TariffPrice
    from espace_citoyen.family.models import Child, Household, Membership
    from espace_citoyen.family.selectors import children_count_changed

    rng = random.Random(42)
    year = SchoolYear.objects.create(label=YEAR_LABEL, starts_on=month - datetime.timedelta(days=60),
                                     ends_on=month + datetime.timedelta(days=300))
    rule = BookingRule.objects.get_or_create(name="Bench J-2", defaults={"days_before": 2, "before": datetime.time(10)})[0]
    brackets = [QuotientBracket.objects.create(school_year=year, lower_bound=b) for b in (0, 500, 900, 1300)]
    plan = {"Restauration": ([0, 1, 3, 4], (120, 280, 385, 490)), "Accueil du soir": ([0, 1], (110, 200, 290, 360)),
            "Mercredi": ([2], (450, 900, 1350, 1800))}
    days: dict[str, list] = {}
    for name, (weekdays, prices) in plan.items():
        activity = Activity.objects.create(school_year=year, name=name, weekdays=weekdays, capacity=100_000,
                                           booking_rule=rule)
        tariff = ActivityTariff.objects.create(activity=activity, outside_town_price_cents=prices[-1] + 150,
                                               late_surcharge_cents=100)
        TariffPrice.objects.bulk_create([TariffPrice(tariff=tariff, bracket=b, unit_price_cents=p)
                                         for b, p in zip(brackets, prices)])
        day, occurrences = month, []
        while day.month == month.month:
            if day.weekday() in weekdays:
                occurrences.append(Occurrence(activity=activity, date=day, capacity=100_000))
            day += datetime.timedelta(days=1)
        days[name] = Occurrence.objects.bulk_create(occurrences)

    households = Household.objects.bulk_create([Household() for _ in range(HOUSEHOLDS)], batch_size=5000)
    users, memberships, profiles, children = [], [], [], []
    for index, household in enumerate(households):
        for adult in range(1 + (index % 3 != 0)):
            users.append(User(email=f"bench.{index}.{adult}@example.fr", password="!", first_name="Parent",
                              last_name=f"Famille{index}"))
    users = User.objects.bulk_create(users, batch_size=5000)
    by_household = {}
    for user in users:
        by_household.setdefault(int(user.email.split(".")[1]), []).append(user)
    for index, household in enumerate(households):
        outside = index % 10 == 0
        for user in by_household[index]:
            memberships.append(Membership(household=household, user=user))
            profiles.append(Profile(user=user, street_number=str(index % 90 + 1), street="rue du Banc d'essai",
                                    postcode="78300" if outside else "78670",
                                    city="Poissy" if outside else "Villennes-sur-Seine"))
        for child in range(rng.choice((1, 1, 2, 2, 3))):
            children.append(Child(household=household, first_name=f"Enfant{child}", last_name=f"Famille{index}",
                                  birth_date=datetime.date(2017, 1, 1)))
    Membership.objects.bulk_create(memberships, batch_size=5000)
    Profile.objects.bulk_create(profiles, batch_size=5000)
    children = Child.objects.bulk_create(children, batch_size=5000)
    children_count_changed()  # bulk_create sends no row signal (the reservations list's count)
    HouseholdQuotient.objects.bulk_create([
        HouseholdQuotient(household=h, school_year=year, quotient=rng.randrange(200, 2200))
        for i, h in enumerate(households) if i % 5], batch_size=5000)

    booked_at = datetime.datetime.combine(month - datetime.timedelta(days=20), datetime.time(9),
                                          tzinfo=datetime.UTC)
    total = 0
    for start in range(0, len(children), 2000):
        reservations = []
        for child in children[start:start + 2000]:
            chosen = ["Restauration"] + (["Accueil du soir"] if child.pk % 2 else []) + (
                ["Mercredi"] if child.pk % 3 == 0 else [])
            for name in chosen:
                reservations.extend(Reservation(child=child, occurrence=occurrence) for occurrence in days[name])
        with transaction.atomic():
            reservations = Reservation.objects.bulk_create(reservations, batch_size=5000)
            Reservation.objects.filter(pk__in=[r.pk for r in reservations]).update(created_at=booked_at)
            Attendance.objects.bulk_create([
                Attendance(reservation=r, status="present" if roll < 95 else "absent" if roll < 98 else "justified")
                for r, roll in ((r, rng.randrange(100)) for r in reservations)], batch_size=5000)
        total += len(reservations)
    return total


def main():
    from espace_citoyen.billing.models import Invoice, InvoiceLine
    from espace_citoyen.billing.services.documents import invoices_issue_documents
    from espace_citoyen.billing.services.invoicing import invoicing_plan, invoicing_write
    from espace_citoyen.billing.services.runs import invoicing_run_create

    setup_test_environment()  # e-mails kept in memory
    call_command("migrate", verbosity=0)
    from espace_citoyen.activities.models import SchoolYear

    month = last_month()
    if not SchoolYear.objects.filter(label=YEAR_LABEL).exists():
        call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))
    print(f"Database: {connection.vendor}; {HOUSEHOLDS} households, month {month:%Y-%m}")
    if SchoolYear.objects.filter(label=YEAR_LABEL).exists():  # a second timing on the same data
        bench_invoices = ("SELECT DISTINCT l.invoice_id FROM billing_invoiceline l JOIN activities_activity a "
                          "ON a.id = l.activity_id JOIN activities_schoolyear y ON y.id = a.school_year_id "
                          f"WHERE y.label = '{YEAR_LABEL}'")
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE bench_invoices AS {bench_invoices}")
            for table in ("billing_invoiceevent", "billing_invoiceline"):
                cursor.execute(f"DELETE FROM {table} WHERE invoice_id IN (SELECT invoice_id FROM bench_invoices)")
            cursor.execute("DELETE FROM billing_invoice WHERE id IN (SELECT invoice_id FROM bench_invoices)")
            cursor.execute("DROP TABLE bench_invoices")
        print("Reusing the households and bookings built before (their invoices deleted)\n")
    else:
        started = time.perf_counter()
        bookings = build(month)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # what autovacuum does after such a load: the planner knows the volumes
        print(f"Built {bookings} bookings in {time.perf_counter() - started:.0f} s\n")
    print(f"Load average before timing: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")

    plan, preview_seconds, _ = timed("Preview (invoicing_plan)", invoicing_plan, month=month)
    households = sum(1 for p in plan.plans if p.lines and p.lines[0]["activity_name"] in
                     ("Restauration", "Accueil du soir", "Mercredi"))
    print(f"  {len(plan.plans)} households to invoice ({households} of the bench), {plan.report['lines']} lines, "
          f"{plan.report['total_cents'] / 100:,.2f} EUR")
    run = invoicing_run_create(month=month, dry_run=False, actor=None)
    report, write_seconds, _ = timed("Invoicing (invoicing_write)", invoicing_write, plan=plan, run=run)
    print(f"  {report['invoices_created']} invoices {report['first_number']} … {report['last_number']}, "
          f"{InvoiceLine.objects.filter(invoice__run=run).count()} lines")
    print(f"  → monthly run without documents: {preview_seconds + write_seconds:.1f} s\n")

    sample = PDF_SAMPLE or Invoice.objects.filter(run=run).count()
    pdf_run = invoicing_run_create(month=month, dry_run=False, actor=None)
    Invoice.objects.filter(pk__in=list(Invoice.objects.filter(run=run).order_by("pk").values_list("pk", flat=True)
                                       [:sample])).update(run=pdf_run)
    _, pdf_seconds, _ = timed(f"PDFs and e-mails, {sample} invoices (invoices_issue_documents)",
                              invoices_issue_documents, run=pdf_run)
    count = report["invoices_created"]
    print(f"  {pdf_seconds / sample * 1000:.1f} ms per invoice → about {pdf_seconds / sample * count:.0f} s for "
          f"{count} invoices\n")
    timed("Same month again (preview: nothing left to invoice)", invoicing_plan, month=month)
    print(f"Load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
