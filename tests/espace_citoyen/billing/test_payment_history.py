"""« Mes paiements » (/espace-citoyen/factures/paiements/): every payment received for the
household's invoices, newest first, with its method in words (« En ligne », « Au guichet
(Chèque) »…), amount, invoice and receipt; year filter, pagination, empty states, links from
the invoices page and the dashboard; another household sees none of it (and gets a 404 on
the receipts' ids)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from espace_citoyen.accounts.models import AccountStatus
from espace_citoyen.billing.models import Payment
from espace_citoyen.billing.selectors.citizen import payment_method_label
from espace_citoyen.billing.services.payments import payment_record
from espace_citoyen.family.models import Membership

from .conftest import family_invoice, make_family, page_text

pytestmark = pytest.mark.django_db

URL = "/espace-citoyen/factures/paiements/"


@pytest.fixture
def family(regie_agent):
    """An invoice of 20,00 € paid 5,00 € by cheque, 3,00 € in cash and 2,50 € online (the row
    the online payment writes); another household with its own payment."""
    parent, invoice = family_invoice("paiements.famille@example.fr", days=4, last_name="Paiements")
    cheque = payment_record(invoice=invoice, amount_cents=500, method="cheque", cheque_number="0004567", bank="LCL",
                            actor=regie_agent, received_on=datetime.date.today() - datetime.timedelta(days=2))
    cash = payment_record(invoice=invoice, amount_cents=300, method="cash", actor=regie_agent,
                          received_on=datetime.date.today() - datetime.timedelta(days=1))
    online = Payment.objects.create(invoice=invoice, amount_cents=250, method="online",
                                    received_on=datetime.date.today(), reference="cs_test_123",
                                    receipt_number="R-TEST-ONLINE")
    other, other_invoice = family_invoice("paiements.autre@example.fr", days=1, last_name="Autrefoyer")
    other_payment = payment_record(invoice=other_invoice, amount_cents=123, method="card", actor=regie_agent)
    return {"parent": parent, "invoice": invoice, "cheque": cheque, "cash": cash, "online": online, "other": other,
            "other_invoice": other_invoice, "other_payment": other_payment}


def test_url_and_name():
    assert reverse("billing:payments") == URL


def test_history_lists_method_amount_invoice_and_receipt(client, family):
    client.force_login(family["parent"])
    response = client.get(URL)
    assert response.status_code == 200
    text, html = page_text(response), response.content.decode()
    assert "Mes paiements" in text and "Tous mes paiements (3)" in text
    assert "Au guichet (Chèque)" in text and "chèque n° 0004567" in text
    assert "Au guichet (Espèces)" in text and "En ligne" in text
    assert "5,00 €" in text and "3,00 €" in text and "2,50 €" in text
    invoice = family["invoice"]
    assert html.count(reverse("billing:detail", args=[invoice.pk])) == 3 and invoice.number in text
    for payment in (family["cheque"], family["cash"]):
        assert reverse("billing:receipt_pdf", args=[payment.pk]) in html
        assert f"Reçu n° {payment.receipt_number} (PDF)" in text
    assert "Reçu n° R-TEST-ONLINE en préparation" in text  # no PDF yet: no broken link
    assert reverse("billing:receipt_pdf", args=[family["online"].pk]) not in html
    # Newest first.
    assert text.index("En ligne") < text.index("Au guichet (Espèces)") < text.index("Au guichet (Chèque)")
    assert "no-store" in response["Cache-Control"]


def test_method_labels():
    assert payment_method_label("online") == "En ligne"
    assert payment_method_label("cash") == "Au guichet (Espèces)"
    assert payment_method_label("cheque") == "Au guichet (Chèque)"
    assert payment_method_label("card") == "Au guichet (Carte bancaire)"
    assert payment_method_label("transfer") == "Au guichet (Virement)"


def test_another_household_sees_none_of_it(client, family):
    client.force_login(family["other"])
    text = page_text(client.get(URL))
    assert "Tous mes paiements (1)" in text and "Au guichet (Carte bancaire)" in text and "1,23 €" in text
    assert family["invoice"].number not in text and "0004567" not in text and "En ligne" not in text
    for payment in (family["cheque"], family["online"]):
        assert client.get(reverse("billing:receipt_pdf", args=[payment.pk])).status_code == 404
    assert client.get(reverse("billing:detail", args=[family["invoice"].pk])).status_code == 404
    client.force_login(family["parent"])
    assert family["other_invoice"].number not in page_text(client.get(URL))
    assert client.get(reverse("billing:receipt_pdf", args=[family["other_payment"].pk])).status_code == 404


def test_both_parents_see_the_history(client, family):
    second = make_family("paiements.conjoint@example.fr", children=())[0]
    Membership.objects.filter(user=second).update(household=family["invoice"].household)
    client.force_login(second)
    assert "Tous mes paiements (3)" in page_text(client.get(URL))


def test_empty_state(client, db):
    parent = make_family("paiements.vide@example.fr")[0]
    client.force_login(parent)
    response = client.get(URL)
    text = page_text(response)
    assert response.status_code == 200
    assert "Aucun paiement reçu pour le moment" in text and "le paiement et son reçu apparaissent ici" in text
    assert "<table" not in response.content.decode()
    assert "Aucun paiement reçu en 2019" in page_text(client.get(URL, {"annee": "2019"}))
    # Bad input: ignored, never a server error.
    for query in ({"annee": "abc"}, {"page": "x"}, {"page": "999"}, {"annee": "99999"}):
        assert client.get(URL, query).status_code == 200


def test_year_filter_and_pagination(client, family):
    invoice = family["invoice"]
    Payment.objects.bulk_create([
        Payment(invoice=invoice, amount_cents=100 + index, method="transfer", received_on=datetime.date(2024, 3, 1 + index),
                receipt_number=f"R-OLD-{index:03d}")
        for index in range(13)])
    client.force_login(family["parent"])
    text = page_text(client.get(URL))
    assert "Tous mes paiements (16)" in text and "Page 1 sur 2" in text
    assert f"{datetime.date.today().year}" in text and "2024" in text  # the year filter offers both years
    second = page_text(client.get(URL, {"page": "2"}))
    assert "Page 2 sur 2" in second and "Au guichet (Virement)" in second and "1,00 €" in second
    assert "1er mars 2024" in second  # the French first of the month
    with CaptureQueriesContext(connection) as full_page:
        response = client.get(URL, {"annee": "2024"})
    with CaptureQueriesContext(connection) as one_row:
        client.get(URL, {"annee": "2024", "page": "2"})
    assert len(full_page) == len(one_row)  # the invoices come with their payments
    text = page_text(response)
    assert "Mes paiements de 2024 (13)" in text and "Au guichet (Chèque)" not in text
    assert "annee=2024&page=2" in response.content.decode().replace("&amp;", "&")
    assert "1,12 €" in text and "1,00 €" not in text  # page 1 of 2024: newest first (12 of 13)
    assert "1,00 €" in page_text(client.get(URL, {"annee": "2024", "page": "2"}))


def test_linked_from_the_invoices_page_and_the_dashboard(client, family):
    client.force_login(family["parent"])
    assert f'href="{URL}"' in client.get(reverse("billing:list")).content.decode()
    assert f'href="{URL}"' in client.get(reverse("portal:dashboard")).content.decode()


def test_validated_accounts_only(client, db):
    assert client.get(URL).status_code == 302
    pending = make_family("paiements.attente@example.fr", status=AccountStatus.PENDING)[0]
    client.force_login(pending)
    assert client.get(URL).status_code in (302, 403)
