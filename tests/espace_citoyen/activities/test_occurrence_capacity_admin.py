"""Issue 10, item 9: lowering a day's capacity below its bookings in the admin is a French
form error saying how many places are booked, not a server error (CHECK constraint)."""

import datetime

import pytest
from django.urls import reverse

from espace_citoyen.activities.models import Occurrence

from ._agents import pole_scolaire_agent
from .agenda_factories import make_activity, make_occurrence, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client, otp_login):
    user = pole_scolaire_agent()
    otp_login(client, user)
    return user


def _post(client, occurrence, capacity):
    return client.post(reverse("activities_occurrences:edit", args=[occurrence.pk]), {
        "activity": occurrence.activity_id, "date": occurrence.date.isoformat(), "capacity": capacity,
    })


def test_capacity_below_bookings_is_a_form_error(client, agent):
    occurrence = make_occurrence(make_activity(capacity=10), datetime.date(2030, 3, 4))
    Occurrence.objects.filter(pk=occurrence.pk).update(booked_count=4)
    response = _post(client, occurrence, 3)
    assert response.status_code == 200
    assert "4 place(s) sont déjà réservées" in page_text(response)
    occurrence.refresh_from_db()
    assert (occurrence.capacity, occurrence.booked_count) == (10, 4)


def test_capacity_at_bookings_is_saved_without_touching_the_count(client, agent):
    occurrence = make_occurrence(make_activity(capacity=10), datetime.date(2030, 3, 4))
    response_page = client.get(reverse("activities_occurrences:edit", args=[occurrence.pk]))
    assert response_page.status_code == 200
    # A booking made while the agent had the form open is kept.
    Occurrence.objects.filter(pk=occurrence.pk).update(booked_count=4)
    response = _post(client, occurrence, 4)
    assert response.status_code == 302
    occurrence.refresh_from_db()
    assert (occurrence.capacity, occurrence.booked_count) == (4, 4)
