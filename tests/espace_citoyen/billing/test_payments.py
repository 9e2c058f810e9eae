"""Payments received at the desk: partial, full, over-payment refused, cheques, receipts."""

import datetime

import pytest
from django.core import mail
from pypdf import PdfReader

from espace_citoyen.billing.models import InvoiceStatus, Payment
from espace_citoyen.billing.services import BillingError
from espace_citoyen.billing.services.payments import payment_record

from .conftest import family_invoice

pytestmark = pytest.mark.django_db


def _text(field) -> str:
    with field.open("rb"):
        return "\n".join(page.extract_text() for page in PdfReader(field).pages).replace("\u00a0", " ")


def test_partial_then_full_payment(regie_agent, django_capture_on_commit_callbacks):
    _user, invoice = family_invoice("paiement@example.fr", days=4)  # 20,00 €
    with django_capture_on_commit_callbacks(execute=True):
        first = payment_record(invoice=invoice, amount_cents=750, method="cash", actor=regie_agent)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PARTIALLY_PAID and invoice.balance_cents == 1250
    assert first.receipt_number.startswith("R") and first.recorded_by == regie_agent
    text = _text(first.receipt_pdf)
    assert first.receipt_number in text and invoice.number in text and "7,50 €" in text and "12,50 €" in text
    assert any("Paiement reçu" in m.subject for m in mail.outbox if "paiement@example.fr" in m.to)
    second = payment_record(invoice=invoice, amount_cents=1250, method="cheque", cheque_number="0001234",
                            bank="Banque Postale", actor=regie_agent)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.balance_cents == 0
    assert "Chèque n° 0001234 (Banque Postale)" in _text(second.receipt_pdf)
    assert [e.kind for e in invoice.events.order_by("created_at", "id")] == ["issued", "payment", "payment"]
    assert invoice.events.last().from_status == "partially_paid" and invoice.events.last().to_status == "paid"


def test_over_payment_refused_with_a_french_message(regie_agent):
    _user, invoice = family_invoice("tropplein@example.fr", days=2)  # 10,00 €
    with pytest.raises(BillingError) as error:
        payment_record(invoice=invoice, amount_cents=1001, method="cash", actor=regie_agent)
    assert error.value.message == ("Le montant saisi (10,01 €) dépasse le reste à payer (10,00 €) : un trop-perçu ne "
                                   "peut pas être enregistré. Saisissez au plus 10,00 €.").replace(" €", "\u00a0€")
    assert not Payment.objects.filter(invoice=invoice).exists()
    payment_record(invoice=invoice, amount_cents=1000, method="transfer", reference="VIR-42", actor=regie_agent)
    with pytest.raises(BillingError, match="déjà entièrement payée"):
        payment_record(invoice=invoice, amount_cents=1, method="cash", actor=regie_agent)


@pytest.mark.parametrize("kwargs, message", [
    ({"amount_cents": 0, "method": "cash"}, "supérieur à 0"),
    ({"amount_cents": 100, "method": "bitcoin"}, "moyen de paiement"),
    ({"amount_cents": 100, "method": "cheque", "cheque_number": "12"}, "numéro et la banque"),
    ({"amount_cents": 100, "method": "cash", "received_on": datetime.date.today() + datetime.timedelta(days=2)},
     "futur"),
])
def test_invalid_payments(regie_agent, kwargs, message):
    _user, invoice = family_invoice(f"invalide.{kwargs['method']}.{kwargs['amount_cents']}@example.fr", days=1)
    with pytest.raises(BillingError, match=message):
        payment_record(invoice=invoice, actor=regie_agent, **kwargs)


def test_cheque_details_are_dropped_for_cash(regie_agent):
    _user, invoice = family_invoice("especes@example.fr", days=1)
    payment = payment_record(invoice=invoice, amount_cents=100, method="cash", cheque_number="9", bank="X",
                             actor=regie_agent)
    assert payment.cheque_number == "" and payment.bank == ""
