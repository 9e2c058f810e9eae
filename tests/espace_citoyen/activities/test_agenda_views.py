"""The citizen agenda: month/week views with the state of each day, book/cancel/waiting
list through POST forms, weekly pattern with confirmation, 404 for another household."""

import datetime

import pytest
from django.urls import reverse

from espace_citoyen.accounts.models import AccountStatus
from espace_citoyen.activities.models import (
    Occurrence,
    OccurrenceStatus,
    Reservation,
    ReservationStatus,
    WaitingListEntry,
)
from espace_citoyen.activities import rules
from espace_citoyen.activities.services.booking import reservation_book

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
    activity = make_activity(capacity=1)
    parent, (chloe, tom) = make_parent("sophie@example.fr", children=("Chloé", "Tom"))
    validate_dossier(chloe, activity)
    validate_dossier(tom, activity)
    stranger, (hugo,) = make_parent("paul@example.fr", first_name="Paul", last_name="Petit", children=("Hugo",))
    validate_dossier(hugo, activity)
    future = next_weekday(today(), 1, weeks=3)  # a Tuesday three weeks ahead: bookable
    past = today() - datetime.timedelta(days=1)  # locked
    occ = make_occurrence(activity, future)
    locked = make_occurrence(activity, past)
    return {"activity": activity, "parent": parent, "chloe": chloe, "tom": tom, "stranger": stranger,
            "hugo": hugo, "occ": occ, "locked": locked}


