"""Forms of the Régie's back office: a payment received at the desk, a credit note, a monthly
run, a household's quotient, the accounting exports. Amounts are typed in euros and kept in
cents (core.money.EurosFormField)."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from espace_citoyen.activities.models import SchoolYear
from espace_citoyen.core.business_calendar import format_month
from espace_citoyen.core.money import EurosFormField, format_cents

from .models import DESK_PAYMENT_METHODS, PaymentMethod

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PaymentForm(forms.Form):
    amount_cents = EurosFormField(label="Montant reçu", min_cents=1, help_text="En euros, par exemple 12,50.")
    method = forms.ChoiceField(label="Moyen de paiement", choices=DESK_PAYMENT_METHODS, widget=forms.RadioSelect)
    received_on = forms.DateField(label="Reçu le", widget=DATE_INPUT, initial=timezone.localdate)
    cheque_number = forms.CharField(label="Numéro du chèque", max_length=30, required=False,
                                    help_text="Obligatoire pour un chèque.")
    bank = forms.CharField(label="Banque", max_length=100, required=False, help_text="Obligatoire pour un chèque.")
    reference = forms.CharField(label="Référence du virement ou du ticket de carte", max_length=100, required=False)

    def __init__(self, *args, balance_cents: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount_cents"].help_text = f"En euros. Reste à payer : {format_cents(balance_cents)}."
        if not self.is_bound:
            self.initial.setdefault("amount_cents", balance_cents)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("method") == PaymentMethod.CHEQUE:
            for name, label in (("cheque_number", "le numéro du chèque"), ("bank", "la banque")):
                if not (cleaned.get(name) or "").strip():
                    self.add_error(name, f"Pour un chèque, indiquez {label}.")
        received_on = cleaned.get("received_on")
        if received_on and received_on > timezone.localdate():
            self.add_error("received_on", "La date de réception ne peut pas être dans le futur.")
        return cleaned


class CreditNoteForm(forms.Form):
    lines = forms.MultipleChoiceField(label="Jours à rembourser", widget=forms.CheckboxSelectMultiple,
                                      error_messages={"required": "Cochez au moins un jour de la facture."})
    reason = forms.CharField(label="Motif de l'avoir", max_length=300,
                             help_text="Montré à la famille sur l'avoir, par exemple « Absence justifiée par un "
                                       "certificat médical ».",
                             error_messages={"required": "Indiquez le motif de l'avoir."})

    def __init__(self, *args, lines, creditable: dict[int, int], proposed: set[int] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].choices = [
            (str(line.pk), f"{line.child_name} – {line.activity_name} – {line.date:%d/%m/%Y} – "
                           f"{format_cents(creditable[line.pk])}")
            for line in lines if creditable.get(line.pk, 0) > 0
        ]
        if not self.is_bound and proposed:
            self.initial["lines"] = [str(pk) for pk in proposed]

    def selected(self) -> dict[int, None]:
        return {int(pk): None for pk in self.cleaned_data["lines"]}


def ended_months(*, today: datetime.date | None = None, count: int = 18) -> list[datetime.date]:
    today = today or timezone.localdate()
    month = today.replace(day=1)
    months = []
    for _ in range(count):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
        months.append(month)
    return months


class RunForm(forms.Form):
    month = forms.ChoiceField(label="Mois à facturer",
                              help_text="Seul un mois terminé peut être facturé. L'aperçu n'enregistre rien.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        months = ended_months()
        self.fields["month"].choices = [(f"{m:%Y-%m}", format_month(m.year, m.month).capitalize()) for m in months]
        self.initial.setdefault("month", f"{months[0]:%Y-%m}")

    def clean_month(self) -> datetime.date:
        return datetime.datetime.strptime(self.cleaned_data["month"], "%Y-%m").date()


class QuotientForm(forms.Form):
    school_year = forms.ModelChoiceField(label="Année scolaire", queryset=None, empty_label=None)
    quotient = forms.IntegerField(label="Quotient familial (en euros)", min_value=0, max_value=100_000,
                                  help_text="Tel qu'il figure sur l'attestation CAF, ou calculé depuis l'avis "
                                            "d'imposition.")
    certificate = forms.ChoiceField(label="Justificatif transmis par la famille", required=False)
    note = forms.CharField(label="Commentaire", max_length=200, required=False,
                           help_text="Obligatoire sans justificatif transmis (par exemple : attestation présentée "
                                     "au guichet).")

    def __init__(self, *args, certificates: list[tuple], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_year"].queryset = SchoolYear.objects.order_by("-starts_on")
        today = timezone.localdate()
        current = SchoolYear.objects.filter(starts_on__lte=today, ends_on__gte=today).first()
        if current and not self.is_bound:
            self.initial.setdefault("school_year", current.pk)
        self.certificates = {f"{document.pk}-{demarche.pk}": (document, demarche) for document, demarche in certificates}
        self.fields["certificate"].choices = [("", "Aucun (justificatif présenté au guichet)")] + [
            (key, f"{document.label} ({document.get_doc_type_display()}), démarche {demarche.number} du "
                  f"{demarche.created_at:%d/%m/%Y}") for key, (document, demarche) in self.certificates.items()]
        if certificates and not self.is_bound:
            self.initial.setdefault("certificate", next(iter(self.certificates)))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("certificate") and not (cleaned.get("note") or "").strip():
            self.add_error("note", "Sans justificatif transmis, indiquez d'où vient ce quotient.")
        return cleaned

    def document_and_demarche(self):
        return self.certificates.get(self.cleaned_data.get("certificate") or "", (None, None))


class ExportKind:
    INVOICES = "factures"
    CREDIT_NOTES = "avoirs"
    PAYMENTS = "paiements"
    UNPAID = "impayes"
    CHOICES = [
        (INVOICES, "Factures émises sur la période"),
        (CREDIT_NOTES, "Avoirs émis sur la période"),
        (PAYMENTS, "Paiements reçus sur la période"),
        (UNPAID, "Factures impayées dont l'échéance est avant la date de fin (à transmettre au Trésor public)"),
    ]


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label="Export", choices=ExportKind.CHOICES, widget=forms.RadioSelect,
                             initial=ExportKind.INVOICES)
    start = forms.DateField(label="Du", widget=DATE_INPUT, required=False,
                            help_text="Premier jour inclus (sans objet pour les impayés).")
    end = forms.DateField(label="Au", widget=DATE_INPUT, help_text="Dernier jour inclus.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        last_month = ended_months(count=1)[0]
        self.initial.setdefault("start", last_month)
        self.initial.setdefault("end", timezone.localdate().replace(day=1) - datetime.timedelta(days=1))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if cleaned.get("kind") != ExportKind.UNPAID:
            if not start:
                self.add_error("start", "Indiquez le premier jour de la période.")
            elif end and start > end:
                self.add_error("end", "La fin de la période doit suivre son début.")
        return cleaned
