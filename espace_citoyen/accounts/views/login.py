"""Login to the citizen space (password, then the second factor when the account has one) and logout."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.core import signing
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic.edit import FormView
from django_otp import login as otp_login
from django_otp import user_has_device

from .. import services
from ..forms import LoginForm, TwoFactorCodeForm
from ..models import User

logger = logging.getLogger("espace_citoyen.accounts")


class LoginView(auth_views.LoginView):
    """E-mail + password. Throttled by django-axes (AxesStandaloneBackend + middleware);
    `next` is followed only when it stays on this site (Django's
    url_has_allowed_host_and_scheme), otherwise the dashboard."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse("portal:dashboard")

    def form_valid(self, form):
        # With two-factor authentication, a correct password only leads to the code page.
        user = form.get_user()
        if user_has_device(user, confirmed=True):
            return login_code_start(self.request, user=user, next_url=self.get_success_url())
        return super().form_valid(form)


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


PENDING_LOGIN_SESSION_KEY = "_two_factor_pending"


PENDING_ATTEMPTS_SESSION_KEY = "_two_factor_attempts"


PENDING_LOGIN_SALT = "espace_citoyen.accounts.login_code"


LOGIN_WRONG_CODE = _("Ce code n'est pas valide. Saisissez le code affiché par votre application, ou un code de secours.")


THROTTLED_CODE = _("Trop d'essais rapprochés : patientez quelques secondes, puis saisissez un nouveau code.")


TOO_MANY_CODES = _("Trop de codes erronés. Pour votre sécurité, reconnectez-vous avec votre mot de passe.")


def login_code_start(request, *, user, next_url: str) -> HttpResponseRedirect:
    """The password was right and the account has a second factor: remember, signed and
    for TWO_FACTOR_PENDING_AGE seconds only, who is logging in; nobody is logged in yet."""
    request.session.cycle_key()
    request.session[PENDING_LOGIN_SESSION_KEY] = signing.dumps(
        {"user": user.pk, "backend": user.backend, "next": next_url}, salt=PENDING_LOGIN_SALT,
    )
    request.session[PENDING_ATTEMPTS_SESSION_KEY] = 0
    return redirect("accounts:login_code")


def _login_code_clear(request) -> None:
    request.session.pop(PENDING_LOGIN_SESSION_KEY, None)
    request.session.pop(PENDING_ATTEMPTS_SESSION_KEY, None)


def _login_code_pending(request):
    """(user, data) of the login waiting for its code, or None (none, expired or tampered)."""

    value = request.session.get(PENDING_LOGIN_SESSION_KEY)
    if not value:
        return None
    try:
        data = signing.loads(value, salt=PENDING_LOGIN_SALT, max_age=settings.TWO_FACTOR_PENDING_AGE)
    except signing.BadSignature:  # expired or altered
        _login_code_clear(request)
        return None
    user = User.objects.filter(pk=data.get("user"), is_active=True).first()
    if user is None:
        _login_code_clear(request)
        return None
    return user, data


def _count_attempt(request) -> int:
    attempts = int(request.session.get(PENDING_ATTEMPTS_SESSION_KEY, 0)) + 1
    request.session[PENDING_ATTEMPTS_SESSION_KEY] = attempts
    return attempts


def check_login_code(request, *, user, form):
    """The device accepting the form's code, or None with the error added to the form;
    "locked" when the attempts allowed to this session are used up."""
    throttled = services.two_factor_is_throttled(user=user, code=form.cleaned_data["code"])
    device = services.two_factor_verify(user=user, code=form.cleaned_data["code"])
    if device is not None:
        request.session.pop(PENDING_ATTEMPTS_SESSION_KEY, None)
        return device
    attempts = _count_attempt(request)
    logger.warning("two-factor code refused email=%s attempt=%s", user.email, attempts)
    if attempts >= settings.TWO_FACTOR_MAX_ATTEMPTS:
        return "locked"
    form.add_error("code", THROTTLED_CODE if throttled else LOGIN_WRONG_CODE)
    return None


class LoginCodeView(FormView):
    """Second step of the login of an account with two-factor authentication."""

    form_class = TwoFactorCodeForm
    template_name = "accounts/login_code.html"

    def dispatch(self, request, *args, **kwargs):
        pending = _login_code_pending(request)
        if pending is None:
            messages.error(request, _("Votre connexion a expiré : saisissez de nouveau votre adresse e-mail et votre mot de passe."))
            return redirect("accounts:login")
        self.pending_user, self.pending = pending
        response = super().dispatch(request, *args, **kwargs)
        return response

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "backup_allowed": True}

    def form_valid(self, form):
        user = self.pending_user
        device = check_login_code(self.request, user=user, form=form)
        if device == "locked":
            _login_code_clear(self.request)
            messages.error(self.request, TOO_MANY_CODES)
            return redirect("accounts:login")
        if device is None:
            return self.form_invalid(form)
        _login_code_clear(self.request)
        auth_login(self.request, user, backend=self.pending["backend"])
        otp_login(self.request, device)
        return HttpResponseRedirect(self.pending["next"])
