"""Second factor and re-authentication before a sensitive change; the deletion request of
the account (asks the password too)."""

from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device

from .. import reauth
from ..services.two_factor import two_factor_verify

WRONG_CODE = _("Ce code n'est pas valide. Vérifiez l'heure de votre téléphone et saisissez le code affiché.")


class TwoFactorCodeForm(forms.Form):
    """One code: the 6 digits of the authenticator app (set-up) or, at login, also a
    backup code. The code is checked by the view through accounts.services."""

    code = forms.CharField(
        label=_("Code à 6 chiffres affiché par l'application"),
        max_length=20,
        error_messages={"required": _("Saisissez le code.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autocapitalize": "none", "spellcheck": "false"}),
    )

    def __init__(self, *args, backup_allowed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        if backup_allowed:
            field.label = _("Code à 6 chiffres de votre application, ou un code de secours")
            field.help_text = _("Format attendu : 6 chiffres (exemple : 123456) ou un code de secours de 8 caractères.")
            field.widget.attrs["inputmode"] = "text"
        else:
            field.help_text = _("Format attendu : 6 chiffres, par exemple 123456.")


class TwoFactorDisableForm(forms.Form):
    """Disabling the second factor asks for the current password."""

    password = forms.CharField(
        label=_("Mot de passe actuel"),
        strip=False,
        error_messages={"required": _("Saisissez votre mot de passe.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Le mot de passe est incorrect."), code="password_incorrect")
        return password


class ReauthenticationForm(forms.Form):
    """The password – and a code of the second factor when the account has one – asked
    again before a sensitive change (reauth.py). No field at all while the session proved
    them recently: `needed` is False and the form is valid. The password goes through
    authenticate(), so that wrong ones count towards the login lock (django-axes)."""

    password = forms.CharField(
        label=_("Mot de passe actuel"), strip=False,
        error_messages={"required": _("Saisissez votre mot de passe.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=_("Code de votre application d'authentification, ou un code de secours"), max_length=20,
        help_text=_("Format attendu : 6 chiffres (exemple : 123456) ou un code de secours de 8 caractères."),
        error_messages={"required": _("Saisissez le code de votre application.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none",
                                      "spellcheck": "false"}),
    )

    def __init__(self, data=None, *, request, **kwargs):
        super().__init__(data, **kwargs)
        self.request = request
        self.user = request.user
        self.needed = not reauth.is_recent(request)
        self.has_second_factor = user_has_device(self.user, confirmed=True)
        if not self.needed:
            self.fields.clear()
        elif not self.has_second_factor:
            del self.fields["code"]

    def clean(self):
        cleaned = super().clean()
        if not self.needed or self.errors:
            return cleaned
        if authenticate(self.request, username=self.user.email, password=cleaned["password"]) != self.user:
            self.add_error("password", forms.ValidationError(_("Le mot de passe est incorrect."),
                                                             code="password_incorrect"))
        elif self.has_second_factor and two_factor_verify(user=self.user, code=cleaned["code"]) is None:
            self.add_error("code", forms.ValidationError(
                _("Ce code n'est pas valide. Saisissez le code affiché par votre application, ou un code de secours."),
                code="code_incorrect"))
        return cleaned

    def confirm(self) -> None:
        """Remember the proof for the next few minutes (call once the form is valid)."""
        if self.needed:
            reauth.mark(self.request)


class AccountDeletionRequestForm(TwoFactorDisableForm):
    """Request of the deletion of the account: the current password, and an optional note."""

    reason = forms.CharField(
        label=_("Précisions (facultatif)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
