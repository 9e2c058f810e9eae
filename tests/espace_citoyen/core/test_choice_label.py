"""core.formats.choice_label: the label get_FOO_display() shows, read once per value."""

from espace_citoyen.activities.models import AttendanceStatus, Reservation, ReservationSource, ReservationStatus
from espace_citoyen.core.formats import choice_label


def test_the_same_labels_as_get_display_for_every_choice():
    for value in ReservationStatus.values:
        assert choice_label(ReservationStatus, value) == str(Reservation(status=value).get_status_display())
    for value in ReservationSource.values:
        assert choice_label(ReservationSource, value) == str(Reservation(source=value).get_source_display())
    assert choice_label(AttendanceStatus, AttendanceStatus.values[0]) == str(AttendanceStatus.choices[0][1])


def test_an_unknown_value_shows_as_itself_and_none_as_nothing():
    assert choice_label(ReservationStatus, "inconnu") == "inconnu"
    assert choice_label(ReservationStatus, None) == ""

