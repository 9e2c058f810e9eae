"""Credit notes ("avoirs"): partial and total, balances and statuses, the refusals, and the
proposal of a credit note when an absence is justified after invoicing."""

import pytest
from django.core import mail
from pypdf import PdfReader

from espace_citoyen.activities.models import Attendance, AttendanceStatus, OccurrenceStatus
from espace_citoyen.billing.models import InvoiceEvent, InvoiceStatus
from espace_citoyen.billing.selectors.staff import credit_proposals
from espace_citoyen.billing.services import BillingError
from espace_citoyen.billing.services.credit_notes import credit_note_create, creditable_amounts
from espace_citoyen.billing.services.payments import payment_record

from .conftest import family_invoice

pytestmark = pytest.mark.django_db


def _text(field) -> str:
    field.open("rb")
    try:
        return "\n".join(page.extract_text() for page in PdfReader(field).pages).replace("\u00a0", " ")
    finally:
        field.close()


def test_partial_credit_note_lowers_the_balance(regie_agent, django_capture_on_commit_callbacks):
    _user, invoice = family_invoice("avoir.partiel@example.fr", days=4)
    line = invoice.lines.order_by("date").first()
    with django_capture_on_commit_callbacks(execute=True):
        credit = credit_note_create(invoice=invoice, lines={line.pk: None}, reason="Sortie scolaire annulée",
                                    actor=regie_agent)
    invoice.refresh_from_db()
    assert credit.number.startswith("A") and credit.total_cents == 500
    assert invoice.credited_cents == 500 and invoice.balance_cents == 1500
    assert invoice.status == InvoiceStatus.ISSUED
    assert creditable_amounts(invoice=invoice)[line.pk] == 0
    event = InvoiceEvent.objects.get(invoice=invoice, kind="credit_note")
    assert event.actor == regie_agent and "Sortie scolaire annulée" in event.detail
    text = _text(credit.pdf)
    assert credit.number in text and invoice.number in text and "Sortie scolaire annulée" in text
    assert "5,00 €" in text and "15,00 €" in text  # credited, and what remains to pay
    assert any(credit.number in m.subject for m in mail.outbox if "avoir.partiel@example.fr" in m.to)


def test_part_of_a_line_and_then_the_rest(regie_agent):
    _user, invoice = family_invoice("avoir.montant@example.fr", days=1)
    line = invoice.lines.get()
    credit_note_create(invoice=invoice, lines={line.pk: 120}, reason="Écart de tarif", actor=regie_agent)
    with pytest.raises(BillingError) as error:
        credit_note_create(invoice=invoice, lines={line.pk: 400}, reason="Trop", actor=regie_agent)
    assert "entre 0,01 € et 3,80 €" in error.value.message.replace("\u00a0", " ")
    credit_note_create(invoice=invoice, lines={line.pk: None}, reason="Le reste", actor=regie_agent)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED and invoice.balance_cents == 0


def test_total_credit_note_cancels_the_invoice(regie_agent):
    _user, invoice = family_invoice("avoir.total@example.fr", days=3)
    credit = credit_note_create(invoice=invoice, reason="Facture établie par erreur", actor=regie_agent)
    invoice.refresh_from_db()
    assert credit.total_cents == invoice.total_cents == 1500 and credit.lines.count() == 3
    assert invoice.status == InvoiceStatus.CANCELLED and invoice.display_status() == "Annulée par avoir"
    with pytest.raises(BillingError, match="déjà entièrement annulée"):
        credit_note_create(invoice=invoice, reason="Encore", actor=regie_agent)
    with pytest.raises(BillingError, match="annulée par avoir"):
        payment_record(invoice=invoice, amount_cents=100, method="cash", actor=regie_agent)


def test_credit_after_a_partial_payment_settles_the_invoice(regie_agent):
    _user, invoice = family_invoice("avoir.paye@example.fr", days=2)
    payment_record(invoice=invoice, amount_cents=500, method="cash", actor=regie_agent)
    line = invoice.lines.order_by("date").first()
    credit_note_create(invoice=invoice, lines={line.pk: None}, reason="Absence justifiée", actor=regie_agent)
    invoice.refresh_from_db()
    assert invoice.balance_cents == 0 and invoice.status == InvoiceStatus.PAID


def test_credit_on_a_paid_invoice_is_owed_to_the_family(regie_agent):
    _user, invoice = family_invoice("avoir.tropercu@example.fr", days=2)
    payment_record(invoice=invoice, amount_cents=1000, method="card", actor=regie_agent)
    credit = credit_note_create(invoice=invoice, lines={invoice.lines.first().pk: None}, reason="Grève",
                                actor=regie_agent)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.balance_cents == -500
    assert "remboursée par le Trésor public" in _text(credit.pdf)


def test_refusals(regie_agent):
    _user, invoice = family_invoice("avoir.refus@example.fr", days=1)
    _other_user, other = family_invoice("avoir.autre@example.fr", days=1)
    with pytest.raises(BillingError, match="motif"):
        credit_note_create(invoice=invoice, reason="  ", actor=regie_agent)
    with pytest.raises(BillingError, match="n'appartient pas"):
        credit_note_create(invoice=invoice, lines={other.lines.get().pk: None}, reason="x", actor=regie_agent)
    with pytest.raises(BillingError, match="au moins une ligne"):
        credit_note_create(invoice=invoice, lines={}, reason="x", actor=regie_agent)


def test_a_justified_absence_after_invoicing_proposes_a_credit_note(regie_agent):
    _user, invoice = family_invoice("avoir.propose@example.fr", days=3)
    first, second, third = invoice.lines.order_by("date")
    assert not [p for p in credit_proposals() if p.invoice_id == invoice.pk]
    Attendance.objects.filter(reservation_id=first.reservation_id).update(status=AttendanceStatus.JUSTIFIED)
    occurrence = second.reservation.occurrence
    occurrence.status = OccurrenceStatus.CLOSED
    occurrence.save()
    proposals = {p.pk: p for p in credit_proposals() if p.invoice_id == invoice.pk}
    assert set(proposals) == {first.pk, second.pk}
    assert proposals[first.pk].proposal_reason == "Absence justifiée après facturation"
    assert proposals[second.pk].proposal_reason == "Journée fermée par la mairie"
    credit_note_create(invoice=invoice, lines={first.pk: None}, reason="Certificat médical", actor=regie_agent)
    assert {p.pk for p in credit_proposals() if p.invoice_id == invoice.pk} == {second.pk}
