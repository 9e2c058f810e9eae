"""Agenda POSTs: waiting list and offers scoped to the caller's household (another
household's child or entry is a 404, the entry unchanged), the ``retour`` redirect kept on
the child's own agenda, and every change refused (French 403 page, nothing written) to
accounts that are not validated (pending, refused)."""

import pytest
from django.urls import reverse

from espace_citoyen.accounts.models import AccountStatus
from espace_citoyen.activities.models import (
    CalendarFeed,
    Reservation,
    ReservationSource,
    ReservationStatus,
    WaitingListEntry,
    WaitingStatus,
)
from espace_citoyen.activities.services.booking import reservation_book, reservation_cancel, waiting_list_join

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


def agenda_url(child) -> str:
    return reverse("activities:agenda", args=[child.pk])


# --------------------------------------------------------------------------------------
# Waiting list and offers: the owner can, a stranger gets a 404 and changes nothing.
# --------------------------------------------------------------------------------------


@pytest.fixture
def queue():
    """A full day (capacity 1, booked by a "filler" family) with Chloé (Sophie's child) then
    Léo (a third family) on the waiting list; Paul (stranger) has Hugo, also registered."""
    activity = make_activity(capacity=1)
    parent, (chloe,) = make_parent("sophie.scoping@example.fr", children=("Chloé",))
    stranger, (hugo,) = make_parent("paul.scoping@example.fr", first_name="Paul", last_name="Petit",
                                    children=("Hugo",))
    filler, (max_,) = make_parent("marc.scoping@example.fr", first_name="Marc", last_name="Leroy",
                                  children=("Max",))
    third, (leo,) = make_parent("lucie.scoping@example.fr", first_name="Lucie", last_name="Moreau",
                                children=("Léo",))
    for child in (chloe, hugo, max_, leo):
        validate_dossier(child, activity)
    occ = make_occurrence(activity, next_weekday(today(), 1, weeks=3))  # a Tuesday, bookable
    booked = reservation_book(child=max_, occurrence=occ, actor=filler)
    entry = waiting_list_join(child=chloe, occurrence=occ, actor=parent)
    entry_leo = waiting_list_join(child=leo, occurrence=occ, actor=third)
    return {"parent": parent, "chloe": chloe, "stranger": stranger, "hugo": hugo, "filler": filler,
            "booked": booked, "occ": occ, "entry": entry, "entry_leo": entry_leo, "leo": leo}


def _offer_to_chloe(queue):
    """The filler cancels: the freed place is offered to the first in line (Chloé)."""
    reservation_cancel(reservation=queue["booked"], actor=queue["filler"])
    queue["entry"].refresh_from_db()
    assert queue["entry"].status == WaitingStatus.OFFERED
    return queue["entry"]


def test_owner_leaves_the_waiting_list(client, queue):
    client.force_login(queue["parent"])
    chloe, entry = queue["chloe"], queue["entry"]
    response = client.post(reverse("activities:agenda_waiting_leave", args=[chloe.pk, entry.pk]), follow=True)
    assert response.redirect_chain[-1][0] == agenda_url(chloe)
    assert "Chloé a été retiré(e) de la liste d'attente" in page_text(response)
    entry.refresh_from_db()
    assert entry.status == WaitingStatus.CANCELLED


def test_owner_accepts_an_offer(client, queue):
    entry = _offer_to_chloe(queue)
    chloe = queue["chloe"]
    client.force_login(queue["parent"])
    response = client.post(reverse("activities:agenda_offer_accept", args=[chloe.pk, entry.pk]), follow=True)
    assert "Place acceptée : Chloé est inscrit(e)" in page_text(response)
    entry.refresh_from_db()
    assert entry.status == WaitingStatus.ACCEPTED
    reservation = Reservation.objects.get(child=chloe, occurrence=queue["occ"], status=ReservationStatus.BOOKED)
    assert reservation.source == ReservationSource.WAITING_LIST


def test_owner_declines_an_offer_and_the_next_family_is_offered(client, queue):
    entry = _offer_to_chloe(queue)
    chloe = queue["chloe"]
    client.force_login(queue["parent"])
    response = client.post(reverse("activities:agenda_offer_decline", args=[chloe.pk, entry.pk]), follow=True)
    assert "Place refusée : elle est proposée à la famille suivante." in page_text(response)
    entry.refresh_from_db()
    queue["entry_leo"].refresh_from_db()
    assert entry.status == WaitingStatus.CANCELLED
    assert queue["entry_leo"].status == WaitingStatus.OFFERED
    assert not Reservation.objects.filter(child=chloe, occurrence=queue["occ"]).exists()


