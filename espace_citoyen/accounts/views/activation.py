"""Activation of the accounts imported from the former Portail Famille (link of the e-mail)."""

import logging

from django.conf import settings
from django.shortcuts import render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic.edit import FormView

from .. import services
from ..forms import NewPasswordForm
from ..models import User
from ..tokens import activation_token_generator

logger = logging.getLogger("espace_citoyen.accounts")


def _activation_account(uidb64: str, token: str):
    """The account of an activation link, or None when the link is not (or no longer) valid."""


    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        return None
    return user if activation_token_generator.check_token(user, token) else None


def _sensitive_passwords(view_func):
    return sensitive_post_parameters("new_password1", "new_password2")(view_func)


class ActivationView(FormView):
    """Link of the activation e-mail: the owner of an imported account chooses a password
    (twice, with the password validators). The account becomes active; no automatic
    login. A used, replaced or expired link shows how to get a new e-mail."""

    form_class = NewPasswordForm
    template_name = "accounts/activation.html"

    @classmethod
    def as_view(cls, **initkwargs):
        return _sensitive_passwords(super().as_view(**initkwargs))

    def dispatch(self, request, *args, **kwargs):
        self.account = _activation_account(kwargs["uidb64"], kwargs["token"])
        if self.account is None:
            context = {"days": settings.ESPACE_CITOYEN_ACTIVATION_DAYS}
            response = render(request, "accounts/activation_invalid.html", context)
        else:
            response = super().dispatch(request, *args, **kwargs)
        return response

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.account}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "account": self.account}

    def form_valid(self, form):
        services.account_activate(user=self.account, new_password=form.cleaned_data["new_password1"])
        return render(self.request, "accounts/activation_done.html", {"account": self.account})
