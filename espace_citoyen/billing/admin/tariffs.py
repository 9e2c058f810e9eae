"""Tariffs as data, edited by the Régie in Wagtail listings: the family-quotient brackets of
each school year, and each activity's tariff (a price per day for every bracket, the "hors
commune" price, the late-booking surcharge). Amounts are typed in euros (stored in cents)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.admin.viewsets.model import ModelViewSet

from espace_citoyen.core.backoffice import ListingQuerysetMixin

from ..models import ActivityTariff, QuotientBracket


class _BillingModelViewSet(ListingQuerysetMixin, ModelViewSet):
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = False
    search_backend_name = None


class QuotientBracketViewSet(_BillingModelViewSet):
    model = QuotientBracket
    icon = "list-ol"
    menu_label = _("Tranches de quotient")
    url_prefix = "espace-citoyen/tranches-de-quotient"
    url_namespace = "billing_brackets"
    list_display = ["school_year", "lower_bound"]
    list_filter = ["school_year"]
    form_fields = ["school_year", "lower_bound"]

    def listing_queryset(self):
        return QuotientBracket.objects.select_related("school_year")


class ActivityTariffViewSet(_BillingModelViewSet):
    model = ActivityTariff
    icon = "tag"
    menu_label = _("Tarifs des activités")
    url_prefix = "espace-citoyen/tarifs"
    url_namespace = "billing_tariffs"
    list_display = ["activity", "outside_town_price_cents", "late_surcharge_cents"]
    list_filter = ["activity__school_year"]
    panels = [
        FieldPanel("activity"),
        InlinePanel("prices", heading=_("Prix par jour selon le quotient familial"), label=_("Tranche"), min_num=1),
        FieldPanel("outside_town_price_cents"),
        FieldPanel("late_surcharge_cents"),
    ]

    def listing_queryset(self):
        return ActivityTariff.objects.select_related("activity__school_year")
