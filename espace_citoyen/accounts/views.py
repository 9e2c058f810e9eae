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

from espace_citoyen.core.throttle import address_key, any_over_limit, over_limit

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


def _sensitive_passwords(view_func):
    from django.views.decorators.debug import sensitive_post_parameters

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
            context = {"phone": ACTIVATION_HELP_PHONE, "days": settings.ESPACE_CITOYEN_ACTIVATION_DAYS}
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


# --- Two-factor authentication (django-otp) -------------------------------------------
# Citizens: optional, set up from /espace-citoyen/securite/; once set up, the login asks
# for a code after the password. Staff: required before any /admin/ page
# (AdminTwoFactorMiddleware sends them to the admin verify or enrolment views below).

from django.contrib.auth import login as auth_login  # noqa: E402
from django.contrib.auth import logout as auth_logout  # noqa: E402
from django.contrib.auth.mixins import LoginRequiredMixin  # noqa: E402
from django.core import signing  # noqa: E402
from django.utils.http import url_has_allowed_host_and_scheme  # noqa: E402
from django.utils.safestring import mark_safe  # noqa: E402
from django.views.generic import TemplateView  # noqa: E402
from django_otp import login as otp_login  # noqa: E402
from django_otp import user_has_device  # noqa: E402

from .forms import TwoFactorCodeForm, TwoFactorDisableForm  # noqa: E402

PENDING_LOGIN_SESSION_KEY = "_two_factor_pending"
PENDING_ATTEMPTS_SESSION_KEY = "_two_factor_attempts"
NEW_BACKUP_CODES_SESSION_KEY = "_two_factor_new_codes"
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
    from .models import User

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


def _check_code(request, *, user, form):
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
        device = _check_code(self.request, user=user, form=form)
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


def totp_setup_context(device) -> dict:
    """QR code (inline SVG, no style attribute, so it passes our CSP) and the secret key in
    groups of 4 characters, for an authenticator app."""
    from base64 import b32encode

    import segno

    label = _("QR code à scanner avec votre application d'authentification")
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4, border=4, dark="#000", light="#fff", title=str(label), svgclass="totp-qr",
    )
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" focusable="false" ', 1)
    key = b32encode(device.bin_key).decode()
    return {
        "device": device,
        "qr_svg": mark_safe(svg),  # built by segno from our own URL: no user-supplied markup
        "key_groups": " ".join(key[i:i + 4] for i in range(0, len(key), 4)),
    }


def _confirmed_totp(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def _unconfirmed_totp(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def _backup_codes_left(user) -> int:
    from django_otp.plugins.otp_static.models import StaticToken

    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


class SecurityView(LoginRequiredMixin, TemplateView):
    """/espace-citoyen/securite/: state of the second factor and its actions."""

    template_name = "accounts/security/index.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return {
            **super().get_context_data(**kwargs),
            "totp_device": _confirmed_totp(user),
            "backup_codes_left": _backup_codes_left(user),
        }


class TwoFactorSetupView(LoginRequiredMixin, FormView):
    """POST "start": a new secret key; GET: QR code + key + code field; POST code: confirm."""

    form_class = TwoFactorCodeForm
    template_name = "accounts/security/setup.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and _confirmed_totp(request.user) is not None:
            return redirect("accounts:security")
        response = super().dispatch(request, *args, **kwargs)
        return response

    def get(self, request, *args, **kwargs):
        self.device = _unconfirmed_totp(request.user)
        if self.device is None:
            return redirect("accounts:security")
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if "start" in request.POST:
            services.two_factor_start(user=request.user)
            return redirect("accounts:two_factor_setup")
        self.device = _unconfirmed_totp(request.user)
        if self.device is None:
            return redirect("accounts:security")
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **totp_setup_context(self.device)}

    def form_valid(self, form):
        codes = services.two_factor_confirm(user=self.request.user, device=self.device, code=form.cleaned_data["code"])
        if codes is None:
            form.add_error("code", _("Ce code n'est pas valide. Vérifiez que l'heure de votre téléphone est juste, puis saisissez le code affiché."))
            return self.form_invalid(form)
        otp_login(self.request, _confirmed_totp(self.request.user))
        self.request.session[NEW_BACKUP_CODES_SESSION_KEY] = codes
        messages.success(self.request, _("La double authentification est activée sur votre espace."))
        return redirect("accounts:two_factor_backup_codes")


