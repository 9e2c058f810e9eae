"""home.choices.ChoiceLabelsMixin: get_FOO_display() as Django's, without its per-call work."""

import pytest
from django.db.models import Model
from django.utils import translation

from espace_citoyen.activities.models import Attendance, AttendanceStatus, Reservation, ReservationSource, ReservationStatus
from news.models import Importance, ServiceMessagePage


def _django_display(instance, field_name):
    """What Django's own implementation answers."""
    return Model._get_FIELD_display(instance, instance._meta.get_field(field_name))


@pytest.mark.parametrize("model, field, choices", [
    (Reservation, "status", ReservationStatus),
    (Reservation, "source", ReservationSource),
    (Attendance, "status", AttendanceStatus),
    (ServiceMessagePage, "importance", Importance),
])
def test_the_same_labels_as_django_for_every_choice(db, model, field, choices):
    for value in choices.values:
        instance = model(**{field: value})
        assert getattr(instance, f"get_{field}_display")() == _django_display(instance, field)


def test_a_label_in_french():
    assert Reservation(status=ReservationStatus.CANCELLED).get_status_display() == "Annulé"


def test_a_value_that_is_not_a_choice_shows_as_itself():
    assert Reservation(status="inconnu").get_status_display() == "inconnu"
    assert Attendance(status=None).get_status_display() is None
    assert _django_display(Attendance(status=None), "status") is None


def test_labels_are_read_once_per_language(monkeypatch):
    from home import choices

    choices._labels.cache_clear()
    with translation.override("fr"):
        for _ in range(5):
            Reservation(status=ReservationStatus.BOOKED).get_status_display()
    assert choices._labels.cache_info().misses == 1
    with translation.override("en"):
        Reservation(status=ReservationStatus.BOOKED).get_status_display()
    assert choices._labels.cache_info().misses == 2
