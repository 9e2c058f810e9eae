"""Back office of the billing (group Régie): invoices and the desk (payments, credit notes),
the monthly invoicing, families' quotients, tariffs and brackets, accounting exports, the
childcare certificates. The portal lists these viewsets in the "Espace citoyen" menu."""

from .certificates import ChildcareCertificateViewSet
from .exports import AccountingExportViewSet
from .invoices import InvoiceViewSet
from .online_payments import OnlinePaymentViewSet
from .quotients import QuotientViewSet
from .runs import InvoicingRunViewSet
from .tariffs import ActivityTariffViewSet, QuotientBracketViewSet

__all__ = [
    "AccountingExportViewSet", "ActivityTariffViewSet", "ChildcareCertificateViewSet", "InvoiceViewSet",
    "InvoicingRunViewSet", "OnlinePaymentViewSet", "QuotientBracketViewSet", "QuotientViewSet",
]