STRANGER_ROUTES = ["activities:agenda_waiting_leave", "activities:agenda_offer_accept",
                   "activities:agenda_offer_decline"]


@pytest.mark.parametrize("offered", [False, True], ids=["waiting", "offered"])
@pytest.mark.parametrize("route", STRANGER_ROUTES)
@pytest.mark.parametrize("which_child", ["own_child", "other_child"])
def test_stranger_cannot_touch_another_familys_entry(client, queue, route, which_child, offered):
    """(their own child id, Chloé's entry id) and (Chloé's id, Chloé's entry id): 404, the
    entry and the day unchanged."""
    entry = _offer_to_chloe(queue) if offered else queue["entry"]
    before = (entry.status, entry.offer_expires_at)
    booked_before = Reservation.objects.filter(occurrence=queue["occ"], status=ReservationStatus.BOOKED).count()
    child = queue["hugo"] if which_child == "own_child" else queue["chloe"]
    client.force_login(queue["stranger"])
    response = client.post(reverse(route, args=[child.pk, entry.pk]))
    assert response.status_code == 404
    entry.refresh_from_db()
    queue["entry_leo"].refresh_from_db()
    assert (entry.status, entry.offer_expires_at) == before
    assert queue["entry_leo"].status == WaitingStatus.WAITING
    assert Reservation.objects.filter(occurrence=queue["occ"], status=ReservationStatus.BOOKED).count() == booked_before
    assert not Reservation.objects.filter(child=queue["hugo"]).exists()


# --------------------------------------------------------------------------------------
# The ``retour`` parameter: only the child's own agenda.
# --------------------------------------------------------------------------------------


@pytest.fixture
def family():
    activity = make_activity(capacity=5)
    parent, (chloe, tom) = make_parent("sophie.retour@example.fr", children=("Chloé", "Tom"))
    stranger, (hugo,) = make_parent("paul.retour@example.fr", first_name="Paul", last_name="Petit",
                                    children=("Hugo",))
    for child in (chloe, tom, hugo):
        validate_dossier(child, activity)
    occ = make_occurrence(activity, next_weekday(today(), 1, weeks=3))
    return {"parent": parent, "chloe": chloe, "tom": tom, "hugo": hugo, "occ": occ}


def _post_with_retour(client, family, view, retour):
    chloe = family["chloe"]
    client.force_login(family["parent"])
    if view == "book":
        url = reverse("activities:agenda_book", args=[chloe.pk, family["occ"].pk])
    else:
        url = reverse("activities:agenda_feed_renew", args=[chloe.pk])
    return client.post(url, {"retour": retour})


@pytest.mark.parametrize("view", ["book", "feed_renew"])
@pytest.mark.parametrize("retour", [
    "https://evil.example/",
    "//evil.example/",
    "https://evil.example/espace-citoyen/enfants/{chloe}/agenda/",
    "//evil.example/espace-citoyen/enfants/{chloe}/agenda/",
    "{tom_agenda}",
    "{hugo_agenda}",
    "{tom_agenda}?mois=2026-12",
    "/espace-citoyen/enfants/{chloe}/agenda/../../{tom}/agenda/",
])
def test_retour_outside_the_childs_agenda_falls_back(client, family, view, retour):
    retour = retour.format(chloe=family["chloe"].pk, tom=family["tom"].pk, tom_agenda=agenda_url(family["tom"]),
                           hugo_agenda=agenda_url(family["hugo"]))
    response = _post_with_retour(client, family, view, retour)
    assert response.status_code == 302
    assert response["Location"] == agenda_url(family["chloe"])


@pytest.mark.parametrize("view", ["book", "feed_renew"])
def test_retour_on_the_childs_own_agenda_is_kept(client, family, view):
    """Control: the parameter is honoured when it is the child's own agenda page."""
    own = agenda_url(family["chloe"]) + "?vue=semaine&semaine=2026-W50"
    response = _post_with_retour(client, family, view, own)
    assert response.status_code == 302
    assert response["Location"] == own


# --------------------------------------------------------------------------------------
# Pending and refused accounts: every agenda POST is refused, nothing is written.
# --------------------------------------------------------------------------------------


