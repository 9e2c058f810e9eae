"""What billing keeps, and for how long (settings.ESPACE_CITOYEN_RETENTION "invoices" and
"payments": ten years, the public accounting records' period). Registered with the
retention registry (core.retention) when the app is ready; applied by the portal's nightly
``purge_expired_data``. An invoice goes with its lines, credit notes, payments and PDFs once
the last of them is past the period, never before."""

import datetime
import logging

from django.db import transaction
from django.db.models import Max, Q

from espace_citoyen.core.retention import RetentionRule, register

from .models import CreditNote, Invoice, Payment

logger = logging.getLogger("espace_citoyen.billing")


def _limit(now: datetime.datetime, entry: dict) -> datetime.date:
    return (now - datetime.timedelta(days=entry["days"])).date()


def expired_invoices(now, entry):
    """Invoices issued before the period whose credit notes and payments are all older too."""
    limit = _limit(now, entry)
    return (Invoice.objects.filter(issue_date__lt=limit)
            .annotate(last_credit=Max("credit_notes__issue_date"), last_payment=Max("payments__received_on"))
            .filter(Q(last_credit__isnull=True) | Q(last_credit__lt=limit))
            .filter(Q(last_payment__isnull=True) | Q(last_payment__lt=limit)))


def expired_payments(now, entry):
    """Payments are kept with their invoice: reported here, deleted with it."""
    return Payment.objects.filter(received_on__lt=_limit(now, entry), invoice__in=expired_invoices(now, entry))


@transaction.atomic
def purge_invoices(invoices, now) -> int:
    invoices = list(invoices.values_list("pk", flat=True))
    files = []
    for model, field, filters in ((Invoice, "pdf", {"pk__in": invoices}),
                                  (CreditNote, "pdf", {"invoice__in": invoices}),
                                  (Payment, "receipt_pdf", {"invoice__in": invoices})):
        for stored in model.objects.filter(**filters).exclude(**{field: ""}).values_list(field, flat=True):
            files.append(stored)
    Payment.objects.filter(invoice__in=invoices).delete()
    CreditNote.objects.filter(invoice__in=invoices).delete()  # its lines first, by cascade
    deleted = Invoice.objects.filter(pk__in=invoices).delete()[1].get(Invoice._meta.label, 0)
    storage = Invoice._meta.get_field("pdf").storage

    def delete_files():
        for name in files:
            try:
                storage.delete(name)
            except OSError:
                logger.warning("retention: file %s could not be deleted", name)

    transaction.on_commit(delete_files)
    return deleted


def purge_payments(payments, now) -> int:
    return 0  # deleted with their invoice (purge_invoices)


def register_billing_rules() -> None:
    register(RetentionRule("payments", "Paiements (supprimés avec leur facture)", expired_payments, purge_payments,
                           order=50))
    register(RetentionRule("invoices", "Factures, avoirs, paiements et reçus", expired_invoices, purge_invoices,
                           order=60))
