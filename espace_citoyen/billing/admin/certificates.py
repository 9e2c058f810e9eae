"""« Attestations de frais de garde »: a Régie agent finds a household (a parent's or a
child's name, an e-mail, or from the household's quotient page), chooses a year that is
over and downloads the household's certificate, the very PDF the family downloads from its
space (selectors/certificates.py says what is certified). Permission billing.view_invoice.
URL names ``billing_childcare_certificates:…``."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from espace_citoyen.core.backoffice import PermissionRequiredViewMixin, PermissionViewSet, TitledPageMixin
from espace_citoyen.family.models import Household

from ..selectors import certificates as selectors
from ..services.documents import childcare_certificate_pdf

VIEW_PERMISSION = "billing.view_invoice"
INDEX_TITLE = _("Attestations de frais de garde")
PER_PAGE = 30
FIRST_YEAR = 2020


def _years() -> list[int]:
    return list(range(selectors.last_certifiable_year(), FIRST_YEAR - 1, -1))


class _CertificatesMixin(PermissionRequiredViewMixin, TitledPageMixin, WagtailAdminTemplateMixin):
    permission_required = VIEW_PERMISSION
    header_icon = "doc-full"


class CertificateIndexView(_CertificatesMixin, TemplateView):
    template_name = "billing/admin/childcare_certificates.html"
    page_title = INDEX_TITLE

    def get_context_data(self, **kwargs):
        params = self.request.GET
        query = params.get("q", "").strip()[:100]
        years = _years()
        year_text = params.get("annee", "")
        year = int(year_text) if year_text.isdigit() and int(year_text) in years else years[0]
        error = ""
        if year_text and str(year) != year_text:
            error = (f"L'attestation d'une année n'est établie qu'une fois l'année terminée : choisissez une année "
                     f"de {years[-1]} à {years[0]}.")
        household_text = params.get("foyer", "")
        household_id = int(household_text) if household_text.isdigit() and len(household_text) < 10 else None
        page = Paginator(selectors.childcare_households(query=query, household_id=household_id),
                         PER_PAGE).get_page(params.get("p"))
        totals = selectors.childcare_totals(household_ids=[h.pk for h in page.object_list], year=year)
        for household in page.object_list:
            household.certified_cents = totals.get(household.pk, 0)
        searched = bool(query or household_id)
        extra = {key: value for key, value in (("q", query), ("foyer", household_id or ""), ("annee", year)) if value}
        return super().get_context_data(page_obj=page, query=query, year=year, years=years, searched=searched,
                                         household_id=household_id, error=error, extra_query=urlencode(extra),
                                         **kwargs)


class CertificatePdfView(_CertificatesMixin, TemplateView):
    def load_objects(self, request, **kwargs):
        self.household = get_object_or_404(Household, pk=kwargs["pk"])
        self.year = kwargs["year"]

    def get(self, request, *args, **kwargs):
        if self.year > selectors.last_certifiable_year():
            raise Http404("Année non terminée.")
        certificate = selectors.childcare_certificate(household=self.household, year=self.year)
        if certificate is None:
            raise Http404("Rien à attester.")
        response = HttpResponse(childcare_certificate_pdf(certificates=[certificate]), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="attestation-frais-de-garde-{self.year}-foyer-{self.household.pk}.pdf"')
        return response


class ChildcareCertificateViewSet(PermissionViewSet):
    name = "billing_childcare_certificates"
    url_prefix = "espace-citoyen/attestations-frais-de-garde"
    icon = "doc-full"
    menu_label = INDEX_TITLE
    permission_required = VIEW_PERMISSION

    def get_urlpatterns(self):
        return [
            path("", CertificateIndexView.as_view(), name="index"),
            path("foyers/<int:pk>/<int:year>/pdf/", CertificatePdfView.as_view(), name="pdf"),
        ]