class TwoFactorBackupCodesView(LoginRequiredMixin, TemplateView):
    """GET: the new backup codes, shown once; POST: replace the backup codes."""

    template_name = "accounts/security/backup_codes.html"

    def get(self, request, *args, **kwargs):
        codes = request.session.pop(NEW_BACKUP_CODES_SESSION_KEY, None)
        if not codes:
            return redirect("accounts:security")
        response = self.render_to_response(self.get_context_data(codes=codes))
        return response

    def post(self, request, *args, **kwargs):
        if _confirmed_totp(request.user) is None:
            return redirect("accounts:security")
        request.session[NEW_BACKUP_CODES_SESSION_KEY] = services.two_factor_backup_codes_regenerate(user=request.user)
        messages.success(request, _("Vos nouveaux codes de secours sont prêts ; les anciens ne fonctionnent plus."))
        return redirect("accounts:two_factor_backup_codes")


class TwoFactorDisableView(LoginRequiredMixin, FormView):
    """Disabling asks for the current password."""

    form_class = TwoFactorDisableForm
    template_name = "accounts/security/disable.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and _confirmed_totp(request.user) is None:
            return redirect("accounts:security")
        return super().dispatch(request, *args, **kwargs)

    @classmethod
    def as_view(cls, **initkwargs):
        from django.views.decorators.debug import sensitive_post_parameters

        return sensitive_post_parameters("password")(super().as_view(**initkwargs))

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        services.two_factor_disable(user=self.request.user, actor=self.request.user)
        messages.success(self.request, _("La double authentification est désactivée. Un courriel de confirmation vous a été envoyé."))
        return redirect("accounts:security")


# Wagtail admin side (URLs registered in wagtail_hooks.py, under /admin/double-authentification/)


def _admin_next(request) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return reverse("wagtailadmin_home")
    return next_url


def _with_next(url_name: str, next_url: str) -> str:
    from urllib.parse import urlencode

    return reverse(url_name) + "?" + urlencode({"next": next_url})


def admin_two_factor_verify(request):
    """Code asked to a staff user with a device before the first admin page of a session."""
    next_url = _admin_next(request)
    user = request.user
    if user.is_verified():
        return redirect(next_url)
    if not user_has_device(user, confirmed=True):
        return redirect(_with_next("accounts_admin_two_factor_setup", next_url))
    form = TwoFactorCodeForm(request.POST or None, backup_allowed=True)
    if request.method == "POST" and form.is_valid():
        device = _check_code(request, user=user, form=form)
        if device == "locked":
            request.session.pop(PENDING_ATTEMPTS_SESSION_KEY, None)
            auth_logout(request)
            messages.error(request, TOO_MANY_CODES)
            return redirect("wagtailadmin_login")
        if device is not None:
            otp_login(request, device)
            return redirect(next_url)
    response = render(request, "wagtailadmin/otp/verify.html", {"form": form, "next": next_url})
    return response


