"""Forms of the Portail Famille migration's back office: the decisions of "Familles à rapprocher"."""

from django import forms
from django.utils.translation import gettext_lazy as _

from espace_citoyen.accounts.models import normalize_email_address

from .selectors import account_for_email


class ReconciliationSeparateForm(forms.Form):
    """"Importer dans un foyer à part": optionally another address for the parent whose address
    in the file is the existing account's."""

    email = forms.EmailField(
        label=_("Autre adresse e-mail pour ce parent (facultatif)"), required=False,
        help_text=_("Vérifiée avec la famille : un compte « à activer » est créé à cette adresse et le courriel "
                    "d'activation y part. Sans adresse, ce parent n'a pas de compte (comme un parent sans adresse "
                    "e-mail) ; l'autre parent et les enfants sont importés comme d'habitude."),
        error_messages={"invalid": _("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.")},
    )

    def clean_email(self):
        email = normalize_email_address(self.cleaned_data["email"])
        if email and account_for_email(email) is not None:
            raise forms.ValidationError(_("Cette adresse e-mail est déjà utilisée par un autre compte."))
        if email and not email.partition("@")[0].isascii():
            raise forms.ValidationError(_("Saisissez une adresse e-mail sans accent avant « @ »."))
        return email


class ReconciliationRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Envoyé tel quel au titulaire du compte, avec le numéro de la mairie. Rien n'est importé pour "
                    "cette famille, ni maintenant ni par les imports suivants."),
        error_messages={"required": _("Indiquez le motif : il est envoyé au titulaire du compte.")},
    )
