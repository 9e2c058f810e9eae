"""Login forms: the space's, and the admin's (town agents only)."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from espace_citoyen.core.agents import is_town_agent

from ..models import AccountStatus, User, normalize_email_address

# One message for every refusal, so that the page never tells whether an account exists
# or is inactive.
INVALID_LOGIN = _("Adresse e-mail ou mot de passe incorrect.")


EMAIL_UNCONFIRMED_LOGIN = _(
    "Votre adresse e-mail n'est pas encore confirmée : ouvrez le lien du courriel que nous vous avons envoyé. "
    "Lien expiré ? Recommencez la création de votre espace avec la même adresse."
)


class LoginForm(AuthenticationForm):
    error_messages = {"invalid_login": INVALID_LOGIN, "inactive": INVALID_LOGIN}

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = _("Identifiant (adresse e-mail)")
        username.help_text = _("Format attendu : nom@exemple.fr")
        username.widget = forms.EmailInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false",
                   "maxlength": username.max_length}
        )
        username.widget.is_required = True
        password = self.fields["password"]
        password.label = _("Mot de passe")
        password.widget.attrs.update({"autocomplete": "current-password"})

    def get_invalid_login_error(self):
        return forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")

    def clean(self):
        """An account made with the creation wizard logs in once its address is confirmed
        (the authentication backend refuses it before): whoever typed its right password is
        told to open the e-mail's link. Said only to them: no enumeration."""
        try:
            return super().clean()
        except forms.ValidationError:
            if self._unconfirmed_owner():
                raise forms.ValidationError(EMAIL_UNCONFIRMED_LOGIN, code="email_unconfirmed") from None
            raise

    def _unconfirmed_owner(self) -> bool:
        email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not email or not password:
            return False
        user = User.objects.filter(email__iexact=normalize_email_address(email),
                                   status=AccountStatus.EMAIL_UNCONFIRMED).first()
        return user is not None and user.check_password(password)


class AdminLoginForm(WagtailLoginForm):
    """The Wagtail admin's login form (WAGTAILADMIN_USER_LOGIN_FORM): town agents only. A
    citizen's right password gets the same answer as a wrong one (no enumeration); their
    space has its own login page. Labels in French."""

    error_messages = {**WagtailLoginForm.error_messages, "invalid_login": INVALID_LOGIN, "inactive": INVALID_LOGIN}

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Adresse e-mail")
        self.fields["password"].label = _("Mot de passe")
        self.fields["password"].widget.attrs["placeholder"] = _("Votre mot de passe")
        self.fields["remember"].label = _("Se souvenir de moi")

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not is_town_agent(user):
            raise self.get_invalid_login_error()

    def get_invalid_login_error(self):
        return forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")
