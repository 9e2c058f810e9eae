"""Forgotten password (reset) and password change."""

from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

PASSWORD_MISMATCH = _("Les deux mots de passe saisis ne sont pas identiques.")


class PasswordResetRequestForm(PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.label = _("Adresse e-mail de votre espace")
        email.help_text = _("Format attendu : nom@exemple.fr")
        email.widget.attrs.update({"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"})


class _NewPasswordFieldsMixin:
    def _set_new_password_labels(self):
        self.error_messages = {**self.error_messages, "password_mismatch": PASSWORD_MISMATCH}
        self.fields["new_password1"].label = _("Nouveau mot de passe")
        self.fields["new_password2"].label = _("Confirmation du nouveau mot de passe")
        self.fields["new_password2"].help_text = _("Saisissez le même mot de passe une seconde fois.")
        for name in ("new_password1", "new_password2"):
            self.fields[name].widget.attrs.update({"autocomplete": "new-password"})


class NewPasswordForm(_NewPasswordFieldsMixin, SetPasswordForm):
    """New password chosen through a reset link; saved by services.password_reset."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_new_password_labels()


class ChangePasswordForm(_NewPasswordFieldsMixin, PasswordChangeForm):
    """Current password, new one twice; saved by services.password_change."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.error_messages = {
            **self.error_messages,
            "password_incorrect": _("Le mot de passe actuel est incorrect."),
        }
        self._set_new_password_labels()
        old = self.fields["old_password"]
        old.label = _("Mot de passe actuel")
        old.widget.attrs.pop("autofocus", None)
        old.widget.attrs.update({"autocomplete": "current-password"})
