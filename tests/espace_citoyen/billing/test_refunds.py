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
from django.contrib import messages as django_messages
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from espace_citoyen.billing.models import (CheckoutStatus, CreditNote, InvoiceStatus, OnlineCheckout, Payment,
                                           PaymentMethod, Refund)
from espace_citoyen.billing.providers import stripe as stripe_provider
from espace_citoyen.billing.services import BillingError
from espace_citoyen.billing.services.payments import payment_record
from espace_citoyen.billing.services.refunds import refund_already_recorded, refund_payment

from .conftest import family_invoice, make_agent, page_text

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
                             actor=None, checkout=checkout, provider_payment_id=payment_intent)
    payment = Payment.objects.get(pk=payment.pk)
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


# --- The « Paiements en ligne » screens -----------------------------------------------------


def assert_denied(response):
    """Wagtail's permission_denied: back to the admin home with an error message."""
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    assert django_messages.ERROR in [m.level for m in get_messages(response.wsgi_request)]


def agent_with(email: str, *codenames: str):
    group = Group.objects.create(name=f"Groupe {email}")
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    for codename in codenames:
        group.permissions.add(Permission.objects.get(content_type__app_label="billing", codename=codename))
    return make_agent(email, group)


def refund_post(client, checkout_pk, payment, amount="12,50", reason="Séjour annulé", refunded_before=0):
    prefix = f"remboursement-{payment.pk}"
    return client.post(reverse("billing_online_payments:refund", args=[checkout_pk, payment.pk]),
                       {f"{prefix}-amount": amount, f"{prefix}-reason": reason,
                        f"{prefix}-refunded_before": str(refunded_before)})


def test_regie_lists_searches_filters_and_refunds(stripe_stub, online, client, otp_login, regie_agent,
                                                  django_capture_on_commit_callbacks):
    parent, invoice, payment = online
    otp_login(client, regie_agent)
    assert '"url": "/admin/espace-citoyen/paiements-en-ligne/"' in client.get("/admin/").content.decode()
    index = reverse("billing_online_payments:index")
    text = page_text(client.get(index))
    assert "Paiements en ligne" in text and invoice.number in text and "20,00 €" in text and "Payé" in text
    assert f"cs_test_{invoice.pk}" in text and "pi_test_refund_1" in text
    assert invoice.number in page_text(client.get(index, {"q": "pi_test_refund_1"}))
    assert invoice.number in page_text(client.get(index, {"q": invoice.number, "etat": "paid"}))
    assert invoice.number in page_text(client.get(index, {"q": invoice.addressee.split()[-1].upper()}))
    assert invoice.number not in page_text(client.get(index, {"etat": "expired"}))
    assert "Aucun paiement en ligne" in page_text(client.get(index, {"q": "pi_inconnu"}))
    assert client.get(index, {"etat": "n'importe", "p": "abc"}).status_code == 200

    detail = reverse("billing_online_payments:detail", args=[payment.checkout_id])
    text = page_text(client.get(detail))
    assert f"Reçu {payment.receipt_number}" in text and "Rembourser ce paiement" in text
    assert "reste remboursable : 20,00 €" in text

    # Bad input: a French message on the field, nothing made.
    for amount, message in (("douze", "Saisissez un montant en euros, par exemple 12,50."),
                            ("20,01", "Le montant ne peut pas dépasser 20,00 €."),
                            ("0", "Le montant doit être d'au moins 0,01 €."), ("", "Indiquez le montant à rembourser.")):
        response = refund_post(client, payment.checkout_id, payment, amount=amount)
        assert response.status_code == 400 and message in page_text(response), amount
    response = refund_post(client, payment.checkout_id, payment, reason="")
    assert response.status_code == 400 and "Indiquez le motif du remboursement." in page_text(response)
    assert stripe_stub.refunds() == [] and not Refund.objects.filter(payment=payment).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = refund_post(client, payment.checkout_id, payment, amount="12,50")
    assert response.status_code == 302 and response["Location"] == detail + f"#paiement-{payment.pk}"
    (request,) = stripe_stub.refunds()
    assert request["form"]["amount"] == "1250" and request["headers"]["Idempotency-Key"] == f"refund-{payment.pk}-0-1250"
    refund = Refund.objects.get(payment=payment)
    assert refund.amount_cents == 1250 and refund.created_by == regie_agent
    (message,) = mail.outbox
    assert "12,50 €" in message.body.replace("\u00a0", " ")
    text = page_text(client.get(detail))
    assert "Remboursement de 12,50 € fait" in text and f"Avoir {refund.credit_note.number} (PDF)" in text
    assert "déjà remboursé : 12,50 €" in text and "reste remboursable : 7,50 €" in text
    assert "12,50 €" in page_text(client.get(index))  # the « Remboursé » column

    # The same form sent again (double click): one refund at Stripe.
    response = refund_post(client, payment.checkout_id, payment, amount="12,50")
    assert response.status_code == 302 and len(stripe_stub.refunds()) == 1
    assert Refund.objects.filter(payment=payment).count() == 1
    # More than what is left: refused in French.
    response = refund_post(client, payment.checkout_id, payment, amount="7,51", refunded_before=1250)
    assert response.status_code == 400 and "Le montant ne peut pas dépasser 7,50 €." in page_text(response)
    # Stripe down: French message, nothing written.
    stripe_stub.fail = "api"
    response = refund_post(client, payment.checkout_id, payment, amount="7,50", refunded_before=1250)
    assert response.status_code == 400
    assert "Le prestataire de paiement n'a pas pu faire le remboursement" in page_text(response)
    assert Refund.objects.filter(payment=payment).count() == 1
    stripe_stub.fail = ""
    assert refund_post(client, payment.checkout_id, payment, amount="7,50", refunded_before=1250).status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED and invoice.balance_cents == 0
    assert "Ce paiement est entièrement remboursé." in page_text(client.get(detail))


