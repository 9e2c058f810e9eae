"""The `date` filter installed by espace_citoyen.core.date_filter gives Django's output:
for every format the templates use, in French and English, across the year and the
changes of time, and for what Django refuses or leaves empty."""

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template import Context, Template, engines
from django.template.base import Parser
from django.utils import formats, timezone, translation

from espace_citoyen.core import date_filter

ROOT = Path(settings.BASE_DIR)
PARIS = ZoneInfo("Europe/Paris")


def _template_formats() -> set[str]:
    """Every `|date:"..."` format written in the project's templates."""
    found = set()
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("espace_citoyen/*/templates/**/*.html"),
                 *ROOT.glob("home/templates/**/*.html")]:
        found.update(text for _quote, text in re.findall(r"""\|date:(["'])(.*?)\1""", path.read_text()))
    return found


TEMPLATE_FORMATS = sorted(_template_formats())
# Escapes, every supported specifier, and specifiers handed to Django (N, P, A, e, U...).
OTHER_FORMATS = [r"j \d\e F Y", r"\L\e l j F", "D d/m/y G:i:s", "n/j/y", "N j, Y, P", "A e U", "H\\h i"]
INSTANTS = [
    datetime.datetime(2026, month, day, hour, minute, tzinfo=datetime.UTC)
    for month in range(1, 13) for day, hour, minute in ((1, 0, 5), (9, 11, 30), (28, 23, 59))
] + [
    # The changes of time in Paris (29 March, 25 October 2026), either side.
    datetime.datetime(2026, 3, 29, 0, 59, tzinfo=datetime.UTC), datetime.datetime(2026, 3, 29, 1, 0, tzinfo=datetime.UTC),
    datetime.datetime(2026, 10, 25, 0, 59, tzinfo=datetime.UTC), datetime.datetime(2026, 10, 25, 1, 0, tzinfo=datetime.UTC),
    datetime.datetime(999, 12, 31, 23, 0, tzinfo=PARIS),
]


def test_the_templates_formats_were_found():
    assert {"d/m/Y", "d/m/Y H:i", "j F Y", "l j F Y"} <= set(TEMPLATE_FORMATS)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_same_output_as_django_for_every_format_and_value(language):
    with translation.override(language):
        for format_string in [*TEMPLATE_FORMATS, *OTHER_FORMATS]:
            for instant in INSTANTS:
                local = timezone.localtime(instant)
                for value in (local, local.date(), local.replace(tzinfo=None)):
                    try:
                        expected = date_filter._django_date(value, format_string)
                    except TypeError:  # a time specifier on a plain date: Django's error, kept
                        with pytest.raises(TypeError):
                            date_filter.date(value, format_string)
                        continue
                    assert date_filter.date(value, format_string) == expected, (language, format_string, value)


def test_the_fast_path_formats_the_usual_formats_itself():
    """The usual formats do not reach Django's filter (else this module would be for nothing)."""
    value = timezone.localtime(datetime.datetime(2026, 12, 3, 8, 5, tzinfo=datetime.UTC))
    with translation.override("fr"):
        for format_string in ("d/m/Y H:i", "l j F Y", "j F Y à H:i", "D d/m/Y"):
            assert date_filter._compiled(format_string) is not None, format_string
        assert date_filter.date(value, "l j F Y à H:i") == "jeudi 3 décembre 2026 à 09:05"
    with translation.override("en"):
        assert date_filter.date(value, "l j F Y") == "Thursday 3 December 2026"


@pytest.mark.parametrize("value, argument", [
    (None, "d/m/Y"), ("", "d/m/Y"), ("pas une date", "d/m/Y"), (42, "d/m/Y"),
    (datetime.date(2026, 12, 3), None), (datetime.date(2026, 12, 3), "SHORT_DATE_FORMAT"),
    (datetime.date(2026, 12, 3), "DATE_FORMAT"), (datetime.date(2026, 12, 3), ""),
])
def test_what_django_leaves_empty_or_reads_from_settings(value, argument):
    with translation.override("fr"):
        assert date_filter.date(value, argument) == date_filter._django_date(value, argument)


@pytest.fixture
def town_format_module(settings):
    """FORMAT_MODULE_PATH set (Django keeps the modules it found per language until its format
    cache is reset, which a change of this setting does not do)."""
    settings.FORMAT_MODULE_PATH = ["tests.espace_citoyen.core.format_fixture"]
    formats.reset_format_cache()
    yield
    settings.FORMAT_MODULE_PATH = None
    formats.reset_format_cache()


def test_a_format_named_in_a_locale_format_module_is_read_as_django_reads_it(town_format_module):
    day = datetime.date(2026, 12, 3)
    with translation.override("fr"):
        assert date_filter._django_date(day, "jFY") == "03/12/2026"  # the module's value
        assert date_filter.date(day, "jFY") == "03/12/2026"
    with translation.override("en"):  # no such module in English: a format
        assert date_filter.date(day, "jFY") == date_filter._django_date(day, "jFY") == "3December2026"


def test_installed_as_the_templates_date_filter_with_local_time():
    """Templates use it (Wagtail's too, through the same built-ins), given the time in
    Paris as Django's filter is, and the output is escaped as Django's is."""
    parser = Parser([], builtins=engines["django"].engine.template_builtins)
    assert parser.filters["date"] is date_filter.date
    summer_morning = datetime.datetime(2026, 7, 1, 10, 0, tzinfo=datetime.UTC)
    with translation.override("fr"):
        html = Template('{{ value|date:"d/m/Y H:i" }} – {{ value|date:"l j F Y" }} – {{ value|date:"<>Y" }}').render(
            Context({"value": summer_morning}))
    assert html == "01/07/2026 12:00 – mercredi 1 juillet 2026 – &lt;&gt;2026"
