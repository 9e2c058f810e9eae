"""The dashboard's tiles, cached per parent (portal.selectors.cached_dashboard_for, versions
in core.household_versions, receivers in portal/signals.py): read from the shared cache
until something they show changes, and then shown changed at the next request, to every
adult of the household, never to another household."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from espace_citoyen.activities.models import WaitingListEntry, WaitingStatus
from espace_citoyen.activities.services.booking import reservation_book, reservation_cancel
from espace_citoyen.core.household_versions import changes_batched
from espace_citoyen.family.models import Child, Membership
from espace_citoyen.portal import selectors
from espace_citoyen.portal.selectors import cached_dashboard_for
from tests.espace_citoyen.activities.agenda_factories import (
    make_activity,
    make_occurrence,
    make_parent,
    next_weekday,
    today,
    validate_dossier,
)
from tests.factories import add_demarches, add_documents, make_citizen

pytestmark = pytest.mark.django_db


def dashboard(client, user) -> str:
    client.force_login(user)
    response = client.get("/espace-citoyen/")
    assert response.status_code == 200
    text = html.unescape(response.content.decode()).replace("\u00a0", " ")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)  # a new masked token each time


@pytest.fixture
def builds(monkeypatch):
    calls = []
    original = selectors.dashboard_for

    def counted(*, user):
        calls.append(user.pk)
        return original(user=user)

    monkeypatch.setattr(selectors, "dashboard_for", counted)
    return calls


@pytest.fixture
def family():
    """Sophie Durand and Alex, the adults of a household with Chloé, registered for the
    canteen; a canteen day next week, still open for booking."""
    sophie, (chloe,) = make_parent("sophie.durand@example.fr")
    alex = make_citizen("alex.durand@example.fr", first_name="Alex", last_name="Durand",
                        household=Membership.objects.get(user=sophie).household)
    activity = make_activity()
    validate_dossier(chloe, activity)
    occurrence = make_occurrence(activity, next_weekday(today(), 0, weeks=1))
    return sophie, alex, chloe, occurrence


def test_the_tiles_are_built_once_then_read_from_the_cache(client, family, builds):
    sophie, *_ = family
    first = dashboard(client, sophie)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/espace-citoyen/")
    assert response.status_code == 200 and dashboard(client, sophie) == first and "Chloé Durand" in first
    assert builds == [sophie.pk]
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    for table in ("family_child", "family_membership", "activities_reservation", "billing_invoice",
                  "demarches_demarche", "documents_document"):
        assert table not in tables


def test_a_booking_then_a_cancellation_show_at_once_for_both_adults(client, family):
    sophie, alex, chloe, occurrence = family
    for adult in (sophie, alex):
        assert "Aucune journée réservée dans les 14 prochains jours" in dashboard(client, adult)
    reservation = reservation_book(child=chloe, occurrence=occurrence, actor=sophie)
    for adult in (sophie, alex):
        assert "1 journée réservée dans les 14 prochains jours" in dashboard(client, adult)
    reservation_cancel(reservation=reservation, actor=alex)
    for adult in (sophie, alex):
        assert "Aucune journée réservée dans les 14 prochains jours" in dashboard(client, adult)


def test_a_demarche_and_a_document_show_at_once_for_their_owner_only(client, family):
    sophie, alex, *_ = family
    assert "Aucune démarche en cours" in dashboard(client, sophie)
    assert "Aucune démarche en cours" in dashboard(client, alex)
    add_demarches(sophie, 2)
    assert "2 démarches en cours" in dashboard(client, sophie)
    add_documents(sophie, 1)
    assert "1 document" in dashboard(client, sophie)
    assert "Aucune démarche en cours" in dashboard(client, alex)  # a démarche is its author's


def test_a_new_child_and_a_renamed_adult_show_for_the_other_adult(client, family):
    sophie, alex, *_ = family
    assert "Alex Durand" in dashboard(client, sophie)
    Child.objects.create(household=Membership.objects.get(user=alex).household, first_name="Hugo",
                         last_name="Durand", birth_date=datetime.date(2020, 5, 2))
    assert "Hugo Durand" in dashboard(client, sophie)
    alex.first_name = "Alexandre"
    alex.save()
    assert "Alexandre Durand" in dashboard(client, sophie)


def test_a_child_moved_to_another_household_leaves_the_first_dashboard(client, family):
    """As the Portail Famille reconciliation does: the household left is told too."""
    sophie, _alex, chloe, _occurrence = family
    other, _children = make_parent("marc.petit@example.fr", first_name="Marc", last_name="Petit", children=("Zoé",))
    assert "Chloé Durand" in dashboard(client, sophie)
    assert "Chloé" not in dashboard(client, other)
    chloe.household = Membership.objects.get(user=other).household
    chloe.save(update_fields=["household", "updated_at"])
    assert "Chloé Durand" not in dashboard(client, sophie)
    assert "Chloé Durand" in dashboard(client, other)


def test_a_household_left_disappears_from_the_dashboard(client, family):
    sophie, alex, *_ = family
    assert "Chloé Durand" in dashboard(client, alex)
    Membership.objects.filter(user=alex).delete()
    assert "Chloé Durand" not in dashboard(client, alex)
    assert "Alex Durand" not in dashboard(client, sophie)


def test_another_household_never_gets_a_cached_dashboard(client, family):
    sophie, *_ = family
    other, _children = make_parent("marc.petit@example.fr", first_name="Marc", last_name="Petit", children=("Zoé",))
    assert "Chloé Durand" in dashboard(client, sophie)
    text = dashboard(client, other)
    assert "Zoé Petit" in text and "Chloé" not in text and "Sophie" not in text


def test_an_offer_past_its_time_limit_is_left_out_of_a_cached_dashboard(family):
    sophie, _alex, chloe, occurrence = family
    now = timezone.now()
    WaitingListEntry.objects.create(child=chloe, occurrence=occurrence, status=WaitingStatus.OFFERED,
                                    offer_expires_at=now + datetime.timedelta(hours=1))
    assert len(cached_dashboard_for(user=sophie, now=now).activities.offers) == 1
    later = cached_dashboard_for(user=sophie, now=now + datetime.timedelta(minutes=61))
    assert later.activities.offers == []


def test_a_batch_moves_every_dashboard_once_at_its_end(client, family):
    sophie, *_ = family
    assert "Hugo" not in dashboard(client, sophie)
    household = Membership.objects.get(user=sophie).household
    with changes_batched(), CaptureQueriesContext(connection) as queries:
        Child.objects.create(household=household, first_name="Hugo", last_name="Durand",
                             birth_date=datetime.date(2020, 5, 2))
    assert not any("family_membership" in query["sql"] for query in queries.captured_queries)  # no lookup
    assert "Hugo Durand" in dashboard(client, sophie)


def test_a_day_moved_by_an_agent_shows_at_once(client, family):
    """A catalogue edit (here a day moved four weeks later, out of the next 14 days)."""
    sophie, _alex, chloe, occurrence = family
    reservation_book(child=chloe, occurrence=occurrence, actor=sophie)
    assert "1 journée réservée dans les 14 prochains jours" in dashboard(client, sophie)
    occurrence.date += datetime.timedelta(weeks=4)
    occurrence.save()
    assert "Aucune journée réservée dans les 14 prochains jours" in dashboard(client, sophie)
