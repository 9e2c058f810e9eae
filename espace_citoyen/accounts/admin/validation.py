"""Back office (Wagtail admin) of the accounts created with the sign-up wizard: the queue of
"Comptes à valider" of the Relations population and the review of one account."""

from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from espace_citoyen.core.backoffice import PermissionRequiredViewMixin, PermissionViewSet, TitledPageMixin
from espace_citoyen.core.storage import private_file_response
from espace_citoyen.demarches.models import DemarcheKind

from .. import selectors, services
from ..forms import AccountRefusalForm
from ..models import AccountStatus


class AccountListView(PermissionRequiredViewMixin, TitledPageMixin, WagtailAdminTemplateMixin, TemplateView):
    """A paginated, searchable list of accounts (`?q=` search, `?p=` page)."""

    paginate_by = 50

    def get_accounts(self, query: str):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()
        context["page_obj"] = Paginator(self.get_accounts(query), self.paginate_by).get_page(self.request.GET.get("p"))
        context["query"] = query
        other_params = self.request.GET.copy()
        other_params.pop("p", None)
        context["extra_query"] = other_params.urlencode()
        return context


# --- Accounts to validate ("Je n'ai pas d'espace" → Relations population) --------------

VALIDATE_PERMISSION = "accounts.validate_account"


class ValidationQueueView(AccountListView):
    """Accounts waiting for validation, the nearest deadline first; overdue ones say
    "En retard" (text, not only a colour). Search by name or address; "en retard" filter."""

    permission_required = VALIDATE_PERMISSION
    template_name = "accounts/admin/validation_queue.html"
    page_title = _("Comptes à valider")
    header_icon = "tasks"

    def get_accounts(self, query):
        self.now = timezone.now()
        self.overdue_only = self.request.GET.get("en_retard") == "1"
        return selectors.accounts_pending_validation(query=query, overdue_only=self.overdue_only, now=self.now)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        page.object_list = selectors.with_towns(page.object_list)
        context.update(overdue_only=self.overdue_only, now=self.now)
        return context


class AccountReviewView(PermissionRequiredViewMixin, WagtailAdminTemplateMixin, TemplateView):
    """One account: identity, contact details, photo and history; "Valider" or "Refuser"
    (with a reason) while it is pending. Each action goes through accounts.services, which
    records the agent, the time and the change."""

    permission_required = VALIDATE_PERMISSION
    template_name = "accounts/admin/validation_review.html"
    header_icon = "user"

    def load_objects(self, request, **kwargs):
        self.account = selectors.account_for_review(actor=request.user, pk=kwargs["pk"])

    def get_page_title(self):
        return _("Examiner une demande d'espace")

    def get_page_subtitle(self):
        return self.account.get_full_name() or self.account.email

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("accounts_validation:index"), "label": _("Comptes à valider")},
            {"url": "", "label": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        profile = getattr(self.account, "profile", None)
        context.update(
            account=self.account,
            profile=profile,
            overdue=bool(self.account.validation_due_at and self.account.validation_due_at < timezone.now()),
            is_pending=self.account.status == AccountStatus.PENDING,
            events=self.account.account_events.select_related("actor").order_by("created_at", "id"),
            demarches=self.account.demarches.filter(kind=DemarcheKind.ACCOUNT_CREATION).prefetch_related("events__actor"),
            refusal_form=kwargs.get("refusal_form") or AccountRefusalForm(),
        )
        return context

    def post(self, request, *args, **kwargs):
        if self.account.status != AccountStatus.PENDING:
            messages.error(request, _("Ce compte n'est plus en attente de validation."))
            return redirect("accounts_validation:review", pk=self.account.pk)
        action = request.POST.get("action")
        if action == "validate":
            try:
                services.account_validate(user=self.account, actor=request.user)
            except ValueError:  # decided meanwhile by another agent
                messages.error(request, _("Ce compte n'est plus en attente de validation."))
                return redirect("accounts_validation:review", pk=self.account.pk)
            messages.success(request, _("Espace de %(email)s validé : la personne est prévenue par courriel.")
                             % {"email": self.account.email})
            return redirect("accounts_validation:index")
        if action == "refuse":
            form = AccountRefusalForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Le refus n'est pas enregistré : indiquez le motif."))
                return self.render_to_response(self.get_context_data(refusal_form=form))
            try:
                services.account_refuse(user=self.account, actor=request.user, reason=form.cleaned_data["reason"])
            except ValueError:  # decided meanwhile by another agent
                messages.error(request, _("Ce compte n'est plus en attente de validation."))
                return redirect("accounts_validation:review", pk=self.account.pk)
            messages.success(request, _("Espace de %(email)s refusé : la personne reçoit le motif par courriel.")
                             % {"email": self.account.email})
            return redirect("accounts_validation:index")
        return redirect("accounts_validation:review", pk=self.account.pk)


def account_photo_view(request, pk):
    """The photo of an account, from the private storage, for agents who validate."""
    if not request.user.has_perm(VALIDATE_PERMISSION):
        return permission_denied(request)
    photo = selectors.account_photo_for(actor=request.user, pk=pk)
    return private_file_response(photo, content_type="image/jpeg")


class ValidationQueueViewSet(PermissionViewSet):
    name = "accounts_validation"
    url_prefix = "espace-citoyen/comptes-a-valider"
    icon = "tasks"
    menu_label = _("Comptes à valider")
    permission_required = VALIDATE_PERMISSION

    def get_urlpatterns(self):
        return [
            path("", ValidationQueueView.as_view(), name="index"),
            path("<int:pk>/", AccountReviewView.as_view(), name="review"),
            path("<int:pk>/photo/", account_photo_view, name="photo"),
        ]
