"""Back office (Wagtail admin) of the former Portail Famille: the import upload form and
the "Comptes à activer" listing with "Vérifier l'adresse et renvoyer". Registered in the
"Espace citoyen" menu group by accounts/wagtail_hooks.py."""


import filetype
from django import forms
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from espace_citoyen.core.backoffice import PermissionRequiredViewMixin, PermissionViewSet

from .. import selectors, services
from ..models import AccountStatus, normalize_email_address

MAX_IMPORT_SIZE = 5 * 1024 * 1024  # 5 Mo
IMPORT_PERMISSION = "accounts.import_portail_famille"
SEND_ACTIVATION_PERMISSION = "accounts.send_activation"


# --- Import ------------------------------------------------------------------------------


class PortailFamilleImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV du Portail Famille"),
        help_text=_("CSV encodé en UTF-8, séparateur point-virgule, 5 Mo au plus (format décrit dans docs/legacy-import.md)."),
        error_messages={"required": _("Choisissez le fichier CSV à importer."), "empty": _("Le fichier envoyé est vide.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    dry_run = forms.BooleanField(
        label=_("Simulation"),
        required=False,
        initial=True,
        help_text=_("Cochée : montre ce qui changerait, sans rien enregistrer ni envoyer de courriel."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_SIZE:
            raise forms.ValidationError(_("Le fichier dépasse 5 Mo : découpez-le en plusieurs fichiers."))
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(_("Le fichier doit être au format CSV (extension .csv)."))
        data = upload.read()
        kind = filetype.guess(data[:8192])
        if kind is not None or b"\x00" in data[:8192]:
            raise forms.ValidationError(
                _("Ce fichier n'est pas un CSV texte (tableur ou fichier binaire ?). Enregistrez-le au format « CSV UTF-8 » avec le point-virgule comme séparateur.")
            )
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("Le fichier n'est pas encodé en UTF-8. Enregistrez-le au format « CSV UTF-8 ».")
            ) from None
        self.cleaned_data["data"] = data
        return upload


class PortailFamilleImportView(PermissionRequiredViewMixin, WagtailAdminTemplateMixin, FormView):
    """Upload form and the last runs. The import itself runs in the background
    (services.legacy_import_enqueue → tasks.run_legacy_import); the agent follows it on the
    run page (LegacyImportRunView)."""

    permission_required = IMPORT_PERMISSION
    form_class = PortailFamilleImportForm
    template_name = "accounts/admin/import_portail_famille.html"
    page_title = _("Importer le Portail Famille")
    header_icon = "upload"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        services.legacy_import_close_stalled()
        context = super().get_context_data(**kwargs)
        context["runs"] = [
            (run, *selectors.legacy_import_progress(run)) for run in selectors.legacy_import_runs(limit=10)
        ]
        return context

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        dry_run = form.cleaned_data["dry_run"]
        run = services.legacy_import_enqueue(
            data=form.cleaned_data["data"], filename=upload.name, actor=self.request.user, dry_run=dry_run,
        )
        if dry_run:
            message = _("Simulation lancée : %(filename)s. Cette page suit son avancement.")
        else:
            message = _("Import lancé : %(filename)s. Cette page suit son avancement.")
        messages.success(self.request, message % {"filename": run.original_filename})
        return redirect("portail_famille_import:run", pk=run.pk)


class LegacyImportRunView(PermissionRequiredViewMixin, WagtailAdminTemplateMixin, TemplateView):
    """One import run: progress while it is queued or running (the page refreshes its status
    every 3 seconds), then the report, or the error. Any agent with the import permission
    may follow any run."""

    permission_required = IMPORT_PERMISSION
    template_name = "accounts/admin/import_portail_famille_run.html"
    header_icon = "upload"

    def load_objects(self, request, **kwargs):
        services.legacy_import_close_stalled()
        self.run = selectors.legacy_import_run_get(pk=kwargs["pk"])
        if self.run is None:
            raise Http404

    def get_page_title(self):
        return _("Simulation d'import") if self.run.dry_run else _("Import du Portail Famille")

    def get_page_subtitle(self):
        return self.run.original_filename

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("portail_famille_import:index"), "label": _("Importer le Portail Famille")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        from ..legacy import ImportReport
        from ..models import LegacyImportStatus

        context = super().get_context_data(**kwargs)
        done, total = selectors.legacy_import_progress(self.run)
        context.update(
            run=self.run,
            done=done,
            total=total,
            is_queued=self.run.status == LegacyImportStatus.QUEUED,
            is_failed=self.run.status == LegacyImportStatus.FAILED,
            report=ImportReport.from_dict(self.run.report)
            if self.run.status == LegacyImportStatus.DONE else None,
        )
        return context


# --- Accounts to activate --------------------------------------------------------------


class _AccountListView(PermissionRequiredViewMixin, WagtailAdminTemplateMixin, TemplateView):
    """A paginated, searchable list of accounts (`?q=` search, `?p=` page)."""

    paginate_by = 50

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

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


class ToActivateListView(_AccountListView):
    permission_required = SEND_ACTIVATION_PERMISSION
    template_name = "accounts/admin/to_activate_list.html"
    page_title = _("Comptes à activer")
    header_icon = "mail"

    def get_accounts(self, query):
        return selectors.accounts_to_activate(query=query)


class ResendActivationForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail du compte"),
        help_text=_("Vérifiez-la avec la personne ; corrigez-la si besoin. Le courriel d'activation part à cette adresse."),
        error_messages={"required": _("Indiquez l'adresse e-mail."), "invalid": _("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.")},
    )

    def __init__(self, *args, account, **kwargs):
        self.account = account
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = normalize_email_address(self.cleaned_data["email"])
        if get_user_model().objects.filter(email__iexact=email).exclude(pk=self.account.pk).exists():
            raise forms.ValidationError(_("Cette adresse e-mail est déjà utilisée par un autre compte."))
        return email


class ResendActivationView(PermissionRequiredViewMixin, WagtailAdminTemplateMixin, FormView):
    permission_required = SEND_ACTIVATION_PERMISSION
    form_class = ResendActivationForm
    template_name = "accounts/admin/resend_activation.html"
    page_title = _("Vérifier l'adresse et renvoyer le courriel d'activation")
    header_icon = "mail"

    def load_objects(self, request, **kwargs):
        self.account = get_object_or_404(get_user_model(), pk=kwargs["pk"], status=AccountStatus.TO_ACTIVATE)

    def get_page_subtitle(self):
        return self.account.get_full_name() or self.account.email

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("accounts_to_activate:index"), "label": _("Comptes à activer")},
            {"url": "", "label": self.get_page_subtitle()},
        ]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "account": self.account}

    def get_initial(self):
        return {"email": self.account.email}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "account": self.account}

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        try:
            changed = services.activation_correct_email_and_resend(user=self.account, email=email, actor=self.request.user)
        except ValueError as exc:
            form.add_error("email", str(exc))
            return self.form_invalid(form)
        if changed:
            messages.success(self.request, _("Adresse corrigée et courriel d'activation envoyé à %(email)s.") % {"email": email})
        else:
            messages.success(self.request, _("Courriel d'activation renvoyé à %(email)s.") % {"email": email})
        return redirect("accounts_to_activate:index")


