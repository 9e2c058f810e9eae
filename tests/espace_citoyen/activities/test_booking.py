"""Booking services: deadlines, agent override, dossier required, capacity, waiting list
(the freed place is held for the offered family), weekly patterns."""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import override_settings

from espace_citoyen.accounts.models import AccountStatus
from espace_citoyen.activities.models import (
    Occurrence,
    OccurrenceStatus,
    Reservation,
    ReservationSource,
    ReservationStatus,
    WaitingListEntry,
    WaitingStatus,
)
from espace_citoyen.activities.services.booking import (
    BookingError,
    reservation_book,
    reservation_cancel,
    reservations_book_pattern,
    waiting_list_join,
    waiting_offer_accept,
    waiting_offer_decline,
    waiting_offers_expire,
)

from .agenda_factories import make_activity, make_occurrence, make_parent, next_weekday, paris, today, validate_dossier

pytestmark = pytest.mark.django_db

TUESDAY = datetime.date(2026, 3, 3)  # deadline: Friday 27 February 2026 at 10:00
BEFORE = paris(2026, 2, 26, 12)
AFTER = paris(2026, 2, 27, 10, 30)


@pytest.fixture
def setup():
    activity = make_activity(capacity=2)
    parent, (chloe,) = make_parent("sophie@example.fr")
    validate_dossier(chloe, activity)
    occ = make_occurrence(activity, TUESDAY)
    return activity, parent, chloe, occ


def test_book_and_cancel_before_deadline(setup):
    activity, parent, chloe, occ = setup
    reservation = reservation_book(child=chloe, occurrence=occ, actor=parent, now=BEFORE)
    occ.refresh_from_db()
    assert occ.booked_count == 1 and reservation.source == ReservationSource.PORTAL
    with pytest.raises(BookingError, match="déjà inscrit"):
        reservation_book(child=chloe, occurrence=occ, actor=parent, now=BEFORE)
    reservation_cancel(reservation=reservation, actor=parent, now=BEFORE)
    reservation.refresh_from_db()
    occ.refresh_from_db()
    assert reservation.status == ReservationStatus.CANCELLED and reservation.cancelled_by == parent
    assert occ.booked_count == 0
    # Booking again after cancelling is allowed (partial unique index on booked rows only).
    reservation_book(child=chloe, occurrence=occ, actor=parent, now=BEFORE)
    assert Reservation.objects.filter(child=chloe).count() == 2


def test_book_and_cancel_after_deadline_refused(setup):
    activity, parent, chloe, occ = setup
    with pytest.raises(BookingError, match="délai est dépassé.*vendredi 27 février, 10:00"):
        reservation_book(child=chloe, occurrence=occ, actor=parent, now=AFTER)
    reservation = reservation_book(child=chloe, occurrence=occ, actor=parent, now=BEFORE)
    with pytest.raises(BookingError, match="délai est dépassé"):
        reservation_cancel(reservation=reservation, actor=parent, now=AFTER)
    reservation.refresh_from_db()
    assert reservation.status == ReservationStatus.BOOKED


def test_agent_override_needs_a_reason(setup, django_user_model):
    activity, parent, chloe, occ = setup
    agent = django_user_model.objects.create_user("agent@villennes.fr", "x-Solide-123456", is_staff=True)
    with pytest.raises(BookingError):
        reservation_book(child=chloe, occurrence=occ, actor=agent, now=AFTER)
    # A parent cannot use the override.
    with pytest.raises(BookingError, match="délai est dépassé"):
        reservation_book(child=chloe, occurrence=occ, actor=parent, override_reason="urgence", now=AFTER)
    reservation = reservation_book(child=chloe, occurrence=occ, actor=agent, override_reason="Reprise du travail",
                                   now=AFTER)
    assert reservation.source == ReservationSource.AGENT and reservation.override_reason == "Reprise du travail"
    reservation_cancel(reservation=reservation, actor=agent, override_reason="Erreur de saisie", now=AFTER)
    reservation.refresh_from_db()
    assert reservation.status == ReservationStatus.CANCELLED and reservation.override_reason == "Erreur de saisie"


