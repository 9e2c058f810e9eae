"""Log in, log out and password views of the citizen space: Django's auth views with
French templates; writes go through accounts.services."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic.edit import FormView

from . import services
from .forms import ChangePasswordForm, LoginForm, NewPasswordForm, PasswordResetRequestForm
from .models import normalize_email_address

logger = logging.getLogger("espace_citoyen.accounts")

TOWN_HALL_PHONE = services.TOWN_HALL_PHONE


def reset_link_hours() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)


class LoginView(auth_views.LoginView):
    """E-mail + password. Throttled by django-axes (AxesStandaloneBackend + middleware);
    `next` is followed only when it stays on this site (Django's
    url_has_allowed_host_and_scheme), otherwise the dashboard."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse("portal:dashboard")


class LogoutView(auth_views.LogoutView):
    """Logs out on POST only (the session is flushed); a GET shows a confirmation button."""

    http_method_names = ["get", "post", "options"]
    next_page = reverse_lazy("accounts:login")

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect("accounts:login")
        return render(request, "accounts/logout_confirm.html")

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("Vous êtes déconnecté de votre espace citoyen."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Always the same answer, whether or not an account uses the address."""

    form_class = PasswordResetRequestForm
    template_name = "accounts/password_reset_form.html"
    subject_template_name = "accounts/emails/password_reset_subject.txt"
    email_template_name = "accounts/emails/password_reset_body.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self):
        return {"phone": TOWN_HALL_PHONE, "timeout_hours": reset_link_hours()}

    def form_valid(self, form):
        logger.info("password reset requested email=%s", normalize_email_address(form.cleaned_data["email"]))
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(timeout_hours=reset_link_hours(), **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Link from the e-mail: single use (the token depends on the password hash), expires
    after PASSWORD_RESET_TIMEOUT. No automatic login afterwards."""

    form_class = NewPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    reset_url_token = "nouveau-mot-de-passe"
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False

    def form_valid(self, form):
        services.password_reset(user=form.user, new_password=form.cleaned_data["new_password1"])
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return FormView.form_valid(self, form)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    """Login required (Django's view); the session stays open after the change."""

    form_class = ChangePasswordForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("portal:dashboard")

    def form_valid(self, form):
        user = form.user
        services.password_change(user=user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, user)
        messages.success(
            self.request,
            _("Votre mot de passe a été modifié. Un courriel de confirmation vous a été envoyé."),
        )
        return HttpResponseRedirect(self.get_success_url())


# --- Activation of accounts imported from the former Portail Famille -------------------

ACTIVATION_HELP_PHONE = "01 39 08 25 67"  # Pôle scolaire


def _activation_account(uidb64: str, token: str):
    """The account of an activation link, or None when the link is not (or no longer) valid."""
    from django.utils.encoding import force_str
    from django.utils.http import urlsafe_base64_decode

    from .models import User
    from .tokens import activation_token_generator

    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        return None
    return user if activation_token_generator.check_token(user, token) else None


class ActivationView(FormView):
    """Link of the activation e-mail: the owner of an imported account chooses a password
    (twice, with the password validators). The account becomes active; no automatic
    login. A used, replaced or expired link shows how to get a new e-mail."""

    form_class = NewPasswordForm
    template_name = "accounts/activation.html"

    def dispatch(self, request, *args, **kwargs):
        self.account = _activation_account(kwargs["uidb64"], kwargs["token"])
        if self.account is None:
            context = {"phone": ACTIVATION_HELP_PHONE, "days": settings.ESPACE_CITOYEN_ACTIVATION_DAYS}
            response = render(request, "accounts/activation_invalid.html", context)
        else:
            response = super().dispatch(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.account}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "account": self.account}

    def form_valid(self, form):
        services.account_activate(user=self.account, new_password=form.cleaned_data["new_password1"])
        return render(self.request, "accounts/activation_done.html", {"account": self.account})
