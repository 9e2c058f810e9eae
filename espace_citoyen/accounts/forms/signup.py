"""The creation wizard ("Je n'ai pas d'espace" → Créer mon espace): three steps; required fields
are starred by the templates (templates/accounts/signup/). Mes coordonnées reuses the contact step.
The agents' refusal of a request."""

from django import forms
from django.contrib.auth import password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from localflavor.fr.forms import FRDepartmentSelect

from espace_citoyen.core.validation import clean_phone_number, process_photo, validate_single_line

from ..models import Civility, ContactMethod, normalize_email_address
from .passwords import PASSWORD_MISMATCH


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


class ContactDetailsForm(SignupContactForm):
    """"Mes coordonnées": the wizard's contact fields. A new e-mail address is not applied
    here: services.email_change_request sends a confirmation link to it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.label = _("Courriel (identifiant de connexion)")
        email.help_text = _("Format attendu : nom@exemple.fr. Une nouvelle adresse ne remplace l'actuelle qu'après "
                            "confirmation par le lien que nous y envoyons.")


class AccountRefusalForm(forms.Form):
    """Back office: the reason of a refusal, e-mailed to the citizen."""

    reason = forms.CharField(
        label=_("Motif du refus"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Il est envoyé tel quel à la personne, avec le numéro de la mairie."),
        error_messages=_required(_("Indiquez le motif du refus : il est envoyé à la personne.")),
    )
