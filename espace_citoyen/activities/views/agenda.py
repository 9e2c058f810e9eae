"""The child's agenda: month and week views, booking and cancelling one day, the waiting
list, weekly patterns for several children, and the private calendar feed (.ics).

Every child comes through ``family.selectors.child_for`` (another household's child is a
404); every change goes through ``services.booking`` and needs a validated account."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from icalendar import Calendar, Event

from espace_citoyen.accounts.decorators import validated_account_required
from espace_citoyen.core.business_calendar import (
    MONTHS_FR,
    PARIS,
    format_day,
    format_month,
    parse_iso_week,
    parse_month,
)
from espace_citoyen.family import selectors as family_selectors

from .. import rules
from ..forms_agenda import PatternForm
from ..models import WEEKDAY_LABELS
from ..selectors import agenda as selectors
from ..services import booking
from ..services.booking import BookingError
from .cached import child_with


def _today() -> datetime.date:
    return timezone.now().astimezone(PARIS).date()


def _back(request, child) -> str:
    """Where to go after a POST: the agenda page the form was on (same child only)."""
    agenda = reverse("activities:agenda", args=[child.pk])
    target = request.POST.get("retour", "")
    parts = urlsplit(target)
    if (parts.path.startswith(agenda) and ".." not in parts.path.split("/") and "\\" not in target
            and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})):
        return target
    return agenda


def _parse_day(raw: str) -> datetime.date | None:
    """A day from "YYYY-MM-DD" (?jour=), or None when it is not a day of the calendar pages."""
    raw = (raw or "").strip()
    if len(raw) != 10 or not raw.isascii() or parse_month(raw[:7]) is None:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        return None


def _week_param(day: datetime.date) -> str:
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def _week_label(first: datetime.date, last: datetime.date) -> str:
    """ "semaine du 7 au 13 décembre 2026", "semaine du 30 novembre au 6 décembre 2026"."""
    end = format_day(last, weekday=False)
    if first.year != last.year:
        return f"semaine du {format_day(first, weekday=False)} au {end}"
    start = "1er" if first.day == 1 else str(first.day)
    if first.month != last.month:
        start += f" {MONTHS_FR[first.month - 1]}"
    return f"semaine du {start} au {end}"


def _week_context(request, child, today, activities) -> dict:
    monday = today - datetime.timedelta(days=today.weekday())
    raw = request.GET.get("semaine", "")
    if raw:
        parsed = parse_iso_week(raw)
        if parsed:
            monday = parsed
        else:
            messages.warning(request, _("La semaine demandée n'est pas valide : voici la semaine en cours."))
    days = selectors.week_for(child=child, monday=monday, activities=activities)
    for day in days:
        day.is_today = day.date == today
    return {
        "days": days, "monday": monday,
        "period_label": _week_label(monday, days[-1].date),
        "week_param": _week_param(monday),
        "previous_param": _week_param(monday - datetime.timedelta(days=7)),
        "next_param": _week_param(monday + datetime.timedelta(days=7)),
    }


def _month_context(request, child, today, activities) -> dict:
    year, month = today.year, today.month
    raw_month, raw_day = request.GET.get("mois", ""), request.GET.get("jour", "")
    if raw_month:
        parsed = parse_month(raw_month)
        if parsed:
            year, month = parsed
        else:
            messages.warning(request, _("Le mois demandé n'est pas valide : voici le mois en cours."))
    selected = None
    if raw_day:
        selected = _parse_day(raw_day)
        if selected is None:
            messages.warning(request, _("Le jour demandé n'est pas valide."))
        else:
            year, month = selected.year, selected.month
    first = datetime.date(year, month, 1)
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    weeks = selectors.month_for(child=child, year=year, month=month, activities=activities)
    in_month = [day for week in weeks for day in week if day.in_month]
    if selected is None:
        # Today when it is in the month shown, else the month's first day with an activity.
        selected = next((day.date for day in in_month if day.date == today), None) or next(
            (day.date for day in in_month if day.cells), None)
    for day in in_month:
        day.is_today, day.is_selected = day.date == today, day.date == selected
    return {
        # Only the chosen day's activities: another day's come with a tap (site.js fetches
        # that day's page, or the link loads it without JavaScript). Every day's panel, forms
        # included, was two fifths of the page's time (issue 14).
        "weeks": weeks, "month_days": [day for day in in_month if day.date == selected],
        "selected": selected, "period_label": format_month(year, month), "month_param": f"{year}-{month:02d}",
        "previous_param": f"{previous:%Y-%m}", "next_param": f"{following:%Y-%m}",
        "previous_label": MONTHS_FR[previous.month - 1], "next_label": MONTHS_FR[following.month - 1],
        "week_of_month": _week_param(selected or first),
    }


def _activities_and_feed_token(user):
    def read(child):
        # The token only: the feed row would carry the user object (password hash, device).
        token = booking.calendar_feed_ensure(child=child, user=user).token if user.is_validated else None
        return list(selectors.activities_for(child=child)), token

    return read


@login_required
def agenda(request, child_id: int):
    # Three queries were a third of the page's time: cached (views/cached.py).
    child, (activities, feed_token) = child_with(request.user, child_id, "agenda-child",
                                                 _activities_and_feed_token(request.user))
    today = _today()
    view = "semaine" if request.GET.get("vue") == "semaine" else "mois"
    context = {"child": child, "view": view, "today": today, "weekday_labels": WEEKDAY_LABELS,
               "legend": selectors.LEGEND, "activities": activities, "current_url": request.get_full_path()}
    period = _week_context if view == "semaine" else _month_context
    context.update(period(request, child, today, activities))
    context["feed"] = bool(feed_token)
    if feed_token:
        context["feed_url"] = request.build_absolute_uri(
            reverse("activities:agenda_ics", args=[child.pk]) + f"?jeton={feed_token}")
    return render(request, "activities/agenda.html", context)


def _run(request, action, success: str) -> None:
    try:
        action()
    except BookingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)


@require_POST
@validated_account_required
def book(request, child_id: int, occurrence_id: int):
    child = family_selectors.child_for(user=request.user, child_id=child_id)
    occurrence = selectors.occurrence_for_child(child=child, occurrence_id=occurrence_id)
    _run(request, lambda: booking.reservation_book(child=child, occurrence=occurrence, actor=request.user),
         f"{occurrence.activity.name} réservé(e) pour {child.first_name} le {format_day(occurrence.date)}.")
    return redirect(_back(request, child))


@require_POST
@validated_account_required
def cancel(request, child_id: int, occurrence_id: int):
    child = family_selectors.child_for(user=request.user, child_id=child_id)
    reservation = selectors.reservation_for_child(child=child, occurrence_id=occurrence_id)
    occurrence = reservation.occurrence
    _run(request, lambda: booking.reservation_cancel(reservation=reservation, actor=request.user),
         f"Réservation annulée : {occurrence.activity.name} pour {child.first_name} le {format_day(occurrence.date)}.")
    return redirect(_back(request, child))


@require_POST
@validated_account_required
def waiting_join(request, child_id: int, occurrence_id: int):
    child = family_selectors.child_for(user=request.user, child_id=child_id)
    occurrence = selectors.occurrence_for_child(child=child, occurrence_id=occurrence_id)
    _run(request, lambda: booking.waiting_list_join(child=child, occurrence=occurrence, actor=request.user),
         f"{child.first_name} est inscrit(e) sur la liste d'attente du {format_day(occurrence.date)} "
         f"({occurrence.activity.name}). Vous serez prévenu(e) par e-mail si une place se libère.")
    return redirect(_back(request, child))


@require_POST
@validated_account_required
def waiting_leave(request, child_id: int, entry_id: int):
    child = family_selectors.child_for(user=request.user, child_id=child_id)
    entry = selectors.waiting_entry_for_child(child=child, entry_id=entry_id)
    _run(request, lambda: booking.waiting_list_leave(entry=entry, actor=request.user),
         f"{child.first_name} a été retiré(e) de la liste d'attente du {format_day(entry.occurrence.date)}.")
    return redirect(_back(request, child))


@require_POST
@validated_account_required
def offer_accept(request, child_id: int, entry_id: int):
    child = family_selectors.child_for(user=request.user, child_id=child_id)
    entry = selectors.waiting_entry_for_child(child=child, entry_id=entry_id)
    _run(request, lambda: booking.waiting_offer_accept(entry=entry, actor=request.user),
         f"Place acceptée : {child.first_name} est inscrit(e) le {format_day(entry.occurrence.date)}.")
    return redirect(_back(request, child))


@require_POST
@validated_account_required
def offer_decline(request, child_id: int, entry_id: int):
    child = family_selectors.child_for(user=request.user, child_id=child_id)
    entry = selectors.waiting_entry_for_child(child=child, entry_id=entry_id)
    _run(request, lambda: booking.waiting_offer_decline(entry=entry, actor=request.user),
         "Place refusée : elle est proposée à la famille suivante.")
    return redirect(_back(request, child))


@validated_account_required
def pattern(request, child_id: int):
    child = family_selectors.child_for(user=request.user, child_id=child_id)
    children = list(family_selectors.children_for(user=request.user))
    activities = selectors.activities_for(child=child)
    if request.method == "POST":
        form = PatternForm(request.POST, activities=activities, children=children)
        if form.is_valid():
            data = form.cleaned_data
            summary = booking.reservations_book_pattern(
                children=form.selected_children(), activity=data["activity"], weekdays=data["weekdays"],
                start=data["start"], end=data["end"], exceptions=data["exceptions"], actor=request.user,
            )
            if summary.booked:
                messages.success(request, _("%(count)s journée(s) réservée(s).") % {"count": len(summary.booked)})
            elif not summary.total:
                messages.info(request, _("Aucune journée de cette activité ne correspond à ces critères."))
            return render(request, "activities/agenda_pattern_done.html",
                          {"child": child, "summary": summary, "activity": data["activity"],
                           "day_label": format_day})
    else:
        today = _today()
        form = PatternForm(initial={"children": [child.pk], "start": today.strftime("%d/%m/%Y"),
                                    "weekdays": [0, 1, 3, 4]},
                           activities=activities, children=children)
    return render(request, "activities/agenda_pattern.html", {"child": child, "form": form})


@require_POST
@validated_account_required
def feed_renew(request, child_id: int):
    child = family_selectors.child_for(user=request.user, child_id=child_id)
    booking.calendar_feed_renew(child=child, actor=request.user)
    messages.success(request, _("Le lien de l'agenda a été renouvelé : l'ancien lien ne fonctionne plus. "
                                "Abonnez à nouveau votre application de calendrier avec le nouveau lien."))
    return redirect(_back(request, child))


def agenda_ics(request, child_id: int):
    """The private calendar feed: no login (calendar apps), the secret token instead."""

    child = selectors.child_by_feed_token(child_id=child_id, token=request.GET.get("jeton", ""))
    cal = Calendar()
    cal.add("prodid", "-//Mairie de Villennes-sur-Seine//Espace citoyen//FR")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Activités de {child.first_name}")
    host = request.get_host().split(":")[0]
    stamp = timezone.now()
    for reservation in selectors.booked_reservations_for_feed(child=child):
        occurrence = reservation.occurrence
        event = Event()
        event.add("uid", f"reservation-{reservation.pk}@{host}")
        event.add("summary", f"{occurrence.activity.name} – {child.first_name}")
        event.add("dtstart", occurrence.date)
        event.add("dtend", occurrence.date + datetime.timedelta(days=1))
        event.add("dtstamp", stamp)
        event.add("description", rules.change_notice(occurrence=occurrence).capitalize())
        cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="agenda-{child.pk}.ics"'
    return response
