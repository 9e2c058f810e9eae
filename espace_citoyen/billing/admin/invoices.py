"""The Régie's desk: invoices with their filters (month, status, overdue, household search
without accents), an invoice's page (lines, PDF, payments, credit notes, history) where a
payment received at the desk or a credit note is recorded, the PDFs, and the credit notes to
propose. Permissions: billing.view_invoice to read, billing.add_payment and
billing.add_creditnote to act. URL names ``billing_invoices:…``."""

from __future__ import annotations

import datetime

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from espace_citoyen.core.backoffice import PermissionRequiredViewMixin, PermissionViewSet, TitledPageMixin
from espace_citoyen.core.business_calendar import format_month
from espace_citoyen.core.money import format_cents
from espace_citoyen.core.storage import private_file_response

from ..forms import CreditNoteForm, PaymentForm
from ..models import CreditNote, InvoiceStatus, Payment
from ..selectors import staff as selectors
from ..selectors.citizen import invoice_detail
from ..services import BillingError
from ..services.credit_notes import credit_note_create, creditable_amounts
from ..services.documents import invoice_store_pdf
from ..services.payments import payment_record

VIEW_PERMISSION = "billing.view_invoice"
PAYMENT_PERMISSION = "billing.add_payment"
CREDIT_PERMISSION = "billing.add_creditnote"
INDEX_TITLE = _("Factures")
PER_PAGE = 50


class _InvoicesMixin(PermissionRequiredViewMixin, TitledPageMixin, WagtailAdminTemplateMixin):
    permission_required = VIEW_PERMISSION
    header_icon = "doc-full"


class InvoiceListView(_InvoicesMixin, TemplateView):
    template_name = "billing/admin/invoice_list.html"
    page_title = INDEX_TITLE

    def get_context_data(self, **kwargs):
        request = self.request
        filters = {key: request.GET.get(key, "").strip() for key in ("mois", "etat", "q")}
        try:
            month = datetime.datetime.strptime(filters["mois"], "%Y-%m").date() if filters["mois"] else None
        except ValueError:
            month, filters["mois"] = None, ""
        today = timezone.localdate()
        queryset = selectors.invoices_for_staff(month=month, status=filters["etat"], query=filters["q"], today=today)
        page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("p"))
        for invoice in page.object_list:
            invoice.status_label = invoice.display_status(today)
        statuses = [(selectors.OVERDUE, "En retard")] + list(InvoiceStatus.choices)
        return super().get_context_data(
            page_obj=page, filters=filters, statuses=statuses, today=today,
            months=[(f"{m:%Y-%m}", format_month(m.year, m.month).capitalize()) for m in selectors.invoice_months()],
            extra_query=urlencode({key: value for key, value in filters.items() if value}),
            proposals_count=selectors.credit_proposals().count(), **kwargs)


class InvoiceDetailView(_InvoicesMixin, TemplateView):
    template_name = "billing/admin/invoice_detail.html"

    def load_objects(self, request, **kwargs):
        self.invoice = selectors.invoice_for_staff(invoice_id=kwargs["pk"])

    def get_page_title(self):
        return f"Facture {self.invoice.number}"

    def get_page_subtitle(self):
        return self.invoice.addressee

    def parent_breadcrumbs(self):
        return [(reverse("billing_invoices:index"), INDEX_TITLE)]

    def get_context_data(self, payment_form=None, credit_form=None, **kwargs):
        invoice, user = self.invoice, self.request.user
        context = invoice_detail(invoice)
        proposals = list(selectors.credit_proposals(invoice=invoice))
        can_pay = user.has_perm(PAYMENT_PERMISSION) and invoice.is_open and invoice.balance_cents > 0
        can_credit = user.has_perm(CREDIT_PERMISSION) and invoice.status != InvoiceStatus.CANCELLED
        if can_pay and payment_form is None:
            payment_form = PaymentForm(balance_cents=invoice.balance_cents)
        if can_credit and credit_form is None:
            credit_form = CreditNoteForm(lines=context["lines"], creditable=creditable_amounts(invoice=invoice),
                                         proposed={line.pk for line in proposals},
                                         initial={"reason": proposals[0].proposal_reason if proposals else ""})
        context.update(
            status_label=invoice.display_status(), overdue=invoice.is_overdue(), proposals=proposals,
            month_label=format_month(invoice.month.year, invoice.month.month),
            events=list(invoice.events.select_related("actor").order_by("created_at", "id")),
            payment_form=payment_form if can_pay else None, credit_form=credit_form if can_credit else None,
            has_credit_choices=bool(credit_form and credit_form.fields["lines"].choices),
        )
        return super().get_context_data(**context, **kwargs)


