"""Protection of CSV exports against formula injection ("CSV injection").

Parents type free text (children's names, allergies, PAI details, doctor, pick-up persons)
that staff export as CSV and open in Excel or LibreOffice Calc. A cell starting with one of
the characters below is read as a formula by those programs (``=HYPERLINK(...)`` leaks the
other cells, ``=cmd|...`` may run a command). Following OWASP, such a cell is prefixed with a
single quote, which spreadsheets show as text. Every CSV written from citizen (or agent) text
goes through :func:`csv_cell` / :func:`safe_row`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """``value`` prefixed with a quote if it is a string a spreadsheet would take for a
    formula; any other value (numbers, dates, None, safe strings) is returned unchanged.

    A negative number given as a string ("-3") is quoted too: the spreadsheet shows it as
    text, which is the accepted price of the protection."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A CSV row with every cell passed through :func:`csv_cell`."""
    return [csv_cell(value) for value in values]
