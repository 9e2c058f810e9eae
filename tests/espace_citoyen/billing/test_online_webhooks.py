"""Stripe's notifications at POST /espace-citoyen/paiement/webhook/: signature checked on
the raw body by the real library, each event applied once, settling (amount and currency
checked, one payment per invoice with a receipt, e-mail with the PDFs), delayed methods,
expiry, refunds seen at Stripe, events out of order, and the reconciliation command."""

import threading
import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections
from django.urls import reverse

from espace_citoyen.billing.models import (CheckoutStatus, InvoiceStatus, OnlineCheckout, Payment, PaymentMethod,
                                           Refund, WebhookEvent)

from .conftest import family_invoice
from .online_helpers import WEBHOOK_SECRET, charge_refunded, event, post_event, signed

pytestmark = pytest.mark.django_db
URL = "/espace-citoyen/paiement/webhook/"


def _open_checkout(client, email="webhook@example.fr", days=4):
    user, invoice = family_invoice(email, days=days)
    client.force_login(user)
    assert client.post(reverse("billing:pay", args=[invoice.pk])).status_code == 303
    client.logout()
    return invoice, OnlineCheckout.objects.get(invoices=invoice)


def _state(checkout, invoice):
    checkout.refresh_from_db()
    invoice.refresh_from_db()
    return checkout.status, invoice.status, Payment.objects.filter(invoice=invoice).count()


def test_url():
    assert reverse("billing_webhook:webhook") == URL


def test_completed_settles_and_emails_the_receipt_with_its_pdf(client, stripe_stub,
                                                                django_capture_on_commit_callbacks):
    invoice, checkout = _open_checkout(client)
    session = stripe_stub.pay(checkout.provider_session_id, payment_intent="pi_test_settle")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_event(client, event("evt_1", "checkout.session.completed", session))
    assert response.status_code == 200 and response.content == b"paid"
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies
    assert _state(checkout, invoice) == (CheckoutStatus.PAID, InvoiceStatus.PAID, 1)
    payment = Payment.objects.get(invoice=invoice)
    assert (payment.amount_cents, payment.method, payment.checkout, payment.provider_payment_id) == (
        2000, PaymentMethod.ONLINE, checkout, "pi_test_settle")
    assert payment.receipt_number.startswith("R") and payment.receipt_pdf
    (message,) = [m for m in mail.outbox if "webhook@example.fr" in m.to]
    assert "Paiement en ligne reçu (20,00 €) – vos reçus" == message.subject
    assert invoice.number in message.body and payment.receipt_number in message.body
    ((filename, content, mimetype),) = message.attachments
    assert filename == f"recu-{payment.receipt_number}.pdf" and mimetype == "application/pdf"
    assert content.startswith(b"%PDF")
    assert WebhookEvent.objects.get(event_id="evt_1").outcome == "paid"
    # The family's return page now says it is paid, with the receipt.
    client.force_login(invoice.household.memberships.first().user)
    text = client.get(reverse("billing:checkout_return", args=[checkout.pk])).content.decode()
    assert "Paiement reçu. Merci !" in text and payment.receipt_number in text and 'http-equiv="refresh"' not in text
    # « Mes paiements » says « En ligne ».
    assert "En ligne" in client.get(reverse("billing:payments")).content.decode()


@pytest.mark.parametrize("case", ["tampered", "wrong_secret", "old", "missing", "garbage"])
def test_bad_signatures_answer_400_and_change_nothing(client, stripe_stub, case):
    invoice, checkout = _open_checkout(client, email=f"sig-{case}@example.fr")
    payload = event("evt_sig", "checkout.session.completed", stripe_stub.pay(checkout.provider_session_id))
    body, header = signed(payload, secret="whsec_other" if case == "wrong_secret" else WEBHOOK_SECRET,
                          timestamp=int(time.time()) - 3600 if case == "old" else None)
    if case == "tampered":
        body = body.replace(b'"amount_total": 2000', b'"amount_total": 1')
    if case == "garbage":
        header = "t=abc,v1=zzz"
    extra = {} if case == "missing" else {"HTTP_STRIPE_SIGNATURE": header}
    response = client.post(URL, data=body, content_type="application/json", **extra)
    assert response.status_code == 400
    assert _state(checkout, invoice) == (CheckoutStatus.OPEN, InvoiceStatus.ISSUED, 0)
    assert not WebhookEvent.objects.exists()


def test_webhook_needs_no_login_and_no_csrf_but_only_post(stripe_stub):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    body, header = signed(event("evt_unknown", "customer.created", {"id": "cus_1", "object": "customer"}))
    response = csrf_client.post(URL, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)
    assert response.status_code == 200 and response.content == b"ignored: type not handled"
    assert WebhookEvent.objects.get(event_id="evt_unknown").type == "customer.created"
    assert csrf_client.get(URL).status_code == 405


