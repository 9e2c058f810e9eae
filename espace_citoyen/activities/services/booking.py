"""Bookings of children's activity days, and the waiting list.

Every write runs in a transaction and first locks the Occurrence row
(``select_for_update``), so that two parents booking the last place are served one after
the other; the CHECK constraint ``booked_count <= capacity`` is the backstop.

Waiting list — the freed place is *held*, not booked: when a booked place is cancelled,
the next WAITING entry becomes OFFERED with ``offer_expires_at`` (now + the setting
``ESPACE_CITOYEN_WAITING_OFFER_HOURS``, never after the booking deadline of the day) and
its family is e-mailed. While an offer is pending, the place counts as taken for everyone
else (``booked_count + offers >= capacity`` means full); only the offered child may take
it (``waiting_offer_accept``). Declined or expired offers pass to the next family
(``waiting_offer_decline``, ``waiting_offers_expire``); an expired offer is also settled at
the next booking or waiting-list attempt on that day, so a late cron never keeps a place held."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from espace_citoyen.core.agents import is_town_agent
from espace_citoyen.core.emails import send_templated_email, site_url
from espace_citoyen.family.models import Child, Membership

from .. import rules
from ..models import (
    CalendarFeed,
    Dossier,
    DossierStatus,
    Occurrence,
    OccurrenceStatus,
    Reservation,
    ReservationSource,
    ReservationStatus,
    WaitingListEntry,
    WaitingStatus,
    new_feed_token,
)

FULL_MESSAGE = ("Cette journée est complète : plus aucune place n'est disponible. "
                "Vous pouvez rejoindre la liste d'attente.")


class BookingError(Exception):
    """A refused booking change, with a French message for the family."""

    def __init__(self, message: str, *, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


def offer_hours() -> int:
    return int(getattr(settings, "ESPACE_CITOYEN_WAITING_OFFER_HOURS", 24))


def _is_agent(actor) -> bool:
    return is_town_agent(actor)


def _acts_as_agent(*, child: Child, actor, override_reason: str) -> bool:
    """An agent intervening for a family: with a reason, or for a household not theirs. An
    agent booking their own child without a reason is a parent like any other."""
    if not _is_agent(actor):
        return False
    return bool(override_reason.strip()) or not Membership.objects.filter(
        household_id=child.household_id, user=actor).exists()


def _check_actor(*, child: Child, actor, override_reason: str) -> None:
    if _acts_as_agent(child=child, actor=actor, override_reason=override_reason):
        if not override_reason.strip():
            raise BookingError("Un agent doit indiquer le motif de son intervention pour cette famille.",
                               code="reason")
        return
    if not Membership.objects.filter(household_id=child.household_id, user=actor).exists():
        raise BookingError("Cet enfant ne fait pas partie de votre foyer.", code="household")
    if not getattr(actor, "is_validated", False):
        raise BookingError("Votre compte doit être validé par la mairie avant de pouvoir réserver.",
                           code="pending")


def _check_deadline(*, occurrence: Occurrence, actor, override_reason: str, now) -> None:
    if rules.can_change(occurrence=occurrence, now=now):
        return
    if _is_agent(actor) and override_reason.strip():
        return
    deadline = rules.format_short(rules.booking_deadline(occurrence=occurrence))
    raise BookingError(f"Le délai est dépassé : cette journée n'était modifiable que jusqu'au {deadline}.",
                       code="locked")



def _locked_occurrences():
    """Occurrences locked FOR UPDATE, only their own rows (not the activity's), so bookings of
    different days never wait for each other."""
    return Occurrence.objects.select_for_update(of=("self",)).select_related("activity__booking_rule")


def _lock(occurrence: Occurrence) -> Occurrence:
    return _locked_occurrences().get(pk=occurrence.pk)


def offers_count(occurrence: Occurrence) -> int:
    return WaitingListEntry.objects.filter(occurrence=occurrence, status=WaitingStatus.OFFERED).count()


def has_validated_dossier(*, child: Child, occurrence: Occurrence) -> bool:
    return Dossier.objects.filter(child=child, school_year_id=occurrence.activity.school_year_id,
                                  status=DossierStatus.VALIDATED, activities=occurrence.activity_id).exists()


def _expire_due_offers(*, occ: Occurrence, now) -> int:
    """Offers of this day (row locked) past their time limit expire, and the place goes to
    the next family."""
    expired = WaitingListEntry.objects.filter(occurrence=occ, status=WaitingStatus.OFFERED,
                                              offer_expires_at__lte=now).update(status=WaitingStatus.EXPIRED)
    if expired:
        _offer_next(occ=occ, now=now)
    return expired


def _book_locked(*, child, occ: Occurrence, actor, override_reason: str, now, source: str,
                 holding_offer: WaitingListEntry | None = None) -> Reservation:
    """Checks and booking once the occurrence row is locked."""
    _check_actor(child=child, actor=actor, override_reason=override_reason)
    if occ.status != OccurrenceStatus.OPEN:
        reason = f" ({occ.closed_reason})" if occ.closed_reason else ""
        raise BookingError(f"Cette journée est fermée{reason} : elle ne peut pas être réservée.", code="closed")
    _check_deadline(occurrence=occ, actor=actor, override_reason=override_reason, now=now)
    if not has_validated_dossier(child=child, occurrence=occ):
        raise BookingError(
            f"{child.first_name} ne peut être inscrit(e) qu'aux activités d'un dossier d'inscription validé : "
            f"aucun dossier {occ.activity.school_year} validé ne comprend « {occ.activity.name} ».",
            code="dossier",
        )
    if Reservation.objects.filter(child=child, occurrence=occ, status=ReservationStatus.BOOKED).exists():
        raise BookingError(f"{child.first_name} est déjà inscrit(e) ce jour-là.", code="already")
    held = offers_count(occ) - (1 if holding_offer else 0)
    if occ.booked_count + held >= occ.capacity:
        raise BookingError(FULL_MESSAGE, code="full")
    try:
        with transaction.atomic():
            Occurrence.objects.filter(pk=occ.pk).update(booked_count=F("booked_count") + 1)
            reservation = Reservation.objects.create(
                child=child, occurrence=occ, status=ReservationStatus.BOOKED, source=source, created_by=actor,
                override_reason=override_reason.strip(),
            )
    except IntegrityError as exc:  # the CHECK constraint (or the one-booking-per-day index)
        raise BookingError(FULL_MESSAGE, code="full") from exc
    occ.booked_count += 1
    # A child that books a day leaves that day's waiting list.
    WaitingListEntry.objects.filter(child=child, occurrence=occ, status=WaitingStatus.WAITING).update(
        status=WaitingStatus.CANCELLED)
    return reservation


def settle_expired_offers(*, occurrence: Occurrence, now) -> None:
    """Before a booking or a waiting-list change, expire the day's offers past their limit
    (committed on their own, whatever becomes of the booking): the cron
    ``expire_waiting_offers`` may be late, a held place must not stay held."""
    if WaitingListEntry.objects.filter(occurrence_id=occurrence.pk, status=WaitingStatus.OFFERED,
                                       offer_expires_at__lte=now).exists():
        with transaction.atomic():
            _expire_due_offers(occ=_lock(occurrence), now=now)


def reservation_book(*, child: Child, occurrence: Occurrence, actor, override_reason: str = "",
                     now: datetime.datetime | None = None) -> Reservation:
    """Book one day for a child. Raises BookingError (French message) when refused."""
    now = now or timezone.now()
    settle_expired_offers(occurrence=occurrence, now=now)
    source = (ReservationSource.AGENT if _acts_as_agent(child=child, actor=actor, override_reason=override_reason)
              else ReservationSource.PORTAL)
    with transaction.atomic():
        occ = _lock(occurrence)
        reservation = _book_locked(child=child, occ=occ, actor=actor, override_reason=override_reason, now=now,
                                   source=source)
    occurrence.booked_count = occ.booked_count
    return reservation


def reservation_cancel(*, reservation: Reservation, actor, override_reason: str = "",
                       now: datetime.datetime | None = None) -> Reservation:
    """Cancel a booked day; the freed place is offered to the next family on the waiting list."""
    now = now or timezone.now()
    with transaction.atomic():
        occ = _lock(reservation.occurrence)
        reservation = Reservation.objects.select_for_update(of=("self",)).select_related("child").get(pk=reservation.pk)
        _check_actor(child=reservation.child, actor=actor, override_reason=override_reason)
        if reservation.status != ReservationStatus.BOOKED:
            raise BookingError("Cette réservation est déjà annulée.", code="already")
        _check_deadline(occurrence=occ, actor=actor, override_reason=override_reason, now=now)
        reservation.status = ReservationStatus.CANCELLED
        reservation.cancelled_at = now
        reservation.cancelled_by = actor
        if override_reason.strip():
            reservation.override_reason = override_reason.strip()
        reservation.save(update_fields=["status", "cancelled_at", "cancelled_by", "override_reason"])
        Occurrence.objects.filter(pk=occ.pk).update(booked_count=F("booked_count") - 1)
        occ.booked_count -= 1
        _offer_next(occ=occ, now=now)
    return reservation


def _offer_next(*, occ: Occurrence, now) -> WaitingListEntry | None:
    """Offer free (not held) places to the next waiting families. Occurrence row is locked."""
    if occ.status != OccurrenceStatus.OPEN or not rules.can_change(occurrence=occ, now=now):
        return None
    offered = None
    while occ.booked_count + offers_count(occ) < occ.capacity:
        entry = (
            WaitingListEntry.objects.select_for_update(of=("self",)).select_related("child", "occurrence__activity")
            .filter(occurrence=occ, status=WaitingStatus.WAITING).order_by("created_at", "id").first()
        )
        if entry is None:
            break
        entry.status = WaitingStatus.OFFERED
        entry.offered_at = now
        entry.offer_expires_at = min(now + datetime.timedelta(hours=offer_hours()),
                                     rules.booking_deadline(occurrence=occ))
        entry.save(update_fields=["status", "offered_at", "offer_expires_at"])
        entry_id = entry.pk
        transaction.on_commit(lambda entry_id=entry_id: _send_offer_email(entry_id))
        offered = entry
    return offered


def _send_offer_email(entry_id: int) -> None:
    entry = WaitingListEntry.objects.select_related("child", "occurrence__activity").get(pk=entry_id)
    recipients = list(
        Membership.objects.filter(household_id=entry.child.household_id).exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    agenda = reverse("activities:agenda", args=[entry.child_id])
    send_templated_email(template="activities/emails/waiting_offer", to=recipients, on_commit=False, context={
        "entry": entry, "child": entry.child, "occurrence": entry.occurrence,
        "expires": rules.format_short(entry.offer_expires_at),
        "url": site_url(f"{agenda}?mois={entry.occurrence.date:%Y-%m}"),
    })


def waiting_list_join(*, child: Child, occurrence: Occurrence, actor,
                      now: datetime.datetime | None = None) -> WaitingListEntry:
    now = now or timezone.now()
    settle_expired_offers(occurrence=occurrence, now=now)
    with transaction.atomic():
        occ = _lock(occurrence)
        _check_actor(child=child, actor=actor, override_reason="")
        if occ.status != OccurrenceStatus.OPEN:
            raise BookingError("Cette journée est fermée.", code="closed")
        _check_deadline(occurrence=occ, actor=actor, override_reason="", now=now)
        if not has_validated_dossier(child=child, occurrence=occ):
            raise BookingError(f"{child.first_name} n'est pas inscrit(e) à cette activité (dossier validé requis).",
                               code="dossier")
        if Reservation.objects.filter(child=child, occurrence=occ, status=ReservationStatus.BOOKED).exists():
            raise BookingError(f"{child.first_name} est déjà inscrit(e) ce jour-là.", code="already")
        if occ.booked_count + offers_count(occ) < occ.capacity:
            raise BookingError("Il reste des places ce jour-là : réservez directement.", code="not_full")
        if WaitingListEntry.objects.filter(child=child, occurrence=occ,
                                           status__in=[WaitingStatus.WAITING, WaitingStatus.OFFERED]).exists():
            raise BookingError(f"{child.first_name} est déjà sur la liste d'attente de ce jour.", code="already")
        return WaitingListEntry.objects.create(occurrence=occ, child=child, created_by=actor)


def waiting_list_leave(*, entry: WaitingListEntry, actor, now=None) -> WaitingListEntry:
    now = now or timezone.now()
    with transaction.atomic():
        occ = _lock(entry.occurrence)
        entry = WaitingListEntry.objects.select_for_update(of=("self",)).select_related("child").get(pk=entry.pk)
        _check_actor(child=entry.child, actor=actor, override_reason="")
        if entry.status not in (WaitingStatus.WAITING, WaitingStatus.OFFERED):
            raise BookingError("Cette inscription sur liste d'attente n'est plus active.", code="inactive")
        was_offered = entry.status == WaitingStatus.OFFERED
        entry.status = WaitingStatus.CANCELLED
        entry.save(update_fields=["status"])
        if was_offered:
            _offer_next(occ=occ, now=now)
    return entry


def waiting_offer_accept(*, entry: WaitingListEntry, actor, now: datetime.datetime | None = None) -> Reservation:
    """The offered family takes the held place (before the offer expires)."""
    now = now or timezone.now()
    with transaction.atomic():
        occ = _lock(entry.occurrence)
        entry = WaitingListEntry.objects.select_for_update(of=("self",)).select_related("child").get(pk=entry.pk)
        _check_actor(child=entry.child, actor=actor, override_reason="")
        if entry.status != WaitingStatus.OFFERED:
            raise BookingError("Aucune place ne vous est proposée pour ce jour.", code="inactive")
        if entry.offer_expires_at and entry.offer_expires_at <= now:
            raise BookingError("La proposition de place a expiré : elle a été transmise à la famille suivante.",
                               code="expired")
        reservation = _book_locked(child=entry.child, occ=occ, actor=actor, override_reason="", now=now,
                                   source=ReservationSource.WAITING_LIST, holding_offer=entry)
        entry.status = WaitingStatus.ACCEPTED
        entry.save(update_fields=["status"])
    return reservation


def waiting_offer_decline(*, entry: WaitingListEntry, actor, now=None) -> WaitingListEntry:
    """The offered family declines: the place goes to the next family."""
    if entry.status != WaitingStatus.OFFERED:
        raise BookingError("Aucune place ne vous est proposée pour ce jour.", code="inactive")
    return waiting_list_leave(entry=entry, actor=actor, now=now)


def waiting_offers_expire(*, now: datetime.datetime | None = None) -> int:
    """Expire the offers whose time limit is past and offer the place to the next family."""
    now = now or timezone.now()
    expired = 0
    occurrence_ids = set(
        WaitingListEntry.objects.filter(status=WaitingStatus.OFFERED, offer_expires_at__lte=now)
        .values_list("occurrence_id", flat=True)
    )
    for occurrence_id in occurrence_ids:
        with transaction.atomic():
            expired += _expire_due_offers(occ=_locked_occurrences().get(pk=occurrence_id), now=now)
    return expired


@dataclass
class BookingSummary:
    """What a weekly pattern did, per category, as (child, occurrence) pairs."""

    booked: list = field(default_factory=list)
    already_booked: list = field(default_factory=list)
    full: list = field(default_factory=list)
    locked: list = field(default_factory=list)
    closed: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # (child, occurrence, message): no dossier, pending account…

    @property
    def total(self) -> int:
        return sum(len(x) for x in (self.booked, self.already_booked, self.full, self.locked, self.closed,
                                    self.refused))


_CATEGORY = {"already": "already_booked", "full": "full", "locked": "locked", "closed": "closed"}


def reservations_book_pattern(*, children, activity, weekdays, start: datetime.date, end: datetime.date,
                              exceptions: set[datetime.date] | frozenset = frozenset(), actor,
                              override_reason: str = "", now: datetime.datetime | None = None) -> BookingSummary:
    """Book every open day of ``activity`` between start and end (included) falling on one of
    ``weekdays`` (0 = Monday) except ``exceptions``, for each child. Days that cannot be booked
    are reported in the summary, never raised."""
    now = now or timezone.now()
    weekdays = {int(w) for w in weekdays}
    exceptions = set(exceptions or ())
    occurrences = [
        occ for occ in Occurrence.objects.filter(activity=activity, date__gte=start, date__lte=end)
        .select_related("activity__booking_rule", "activity__school_year").order_by("date")
        if occ.date.weekday() in weekdays and occ.date not in exceptions
    ]
    summary = BookingSummary()
    for child in children:
        for occ in occurrences:
            try:
                reservation_book(child=child, occurrence=occ, actor=actor, override_reason=override_reason, now=now)
            except BookingError as error:
                category = _CATEGORY.get(error.code)
                if category:
                    getattr(summary, category).append((child, occ))
                else:
                    summary.refused.append((child, occ, error.message))
            else:
                summary.booked.append((child, occ))
    return summary


def calendar_feed_ensure(*, child: Child, user):
    """``user``'s calendar feed of the child, created with a fresh token on first use.
    ``child`` must come from a selector scoped to ``user``."""

    feed, _ = CalendarFeed.objects.get_or_create(child=child, user=user)
    return feed


def calendar_feed_renew(*, child: Child, actor):
    """Give the actor's calendar feed of the child a new secret token: the old URL stops working."""

    _check_actor(child=child, actor=actor, override_reason="")
    with transaction.atomic():
        feed, _ = CalendarFeed.objects.select_for_update().get_or_create(child=child, user=actor)
        feed.token = new_feed_token()
        feed.save(update_fields=["token", "created_at"])
    return feed


def calendar_feeds_after_departure(*, household_id: int, user) -> int:
    """An adult left the household: their feeds of its children are deleted and every other
    feed of the household gets a new token (a link copied from a shared screen or device
    stops working). Returns the number of feeds renewed."""

    with transaction.atomic():
        feeds = CalendarFeed.objects.select_for_update().filter(child__household_id=household_id)
        feeds.filter(user=user).delete()
        renewed = 0
        for feed in feeds.exclude(user=user):
            feed.token = new_feed_token()
            feed.save(update_fields=["token", "created_at"])
            renewed += 1
    return renewed
