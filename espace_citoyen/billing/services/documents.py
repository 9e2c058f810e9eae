"""The PDFs of invoices, credit notes and receipts, made once when issued and stored on the
private storage; and the e-mails telling the family a document is ready (a link to the
space, never the document itself)."""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from espace_citoyen.accounts.models import ContactMethod
from espace_citoyen.core.business_calendar import format_month
from espace_citoyen.core.emails import send_templated_email, site_url
from espace_citoyen.core.town import town_contact
from espace_citoyen.family.models import Membership

from .. import pdf
from ..models import CreditNote, CreditNoteLine, Invoice, InvoiceLine, Payment
from .online_config import online_payment_available

__all__ = ["childcare_certificate_pdf", "credit_note_store_pdf", "invoice_store_pdf", "invoices_issue_documents",
           "receipt_store_pdf"]

CHUNK = 200


def invoice_store_pdf(*, invoice: Invoice, town=None, lines=None, save: bool = True) -> Invoice:
    """Make the invoice's PDF once (nothing when it exists) and store it; ``save=False``
    leaves the row's update to the caller (a bulk update)."""
    if invoice.pdf:
        return invoice
    if lines is None:
        lines = list(invoice.lines.all())
    content = pdf.render_invoice(invoice=invoice, lines=lines, town=town or town_contact(), site_url=site_url(),
                                 online_payment=online_payment_available())
    invoice.pdf.save(f"{invoice.number}.pdf", ContentFile(content), save=False)
    if save:
        Invoice.objects.filter(pk=invoice.pk, pdf="").update(pdf=invoice.pdf.name)
    return invoice


def credit_note_store_pdf(*, credit_note: CreditNote, balance_after: int) -> CreditNote:
    if credit_note.pdf:
        return credit_note
    lines = list(CreditNoteLine.objects.filter(credit_note=credit_note).select_related("invoice_line"))
    content = pdf.render_credit_note(credit_note=credit_note, invoice=credit_note.invoice, lines=lines,
                                     balance_after=balance_after, town=town_contact())
    credit_note.pdf.save(f"{credit_note.number}.pdf", ContentFile(content), save=False)
    CreditNote.objects.filter(pk=credit_note.pk).update(pdf=credit_note.pdf.name)
    return credit_note


def receipt_store_pdf(*, payment: Payment, balance_after: int) -> Payment:
    if payment.receipt_pdf:
        return payment
    content = pdf.render_receipt(payment=payment, invoice=payment.invoice, balance_after=balance_after,
                                 town=town_contact())
    payment.receipt_pdf.save(f"{payment.receipt_number}.pdf", ContentFile(content), save=False)
    Payment.objects.filter(pk=payment.pk).update(receipt_pdf=payment.receipt_pdf.name)
    return payment


def _emails_by_household(household_ids) -> dict[int, list[str]]:
    """Addresses of the adults who prefer e-mail (no profile: e-mail), per household, one query."""

    emails: dict[int, list[str]] = {}
    rows = (Membership.objects.filter(household_id__in=household_ids, user__is_active=True).exclude(user__email="")
            .order_by("joined_at", "id").values_list("household_id", "user__email", "user__profile__preferred_contact"))
    for household_id, email, preferred in rows:
        if (preferred or ContactMethod.EMAIL) == ContactMethod.EMAIL and email not in emails.get(household_id, []):
            emails.setdefault(household_id, []).append(email)
    return emails


def invoices_issue_documents(*, run, progress=None) -> int:
    """After a run: the PDF of each of its invoices still without one, and one e-mail per
    household ("votre facture est disponible"). By chunks, a fixed number of queries each."""
    town = town_contact()
    ids = list(Invoice.objects.filter(run=run, pdf="").order_by("pk").values_list("pk", flat=True))
    done = 0
    for index in range(0, len(ids), CHUNK):
        chunk = list(Invoice.objects.filter(pk__in=ids[index:index + CHUNK]).order_by("pk")
                     .prefetch_related(Prefetch("lines", queryset=InvoiceLine.objects.order_by(
                         "child_name", "activity_name", "date", "id"))))
        emails = _emails_by_household([invoice.household_id for invoice in chunk])
        for invoice in chunk:
            invoice_store_pdf(invoice=invoice, town=town, lines=list(invoice.lines.all()), save=False)
            invoice_notify(invoice=invoice, to=emails.get(invoice.household_id, []), town=town)
        Invoice.objects.bulk_update(chunk, ["pdf"])
        done += len(chunk)
        if progress:
            progress(done, len(ids))
    return done


def invoice_notify(*, invoice: Invoice, to: list[str], town=None) -> None:
    context = {"invoice": invoice, "month_label": format_month(invoice.month.year, invoice.month.month),
               "url": site_url(reverse("billing:detail", args=[invoice.pk]))}
    if town is not None:
        context["town"] = town
    # The invoices are committed already (each batch of the run): sent at once.
    send_templated_email(template="billing/emails/invoice_issued", to=to, context=context, on_commit=False)


def childcare_certificate_pdf(*, certificates, today: datetime.date | None = None) -> bytes:
    """The « attestation de frais de garde » of ``certificates`` (selectors/certificates.py),
    dated today: made on demand from the payments as they stand, never stored."""
    return pdf.render_childcare_certificate(certificates=certificates, town=town_contact(),
                                            issued_on=today or timezone.localdate())