def test_same_event_twice_makes_one_payment(client, stripe_stub):
    invoice, checkout = _open_checkout(client)
    payload = event("evt_dup", "checkout.session.completed", stripe_stub.pay(checkout.provider_session_id))
    assert post_event(client, payload).content == b"paid"
    response = post_event(client, payload)
    assert response.status_code == 200 and response.content == b"duplicate"
    # Another event for the same session (a resent "completed" with a new id): still one payment.
    assert post_event(client, {**payload, "id": "evt_dup_2"}).content == b"ignored: checkout paid"
    assert _state(checkout, invoice) == (CheckoutStatus.PAID, InvoiceStatus.PAID, 1)
    assert WebhookEvent.objects.count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite",
                    reason="needs PostgreSQL row locks (set DATABASE_URL=postgres://… to run)")
def test_concurrent_copies_of_events_make_one_payment(stripe_stub):
    from django.test import Client

    invoice, checkout = _open_checkout(Client(), email="concurrent@example.fr")
    session = stripe_stub.pay(checkout.provider_session_id)
    payloads = [event("evt_same", "checkout.session.completed", session)] * 4 + [
        event(f"evt_other_{index}", "checkout.session.completed", session) for index in range(4)]
    barrier, results, errors = threading.Barrier(len(payloads)), [], []

    def run(payload):
        try:
            barrier.wait()
            results.append(post_event(Client(), payload).status_code)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(payload,)) for payload in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and results == [200] * len(payloads)
    assert _state(checkout, invoice) == (CheckoutStatus.PAID, InvoiceStatus.PAID, 1)
    assert WebhookEvent.objects.count() == 5


@pytest.mark.parametrize("amount, currency", [(1999, "eur"), (2000, "usd")])
def test_amount_or_currency_mismatch_is_refused_and_the_regie_alerted(client, stripe_stub, settings, amount, currency,
                                                                      django_capture_on_commit_callbacks):
    settings.ESPACE_CITOYEN_REGIE_EMAIL = "regie@ville-villennes-sur-seine.fr"
    invoice, checkout = _open_checkout(client)
    session = stripe_stub.pay(checkout.provider_session_id, amount=amount, currency=currency)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(client, event("evt_mis", "checkout.session.completed", session)).content == b"mismatch"
    assert _state(checkout, invoice) == (CheckoutStatus.MISMATCH, InvoiceStatus.ISSUED, 0)
    assert (checkout.received_cents, checkout.received_currency) == (amount, currency)
    (alert,) = mail.outbox
    assert alert.to == ["regie@ville-villennes-sur-seine.fr"] and "non conforme" in alert.subject
    assert invoice.number in alert.body and checkout.provider_session_id in alert.body
    # A later copy of success changes nothing.
    post_event(client, event("evt_mis_2", "checkout.session.async_payment_succeeded", session))
    assert _state(checkout, invoice) == (CheckoutStatus.MISMATCH, InvoiceStatus.ISSUED, 0)


def test_invoice_paid_at_the_desk_meanwhile_is_a_mismatch(client, stripe_stub, regie_agent):
    from espace_citoyen.billing.services.payments import payment_record

    invoice, checkout = _open_checkout(client)
    payment_record(invoice=invoice, amount_cents=2000, method="cash", actor=regie_agent)
    session = stripe_stub.pay(checkout.provider_session_id)
    assert post_event(client, event("evt_desk", "checkout.session.completed", session)).content == b"mismatch"
    checkout.refresh_from_db()
    assert checkout.status == CheckoutStatus.MISMATCH and "guichet" in checkout.detail
    assert Payment.objects.filter(invoice=invoice).count() == 1  # the desk one only


def test_delayed_method_pending_then_succeeded(client, stripe_stub):
    invoice, checkout = _open_checkout(client)
    session = stripe_stub.pay(checkout.provider_session_id, payment_status="unpaid")
    assert post_event(client, event("evt_a1", "checkout.session.completed", session)).content == b"pending async payment"
    assert _state(checkout, invoice) == (CheckoutStatus.PENDING, InvoiceStatus.ISSUED, 0)
    session = stripe_stub.pay(checkout.provider_session_id, payment_status="paid")
    assert post_event(client, event("evt_a2", "checkout.session.async_payment_succeeded", session)).content == b"paid"
    assert _state(checkout, invoice) == (CheckoutStatus.PAID, InvoiceStatus.PAID, 1)


def test_delayed_method_failed_tells_the_family(client, stripe_stub, django_capture_on_commit_callbacks):
    invoice, checkout = _open_checkout(client, email="echec@example.fr")
    session = stripe_stub.pay(checkout.provider_session_id, payment_status="unpaid")
    post_event(client, event("evt_f1", "checkout.session.completed", session))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(client, event("evt_f2", "checkout.session.async_payment_failed", session)).content == b"failed"
    assert _state(checkout, invoice) == (CheckoutStatus.FAILED, InvoiceStatus.ISSUED, 0)
    (message,) = mail.outbox
    assert message.to == ["echec@example.fr"] and "n'a pas abouti" in message.subject
    client.force_login(invoice.household.memberships.first().user)
    assert "Le paiement n'a pas abouti" in client.get(
        reverse("billing:checkout_return", args=[checkout.pk])).content.decode().replace("&#x27;", "'")