def test_dossier_required(setup):
    activity, parent, chloe, occ = setup
    other = make_activity(name="Étude surveillée")
    study = make_occurrence(other, TUESDAY)
    with pytest.raises(BookingError, match="dossier d'inscription validé"):
        reservation_book(child=chloe, occurrence=study, actor=parent, now=BEFORE)
    assert not Reservation.objects.filter(occurrence=study).exists()


def test_another_household_and_pending_account_refused(setup):
    activity, parent, chloe, occ = setup
    stranger, _ = make_parent("paul@example.fr", first_name="Paul", children=("Hugo",))
    with pytest.raises(BookingError, match="ne fait pas partie de votre foyer"):
        reservation_book(child=chloe, occurrence=occ, actor=stranger, now=BEFORE)
    pending, (lina,) = make_parent("nina@example.fr", status=AccountStatus.PENDING, children=("Lina",))
    validate_dossier(lina, activity)
    with pytest.raises(BookingError, match="compte doit être validé"):
        reservation_book(child=lina, occurrence=occ, actor=pending, now=BEFORE)
    assert not Reservation.objects.filter(occurrence=occ).exists()


def test_closed_day_refused(setup):
    activity, parent, chloe, occ = setup
    Occurrence.objects.filter(pk=occ.pk).update(status=OccurrenceStatus.CLOSED, closed_reason="grève")
    occ.refresh_from_db()
    with pytest.raises(BookingError, match="fermée \\(grève\\)"):
        reservation_book(child=chloe, occurrence=occ, actor=parent, now=BEFORE)