def admin_two_factor_setup(request):
    """First admin visit of a staff user without a device: enrolment (QR code, key, code)."""
    next_url = _admin_next(request)
    user = request.user
    if user_has_device(user, confirmed=True):
        return redirect(_with_next("accounts_admin_two_factor_verify", next_url))
    device = _unconfirmed_totp(user) or services.two_factor_start(user=user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.two_factor_confirm(user=user, device=device, code=form.cleaned_data["code"])
        if codes is not None:
            otp_login(request, _confirmed_totp(user))
            request.session[NEW_BACKUP_CODES_SESSION_KEY] = codes
            return redirect(_with_next("accounts_admin_two_factor_codes", next_url))
        form.add_error("code", _("Ce code n'est pas valide. Vérifiez que l'heure de votre téléphone est juste, puis saisissez le code affiché."))
    context = {"form": form, "next": next_url, **totp_setup_context(device)}
    response = render(request, "wagtailadmin/otp/setup.html", context)
    return response


def admin_two_factor_codes(request):
    """The backup codes of a staff user, shown once right after enrolment."""
    next_url = _admin_next(request)
    codes = request.session.pop(NEW_BACKUP_CODES_SESSION_KEY, None)
    if not codes:
        return redirect(next_url)
    response = render(request, "wagtailadmin/otp/backup_codes.html", {"codes": codes, "next": next_url})
    return response


# --- "Je n'ai pas d'espace": the creation wizard and the e-mail confirmation -----------
# An account made here is "courriel à confirmer" until the link of the e-mail is opened:
# it cannot log in meanwhile (LoginForm.confirm_login_allowed). Then it is "en attente de
# validation": it logs in, sees its status, edits its details and uses its documents;
# family, booking and payment views refuse it (accounts.decorators).


from django.utils.decorators import method_decorator  # noqa: E402
from django.views.decorators.debug import sensitive_post_parameters  # noqa: E402
from formtools.wizard.views import SessionWizardView  # noqa: E402

from .forms import SignupContactForm, SignupIdentityForm, SignupPasswordForm  # noqa: E402
from .signup_storage import SignupTemporaryStorage  # noqa: E402

SIGNUP_EMAIL_SESSION_KEY = "_signup_email"
SIGNUP_CONFIRMED_SESSION_KEY = "_signup_confirmed_due"


@method_decorator(sensitive_post_parameters("mot-de-passe-password1", "mot-de-passe-password2"), name="dispatch")
class SignupWizardView(SessionWizardView):
    """Three steps: identity, contact details, password. SUIVANT validates and stores the
    step; PRÉCÉDENT stores what was typed (even incomplete) and goes back; ANNULER
    forgets everything and returns to the login page."""

    form_list = [
        ("identite", SignupIdentityForm),
        ("coordonnees", SignupContactForm),
        ("mot-de-passe", SignupPasswordForm),
    ]
    step_titles = {"identite": _("Identité"), "coordonnees": _("Coordonnées"), "mot-de-passe": _("Mot de passe")}
    template_name = "accounts/signup/wizard.html"
    file_storage = SignupTemporaryStorage()
    password_fields = ("mot-de-passe-password1", "mot-de-passe-password2")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("portal:dashboard")
        response = super().dispatch(request, *args, **kwargs)
        return response

    def post(self, *args, **kwargs):
        if "wizard_cancel" in self.request.POST:
            self.storage.reset()
            messages.info(self.request, _("La création de votre espace est annulée : rien n'a été enregistré."))
            return redirect("accounts:login")
        return super().post(*args, **kwargs)

    def render_goto_step(self, goto_step, **kwargs):
        """PRÉCÉDENT: keeps what was typed in the current step, even invalid (never the
        password), then shows the requested earlier step with its stored data."""
        steps = list(self.get_form_list())
        if steps.index(goto_step) < steps.index(self.steps.current):
            form = self.get_form(data=self.request.POST, files=self.request.FILES)
            data = self.request.POST.copy()
            for name in self.password_fields + ("csrfmiddlewaretoken",):
                data.pop(name, None)
            self.storage.set_step_data(self.steps.current, data)
            if self.request.FILES and form.is_valid():
                self.storage.set_step_files(self.steps.current, self.process_step_files(form))
        return super().render_goto_step(goto_step, **kwargs)

    def process_step_files(self, form):
        """A new photo replaces the one kept from an earlier visit: delete the old file."""
        files = super().process_step_files(form)
        stored = self.storage.data.get(self.storage.step_files_key, {}).get(self.steps.current, {})
        for field in files or {}:
            if field in stored:
                self.file_storage.delete(stored[field]["tmp_name"])
        return files

    def process_step(self, form):
        data = super().process_step(form)
        if self.steps.current == "mot-de-passe":
            data = data.copy()
            for name in self.password_fields:
                data.pop(name, None)
        return data

    def get_form_kwargs(self, step=None):
        kwargs = super().get_form_kwargs(step)
        if step == "mot-de-passe":
            from .models import User

            identity = self.storage.get_step_data("identite") or {}
            contact = self.storage.get_step_data("coordonnees") or {}
            kwargs["user"] = User(
                email=contact.get("coordonnees-email", ""),
                first_name=identity.get("identite-first_name", ""),
                last_name=identity.get("identite-last_name", ""),
            )
        return kwargs

    def render_done(self, form, **kwargs):
        # The password step is not stored (process_step): validate it from this request.
        self._password_form = form
        email = (self.get_cleaned_data_for_step("coordonnees") or {}).get("email", "")
        if form.is_valid() and email and any_over_limit(
                self.request, {"signup_ip": None, "signup_email": address_key(email)}):
            # Too many sign-ups from this connection or for this address this hour: nothing is
            # created nor sent, the answers stay (the counters say nothing of existing accounts).
            logger.warning("sign-up refused: rate limit exceeded email=%s", normalize_email_address(email))
            form.add_error(None, _("Trop de demandes de création d'espace depuis cette connexion ou pour cette "
                                   "adresse : réessayez dans une heure. Vos réponses sont conservées ; seul le mot "
                                   "de passe est à saisir à nouveau."))
            return self.render(form)
        return super().render_done(form, **kwargs)

    def get_form(self, step=None, data=None, files=None):
        if step == "mot-de-passe" and getattr(self, "_password_form", None) is not None:
            return self._password_form
        if (step or self.steps.current) == "mot-de-passe" and data is not None and data is not self.request.POST:
            # Shown again from the stored data: passwords are never kept, so no errors.
            privacy = data.get("mot-de-passe-privacy_notice")
            return super().get_form(step, None, None) if not privacy else self._unbound_with_privacy(step)
        return super().get_form(step, data, files)

    def _unbound_with_privacy(self, step):
        form = super().get_form(step, None, None)
        form.initial["privacy_notice"] = True
        return form

    def _summary(self):
        rows = []
        for step in ("identite", "coordonnees"):
            cleaned = self.get_cleaned_data_for_step(step) or {}
            form = self.form_list[step]()
            for name, field in form.fields.items():
                value = cleaned.get(name)
                if name == "photo":
                    value = _("Photo jointe") if value else ""
                elif getattr(field.widget, "choices", None) and value:
                    value = dict(field.widget.choices).get(value, value)
                elif hasattr(value, "strftime"):
                    value = value.strftime("%d/%m/%Y")
                rows.append((field.label, value or "–"))
        return rows

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        steps = list(self.get_form_list())
        context["step_title"] = self.step_titles[self.steps.current]
        context["step_titles"] = [(self.step_titles[step], step == self.steps.current) for step in steps]
        if self.steps.current == "identite":
            stored = self.storage.data.get(self.storage.step_files_key, {}).get("identite", {})
            context["photo_stored"] = "identite-photo" in stored
        if self.steps.current == "mot-de-passe":
            context["summary"] = self._summary()
        return context

    def done(self, form_list, form_dict, **kwargs):
        identity = form_dict["identite"].cleaned_data
        contact = dict(form_dict["coordonnees"].cleaned_data)
        password = form_dict["mot-de-passe"].cleaned_data
        email = contact.pop("email")
        profile = {name: identity[name] or ("" if name != "birth_date" else None)
                   for name in ("civility", "birth_name", "birth_date", "birth_country", "birth_department", "birth_city")}
        profile.update(contact)
        services.account_signup(
            email=email, password=password["password1"], first_name=identity["first_name"],
            last_name=identity["last_name"], profile=profile, photo=identity.get("photo"),
            privacy_notice_accepted=password["privacy_notice"],
        )
        self.request.session[SIGNUP_EMAIL_SESSION_KEY] = email
        return redirect("accounts:signup_sent")


def signup_sent(request):
    """"Vérifiez votre boîte mail": the same page whether or not the address already had an
    account (that address then receives a warning instead of a link)."""
    email = request.session.get(SIGNUP_EMAIL_SESSION_KEY)
    if not email:
        return redirect("accounts:signup")
    return render(request, "accounts/signup/sent.html", {
        "email": email, "days": settings.ESPACE_CITOYEN_EMAIL_CONFIRMATION_DAYS, "phone": TOWN_HALL_PHONE,
    })


def _signup_account(uidb64: str, token: str):
    from django.utils.encoding import force_str
    from django.utils.http import urlsafe_base64_decode

    from .models import User
    from .tokens import email_confirmation_token_generator

    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        return None
    return user if email_confirmation_token_generator.check_token(user, token) else None


def signup_confirm(request, uidb64, token):
    """Link of the confirmation e-mail: works once, expires after
    ESPACE_CITOYEN_EMAIL_CONFIRMATION_DAYS days. The link opens a page with one button (mail
    scanners that open links confirm nothing); the POST confirms, then redirects (a reload
    shows the result again instead of an "invalid link")."""
    user = _signup_account(uidb64, token)
    if user is None:
        response = render(request, "accounts/signup/confirm_invalid.html", {
            "days": settings.ESPACE_CITOYEN_EMAIL_CONFIRMATION_DAYS, "phone": TOWN_HALL_PHONE,
        })
    elif request.method != "POST":
        response = render(request, "accounts/signup/confirm.html", {"email": user.email})
    else:
        user = services.account_confirm_email(user=user)
        request.session[SIGNUP_CONFIRMED_SESSION_KEY] = user.validation_due_at.isoformat()
        response = redirect("accounts:signup_confirmed")
    return response


def signup_confirmed(request):
    from datetime import datetime

    from espace_citoyen.core.business_calendar import format_deadline

    due = request.session.get(SIGNUP_CONFIRMED_SESSION_KEY)
    if not due:
        return redirect("accounts:login")
    return render(request, "accounts/signup/confirmed.html", {
        "deadline": format_deadline(datetime.fromisoformat(due)), "phone": TOWN_HALL_PHONE,
    })


# --- Mes coordonnées ------------------------------------------------------------------

from django.contrib.auth.decorators import login_required  # noqa: E402
from django.views.decorators.http import require_http_methods  # noqa: E402


def _contact_initial(user) -> dict:
    from .models import Profile

    profile = Profile.objects.filter(user=user).first() or Profile(user=user)
    initial = {name: getattr(profile, name) for name in services.CONTACT_FIELDS}
    initial["email"] = user.email
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def contact_details(request):
    """Address, phones, preferred contact (saved at once) and the login address (replaced
    only once the link sent to the new address is followed). Pending accounts allowed."""
    from .forms import ContactDetailsForm
    from .tokens import EMAIL_CHANGE_DAYS

    user = request.user
    if request.method == "POST":
        form = ContactDetailsForm(request.POST, initial=_contact_initial(user))
        if (form.is_valid() and form.cleaned_data["email"] != normalize_email_address(user.email)
                and over_limit(request, "email_change_user", str(user.pk))):
            # Nothing saved nor sent: the form is shown again with what was typed.
            logger.warning("e-mail change refused: rate limit exceeded user=%s", user.pk)
            form.add_error("email", _(
                "Trop de demandes de changement d'adresse aujourd'hui : réessayez demain."
            ))
        if form.is_valid():
            data = form.cleaned_data
            changed = services.contact_details_update(
                user=user, details={name: data[name] for name in services.CONTACT_FIELDS},
            )
            if changed:
                messages.success(request, _("Vos coordonnées sont enregistrées."))
            if data["email"] != normalize_email_address(user.email):
                services.email_change_request(user=user, new_email=data["email"])
                messages.info(request, _(
                    "Nous avons envoyé un lien de confirmation à %(email)s. Votre adresse actuelle reste votre "
                    "identifiant tant que ce lien n'a pas été ouvert (il est valable %(days)s jours)."
                ) % {"email": data["email"], "days": EMAIL_CHANGE_DAYS})
            elif not changed:
                messages.info(request, _("Aucune modification : vos coordonnées étaient déjà à jour."))
            return redirect("accounts:contact_details")
    else:
        form = ContactDetailsForm(initial=_contact_initial(user))
    return render(request, "accounts/contact/details.html", {
        "form": form, "pending_email_change": services.email_change_pending(user=user),
        "days": EMAIL_CHANGE_DAYS,
    })


@require_http_methods(["GET", "POST"])
def email_change_confirm(request, token):
    """Link of the e-mail sent to the new address: a page with one button (mail scanners
    that open links do not change anything), then the change (services.email_change_confirm)."""
    from .tokens import email_change_read_token

    payload = email_change_read_token(token)
    if request.method == "POST" and payload is not None:
        try:
            user = services.email_change_confirm(token=token)
        except services.EmailChangeError as error:
            response = render(request, "accounts/contact/email_change_invalid.html",
                              {"reason": str(error), "phone": TOWN_HALL_PHONE}, status=400)
        else:
            messages.success(request, _("Votre adresse e-mail est maintenant %(email)s. Utilisez-la pour vous "
                                        "connecter.") % {"email": user.email})
            response = redirect("accounts:contact_details" if request.user.is_authenticated else "accounts:login")
    elif payload is None:
        response = render(request, "accounts/contact/email_change_invalid.html", {
            "reason": _("Ce lien n'est plus valable : il a expiré, a déjà servi ou une demande plus récente l'a "
                        "remplacé."), "phone": TOWN_HALL_PHONE,
        }, status=400)
    else:
        response = render(request, "accounts/contact/email_change_confirm.html", {"new_email": payload["n"]})
    return response
