"""Overdue reminders: once, at due date + N days, e-mail to the adults who prefer it, the
others listed to call; the daily command prints the list."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.test.utils import override_settings

from espace_citoyen.accounts.models import Profile
from espace_citoyen.billing.models import Invoice
from espace_citoyen.billing.services.payments import payment_record
from espace_citoyen.billing.services.reminders import invoice_reminders_send

from .conftest import family_invoice

pytestmark = pytest.mark.django_db


@override_settings(ESPACE_CITOYEN_INVOICE_REMINDER_DAYS=10)
def test_reminded_once_after_the_delay(django_capture_on_commit_callbacks):
    user, invoice = family_invoice("relance@example.fr", days=1)
    due = invoice.due_date
    with django_capture_on_commit_callbacks(execute=True):
        assert invoice.pk not in [i.pk for i in invoice_reminders_send(today=due + datetime.timedelta(days=9)).emailed]
        report = invoice_reminders_send(today=due + datetime.timedelta(days=10))
    assert invoice.pk in [i.pk for i in report.emailed]
    message = next(m for m in mail.outbox if "relance@example.fr" in m.to and "Rappel" in m.subject)
    assert invoice.number in message.body and "5,00\u00a0€" in message.body
    assert invoice.pk not in [i.pk for i in invoice_reminders_send(today=due + datetime.timedelta(days=11)).emailed]
    invoice.refresh_from_db()
    assert invoice.reminder_sent_at and invoice.events.filter(kind="reminder_email").count() == 1


def test_paid_invoices_are_not_reminded(regie_agent):
    _user, invoice = family_invoice("relance.payee@example.fr", days=1)
    payment_record(invoice=invoice, amount_cents=invoice.total_cents, method="cash", actor=regie_agent)
    report = invoice_reminders_send(today=invoice.due_date + datetime.timedelta(days=40))
    assert invoice.pk not in [i.pk for i in report.emailed + [c.invoice for c in report.to_call]]


def test_adults_who_prefer_the_phone_are_listed_to_call():
    user, invoice = family_invoice("relance.tel@example.fr", days=1, last_name="Téléphone", preferred="phone")
    stdout = io.StringIO()
    call_command("send_invoice_reminders", date=(invoice.due_date + datetime.timedelta(days=30)).isoformat(),
                 stdout=stdout)
    output = stdout.getvalue()
    assert invoice.number in output and "Sophie Téléphone" in output and "06 00 00 00 00" in output
    assert not any("relance.tel@example.fr" in m.to for m in mail.outbox)
    assert Invoice.objects.get(pk=invoice.pk).events.filter(kind="reminder_phone").exists()
    assert Profile.objects.get(user=user).preferred_contact == "phone"
