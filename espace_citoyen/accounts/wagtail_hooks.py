"""The "Espace citoyen" menu of the Wagtail admin. Each domain adds its viewsets to the group."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from espace_citoyen.family.viewsets import ChildViewSet, HouseholdViewSet

from .admin_views import PortailFamilleImportViewSet, ToActivateViewSet


class EspaceCitoyenGroup(ViewSetGroup):
    menu_label = _("Espace citoyen")
    menu_icon = "group"
    menu_order = 150
    items = (
        HouseholdViewSet,
        ChildViewSet,
        ToActivateViewSet,
        PortailFamilleImportViewSet,
    )


@hooks.register("register_admin_viewset")
def register_espace_citoyen_group():
    return EspaceCitoyenGroup()