def test_permission_matrix(stripe_stub, online, client, otp_login, superuser):
    _parent, invoice, payment = online
    index = reverse("billing_online_payments:index")
    detail = reverse("billing_online_payments:detail", args=[payment.checkout_id])
    # No permission: list, detail and form refused, menu hidden.
    nobody = agent_with("sans.droit@ville-villennes-sur-seine.fr", "view_invoice")
    otp_login(client, nobody)
    assert_denied(client.get(index))
    assert_denied(client.get(detail))
    assert_denied(client.get(reverse("billing_online_payments:detail", args=[999999])))
    assert_denied(refund_post(client, payment.checkout_id, payment))
    assert '"url": "/admin/espace-citoyen/paiements-en-ligne/"' not in client.get("/admin/").content.decode()
    # View only: list and page ok, no form, the refund refused and nothing written.
    viewer = agent_with("lecture@ville-villennes-sur-seine.fr", "view_onlinecheckout")
    otp_login(client, viewer)
    assert client.get(index).status_code == 200
    text = page_text(client.get(detail))
    assert "Rembourser ce paiement" not in text and "Vous n'avez pas le droit de rembourser" in text
    assert_denied(refund_post(client, payment.checkout_id, payment))
    assert stripe_stub.refunds() == [] and not Refund.objects.filter(payment=payment).exists()
    # add_refund: the refund is made; a payment of another checkout is 404 through this one.
    refunder = agent_with("rembourse@ville-villennes-sur-seine.fr", "view_onlinecheckout", "add_refund")
    otp_login(client, refunder)
    _p2, _invoice2, other = paid_online("autre.foyer@example.fr", days=2, payment_intent="pi_test_other")
    assert refund_post(client, payment.checkout_id, other).status_code == 404
    assert client.get(reverse("billing_online_payments:detail", args=[999999])).status_code == 404
    assert refund_post(client, payment.checkout_id, payment).status_code == 302
    assert Refund.objects.filter(payment=payment).count() == 1 and len(stripe_stub.refunds()) == 1
    # The superuser too.
    otp_login(client, superuser)
    assert client.get(index).status_code == 200 and client.get(detail).status_code == 200


def test_regie_group_has_the_permissions(regie_agent):
    assert regie_agent.has_perm("billing.view_onlinecheckout") and regie_agent.has_perm("billing.add_refund")


def test_list_query_count_is_constant(stripe_stub, client, otp_login, regie_agent):
    paid_online("liste.un@example.fr", days=2, payment_intent="pi_list_1")
    otp_login(client, regie_agent)
    index = reverse("billing_online_payments:index")
    client.get(index)
    with CaptureQueriesContext(connection) as few:
        assert client.get(index).status_code == 200
    for number in range(2, 6):
        _parent, _invoice, payment = paid_online(f"liste.{number}@example.fr", days=2,
                                                 payment_intent=f"pi_list_{number}")
        refund_payment(payment=payment, amount_cents=100, reason="Test", by=regie_agent)
    with CaptureQueriesContext(connection) as many:
        response = client.get(index)
    assert page_text(response).count("pi_list_") == 5
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# --- Two agents at once (PostgreSQL) ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite",
                    reason="needs PostgreSQL row locks (set DATABASE_URL=postgres://… to run)")
def test_two_agents_at_once_cannot_over_refund(stripe_stub):
    import threading as _threading

    from django.db import connections

    from espace_citoyen.billing.services.pricing import billing_ensure_group_permissions

    group = billing_ensure_group_permissions()
    agents = [make_agent(f"regie.concurrence.{n}@ville-villennes-sur-seine.fr", group) for n in (1, 2)]
    _parent, invoice, payment = paid_online("concurrence.remboursement@example.fr", days=4)  # 20,00 €
    barrier, errors, done = _threading.Barrier(2), [], []

    def run(agent):
        try:
            barrier.wait()
            done.append(refund_payment(payment=payment, amount_cents=1500, reason="En même temps", by=agent))
        except BillingError as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [_threading.Thread(target=run, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(done) == 1 and len(errors) == 1 and errors[0].code == "amount"
    assert len(stripe_stub.refunds()) == 1 and Refund.objects.filter(payment=payment).count() == 1
    invoice.refresh_from_db()
    assert (invoice.credited_cents, invoice.paid_cents, invoice.balance_cents) == (1500, 500, 0)
