"""« Exports comptables » (billing.export_accounting): CSV of the invoices, credit notes or
payments of a period, and of the unpaid invoices past a date (the list the Régie transfers
to the Trésor public). Semicolon-separated, UTF-8 with BOM (Excel), amounts in euros with a
decimal comma; every text cell goes through core.csv_safe (no formula)."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from espace_citoyen.core.backoffice import PermissionRequiredViewMixin, PermissionViewSet, TitledPageMixin
from espace_citoyen.core.csv_safe import safe_row

from ..forms import ExportForm, ExportKind
from ..selectors import staff as selectors

EXPORT_PERMISSION = "billing.export_accounting"
INDEX_TITLE = _("Exports comptables")


def _euros(cents: int) -> str:
    return f"{cents / 100:.2f}".replace(".", ",")


def _rows(kind: str, start, end):
    if kind == ExportKind.INVOICES:
        yield ["Numéro", "Date d'émission", "Mois facturé", "Foyer", "Destinataire", "Montant", "Avoirs", "Payé",
               "Reste à payer", "Échéance", "État", "Tarif"]
        for i in selectors.invoices_between(start=start, end=end).iterator():
            yield [i.number, f"{i.issue_date:%d/%m/%Y}", f"{i.month:%m/%Y}", i.household_id, i.addressee,
                   _euros(i.total_cents), _euros(i.credited_cents), _euros(i.paid_cents), _euros(i.balance_cents),
                   f"{i.due_date:%d/%m/%Y}", i.get_status_display(), i.pricing_note]
    elif kind == ExportKind.CREDIT_NOTES:
        yield ["Numéro", "Date", "Facture", "Foyer", "Destinataire", "Montant", "Motif"]
        for c in selectors.credit_notes_between(start=start, end=end).iterator():
            yield [c.number, f"{c.issue_date:%d/%m/%Y}", c.invoice.number, c.invoice.household_id,
                   c.invoice.addressee, _euros(c.total_cents), c.reason]
    elif kind == ExportKind.PAYMENTS:
        yield ["Reçu", "Reçu le", "Facture", "Foyer", "Destinataire", "Montant", "Moyen", "N° de chèque", "Banque",
               "Référence"]
        for p in selectors.payments_between(start=start, end=end).iterator():
            yield [p.receipt_number, f"{p.received_on:%d/%m/%Y}", p.invoice.number, p.invoice.household_id,
                   p.invoice.addressee, _euros(p.amount_cents), p.get_method_display(), p.cheque_number, p.bank,
                   p.reference]
    else:
        yield ["Numéro", "Date d'émission", "Échéance", "Foyer", "Destinataire", "Adresse", "Montant",
               "Reste à payer", "Relancée le"]
        for i in selectors.unpaid_invoices(due_before=end).iterator():
            yield [i.number, f"{i.issue_date:%d/%m/%Y}", f"{i.due_date:%d/%m/%Y}", i.household_id, i.addressee,
                   i.address.replace("\n", ", "), _euros(i.total_cents), _euros(i.balance_cents),
                   f"{i.reminder_sent_at:%d/%m/%Y}" if i.reminder_sent_at else ""]


def export_csv(*, kind: str, start, end) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for row in _rows(kind, start, end):
        writer.writerow(safe_row(row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


class AccountingExportView(PermissionRequiredViewMixin, TitledPageMixin, WagtailAdminTemplateMixin, FormView):
    permission_required = EXPORT_PERMISSION
    template_name = "billing/admin/export.html"
    form_class = ExportForm
    page_title = INDEX_TITLE
    header_icon = "download"

    def form_valid(self, form):
        kind, start, end = (form.cleaned_data[key] for key in ("kind", "start", "end"))
        response = HttpResponse(export_csv(kind=kind, start=start, end=end), content_type="text/csv; charset=utf-8")
        suffix = f"au-{end:%Y-%m-%d}" if kind == ExportKind.UNPAID else f"{start:%Y-%m-%d}-{end:%Y-%m-%d}"
        response["Content-Disposition"] = f'attachment; filename="{kind}-{suffix}.csv"'
        return response

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class AccountingExportViewSet(PermissionViewSet):
    name = "billing_exports"
    url_prefix = "espace-citoyen/exports-comptables"
    icon = "download"
    menu_label = INDEX_TITLE
    permission_required = EXPORT_PERMISSION

    def get_urlpatterns(self):
        return [path("", AccountingExportView.as_view(), name="index")]
