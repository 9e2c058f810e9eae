"""Back office of "Familles à rapprocher" (group Relations population): the family lines of the
Portail Famille whose parent already had an account, and the page where an agent compares
one with that account and its household, then attaches it, imports it apart or rejects it –
and may validate the account if it still waits for validation."""

from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from espace_citoyen.accounts import services as account_services
from espace_citoyen.accounts.models import AccountStatus
from espace_citoyen.core.backoffice import PermissionRequiredViewMixin, PermissionViewSet, TitledPageMixin

from .. import selectors
from ..forms import ReconciliationRejectForm, ReconciliationSeparateForm
from ..models import ReconciliationStatus
from ..services import reconciliation as services

# The agents who import the Portail Famille decide for the lines the import could not place.
RECONCILIATION_PERMISSION = "accounts.import_portail_famille"
VALIDATE_PERMISSION = "accounts.validate_account"


class ReconciliationListView(PermissionRequiredViewMixin, TitledPageMixin, WagtailAdminTemplateMixin, TemplateView):
    """The lines waiting for a decision, the oldest first (`?etat=traitees`: those decided,
    the latest first); `?q=` famille id, names or address."""

    permission_required = RECONCILIATION_PERMISSION
    template_name = "portail_famille/admin/reconciliation_list.html"
    page_title = _("Familles à rapprocher")
    header_icon = "link"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        decided = self.request.GET.get("etat") == "traitees"
        query = self.request.GET.get("q", "").strip()
        queryset = selectors.reconciliations_for_staff(
            user=self.request.user, status="" if decided else ReconciliationStatus.PENDING, query=query)
        if decided:
            queryset = queryset.exclude(status=ReconciliationStatus.PENDING)
        params = self.request.GET.copy()
        params.pop("p", None)
        context.update(
            page_obj=Paginator(queryset, self.paginate_by).get_page(self.request.GET.get("p")),
            decided=decided, query=query, extra_query=params.urlencode(),
            pending_count=selectors.reconciliations_pending_count(user=self.request.user),
        )
        return context


class ReconciliationDetailView(PermissionRequiredViewMixin, TitledPageMixin, WagtailAdminTemplateMixin, TemplateView):
    """One line side by side with the account it matched and that account's household; the
    decision forms while it is pending, else what was decided. Every decision goes through
    services.reconciliation (history, e-mail)."""

    permission_required = RECONCILIATION_PERMISSION
    template_name = "portail_famille/admin/reconciliation_detail.html"
    header_icon = "link"

    def load_objects(self, request, **kwargs):
        self.reconciliation = selectors.reconciliation_for_staff(user=request.user, pk=kwargs["pk"])

    def get_page_title(self):
        return _("Famille %(legacy_id)s du Portail Famille") % {"legacy_id": self.reconciliation.legacy_id}

    def get_page_subtitle(self):
        return self.reconciliation.label

    def parent_breadcrumbs(self):
        return [(reverse("portail_famille_reconciliation:index"), ReconciliationListView.page_title)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reconciliation = self.reconciliation
        account = reconciliation.account
        context.update(selectors.reconciliation_comparison(reconciliation))
        context.update(
            reconciliation=reconciliation,
            can_validate=bool(account and account.status == AccountStatus.PENDING
                              and self.request.user.has_perm(VALIDATE_PERMISSION)),
            events=account.account_events.select_related("actor").order_by("-created_at", "-id") if account else [],
            separate_form=kwargs.get("separate_form") or ReconciliationSeparateForm(),
            reject_form=kwargs.get("reject_form") or ReconciliationRejectForm(),
            outcome_lines=[line for line in reconciliation.outcome.splitlines() if line],
        )
        return context

    def post(self, request, *args, **kwargs):
        reconciliation = self.reconciliation
        action = request.POST.get("action")
        if action == "validate":
            return self._validate(request)
        if not reconciliation.is_pending:
            messages.error(request, services.ALREADY_DECIDED)
            return redirect("portail_famille_reconciliation:detail", pk=reconciliation.pk)
        try:
            if action == "attach":
                services.reconciliation_attach(reconciliation=reconciliation, actor=request.user)
                message = _("Famille %(legacy_id)s rattachée au foyer de %(email)s : le parent est prévenu par courriel.")
            elif action == "separate":
                form = ReconciliationSeparateForm(request.POST)
                if not form.is_valid():
                    messages.error(request, _("La famille n'est pas importée : corrigez l'adresse e-mail."))
                    return self.render_to_response(self.get_context_data(separate_form=form))
                services.reconciliation_import_separately(
                    reconciliation=reconciliation, actor=request.user, email=form.cleaned_data["email"])
                message = _("Famille %(legacy_id)s importée dans un foyer à part ; %(email)s est prévenu par courriel.")
            elif action == "reject":
                form = ReconciliationRejectForm(request.POST)
                if not form.is_valid():
                    messages.error(request, _("La famille n'est pas écartée : indiquez le motif."))
                    return self.render_to_response(self.get_context_data(reject_form=form))
                services.reconciliation_reject(
                    reconciliation=reconciliation, actor=request.user, reason=form.cleaned_data["reason"])
                message = _("Famille %(legacy_id)s écartée : %(email)s reçoit le motif par courriel.")
            else:
                return redirect("portail_famille_reconciliation:detail", pk=reconciliation.pk)
        except ValueError as exc:
            messages.error(request, str(exc))
            return redirect("portail_famille_reconciliation:detail", pk=reconciliation.pk)
        email = reconciliation.account.email if reconciliation.account else "–"
        messages.success(request, message % {"legacy_id": reconciliation.legacy_id, "email": email})
        return redirect("portail_famille_reconciliation:detail", pk=reconciliation.pk)

    def _validate(self, request):
        """A pending account found in the legacy file is a known family: validate it here."""
        account = self.reconciliation.account
        if not request.user.has_perm(VALIDATE_PERMISSION):
            messages.error(request, _("Vous n'avez pas le droit de valider les comptes."))
        elif account is None or account.status != AccountStatus.PENDING:
            messages.error(request, _("Ce compte n'est plus en attente de validation."))
        else:
            try:
                account_services.account_validate(user=account, actor=request.user)
            except ValueError:  # decided meanwhile by another agent
                messages.error(request, _("Ce compte n'est plus en attente de validation."))
            else:
                messages.success(request, _("Espace de %(email)s validé : la personne est prévenue par courriel.")
                                 % {"email": account.email})
        return redirect("portail_famille_reconciliation:detail", pk=self.reconciliation.pk)


class ReconciliationViewSet(PermissionViewSet):
    name = "portail_famille_reconciliation"
    url_prefix = "espace-citoyen/familles-a-rapprocher"
    icon = "link"
    menu_label = _("Familles à rapprocher")
    permission_required = RECONCILIATION_PERMISSION

    def get_urlpatterns(self):
        return [
            path("", ReconciliationListView.as_view(), name="index"),
            path("<int:pk>/", ReconciliationDetailView.as_view(), name="detail"),
        ]
