"""The private calendar feed: no login, secret token, booked days only, renewal."""

import pytest
from django.urls import reverse
from icalendar import Calendar

from espace_citoyen.activities.models import CalendarFeed
from espace_citoyen.activities.services.booking import reservation_book, reservation_cancel

from .agenda_factories import (
    make_activity,
    make_occurrence,
    make_parent,
    next_weekday,
    page_text,
    today,
    validate_dossier,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    activity = make_activity()
    parent, (chloe,) = make_parent("sophie@example.fr", children=("Chloé",))
    validate_dossier(chloe, activity)
    days = [next_weekday(today(), 1, weeks=3), next_weekday(today(), 3, weeks=3)]
    occs = [make_occurrence(activity, d) for d in days]
    reservations = [reservation_book(child=chloe, occurrence=o, actor=parent) for o in occs]
    reservation_cancel(reservation=reservations[1], actor=parent)
    feed = CalendarFeed.objects.create(child=chloe)
    return parent, chloe, occs, reservations, feed


def ics_url(child, token):
    return reverse("activities:agenda_ics", args=[child.pk]) + f"?jeton={token}"


def test_feed_content_without_login(client, world):
    parent, chloe, occs, reservations, feed = world
    response = client.get(ics_url(chloe, feed.token))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = list(Calendar.from_ical(response.content).walk("VEVENT"))
    assert len(events) == 1  # the cancelled day is not in the feed
    event = events[0]
    assert str(event["SUMMARY"]) == "Restauration scolaire – Chloé"
    assert event.decoded("DTSTART") == occs[0].date
    uid = str(event["UID"])
    again = list(Calendar.from_ical(client.get(ics_url(chloe, feed.token)).content).walk("VEVENT"))
    assert str(again[0]["UID"]) == uid  # stable


def test_wrong_token_or_child_is_404(client, world):
    parent, chloe, occs, reservations, feed = world
    assert client.get(ics_url(chloe, "faux")).status_code == 404
    assert client.get(reverse("activities:agenda_ics", args=[chloe.pk])).status_code == 404
    other, (hugo,) = make_parent("paul@example.fr", children=("Hugo",))
    assert client.get(ics_url(hugo, feed.token)).status_code == 404


def test_renewal_kills_the_old_url(client, world):
    parent, chloe, occs, reservations, feed = world
    old = feed.token
    client.force_login(parent)
    page = page_text(client.get(reverse("activities:agenda", args=[chloe.pk])))
    assert f"jeton={old}" in page and "Renouveler le lien" in page
    response = client.post(reverse("activities:agenda_feed_renew", args=[chloe.pk]), follow=True)
    assert "Le lien de l'agenda a été renouvelé" in page_text(response)
    feed.refresh_from_db()
    assert feed.token != old
    client.logout()
    assert client.get(ics_url(chloe, old)).status_code == 404
    assert client.get(ics_url(chloe, feed.token)).status_code == 200
    # Renewal is a POST of the logged-in owner only.
    assert client.post(reverse("activities:agenda_feed_renew", args=[chloe.pk])).status_code == 302
    feed.refresh_from_db()
    other, _ = make_parent("paul@example.fr", children=("Hugo",))
    client.force_login(other)
    assert client.post(reverse("activities:agenda_feed_renew", args=[chloe.pk])).status_code == 404
    assert CalendarFeed.objects.get(pk=feed.pk).token == feed.token
