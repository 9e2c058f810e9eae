"""Forgotten password (reset by an e-mailed link) and password change."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic.edit import FormView

from espace_citoyen.core.throttle import address_key, any_over_limit
from espace_citoyen.core.town import town_contact

from .. import services
from ..forms import ChangePasswordForm, NewPasswordForm, PasswordResetRequestForm
from ..models import normalize_email_address

logger = logging.getLogger("espace_citoyen.accounts")


def reset_link_hours() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)


class PasswordResetView(auth_views.PasswordResetView):
    """Always the same answer, whether or not an account uses the address."""

    form_class = PasswordResetRequestForm
    template_name = "accounts/password_reset_form.html"
    subject_template_name = "accounts/emails/password_reset_subject.txt"
    email_template_name = "accounts/emails/password_reset_body.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self):
        return {"town": town_contact(), "timeout_hours": reset_link_hours()}

    def form_valid(self, form):
        email = normalize_email_address(form.cleaned_data["email"])
        if any_over_limit(self.request, {"password_reset_ip": None, "password_reset_email": address_key(email)}):
            # Same answer as a sent e-mail (no enumeration), but nothing is sent.
            logger.warning("password reset not sent: rate limit exceeded email=%s", email)
            return HttpResponseRedirect(self.get_success_url())
        logger.info("password reset requested email=%s", email)
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
