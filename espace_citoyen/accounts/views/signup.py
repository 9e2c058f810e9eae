""""Je n'ai pas d'espace": the creation wizard and the e-mail confirmation. An account made here is
"courriel à confirmer" until the link of the e-mail is opened: it cannot log in meanwhile
(LoginForm.confirm_login_allowed). Then it is "en attente de validation": it logs in, sees its
status, edits its details and uses its documents; family, booking and payment views refuse it
(accounts.decorators)."""

import logging
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from formtools.wizard.views import SessionWizardView

from espace_citoyen.core.business_calendar import format_deadline
from espace_citoyen.core.throttle import address_key, any_over_limit

from .. import services
from ..forms import SignupContactForm, SignupIdentityForm, SignupPasswordForm
from ..models import User, normalize_email_address
from ..signup_storage import SignupTemporaryStorage
from ..tokens import email_confirmation_token_generator

logger = logging.getLogger("espace_citoyen.accounts")


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
        "email": email, "days": settings.ESPACE_CITOYEN_EMAIL_CONFIRMATION_DAYS,
    })


def _signup_account(uidb64: str, token: str):
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
            "days": settings.ESPACE_CITOYEN_EMAIL_CONFIRMATION_DAYS,
        })
    elif request.method != "POST":
        response = render(request, "accounts/signup/confirm.html", {"email": user.email})
    else:
        user = services.account_confirm_email(user=user)
        request.session[SIGNUP_CONFIRMED_SESSION_KEY] = user.validation_due_at.isoformat()
        response = redirect("accounts:signup_confirmed")
    return response


def signup_confirmed(request):
    due = request.session.get(SIGNUP_CONFIRMED_SESSION_KEY)
    if not due:
        return redirect("accounts:login")
    return render(request, "accounts/signup/confirmed.html", {
        "deadline": format_deadline(datetime.fromisoformat(due)),
    })
