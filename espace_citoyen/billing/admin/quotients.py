"""« Quotients familiaux »: a Régie agent finds a household (households with a transmission
to the Régie still open are listed first), opens the certificate the family transmitted from
its vault and records the quotient for a school year; every change stays in the household's
history (who, when, from which document). Permissions billing.view_householdquotient to read,
billing.add_householdquotient to record. URL names ``billing_quotients:…``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from espace_citoyen.core.backoffice import PermissionRequiredViewMixin, PermissionViewSet, TitledPageMixin

from ..forms import QuotientForm
from ..selectors import staff as selectors
from ..services.pricing import quotient_set

VIEW_PERMISSION = "billing.view_householdquotient"
ADD_PERMISSION = "billing.add_householdquotient"
INDEX_TITLE = _("Quotients familiaux")
PER_PAGE = 30


class _QuotientsMixin(PermissionRequiredViewMixin, TitledPageMixin, WagtailAdminTemplateMixin):
    permission_required = VIEW_PERMISSION
    header_icon = "group"


class QuotientListView(_QuotientsMixin, TemplateView):
    template_name = "billing/admin/quotient_list.html"
    page_title = INDEX_TITLE

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "").strip()
        page = Paginator(selectors.households_for_quotients(query=query), PER_PAGE).get_page(self.request.GET.get("p"))
        for household in page.object_list:
            latest = {}
            for row in household.quotients.all():
                latest.setdefault(row.school_year_id, row)
            household.current_quotients = list(latest.values())
        return super().get_context_data(page_obj=page, query=query,
                                        extra_query=urlencode({"q": query}) if query else "", **kwargs)


class QuotientHouseholdView(_QuotientsMixin, TemplateView):
    template_name = "billing/admin/quotient_household.html"

    def load_objects(self, request, **kwargs):
        self.household = selectors.household_for_quotients(household_id=kwargs["pk"])

    def get_page_title(self):
        return f"Quotient familial – foyer n° {self.household.pk}"

    def parent_breadcrumbs(self):
        return [(reverse("billing_quotients:index"), INDEX_TITLE)]

    def _certificates(self):
        return selectors.regie_certificates_for(household=self.household)

    def get_context_data(self, form=None, **kwargs):
        certificates = self._certificates()
        can_add = self.request.user.has_perm(ADD_PERMISSION)
        if can_add and form is None:
            form = QuotientForm(certificates=certificates)
        return super().get_context_data(
            household=self.household, adults=[m.user for m in self.household.memberships.all()],
            children=list(self.household.children.all()), history=selectors.household_quotient_history(
                household=self.household), certificates=certificates, form=form if can_add else None, **kwargs)

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(ADD_PERMISSION):
            return permission_denied(request)
        form = QuotientForm(request.POST, certificates=self._certificates())
        if form.is_valid():
            document, demarche = form.document_and_demarche()
            try:
                row = quotient_set(household=self.household, school_year=form.cleaned_data["school_year"],
                                   quotient=form.cleaned_data["quotient"], document=document, demarche=demarche,
                                   note=form.cleaned_data["note"], actor=request.user)
            except ValidationError as error:
                form.add_error("quotient", error)
            else:
                messages.success(request, f"Quotient familial de {row.quotient} € enregistré pour "
                                          f"{row.school_year} : il s'applique aux prochaines factures.")
                return redirect("billing_quotients:household", pk=self.household.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class QuotientViewSet(PermissionViewSet):
    name = "billing_quotients"
    url_prefix = "espace-citoyen/quotients-familiaux"
    icon = "group"
    menu_label = INDEX_TITLE
    permission_required = VIEW_PERMISSION

    def get_urlpatterns(self):
        return [
            path("", QuotientListView.as_view(), name="index"),
            path("foyers/<int:pk>/", QuotientHouseholdView.as_view(), name="household"),
        ]
