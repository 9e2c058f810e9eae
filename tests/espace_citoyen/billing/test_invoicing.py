"""The monthly invoicing (services/invoicing.py, services/runs.py, tasks.py): one invoice per
household and month, numbers, due date, idempotent re-run, regularisation lines, set-based
query count, the background run and its report."""

import datetime
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from espace_citoyen.activities.models import AttendanceStatus
from espace_citoyen.billing.models import Invoice, InvoiceEvent, InvoiceLine, InvoiceStatus, InvoicingRun, RunStatus
from espace_citoyen.billing.services.invoicing import due_date_for, invoicing_plan, invoicing_write
from espace_citoyen.billing.services.queue import invoicing_run_enqueue
from espace_citoyen.billing.services.runs import invoicing_run_create, invoicing_run_execute

from .conftest import LAST_MONTH, MONTH_BEFORE, book, first_of_month, make_activity, make_family, today, weekdays_of

pytestmark = pytest.mark.django_db


def _run(month, *, actor=None, dry_run=False) -> InvoicingRun:
    run = invoicing_run_create(month=month, dry_run=dry_run, actor=actor)
    return invoicing_run_execute(run_id=run.pk)


def _family_with_days(email, activity, days, **kwargs):
    user, household, (child,) = make_family(email, **kwargs)
    for day in days:
        book(child, activity, day, attendance=AttendanceStatus.PRESENT)
    return user, household, child


def test_due_date_setting_and_minimum_delay():
    assert due_date_for(month=datetime.date(2026, 11, 1), issue_date=datetime.date(2026, 12, 1)) == datetime.date(2026, 12, 15)
    with override_settings(ESPACE_CITOYEN_INVOICE_DUE_DAY=31):
        assert due_date_for(month=datetime.date(2027, 1, 1), issue_date=datetime.date(2027, 2, 1)) == datetime.date(2027, 2, 28)
    # A run made late still leaves ten days to pay.
    assert due_date_for(month=datetime.date(2026, 11, 1), issue_date=datetime.date(2026, 12, 20)) == datetime.date(2026, 12, 30)


def test_run_issues_one_invoice_per_household_with_number_pdf_and_email(regie_agent):
    activity = make_activity()
    _user, household, _child = _family_with_days("facture@example.fr", activity, weekdays_of(LAST_MONTH, 1)[:3])
    run = _run(LAST_MONTH, actor=regie_agent)
    assert run.status == RunStatus.DONE, run.error_message
    invoice = Invoice.objects.get(household=household, month=LAST_MONTH)
    assert re.fullmatch(rf"F{today().year}-\d{{6}}", invoice.number)
    assert invoice.total_cents == 3 * 500 and invoice.status == InvoiceStatus.ISSUED
    assert invoice.issue_date == today() and invoice.due_date == due_date_for(month=LAST_MONTH, issue_date=today())
    assert invoice.addressee == "Sophie Martin" and "rue des Tests" in invoice.address
    assert invoice.lines.count() == 3 and invoice.number in invoice.pdf.name
    assert InvoiceEvent.objects.filter(invoice=invoice, kind="issued", actor=regie_agent).exists()
    message = next(m for m in mail.outbox if "facture@example.fr" in m.to)
    assert invoice.number in message.subject and f"/espace-citoyen/factures/{invoice.pk}/" in message.body
    assert run.report["invoices_created"] >= 1 and run.report["issue_date"] == today().isoformat()


def test_numbers_are_consecutive_within_a_run():
    activity = make_activity()
    for index in range(5):
        _family_with_days(f"suite{index}@example.fr", activity, weekdays_of(LAST_MONTH, 2)[:1])
    _run(LAST_MONTH)
    numbers = sorted(int(n.split("-")[1]) for n in Invoice.objects.filter(month=LAST_MONTH, issue_date=today())
                     .values_list("number", flat=True))
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def test_running_the_same_month_again_creates_nothing():
    activity = make_activity()
    _family_with_days("idempotent@example.fr", activity, weekdays_of(LAST_MONTH, 1))
    first = _run(LAST_MONTH)
    counts = (Invoice.objects.count(), InvoiceLine.objects.count())
    second = _run(LAST_MONTH)
    assert second.status == RunStatus.DONE
    assert (Invoice.objects.count(), InvoiceLine.objects.count()) == counts
    assert second.report["invoices_created"] == 0
    assert second.report["already_invoiced"] >= first.report["invoices_created"] >= 1


