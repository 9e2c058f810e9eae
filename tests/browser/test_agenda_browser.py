"""Journey of a parent in a child's agenda: from the dashboard to the agenda, book a weekly
pattern, cancel a day, see a locked day; zero serious/critical axe violations.

The dashboard's child icon leads to the child's agenda."""

import datetime
import re

import pytest

from espace_citoyen.activities.models import Reservation, ReservationStatus
from tests.espace_citoyen.activities.agenda_factories import (
    PASSWORD,
    make_activity,
    make_occurrence,
    make_parent,
    next_weekday,
    today,
    validate_dossier,
)

from .conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_parent_books_a_pattern_cancels_a_day_and_sees_the_lock(live_site, browser_page):
    page = browser_page
    activity = make_activity(capacity=5, label="T-navig")
    parent, (chloe,) = make_parent("agenda.parent@example.fr", children=("Chloé",))
    validate_dossier(chloe, activity)
    monday = next_weekday(today(), 0, weeks=2)
    days = [monday + datetime.timedelta(days=i) for i in range(5)]
    for day in days:
        make_occurrence(activity, day)
    locked_day = today() - datetime.timedelta(days=1)
    make_occurrence(activity, locked_day)

    page.goto(live_site.url + "/espace-citoyen/connexion/")
    page.get_by_label("Identifiant (adresse e-mail)").fill(parent.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Me connecter").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/$"))
    page.get_by_role("link", name="Chloé Durand").click()
    page.wait_for_url(re.compile(rf"/espace-citoyen/enfants/{chloe.pk}/agenda/$"))
    assert page.locator("h1").inner_text() == "Agenda de Chloé"
    # The locked day is yesterday: show its month (it may be the previous one).

    page.goto(f"{live_site.url}/espace-citoyen/enfants/{chloe.pk}/agenda/?jour={locked_day:%Y-%m-%d}")
    assert page.locator("h1").inner_text() == "Agenda de Chloé"
    assert "Non réservé — plus modifiable" in page.locator(f"#jour-{locked_day:%Y-%m-%d}").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Réserver une semaine type sur une période").click()
    page.wait_for_url(re.compile(r"/agenda/semaine-type/$"))
    for label in ("Lundi", "Mardi", "Jeudi", "Vendredi"):
        page.get_by_label(label, exact=True).check()
    page.get_by_label("Du", exact=True).fill(monday.strftime("%d/%m/%Y"))
    page.get_by_label("Au", exact=True).fill(days[-1].strftime("%d/%m/%Y"))
    page.get_by_label("Sauf les jours suivants").fill(days[4].strftime("%d/%m/%Y"))
    assert_accessible(page)
    page.get_by_role("button", name="Réserver ces journées").click()
    page.wait_for_selector("text=Récapitulatif des réservations")
    assert "Journées réservées (3)" in page.locator("main").inner_text()
    assert_accessible(page)
    booked = Reservation.objects.filter(child=chloe, status=ReservationStatus.BOOKED)
    assert sorted(r.occurrence.date for r in booked) == [days[0], days[1], days[3]]

    page.get_by_role("link", name="Retour à l'agenda de Chloé").click()
    page.goto(f"{live_site.url}/espace-citoyen/enfants/{chloe.pk}/agenda/?jour={days[1]:%Y-%m-%d}")
    assert "Modifiable jusqu'au" in page.locator(f"#jour-{days[1]:%Y-%m-%d}").inner_text()
    page.locator("form[action$='/annuler/%d/']" % booked.get(occurrence__date=days[1]).occurrence_id).get_by_role(
        "button").click()
    page.wait_for_selector(".flash-messages")
    assert "Réservation annulée" in page.locator(".flash-messages").inner_text()
    assert_accessible(page)
    assert sorted(r.occurrence.date for r in booked.all()) == [days[0], days[3]]

    # The history lists the booked days and the cancelled one.
    page.get_by_role("link", name="Historique des réservations").click()
    page.wait_for_url(re.compile(rf"/espace-citoyen/enfants/{chloe.pk}/historique/$"))
    table = page.locator("table").inner_text()
    assert "Annulé le" in table and table.count("Réservé") == 2
    assert_accessible(page)

    # On a 320 px phone the history's rows become cards: nothing beyond the right edge.
    page.set_viewport_size({"width": 320, "height": 640})
    page.reload()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"history scrolls horizontally by {overflow}px at 320px"
    table_overflow = page.evaluate(
        "(() => { const t = document.querySelector('table'); return t.scrollWidth - t.parentElement.clientWidth; })()")
    assert table_overflow <= 0, f"history table is {table_overflow}px wider than its box at 320px"
    label = page.evaluate("getComputedStyle(document.querySelector('td[data-label]'), '::before').content")
    assert label == '"Activité : "'  # each cell says which column it is
    assert_accessible(page)