class InvoicePaymentView(InvoiceDetailView):
    """POST: record a payment received at the desk (billing.add_payment)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(PAYMENT_PERMISSION):
            return permission_denied(request)
        invoice = self.invoice
        form = PaymentForm(request.POST, balance_cents=invoice.balance_cents)
        if form.is_valid():
            data = form.cleaned_data
            try:
                payment = payment_record(invoice=invoice, amount_cents=data["amount_cents"], method=data["method"],
                                         received_on=data["received_on"], cheque_number=data["cheque_number"],
                                         bank=data["bank"], reference=data["reference"], actor=request.user)
            except BillingError as error:
                form.add_error("amount_cents" if error.code in ("overpayment", "amount", "paid") else None,
                               error.message)
            else:
                messages.success(request, f"Paiement de {format_cents(payment.amount_cents)} enregistré "
                                          f"(reçu {payment.receipt_number}).")
                return redirect(reverse("billing_invoices:detail", args=[invoice.pk]) + "#paiements")
        self.invoice.refresh_from_db()
        return self.render_to_response(self.get_context_data(payment_form=form), status=400)


class InvoiceCreditNoteView(InvoiceDetailView):
    """POST: issue a credit note on some lines of the invoice (billing.add_creditnote)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(CREDIT_PERMISSION):
            return permission_denied(request)
        invoice = self.invoice
        form = CreditNoteForm(request.POST, lines=list(invoice.lines.all()),
                              creditable=creditable_amounts(invoice=invoice))
        if form.is_valid():
            try:
                credit_note = credit_note_create(invoice=invoice, lines=form.selected(),
                                                 reason=form.cleaned_data["reason"], actor=request.user)
            except BillingError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"Avoir {credit_note.number} de {format_cents(credit_note.total_cents)} "
                                          "émis ; la famille est prévenue.")
                return redirect(reverse("billing_invoices:detail", args=[invoice.pk]) + "#avoirs")
        self.invoice.refresh_from_db()
        return self.render_to_response(self.get_context_data(credit_form=form), status=400)


class CreditProposalsView(_InvoicesMixin, TemplateView):
    """Days billed that should not have been, as things stand now (an absence justified or a
    day closed after the invoice), to credit: each links to its invoice, lines pre-checked."""

    template_name = "billing/admin/proposals.html"
    page_title = _("Avoirs à proposer")

    def parent_breadcrumbs(self):
        return [(reverse("billing_invoices:index"), INDEX_TITLE)]

    def get_context_data(self, **kwargs):
        page = Paginator(selectors.credit_proposals(), PER_PAGE).get_page(self.request.GET.get("p"))
        return super().get_context_data(page_obj=page, **kwargs)


def _pdf_response(field_file, filename: str):
    if not field_file:
        raise Http404
    return private_file_response(field_file, content_type="application/pdf", filename=filename, inline=False)


class InvoicePdfView(_InvoicesMixin, TemplateView):
    def load_objects(self, request, **kwargs):
        self.invoice = selectors.invoice_for_staff(invoice_id=kwargs["pk"])

    def get(self, request, *args, **kwargs):
        invoice_store_pdf(invoice=self.invoice)
        return _pdf_response(self.invoice.pdf, f"facture-{self.invoice.number}.pdf")


class CreditNotePdfView(_InvoicesMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        credit_note = CreditNote.objects.filter(pk=kwargs["pk"]).first()
        if credit_note is None:
            raise Http404
        return _pdf_response(credit_note.pdf, f"avoir-{credit_note.number}.pdf")


class ReceiptPdfView(_InvoicesMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        payment = Payment.objects.filter(pk=kwargs["pk"]).first()
        if payment is None:
            raise Http404
        return _pdf_response(payment.receipt_pdf, f"recu-{payment.receipt_number}.pdf")


class InvoiceViewSet(PermissionViewSet):
    name = "billing_invoices"
    url_prefix = "espace-citoyen/factures"
    icon = "doc-full"
    menu_label = INDEX_TITLE
    permission_required = VIEW_PERMISSION

    def get_urlpatterns(self):
        return [
            path("", InvoiceListView.as_view(), name="index"),
            path("avoirs-a-proposer/", CreditProposalsView.as_view(), name="proposals"),
            path("<int:pk>/", InvoiceDetailView.as_view(), name="detail"),
            path("<int:pk>/paiement/", InvoicePaymentView.as_view(), name="payment"),
            path("<int:pk>/avoir/", InvoiceCreditNoteView.as_view(), name="credit_note"),
            path("<int:pk>/pdf/", InvoicePdfView.as_view(), name="pdf"),
            path("avoirs/<int:pk>/pdf/", CreditNotePdfView.as_view(), name="credit_note_pdf"),
            path("recus/<int:pk>/pdf/", ReceiptPdfView.as_view(), name="receipt_pdf"),
        ]