def test_expired_and_expired_after_completed(client, stripe_stub):
    invoice, checkout = _open_checkout(client)
    session = dict(stripe_stub.sessions[checkout.provider_session_id], status="expired")
    assert post_event(client, event("evt_e1", "checkout.session.expired", session)).content == b"expired"
    assert _state(checkout, invoice) == (CheckoutStatus.EXPIRED, InvoiceStatus.ISSUED, 0)
    # Out of order: completed, then a late "expired" — stays paid.
    other_invoice, other = _open_checkout(client, email="ordre@example.fr")
    paid = stripe_stub.pay(other.provider_session_id)
    post_event(client, event("evt_o1", "checkout.session.completed", paid))
    response = post_event(client, event("evt_o2", "checkout.session.expired", dict(paid, status="expired")))
    assert response.content == b"ignored: checkout already settled"
    assert _state(other, other_invoice) == (CheckoutStatus.PAID, InvoiceStatus.PAID, 1)


def test_refund_seen_before_completed_is_applied_when_it_settles(client, stripe_stub, settings):
    settings.ESPACE_CITOYEN_REGIE_EMAIL = "regie@ville-villennes-sur-seine.fr"
    invoice, checkout = _open_checkout(client)
    refunded = charge_refunded("pi_test_ooo", [("re_1", 500)])
    assert post_event(client, event("evt_r1", "charge.refunded", refunded)).content == b"refund waiting for its payment"
    assert not Refund.objects.exists()
    session = stripe_stub.pay(checkout.provider_session_id, payment_intent="pi_test_ooo")
    assert post_event(client, event("evt_r2", "checkout.session.completed", session)).content == b"paid"
    (refund,) = Refund.objects.all()
    assert (refund.amount_cents, refund.provider_refund_id, refund.payment.invoice) == (500, "re_1", invoice)
    assert WebhookEvent.objects.get(event_id="evt_r1").pending is False
    # The same refund again (a second charge.refunded listing it): recorded once.
    assert post_event(client, event("evt_r3", "charge.refunded", refunded)).content == b"refund already recorded"
    more = charge_refunded("pi_test_ooo", [("re_1", 500), ("re_2", 300)])
    assert post_event(client, event("evt_r4", "charge.refunded", more)).content == b"1 refund(s) recorded"
    assert sorted(Refund.objects.values_list("amount_cents", flat=True)) == [300, 500]


def test_unknown_session_answers_200(client, stripe_stub):
    session = {"id": "cs_test_nowhere", "object": "checkout.session", "status": "complete", "payment_status": "paid",
               "amount_total": 100, "currency": "eur", "payment_intent": "pi_x", "metadata": {}}
    response = post_event(client, event("evt_nowhere", "checkout.session.completed", session))
    assert response.status_code == 200 and response.content == b"ignored: unknown session"


def test_reconcile_settles_a_missed_webhook_and_expires_the_stale(client, stripe_stub):
    invoice, checkout = _open_checkout(client)
    stripe_stub.pay(checkout.provider_session_id)  # paid at Stripe; the webhook never came
    stale_invoice, stale = _open_checkout(client, email="perime@example.fr")
    stripe_stub.sessions[stale.provider_session_id]["status"] = "expired"
    young_invoice, young = _open_checkout(client, email="jeune@example.fr")
    stripe_stub.pay(young.provider_session_id)
    from django.utils import timezone

    OnlineCheckout.objects.exclude(pk=young.pk).update(created_at=timezone.now() - timezone.timedelta(minutes=45))
    from io import StringIO

    out = StringIO()
    call_command("reconcile_payments", "--minutes", "30", stdout=out)
    assert "2 paiement(s) en ligne vérifié(s)" in out.getvalue()
    retrieved = [r["path"] for r in stripe_stub.requests if r["method"] == "GET"]
    assert sorted(retrieved) == sorted(f"/v1/checkout/sessions/{c.provider_session_id}" for c in (checkout, stale))
    assert _state(checkout, invoice) == (CheckoutStatus.PAID, InvoiceStatus.PAID, 1)
    assert _state(stale, stale_invoice) == (CheckoutStatus.EXPIRED, InvoiceStatus.ISSUED, 0)
    assert _state(young, young_invoice) == (CheckoutStatus.OPEN, InvoiceStatus.ISSUED, 0)
    # Then the late webhook: nothing more.
    session = stripe_stub.sessions[checkout.provider_session_id]
    assert post_event(client, event("evt_late", "checkout.session.completed", session)).content == b"ignored: checkout paid"
    assert Payment.objects.filter(invoice=invoice).count() == 1


def test_reconcile_without_keys_does_nothing(settings):
    from io import StringIO

    settings.STRIPE_SECRET_KEY = ""
    out = StringIO()
    call_command("reconcile_payments", stdout=out)
    assert "non configuré" in out.getvalue()
