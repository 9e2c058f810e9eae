"""Issue 13 in the browser, on the demo (built relative to today), at 320, 768 and 1280 px:

- every agenda view and every page of the space fits the screen: the page's real width
  (``document.documentElement.scrollWidth``) never exceeds the window's, and axe-core finds no
  serious or critical violation;
- the month's seven columns are all visible at 1280 px;
- a tap on a day shows its activities; past days say in words whether the child is booked,
  full days and closed days (with the town's reason) too;
- "Copier le lien" copies the private calendar link;
- the dashboard's door to "Ma famille";
- "Signaler une absence" end to end: a parent reports with a certificate uploaded on the spot,
  the Pôle scolaire agent sees it on the attendance sheet pre-filled "absent, justifié", and
  the family got the acknowledgement e-mail.

Screenshots of the month and week views at 320 and 1280 px are written to
$AGENDA_SCREENSHOTS (a folder) when it is set."""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.db.models import F
from django.utils import timezone

from espace_citoyen.accounts.demo import DEMO_TOTP_KEY_BASE32
from espace_citoyen.accounts.models import User
from espace_citoyen.activities.demo import demo_plan
from espace_citoyen.activities.models import (AbsenceReport, Activity, Attendance, AttendanceStatus, BookingRule,
                                              Dossier, Occurrence, OccurrenceStatus, ReservationStatus)
from espace_citoyen.activities.rules import booking_deadline
from espace_citoyen.activities.services.absences import reportable_reservations
from espace_citoyen.activities.services.booking import reservation_book
from espace_citoyen.activities.selectors.agenda import cells_for
from espace_citoyen.demarches.models import Demarche
from espace_citoyen.documents.models import Document
from espace_citoyen.family.models import Child
from espace_citoyen.messaging.selectors import messages_for
from tests.factories import make_pdf

from .conftest import assert_accessible
from .test_agent_reservations_browser import AGENT_EMAIL, AGENT_PASSWORD, assert_main_accessible
from .test_two_factor_browser import app_code

pytestmark = pytest.mark.browser

PARENT_EMAIL, PARENT_PASSWORD = "camille.bernard@example.org", "Famille-Bernard-2026"
WIDTHS = (320, 768, 1280)


def login_parent(page, base):
    page.goto(base + "/espace-citoyen/connexion/")
    page.get_by_label("Identifiant (adresse e-mail)").fill(PARENT_EMAIL)
    page.get_by_label("Mot de passe").fill(PARENT_PASSWORD)
    page.get_by_role("button", name="Me connecter").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/$"))


