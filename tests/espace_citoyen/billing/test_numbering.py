"""Gapless numbers per kind and year, also under concurrent runs and credit notes
(PostgreSQL: real threads; SQLite has no row locks and serialises whole transactions)."""

import threading

import pytest
from django.db import connection, connections, transaction

from espace_citoyen.billing.models import CreditNote, Invoice, NumberCounter
from espace_citoyen.billing.services.numbering import format_number, numbers_take

from .conftest import LAST_MONTH, book, make_activity, make_family, weekdays_of


def test_format():
    assert format_number("F", 2026, 123) == "F2026-000123"


@pytest.mark.django_db
def test_numbers_follow_each_other_and_a_rollback_gives_them_back():
    with transaction.atomic():
        first = numbers_take(kind="A", year=2031, count=2)
    try:
        with transaction.atomic():
            numbers_take(kind="A", year=2031)
            raise RuntimeError
    except RuntimeError:
        pass
    with transaction.atomic():
        (third,) = numbers_take(kind="A", year=2031)
    assert first == ["A2031-000001", "A2031-000002"] and third == "A2031-000003"
    assert NumberCounter.objects.get(kind="A", year=2031).last == 3


def _threads(targets):
    barrier = threading.Barrier(len(targets))
    errors = []

    def run(target):
        try:
            barrier.wait()
            target()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite",
                    reason="needs PostgreSQL row locks (set DATABASE_URL=postgres://… to run)")
def test_concurrent_runs_and_credit_notes_leave_no_gap_and_no_double():
    from espace_citoyen.billing.services.credit_notes import credit_note_create
    from espace_citoyen.billing.services.pricing import billing_ensure_group_permissions
    from espace_citoyen.billing.services.runs import invoicing_run_create, invoicing_run_execute

    from .conftest import issue_invoice, make_agent

    agent = make_agent("regie.concurrence@ville-villennes-sur-seine.fr", billing_ensure_group_permissions())
    activity = make_activity("Cantine concurrence")
    days = weekdays_of(LAST_MONTH, 1)[:2]
    households = []
    for index in range(30):
        _user, household, (child,) = make_family(f"concurrence{index}@example.fr")
        for day in days:
            book(child, activity, day, attendance="present")
        households.append(household)
    # Six invoices already issued, to be credited while the runs write.
    credited = [issue_invoice(household) for household in households[:6]]

    def run():
        invoicing_run_execute(run_id=invoicing_run_create(month=LAST_MONTH, dry_run=False, actor=agent).pk)

    def credit(invoice):
        return lambda: credit_note_create(invoice=invoice, reason="Test de concurrence", actor=agent)

    errors = _threads([run, run, run] + [credit(invoice) for invoice in credited])
    assert errors == []
    invoices = Invoice.objects.filter(household__in=households)
    assert invoices.count() == 30  # one per household, whatever the number of runs
    for model, kind in ((Invoice, "F"), (CreditNote, "A")):
        numbers = sorted(int(number.split("-")[1]) for number in model.objects.filter(number__startswith=kind)
                         .values_list("number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1)), (kind, numbers)
    assert CreditNote.objects.filter(reason="Test de concurrence").count() == 6
