from django import forms
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device
from localflavor.fr.forms import FRDepartmentSelect
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from espace_citoyen.core.agents import is_town_agent

from . import reauth
from .models import AccountStatus, User, normalize_email_address
from .services.two_factor import two_factor_verify

# One message for every refusal, so that the page never tells whether an account exists
# or is inactive.
INVALID_LOGIN = _("Adresse e-mail ou mot de passe incorrect.")
PASSWORD_MISMATCH = _("Les deux mots de passe saisis ne sont pas identiques.")
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


# --- Two-factor authentication --------------------------------------------------------

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


# --- Sign-up wizard ("Je n'ai pas d'espace" → Créer mon espace) -------------------------
# Three steps; required fields are starred by the templates (templates/accounts/signup/).

from espace_citoyen.core.validation import (  # noqa: E402
    clean_phone_number,
    process_photo,
    validate_single_line,
)

from .models import Civility, ContactMethod  # noqa: E402


def _required(message):
    return {"required": message}


class SignupIdentityForm(forms.Form):
    """Step 1: identity."""

    civility = forms.ChoiceField(
        label=_("Civilité"), choices=[("", _("Choisissez"))] + list(Civility.choices),
        error_messages=_required(_("Indiquez votre civilité.")),
        widget=forms.Select(attrs={"autocomplete": "honorific-prefix"}),
    )
    last_name = forms.CharField(
        label=_("Nom usuel"), max_length=150, error_messages=_required(_("Indiquez votre nom usuel.")),
        validators=[validate_single_line],
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    birth_name = forms.CharField(
        label=_("Nom de naissance"), max_length=150, required=False, validators=[validate_single_line],
        help_text=_("S'il est différent du nom usuel."),
    )
    first_name = forms.CharField(
        label=_("Prénom(s)"), max_length=150, error_messages=_required(_("Indiquez votre prénom.")),
        validators=[validate_single_line],
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    birth_date = forms.DateField(
        label=_("Date de naissance"), required=False, help_text=_("Format attendu : jj/mm/aaaa, par exemple 14/03/1985."),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={"invalid": _("Saisissez une date valide, par exemple 14/03/1985.")},
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"autocomplete": "bday", "inputmode": "numeric"}),
    )
    birth_country = forms.CharField(label=_("Pays de naissance"), max_length=80, required=False)
    birth_department = forms.CharField(
        label=_("Département de naissance"), max_length=3, required=False,
        help_text=_("Si vous êtes né(e) en France."),
    )
    birth_city = forms.CharField(label=_("Commune de naissance"), max_length=120, required=False)
    photo = forms.FileField(
        label=_("Photo"), required=False,
        help_text=_("Facultative. Image JPEG ou PNG, 5 Mo au plus ; elle sera réduite à 600 pixels."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        department = self.fields["birth_department"]
        department.widget = FRDepartmentSelect()
        department.widget.choices = [("", _("Choisissez"))] + list(department.widget.choices)

    def clean_birth_date(self):
        birth_date = self.cleaned_data.get("birth_date")
        if birth_date and birth_date > timezone.localdate():
            raise forms.ValidationError(_("La date de naissance ne peut pas être dans le futur."), code="future")
        if birth_date and birth_date.year < 1900:
            raise forms.ValidationError(_("Saisissez une date valide, par exemple 14/03/1985."), code="too_old")
        return birth_date

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        return process_photo(upload) if upload else None


class SignupContactForm(forms.Form):
    """Step 2: address, phones and e-mail address (the login)."""

    street_number = forms.CharField(label=_("Numéro"), max_length=10, required=False)
    street = forms.CharField(
        label=_("Voie"), max_length=200, required=False, help_text=_("Par exemple : rue de Poissy."),
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    address_complement = forms.CharField(
        label=_("Complément d'adresse"), max_length=200, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    postcode = forms.RegexField(
        label=_("Code postal"), regex=r"^\d{5}$", required=False, max_length=5,
        error_messages={"invalid": _("Le code postal compte 5 chiffres, par exemple 78670.")},
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    city = forms.CharField(
        label=_("Commune"), max_length=120, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    phone_home = forms.CharField(label=_("Téléphone domicile"), max_length=30, required=False,
                                 widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}))
    phone_mobile = forms.CharField(label=_("Téléphone mobile"), max_length=30, required=False,
                                   widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}))
    phone_work = forms.CharField(label=_("Téléphone professionnel"), max_length=30, required=False,
                                 widget=forms.TextInput(attrs={"type": "tel"}))
    fax = forms.CharField(label=_("Fax"), max_length=30, required=False, widget=forms.TextInput(attrs={"type": "tel"}))
    email = forms.EmailField(
        label=_("Courriel"), help_text=_("Ce sera votre identifiant. Format attendu : nom@exemple.fr"),
        error_messages={"required": _("Indiquez votre adresse e-mail."),
                        "invalid": _("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"}),
    )
    preferred_contact = forms.ChoiceField(
        label=_("Moyen de contact préféré"), choices=ContactMethod.choices, initial=ContactMethod.EMAIL,
        required=False,
    )

    def _clean_phone(self, name):
        return clean_phone_number(self.cleaned_data.get(name, ""))

    def clean_phone_home(self):
        return self._clean_phone("phone_home")

    def clean_phone_mobile(self):
        return self._clean_phone("phone_mobile")

    def clean_phone_work(self):
        return self._clean_phone("phone_work")

    def clean_fax(self):
        return self._clean_phone("fax")

    def clean_email(self):
        return normalize_email_address(self.cleaned_data["email"])

    def clean_preferred_contact(self):
        return self.cleaned_data.get("preferred_contact") or ContactMethod.EMAIL


class SignupPasswordForm(forms.Form):
    """Step 3: the password, twice, with the password validators of the settings (12
    characters, not common, not the town's name), and the personal-data notice."""

    password1 = forms.CharField(
        label=_("Mot de passe"), strip=False,
        help_text=_("12 caractères au moins ; évitez les mots de passe courants et le nom de la commune."),
        error_messages=_required(_("Choisissez un mot de passe.")),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Confirmation du mot de passe"), strip=False,
        help_text=_("Saisissez le même mot de passe une seconde fois."),
        error_messages=_required(_("Saisissez une seconde fois le mot de passe.")),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    privacy_notice = forms.BooleanField(
        label=_("J'ai lu la notice relative aux données personnelles et j'accepte que la mairie traite mes "
                "données pour gérer mon espace citoyen."),
        error_messages=_required(_("Cochez la case pour accepter la notice relative aux données personnelles.")),
    )

    def __init__(self, *args, user=None, **kwargs):
        self.user = user  # unsaved User with the names and address typed before
        super().__init__(*args, **kwargs)

    def clean_password2(self):
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            raise forms.ValidationError(PASSWORD_MISMATCH, code="password_mismatch")
        return password2

    def _post_clean(self):
        super()._post_clean()
        password = self.cleaned_data.get("password1")
        if password:
            try:
                password_validation.validate_password(password, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)


class AccountRefusalForm(forms.Form):
    """Back office: the reason of a refusal, e-mailed to the citizen."""

    reason = forms.CharField(
        label=_("Motif du refus"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Il est envoyé tel quel à la personne, avec le numéro de la mairie."),
        error_messages=_required(_("Indiquez le motif du refus : il est envoyé à la personne.")),
    )


# --- Mes coordonnées and Mes données ----------------------------------------------------


class ContactDetailsForm(SignupContactForm):
    """"Mes coordonnées": the wizard's contact fields. A new e-mail address is not applied
    here: services.email_change_request sends a confirmation link to it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.label = _("Courriel (identifiant de connexion)")
        email.help_text = _("Format attendu : nom@exemple.fr. Une nouvelle adresse ne remplace l'actuelle qu'après "
                            "confirmation par le lien que nous y envoyons.")


class AccountDeletionRequestForm(TwoFactorDisableForm):
    """Request of the deletion of the account: the current password, and an optional note."""

    reason = forms.CharField(
        label=_("Précisions (facultatif)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
