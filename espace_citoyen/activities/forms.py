"""Forms of the activities. Registration dossier: the parent's answers (a draft may be
incomplete; completeness is checked on submit) and an optional upload into the vault."""

from django import forms
from django.core.exceptions import ValidationError

from espace_citoyen.documents.models import DocumentType
from espace_citoyen.documents.selectors import vault_usage
from espace_citoyen.documents.validation import check_quota, inspect_upload

from .models import Activity
from .selectors import dossiers as dossier_selectors

YES_NO = [("oui", "Oui"), ("non", "Non")]


def _to_bool(value):
    return {"oui": True, "non": False}.get(value)


def _from_bool(value):
    return {True: "oui", False: "non"}.get(value, "")


class ActivityChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class DocumentChoiceField(forms.ModelMultipleChoiceField):
    user = None  # the parent filling the form: another adult's document says who attached it

    def label_from_instance(self, obj):
        label = f"{obj.label} ({obj.get_doc_type_display()})"
        if self.user is not None and obj.owner_id != self.user.pk:
            owner = obj.owner.get_full_name().strip() or "un autre adulte du foyer"
            label += f", jointe au dossier par {owner}"
        return label


class DossierForm(forms.Form):
    activities = ActivityChoiceField(
        label="Activités choisies", queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choisissez des activités dans la liste proposée."},
    )
    health_notes = forms.CharField(
        label="Informations de santé à signaler (facultatif)", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000, help_text="Traitement en cours, régime alimentaire, précautions particulières…",
    )
    health_confirmed = forms.BooleanField(
        label="J'ai vérifié la fiche sanitaire de mon enfant et ces informations sont exactes", required=False,
    )
    photo_consent = forms.ChoiceField(label="J'autorise la mairie à photographier mon enfant lors des activités",
                                      choices=YES_NO, required=False, widget=forms.RadioSelect)
    may_leave_alone = forms.ChoiceField(label="Mon enfant est autorisé à partir seul à la fin des activités",
                                        choices=YES_NO, required=False, widget=forms.RadioSelect)
    emergency_care_consent = forms.ChoiceField(
        label="J'autorise les équipes à faire soigner mon enfant en urgence (SAMU, hôpital)",
        choices=YES_NO, required=False, widget=forms.RadioSelect)
    documents = DocumentChoiceField(
        label="Pièces de mon coffre-fort jointes au dossier", queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Ce document n'est pas dans votre coffre-fort."},
    )
    new_file = forms.FileField(
        label="Ajouter une pièce à mon coffre-fort (facultatif)", required=False,
        help_text="PDF, JPEG ou PNG. Elle sera enregistrée dans vos documents et jointe au dossier.",
        error_messages={"empty": "Le fichier envoyé est vide.",
                        "invalid": "Le fichier n'a pas pu être lu : choisissez-le à nouveau."},
    )
    new_doc_type = forms.ChoiceField(label="Type de la pièce ajoutée", required=False,
                                     choices=[("", "Choisissez un type")] + DocumentType.choices)
    new_label = forms.CharField(label="Nom de la pièce ajoutée", required=False, max_length=120)

    RADIO_FIELDS = ("photo_consent", "may_leave_alone", "emergency_care_consent")

    def __init__(self, *args, user, child, school_year, dossier=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        offered = dossier_selectors.offered_activities(child=child, school_year=school_year)
        self.fields["activities"].queryset = self.offered_queryset(offered)
        self.fields["documents"].queryset = dossier_selectors.attachable_documents(user=user, dossier=dossier)
        self.fields["documents"].user = user
        self.offered = offered

    @staticmethod
    def offered_queryset(offered):
        return Activity.objects.filter(pk__in=[a.pk for a in offered]).order_by("name")

    @classmethod
    def initial_for(cls, dossier, child) -> dict:
        health = dossier.health_notes
        return {
            "activities": list(dossier.activities.all()),
            "health_notes": health,
            "health_confirmed": dossier.health_confirmed,
            "photo_consent": _from_bool(dossier.photo_consent),
            "may_leave_alone": _from_bool(dossier.may_leave_alone),
            "emergency_care_consent": _from_bool(dossier.emergency_care_consent),
            "documents": list(dossier.documents.all()),
        }

    def clean(self):
        data = super().clean()
        upload = data.get("new_file")
        if upload:
            if not data.get("new_doc_type"):
                self.add_error("new_doc_type", "Choisissez le type de la pièce ajoutée.")
            if not (data.get("new_label") or "").strip():
                self.add_error("new_label", "Donnez un nom à la pièce ajoutée.")
            try:
                inspect_upload(upload)

                check_quota(used=vault_usage(user=self.user), incoming=upload.size)
            except ValidationError as error:
                self.add_error("new_file", error)
        for name in self.RADIO_FIELDS:
            data[name] = _to_bool(data.get(name))
        return data
