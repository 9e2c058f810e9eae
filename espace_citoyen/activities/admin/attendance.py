"""Back office: attendance sheets ("Pointage des présences") of the Pôle scolaire — per
activity and day, the booked children with health notes and pick-up persons, printable
and exportable as CSV; mark present / absent / absent with a medical certificate.
Permission: activities.view_attendance to read, activities.change_attendance to mark."""

import csv
from datetime import date as date_cls

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from espace_citoyen.core.backoffice import PermissionRequiredViewMixin, PermissionViewSet, TitledPageMixin

from espace_citoyen.core.csv_safe import safe_row

from .forms import AttendanceFilterForm, AttendanceMarkForm
from ..models import Reservation, ReservationStatus
from ..selectors.attendance import (
    absence_of,
    attendance_of,
    attendance_sheet,
    household_medical_certificates,
    medical_certificates_by_household,
    occurrences_for_attendance,
)
from ..services.attendance import attendance_mark

VIEW_PERMISSION = "activities.view_attendance"
CHANGE_PERMISSION = "activities.change_attendance"


class _AttendancePermissionMixin(PermissionRequiredViewMixin):
    permission_required = VIEW_PERMISSION


class AttendanceIndexView(_AttendancePermissionMixin, TitledPageMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "activities/admin/attendance_index.html"
    page_title = _("Pointage des présences")
    header_icon = "tick"

    def get_context_data(self, **kwargs):
        data = self.request.GET.copy()
        if not data.get("date"):
            data["date"] = date_cls.today().isoformat()
        form = AttendanceFilterForm(data)
        occurrences = occurrences_for_attendance()
        if form.is_valid():
            if form.cleaned_data["activity"]:
                occurrences = occurrences.filter(activity=form.cleaned_data["activity"])
            if form.cleaned_data["date"]:
                occurrences = occurrences.filter(date=form.cleaned_data["date"])
        else:
            occurrences = occurrences.none()
        page = Paginator(occurrences.order_by("date", "activity__name"), 50).get_page(self.request.GET.get("p"))
        return super().get_context_data(form=form, page=page, **kwargs)


def _rows(occurrence):
    rows = []
    for reservation in attendance_sheet(occurrence):
        child = reservation.child
        attendance = attendance_of(reservation)
        rows.append({"reservation": reservation, "child": child, "attendance": attendance,
                     "absence": absence_of(reservation), "pickup": list(child.authorized_persons.all())})
    return rows


class AttendanceSheetView(_AttendancePermissionMixin, TitledPageMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "activities/admin/attendance_sheet.html"
    page_title = _("Feuille de présence")
    header_icon = "tick"

    def parent_breadcrumbs(self):
        return [(reverse("activities_attendance:index"), AttendanceIndexView.page_title)]

    def load_objects(self, request, **kwargs):
        self.occurrence = get_object_or_404(occurrences_for_attendance(), pk=kwargs["pk"])

    def get_page_subtitle(self):
        return str(self.occurrence)

    def get_context_data(self, **kwargs):
        rows = _rows(self.occurrence)
        errors = kwargs.pop("errors", {})
        certificates = medical_certificates_by_household(row["child"].household_id for row in rows)
        for row in rows:
            row["certificates"] = certificates.get(row["child"].household_id, [])
            row["error"] = errors.get(row["reservation"].pk)
        return super().get_context_data(occurrence=self.occurrence, rows=rows,
                                        can_mark=self.request.user.has_perm(CHANGE_PERMISSION), **kwargs)

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(CHANGE_PERMISSION):
            return permission_denied(request)
        try:
            reservation_id = int(request.POST.get("reservation", ""))
        except ValueError:
            raise Http404 from None
        reservation = get_object_or_404(Reservation.objects.select_related("child"), occurrence=self.occurrence,
                                        status=ReservationStatus.BOOKED, pk=reservation_id)
        form = AttendanceMarkForm(request.POST, certificates=household_medical_certificates(reservation.child))
        error = None
        if form.is_valid():
            try:
                attendance_mark(reservation=reservation, status=form.cleaned_data["status"], actor=request.user,
                                justification=form.cleaned_data["justification"])
            except ValidationError as exc:
                error = exc.messages[0]
        else:
            error = " ".join(message for messages_ in form.errors.values() for message in messages_)
        if error:
            messages.error(request, f"{reservation.child} : {error}")
            return self.render_to_response(self.get_context_data(errors={reservation.pk: error}), status=400)
        messages.success(request, f"Présence de {reservation.child} enregistrée.")
        return redirect(reverse("activities_attendance:sheet", args=[self.occurrence.pk]) + f"#r{reservation.pk}")


def _absence_text(absence) -> str:
    if absence is None:
        return ""
    text = f"{absence.get_reason_display()} (signalée le {absence.reported_at:%d/%m/%Y %H:%M})"
    if absence.details:
        text += f" : {absence.details}"
    return text + (" – certificat médical transmis" if absence.certificate_id else "")


def attendance_csv(request, pk):
    if not request.user.has_perm(VIEW_PERMISSION):
        return permission_denied(request)
    occurrence = get_object_or_404(occurrences_for_attendance(), pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"presences-{occurrence.activity.pk}-{occurrence.date:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    # Parents type these cells (names, health notes, pick-up persons): no formula may reach Excel.
    writer.writerow(safe_row(["Activité", "Date", "Nom", "Prénom", "Classe", "Allergies", "PAI", "Détails du PAI",
                              "Médecin", "Téléphone du médecin", "Personnes autorisées", "Présence", "Absence signalée"]))
    for row in _rows(occurrence):
        child, attendance = row["child"], row["attendance"]
        writer.writerow(safe_row([
            occurrence.activity.name, f"{occurrence.date:%d/%m/%Y}", child.last_name, child.first_name,
            child.school_class, child.allergies, "oui" if child.has_pai else "non", child.pai_details,
            child.doctor_name, child.doctor_phone,
            " | ".join(f"{p.name} ({p.relationship}) {p.phone}" for p in row["pickup"]),
            attendance.get_status_display() if attendance else "",
            _absence_text(row["absence"]),
        ]))
    return response


class AttendanceViewSet(PermissionViewSet):
    name = "activities_attendance"
    url_prefix = "espace-citoyen/presences"
    icon = "tick"
    menu_label = _("Pointage des présences")
    add_to_admin_menu = False

    permission_required = VIEW_PERMISSION

    def get_urlpatterns(self):
        return [
            path("", AttendanceIndexView.as_view(), name="index"),
            path("<int:pk>/", AttendanceSheetView.as_view(), name="sheet"),
            path("<int:pk>/csv/", attendance_csv, name="csv"),
        ]
