"""Back office of the activities catalogue (group "Pôle scolaire"): school years and their
holidays, schools, booking rules, activities (with "Générer les jours") and their days
(with "Fermer ce jour"). Registered in the "Espace citoyen" menu by portal/wagtail_hooks.py.
Model permissions (activities.*) decide who sees what."""

import django_filters
from django.core.exceptions import ValidationError
from django.forms import modelform_factory
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views.generic.models import IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import ListingButton

from espace_citoyen.core.backoffice import ListingQuerysetMixin, PermissionRequiredViewMixin, TitledPageMixin
from espace_citoyen.core.admin_exports import SafeExportIndexView

from .forms import ActivityAdminForm, OccurrenceAdminForm, OccurrenceCloseForm
from ..models import Activity, BookingRule, ExtraDate, HolidayPeriod, Occurrence, OccurrenceStatus, School, SchoolYear
from ..services.catalogue import activity_planned_dates, occurrence_close, occurrences_generate


class _CatalogueViewSet(ListingQuerysetMixin, ModelViewSet):
    add_to_admin_menu = False
    copy_view_enabled = False
    search_backend_name = None


class SchoolYearViewSet(_CatalogueViewSet):
    model = SchoolYear
    icon = "date"
    menu_label = _("Années scolaires")
    url_prefix = "espace-citoyen/annees-scolaires"
    url_namespace = "activities_school_years"
    list_display = ["label", "starts_on", "ends_on"]
    form_fields = ["label", "starts_on", "ends_on"]


class HolidayPeriodViewSet(_CatalogueViewSet):
    model = HolidayPeriod
    icon = "date"
    menu_label = _("Vacances scolaires")
    url_prefix = "espace-citoyen/vacances-scolaires"
    url_namespace = "activities_holidays"
    list_display = ["name", "school_year", "starts_on", "ends_on"]
    list_filter = ["school_year"]
    form_fields = ["school_year", "name", "starts_on", "ends_on"]


class SchoolViewSet(_CatalogueViewSet):
    model = School
    icon = "home"
    menu_label = _("Écoles")
    url_prefix = "espace-citoyen/ecoles"
    url_namespace = "activities_schools"
    list_display = ["name"]
    form_fields = ["name"]
    search_fields = ["name"]


class BookingRuleViewSet(_CatalogueViewSet):
    model = BookingRule
    icon = "time"
    menu_label = _("Règles de réservation")
    url_prefix = "espace-citoyen/regles-de-reservation"
    url_namespace = "activities_booking_rules"
    list_display = ["name", "days_before", "before", "business_days"]
    form_fields = ["name", "days_before", "before", "business_days"]


class ActivityIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.request.user.has_perm("activities.add_occurrence"):
            buttons.append(ListingButton(_("Générer les jours"),
                                         url=reverse("activities_activities:generate", args=[instance.pk]),
                                         priority=5))
        return buttons


class ActivityGenerateView(PermissionRequiredViewMixin, TitledPageMixin, WagtailAdminTemplateMixin, TemplateView):
    """Confirm, then create the missing days of an activity (idempotent)."""

    template_name = "activities/admin/generate.html"
    page_title = _("Générer les jours")
    header_icon = "date"

    def parent_breadcrumbs(self):
        return [(reverse("activities_activities:index"), _("Activités"))]

    permission_required = "activities.add_occurrence"

    def load_objects(self, request, **kwargs):
        self.activity = get_object_or_404(Activity.objects.select_related("school_year"), pk=kwargs["pk"])

    def get_page_subtitle(self):
        return str(self.activity)

    def get_context_data(self, **kwargs):
        planned = activity_planned_dates(self.activity)
        existing = set(self.activity.occurrences.values_list("date", flat=True))
        return super().get_context_data(activity=self.activity, planned_count=len(planned),
                                        missing_count=len([d for d in planned if d not in existing]), **kwargs)

    def post(self, request, *args, **kwargs):
        created = occurrences_generate(activity=self.activity, actor=request.user)
        messages.success(request, f"{created} jour(s) créé(s) pour « {self.activity} ».")
        return redirect(reverse("activities_occurrences:index") + f"?activity={self.activity.pk}")