@pytest.fixture
def unvalidated(request):
    """An account with status ``request.param`` whose child Chloé has a validated dossier and,
    on different days: a free day, a booked day, a full day, a waiting entry, an offer and a
    calendar feed — so that each POST would change something for a validated account."""
    status = request.param
    activity = make_activity(capacity=1)
    parent, (chloe,) = make_parent(f"{status}.agenda@example.fr", status=status, children=("Chloé",))
    filler, (max_,) = make_parent(f"filler.{status}@example.fr", first_name="Marc", last_name="Leroy",
                                  children=("Max",))
    validate_dossier(chloe, activity)
    validate_dossier(max_, activity)
    free, booked, full, waiting, offered = (make_occurrence(activity, next_weekday(today(), 1, weeks=w))
                                            for w in (3, 4, 5, 6, 7))
    Reservation.objects.create(child=chloe, occurrence=booked, status=ReservationStatus.BOOKED,
                               source=ReservationSource.PORTAL, created_by=parent)
    booked.booked_count = 1
    booked.save(update_fields=["booked_count"])
    for day in (full, waiting, offered):
        reservation_book(child=max_, occurrence=day, actor=filler)
    waiting_entry = WaitingListEntry.objects.create(occurrence=waiting, child=chloe, created_by=parent)
    offered_entry = WaitingListEntry.objects.create(occurrence=offered, child=chloe, created_by=parent,
                                                    status=WaitingStatus.OFFERED)
    feed = CalendarFeed.objects.create(child=chloe, user=parent)
    return {"status": status, "parent": parent, "chloe": chloe, "activity": activity, "free": free,
            "booked": booked, "full": full, "waiting_entry": waiting_entry, "offered_entry": offered_entry,
            "feed": feed}


def _snapshot(world):
    chloe = world["chloe"]
    return {
        "reservations": sorted(Reservation.objects.filter(child=chloe).values_list("pk", "occurrence_id", "status")),
        "entries": sorted(WaitingListEntry.objects.filter(child=chloe).values_list("pk", "occurrence_id", "status")),
        "feeds": list(CalendarFeed.objects.filter(child=chloe).values_list("pk", "token")),
    }


def _request(world, action):
    chloe = world["chloe"]
    if action == "agenda_book":
        return reverse("activities:agenda_book", args=[chloe.pk, world["free"].pk]), {}
    if action == "agenda_cancel":
        return reverse("activities:agenda_cancel", args=[chloe.pk, world["booked"].pk]), {}
    if action == "agenda_waiting_join":
        return reverse("activities:agenda_waiting_join", args=[chloe.pk, world["full"].pk]), {}
    if action == "agenda_waiting_leave":
        return reverse("activities:agenda_waiting_leave", args=[chloe.pk, world["waiting_entry"].pk]), {}
    if action == "agenda_offer_accept":
        return reverse("activities:agenda_offer_accept", args=[chloe.pk, world["offered_entry"].pk]), {}
    if action == "agenda_offer_decline":
        return reverse("activities:agenda_offer_decline", args=[chloe.pk, world["offered_entry"].pk]), {}
    if action == "agenda_feed_renew":
        return reverse("activities:agenda_feed_renew", args=[chloe.pk]), {}
    assert action == "agenda_pattern"
    start = world["free"].date
    return reverse("activities:agenda_pattern", args=[chloe.pk]), {
        "activity": world["activity"].pk, "weekdays": ["0", "1", "3", "4"], "children": [str(chloe.pk)],
        "start": f"{start:%d/%m/%Y}", "end": f"{world['booked'].date:%d/%m/%Y}", "exceptions": "",
    }


REFUSAL_TEXT = {
    AccountStatus.PENDING: "Votre espace est en attente de validation",
    AccountStatus.REFUSED: "Votre espace n'a pas été validé",
}
ACTIONS = ["agenda_book", "agenda_cancel", "agenda_waiting_join", "agenda_waiting_leave", "agenda_offer_accept",
           "agenda_offer_decline", "agenda_feed_renew", "agenda_pattern"]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("unvalidated", [AccountStatus.PENDING, AccountStatus.REFUSED], indirect=True,
                         ids=["pending", "refused"])
def test_unvalidated_account_cannot_change_the_agenda(client, unvalidated, action):
    world = unvalidated
    before = _snapshot(world)
    client.force_login(world["parent"])
    url, data = _request(world, action)
    response = client.post(url, data)
    assert response.status_code == 403
    text = page_text(response)
    assert REFUSAL_TEXT[world["status"]] in text
    assert "Service Relations à la Population" in text
    assert _snapshot(world) == before
    assert not Reservation.objects.filter(child=world["chloe"], occurrence=world["free"]).exists()
    world["offered_entry"].refresh_from_db()
    assert world["offered_entry"].status == WaitingStatus.OFFERED
