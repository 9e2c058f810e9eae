"""Back office: "Démarches à traiter", the queue of each service, and one démarche with
its timeline and "Changer l'état". Agents see only the démarches of their services'
groups (core/services_map.py); superusers see all. Registered in the "Espace citoyen"
menu group by portal/wagtail_hooks.py."""

from functools import cached_property

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from espace_citoyen.core.backoffice import GuardedViewSet, TitledPageMixin

from .. import selectors, services
from ..forms import DemarcheAdminFilterForm, DemarcheStatusForm
from ..models import DemarcheKind


class _ServiceAgentRequiredMixin:
    """Staff of at least one service group (or superuser); others are sent away."""

    def dispatch(self, request, *args, **kwargs):
        self.services = selectors.staff_services(user=request.user)
        if not self.services:
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)


class DemarcheQueueView(_ServiceAgentRequiredMixin, TitledPageMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "demarches/admin/queue.html"
    page_title = _("Démarches à traiter")
    header_icon = "tasks"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        form = DemarcheAdminFilterForm(self.request.GET or None, services=self.services)
        filters = form.filters() if self.request.GET else {}
        queryset = selectors.demarche_queue(user=self.request.user, now=now, **filters)
        page = Paginator(queryset, self.paginate_by).get_page(self.request.GET.get("p"))
        page.object_list = selectors.queue_lines(page.object_list, now=now)
        other_params = self.request.GET.copy()
        other_params.pop("p", None)
        context.update(
            form=form,
            page_obj=page,
            extra_query=other_params.urlencode(),
            filtered=any(filters.values()) if filters else False,
            now=now,
        )
        return context


class DemarcheProcessView(_ServiceAgentRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "demarches/admin/detail.html"
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        self.pk = kwargs["pk"]
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def demarche(self):
        return selectors.demarche_for_staff(user=self.request.user, pk=self.pk)

    def get_page_title(self):
        return _("Démarche %(number)s") % {"number": self.demarche.number}

    def get_page_subtitle(self):
        return self.demarche.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("demarches_admin:index"), "label": _("Démarches à traiter")},
            {"url": "", "label": self.demarche.number},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        demarche = self.demarche
        is_account_creation = demarche.kind == DemarcheKind.ACCOUNT_CREATION
        form = kwargs.get("form")
        if form is None and demarche.allowed_next_statuses and not is_account_creation:
            form = DemarcheStatusForm(demarche=demarche)
        context.update(
            demarche=demarche,
            citizen=demarche.user,
            profile=getattr(demarche.user, "profile", None),
            events=selectors.demarche_timeline(demarche=demarche),
            documents=selectors.demarche_transmitted_documents(demarche=demarche),
            form=form,
            is_account_creation=is_account_creation,
            overdue=bool(demarche.due_at and demarche.is_open and demarche.due_at < timezone.now()),
        )
        return context

    def post(self, request, *args, **kwargs):
        demarche = self.demarche
        if demarche.kind == DemarcheKind.ACCOUNT_CREATION:
            messages.error(request, _("Une demande de création d'espace se traite depuis « Comptes à valider »."))
            return redirect("demarches_admin:detail", pk=demarche.pk)
        form = DemarcheStatusForm(request.POST, demarche=demarche)
        if not form.is_valid():
            messages.error(request, _("L'état n'a pas changé : corrigez le formulaire."))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            services.demarche_process(
                demarche=demarche, status=form.cleaned_data["status"], actor=request.user,
                comment=form.cleaned_data["comment"],
            )
        except PermissionDenied:
            return permission_denied(request)
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
            messages.error(request, _("L'état n'a pas changé : %(reason)s") % {"reason": exc.messages[0]})
            return self.render_to_response(self.get_context_data(form=form), status=400)
        demarche.refresh_from_db()
        messages.success(
            request,
            _("Démarche %(number)s passée à « %(status)s » : %(email)s est prévenu(e) par courriel.")
            % {"number": demarche.number, "status": demarche.get_status_display(), "email": demarche.user.email},
        )
        return redirect("demarches_admin:detail", pk=demarche.pk)


class DemarcheQueueViewSet(GuardedViewSet):
    name = "demarches_admin"
    url_prefix = "espace-citoyen/demarches"
    icon = "tasks"
    menu_label = _("Démarches à traiter")
    add_to_admin_menu = False

    def is_shown(self, request) -> bool:
        return bool(selectors.staff_services(user=request.user))

    def get_urlpatterns(self):
        return [
            path("", DemarcheQueueView.as_view(), name="index"),
            path("<int:pk>/", DemarcheProcessView.as_view(), name="detail"),
        ]
