"""Back office "Sécurité des comptes": town agents help a person stuck at login, without a
shell. "Débloquer la connexion" forgets the django-axes failures of the account;
"Réinitialiser la double authentification" removes the second factor of someone who lost
their phone and backup codes (identity checked by the agent, reason required). Registered
in the "Espace citoyen" menu group by portal/wagtail_hooks.py.

Who may act (selectors.account_security_may_act): agents with accounts.validate_account
(group "Relations population") on citizens' accounts; superusers on any account; nobody on
their own. Anyone else who may view sees the account read only."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from espace_citoyen.core.agents import is_agent_account
from espace_citoyen.core.backoffice import GuardedViewMixin, PermissionViewSet, TitledPageMixin

from .. import selectors, services

VIEW_PERMISSION = selectors.SECURITY_VIEW_PERMISSION
INDEX_URL_NAME = "accounts_security:index"
DETAIL_URL_NAME = "accounts_security:detail"


class _SecurityPermissionMixin(GuardedViewMixin):
    def may_use(self, request) -> bool:
        return selectors.account_security_may_view(actor=request.user)


def _account_rows(accounts, *, now) -> list[dict]:
    """What the listing and the detail page show of each account."""
    accounts = list(accounts)
    states = selectors.login_lock_states(emails=[account.email for account in accounts], now=now)
    return [
        {
            "account": account,
            "is_agent": account.is_staff or account.is_superuser or account.has_admin_access,
            "has_two_factor": account.has_totp or account.has_static,
            "lock": states.get(account.email, selectors.LoginLockState()),
        }
        for account in accounts
    ]


class AccountSecurityIndexView(_SecurityPermissionMixin, TitledPageMixin, WagtailAdminTemplateMixin, TemplateView):
    """Search by e-mail or name (every word must match); with no search, the accounts
    locked out at the moment."""

    template_name = "accounts/admin/security_index.html"
    page_title = _("Sécurité des comptes")
    header_icon = "lock"
    paginate_by = 25

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        query = " ".join(self.request.GET.get("q", "").split())
        if query:
            accounts = selectors.accounts_for_security_search(query=query)
        else:
            accounts = selectors.accounts_locked_out(now=now)
        page_obj = Paginator(accounts, self.paginate_by).get_page(self.request.GET.get("p"))
        other_params = self.request.GET.copy()
        other_params.pop("p", None)
        context.update(
            query=query,
            page_obj=page_obj,
            rows=_account_rows(page_obj.object_list, now=now),
            extra_query=other_params.urlencode(),
        )
        return context


class TwoFactorResetForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif (vérification d'identité effectuée)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Par exemple « Identité vérifiée au guichet, pièce d'identité présentée ». "
            "Le motif est conservé dans l'historique du compte ; il n'est pas envoyé à la personne."
        ),
        error_messages={
            "required": _("Indiquez le motif : comment l'identité de la personne a été vérifiée."),
            "max_length": _("Le motif ne doit pas dépasser 1000 caractères."),
        },
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(self.fields["reason"].error_messages["required"])
        return reason


class AccountSecurityDetailView(_SecurityPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    """One account: type, state, second factor, login failures, the last events and the two
    actions (POST, field "action": "unlock" or "reset_two_factor")."""

    template_name = "accounts/admin/security_detail.html"
    header_icon = "lock"

    def load_objects(self, request, **kwargs):
        self.account = get_object_or_404(get_user_model(), pk=kwargs["pk"])

    def get_page_title(self):
        return _("Sécurité du compte")

    def get_page_subtitle(self):
        return self.account.get_full_name() or self.account.email

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(INDEX_URL_NAME), "label": _("Sécurité des comptes")},
            {"url": "", "label": self.get_page_subtitle()},
        ]

    def _read_only_reason(self) -> str:
        user = self.request.user
        if user.pk == self.account.pk:
            return _(
                "C'est votre propre compte : vous ne pouvez pas le modifier ici. Pour votre double authentification, "
                "utilisez votre page « Sécurité » ; pour un blocage, demandez à un administrateur."
            )
        if not selectors.account_security_may_act(actor=user, user=self.account):
            return _(
                "Ce compte est celui d'un agent ou d'un administrateur : seul un administrateur (super-utilisateur) "
                "peut débloquer sa connexion ou réinitialiser sa double authentification."
            )
        return ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        account = selectors.accounts_for_security_search().get(pk=self.account.pk)
        row = _account_rows([account], now=timezone.now())[0]
        read_only_reason = self._read_only_reason()
        context.update(
            row,
            read_only_reason=read_only_reason,
            may_act=not read_only_reason,
            events=selectors.account_security_events(user=self.account, limit=10),
            reset_form=kwargs.get("reset_form") or TwoFactorResetForm(),
        )
        return context

    def _render_error(self, message, *, status=400, **kwargs):
        messages.error(self.request, message)
        return self.render_to_response(self.get_context_data(**kwargs), status=status)

    def post(self, request, *args, **kwargs):
        read_only_reason = self._read_only_reason()
        if read_only_reason:
            return self._render_error(read_only_reason, status=403)
        action = request.POST.get("action")
        if action == "unlock":
            return self._unlock()
        if action == "reset_two_factor":
            return self._reset_two_factor()
        return self._render_error(_("Action inconnue : rien n'a été modifié."))

    def _unlock(self):
        try:
            failures = services.account_login_unlock(user=self.account, actor=self.request.user)
        except PermissionDenied:
            return self._render_error(self._read_only_reason() or _("Action refusée."), status=403)
        except ValueError:
            return self._render_error(_("Aucun échec de connexion n'est enregistré pour ce compte : rien à débloquer."))
        messages.success(
            self.request,
            _("Connexion de %(email)s débloquée (%(count)s échec(s) effacé(s)) : la personne peut se reconnecter.")
            % {"email": self.account.email, "count": failures},
        )
        return redirect(DETAIL_URL_NAME, pk=self.account.pk)

    def _reset_two_factor(self):
        form = TwoFactorResetForm(self.request.POST)
        if not form.is_valid():
            return self._render_error(
                _("La double authentification n'a pas été réinitialisée : indiquez le motif."), reset_form=form,
            )
        try:
            services.account_two_factor_reset(
                user=self.account, actor=self.request.user, reason=form.cleaned_data["reason"],
            )
        except PermissionDenied:
            return self._render_error(self._read_only_reason() or _("Action refusée."), status=403, reset_form=form)
        except ValueError:
            return self._render_error(
                _("La double authentification n'est pas activée sur ce compte : rien à réinitialiser."), reset_form=form,
            )
        if is_agent_account(self.account):
            after = _("elle devra configurer une nouvelle application à sa prochaine connexion à l'administration")
        else:
            after = _("elle pourra la réactiver depuis sa page « Sécurité »")
        messages.success(
            self.request,
            _("Double authentification de %(email)s réinitialisée : la personne est prévenue par courriel ; %(after)s.")
            % {"email": self.account.email, "after": after},
        )
        return redirect(DETAIL_URL_NAME, pk=self.account.pk)


class AccountSecurityViewSet(PermissionViewSet):
    name = "accounts_security"
    url_prefix = "espace-citoyen/securite-des-comptes"
    icon = "lock"
    menu_label = _("Sécurité des comptes")
    permission_required = VIEW_PERMISSION  # superusers have every permission
    add_to_admin_menu = False

    def get_urlpatterns(self):
        return [
            path("", AccountSecurityIndexView.as_view(), name="index"),
            path("<int:pk>/", AccountSecurityDetailView.as_view(), name="detail"),
        ]
