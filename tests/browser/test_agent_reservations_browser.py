"""Journey of a Pôle scolaire agent in the back office: log in with the second factor, find a
child of the demo family, book a day already past the deadline for the family with a reason,
and see the day booked; the family gets the e-mail. Our part of each admin page
(its main content) has no serious or critical axe violation."""

import datetime
import re

import pytest
from django.core import mail

from espace_citoyen.accounts.demo import DEMO_TOTP_KEY_BASE32
from espace_citoyen.activities.models import Occurrence, Reservation, ReservationStatus
from espace_citoyen.core.business_calendar import format_day
from espace_citoyen.family.models import Child

from tests.factories import demo_school_year_label

from .conftest import SERIOUS_IMPACTS
from .test_two_factor_browser import app_code

pytestmark = pytest.mark.browser

AGENT_EMAIL = "pole.scolaire@ville-villennes-sur-seine.fr"
AGENT_PASSWORD = "Agent-Scolaire-2026"


def assert_main_accessible(page):
    """axe-core on the page's main content only: the Wagtail shell around it – including its
    flash messages, whose fade-in animation axe may catch half-way – is Wagtail's."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context={"include": [["main"]], "exclude": [[".messages"]]})
    violations = [v for v in results.response["violations"] if v.get("impact") in SERIOUS_IMPACTS]
    details = "\n".join(f"- {v['id']}: {v['help']} → {[n['target'] for n in v['nodes']][:5]}" for v in violations)
    assert not violations, f"axe violations on {page.url}:\n{details}"


def test_agent_books_a_past_day_for_a_family_with_a_reason(live_site, browser_page):
    page = browser_page
    chloe = Child.objects.get(first_name="Chloé", last_name="Bernard")
    # A canteen day of Chloé's dossier, already past its booking deadline, not booked.
    day = (Occurrence.objects.filter(activity__name="Restauration scolaire", activity__school_year__label=demo_school_year_label(),
                                     date__lt=datetime.date.today(), status="open")
           .exclude(reservations__child=chloe, reservations__status=ReservationStatus.BOOKED)
           .order_by("-date").first())
    assert day is not None

    page.goto(live_site.url + "/admin/login/")
    page.locator("input[name=username]").fill(AGENT_EMAIL)
    page.locator("input[name=password]").fill(AGENT_PASSWORD)
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/admin/double-authentification/verifier/"))
    page.locator("input[name=code]").fill(app_code(DEMO_TOTP_KEY_BASE32))
    page.get_by_role("button", name="Valider le code").click()
    page.wait_for_url(re.compile(r"/admin/"))

    page.goto(live_site.url + "/admin/espace-citoyen/reservations/")
    page.get_by_label("Nom ou prénom de l'enfant").fill("chloe bernard")  # no accent typed
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name="Bernard Chloé").click()
    page.wait_for_url(re.compile(rf"/admin/espace-citoyen/reservations/{chloe.pk}/"))
    assert_main_accessible(page)

    page.goto(f"{live_site.url}/admin/espace-citoyen/reservations/{chloe.pk}/?mois={day.date:%Y-%m}")
    row = page.locator(f"#jour-{day.pk}")
    assert "Délai dépassé" in row.inner_text()
    row.get_by_role("textbox").fill("Oubli signalé par téléphone")
    row.get_by_role("button", name="Réserver").click()
    page.wait_for_url(re.compile(rf"#jour-{day.pk}$"))
    assert f"Réservation enregistrée pour Chloé le {format_day(day.date)}" in page.locator("main").inner_text()
    assert "Réservé" in page.locator(f"#jour-{day.pk}").inner_text()
    assert_main_accessible(page)

    reservation = Reservation.objects.get(child=chloe, occurrence=day, status=ReservationStatus.BOOKED)
    assert reservation.source == "agent" and reservation.override_reason == "Oubli signalé par téléphone"
    assert any("Oubli signalé par téléphone" in message.body and "camille.bernard@example.org" in message.to
               for message in mail.outbox)