# --- Viewsets (menu items shown only with the permission) -------------------------------


class PortailFamilleImportViewSet(PermissionViewSet):
    name = "portail_famille_import"
    url_prefix = "espace-citoyen/import-portail-famille"
    icon = "upload"
    menu_label = _("Importer le Portail Famille")
    permission_required = IMPORT_PERMISSION

    def get_urlpatterns(self):
        return [
            path("", PortailFamilleImportView.as_view(), name="index"),
            path("<int:pk>/", LegacyImportRunView.as_view(), name="run"),
        ]


class ToActivateViewSet(PermissionViewSet):
    name = "accounts_to_activate"
    url_prefix = "espace-citoyen/comptes-a-activer"
    icon = "mail"
    menu_label = _("Comptes à activer")
    permission_required = SEND_ACTIVATION_PERMISSION

    def get_urlpatterns(self):
        return [
            path("", ToActivateListView.as_view(), name="index"),
            path("<int:pk>/renvoyer/", ResendActivationView.as_view(), name="resend"),
        ]



# --- Accounts to validate ("Je n'ai pas d'espace" → Relations population) --------------

VALIDATE_PERMISSION = "accounts.validate_account"


class ValidationQueueView(_AccountListView):
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
        self.account = get_object_or_404(
            get_user_model().objects.select_related("profile"), pk=kwargs["pk"],
            status__in=[AccountStatus.PENDING, AccountStatus.REFUSED, AccountStatus.ACTIVE],
        )

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
        from espace_citoyen.demarches.models import DemarcheKind

        from ..forms import AccountRefusalForm

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
        from ..forms import AccountRefusalForm

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
    from django.http import Http404

    from espace_citoyen.core.storage import private_file_response

    if not request.user.has_perm(VALIDATE_PERMISSION):
        return permission_denied(request)
    account = get_object_or_404(get_user_model().objects.select_related("profile"), pk=pk)
    profile = getattr(account, "profile", None)
    if profile is None or not profile.photo:
        raise Http404
    return private_file_response(profile.photo, content_type="image/jpeg")


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
