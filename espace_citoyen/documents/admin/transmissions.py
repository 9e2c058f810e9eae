"""Back office of transmitted documents: the agents of a service see the transmissions
addressed to their service and open the documents; nobody else does (see
core/services_map.py). Registered in the "Espace citoyen" menu group
(portal/wagtail_hooks.py); URL names `documents_admin:transmission_list` and
`documents_admin:transmission_document` (args: démarche pk, document pk)."""

from django.core.paginator import Paginator
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from espace_citoyen.core.backoffice import GuardedViewSet, TitledPageMixin

from espace_citoyen.core.services_map import TownService, services_visible_to

from .. import selectors
from ..views import _serve


class TransmissionListView(TitledPageMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "documents/admin/transmission_list.html"
    page_title = _("Documents transmis")
    header_icon = "doc-full"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if not services_visible_to(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queryset = selectors.transmissions_for_staff(user=self.request.user)
        services = services_visible_to(self.request.user)
        service = self.request.GET.get("service", "")
        if service in services:
            queryset = queryset.filter(service=service)
        context["page_obj"] = Paginator(queryset, self.paginate_by).get_page(self.request.GET.get("p"))
        context["services"] = [(code, TownService(code).label) for code in services]
        context["current_service"] = service
        context["extra_query"] = f"service={service}" if service in services else ""
        return context


def transmission_document(request, demarche_pk: int, doc_pk: int):
    """A transmitted document, inline (PDF and images open in the browser), for the agents
    of the transmission's service only; 404 for everyone else."""
    document = selectors.transmitted_document_for_staff(user=request.user, demarche_id=demarche_pk, document_id=doc_pk)
    inline = request.GET.get("telecharger") is None
    response = _serve(document, inline=inline)
    if inline:
        response["X-Frame-Options"] = "SAMEORIGIN"
    return response


class TransmissionViewSet(GuardedViewSet):
    name = "documents_admin"
    url_prefix = "espace-citoyen/transmissions"
    icon = "doc-full"
    menu_label = _("Documents transmis")
    add_to_admin_menu = False

    def is_shown(self, request) -> bool:
        return bool(services_visible_to(request.user))

    def get_urlpatterns(self):
        return [
            path("", TransmissionListView.as_view(), name="transmission_list"),
            path("<int:demarche_pk>/documents/<int:doc_pk>/", transmission_document, name="transmission_document"),
        ]
