"""Forms of the child's agenda: the weekly pattern ("semaine type") booking."""

import datetime
import re

from django import forms

from espace_citoyen.documents.validation import inspect_upload

from .models import WEEKDAY_LABELS, AbsenceReason

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class PatternForm(forms.Form):
    activity = forms.ModelChoiceField(label="Activité", queryset=None, empty_label=None)
    weekdays = forms.TypedMultipleChoiceField(
        label="Jours de la semaine", coerce=int, widget=forms.CheckboxSelectMultiple,
        choices=[(i, WEEKDAY_LABELS[i].capitalize()) for i in range(7)],
        error_messages={"required": "Cochez au moins un jour de la semaine."},
    )
    start = forms.DateField(label="Du", input_formats=DATE_INPUT_FORMATS, help_text="Format : jj/mm/aaaa.",
                            error_messages={"required": "Indiquez la date de début.",
                                            "invalid": "Saisissez une date valide au format jj/mm/aaaa."})
    end = forms.DateField(label="Au", input_formats=DATE_INPUT_FORMATS, help_text="Format : jj/mm/aaaa.",
                          error_messages={"required": "Indiquez la date de fin.",
                                          "invalid": "Saisissez une date valide au format jj/mm/aaaa."})
    exceptions = forms.CharField(
        label="Sauf les jours suivants", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Facultatif : une date par ligne (ou séparées par des virgules), au format jj/mm/aaaa.",
    )
    children = forms.TypedMultipleChoiceField(
        label="Enfants concernés", coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins un enfant."},
    )

    def __init__(self, *args, activities, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = activities
        self.fields["activity"].error_messages["invalid_choice"] = "Choisissez une activité de la liste."
        self.fields["activity"].label_from_instance = lambda a: a.name
        self._children = {c.pk: c for c in children}
        self.fields["children"].choices = [(c.pk, self.child_label(c)) for c in children]

    @staticmethod
    def child_label(child) -> str:
        """A parent picks among their own children: the first name says it."""
        return child.first_name

    def clean_exceptions(self) -> set[datetime.date]:
        raw = self.cleaned_data.get("exceptions", "")
        dates, bad = set(), []
        for token in filter(None, (t.strip() for t in re.split(r"[\n,;]+", raw))):
            for fmt in DATE_INPUT_FORMATS:
                try:
                    dates.add(datetime.datetime.strptime(token, fmt).date())
                    break
                except ValueError:
                    continue
            else:
                bad.append(token)
        if bad:
            raise forms.ValidationError(
                "Ces dates ne sont pas au format jj/mm/aaaa : " + ", ".join(bad) + ".")
        return dates

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "La date de fin doit être postérieure ou égale à la date de début.")
        return data

    def selected_children(self):
        return [self._children[pk] for pk in self.cleaned_data.get("children", [])]


class AgentPatternForm(PatternForm):
    """The weekly pattern booked by an agent for a family: a reason is required (it is told to
    the family and kept on each booking)."""

    reason = forms.CharField(
        label="Motif (transmis à la famille)", max_length=200,
        help_text="Par exemple : inscription faite au guichet, la famille n'a pas d'accès à Internet.",
        error_messages={"required": "Indiquez le motif de la dérogation.",
                        "max_length": "Le motif ne doit pas dépasser 200 caractères."},
    )

    @staticmethod
    def child_label(child) -> str:
        """An agent sees every family: "Bernard Chloé – CM1, École des Tilleuls", so that two
        children of the same first name (or a household's twins) never look alike."""
        where = ", ".join(part for part in (child.school_class, child.school) if part)
        return f"{child.last_name} {child.first_name}" + (f" – {where}" if where else " – classe non renseignée")


class AbsenceForm(forms.Form):
    """ "Signaler une absence": the day's locked bookings to report, a reason, and an optional
    medical certificate, from the parent's vault or uploaded on the spot (not both)."""

    reservations = forms.TypedMultipleChoiceField(
        label="Activités concernées", coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins une activité de ce jour.",
                        "invalid_choice": "Cochez une activité de la liste."},
    )
    reason = forms.ChoiceField(
        label="Motif de l'absence", choices=AbsenceReason.choices, widget=forms.RadioSelect,
        error_messages={"required": "Indiquez le motif de l'absence.",
                        "invalid_choice": "Choisissez un motif de la liste."},
    )
    details = forms.CharField(
        label="Précisions (facultatif)", required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Par exemple : rendez-vous chez l'orthophoniste à 11 h. 300 caractères au plus.",
        error_messages={"max_length": "Les précisions ne doivent pas dépasser 300 caractères."},
    )
    certificate = forms.ModelChoiceField(
        label="Certificat médical de votre coffre-fort (facultatif)", queryset=None, required=False,
        empty_label="— aucun —", error_messages={"invalid_choice": "Choisissez un certificat de la liste."},
    )
    new_certificate = forms.FileField(
        label="Ou joindre un certificat médical maintenant (facultatif)", required=False,
        help_text="PDF, JPEG ou PNG. Il est ajouté à votre coffre-fort et transmis au Pôle scolaire.",
        error_messages={"empty": "Le fichier envoyé est vide.",
                        "invalid": "Le fichier n'a pas pu être lu : choisissez-le à nouveau."},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args, reservations, certificates, **kwargs):
        super().__init__(*args, **kwargs)
        self._reservations = {r.pk: r for r in reservations}
        self.fields["reservations"].choices = [(r.pk, r.occurrence.activity.name) for r in reservations]
        self.fields["certificate"].queryset = certificates
        self.fields["certificate"].label_from_instance = (
            lambda d: f"{d.label} (ajouté le {d.uploaded_at:%d/%m/%Y})")

    def clean_new_certificate(self):
        upload = self.cleaned_data.get("new_certificate")
        if upload:
            inspect_upload(upload)  # type by content and size: a French ValidationError
        return upload

    def clean(self):
        data = super().clean()
        if data.get("certificate") and data.get("new_certificate"):
            self.add_error("new_certificate", "Choisissez un certificat de votre coffre-fort ou joignez-en un "
                                              "nouveau, pas les deux.")
        return data

    def selected_reservations(self):
        return [self._reservations[pk] for pk in self.cleaned_data.get("reservations", [])]
