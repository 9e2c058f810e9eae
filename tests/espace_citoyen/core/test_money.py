"""Money helpers (core/money.py): integer cents written the French way, euros typed by agents."""

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from espace_citoyen.core.money import CentsField, EurosFormField, format_cents, parse_euros

NBSP = "\u00a0"


@pytest.mark.parametrize("cents, text", [(0, "0,00 €"), (5, "0,05 €"), (1250, "12,50 €"), (123456, "1 234,56 €"),
                                         (-430, "-4,30 €"), (100000000, "1 000 000,00 €")])
def test_format(cents, text):
    assert format_cents(cents) == text.replace(" ", NBSP)


def test_format_none_and_sign():
    assert format_cents(None) == ""
    assert format_cents(100, sign=True) == f"+1,00{NBSP}€"


@pytest.mark.parametrize("text, cents", [("12,50", 1250), ("12.5", 1250), ("12", 1200), ("1 234,50 €", 123450),
                                         (f"3,85{NBSP}€", 385), (",5", 50), ("0", 0)])
def test_parse(text, cents):
    assert parse_euros(text) == cents


@pytest.mark.parametrize("text", ["", "-3", "+3", "1,234", "abc", "1.2.3", "12,5x"])
def test_parse_refuses(text):
    with pytest.raises(ValueError):
        parse_euros(text)


def test_template_filter():
    assert Template("{% load money %}{{ value|euros }}").render(Context({"value": 385})) == f"3,85{NBSP}€"
    assert Template("{% load money %}{{ value|euros }}").render(Context({"value": None})) == ""


def test_form_field():
    field = EurosFormField(min_cents=1, max_cents=1000)
    assert field.clean("3,85") == 385
    assert field.prepare_value(385) == "3,85"
    for bad, message in (("abc", "Saisissez un montant"), ("0", "au moins"), ("10,01", "dépasser")):
        with pytest.raises(ValidationError, match=message):
            field.clean(bad)


def test_model_field_forms_in_euros():
    field = CentsField(verbose_name="prix par jour").formfield()
    assert isinstance(field, EurosFormField) and field.label == "Prix par jour" and field.required
