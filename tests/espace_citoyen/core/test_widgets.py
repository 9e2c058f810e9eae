"""KeptSelect: Django's <select>, kept once rendered, never a stale or another page's one."""

import pytest
from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy

from espace_citoyen.core.widgets import KeptSelect


@pytest.fixture(autouse=True)
def empty_memory():
    KeptSelect._kept.clear()
    yield
    KeptSelect._kept.clear()


CHOICES = [("", "Tous"), ("sent", "Envoyée"), ("refused", "Refusée")]


def _both(value, attrs=None, choices=CHOICES):
    kept = KeptSelect(choices=choices).render("etat", value, attrs)
    plain = forms.Select(choices=choices).render("etat", value, attrs)
    return kept, plain


@pytest.mark.parametrize("value", ["", "sent", "refused", "inconnu", None, '"><script>alert(1)</script>'])
def test_same_html_as_djangos_select(value):
    kept, plain = _both(value, {"id": "id_etat"})
    assert kept == plain
    again, _plain = _both(value, {"id": "id_etat"})  # from memory this time
    assert again == plain


def test_labels_are_escaped_unless_safe_and_never_mixed():
    from django.utils.safestring import mark_safe

    plain = KeptSelect(choices=[("a", "<b>A</b>")]).render("x", "a")
    assert "&lt;b&gt;A&lt;/b&gt;" in plain and "<b>" not in plain
    safe = KeptSelect(choices=[("a", mark_safe("<b>A</b>"))]).render("x", "a")
    assert "<b>A</b>" in safe
    assert KeptSelect(choices=[("a", "<b>A</b>")]).render("x", "a") == plain


def test_values_that_are_no_choice_share_one_entry():
    """Whatever is typed in the address, a value that is no choice selects nothing and
    adds no entry of its own."""
    first = KeptSelect(choices=CHOICES).render("etat", "nimporte-quoi")
    assert " selected" not in first.replace('value="" selected', "")
    for number in range(50):
        assert KeptSelect(choices=CHOICES).render("etat", f"x{number}") == first
    assert len(KeptSelect._kept) == 1


def test_the_chosen_value_is_the_one_of_the_page():
    assert '<option value="sent" selected>' in _both("sent")[0]
    refused = _both("refused")[0]
    assert '<option value="refused" selected>' in refused and '<option value="sent">' in refused


def test_other_attributes_or_choices_give_their_own_html():
    assert 'id="id_a"' in _both("sent", {"id": "id_a"})[0]
    assert 'id="id_b"' in _both("sent", {"id": "id_b"})[0]
    more = _both("sent", choices=[*CHOICES, ("closed", "Close")])[0]
    assert '<option value="closed">Close</option>' in more


def test_labels_follow_the_language():
    choices = [("1", gettext_lazy("Yes")), ("0", gettext_lazy("No"))]
    with translation.override("fr"):
        assert ">Oui<" in KeptSelect(choices=choices).render("x", "1")
    with translation.override("en"):
        assert ">Yes<" in KeptSelect(choices=choices).render("x", "1")


def test_memory_is_bounded():
    for number in range(300):
        KeptSelect(choices=CHOICES).render(f"field{number}", "sent")
    assert 0 < len(KeptSelect._kept) <= 256


def test_a_new_activity_appears_in_the_attendance_filter(db):
    """A ModelChoiceField's choices are read each time: a kept <select> is never stale."""
    from espace_citoyen.activities.admin.forms import AttendanceFilterForm

    from ..activities.agenda_factories import make_activity

    first = make_activity(name="Garderie du matin", label="T-kept")
    assert "Garderie du matin" in str(AttendanceFilterForm({})["activity"])
    make_activity(name="Étude surveillée", label="T-kept")
    html = str(AttendanceFilterForm({"activity": str(first.pk)})["activity"])
    assert "Étude surveillée" in html and f'<option value="{first.pk}" selected>' in html