def agenda_url(child, **params):
    url = reverse("activities:agenda", args=[child.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def test_login_required(client, world):
    response = client.get(agenda_url(world["chloe"]))
    assert response.status_code == 302 and "next=" in response["Location"]


def test_month_view_shows_states_and_deadline(client, world):
    client.force_login(world["parent"])
    occ = world["occ"]
    response = client.get(agenda_url(world["chloe"], jour=occ.date.isoformat()))
    text = page_text(response)
    assert response.status_code == 200
    assert "<table" in text and "Agenda de Chloé, " in text and '<span class="agenda-grid__long">Lundi</span>' in text
    assert "Disponible" in text and "Modifiable jusqu'au" in text and "Réserver" in text
    # The legend says what each icon means, in words.
    assert "Légende" in text and "Réservé, plus modifiable" in text and "Non réservé, plus modifiable" in text
    # The deadline is written once per day and activity (in the day's panel), not in the grid.
    assert text.count(rules.change_notice(occurrence=occ).capitalize()) == 1
    # Past day of the current month: past its deadline, not booked, in words.
    response = client.get(agenda_url(world["chloe"], mois=f"{world['locked'].date:%Y-%m}"))
    assert "Non réservé — plus modifiable" in page_text(response)


def test_past_deadline_states_in_words(client, world):
    """A day past its deadline tells whether the child is booked; full and closed days too."""
    activity, chloe, tom = world["activity"], world["chloe"], world["tom"]
    past = today() - datetime.timedelta(days=2)
    booked = make_occurrence(activity, past - datetime.timedelta(days=7))
    Reservation.objects.create(child=chloe, occurrence=booked, status=ReservationStatus.BOOKED)
    full = make_occurrence(activity, past - datetime.timedelta(days=14), booked_count=1)
    closed = make_occurrence(activity, past - datetime.timedelta(days=21), status=OccurrenceStatus.CLOSED,
                             closed_reason="Grève du personnel de restauration")
    client.force_login(world["parent"])
    for occurrence, expected in ((booked, "Réservé — plus modifiable"), (full, "Complet — plus modifiable"),
                                 (closed, "Fermé"), (world["locked"], "Non réservé — plus modifiable")):
        child = tom if occurrence is full else chloe
        text = page_text(client.get(agenda_url(child, jour=occurrence.date.isoformat())))
        panel = text[text.index(f'id="jour-{occurrence.date.isoformat()}"'):]
        panel = panel[:panel.index("</section>")]
        assert expected in panel and "Verrouillé" not in panel, (occurrence.date, expected)
        assert " hidden" not in panel.split(">")[0]  # the day asked for is the one shown
    text = page_text(client.get(agenda_url(chloe, jour=closed.date.isoformat())))
    assert "Journée fermée par la mairie : Grève du personnel de restauration." in text


def test_the_month_page_holds_the_chosen_days_activities_only(client, world):
    """The other days' activities come with a tap on the grid (site.js fetches the day's page,
    or the link loads it): each day's page carries its own forms, whose return address is
    that day."""
    client.force_login(world["parent"])
    occ, locked = world["occ"], world["locked"]
    # Another day with an activity in the same month as occ.
    other_date = occ.date + datetime.timedelta(days=1)
    if other_date.month != occ.date.month:
        other_date = occ.date - datetime.timedelta(days=1)
    other = make_occurrence(world["activity"], other_date)

    def panel_of(text, day):
        panel = text[text.index(f'id="jour-{day.isoformat()}"'):]
        return panel[:panel.index("</section>")]

    text = page_text(client.get(agenda_url(world["chloe"], jour=occ.date.isoformat())))
    assert text.count("data-agenda-panel") == 1
    assert f'value="{agenda_url(world["chloe"], jour=occ.date.isoformat())}"' in panel_of(text, occ.date)
    assert f'id="jour-{other.date.isoformat()}"' not in text  # same month, not the chosen day
    text = page_text(client.get(agenda_url(world["chloe"], jour=other.date.isoformat())))
    assert text.count("data-agenda-panel") == 1
    assert f'value="{agenda_url(world["chloe"], jour=other.date.isoformat())}"' in panel_of(text, other.date)
    assert f'id="jour-{occ.date.isoformat()}"' not in text
    text = page_text(client.get(agenda_url(world["chloe"], jour=locked.date.isoformat())))
    assert text.count("data-agenda-panel") == 1 and f'id="jour-{locked.date.isoformat()}"' in text
    assert f'id="jour-{occ.date.isoformat()}"' not in text


def test_chosen_day_and_bad_day(client, world):
    client.force_login(world["parent"])
    occ = world["occ"]
    text = page_text(client.get(agenda_url(world["chloe"], jour=occ.date.isoformat())))
    first_line = text[text.index(f'id="jour-{occ.date.isoformat()}"'):].split(">")[0]
    assert "hidden" not in first_line  # the chosen day is shown, the others wait for a tap
    bad = client.get(agenda_url(world["chloe"], jour="2026-02-31"))
    assert bad.status_code == 200 and "Le jour demandé n'est pas valide." in page_text(bad)


def test_agenda_links_to_the_childs_record(client, world):
    client.force_login(world["parent"])
    text = page_text(client.get(agenda_url(world["chloe"])))
    assert f'href="{reverse("family:child_detail", args=[world["chloe"].pk])}"' in text
    assert "Fiche de Chloé (allergies, PAI, personnes autorisées)" in text


def test_week_view(client, world):
    client.force_login(world["parent"])
    iso = world["occ"].date.isocalendar()
    response = client.get(agenda_url(world["chloe"], vue="semaine", semaine=f"{iso.year}-W{iso.week:02d}"))
    text = page_text(response)
    assert response.status_code == 200 and "Restauration scolaire" in text and "Disponible" in text
    bad = client.get(agenda_url(world["chloe"], vue="semaine", semaine="n-importe-quoi"))
    assert bad.status_code == 200 and "La semaine demandée n'est pas valide" in page_text(bad)


def test_book_then_cancel_through_the_page(client, world):
    client.force_login(world["parent"])
    occ, chloe = world["occ"], world["chloe"]
    back = agenda_url(chloe, jour=occ.date.isoformat())
    response = client.post(reverse("activities:agenda_book", args=[chloe.pk, occ.pk]), {"retour": back}, follow=True)
    assert response.redirect_chain[-1][0] == back
    text = page_text(response)
    assert "Restauration scolaire réservé(e) pour Chloé" in text and "Réservé" in text and "Annuler" in text
    assert Reservation.objects.filter(child=chloe, occurrence=occ, status=ReservationStatus.BOOKED).exists()
    # Full for Tom now: the waiting list is offered.
    tom_page = page_text(client.get(agenda_url(world["tom"], jour=occ.date.isoformat())))
    assert "Complet" in tom_page and "Liste d'attente" in tom_page
    response = client.post(reverse("activities:agenda_waiting_join", args=[world["tom"].pk, occ.pk]), follow=True)
    assert "Tom est inscrit(e) sur la liste d'attente" in page_text(response)
    assert WaitingListEntry.objects.filter(child=world["tom"], occurrence=occ).exists()
    response = client.post(reverse("activities:agenda_cancel", args=[chloe.pk, occ.pk]), follow=True)
    assert "Réservation annulée" in page_text(response)
    assert not Reservation.objects.filter(child=chloe, occurrence=occ, status=ReservationStatus.BOOKED).exists()
    # The place is offered to Tom.
    tom_page = page_text(client.get(agenda_url(world["tom"], jour=occ.date.isoformat())))
    assert "Place proposée" in tom_page and "Accepter la place" in tom_page


def test_locked_day_refused_with_french_message(client, world):
    client.force_login(world["parent"])
    response = client.post(reverse("activities:agenda_book", args=[world["chloe"].pk, world["locked"].pk]),
                           follow=True)
    assert "Le délai est dépassé" in page_text(response)
    assert not Reservation.objects.filter(occurrence=world["locked"]).exists()


def test_no_validated_dossier_message(client, world):
    parent, (lina,) = make_parent("lina@example.fr", children=("Lina",))
    client.force_login(parent)
    text = page_text(client.get(agenda_url(lina)))
    assert "n'a pas encore de dossier d'inscription validé" in text
    # An occurrence of an activity outside the child's dossier is a 404.
    response = client.post(reverse("activities:agenda_book", args=[lina.pk, world["occ"].pk]))
    assert response.status_code == 404


def test_another_household_gets_404_everywhere(client, world):
    client.force_login(world["stranger"])
    chloe, occ = world["chloe"], world["occ"]
    reservation_book(child=chloe, occurrence=occ, actor=world["parent"])
    urls = [
        ("get", agenda_url(chloe)),
        ("get", reverse("activities:agenda_pattern", args=[chloe.pk])),
        ("post", reverse("activities:agenda_book", args=[chloe.pk, occ.pk])),
        ("post", reverse("activities:agenda_cancel", args=[chloe.pk, occ.pk])),
        ("post", reverse("activities:agenda_waiting_join", args=[chloe.pk, occ.pk])),
        ("post", reverse("activities:agenda_feed_renew", args=[chloe.pk])),
    ]
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 404, url
    assert Reservation.objects.filter(child=chloe, status=ReservationStatus.BOOKED).count() == 1


def test_pending_account_cannot_book(client, world):
    pending, (lina,) = make_parent("nina@example.fr", status=AccountStatus.PENDING, children=("Lina",))
    validate_dossier(lina, world["activity"])
    client.force_login(pending)
    page = page_text(client.get(agenda_url(lina, mois=f"{world['occ'].date:%Y-%m}")))
    assert "en attente de validation" in page and ">Réserver<" not in page
    response = client.post(reverse("activities:agenda_book", args=[lina.pk, world["occ"].pk]))
    assert response.status_code == 403
    assert not Reservation.objects.filter(child=lina).exists()


def test_pattern_for_two_children_with_confirmation(client, world):
    client.force_login(world["parent"])
    activity, chloe, tom = world["activity"], world["chloe"], world["tom"]
    monday = next_weekday(today(), 0, weeks=4)
    days = [monday + datetime.timedelta(days=i) for i in range(5)]
    for day in days:
        make_occurrence(activity, day, capacity=5)
    Occurrence.objects.filter(activity=activity, date=days[3]).update(status=OccurrenceStatus.CLOSED)
    url = reverse("activities:agenda_pattern", args=[chloe.pk])
    assert "Réserver une semaine type" in page_text(client.get(url))
    # Bad input: French errors, typed values kept.
    response = client.post(url, {"activity": activity.pk, "start": "32/13/2026", "end": days[-1].strftime("%d/%m/%Y"),
                                 "exceptions": "demain", "children": [chloe.pk]})
    text = page_text(response)
    assert "Cochez au moins un jour de la semaine." in text and "format jj/mm/aaaa" in text
    assert 'value="32/13/2026"' in text and "demain" in text
    response = client.post(url, {
        "activity": activity.pk, "weekdays": ["0", "2", "3", "4"], "start": monday.strftime("%d/%m/%Y"),
        "end": days[-1].strftime("%d/%m/%Y"), "exceptions": days[4].strftime("%d/%m/%Y"),
        "children": [chloe.pk, tom.pk],
    })
    text = page_text(response)
    assert response.status_code == 200 and "Récapitulatif des réservations" in text
    assert "Journées réservées (4)" in text and "Journées fermées (2)" in text
    booked = Reservation.objects.filter(occurrence__activity=activity, status=ReservationStatus.BOOKED,
                                        occurrence__date__in=days)
    assert sorted((r.child.first_name, r.occurrence.date) for r in booked) == sorted(
        (name, d) for name in ("Chloé", "Tom") for d in (days[0], days[2]))
    # Another household's child cannot be slipped into the form.
    response = client.post(url, {"activity": activity.pk, "weekdays": ["0"], "start": monday.strftime("%d/%m/%Y"),
                                 "end": days[-1].strftime("%d/%m/%Y"), "children": [world["hugo"].pk]})
    assert "Cochez au moins un enfant" in page_text(response) or "n'est pas un choix valide" in page_text(response) \
        or "Sélectionnez un choix valide" in page_text(response)
    assert not Reservation.objects.filter(child=world["hugo"]).exists()
