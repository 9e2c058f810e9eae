"""Opening an online payment: the Checkout Session request sent to Stripe (through the real
library, its HTTP client stubbed), reuse of an open session, the return page that never
marks anything paid, household scoping, and the demo without keys."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from espace_citoyen.billing.models import CheckoutStatus, InvoiceStatus, OnlineCheckout, Payment, PaymentMethod

from .conftest import MONTH_BEFORE, family_invoice, issue_invoice, page_text
from .online_helpers import SECRET_KEY

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def test_pay_one_invoice_sends_the_amount_from_the_database(client, stripe_stub):
    user, invoice = family_invoice("payer.une@example.fr", days=4)  # 20,00 €
    _login(client, user)
    response = client.post(reverse("billing:pay", args=[invoice.pk]), {"amount_cents": "1", "currency": "usd"})
    assert response.status_code == 303
    assert response["Location"] == "https://checkout.stripe.com/c/pay/cs_test_0001"
    (request,) = stripe_stub.created()
    form, headers = request["form"], request["headers"]
    assert headers["Authorization"] == f"Bearer {SECRET_KEY}"
    assert headers["Idempotency-Key"].startswith("checkout-") and len(headers["Idempotency-Key"]) == 57
    assert form["mode"] == "payment" and form["customer_email"] == "payer.une@example.fr"
    assert form["line_items[0][price_data][unit_amount]"] == "2000"
    assert form["line_items[0][price_data][currency]"] == "eur"
    assert form["line_items[0][price_data][product_data][name]"].startswith(f"Facture n° {invoice.number} – ")
    assert form["line_items[0][quantity]"] == "1" and "line_items[1][quantity]" not in form
    assert form["metadata[household_id]"] == str(invoice.household_id)
    assert form["metadata[invoice_ids]"] == str(invoice.pk)
    assert form["payment_intent_data[metadata][invoice_ids]"] == str(invoice.pk)
    expires = int(form["expires_at"]) - timezone.now().timestamp()
    assert 30 * 60 < expires <= 46 * 60  # Stripe requires at least 30 minutes
    assert form["success_url"] == ("https://www.villennes-sur-seine.fr/espace-citoyen/factures/paiement/retour/"
                                   "?session_id={CHECKOUT_SESSION_ID}")
    assert form["cancel_url"] == "https://www.villennes-sur-seine.fr/espace-citoyen/factures/?paiement=annule"
    checkout = OnlineCheckout.objects.get()
    assert (checkout.amount_cents, checkout.currency, checkout.status) == (2000, "eur", CheckoutStatus.OPEN)
    assert list(checkout.invoices.all()) == [invoice] and checkout.payer == user
    assert checkout.idempotency_key == headers["Idempotency-Key"]
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.ISSUED and not Payment.objects.filter(invoice=invoice).exists()


def test_pay_all_makes_one_session_for_every_invoice_due(client, stripe_stub):
    user, first = family_invoice("tout.payer@example.fr", days=2)  # 10,00 €
    _other_user, other = family_invoice("autre.foyer@example.fr", days=3)
    _login(client, user)
    assert "Tout payer en ligne (10,00 €)" in page_text(client.get(reverse("billing:list")))
    response = client.post(reverse("billing:pay_all"))
    assert response.status_code == 303
    (request,) = stripe_stub.created()
    assert request["form"]["metadata[invoice_ids]"] == str(first.pk)
    assert str(other.pk) not in request["form"]["metadata[invoice_ids]"]


def test_pay_all_lists_several_invoices(client, stripe_stub):
    from .conftest import book, make_activity, make_family, weekdays_of

    activity = make_activity("Cantine tout payer")
    user, household, (child,) = make_family("plusieurs@example.fr")
    from .conftest import LAST_MONTH

    for month, days in ((MONTH_BEFORE, 1), (LAST_MONTH, 3)):
        for day in (weekdays_of(month, 1) + weekdays_of(month, 3))[:days]:
            book(child, activity, day, attendance="present")
    older, newer = issue_invoice(household, MONTH_BEFORE), issue_invoice(household, LAST_MONTH)
    _login(client, user)
    assert client.post(reverse("billing:pay_all")).status_code == 303
    form = stripe_stub.created()[0]["form"]
    ids = sorted([older.pk, newer.pk])
    assert form["metadata[invoice_ids]"] == ",".join(map(str, ids))
    assert [form[f"line_items[{i}][price_data][unit_amount]"] for i in (0, 1)] == ["500", "1500"]  # by invoice id
    assert form["line_items[1][price_data][product_data][name]"].startswith(f"Facture n° {newer.number}")
    checkout = OnlineCheckout.objects.get()
    assert checkout.amount_cents == 2000 and set(checkout.invoices.values_list("pk", flat=True)) == set(ids)


def test_double_click_makes_one_session_and_an_open_one_is_reused(client, stripe_stub):
    user, invoice = family_invoice("double.clic@example.fr", days=2)
    _login(client, user)
    url = reverse("billing:pay", args=[invoice.pk])
    first, second = client.post(url), client.post(url)
    assert first["Location"] == second["Location"]
    assert len(stripe_stub.created()) == 1  # the open checkout was reused: no second request
    assert OnlineCheckout.objects.count() == 1
    # The same request sent twice (a double click racing past the reuse check): Stripe
    # answers the same session for the same idempotency key; still one checkout.
    OnlineCheckout.objects.all().delete()
    client.post(url)
    assert len(stripe_stub.created()) == 2
    assert stripe_stub.created()[0]["headers"]["Idempotency-Key"] == stripe_stub.created()[1]["headers"]["Idempotency-Key"]
    assert OnlineCheckout.objects.get().provider_session_id == "cs_test_0001"


def test_an_expired_checkout_is_not_reused(client, stripe_stub):
    user, invoice = family_invoice("expire.reuse@example.fr", days=2)
    _login(client, user)
    client.post(reverse("billing:pay", args=[invoice.pk]))
    OnlineCheckout.objects.update(expires_at=timezone.now() + datetime.timedelta(seconds=30),
                                  idempotency_key="old")
    stripe_stub.by_key.clear()
    assert client.post(reverse("billing:pay", args=[invoice.pk]))["Location"].endswith("cs_test_0002")
    assert OnlineCheckout.objects.count() == 2


def test_return_page_waits_and_a_forged_return_changes_nothing(client, stripe_stub):
    user, invoice = family_invoice("retour@example.fr", days=2)
    _login(client, user)
    client.post(reverse("billing:pay", args=[invoice.pk]))
    checkout = OnlineCheckout.objects.get()
    stripe_stub.pay(checkout.provider_session_id)  # paid at Stripe, webhook not arrived yet
    response = client.get(reverse("billing:checkout_return_lookup") + f"?session_id={checkout.provider_session_id}")
    assert response.status_code == 302 and response["Location"] == f"/espace-citoyen/factures/paiement/{checkout.pk}/retour/"
    response = client.get(response["Location"])
    text = page_text(response)
    assert "Paiement en cours de confirmation" in text
    assert '<meta http-equiv="refresh" content="5">' in response.content.decode()
    for forged in (f"?session_id={checkout.provider_session_id}&paid=1", "?session_id=cs_test_forged"):
        client.get(reverse("billing:checkout_return_lookup") + forged)
    client.get(reverse("billing:checkout_return", args=[checkout.pk]) + "?status=paid")
    checkout.refresh_from_db()
    invoice.refresh_from_db()
    assert checkout.status == CheckoutStatus.OPEN and invoice.status == InvoiceStatus.ISSUED
    assert not Payment.objects.filter(invoice=invoice).exists()


def test_every_new_url_is_scoped_to_the_household(client, stripe_stub):
    owner, invoice = family_invoice("proprio@example.fr", days=2)
    intruder, _ = family_invoice("intrus@example.fr", days=2)
    _login(client, owner)
    client.post(reverse("billing:pay", args=[invoice.pk]))
    checkout = OnlineCheckout.objects.get()
    _login(client, intruder)
    assert client.post(reverse("billing:pay", args=[invoice.pk])).status_code == 404
    assert client.get(reverse("billing:checkout_return", args=[checkout.pk])).status_code == 404
    assert client.get(reverse("billing:checkout_return_lookup")
                      + f"?session_id={checkout.provider_session_id}").status_code == 404
    # « Tout payer » of the intruder pays the intruder's own invoice only.
    client.post(reverse("billing:pay_all"))
    assert str(invoice.pk) not in stripe_stub.created()[-1]["form"]["metadata[invoice_ids]"]
    client.logout()
    response = client.post(reverse("billing:pay", args=[invoice.pk]))
    assert response.status_code == 302 and "connexion" in response["Location"]


def test_without_keys_the_button_explains_and_post_is_refused_in_french(client, settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    user, invoice = family_invoice("demo.sans.cles@example.fr", days=2)
    _login(client, user)
    text = page_text(client.get(reverse("billing:pay", args=[invoice.pk])))
    assert "Le paiement en ligne n'est pas disponible pour le moment" in text and "guichet de la mairie" in text
    assert "Tout payer en ligne" not in page_text(client.get(reverse("billing:list")))
    response = client.post(reverse("billing:pay", args=[invoice.pk]))
    assert response.status_code == 400
    assert "Le paiement en ligne n'est pas disponible pour le moment. Vous pouvez payer au guichet" in page_text(response)
    response = client.post(reverse("billing:pay_all"))
    assert response.status_code == 400 and "n'est pas disponible" in page_text(response)
    assert not OnlineCheckout.objects.exists()


def test_provider_down_gives_a_french_message(client, stripe_stub):
    user, invoice = family_invoice("panne@example.fr", days=2)
    stripe_stub.fail = True
    _login(client, user)
    response = client.post(reverse("billing:pay", args=[invoice.pk]))
    assert response.status_code == 400
    assert "Le service de paiement en ligne ne répond pas" in page_text(response)
    assert not OnlineCheckout.objects.exists()


def test_nothing_to_pay_is_refused(client, stripe_stub, regie_agent):
    from espace_citoyen.billing.services.payments import payment_record

    user, invoice = family_invoice("deja.paye@example.fr", days=2)
    payment_record(invoice=invoice, amount_cents=1000, method="cash", actor=regie_agent)
    _login(client, user)
    response = client.post(reverse("billing:pay", args=[invoice.pk]))
    assert response.status_code == 400 and "Il n'y a rien à payer en ligne" in page_text(response)
    response = client.post(reverse("billing:pay_all"))
    assert response.status_code == 400 and "Vous n'avez aucune facture à payer" in page_text(response)
    assert not stripe_stub.created()


def test_cancel_url_shows_a_message(client, stripe_stub):
    user, _invoice = family_invoice("annule@example.fr", days=2)
    _login(client, user)
    assert "Paiement en ligne annulé</strong> : aucune somme n'a été prélevée" in page_text(
        client.get(reverse("billing:list") + "?paiement=annule"))


def test_online_method_is_not_offered_at_the_desk(regie_agent):
    from espace_citoyen.billing.forms import PaymentForm
    from espace_citoyen.billing.services import BillingError
    from espace_citoyen.billing.services.payments import payment_record

    assert PaymentMethod.ONLINE not in dict(PaymentForm(balance_cents=100).fields["method"].choices)
    _user, invoice = family_invoice("guichet.enligne@example.fr", days=1)
    with pytest.raises(BillingError, match="ne s'enregistre pas au guichet"):
        payment_record(invoice=invoice, amount_cents=100, method=PaymentMethod.ONLINE, actor=regie_agent)


def test_after_a_failed_payment_a_new_attempt_is_a_new_session(client, stripe_stub):
    user, invoice = family_invoice("nouvel.essai@example.fr", days=2)
    _login(client, user)
    client.post(reverse("billing:pay", args=[invoice.pk]))
    OnlineCheckout.objects.update(status=CheckoutStatus.FAILED)
    response = client.post(reverse("billing:pay", args=[invoice.pk]))
    assert response.status_code == 303 and response["Location"].endswith("cs_test_0002")
    first, second = stripe_stub.created()
    assert first["headers"]["Idempotency-Key"] != second["headers"]["Idempotency-Key"]
