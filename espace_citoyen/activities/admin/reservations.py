"""Back office: "Réservations des familles" — a Pôle scolaire agent finds a child, sees the
child's activity days for a month and books or cancels a day for the family, also past the
booking deadline, always with a reason ("motif"); the family is told by e-mail.
Permission: activities.view_reservation to read, activities.change_reservation to book/cancel.
URL names `reservations_admin:index`, `reservations_admin:child` (child id)."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from espace_citoyen.core.backoffice import PermissionRequiredViewMixin, PermissionViewSet, TitledPageMixin

from espace_citoyen.core.business_calendar import PARIS, format_day, format_month, parse_month
from espace_citoyen.family.selectors import children_count, notification_emails_for

from ..selectors import agenda as agenda_selectors
from ..selectors import reservations_admin as selectors
from ..selectors.history import history_for, history_rows
from ..forms_agenda import AgentPatternForm
from ..services.agent_bookings import agent_book, agent_book_pattern, agent_cancel
from ..services.booking import BookingError

VIEW_PERMISSION = "activities.view_reservation"
CHANGE_PERMISSION = "activities.change_reservation"
PER_PAGE = 25
HISTORY_LENGTH = 20
INDEX_TITLE = _("Réservations des familles")


def _today() -> datetime.date:
    return timezone.now().astimezone(PARIS).date()


class _ReservationPermissionMixin(PermissionRequiredViewMixin):
    permission_required = VIEW_PERMISSION


class ReservationIndexView(_ReservationPermissionMixin, TitledPageMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "activities/admin/reservations_index.html"
    page_title = INDEX_TITLE
    header_icon = "date"

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "").strip()
        paginator = Paginator(selectors.children_search(query=query), PER_PAGE)
        if not query:  # every child: the town's number of children, kept until one is added or removed
            paginator.count = children_count()  # Paginator.count is a cached_property: not recounted
        page = paginator.get_page(self.request.GET.get("p"))
        page.object_list = selectors.child_lines(page.object_list)
        return super().get_context_data(query=query, page_obj=page,
                                        extra_query=urlencode({"q": query}) if query else "", **kwargs)


class ReservationChildView(_ReservationPermissionMixin, TitledPageMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "activities/admin/reservations_child.html"
    header_icon = "date"

    def load_objects(self, request, **kwargs):
        self.child = selectors.child_for_staff(child_id=kwargs["child_id"])

    def get_page_title(self):
        return f"Réservations de {self.child.first_name} {self.child.last_name}"

    def parent_breadcrumbs(self):
        return [(reverse("reservations_admin:index"), INDEX_TITLE)]

    def _month(self, raw: str, *, warn: bool) -> tuple[int, int]:
        today = _today()
        if raw:
            parsed = parse_month(raw)
            if parsed:
                return parsed
            if warn:
                messages.warning(self.request, "Le mois demandé n'est pas valide : voici le mois en cours.")
        return today.year, today.month

    def get_context_data(self, *, year=None, month=None, errors=None, reasons=None, **kwargs):
        if year is None:
            year, month = self._month(self.request.GET.get("mois", ""), warn=True)
        first = datetime.date(year, month, 1)
        previous = (first - datetime.timedelta(days=1)).replace(day=1)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        errors, reasons = errors or {}, reasons or {}
        days = selectors.days_for_agent(child=self.child, year=year, month=month)
        rows = [{"day": day, "error": errors.get(day.occurrence.pk, ""), "reason": reasons.get(day.occurrence.pk, "")}
                for day in days]
        history = list(history_rows(history_for(child=self.child)[:HISTORY_LENGTH]))
        return super().get_context_data(
            child=self.child, adults=[m.user for m in self.child.household.memberships.all()],
            has_activities=agenda_selectors.activities_for(child=self.child).exists(),
            rows=rows, history=history, history_length=HISTORY_LENGTH,
            can_change=self.request.user.has_perm(CHANGE_PERMISSION),
            month_label=format_month(year, month), month_param=f"{year}-{month:02d}",
            previous_param=f"{previous:%Y-%m}", next_param=f"{following:%Y-%m}", **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(CHANGE_PERMISSION):
            return permission_denied(request)
        child = self.child
        try:
            occurrence_id = int(request.POST.get("jour", ""))
        except ValueError:
            raise Http404 from None
        occurrence = agenda_selectors.occurrence_for_child(child=child, occurrence_id=occurrence_id)
        parsed = parse_month(request.POST.get("mois", ""))
        year, month = parsed or (occurrence.date.year, occurrence.date.month)
        reason = request.POST.get("motif", "")
        action = request.POST.get("action", "")
        day = f"le {format_day(occurrence.date)} ({occurrence.activity.name})"
        try:
            if action == "annuler":
                try:
                    reservation = agenda_selectors.reservation_for_child(child=child, occurrence_id=occurrence.pk)
                except Http404:
                    raise BookingError(f"{child.first_name} n'est pas inscrit(e) ce jour-là.", code="not_booked") \
                        from None
                agent_cancel(reservation=reservation, actor=request.user, reason=reason)
                done = f"Réservation annulée pour {child.first_name} {day}."
            elif action == "reserver":
                agent_book(child=child, occurrence=occurrence, actor=request.user, reason=reason)
                done = f"Réservation enregistrée pour {child.first_name} {day}."
            else:
                raise BookingError("Action inconnue : choisissez « Réserver » ou « Annuler ».", code="action")
        except BookingError as error:
            message = f"{child.first_name}, {day} : {error.message}"
            messages.error(request, message)
            context = self.get_context_data(year=year, month=month, errors={occurrence.pk: error.message},
                                            reasons={occurrence.pk: reason})
            return self.render_to_response(context, status=400)
        told = ("La famille est prévenue par courriel." if notification_emails_for(household_id=child.household_id)
                else "Aucun adulte du foyer ne souhaite être contacté par courriel : prévenez la famille.")
        messages.success(request, f"{done} {told}")
        url = reverse("reservations_admin:child", args=[child.pk]) + f"?mois={year}-{month:02d}"
        return redirect(f"{url}#jour-{occurrence.pk}")


class ReservationPatternView(_ReservationPermissionMixin, TitledPageMixin, WagtailAdminTemplateMixin, TemplateView):
    """A weekly pattern over a period booked for the family (e.g. set up at the counter for a
    family without Internet access): past deadlines are overridden, full or closed days are
    reported; one summary e-mail to the family."""

    template_name = "activities/admin/reservations_pattern.html"
    header_icon = "date"

    permission_required = CHANGE_PERMISSION

    def load_objects(self, request, **kwargs):
        self.child = selectors.child_for_staff(child_id=kwargs["child_id"])

    def get_page_title(self):
        return f"Semaine type pour {self.child.first_name} {self.child.last_name}"

    def parent_breadcrumbs(self):
        return [
            (reverse("reservations_admin:index"), INDEX_TITLE),
            (reverse("reservations_admin:child", args=[self.child.pk]),
             f"Réservations de {self.child.first_name} {self.child.last_name}"),
        ]

    def _form(self, data=None):
        children = list(self.child.household.children.order_by("birth_date", "first_name"))
        initial = {"children": [self.child.pk], "weekdays": [0, 1, 3, 4], "start": _today().strftime("%d/%m/%Y")}
        return AgentPatternForm(data, initial=None if data else initial,
                                activities=agenda_selectors.activities_for(child=self.child), children=children)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self._form())
        return super().get_context_data(child=self.child, **kwargs)

    def post(self, request, *args, **kwargs):
        form = self._form(request.POST)
        if not form.is_valid():
            messages.error(request, "La semaine type n'est pas enregistrée : corrigez les champs signalés.")
            return self.render_to_response(self.get_context_data(form=form), status=400)
        data = form.cleaned_data
        try:
            summary = agent_book_pattern(
                children=form.selected_children(), activity=data["activity"], weekdays=data["weekdays"],
                start=data["start"], end=data["end"], exceptions=data["exceptions"], actor=request.user,
                reason=data["reason"])
        except BookingError as error:
            form.add_error(None, error.message)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(request, f"{len(summary.booked)} journée(s) réservée(s) ; la famille est prévenue par "
                                  "courriel si elle le souhaite.")
        return self.render_to_response(self.get_context_data(form=self._form(), summary=summary,
                                                             activity=data["activity"]))


class ReservationAdminViewSet(PermissionViewSet):
    name = "reservations_admin"
    url_prefix = "espace-citoyen/reservations"
    icon = "date"
    menu_label = INDEX_TITLE
    add_to_admin_menu = False

    permission_required = VIEW_PERMISSION

    def get_urlpatterns(self):
        return [
            path("", ReservationIndexView.as_view(), name="index"),
            path("<int:child_id>/", ReservationChildView.as_view(), name="child"),
            path("<int:child_id>/semaine-type/", ReservationPatternView.as_view(), name="pattern"),
        ]
