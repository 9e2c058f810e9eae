"""Forms of the vault. File checks live in validation.py (shared with services)."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from espace_citoyen.core.services_map import TownService
from espace_citoyen.core.widgets import KeptSelect

from . import selectors
from .models import DocumentType
from espace_citoyen.core.formats import format_size

from .validation import check_quota, inspect_upload

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("Saisissez une date valide au format jj/mm/aaaa, par exemple 31/12/2026.")}


class _DocumentFieldsForm(forms.Form):
    label = forms.CharField(
        label=_("Nom du document"), max_length=120,
        help_text=_("Par exemple « Attestation CAF janvier 2026 ». 120 caractères au plus."),
        error_messages={"required": _("Donnez un nom à ce document."),
                        "max_length": _("Le nom ne peut pas dépasser 120 caractères.")},
    )
    doc_type = forms.ChoiceField(
        label=_("Type de document"), choices=[("", _("Choisissez un type"))] + DocumentType.choices,
        error_messages={"required": _("Choisissez le type de document."),
                        "invalid_choice": _("Choisissez un type de document dans la liste.")},
    )
    valid_until = forms.DateField(
        label=_("Valable jusqu'au (facultatif)"), required=False, widget=DATE_INPUT,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"], error_messages=DATE_ERRORS,
        help_text=_("Nous vous préviendrons par courriel avant cette date. Format jj/mm/aaaa."),
    )

    def clean_label(self):
        label = self.cleaned_data["label"].strip()
        if not label:
            raise ValidationError(_("Donnez un nom à ce document."))
        return label


class DocumentUploadForm(_DocumentFieldsForm):
    file = forms.FileField(
        label=_("Fichier"),
        error_messages={"required": _("Choisissez le fichier à ajouter."), "empty": _("Le fichier envoyé est vide."),
                        "invalid": _("Le fichier n'a pas pu être lu : choisissez-le à nouveau.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )
    field_order = ["file", "doc_type", "label", "valid_until"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["file"].help_text = _(
            "Formats acceptés : PDF, JPEG ou PNG, %(max)s au plus par fichier."
        ) % {"max": format_size(settings.ESPACE_CITOYEN_DOCUMENT_MAX_BYTES)}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.cleaned_data["content_type"] = inspect_upload(upload)
        check_quota(used=selectors.vault_usage(user=self.user), incoming=upload.size)
        return upload


class DocumentEditForm(_DocumentFieldsForm):
    pass


class DocumentTypeFilterForm(forms.Form):
    type = forms.ChoiceField(label=_("Type de document"), required=False,
                             choices=[("", _("Tous les types"))] + DocumentType.choices, widget=KeptSelect)


class DocumentTransmitForm(forms.Form):
    documents = forms.ModelMultipleChoiceField(
        label=_("Documents à transmettre"), queryset=None, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Cochez au moins un document à transmettre."),
                        "invalid_choice": _("Ce document ne fait pas partie de votre espace."),
                        "invalid_pk_value": _("Ce document ne fait pas partie de votre espace.")},
    )
    service = forms.ChoiceField(
        label=_("Service destinataire"), choices=TownService.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez le service à qui transmettre vos documents."),
                        "invalid_choice": _("Choisissez un service dans la liste.")},
    )
    message = forms.CharField(
        label=_("Message au service (facultatif)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Précisez par exemple la démarche concernée. 2 000 caractères au plus."),
        error_messages={"max_length": _("Le message ne peut pas dépasser 2 000 caractères.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].queryset = selectors.documents_for(user=user)
        self.fields["documents"].label_from_instance = lambda d: f"{d.label} ({d.get_doc_type_display()})"