def assert_fits(page, width):
    sizes = page.evaluate("({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert sizes["scroll"] <= sizes["inner"], f"{page.url} is {sizes['scroll']}px wide at {width}px"


def shoot(page, name):
    folder = os.environ.get("AGENDA_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def bernard(first_name):
    return Child.objects.get(first_name=first_name, last_name="Bernard")


def first_cell(child, tone, *, before=None, after=None):
    """A day of the demo (six weeks around today) where the child's activity has that tone."""
    plan = demo_plan()
    cells = cells_for(child=child, start=plan.today - datetime.timedelta(weeks=5),
                      end=plan.today + datetime.timedelta(weeks=6))
    found = [cell for day in sorted(cells) for cell in cells[day] if cell.tone == tone
             and (before is None or day < before) and (after is None or day > after)]
    assert found, f"the demo has a {tone} day for {child.first_name}"
    return found[-1] if before else found[0]


def test_agenda_views_fit_every_width_and_read_at_a_glance(live_site, browser_page):
    page, base = browser_page, live_site.url
    login_parent(page, base)
    chloe, nathan = bernard("Chloé"), bernard("Nathan")
    today = demo_plan().today
    previous_month = (today.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    views = {
        "mois": "", "semaine": "?vue=semaine", "mois-precedent": f"?mois={previous_month}",
        "semaine-suivante": f"?vue=semaine&semaine={(today + datetime.timedelta(days=7)).strftime('%G-W%V')}",
    }
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for child in (chloe, nathan):
            agenda = base + reverse("activities:agenda", args=[child.pk])
            for name, query in views.items():
                page.goto(agenda + query)
                assert page.locator("h1").inner_text() == f"Agenda de {child.first_name}"
                assert_fits(page, width)
                assert_accessible(page)
                if child == chloe and name in ("mois", "semaine") and width in (320, 1280):
                    shoot(page, f"agenda-{name}-{width}")
            if width == 1280:
                page.goto(agenda)
                # The seven columns are inside the window, none clipped, the table inside its box.
                boxes = page.evaluate("""Array.from(document.querySelectorAll('.agenda-grid thead th'))
                    .map(th => { const r = th.getBoundingClientRect(); return [r.left, r.right]; })""")
                assert len(boxes) == 7 and all(0 <= left and right <= 1280 for left, right in boxes), boxes
                assert page.locator(".agenda-grid thead th").last.inner_text() == "Dimanche"
                assert page.evaluate("(() => { const t = document.querySelector('.agenda-grid');"
                                     " return t.scrollWidth <= t.parentElement.clientWidth; })()")
        # Other pages of the agenda: history, weekly pattern.
        for url in (reverse("activities:history", args=[chloe.pk]), reverse("activities:agenda_pattern",
                                                                            args=[chloe.pk])):
            page.goto(base + url)
            assert_fits(page, width)
            assert_accessible(page)


def test_past_states_in_words_after_a_tap_and_copy_the_link(live_site, chromium):
    context = chromium.new_context(locale="fr-FR", viewport={"width": 320, "height": 800})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_site.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        base = live_site.url
        login_parent(page, base)
        today = demo_plan().today
        chloe, nathan = bernard("Chloé"), bernard("Nathan")
        expectations = [
            (chloe, first_cell(chloe, "locked-booked", before=today), "Réservé — plus modifiable"),
            (nathan, first_cell(nathan, "locked-free", before=today), "Non réservé — plus modifiable"),
            (nathan, first_cell(nathan, "locked-full", before=today), "Complet — plus modifiable"),
            (chloe, first_cell(chloe, "closed", before=today), "Grève du personnel d'animation"),
            (nathan, first_cell(nathan, "waiting", after=today), "Complet — sur liste d'attente"),
            (chloe, first_cell(chloe, "available", after=today), "Modifiable jusqu'au"),
        ]
        for child, cell, text in expectations:
            day = cell.occurrence.date
            page.goto(f"{base}{reverse('activities:agenda', args=[child.pk])}?mois={day:%Y-%m}")
            panel = page.locator(f"#jour-{day:%Y-%m-%d}")
            # A tap on the day in the grid shows its activities (without reloading the page).
            page.locator(f'a[data-day="{day:%Y-%m-%d}"]').click()
            panel.wait_for(state="visible")
            assert page.evaluate("document.activeElement.id") == f"titre-jour-{day:%Y-%m-%d}"
            assert text in panel.inner_text(), (child.first_name, day, text, panel.inner_text())
            assert page.url.endswith(f"jour={day:%Y-%m-%d}")
            assert page.locator(".agenda-panels").get_attribute("aria-busy") is None  # not left greyed
            assert_fits(page, 320)
        # "Copier le lien": the private calendar link, copied, and said so.
        page.goto(f"{base}{reverse('activities:agenda', args=[chloe.pk])}")
        field = page.get_by_label("Lien de l'agenda privé")
        assert field.bounding_box()["x"] + field.bounding_box()["width"] <= 320
        page.get_by_role("button", name="Copier le lien").click()
        page.wait_for_selector("text=Lien copié")
        assert page.evaluate("navigator.clipboard.readText()") == field.input_value()
        assert "/agenda.ics?jeton=" in field.input_value()
        assert_accessible(page)
    finally:
        context.close()


def test_quick_taps_show_the_last_day_only(live_site, chromium):
    """A slow answer for an earlier tap arrives after the last tap's: the last day stays
    the only one shown, and the panels are not left greyed."""
    import calendar

    context = chromium.new_context(locale="fr-FR", viewport={"width": 320, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        base = live_site.url
        login_parent(page, base)
        chloe = bernard("Chloé")
        today = demo_plan().today
        month_end = today.replace(day=calendar.monthrange(today.year, today.month)[1])
        days = [day for day in sorted(cells_for(child=chloe, start=today.replace(day=1), end=month_end))
                if day != today]
        assert len(days) >= 2, "the demo has activities on other days of this month"
        slow_day, last_day = days[0], days[-1]

        held = []  # the first tap's request, held until the last tap's panel is shown
        page.route(re.compile(rf"jour={slow_day:%Y-%m-%d}$"), lambda route: held.append(route))
        page.goto(f"{base}{reverse('activities:agenda', args=[chloe.pk])}?mois={today:%Y-%m}")
        page.locator(f'a[data-day="{slow_day:%Y-%m-%d}"]').click()
        page.locator(f'a[data-day="{last_day:%Y-%m-%d}"]').click()
        page.locator(f"#jour-{last_day:%Y-%m-%d}").wait_for(state="visible")
        assert len(held) == 1
        with page.expect_response(re.compile(rf"jour={slow_day:%Y-%m-%d}$")):
            held[0].continue_()
        page.locator(f"#jour-{slow_day:%Y-%m-%d}").wait_for(state="attached")  # the late answer is in
        visible = page.evaluate("[...document.querySelectorAll('[data-agenda-panel]')]"
                                ".filter(panel => !panel.hidden).map(panel => panel.id)")
        assert visible == [f"jour-{last_day:%Y-%m-%d}"]
        assert page.locator(".agenda-panels").get_attribute("aria-busy") is None
        assert page.url.endswith(f"jour={last_day:%Y-%m-%d}")
    finally:
        context.close()


def space_pages(base):
    """Every page of the space a validated parent reaches (the demo's Bernard household)."""
    chloe = bernard("Chloé")
    parent = Child.objects.get(pk=chloe.pk).household.memberships.get(user__email=PARENT_EMAIL).user
    document = Document.objects.filter(owner=parent).first()
    demarche = Demarche.objects.filter(user=parent).first()
    message = messages_for(user=parent).first()
    dossier = Dossier.objects.filter(child=chloe).order_by("-school_year__starts_on").first()
    urls = [
        reverse("portal:dashboard"), reverse("family:household"), reverse("family:child_detail", args=[chloe.pk]),
        reverse("family:child_edit", args=[chloe.pk]), reverse("family:child_add"), reverse("family:invite"),
        reverse("documents:list"), reverse("documents:upload"), reverse("documents:transmit"),
        reverse("demarches:list"), reverse("messaging:inbox"), reverse("accounts:contact_details"),
        reverse("accounts:password_change"), reverse("accounts:security"), reverse("portal:my_data"),
        reverse("activities:dossier_list"),
        reverse("activities:dossier_edit", args=[chloe.pk, dossier.school_year.label]),
    ]
    if document:
        urls += [reverse("documents:detail", args=[document.pk]), reverse("documents:edit", args=[document.pk])]
    if demarche:
        urls.append(reverse("demarches:detail", args=[demarche.number]))
    if message is not None:
        urls.append(reverse("messaging:detail", args=[message.pk]))
    return urls


def test_every_space_page_fits_and_the_dashboard_opens_the_family(live_site, browser_page):
    page, base = browser_page, live_site.url
    login_parent(page, base)
    urls = space_pages(base)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(base + "/espace-citoyen/")
        # The family's door: the heading "Ma famille" is a link, and each child's record too.
        page.get_by_role("heading", name="Ma famille").get_by_role("link", name="Ma famille").click()
        page.wait_for_url(re.compile(r"/espace-citoyen/famille/$"))
        assert page.locator("h1").inner_text() == "Ma famille"
        page.go_back()
        page.get_by_role("link", name="Fiche de Chloé").click()
        page.wait_for_url(re.compile(r"/espace-citoyen/famille/enfants/\d+/$"))
        for url in urls:
            response = page.goto(base + url)
            assert response.status == 200, url
            assert_fits(page, width)
            assert_accessible(page)


def reportable_day(child):
    """A day of today or to come, past its deadline, when the child is booked (the demo's, or one
    made here when the coming days are school holidays)."""
    today = demo_plan().today
    for offset in range(0, 10):
        day = today + datetime.timedelta(days=offset)
        reservations = reportable_reservations(child=child, day=day)
        if reservations:
            return day, reservations
    # None in the demo's coming days (the school holidays): book, as of a month ago, the first
    # open day of an activity the child goes to, then give that activity a deadline it is past.
    now = timezone.now()
    occurrence = (Occurrence.objects.filter(activity__occurrences__reservations__child=child,
                                            date__gte=today, date__lt=today + datetime.timedelta(days=10),
                                            status=OccurrenceStatus.OPEN, booked_count__lt=F("capacity"))
                  .exclude(reservations__child=child, reservations__status=ReservationStatus.BOOKED)
                  .distinct().select_related("activity").order_by("date").first())
    if occurrence is not None:
        reservation_book(child=child, occurrence=occurrence, actor=User.objects.get(email=PARENT_EMAIL),
                         now=now - datetime.timedelta(days=30))
        strict = BookingRule.objects.create(name="Trois semaines avant (test)", days_before=21, before=datetime.time(10),
                                            business_days=False)
        Activity.objects.filter(pk=occurrence.activity_id).update(booking_rule=strict)
        assert booking_deadline(occurrence=Occurrence.objects.get(pk=occurrence.pk)) < now
        return occurrence.date, reportable_reservations(child=child, day=occurrence.date)
    raise AssertionError("the demo has no open day of Chloé's activities in the coming ten days")


def test_absence_reported_with_a_certificate_reaches_the_attendance_sheet(live_site, browser_page, tmp_path):
    page, base = browser_page, live_site.url
    page.set_viewport_size({"width": 320, "height": 800})
    chloe = bernard("Chloé")
    day, reservations = reportable_day(chloe)
    login_parent(page, base)
    page.goto(f"{base}{reverse('activities:agenda', args=[chloe.pk])}?jour={day:%Y-%m-%d}")
    panel = page.locator(f"#jour-{day:%Y-%m-%d}")
    assert "Réservé — plus modifiable" in panel.inner_text()
    panel.get_by_role("link", name=re.compile("Signaler une absence")).click()
    page.wait_for_url(re.compile(rf"/agenda/absence/{day:%Y-%m-%d}/$"))
    assert page.locator("h1").inner_text() == "Signaler une absence"
    assert_fits(page, 320)
    assert_accessible(page)
    # Nothing chosen: a French error, focus on the summary.
    for box in page.get_by_role("checkbox").all():
        box.uncheck()
    page.get_by_role("button", name="Signaler l'absence").click()
    page.wait_for_selector("#resume-erreurs")
    assert "Cochez au moins une activité de ce jour." in page.locator("#resume-erreurs").inner_text()
    assert_accessible(page)
    for reservation in reservations:
        page.get_by_label(reservation.occurrence.activity.name, exact=True).check()
    page.get_by_label("Maladie", exact=True).check()
    page.get_by_label("Précisions (facultatif)").fill("Fièvre depuis la nuit")
    certificate = tmp_path / "certificat-medical.pdf"
    certificate.write_bytes(make_pdf("Certificat medical du Dr Lambert"))
    page.get_by_label("Ou joindre un certificat médical maintenant (facultatif)").set_input_files(str(certificate))
    page.get_by_role("button", name="Signaler l'absence").click()
    page.wait_for_selector(".flash-messages")
    assert "est signalée au Pôle scolaire avec le certificat médical" in page.locator(".flash-messages").inner_text()
    assert "Absence signalée le" in page.locator(f"#jour-{day:%Y-%m-%d}").inner_text()
    assert_fits(page, 320)
    assert_accessible(page)

    # The family's acknowledgement.
    acknowledgement = [m for m in mail.outbox if "Absence de Chloé" in m.subject]
    assert acknowledgement and PARENT_EMAIL in acknowledgement[-1].to
    assert "ne vous seront pas facturées" in acknowledgement[-1].body
    # Pre-filled for billing and the agent: absent, justified by the certificate.
    for reservation in reservations:
        attendance = Attendance.objects.get(reservation=reservation)
        assert attendance.status == AttendanceStatus.JUSTIFIED and attendance.justification is not None

    # The Pôle scolaire agent's attendance sheet.
    agent_context = page.context.browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    agent = agent_context.new_page()
    agent.set_default_timeout(15_000)
    try:
        agent.goto(base + "/admin/login/")
        agent.locator("input[name=username]").fill(AGENT_EMAIL)
        agent.locator("input[name=password]").fill(AGENT_PASSWORD)
        agent.locator("button[type=submit]").first.click()
        agent.wait_for_url(re.compile(r"/admin/double-authentification/verifier/"))
        agent.locator("input[name=code]").fill(app_code(DEMO_TOTP_KEY_BASE32))
        agent.get_by_role("button", name="Valider le code").click()
        agent.wait_for_url(re.compile(r"/admin/"))
        occurrence = Occurrence.objects.get(pk=reservations[0].occurrence_id)
        agent.goto(base + f"/admin/espace-citoyen/presences/?date={day:%Y-%m-%d}")
        agent.get_by_role("link", name=re.compile(occurrence.activity.name)).first.click()
        agent.wait_for_url(re.compile(rf"/admin/espace-citoyen/presences/{occurrence.pk}/$"))
        row = agent.locator(f"#r{reservations[0].pk}")
        text = row.inner_text()
        assert "Absence signalée par la famille" in text and "Maladie – Fièvre depuis la nuit" in text
        assert row.locator("input[value=justified]").is_checked()  # pre-filled "absent, justifié"
        report = AbsenceReport.objects.get(reservation=reservations[0])
        assert row.locator("select[name=justification]").input_value() == str(report.certificate_id)
        link = row.get_by_role("link", name=report.certificate.label)
        response = agent.request.get(base + link.get_attribute("href"))
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        assert_main_accessible(agent)
    finally:
        agent_context.close()
