"""« Facturation mensuelle »: the Régie chooses a month, looks at the preview (households,
lines and total per activity, warnings), then launches the invoicing; both run in the
background (django-tasks) and a page follows the progress, then shows the report.
Permission billing.add_invoicingrun. URL names ``billing_runs:index`` and ``billing_runs:run``."""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from espace_citoyen.core.backoffice import PermissionRequiredViewMixin, PermissionViewSet, TitledPageMixin
from espace_citoyen.core.business_calendar import format_month

from ..forms import RunForm
from ..models import RunStatus
from ..selectors import staff as selectors
from ..services.queue import invoicing_run_enqueue
from ..services.runs import invoicing_runs_close_stalled, run_progress_key

RUN_PERMISSION = "billing.add_invoicingrun"
INDEX_TITLE = _("Facturation mensuelle")
WARNING_LABELS = {
    "no_quotient": "Foyers sans quotient familial valable : facturés au tarif maximal",
    "attendance_not_taken": "Jours dont la présence n'a pas été pointée : facturés comme réservés",
    "no_tariff": "Activités sans tarif complet : ces jours ne sont pas facturés",
    "unknown_address": "Foyers sans adresse connue : facturés au tarif de la commune",
    "no_adult": "Foyers sans adulte rattaché (personne ne recevra la facture)",
}


def _month_label(month: datetime.date) -> str:
    return format_month(month.year, month.month)


class _RunsMixin(PermissionRequiredViewMixin, TitledPageMixin, WagtailAdminTemplateMixin):
    permission_required = RUN_PERMISSION
    header_icon = "calendar-alt"


class RunIndexView(_RunsMixin, FormView):
    template_name = "billing/admin/run_index.html"
    form_class = RunForm
    page_title = INDEX_TITLE

    def get_context_data(self, **kwargs):
        invoicing_runs_close_stalled()
        return super().get_context_data(runs=selectors.runs_recent(), **kwargs)

    def form_valid(self, form):
        month = form.cleaned_data["month"]
        run = invoicing_run_enqueue(month=month, dry_run=True, actor=self.request.user)
        messages.success(self.request, f"Aperçu de {_month_label(month)} lancé : cette page suit son avancement.")
        return redirect("billing_runs:run", pk=run.pk)


class RunView(_RunsMixin, TemplateView):
    """One run: progress while it is queued or running (the page refreshes its status every
    3 seconds), then the report; a finished preview offers to launch the invoicing."""

    template_name = "billing/admin/run_detail.html"

    def load_objects(self, request, **kwargs):
        invoicing_runs_close_stalled()
        self.run = selectors.run_for_staff(run_id=kwargs["pk"])

    def get_page_title(self):
        label = _month_label(self.run.month)
        return f"Aperçu de la facturation de {label}" if self.run.dry_run else f"Facturation de {label}"

    def parent_breadcrumbs(self):
        return [(reverse("billing_runs:index"), INDEX_TITLE)]

    def get_context_data(self, **kwargs):
        run = self.run
        phase, done, total = cache.get(run_progress_key(run.pk)) or ("invoices", run.done_households,
                                                                        run.total_households)
        report = run.report if run.status == RunStatus.DONE else {}
        warnings = [(WARNING_LABELS.get(key, key), value) for key, value in report.get("warnings", {}).items()]
        return super().get_context_data(
            run=run, phase=phase, done=done, total=total, report=report, warnings=warnings,
            is_queued=run.status == RunStatus.QUEUED, is_failed=run.status == RunStatus.FAILED,
            month_label=_month_label(run.month),
            due_date=datetime.date.fromisoformat(report["due_date"]) if report.get("due_date") else None,
            can_launch=run.dry_run and run.status == RunStatus.DONE and report.get("households", 0) > 0,
            **kwargs)

    def post(self, request, *args, **kwargs):
        """Launch the real invoicing of a previewed month."""
        if not (self.run.dry_run and self.run.status == RunStatus.DONE):
            return redirect("billing_runs:run", pk=self.run.pk)
        run = invoicing_run_enqueue(month=self.run.month, dry_run=False, actor=request.user)
        messages.success(request, f"Facturation de {_month_label(run.month)} lancée : cette page suit son avancement.")
        return redirect("billing_runs:run", pk=run.pk)


class InvoicingRunViewSet(PermissionViewSet):
    name = "billing_runs"
    url_prefix = "espace-citoyen/facturation-mensuelle"
    icon = "calendar-alt"
    menu_label = INDEX_TITLE
    permission_required = RUN_PERMISSION

    def get_urlpatterns(self):
        return [
            path("", RunIndexView.as_view(), name="index"),
            path("<int:pk>/", RunView.as_view(), name="run"),
        ]