def test_days_booked_late_go_on_the_next_invoice_as_regularisation():
    activity = make_activity()
    _user, household, child = _family_with_days("regul@example.fr", activity, weekdays_of(MONTH_BEFORE, 1)[:2])
    _run(MONTH_BEFORE)
    late_day = weekdays_of(MONTH_BEFORE, 3)[0]
    book(child, activity, late_day, attendance=AttendanceStatus.PRESENT)  # booked after the invoice
    assert _run(MONTH_BEFORE).report["invoices_created"] == 0  # the month's invoice is not touched
    book(child, activity, weekdays_of(LAST_MONTH, 1)[0], attendance=AttendanceStatus.PRESENT)
    _run(LAST_MONTH)
    first = Invoice.objects.get(household=household, month=MONTH_BEFORE)
    following = Invoice.objects.get(household=household, month=LAST_MONTH)
    assert first.lines.count() == 2
    regularisation = following.lines.get(is_regularisation=True)
    assert regularisation.date == late_day
    assert following.lines.filter(is_regularisation=False).count() == 1


def test_a_household_with_only_late_days_gets_its_regularisation_invoice():
    activity = make_activity()
    _user, other, _child = _family_with_days("autre@example.fr", activity, weekdays_of(MONTH_BEFORE, 1)[:1])
    _run(MONTH_BEFORE)
    _user, household, (child,) = make_family("tardif@example.fr")
    book(child, activity, weekdays_of(MONTH_BEFORE, 4)[0], attendance=AttendanceStatus.ABSENT)
    _run(LAST_MONTH)
    invoice = Invoice.objects.get(household=household, month=LAST_MONTH)
    assert [line.is_regularisation for line in invoice.lines.all()] == [True]


def test_days_of_a_month_never_invoiced_are_not_pulled_in():
    activity = make_activity()
    never = first_of_month(today(), -3)
    assert not InvoicingRun.objects.filter(month=never, dry_run=False, status="done").exists()
    _user, household, (child,) = make_family("jamais@example.fr")
    book(child, activity, weekdays_of(never, 1)[0])
    book(child, activity, weekdays_of(LAST_MONTH, 1)[0])
    _run(LAST_MONTH)
    assert Invoice.objects.get(household=household, month=LAST_MONTH).lines.count() == 1


def test_preview_writes_nothing():
    activity = make_activity()
    _family_with_days("apercu@example.fr", activity, weekdays_of(LAST_MONTH, 1))
    before = Invoice.objects.count()
    run = _run(LAST_MONTH, dry_run=True)
    assert run.status == RunStatus.DONE and run.report["dry_run"] is True
    assert run.report["households"] >= 1 and run.report["lines"] >= len(weekdays_of(LAST_MONTH, 1))
    assert Invoice.objects.count() == before


def test_background_run_from_the_back_office(regie_agent, django_capture_on_commit_callbacks):
    activity = make_activity()
    _family_with_days("tache@example.fr", activity, weekdays_of(LAST_MONTH, 1)[:1])
    with django_capture_on_commit_callbacks(execute=True):
        run = invoicing_run_enqueue(month=LAST_MONTH, dry_run=False, actor=regie_agent)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.finished_at and run.report["invoices_created"] >= 1


def test_a_month_not_over_fails_with_a_french_message():
    run = _run(today().replace(day=1))
    assert run.status == RunStatus.FAILED and "n'est pas terminé" in run.error_message


def test_a_run_taken_twice_runs_once():
    run = invoicing_run_create(month=LAST_MONTH, dry_run=True, actor=None)
    assert invoicing_run_execute(run_id=run.pk) is not None
    assert invoicing_run_execute(run_id=run.pk) is None


def _write_queries(households: int, days_per_household: int, tag: str) -> tuple[int, int]:
    """(queries other than the lines' INSERTs, INSERTs of lines) of planning and writing."""
    activity = make_activity(f"Volume {tag}")
    days = (weekdays_of(LAST_MONTH, 0) + weekdays_of(LAST_MONTH, 1) + weekdays_of(LAST_MONTH, 3))[:days_per_household]
    for index in range(households):
        _family_with_days(f"volume.{tag}.{index}@example.fr", activity, days)
    with CaptureQueriesContext(connection) as queries:
        plan = invoicing_plan(month=LAST_MONTH)
        invoicing_write(plan=plan)
    Invoice.objects.filter(month=LAST_MONTH, lines__activity=activity).delete()  # cascades to lines
    inserts = sum(1 for query in queries.captured_queries if query["sql"].startswith('INSERT INTO "billing_invoiceline"'))
    return len(queries) - inserts, inserts


def test_the_run_is_set_based():
    """Same number of queries for 2 households × 2 days and 12 households × 12 days (after a
    first run, which creates the year's number counter). Lines are inserted in bulk: SQLite
    takes at most 999 parameters per statement (about 70 lines), PostgreSQL 2,000 lines."""
    _write_queries(1, 1, "warm")
    small, _ = _write_queries(2, 2, "small")
    large, line_inserts = _write_queries(12, 12, "large")
    assert large == small
    assert line_inserts <= 1 + 12 * 12 // 60