def test_capacity_and_db_constraint(setup):
    activity, parent, chloe, occ = setup
    _, kids = make_parent("famille@example.fr", children=("A", "B"))
    other_parent = kids[0].household.memberships.first().user
    for kid in kids:
        validate_dossier(kid, activity)
        reservation_book(child=kid, occurrence=occ, actor=other_parent, now=BEFORE)
    with pytest.raises(BookingError, match="complète"):
        reservation_book(child=chloe, occurrence=occ, actor=parent, now=BEFORE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Occurrence.objects.filter(pk=occ.pk).update(booked_count=3)


def _full_day_with_waiting(setup):
    activity, parent, chloe, occ = setup
    family, kids = make_parent("famille@example.fr", first_name="Marc", children=("A", "B"))
    for kid in kids:
        validate_dossier(kid, activity)
    booked = [reservation_book(child=kid, occurrence=occ, actor=family, now=BEFORE) for kid in kids]
    with pytest.raises(BookingError, match="Il reste des places"):
        other = make_occurrence(activity, TUESDAY + datetime.timedelta(days=7))
        waiting_list_join(child=chloe, occurrence=other, actor=parent, now=BEFORE)
    entry = waiting_list_join(child=chloe, occurrence=occ, actor=parent, now=BEFORE)
    second, (leo,) = make_parent("second@example.fr", first_name="Anne", children=("Léo",))
    validate_dossier(leo, activity)
    entry2 = waiting_list_join(child=leo, occurrence=occ, actor=second, now=BEFORE)
    return family, booked, entry, entry2, second, leo


@override_settings(ESPACE_CITOYEN_WAITING_OFFER_HOURS=5)
def test_cancel_offers_place_to_next_family_who_accepts(setup, django_capture_on_commit_callbacks):
    activity, parent, chloe, occ = setup
    family, booked, entry, entry2, second, leo = _full_day_with_waiting(setup)
    with django_capture_on_commit_callbacks(execute=True):
        reservation_cancel(reservation=booked[0], actor=family, now=BEFORE)
    entry.refresh_from_db()
    assert entry.status == WaitingStatus.OFFERED
    assert entry.offer_expires_at == BEFORE + datetime.timedelta(hours=5)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["sophie@example.fr"]
    assert "Une place s'est libérée pour Chloé" in mail.outbox[0].subject
    assert "jeudi 26 février, 17:00" in mail.outbox[0].body
    # The place is held: nobody else can take it, not even the family who freed it.
    with pytest.raises(BookingError, match="complète"):
        reservation_book(child=booked[0].child, occurrence=occ, actor=family, now=BEFORE)
    reservation = waiting_offer_accept(entry=entry, actor=parent, now=BEFORE)
    assert reservation.source == ReservationSource.WAITING_LIST
    entry.refresh_from_db()
    occ.refresh_from_db()
    assert entry.status == WaitingStatus.ACCEPTED and occ.booked_count == 2


def test_offer_expiry_passes_to_next_family(setup, django_capture_on_commit_callbacks):
    activity, parent, chloe, occ = setup
    family, booked, entry, entry2, second, leo = _full_day_with_waiting(setup)
    with django_capture_on_commit_callbacks(execute=True):
        reservation_cancel(reservation=booked[0], actor=family, now=BEFORE)
    entry.refresh_from_db()
    # Offer capped at the booking deadline (Friday 10:00 < Thursday 12:00 + 24 h).
    assert entry.offer_expires_at == paris(2026, 2, 27, 10)
    assert waiting_offers_expire(now=paris(2026, 2, 26, 13)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        # Let the offer expire before the deadline by shortening it.
        WaitingListEntry.objects.filter(pk=entry.pk).update(offer_expires_at=paris(2026, 2, 26, 14))
        assert waiting_offers_expire(now=paris(2026, 2, 26, 15)) == 1
    entry.refresh_from_db()
    entry2.refresh_from_db()
    assert entry.status == WaitingStatus.EXPIRED and entry2.status == WaitingStatus.OFFERED
    assert mail.outbox[-1].to == ["second@example.fr"]
    with pytest.raises(BookingError, match="Aucune place"):
        waiting_offer_accept(entry=entry, actor=parent, now=paris(2026, 2, 26, 15))
    waiting_offer_decline(entry=entry2, actor=second, now=paris(2026, 2, 26, 16))
    entry2.refresh_from_db()
    assert entry2.status == WaitingStatus.CANCELLED
    # Nobody left waiting: the place is free again.
    reservation_book(child=booked[0].child, occurrence=occ, actor=family, now=paris(2026, 2, 26, 17))


def test_expired_offer_frees_the_place_without_the_cron(setup, django_capture_on_commit_callbacks):
    """The cron may be late: an offer past its limit no longer holds the place. The next
    booking attempt on that day expires it and offers the place to the next family first."""
    activity, parent, chloe, occ = setup
    family, booked, entry, entry2, second, leo = _full_day_with_waiting(setup)
    reservation_cancel(reservation=booked[0], actor=family, now=BEFORE)
    WaitingListEntry.objects.filter(pk=entry.pk).update(offer_expires_at=paris(2026, 2, 26, 14))
    later = paris(2026, 2, 26, 15)
    # Still full for an outsider: the place now goes to Léo, the next on the list.
    outsider, (ines,) = make_parent("outsider@example.fr", first_name="Inès", children=("Inès",))
    validate_dossier(ines, activity)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(BookingError, match="complète"):
        reservation_book(child=ines, occurrence=occ, actor=outsider, now=later)
    entry.refresh_from_db()
    entry2.refresh_from_db()
    assert entry.status == WaitingStatus.EXPIRED and entry2.status == WaitingStatus.OFFERED
    assert mail.outbox[-1].to == ["second@example.fr"]
    assert waiting_offer_accept(entry=entry2, actor=second, now=later).child == leo
    occ.refresh_from_db()
    assert occ.booked_count == occ.capacity == 2


def test_expired_offer_cannot_be_accepted(setup):
    activity, parent, chloe, occ = setup
    family, booked, entry, entry2, second, leo = _full_day_with_waiting(setup)
    reservation_cancel(reservation=booked[0], actor=family, now=BEFORE)
    with pytest.raises(BookingError, match="expiré"):
        waiting_offer_accept(entry=entry, actor=parent, now=paris(2026, 2, 27, 10))


def test_weekly_pattern_with_exceptions_and_several_children():
    activity = make_activity(capacity=1)
    parent, (chloe, tom) = make_parent("sophie@example.fr", children=("Chloé", "Tom"))
    validate_dossier(chloe, activity)
    validate_dossier(tom, activity)
    start = datetime.date(2026, 3, 2)  # Monday
    days = [start + datetime.timedelta(days=i) for i in range(14)]
    occs = {d: make_occurrence(activity, d, capacity=2) for d in days if d.weekday() in (0, 1, 3, 4)}
    Occurrence.objects.filter(activity=activity, date=datetime.date(2026, 3, 12)).update(status=OccurrenceStatus.CLOSED)
    Occurrence.objects.filter(activity=activity, date=datetime.date(2026, 3, 13)).update(capacity=1)
    reservation_book(child=tom, occurrence=occs[datetime.date(2026, 3, 9)], actor=parent, now=paris(2026, 2, 20))
    summary = reservations_book_pattern(
        children=[chloe, tom], activity=activity, weekdays=[0, 3, 4], start=start, end=days[-1],
        exceptions={datetime.date(2026, 3, 6)}, actor=parent, now=paris(2026, 3, 2, 11),
    )
    # Days: Mon 2 (locked: deadline Thu 26/2 10:00), Thu 5 (deadline Tue 3 10:00: bookable), Fri 6 excepted,
    # Mon 9, Thu 12 (closed), Fri 13 (capacity 1).
    booked = {(c.first_name, o.date.day) for c, o in summary.booked}
    assert booked == {("Chloé", 5), ("Tom", 5), ("Chloé", 9), ("Chloé", 13)}
    assert {(c.first_name, o.date.day) for c, o in summary.locked} == {("Chloé", 2), ("Tom", 2)}
    assert {(c.first_name, o.date.day) for c, o in summary.already_booked} == {("Tom", 9)}
    assert {(c.first_name, o.date.day) for c, o in summary.closed} == {("Chloé", 12), ("Tom", 12)}
    assert {(c.first_name, o.date.day) for c, o in summary.full} == {("Tom", 13)}
    assert not Reservation.objects.filter(occurrence__activity=activity,
                                          occurrence__date=datetime.date(2026, 3, 6)).exists()
    assert Reservation.objects.filter(occurrence__activity=activity, status=ReservationStatus.BOOKED).count() == 5


def test_expiry_task_and_command(setup):
    from io import StringIO

    from django.core.management import call_command

    from espace_citoyen.activities.tasks import expire_waiting_offers

    activity, parent, chloe, occ = setup
    family, booked, entry, entry2, second, leo = _full_day_with_waiting(setup)
    reservation_cancel(reservation=booked[0], actor=family, now=BEFORE)
    WaitingListEntry.objects.filter(pk=entry.pk).update(offer_expires_at=paris(2020, 1, 1))
    result = expire_waiting_offers.enqueue()
    assert result.return_value == 1
    entry.refresh_from_db()
    assert entry.status == WaitingStatus.EXPIRED
    out = StringIO()
    call_command("expire_waiting_offers", stdout=out)
    assert "proposition(s) expirée(s)" in out.getvalue()


def test_an_agent_booking_their_own_child_is_a_parent_like_any_other():
    """An agent (say of the Communication team) booking their own child without a reason gets
    the family's rules: validated account, deadline, and the booking is not labelled "agent"."""
    from django.contrib.auth.models import Permission

    activity = make_activity(capacity=5)
    agent_parent, (lou,) = make_parent("agent.parent@ville-villennes-sur-seine.fr", children=("Lou",))
    agent_parent.user_permissions.add(Permission.objects.get(codename="access_admin"))
    validate_dossier(lou, activity)
    day = make_occurrence(activity, next_weekday(today(), 1, weeks=3))
    reservation = reservation_book(child=lou, occurrence=day, actor=agent_parent)
    assert reservation.source == ReservationSource.PORTAL and reservation.override_reason == ""
    past = make_occurrence(activity, today() - datetime.timedelta(days=1))
    with pytest.raises(BookingError, match="délai est dépassé"):
        reservation_book(child=lou, occurrence=past, actor=agent_parent)
    agent_parent.status = AccountStatus.PENDING
    agent_parent.save()
    agent_parent = type(agent_parent).objects.get(pk=agent_parent.pk)  # fresh permission cache
    other_day = make_occurrence(activity, next_weekday(today(), 3, weeks=3))
    with pytest.raises(BookingError, match="validé"):
        reservation_book(child=lou, occurrence=other_day, actor=agent_parent)
