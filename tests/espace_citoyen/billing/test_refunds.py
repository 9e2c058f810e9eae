"""Refunds of online payments from the admin (services/refunds.py, admin/online_payments.py):
the real ``stripe`` library with its HTTP client stubbed (the request sent to /v1/refunds,
its Idempotency-Key), the Refund row, the credit note, the invoice's balance and status, the
family's e-mail; partial then the rest, over-refund, double submit, provider failure; the
« Paiements en ligne » screens with their permission matrix and a constant query count."""

from __future__ import annotations

import datetime
import json
import threading
import urllib.parse

import pytest
import stripe
from django.core import mail
from django.utils import timezone

from espace_citoyen.billing.models import (CheckoutStatus, CreditNote, InvoiceStatus, OnlineCheckout, Payment,
                                           PaymentMethod, Refund)
from espace_citoyen.billing.providers import stripe as stripe_provider
from espace_citoyen.billing.services import BillingError
from espace_citoyen.billing.services.payments import payment_record
from espace_citoyen.billing.services.refunds import refund_already_recorded, refund_payment

from .conftest import family_invoice

pytestmark = pytest.mark.django_db

SECRET_KEY = "sk_test_villennes_refunds"


class StubHTTPClient(stripe.HTTPClient):
    """Answers POST /v1/refunds like Stripe: a new refund, or the same one again for an
    Idempotency-Key already seen; ``fail`` answers an API error (500) or a card error (400)."""

    name = "stub-refunds"

    def __init__(self):
        super().__init__()
        self.requests: list[dict] = []
        self.by_key: dict[str, dict] = {}
        self.fail = ""
        self.lock = threading.Lock()

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parsed = urllib.parse.urlsplit(url)
        form = dict(urllib.parse.parse_qsl(post_data.decode() if isinstance(post_data, bytes) else (post_data or "")))
        with self.lock:
            self.requests.append({"method": method.upper(), "path": parsed.path, "headers": dict(headers or {}),
                                  "form": form})
            if self.fail == "api":
                return json.dumps({"error": {"type": "api_error", "message": "panne"}}), 500, {}
            if self.fail == "invalid":
                return json.dumps({"error": {"type": "invalid_request_error", "code": "charge_already_refunded",
                                             "message": "Charge already refunded"}}), 400, {}
            if method.upper() == "POST" and parsed.path == "/v1/refunds":
                key = (headers or {}).get("Idempotency-Key", "")
                if key not in self.by_key:
                    self.by_key[key] = {"id": f"re_test_{len(self.by_key) + 1:03d}", "object": "refund",
                                        "amount": int(form["amount"]), "payment_intent": form.get("payment_intent"),
                                        "status": "succeeded", "currency": "eur"}
                return json.dumps(self.by_key[key]), 200, {}
        return json.dumps({"error": {"type": "invalid_request_error", "message": "unknown"}}), 404, {}

    def close(self):
        pass

    def refunds(self) -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST" and r["path"] == "/v1/refunds"]


