"""Back office of the accounts imported from the Portail Famille that are still "à activer":
the list, and "Vérifier l'adresse et renvoyer" the activation e-mail."""

from django import forms
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from espace_citoyen.accounts import selectors as account_selectors
from espace_citoyen.accounts import services as account_services
from espace_citoyen.accounts.admin.validation import AccountListView
from espace_citoyen.accounts.models import AccountStatus, normalize_email_address
from espace_citoyen.core.backoffice import PermissionRequiredViewMixin, PermissionViewSet

SEND_ACTIVATION_PERMISSION = "accounts.send_activation"


class ToActivateListView(AccountListView):
    permission_required = SEND_ACTIVATION_PERMISSION
    template_name = "portail_famille/admin/to_activate_list.html"
    page_title = _("Comptes à activer")
    header_icon = "mail"

    def get_accounts(self, query):
        return account_selectors.accounts_to_activate(query=query)


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
    template_name = "portail_famille/admin/resend_activation.html"
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
            changed = account_services.activation_correct_email_and_resend(user=self.account, email=email, actor=self.request.user)
        except ValueError as exc:
            form.add_error("email", str(exc))
            return self.form_invalid(form)
        if changed:
            messages.success(self.request, _("Adresse corrigée et courriel d'activation envoyé à %(email)s.") % {"email": email})
        else:
            messages.success(self.request, _("Courriel d'activation renvoyé à %(email)s.") % {"email": email})
        return redirect("accounts_to_activate:index")


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
