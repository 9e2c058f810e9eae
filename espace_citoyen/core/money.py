"""Money of the citizen space: integer cents, euros, written the French way.

``format_cents(1250)`` → "12,50 €" and ``format_cents(123456)`` → "1 234,56 €", with
no-break spaces (U+00A0) between the thousands and before the euro sign, so that an amount
never breaks across two lines (pages, PDFs, e-mails). Templates: ``{% load money %}`` then
``{{ invoice.total_cents|euros }}``."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst

NBSP = "\u00a0"


def format_cents(cents: int | None, *, sign: bool = False) -> str:
    """French text of an amount in cents; "" for None. ``sign=True`` writes "+" before a
    positive amount (a minus is always written, as "−" would not survive every PDF font)."""
    if cents is None:
        return ""
    cents = int(cents)
    negative = cents < 0
    euros, rest = divmod(abs(cents), 100)
    grouped = f"{euros:,}".replace(",", NBSP)
    prefix = "-" if negative else ("+" if sign and cents > 0 else "")
    return f"{prefix}{grouped},{rest:02d}{NBSP}€"


def parse_euros(text: str) -> int:
    """Cents of an amount typed by an agent: "12,50", "12.5", "1 234,50 €", "12" → 1250…
    Raises ValueError on anything else (negative amounts included)."""
    cleaned = (text or "").replace("€", "").replace(NBSP, "").replace("\u202f", "").replace(" ", "").strip()
    if not cleaned or cleaned.startswith(("-", "+")):
        raise ValueError(text)
    cleaned = cleaned.replace(",", ".")
    if cleaned.count(".") > 1:
        raise ValueError(text)
    whole, _, decimals = cleaned.partition(".")
    if not whole.isdigit() and not (whole == "" and decimals):
        raise ValueError(text)
    if decimals and (not decimals.isdigit() or len(decimals) > 2):
        raise ValueError(text)
    return int(whole or "0") * 100 + int((decimals + "00")[:2] or "0")


# --- Fields: cents in the database, euros in the forms ----------------------------------



class EurosFormField(forms.CharField):
    """A form field where an agent types euros ("12,50"); its value is integer cents."""

    default_error_messages = {
        "invalid": "Saisissez un montant en euros, par exemple 12,50.",
    }

    def __init__(self, *, min_cents: int = 0, max_cents: int | None = None, **kwargs):
        self.min_cents, self.max_cents = min_cents, max_cents
        kwargs.setdefault("help_text", "En euros, par exemple 3,85.")
        kwargs.pop("max_length", None)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")
        self.widget.attrs.setdefault("autocomplete", "off")

    def prepare_value(self, value):
        if isinstance(value, int):
            return format_cents(value).replace(NBSP + "€", "").replace(NBSP, " ")
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            cents = parse_euros(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if cents < self.min_cents:
            raise ValidationError(f"Le montant doit être d'au moins {format_cents(self.min_cents)}.", code="min")
        if self.max_cents is not None and cents > self.max_cents:
            raise ValidationError(f"Le montant ne peut pas dépasser {format_cents(self.max_cents)}.", code="max")
        return cents


class CentsField(models.PositiveIntegerField):
    """An amount in integer cents (EUR); model forms (the Wagtail admin's included) show
    and take it in euros."""

    def formfield(self, **kwargs):
        defaults = {"form_class": EurosFormField, "required": not self.blank, "label": capfirst(self.verbose_name),
                    "help_text": self.help_text or "En euros, par exemple 3,85."}
        defaults.update({key: value for key, value in kwargs.items() if key in ("required", "label", "initial")})
        return EurosFormField(**{k: v for k, v in defaults.items() if k != "form_class"})
