"""Back-office search ignores case and accents, on SQLite and on PostgreSQL alike."""

import datetime

import pytest

from espace_citoyen.core.search import strip_accents, words_match
from espace_citoyen.family.models import Child, Household

pytestmark = pytest.mark.django_db


def test_strip_accents():
    assert strip_accents("Hélène Lefèvre-Çava") == "Helene Lefevre-Cava"
    assert strip_accents(None) is None


@pytest.fixture
def children():
    household = Household.objects.create()
    born = datetime.date(2018, 5, 1)
    return {
        "helene": Child.objects.create(household=household, first_name="Hélène", last_name="Lefèvre", birth_date=born),
        "helen": Child.objects.create(household=household, first_name="Helen", last_name="Smith", birth_date=born),
        "zoe": Child.objects.create(household=household, first_name="Zoé", last_name="Lefèvre", birth_date=born),
    }


@pytest.mark.parametrize("query, expected", [
    ("helene", {"helene"}),
    ("HÉLÈNE", {"helene"}),
    ("lefevre", {"helene", "zoe"}),
    ("Lefèvre zoe", {"zoe"}),           # every word, in any of the fields
    ("helen", {"helene", "helen"}),
    ("lefevre smith", set()),
    ("", {"helene", "helen", "zoe"}),
])
def test_words_match_ignores_case_and_accents(children, query, expected):
    found = Child.objects.filter(pk__in=[c.pk for c in children.values()]).filter(
        words_match(query, "first_name", "last_name"))
    assert {key for key, child in children.items() if child in found} == expected
