from django import forms
from django.utils.translation import gettext_lazy as _

from espace_citoyen.core.widgets import KeptSelect

from .models import COMMENT_REQUIRED_STATUSES, DemarcheKind, DemarcheService, DemarcheStatus
from .services import MAX_REPLY_LENGTH


class DemarcheFilterForm(forms.Form):
    """The filters of the citizen's history (GET)."""

    etat = forms.ChoiceField(
        label=_("État"), required=False, choices=[("", _("Tous les états")), *DemarcheStatus.choices],
        widget=KeptSelect,
    )
    type = forms.ChoiceField(
        label=_("Type de démarche"), required=False, choices=[("", _("Tous les types")), *DemarcheKind.choices],
        widget=KeptSelect,
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {"status": "", "kind": ""}
        return {"status": self.cleaned_data["etat"], "kind": self.cleaned_data["type"]}


class DemarcheReplyForm(forms.Form):
    message = forms.CharField(
        label=_("Votre réponse au service"),
        max_length=MAX_REPLY_LENGTH,
        help_text=_("Donnez les informations demandées. Pour joindre un justificatif, déposez-le dans "
                    "« Mes documents » puis transmettez-le au service."),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("Écrivez votre réponse au service."),
            "max_length": _("Votre réponse dépasse %(limit_value)d caractères (elle en compte %(show_value)d)."),
        },
    )


class DemarcheAdminFilterForm(forms.Form):
    q = forms.CharField(label=_("Rechercher (numéro, nom, adresse e-mail)"), required=False)
    etat = forms.ChoiceField(label=_("État"), required=False, choices=[("", _("Tous")), *DemarcheStatus.choices],
                             widget=KeptSelect)
    type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("Tous")), *DemarcheKind.choices],
                             widget=KeptSelect)
    service = forms.ChoiceField(label=_("Service"), required=False, choices=[("", _("Tous"))], widget=KeptSelect)
    en_retard = forms.BooleanField(label=_("Seulement les démarches en retard"), required=False)

    def __init__(self, *args, services: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("Tous"))] + [
            (value, label) for value, label in DemarcheService.choices if value in services
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"query": data["q"], "status": data["etat"], "kind": data["type"], "service": data["service"],
                "overdue_only": data["en_retard"]}


class DemarcheStatusForm(forms.Form):
    """"Changer l'état": only the moves allowed from the current status."""

    status = forms.ChoiceField(
        label=_("Nouvel état"), error_messages={
            "required": _("Choisissez le nouvel état."),
            "invalid_choice": _("Cet état n'est pas possible depuis l'état actuel de la démarche."),
        },
    )
    comment = forms.CharField(
        label=_("Commentaire pour la personne"), required=False, max_length=5000,
        help_text=_("Envoyé par courriel et visible dans son espace. Obligatoire pour « À compléter » et « Refusée »."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, demarche, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Choisir…"))] + [
            (status.value, status.label) for status in demarche.allowed_next_statuses
        ]

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        if status in COMMENT_REQUIRED_STATUSES and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("Un commentaire est obligatoire pour « %(status)s » : expliquez à la "
                                        "personne ce qu'elle doit faire ou pourquoi.")
                           % {"status": DemarcheStatus(status).label})
        return cleaned
