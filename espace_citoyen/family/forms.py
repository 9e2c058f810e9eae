"""Forms of the family pages. Every message is in French; what the parent typed is kept."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils import timezone

from espace_citoyen.core.validation import clean_phone_number, process_photo, validate_single_line

from .models import Child, Sex

MAX_CHILD_AGE_YEARS = 25
MAX_PERSONS = 8


class ChildForm(forms.ModelForm):
    sex = forms.ChoiceField(label="Sexe", choices=Sex.choices, widget=forms.RadioSelect,
                            error_messages={"required": "Indiquez le sexe de l'enfant."})
    birth_date = forms.DateField(
        label="Date de naissance", help_text="Format : jj/mm/aaaa, par exemple 03/05/2017.",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"], widget=forms.DateInput(format="%d/%m/%Y", attrs={"autocomplete": "off"}),
        error_messages={"required": "Indiquez la date de naissance de l'enfant.",
                        "invalid": "Saisissez une date au format jj/mm/aaaa, par exemple 03/05/2017."},
    )
    photo = forms.ImageField(
        label="Photo (facultative)", required=False,
        help_text="Format JPEG ou PNG, 5 Mo au plus. Elle n'est visible que des adultes du foyer et des services.",
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png"}),
        error_messages={"invalid_image": "Ce fichier n'est pas une image JPEG ou PNG lisible."},
    )
    remove_photo = forms.BooleanField(label="Supprimer la photo actuelle", required=False)
    has_pai = forms.BooleanField(label="Mon enfant a un PAI (projet d'accueil individualisé)", required=False)

    class Meta:
        model = Child
        fields = ["first_name", "last_name", "sex", "birth_date", "school", "school_class", "photo",
                  "allergies", "has_pai", "pai_details", "doctor_name", "doctor_phone"]
        labels = {
            "first_name": "Prénom", "last_name": "Nom", "school": "École", "school_class": "Classe",
            "allergies": "Allergies (alimentaires, médicamenteuses…)", "pai_details": "Détails du PAI",
            "doctor_name": "Nom du médecin traitant", "doctor_phone": "Téléphone du médecin traitant",
        }
        help_texts = {
            "school": "Par exemple : École élémentaire des Tilleuls.",
            "school_class": "Par exemple : CP, CE2, moyenne section.",
            "allergies": "Laissez vide si votre enfant n'a pas d'allergie connue.",
            "pai_details": "Traitement, conduite à tenir, médecin qui a établi le PAI.",
            "doctor_phone": "Par exemple : 01 39 75 00 00.",
        }
        error_messages = {
            "first_name": {"required": "Indiquez le prénom de l'enfant."},
            "last_name": {"required": "Indiquez le nom de l'enfant."},
        }
        widgets = {
            "allergies": forms.Textarea(attrs={"rows": 3}),
            "pai_details": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "school", "school_class", "doctor_name"):
            self.fields[name].validators.append(validate_single_line)
        self.fields["first_name"].widget.attrs["autocomplete"] = "off"
        self.fields["last_name"].widget.attrs["autocomplete"] = "off"
        self.fields["doctor_phone"].widget.attrs.update({"type": "tel", "autocomplete": "off"})
        if not (self.instance.pk and self.instance.photo):
            del self.fields["remove_photo"]

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        today = timezone.localdate()
        if value > today:
            raise ValidationError("La date de naissance ne peut pas être dans le futur.")
        if value < datetime.date(today.year - MAX_CHILD_AGE_YEARS, today.month, 1):
            raise ValidationError(f"Vérifiez la date de naissance : l'enfant aurait plus de {MAX_CHILD_AGE_YEARS} ans.")
        return value

    def clean_doctor_phone(self):
        return clean_phone_number(self.cleaned_data.get("doctor_phone"))

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if not photo or not hasattr(photo, "size") or getattr(photo, "_committed", False):  # no new upload
            return None
        return process_photo(photo)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("has_pai") and not (cleaned.get("pai_details") or "").strip():
            self.add_error("pai_details", "Décrivez le PAI (traitement, conduite à tenir).")
        if not cleaned.get("has_pai"):
            cleaned["pai_details"] = ""
        return cleaned

    def child_data(self) -> dict:
        return {field: self.cleaned_data[field] for field in self.Meta.fields if field != "photo"}


class AuthorizedPersonForm(forms.Form):
    name = forms.CharField(label="Nom et prénom", max_length=150, validators=[validate_single_line],
                           error_messages={"required": "Indiquez le nom et le prénom de la personne."})
    relationship = forms.CharField(label="Lien avec l'enfant", max_length=80, validators=[validate_single_line],
                                   help_text="Par exemple : grand-mère, voisin, nounou.",
                                   error_messages={"required": "Indiquez le lien de cette personne avec l'enfant."})
    phone = forms.CharField(label="Téléphone", max_length=30,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
                            error_messages={"required": "Indiquez le téléphone de la personne."})

    def clean_phone(self):
        return clean_phone_number(self.cleaned_data.get("phone"))


class BaseAuthorizedPersonFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        # A row left entirely empty is ignored, whether it was shown filled or not.
        return {"empty_permitted": True, "use_required_attribute": False}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Retirer cette personne"

    def persons(self) -> list[dict]:
        """The filled rows not marked for removal."""
        return [
            {k: form.cleaned_data[k] for k in ("name", "relationship", "phone")}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


AuthorizedPersonFormSet = formset_factory(
    AuthorizedPersonForm, formset=BaseAuthorizedPersonFormSet, extra=0, can_delete=True, max_num=MAX_PERSONS,
    validate_max=True,
)
PERSONS_PREFIX = "personnes"


def persons_formset(data=None, *, child=None, add_row=False):
    """The authorized-persons formset: bound to POST data, or showing the child's persons
    (plus one empty row to fill). With add_row, one more empty row is added to the data."""
    if data is not None:
        if add_row:
            data = data.copy()
            key = f"{PERSONS_PREFIX}-TOTAL_FORMS"
            try:
                total = int(data.get(key, 0))
            except ValueError:
                total = 0
            data[key] = str(min(total + 1, MAX_PERSONS))
        return AuthorizedPersonFormSet(data, prefix=PERSONS_PREFIX)
    initial = []
    if child is not None:
        initial = [{"name": p.name, "relationship": p.relationship, "phone": p.phone}
                   for p in child.authorized_persons.all()]
    formset = AuthorizedPersonFormSet(initial=initial, prefix=PERSONS_PREFIX)
    formset.extra = 1 if len(initial) < MAX_PERSONS else 0
    return formset


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Adresse e-mail de l'autre parent", max_length=254,
        help_text="Il recevra un lien, valable 7 jours, pour rejoindre votre foyer avec son propre compte.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={"required": "Indiquez l'adresse e-mail de l'autre parent.",
                        "invalid": "Saisissez une adresse e-mail valide, par exemple prenom.nom@exemple.fr."},
    )
