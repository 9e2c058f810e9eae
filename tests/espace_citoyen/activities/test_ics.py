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
    feed = CalendarFeed.objects.create(child=chloe, user=parent)
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


# Issue 10, item 6: a feed belongs to a person and a child.

def _coparent(chloe, email="julien@example.fr"):
    from django.contrib.auth import get_user_model

    from espace_citoyen.accounts.models import AccountStatus
    from espace_citoyen.family.models import Membership

    from .agenda_factories import PASSWORD

    user = get_user_model().objects.create_user(email, PASSWORD, first_name="Julien", last_name="Durand",
                                                status=AccountStatus.ACTIVE)
    Membership.objects.create(household=chloe.household, user=user)
    return user


def test_each_parent_has_a_feed_of_their_own(client, world):
    parent, chloe, occs, reservations, feed = world
    coparent = _coparent(chloe)
    client.force_login(coparent)
    page = page_text(client.get(reverse("activities:agenda", args=[chloe.pk])))
    own = CalendarFeed.objects.get(child=chloe, user=coparent)
    assert own.token != feed.token and f"jeton={own.token}" in page and f"jeton={feed.token}" not in page
    # Renewing one's own link leaves the other parent's link working.
    client.post(reverse("activities:agenda_feed_renew", args=[chloe.pk]))
    client.logout()
    assert client.get(ics_url(chloe, feed.token)).status_code == 200
    assert client.get(ics_url(chloe, own.token)).status_code == 404


def test_feed_stops_when_its_person_leaves_and_the_household_feeds_are_renewed(client, world):
    from espace_citoyen.family.services import household_leave

    parent, chloe, occs, reservations, feed = world
    coparent = _coparent(chloe)
    copied = CalendarFeed.objects.create(child=chloe, user=coparent)
    assert client.get(ics_url(chloe, copied.token)).status_code == 200
    household_leave(user=coparent)
    # The leaver's own link stops, and so does the remaining parent's (the leaver may have
    # copied it from a shared device): it was renewed.
    assert client.get(ics_url(chloe, copied.token)).status_code == 404
    assert not CalendarFeed.objects.filter(user=coparent).exists()
    assert client.get(ics_url(chloe, feed.token)).status_code == 404
    renewed = CalendarFeed.objects.get(child=chloe, user=parent)
    assert renewed.token != feed.token
    assert client.get(ics_url(chloe, renewed.token)).status_code == 200


def test_feed_stops_when_its_person_no_longer_has_the_child(client, world):
    """Whatever removed the membership (an agent in the admin, a merge of households): the
    feed answers only while its person is an adult of the child's household."""
    from espace_citoyen.family.models import Membership

    parent, chloe, occs, reservations, feed = world
    coparent = _coparent(chloe)
    copied = CalendarFeed.objects.create(child=chloe, user=coparent)
    Membership.objects.filter(user=coparent).delete()  # no signal: not through the service
    assert client.get(ics_url(chloe, copied.token)).status_code == 404
    assert client.get(ics_url(chloe, feed.token)).status_code == 200
    parent.is_active = False
    parent.save(update_fields=["is_active"])
    assert client.get(ics_url(chloe, feed.token)).status_code == 404
