"""The citizen space's back office, composed here: the "Espace citoyen" menu group lists the
viewsets each domain exports from its ``admin`` package, in the order agents work through
them; the admin home's panels: "À traiter" (admin/panels.py), and Wagtail's own left out
when they would show nothing (admin/wagtail_panels.py); and the back office's stylesheet
(static/css/admin.css)."""

from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from espace_citoyen.accounts import admin as accounts_admin
from espace_citoyen.activities import admin as activities_admin
from espace_citoyen.billing import admin as billing_admin
from espace_citoyen.demarches import admin as demarches_admin
from espace_citoyen.documents import admin as documents_admin
from espace_citoyen.family import admin as family_admin
from espace_citoyen.portail_famille import admin as portail_famille_admin

from .admin.deletions import AccountDeletionViewSet
from .admin.panels import ToProcessPanel
from .admin.wagtail_panels import leave_out_empty_wagtail_panels


class EspaceCitoyenGroup(ViewSetGroup):
    menu_label = _("Espace citoyen")
    menu_icon = "group"
    menu_order = 150
    items = (
        accounts_admin.ValidationQueueViewSet,
        demarches_admin.DemarcheQueueViewSet,
        documents_admin.TransmissionViewSet,
        family_admin.HouseholdViewSet,
        family_admin.ChildViewSet,
        portail_famille_admin.ToActivateViewSet,
        accounts_admin.AccountSecurityViewSet,
        portail_famille_admin.PortailFamilleImportViewSet,
        portail_famille_admin.ReconciliationViewSet,
        activities_admin.DossierViewSet,
        activities_admin.SchoolYearViewSet,
        activities_admin.HolidayPeriodViewSet,
        activities_admin.SchoolViewSet,
        activities_admin.BookingRuleViewSet,
        activities_admin.ActivityViewSet,
        activities_admin.ExtraDateViewSet,
        activities_admin.OccurrenceViewSet,
        activities_admin.AttendanceViewSet,
        activities_admin.ReservationAdminViewSet,
        AccountDeletionViewSet,
        billing_admin.InvoiceViewSet,
        billing_admin.OnlinePaymentViewSet,
        billing_admin.InvoicingRunViewSet,
        billing_admin.QuotientViewSet,
        billing_admin.ChildcareCertificateViewSet,
        billing_admin.ActivityTariffViewSet,
        billing_admin.QuotientBracketViewSet,
        billing_admin.AccountingExportViewSet,
    )


@hooks.register("register_admin_viewset")
def register_espace_citoyen_group():
    return EspaceCitoyenGroup()




@hooks.register("insert_global_admin_css")
def back_office_css():
    return format_html('<link rel="stylesheet" href="{}">', static("css/admin.css"))


@hooks.register("construct_homepage_panels")
def compose_home_panels(request, panels):
    leave_out_empty_wagtail_panels(request, panels)
    panels.append(ToProcessPanel())