class ActivityViewSet(_CatalogueViewSet):
    model = Activity
    icon = "list-ul"
    menu_label = _("Activités")
    url_prefix = "espace-citoyen/activites"
    url_namespace = "activities_activities"
    index_view_class = ActivityIndexView
    list_display = ["name", "school_year", "period", "capacity", "booking_rule", "is_active", "childcare"]
    list_filter = ["school_year", "period", "is_active", "childcare"]
    search_fields = ["name"]

    def listing_queryset(self):
        return Activity.objects.select_related("school_year", "booking_rule")

    def get_form_class(self, for_update=False):
        return ActivityAdminForm

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/generer/", ActivityGenerateView.as_view(), name="generate"),
        ]


def _activity_filter():
    """The activity filter of a listing: its labels "Name (2026-2027)" read in one query."""
    return django_filters.ModelChoiceFilter(
        label=_("activité"), queryset=Activity.objects.select_related("school_year").order_by("-school_year__starts_on",
                                                                                              "name"))


class ExtraDateFilterSet(WagtailFilterSet):
    activity = _activity_filter()

    class Meta:
        model = ExtraDate
        fields = ["activity"]


class OccurrenceFilterSet(WagtailFilterSet):
    activity = _activity_filter()

    class Meta:
        model = Occurrence
        fields = ["activity", "status", "date"]


class ExtraDateViewSet(_CatalogueViewSet):
    """One-off days of an activity outside its weekly pattern (then "Générer les jours")."""

    model = ExtraDate
    icon = "date"
    menu_label = _("Dates supplémentaires")
    url_prefix = "espace-citoyen/dates-supplementaires"
    url_namespace = "activities_extra_dates"
    list_display = ["date", "activity"]
    filterset_class = ExtraDateFilterSet
    form_fields = ["activity", "date"]

    def listing_queryset(self):
        return ExtraDate.objects.select_related("activity__school_year")


class OccurrenceIndexView(SafeExportIndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.status == OccurrenceStatus.OPEN and self.request.user.has_perm("activities.change_occurrence"):
            buttons.append(ListingButton(_("Fermer ce jour"),
                                         url=reverse("activities_occurrences:close", args=[instance.pk]),
                                         priority=5))
        return buttons


class OccurrenceCloseView(PermissionRequiredViewMixin, TitledPageMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "activities/admin/close.html"
    page_title = _("Fermer un jour")
    header_icon = "cross"

    def parent_breadcrumbs(self):
        return [(reverse("activities_occurrences:index"), _("Jours d'activité"))]

    permission_required = "activities.change_occurrence"

    def load_objects(self, request, **kwargs):
        self.occurrence = get_object_or_404(Occurrence.objects.select_related("activity"), pk=kwargs["pk"])

    def get_page_subtitle(self):
        return str(self.occurrence)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", OccurrenceCloseForm())
        booked = self.occurrence.reservations.filter(status="booked").count()
        return super().get_context_data(occurrence=self.occurrence, booked=booked, **kwargs)

    def post(self, request, *args, **kwargs):
        form = OccurrenceCloseForm(request.POST)
        if form.is_valid():
            try:
                sent = occurrence_close(occurrence=self.occurrence, reason=form.cleaned_data["reason"],
                                        actor=request.user)
            except (ValueError, ValidationError) as exc:
                form.add_error("reason", str(exc))
            else:
                messages.success(request, f"« {self.occurrence} » est fermé ; {sent} courriel(s) envoyé(s) aux familles.")
                return redirect("activities_occurrences:index")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class OccurrenceViewSet(_CatalogueViewSet):
    model = Occurrence
    icon = "date"
    menu_label = _("Jours d'activité")
    url_prefix = "espace-citoyen/jours-activite"
    url_namespace = "activities_occurrences"
    index_view_class = OccurrenceIndexView
    list_display = ["date", "activity", "capacity", "booked_count", "status", "closed_reason"]
    filterset_class = OccurrenceFilterSet
    list_export = ["date", "activity", "capacity", "booked_count", "status", "closed_reason"]
    export_headings = {"date": "Date", "activity": "Activité", "capacity": "Places", "booked_count": "Réservées",
                       "status": "État", "closed_reason": "Motif de fermeture"}
    export_filename = "jours-activite"
    form_fields = ["activity", "date", "capacity"]
    ordering = ["date", "activity__name"]

    def get_form_class(self, for_update=False):
        # Wagtail's widgets (date picker) on OccurrenceAdminForm's checks.
        return modelform_factory(Occurrence, form=OccurrenceAdminForm, fields=self.form_fields,
                                 formfield_callback=self.formfield_for_dbfield)

    def listing_queryset(self):
        return Occurrence.objects.select_related("activity__school_year")

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/fermer/", OccurrenceCloseView.as_view(), name="close"),
        ]
