"""The dashboard's "Activités de mes enfants" tile: booked days of the next two weeks, freed
places offered to the family, dossiers to complete; scoped to the household; a number of
queries that does not grow with the family."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from espace_citoyen.core.business_calendar import WEEKDAYS_FR

from espace_citoyen.activities.models import (
    Dossier,
    DossierStatus,
    Reservation,
    ReservationStatus,
    WaitingListEntry,
    WaitingStatus,
)

from .agenda_factories import make_activity, make_occurrence, make_parent, page_text, today, validate_dossier

pytestmark = pytest.mark.django_db


def _book(child, activity, day, status=ReservationStatus.BOOKED):
    occurrence = make_occurrence(activity, day) if not activity.occurrences.filter(date=day).exists() \
        else activity.occurrences.get(date=day)
    return Reservation.objects.create(child=child, occurrence=occurrence, status=status)


def _dashboard(client, user) -> str:
    client.force_login(user)
    response = client.get("/espace-citoyen/")
    assert response.status_code == 200
    return page_text(response)


def test_tile_counts_the_next_two_weeks_offers_and_dossiers(client):
    activity = make_activity(name="Accueil du soir", label="T-tile")
    parent, (chloe, tom) = make_parent("tuile.parent@example.fr", children=("Chloé", "Tom"))
    validate_dossier(chloe, activity)
    start = today()
    _book(chloe, activity, start)                                   # today: counted
    _book(tom, activity, start + datetime.timedelta(days=13))       # last day of the window: counted
    _book(chloe, activity, start + datetime.timedelta(days=14))     # beyond: not counted
    _book(tom, activity, start + datetime.timedelta(days=3), status=ReservationStatus.CANCELLED)
    _book(chloe, activity, start - datetime.timedelta(days=1))      # past: not counted
    full_day = make_occurrence(activity, start + datetime.timedelta(days=9))
    WaitingListEntry.objects.create(occurrence=full_day, child=tom, status=WaitingStatus.OFFERED,
                                    offered_at=timezone.now(),
                                    offer_expires_at=timezone.now() + datetime.timedelta(hours=20))
    expired_day = make_occurrence(activity, start + datetime.timedelta(days=10))
    WaitingListEntry.objects.create(occurrence=expired_day, child=chloe, status=WaitingStatus.OFFERED,
                                    offered_at=timezone.now() - datetime.timedelta(days=2),
                                    offer_expires_at=timezone.now() - datetime.timedelta(hours=1))
    Dossier.objects.filter(child=chloe).update(status=DossierStatus.TO_COMPLETE)
    # Another household's bookings and offers never show.
    stranger, (hugo,) = make_parent("tuile.autre@example.fr", first_name="Paul", last_name="Petit",
                                    children=("Hugo",))
    _book(hugo, activity, start + datetime.timedelta(days=1))
    WaitingListEntry.objects.create(occurrence=expired_day, child=hugo, status=WaitingStatus.OFFERED,
                                    offer_expires_at=timezone.now() + datetime.timedelta(hours=5))

    text = _dashboard(client, parent)
    assert "2 journées réservées dans les 14 prochains jours" in text
    assert text.count("Une place s'est libérée") == 1
    weekday = WEEKDAYS_FR[full_day.date.weekday()]
    assert f"pour Tom le {weekday} {full_day.date.day} " in text
    assert f'href="/espace-citoyen/enfants/{tom.pk}/agenda/?mois={full_day.date:%Y-%m}"' in text
    assert "Hugo" not in text
    assert "1 dossier d'inscription à compléter à la demande du Pôle scolaire." in text

    text = _dashboard(client, stranger)
    assert "1 journée réservée dans les 14 prochains jours" in text
    assert "pour Hugo le" in text and "Tom" not in text


def test_tile_without_bookings_says_so(client):
    parent, _children = make_parent("tuile.vide@example.fr", children=("Léa",))
    text = _dashboard(client, parent)
    assert "Aucune journée réservée dans les 14 prochains jours" in text
    assert "Une place s'est libérée" not in text


def _queries(client, user) -> int:
    client.force_login(user)
    client.get("/espace-citoyen/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/espace-citoyen/").status_code == 200
    return len(queries)


def test_tile_query_count_does_not_grow_with_the_family(client):
    activity = make_activity(name="Restauration scolaire", label="T-tile")
    small, (lea,) = make_parent("tuile.petite@example.fr", children=("Léa",))
    large, kids = make_parent("tuile.grande@example.fr", children=("A", "B", "C", "D"))
    _book(lea, activity, today() + datetime.timedelta(days=1))
    for offset in range(12):
        for kid in kids:
            _book(kid, activity, today() + datetime.timedelta(days=offset))
    for offset, kid in enumerate(kids):
        day = make_occurrence(activity, today() + datetime.timedelta(days=20 + offset))
        WaitingListEntry.objects.create(occurrence=day, child=kid, status=WaitingStatus.OFFERED,
                                        offer_expires_at=timezone.now() + datetime.timedelta(hours=3))
    assert _queries(client, large) == _queries(client, small)