@pytest.fixture
def stripe_stub(settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_refunds"
    settings.WAGTAILADMIN_BASE_URL = "https://www.villennes-sur-seine.fr"
    stub = StubHTTPClient()
    monkeypatch.setattr(stripe_provider, "HTTP_CLIENT", stub)
    return stub


def paid_online(email: str, *, days: int = 4, payment_intent: str = "pi_test_refund_1", **family):
    """A household whose invoice (5,00 € a day) was paid in full online; (parent, invoice, payment)."""
    parent, invoice = family_invoice(email, days=days, **family)
    checkout = OnlineCheckout.objects.create(
        household=invoice.household, amount_cents=invoice.total_cents, provider_session_id=f"cs_test_{invoice.pk}",
        provider_payment_id=payment_intent, idempotency_key=f"checkout-{invoice.pk}", status=CheckoutStatus.PAID,
        url="https://checkout.stripe.com/c/pay/x", expires_at=timezone.now() + datetime.timedelta(hours=1),
        payer=parent, payer_email=parent.email, received_cents=invoice.total_cents, received_currency="eur",
        settled_at=timezone.now())
    checkout.invoices.add(invoice)
    payment = payment_record(invoice=invoice, amount_cents=invoice.total_cents, method=PaymentMethod.ONLINE,
                             actor=None)
    Payment.objects.filter(pk=payment.pk).update(checkout=checkout, provider_payment_id=payment_intent)
    payment.refresh_from_db()
    invoice.refresh_from_db()
    mail.outbox.clear()
    return parent, invoice, payment


@pytest.fixture
def online(db):
    return paid_online("rembourse@example.fr", days=4)  # 20,00 €


# --- The service ------------------------------------------------------------------------


def test_partial_refund_at_stripe_recorded_credited_and_told(stripe_stub, online, regie_agent,
                                                              django_capture_on_commit_callbacks):
    parent, invoice, payment = online
    assert invoice.total_cents == 2000 and invoice.status == InvoiceStatus.PAID
    with django_capture_on_commit_callbacks(execute=True):
        refund = refund_payment(payment=payment, amount_cents=1250, reason="Séjour annulé", by=regie_agent)

    (request,) = stripe_stub.refunds()
    assert request["form"] == {"amount": "1250", "payment_intent": "pi_test_refund_1"}
    assert request["headers"]["Idempotency-Key"] == f"refund-{payment.pk}-0-1250"
    assert request["headers"]["Authorization"] == f"Bearer {SECRET_KEY}"

    refund.refresh_from_db()
    assert (refund.payment_id, refund.amount_cents, refund.provider_refund_id) == (payment.pk, 1250, "re_test_001")
    assert refund.created_by == regie_agent and refund.reason == "Séjour annulé"
    assert refund.credit_note.total_cents == 1250 and refund.credit_note.invoice_id == invoice.pk
    assert refund.credit_note.pdf and refund.credit_note.pdf.open("rb").read(5) == b"%PDF-"
    assert "Séjour annulé" in refund.credit_note.reason
    invoice.refresh_from_db()
    assert (invoice.credited_cents, invoice.paid_cents, invoice.balance_cents) == (1250, 750, 0)
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.events.last().detail.startswith("Remboursement en ligne de 12,50")
    assert refund_already_recorded("re_test_001") and not refund_already_recorded("re_autre")

    (message,) = mail.outbox
    assert message.to == [parent.email]
    text = message.body.replace("\u00a0", " ")
    assert "12,50 €" in message.subject.replace("\u00a0", " ") and invoice.number in message.subject
    assert "vous rembourse 12,50 €" in text and "sous 5 à 10 jours" in text and "Séjour annulé" in text
    assert f"L'avoir n° {refund.credit_note.number} de 12,50 €" in text
    ((filename, content, mimetype),) = message.attachments
    assert filename == f"avoir-{refund.credit_note.number}.pdf" and mimetype == "application/pdf"
    assert content.startswith(b"%PDF-")


def test_partial_then_the_rest_then_nothing_more(stripe_stub, online, regie_agent):
    _parent, invoice, payment = online
    refund_payment(payment=payment, amount_cents=500, reason="Une journée", by=regie_agent)
    refund_payment(payment=payment, amount_cents=1500, reason="Le reste", by=regie_agent)
    assert [r["form"]["amount"] for r in stripe_stub.refunds()] == ["500", "1500"]
    assert stripe_stub.refunds()[1]["headers"]["Idempotency-Key"] == f"refund-{payment.pk}-500-1500"
    invoice.refresh_from_db()
    assert (invoice.credited_cents, invoice.paid_cents, invoice.balance_cents) == (2000, 0, 0)
    assert invoice.status == InvoiceStatus.CANCELLED
    assert sorted(Refund.objects.values_list("amount_cents", flat=True)) == [500, 1500]
    with pytest.raises(BillingError) as error:
        refund_payment(payment=payment, amount_cents=1, reason="Encore", by=regie_agent)
    assert error.value.message == "Ce paiement est déjà entièrement remboursé."
    assert len(stripe_stub.refunds()) == 2


def test_over_refund_refused_in_french_nothing_sent(stripe_stub, online, regie_agent):
    _parent, invoice, payment = online
    refund_payment(payment=payment, amount_cents=1500, reason="Partiel", by=regie_agent)
    with pytest.raises(BillingError) as error:
        refund_payment(payment=payment, amount_cents=501, reason="Trop", by=regie_agent)
    assert error.value.message.replace("\u00a0", " ") == (
        "Le montant doit être compris entre 0,01 € et 5,00 € (paiement de 20,00 €, déjà remboursé : 15,00 €).")
    for amount in (0, -5):
        with pytest.raises(BillingError, match="supérieur à 0"):
            refund_payment(payment=payment, amount_cents=amount, reason="Rien", by=regie_agent)
    with pytest.raises(BillingError, match="motif"):
        refund_payment(payment=payment, amount_cents=100, reason="  ", by=regie_agent)
    assert len(stripe_stub.refunds()) == 1 and Refund.objects.count() == 1


def test_desk_payment_is_not_refunded_here(stripe_stub, regie_agent):
    _parent, invoice = family_invoice("guichet.rembourse@example.fr", days=2)
    payment = payment_record(invoice=invoice, amount_cents=1000, method=PaymentMethod.CASH, actor=regie_agent)
    with pytest.raises(BillingError, match="Seul un paiement fait en ligne"):
        refund_payment(payment=payment, amount_cents=100, reason="Non", by=regie_agent)
    assert stripe_stub.refunds() == [] and Refund.objects.count() == 0


def test_double_submit_makes_one_refund(stripe_stub, online, regie_agent):
    _parent, invoice, payment = online
    first = refund_payment(payment=payment, amount_cents=700, reason="Deux clics", by=regie_agent, refunded_before=0)
    second = refund_payment(payment=payment, amount_cents=700, reason="Deux clics", by=regie_agent,
                            refunded_before=0)
    assert first.pk == second.pk and len(stripe_stub.refunds()) == 1
    assert Refund.objects.count() == 1 and CreditNote.objects.filter(invoice=invoice).count() == 1
    invoice.refresh_from_db()
    assert (invoice.credited_cents, invoice.paid_cents) == (700, 1300)
    # A form opened before another agent's refund, with another amount: refused, not made.
    with pytest.raises(BillingError, match="Un autre remboursement vient d'être enregistré"):
        refund_payment(payment=payment, amount_cents=300, reason="Vieux formulaire", by=regie_agent,
                       refunded_before=0)
    assert len(stripe_stub.refunds()) == 1


def test_same_key_after_a_rollback_gets_the_same_refund_from_stripe(stripe_stub, online, regie_agent, monkeypatch):
    """Stripe refunded but our transaction failed afterwards: the retry sends the same key,
    Stripe answers the same refund, recorded once."""
    _parent, invoice, payment = online
    from espace_citoyen.billing.services import refunds as refunds_module

    def broken(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(refunds_module, "_notify", broken)
    with pytest.raises(RuntimeError):
        refund_payment(payment=payment, amount_cents=400, reason="Panne", by=regie_agent)
    assert Refund.objects.count() == 0 and CreditNote.objects.filter(invoice=invoice).count() == 0
    monkeypatch.undo()
    monkeypatch.setattr(stripe_provider, "HTTP_CLIENT", stripe_stub)
    refund = refund_payment(payment=payment, amount_cents=400, reason="Panne", by=regie_agent)
    keys = {r["headers"]["Idempotency-Key"] for r in stripe_stub.refunds()}
    assert keys == {f"refund-{payment.pk}-0-400"} and refund.provider_refund_id == "re_test_001"
    assert Refund.objects.count() == 1


@pytest.mark.parametrize("failure", ["api", "invalid"])
def test_provider_error_french_message_nothing_written(stripe_stub, online, regie_agent, failure,
                                                       django_capture_on_commit_callbacks):
    _parent, invoice, payment = online
    stripe_stub.fail = failure
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(BillingError) as error:
        refund_payment(payment=payment, amount_cents=1000, reason="Panne", by=regie_agent)
    assert error.value.message.startswith("Le prestataire de paiement n'a pas pu faire le remboursement ; rien n'a "
                                          "été enregistré.")
    assert stripe_stub.refunds()
    assert Refund.objects.count() == 0 and CreditNote.objects.filter(invoice=invoice).count() == 0 and mail.outbox == []
    invoice.refresh_from_db()
    assert (invoice.credited_cents, invoice.paid_cents, invoice.status) == (0, 2000, InvoiceStatus.PAID)
