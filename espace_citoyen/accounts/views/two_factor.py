"""Second factor of a citizen, optional: set up from /espace-citoyen/securite/; once set up, the
login asks for a code after the password."""

import logging
from base64 import b32encode

import segno
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import TemplateView
from django.views.generic.edit import FormView
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import reauth, services
from ..forms import ReauthenticationForm, TwoFactorCodeForm

logger = logging.getLogger("espace_citoyen.accounts")


NEW_BACKUP_CODES_SESSION_KEY = "_two_factor_new_codes"


def totp_setup_context(device) -> dict:
    """QR code (inline SVG, no style attribute, so it passes our CSP) and the secret key in
    groups of 4 characters, for an authenticator app."""


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


def confirmed_totp(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def unconfirmed_totp(user):
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def _backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


class SecurityView(LoginRequiredMixin, TemplateView):
    """/espace-citoyen/securite/: state of the second factor and its actions; each action
    asks for the password (and the second factor) again unless the session proved them
    recently (reauth.py)."""

    template_name = "accounts/security/index.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return {
            "reauth_form": ReauthenticationForm(request=self.request),
            **super().get_context_data(**kwargs),
            "totp_device": confirmed_totp(user),
            "backup_codes_left": _backup_codes_left(user),
        }


def _security_page_with_errors(request, reauth_form):
    """The security page again, the refused re-authentication tied to its fields."""
    view = SecurityView(request=request, kwargs={})
    context = view.get_context_data(reauth_form=reauth_form, form=reauth_form)
    return view.render_to_response(context, status=400)


class TwoFactorSetupView(LoginRequiredMixin, FormView):
    """POST "start" (with the re-authentication): a new secret key; GET: QR code + key +
    code field; POST code: confirm. The secret is shown, and confirmed, only to a session
    that proved the password recently (else the page asks for it first: POST "reauth")."""

    form_class = TwoFactorCodeForm
    template_name = "accounts/security/setup.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and confirmed_totp(request.user) is not None:
            return redirect("accounts:security")
        response = super().dispatch(request, *args, **kwargs)
        return response

    def get(self, request, *args, **kwargs):
        self.device = unconfirmed_totp(request.user)
        if self.device is None:
            return redirect("accounts:security")
        if not reauth.is_recent(request):
            return self._ask_reauthentication(ReauthenticationForm(request=request))
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if "start" in request.POST:
            reauth_form = ReauthenticationForm(request.POST, request=request)
            if not reauth_form.is_valid():
                return _security_page_with_errors(request, reauth_form)
            reauth_form.confirm()
            services.two_factor_start(user=request.user)
            return redirect("accounts:two_factor_setup")
        self.device = unconfirmed_totp(request.user)
        if self.device is None:
            return redirect("accounts:security")
        if "reauth" in request.POST or not reauth.is_recent(request):
            reauth_form = ReauthenticationForm(request.POST if "reauth" in request.POST else None, request=request)
            if not reauth_form.is_valid():
                return self._ask_reauthentication(reauth_form, status=400 if reauth_form.is_bound else 200)
            reauth_form.confirm()
            return redirect("accounts:two_factor_setup")
        return super().post(request, *args, **kwargs)

    def _ask_reauthentication(self, reauth_form, status=200):
        return render(self.request, "accounts/security/setup_reauth.html",
                      {"form": reauth_form, "reauth_form": reauth_form}, status=status)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **totp_setup_context(self.device)}

    def form_valid(self, form):
        codes = services.two_factor_confirm(user=self.request.user, device=self.device, code=form.cleaned_data["code"])
        if codes is None:
            form.add_error("code", _("Ce code n'est pas valide. Vérifiez que l'heure de votre téléphone est juste, puis saisissez le code affiché."))
            return self.form_invalid(form)
        otp_login(self.request, confirmed_totp(self.request.user))
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
        if confirmed_totp(request.user) is None:
            return redirect("accounts:security")
        reauth_form = ReauthenticationForm(request.POST, request=request)
        if not reauth_form.is_valid():
            return _security_page_with_errors(request, reauth_form)
        reauth_form.confirm()
        request.session[NEW_BACKUP_CODES_SESSION_KEY] = services.two_factor_backup_codes_regenerate(user=request.user)
        messages.success(request, _("Vos nouveaux codes de secours sont prêts ; les anciens ne fonctionnent plus."))
        return redirect("accounts:two_factor_backup_codes")


class TwoFactorDisableView(LoginRequiredMixin, FormView):
    """Disabling asks for the password and a code of the second factor (unless the session
    proved them recently)."""

    form_class = ReauthenticationForm
    template_name = "accounts/security/disable.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and confirmed_totp(request.user) is None:
            return redirect("accounts:security")
        return super().dispatch(request, *args, **kwargs)

    @classmethod
    def as_view(cls, **initkwargs):

        return sensitive_post_parameters("password", "code")(super().as_view(**initkwargs))

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        return {"data": kwargs.get("data"), "request": self.request}

    def form_valid(self, form):
        form.confirm()
        services.two_factor_disable(user=self.request.user, actor=self.request.user)
        messages.success(self.request, _("La double authentification est désactivée. Un courriel de confirmation vous a été envoyé."))
        return redirect("accounts:security")
