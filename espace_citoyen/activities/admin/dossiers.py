"""Back office of the registration dossiers for the Pôle scolaire (and superusers): list
with filters and a review page (validate, refuse with a reason, ask for completion with a
comment). Registered in the "Espace citoyen" menu group (portal/wagtail_hooks.py); URL
names `dossiers_admin:list`, `dossiers_admin:review` (pk), `dossiers_admin:document` (pk, doc pk)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from espace_citoyen.core.backoffice import GuardedViewMixin, GuardedViewSet, TitledPageMixin
from espace_citoyen.documents.views import _serve
from espace_citoyen.family.models import Child

from ..models import DossierStatus, SchoolYear
from ..selectors import dossiers as selectors
from ..services.dossiers import dossier_set_status

DECISIONS = {
    "validate": DossierStatus.VALIDATED,
    "refuse": DossierStatus.REFUSED,
    "to_complete": DossierStatus.TO_COMPLETE,
}


class _ScolaireOnly(GuardedViewMixin):
    def may_use(self, request) -> bool:
        return selectors.staff_can_review(request.user)


class DossierListView(_ScolaireOnly, TitledPageMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "activities/admin/dossier_list.html"
    page_title = _("Dossiers d'inscription")
    header_icon = "form"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filters = {key: self.request.GET.get(key, "").strip() for key in ("year", "status", "school", "q")}
        queryset = selectors.dossiers_for_staff(user=self.request.user, **filters)
        context["page_obj"] = Paginator(queryset, self.paginate_by).get_page(self.request.GET.get("p"))
        context["filters"] = filters
        context["years"] = SchoolYear.objects.values_list("label", flat=True)
        context["statuses"] = [(v, lbl) for v, lbl in DossierStatus.choices if v != DossierStatus.DRAFT]

        context["schools"] = (Child.objects.exclude(school="").values_list("school", flat=True)
                              .distinct().order_by("school"))
        context["extra_query"] = urlencode({key: value for key, value in filters.items() if value})
        return context


class DossierReviewView(_ScolaireOnly, TitledPageMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "activities/admin/dossier_review.html"
    header_icon = "form"

    def get_page_title(self):
        return f"Dossier {self.dossier.school_year.label} – {self.dossier.child}"

    def parent_breadcrumbs(self):
        return [(reverse("dossiers_admin:list"), DossierListView.page_title)]

    def load_objects(self, request, **kwargs):
        self.dossier = selectors.dossier_for_staff(user=request.user, dossier_id=kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dossier = self.dossier
        context["dossier"] = dossier
        context["child"] = dossier.child
        context["progress"] = selectors.dossier_progress(dossier=dossier, child=dossier.child)
        context["required_documents"] = selectors.required_documents(activities=dossier.activities.all())
        context["can_decide"] = dossier.status in (DossierStatus.SUBMITTED, DossierStatus.VALIDATED)
        context["comment"] = kwargs.get("comment", "")
        context["error"] = kwargs.get("error", "")
        return context

    def post(self, request, *args, **kwargs):
        status = DECISIONS.get(request.POST.get("decision", ""))
        comment = request.POST.get("comment", "")
        if status is None:
            return self.render_to_response(self.get_context_data(error="Choisissez une décision.", comment=comment))
        try:
            dossier_set_status(dossier=self.dossier, status=status, actor=request.user, comment=comment)
        except ValidationError as error:
            return self.render_to_response(self.get_context_data(error=" ".join(error.messages), comment=comment))
        messages.success(request, f"Le dossier de {self.dossier.child} est maintenant « {status.label} » ; "
                                  "les parents sont prévenus par courriel.")
        return redirect("dossiers_admin:list")


def dossier_document(request, pk: int, doc_pk: int):
    """A document attached to a dossier, for the Pôle scolaire only (404 for anyone else)."""

    dossier = selectors.dossier_for_staff(user=request.user, dossier_id=pk)
    document = dossier.documents.filter(pk=doc_pk).first()
    if document is None:
        raise Http404
    response = _serve(document, inline=True)
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


class DossierViewSet(GuardedViewSet):
    name = "dossiers_admin"
    url_prefix = "espace-citoyen/dossiers-inscription"
    icon = "form"
    menu_label = _("Dossiers d'inscription")
    add_to_admin_menu = False

    def is_shown(self, request) -> bool:
        return selectors.staff_can_review(request.user)

    def get_urlpatterns(self):
        return [
            path("", DossierListView.as_view(), name="list"),
            path("<int:pk>/", DossierReviewView.as_view(), name="review"),
            path("<int:pk>/documents/<int:doc_pk>/", dossier_document, name="document"),
        ]
