"""The "Espace citoyen" menu of the Wagtail admin. Each domain adds its viewsets to the group."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from espace_citoyen.activities.admin_views import AttendanceViewSet
from espace_citoyen.activities.dossier_admin import DossierViewSet
from espace_citoyen.activities.reservation_admin import ReservationAdminViewSet
from espace_citoyen.activities.viewsets import (
    ActivityViewSet,
    BookingRuleViewSet,
    ExtraDateViewSet,
    HolidayPeriodViewSet,
    OccurrenceViewSet,
    SchoolViewSet,
    SchoolYearViewSet,
)
from espace_citoyen.demarches.admin_views import DemarcheQueueViewSet
from espace_citoyen.documents.admin_views import TransmissionViewSet
from espace_citoyen.family.viewsets import ChildViewSet, HouseholdViewSet

from .admin_views import PortailFamilleImportViewSet, ToActivateViewSet
from .admin_views import ValidationQueueViewSet
from .security_admin import AccountSecurityViewSet


class EspaceCitoyenGroup(ViewSetGroup):
    menu_label = _("Espace citoyen")
    menu_icon = "group"
    menu_order = 150
    items = (
        ValidationQueueViewSet,
        DemarcheQueueViewSet,
        TransmissionViewSet,
        HouseholdViewSet,
        ChildViewSet,
        ToActivateViewSet,
        AccountSecurityViewSet,
        PortailFamilleImportViewSet,
        DossierViewSet,
        SchoolYearViewSet,
        HolidayPeriodViewSet,
        SchoolViewSet,
        BookingRuleViewSet,
        ActivityViewSet,
        ExtraDateViewSet,
        OccurrenceViewSet,
        AttendanceViewSet,
        ReservationAdminViewSet,
    )


@hooks.register("register_admin_viewset")
def register_espace_citoyen_group():
    return EspaceCitoyenGroup()


@hooks.register("register_admin_urls")
def register_two_factor_admin_urls():
    """Second factor of the staff: verify or enrol before any other admin page
    (AdminTwoFactorMiddleware lets these URLs through)."""
    from django.urls import path

    from . import views

    return [
        path("double-authentification/verifier/", views.admin_two_factor_verify, name="accounts_admin_two_factor_verify"),
        path("double-authentification/activer/", views.admin_two_factor_setup, name="accounts_admin_two_factor_setup"),
        path(
            "double-authentification/codes-de-secours/",
            views.admin_two_factor_codes,
            name="accounts_admin_two_factor_codes",
        ),
    ]
