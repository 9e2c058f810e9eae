"""Timing of the « attestation de frais de garde » and of « Mes paiements » for a busy
household (not run by `make test`).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<a throw-away database> \
        .venv/bin/python bench/certificates.py

Builds (migrations first, on an empty database) a household with BENCH_CHILDREN children
under six and a year of monthly invoices (the evening care and the canteen every school
day, the Wednesday centre: about 60 lines per child and month), each paid in two parts at
the desk, one in ten corrected by a credit note; then times, with their SQL query counts:

- the certified amounts (``childcare_certificate``) of that year;
- the PDF (``childcare_certificate_pdf``);
- the parent's GET of the certificate, of « Mes factures » (which lists the years offered)
  and of « Mes paiements » (median and 95th percentile of BENCH_RUNS requests).
"""

import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import measure, setup_django  # noqa: E402

setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

CHILDREN = int(os.environ.get("BENCH_CHILDREN", 3))
RUNS = int(os.environ.get("BENCH_RUNS", 20))
YEAR = datetime.date.today().year - 1
EMAIL = "bench.attestation@example.fr"


def build():
    from espace_citoyen.accounts.models import AccountStatus, User
    from espace_citoyen.activities.models import Activity, BookingRule, SchoolYear
    from espace_citoyen.billing.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine, Payment
    from espace_citoyen.family.models import Child, Household, Membership

    user = User.objects.filter(email=EMAIL).first()
    if user is not None:
        household = Membership.objects.get(user=user).household
        return user, household
    user = User.objects.create_user(EMAIL, "Bench-Attestation-2026", first_name="Bench", last_name="Garde",
                                    status=AccountStatus.ACTIVE)
    household = Household.objects.create()
    Membership.objects.create(household=household, user=user)
    year, _ = SchoolYear.objects.get_or_create(label="Bench AFG", defaults={
        "starts_on": datetime.date(YEAR, 1, 1), "ends_on": datetime.date(YEAR, 12, 31)})
    rule, _ = BookingRule.objects.get_or_create(name="Bench AFG", defaults={"days_before": 1,
                                                                           "before": datetime.time(12)})
    activities = [Activity.objects.get_or_create(school_year=year, name=name, defaults={
        "capacity": 100, "booking_rule": rule, "childcare": care})[0]
        for name, care in (("Soir AFG", True), ("Cantine AFG", False), ("Mercredi AFG", True))]
    children = [Child.objects.create(household=household, first_name=f"Enfant{i}", last_name="Garde",
                                     birth_date=datetime.date(YEAR - 4, 1 + i, 10)) for i in range(CHILDREN)]
    for month in range(1, 13):
        first = datetime.date(YEAR, month, 1)
        days = [first + datetime.timedelta(days=d) for d in range(28) if (first + datetime.timedelta(days=d)).weekday() < 5]
        lines = [(kid, activity, day, 350 if activity.name == "Cantine AFG" else 250)
                 for kid in children for day in days for activity in activities
                 if activity.name != "Mercredi AFG" or day.weekday() == 2]
        total = sum(cents for *_rest, cents in lines)
        invoice = Invoice.objects.create(number=f"BENCH-AFG-{YEAR}-{month:02d}", household=household, month=first,
                                         issue_date=first, due_date=first, total_cents=total, addressee="Bench Garde",
                                         pricing_note="Bench")
        created = InvoiceLine.objects.bulk_create([
            InvoiceLine(invoice=invoice, child=kid, child_name=kid.first_name, activity=activity,
                        activity_name=activity.name, date=day, reason="present", unit_price_cents=cents,
                        amount_cents=cents, bracket_label="Bench") for kid, activity, day, cents in lines])
        credited = 0
        if month % 10 == 0:
            note = CreditNote.objects.create(number=f"BENCH-AFG-A{month:02d}", invoice=invoice, issue_date=first,
                                             reason="Bench", total_cents=created[0].amount_cents)
            CreditNoteLine.objects.create(credit_note=note, invoice_line_id=created[0].pk,
                                          amount_cents=created[0].amount_cents)
            credited = created[0].amount_cents
        net = total - credited
        Payment.objects.bulk_create([
            Payment(invoice=invoice, amount_cents=net // 2, method="cash", receipt_number=f"BENCH-AFG-R{month:02d}a",
                    received_on=first + datetime.timedelta(days=20)),
            Payment(invoice=invoice, amount_cents=net - net // 2, method="online",
                    receipt_number=f"BENCH-AFG-R{month:02d}b", received_on=first + datetime.timedelta(days=40))])
        Invoice.objects.filter(pk=invoice.pk).update(credited_cents=credited, paid_cents=net, status="paid")
    return user, household


def timed(label, function):
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        result = function()
    print(f"{label:<52} {(time.perf_counter() - started) * 1000:>8.1f} ms {len(queries):>4} queries")
    return result


def main():
    from django.urls import reverse

    from espace_citoyen.billing.models import InvoiceLine
    from espace_citoyen.billing.selectors.certificates import childcare_certificate
    from espace_citoyen.billing.services.documents import childcare_certificate_pdf

    setup_test_environment()
    call_command("migrate", verbosity=0)
    user, household = build()
    lines = InvoiceLine.objects.filter(invoice__household=household).count()
    print(f"Household of {CHILDREN} children, {lines} invoice lines in {YEAR}, 24 payments")
    certificate = timed("certified amounts (childcare_certificate)",
                        lambda: childcare_certificate(household=household, year=YEAR))
    print("  " + ", ".join(f"{child.first_name}: {child.amount_cents / 100:.2f} €" for child in certificate.children))
    content = timed("PDF (childcare_certificate_pdf)", lambda: childcare_certificate_pdf(certificates=[certificate]))
    print(f"  {len(content) // 1024} KiB")
    client = Client()
    client.force_login(user)
    for label, url in (("GET the certificate", reverse("billing:childcare_certificate", args=[YEAR])),
                       ("GET Mes factures", reverse("billing:list")),
                       ("GET Mes paiements", reverse("billing:payments"))):
        median, p95, queries = measure(client, url, RUNS)
        print(f"{label:<52} {median:>8.1f} ms median {p95:>8.1f} ms p95 {queries:>4} queries")


if __name__ == "__main__":
    main()
