"""Back-office forms of the catalogue and the attendance sheet."""

from django import forms
from django.forms.models import ModelChoiceIterator
from wagtail.admin.forms import WagtailAdminModelForm

from espace_citoyen.core.widgets import KeptSelect
from espace_citoyen.documents.models import DocumentType

from ..models import WEEKDAY_LABELS, Activity, AttendanceStatus, Occurrence

WEEKDAY_CHOICES = [(str(i), label.capitalize()) for i, label in enumerate(WEEKDAY_LABELS)]


class ActivityAdminForm(WagtailAdminModelForm):
    """Weekdays as checkboxes, classes and required documents as plain inputs."""

    weekdays = forms.MultipleChoiceField(label="Jours de la semaine", choices=WEEKDAY_CHOICES,
                                         widget=forms.CheckboxSelectMultiple, required=False)
    classes = forms.CharField(label="Classes", required=False,
                              help_text="Séparées par des virgules, par exemple : CP, CE1 (vide : toutes les classes).")
    required_documents = forms.MultipleChoiceField(label="Pièces demandées au dossier", required=False,
                                                   choices=DocumentType.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Activity
        fields = ["school_year", "name", "weekdays", "period", "schools", "classes", "capacity", "booking_rule",
                  "required_documents", "is_active", "childcare"]
        widgets = {"schools": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["weekdays"] = [str(d) for d in self.instance.weekdays or []]
            self.initial["classes"] = ", ".join(self.instance.classes or [])

    def clean_weekdays(self):
        return sorted(int(d) for d in self.cleaned_data["weekdays"])

    def clean_classes(self):
        return [part.strip() for part in (self.cleaned_data["classes"] or "").split(",") if part.strip()]


class OccurrenceAdminForm(WagtailAdminModelForm):
    """A day of activity: its capacity never goes below the places already booked (the
    CHECK constraint would refuse it with a server error); booked_count is never written
    from the form (a booking made while the agent edits is kept)."""

    class Meta:
        model = Occurrence
        fields = ["activity", "date", "capacity"]

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if capacity is None or not self.instance.pk:
            return capacity
        booked = Occurrence.objects.filter(pk=self.instance.pk).values_list("booked_count", flat=True).first() or 0
        if capacity < booked:
            raise forms.ValidationError(
                f"{booked} place(s) sont déjà réservées ce jour-là : le nombre de places ne peut pas être "
                f"inférieur à {booked}. Annulez d'abord des réservations ou fermez ce jour.")
        return capacity

    def save(self, commit=True):
        if not (commit and self.instance.pk):
            return super().save(commit=commit)
        fields = list(self._meta.fields)
        self.instance.save(update_fields=fields)
        self._save_m2m()
        return self.instance


class OccurrenceCloseForm(forms.Form):
    reason = forms.CharField(label="Motif de la fermeture", max_length=200,
                             help_text="Par exemple : grève, sortie scolaire. Il est indiqué aux familles.",
                             error_messages={"required": "Indiquez le motif de la fermeture."})


class AttendanceMarkForm(forms.Form):
    status = forms.ChoiceField(label="Présence", choices=AttendanceStatus.choices,
                               error_messages={"required": "Choisissez la présence.",
                                               "invalid_choice": "Choisissez la présence."})
    justification = forms.ModelChoiceField(label="Certificat médical", queryset=None, required=False,
                                           empty_label="— aucun —")

    def __init__(self, *args, certificates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["justification"].queryset = certificates

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == AttendanceStatus.JUSTIFIED and not cleaned.get("justification"):
            self.add_error("justification", "Choisissez le certificat médical qui justifie l'absence.")
        return cleaned


class _ChoicesInOneQuery(ModelChoiceIterator):
    """The choices read by one plain query. Django's own iterator uses `.iterator()`, which
    on PostgreSQL opens a server-side cursor (DECLARE, FETCH, CLOSE: three round trips):
    1.6 ms of the attendance list for 8 activities (3 December 2026)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class _ActivityChoiceField(forms.ModelChoiceField):
    iterator = _ChoicesInOneQuery


class AttendanceFilterForm(forms.Form):
    activity = _ActivityChoiceField(label="Activité", queryset=Activity.objects.select_related("school_year"),
                                    required=False, empty_label="Toutes les activités", widget=KeptSelect)
    date = forms.DateField(label="Jour", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                           error_messages={"invalid": "Saisissez une date valide."})
