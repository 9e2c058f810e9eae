"""Parents' pages /espace-citoyen/factures/: list (status, amounts, year filter, empty state),
detail (lines, credit notes, payments), PDFs, "Payer en ligne"; both parents see them,
validated accounts only, and another household gets a 404 on every URL, PDFs included."""

import datetime

import pytest
from django.urls import reverse
from pypdf import PdfReader

from espace_citoyen.accounts.models import AccountStatus
from espace_citoyen.billing.models import Invoice
from espace_citoyen.billing.services.credit_notes import credit_note_create
from espace_citoyen.billing.services.payments import payment_record
from espace_citoyen.family.models import Membership

from .conftest import PASSWORD, family_invoice, make_family, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(regie_agent):
    """A household with an invoice partly paid by cheque and partly credited; another household."""
    parent, invoice = family_invoice("vues.famille@example.fr", days=4, last_name="Vuesfamille")
    payment = payment_record(invoice=invoice, amount_cents=500, method="cheque", cheque_number="77", bank="LCL",
                             actor=regie_agent)
    credit = credit_note_create(invoice=invoice, lines={invoice.lines.order_by("date").first().pk: None},
                                reason="Sortie annulée", actor=regie_agent)
    other, other_invoice = family_invoice("vues.autre@example.fr", days=1, last_name="Autrefoyer")
    invoice.refresh_from_db()
    return {"parent": parent, "invoice": invoice, "payment": payment, "credit": credit, "other": other,
            "other_invoice": other_invoice}


def _urls(invoice, credit, payment) -> list[str]:
    return [reverse("billing:detail", args=[invoice.pk]), reverse("billing:pay", args=[invoice.pk]),
            reverse("billing:pdf", args=[invoice.pk]), reverse("billing:credit_note_pdf", args=[credit.pk]),
            reverse("billing:receipt_pdf", args=[payment.pk])]


def test_list_shows_status_amounts_and_due_date(client, family):
    client.force_login(family["parent"])
    text = page_text(client.get(reverse("billing:list")))
    invoice = family["invoice"]
    assert invoice.number in text and "Partiellement payée" in text
    assert "20,00 €" in text and "10,00 €" in text  # amount, what remains (20 − 5 paid − 5 credited)
    assert f"{invoice.due_date:%d/%m/%Y}" in text
    assert "Total à payer : 10,00 €" in text
    assert family["other_invoice"].number not in text


def test_detail_lists_lines_credit_notes_and_payments(client, family):
    client.force_login(family["parent"])
    response = client.get(reverse("billing:detail", args=[family["invoice"].pk]))
    text = page_text(response)
    assert response.status_code == 200
    assert "Chloé Vuesfamille" in text and "Cantine vues.famille@example.fr" in text
    assert family["credit"].number in text and "Sortie annulée" in text and "remboursé par avoir : 5,00 €" in text
    assert family["payment"].receipt_number in text and "Chèque n° 77" in text
    assert "Tarif maximal : quotient non transmis." in text and "Transmettre des documents" in text
    assert 'href="/espace-citoyen/factures/%d/payer/"' % family["invoice"].pk in response.content.decode()


def test_pay_online_without_keys_explains_how_to_pay_at_the_desk(client, family):
    client.force_login(family["parent"])
    text = page_text(client.get(reverse("billing:pay", args=[family["invoice"].pk])))
    assert "Le paiement en ligne n'est pas disponible pour le moment" in text and "Trésor public" in text


def test_pdfs_are_private_attachments(client, family):
    client.force_login(family["parent"])
    for url, name in zip(_urls(family["invoice"], family["credit"], family["payment"])[2:],
                         ("facture-", "avoir-", "recu-")):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert f'attachment; filename="{name}' in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
        content = b"".join(response.streaming_content)
        assert content.startswith(b"%PDF")
    response = client.get(reverse("billing:pdf", args=[family["invoice"].pk]))
    import io

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages)
    assert family["invoice"].number in text


def test_the_second_parent_sees_the_household_invoices(client, family):
    from django.contrib.auth import get_user_model

    second = get_user_model().objects.create_user("vues.second@example.fr", PASSWORD, status=AccountStatus.ACTIVE)
    Membership.objects.create(household=family["invoice"].household, user=second)
    client.force_login(second)
    for url in _urls(family["invoice"], family["credit"], family["payment"]):
        assert client.get(url).status_code == 200, url


def test_another_household_gets_404_everywhere(client, family):
    client.force_login(family["other"])
    for url in _urls(family["invoice"], family["credit"], family["payment"]):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("billing:detail", args=[999999])).status_code == 404


def test_pending_account_and_anonymous_are_kept_out(client, family):
    pending, _household, _kids = make_family("vues.attente@example.fr", status=AccountStatus.PENDING)
    client.force_login(pending)
    assert client.get(reverse("billing:list")).status_code == 403
    assert client.get(reverse("billing:pdf", args=[family["invoice"].pk])).status_code == 403
    client.logout()
    response = client.get(reverse("billing:detail", args=[family["invoice"].pk]))
    assert response.status_code == 302 and "/connexion/" in response["Location"]


def test_empty_state_and_year_filter(client, family):
    parent, _household, _kids = make_family("vues.vide@example.fr")
    client.force_login(parent)
    assert "Vous n'avez pas encore de facture" in page_text(client.get(reverse("billing:list")))
    client.force_login(family["parent"])
    invoice = family["invoice"]
    Invoice.objects.create(number="F1999-000001", household=invoice.household, month=datetime.date(2019, 5, 1),
                           issue_date=datetime.date(2019, 6, 1), due_date=datetime.date(2019, 6, 15), total_cents=100,
                           paid_cents=100, status="paid", addressee="x", pricing_note="x")
    text = page_text(client.get(reverse("billing:list"), {"annee": "2019"}))
    assert "F1999-000001" in text and invoice.number not in text
    assert "Filtrer les factures par année" in text or "Toutes les années" in text


def test_only_get(client, family):
    client.force_login(family["parent"])
    assert client.post(reverse("billing:detail", args=[family["invoice"].pk])).status_code == 405


def test_my_data_export_includes_the_household_invoices(client, family):
    import io
    import zipfile

    client.force_login(family["parent"])
    response = client.get(reverse("portal:my_data_download"))
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert any(family["invoice"].number in name for name in names)
    assert any(family["payment"].receipt_number in name for name in names)
    assert not any(family["other_invoice"].number in name for name in names)


def test_joining_another_household_keeps_an_emptied_household_with_invoices(family):
    """invitation_accept deletes the household its adult leaves when nothing is left in it; a
    household with invoices (protected) stays, with them."""
    import datetime

    from django.utils import timezone

    from espace_citoyen.family.models import Child, Invitation
    from espace_citoyen.family.services import invitation_accept

    parent, invoice = family["parent"], family["invoice"]
    Child.objects.filter(household=invoice.household).delete()
    other_household = family["other_invoice"].household
    invitation = Invitation.objects.create(household=other_household, email=parent.email, token_hash="x" * 64,
                                           expires_at=timezone.now() + datetime.timedelta(days=2))
    invitation_accept(user=parent, invitation=invitation)
    invoice.refresh_from_db()
    assert invoice.household_id and not invoice.household.memberships.exists()
