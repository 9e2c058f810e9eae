"""« Mes factures »: the summary, the years, the certificates and the link to the payments,
kept per parent in the shared cache (billing.views._household_billing), follow an invoicing
run, a payment and a credit note at once, for both parents; never another household's."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from espace_citoyen.billing.models import PaymentMethod
from espace_citoyen.billing.services.credit_notes import credit_note_create
from espace_citoyen.billing.services.payments import payment_record
from .conftest import family_invoice, issue_invoice, make_family, page_text, two_parent_family

pytestmark = pytest.mark.django_db


def invoices_page(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("billing:list"))
    assert response.status_code == 200
    return page_text(response)


def test_a_run_a_payment_and_a_credit_note_show_at_once_for_both_parents(client, regie_agent):
    user, other, household = two_parent_family("factures.cache@example.fr", "factures.cache2@example.fr", days=4)
    for parent in (user, other):
        assert "Mes paiements et leurs reçus" not in invoices_page(client, parent)
    with CaptureQueriesContext(connection) as queries:
        invoices_page(client, user)
    assert not any("billing_payment" in query["sql"] for query in queries.captured_queries)  # from the cache

    invoice = issue_invoice(household)
    for parent in (user, other):
        assert "Total à payer : 20,00 €" in invoices_page(client, parent)
    payment_record(invoice=invoice, amount_cents=500, method=PaymentMethod.CASH, actor=regie_agent)
    for parent in (user, other):
        text = invoices_page(client, parent)
        assert "Total à payer : 15,00 €" in text and "Mes paiements et leurs reçus" in text
    credit_note_create(invoice=invoice, reason="Sortie annulée", actor=regie_agent,
                       lines={invoice.lines.first().pk: None})
    for parent in (user, other):
        assert "Total à payer : 10,00 €" in invoices_page(client, parent)


def test_another_household_never_gets_the_cached_summary(client):
    user, _invoice = family_invoice("factures.cache.a@example.fr")
    assert "Total à payer : 20,00 €" in invoices_page(client, user)
    stranger, _household, _children = make_family("factures.cache.b@example.fr", last_name="Petit")
    text = invoices_page(client, stranger)
    assert "Total à payer" not in text and "20,00 €" not in text
