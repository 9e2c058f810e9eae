"""Journey of the invoices: the Régie agent previews and runs last month's invoicing (the run
page follows the progress, then shows the report), the parent finds the invoice from the
dashboard and downloads its PDF, the agent records a cheque at the desk, the parent sees the
invoice paid. axe finds no serious or critical violation (admin: the main content), and the
parent's pages do not scroll sideways at 320 px."""

import datetime
import io
import re

import pytest
from pypdf import PdfReader

from espace_citoyen.accounts.models import AccountStatus, Profile, User
from espace_citoyen.accounts.demo import DEMO_TOTP_KEY_BASE32
from espace_citoyen.activities.models import (
    Attendance,
    AttendanceStatus,
    Dossier,
    DossierStatus,
    Occurrence,
    Reservation,
)
from espace_citoyen.billing.models import Invoice, InvoicingRun, RunStatus
from espace_citoyen.family.models import Child, Household, Membership

from .conftest import CHROMIUM, CHROMIUM_ARGS, assert_accessible  # noqa: F401
from .test_agent_reservations_browser import assert_main_accessible
from .test_two_factor_browser import app_code

pytestmark = pytest.mark.browser

AGENT_EMAIL, AGENT_PASSWORD = "regie@ville-villennes-sur-seine.fr", "Agent-Regie-2026"
PARENT_EMAIL, PASSWORD = "elise.faure@example.fr", "Un-mot-de-passe-solide-42"


def _last_month() -> datetime.date:
    return (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _family() -> tuple[User, list[Occurrence]]:
    """A validated parent living in the town, a child with three canteen days last month."""
    month = _last_month()
    parent = User.objects.create_user(PARENT_EMAIL, PASSWORD, first_name="Élise", last_name="Faure",
                                      status=AccountStatus.ACTIVE)
    Profile.objects.create(user=parent, street_number="5", street="rue de la Seine", postcode="78670",
                           city="Villennes-sur-Seine")
    household = Household.objects.create()
    Membership.objects.create(household=household, user=parent)
    child = Child.objects.create(household=household, first_name="Jules", last_name="Faure",
                                 birth_date=datetime.date(2018, 4, 2))
    days = list(Occurrence.objects.filter(activity__name="Restauration scolaire", date__year=month.year,
                                          date__month=month.month, status="open").order_by("date")[:3])
    assert len(days) == 3, "the demo has canteen days last month"
    dossier = Dossier.objects.create(child=child, school_year=days[0].activity.school_year,
                                     status=DossierStatus.VALIDATED)
    dossier.activities.add(days[0].activity)
    for day in days:
        reservation = Reservation.objects.create(child=child, occurrence=day)
        Attendance.objects.create(reservation=reservation, status=AttendanceStatus.PRESENT)
    return parent, days


def _admin_login(page, base):
    page.goto(base + "/admin/login/")
    page.locator("input[name=username]").fill(AGENT_EMAIL)
    page.locator("input[name=password]").fill(AGENT_PASSWORD)
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/admin/double-authentification/verifier/"))
    page.locator("input[name=code]").fill(app_code(DEMO_TOTP_KEY_BASE32))
    page.get_by_role("button", name="Valider le code").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def _citizen_login(page, base):
    page.goto(base + "/espace-citoyen/connexion/")
    page.get_by_label("Identifiant (adresse e-mail)").fill(PARENT_EMAIL)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Me connecter").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/$"))


def _no_sideways_scroll(page, url):
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(url)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{url} scrolls sideways by {overflow}px at 320 px"
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_regie_runs_a_month_the_parent_downloads_and_sees_it_paid(live_site, browser_page, chromium):
    base = live_site.url
    parent, days = _family()
    agent = browser_page
    _admin_login(agent, base)

    # Preview, then launch: with the immediate task backend the run is over when its page opens.
    agent.goto(base + "/admin/espace-citoyen/facturation-mensuelle/")
    assert_main_accessible(agent)
    agent.get_by_role("button", name="Prévisualiser la facturation").click()
    agent.wait_for_url(re.compile(r"/facturation-mensuelle/\d+/$"))
    main = agent.locator("main").inner_text()
    assert "Ce que la facturation va émettre" in main and "Restauration scolaire" in main
    assert "Foyers sans quotient familial valable" in main and "Élise Faure" in main
    assert not Invoice.objects.filter(household=parent.memberships.get().household).exists()
    assert_main_accessible(agent)
    agent.get_by_role("button", name=re.compile("Lancer la facturation")).click()
    agent.wait_for_url(re.compile(r"/facturation-mensuelle/\d+/$"))
    assert "Compte rendu" in agent.locator("main").inner_text()
    invoice = Invoice.objects.get(household=parent.memberships.get().household)
    assert invoice.number in agent.locator("main").inner_text() or "facture" in agent.locator("main").inner_text()
    assert_main_accessible(agent)

    # A run still going: the page shows the progress, refreshes itself, and shows the report once done.
    running = InvoicingRun.objects.create(month=_last_month(), dry_run=False, status=RunStatus.RUNNING,
                                          total_households=40, done_households=0)
    agent.goto(f"{base}/admin/espace-citoyen/facturation-mensuelle/{running.pk}/")
    assert agent.locator("progress").count() == 1
    assert_main_accessible(agent)
    InvoicingRun.objects.filter(pk=running.pk).update(
        status=RunStatus.DONE, finished_at=datetime.datetime.now(datetime.UTC), report={
            "households": 0, "lines": 0, "total_cents": 0, "already_invoiced": 40, "regularisation_lines": 0,
            "activities": [], "warnings": {}, "invoices_created": 0})
    agent.wait_for_selector("text=Compte rendu", timeout=10_000)
    assert agent.locator("progress").count() == 0

    # The parent: dashboard tile, list, detail, "Payer en ligne", the PDF.
    context = chromium.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    family = context.new_page()
    family.set_default_timeout(15_000)
    _citizen_login(family, base)
    tile = family.locator("section[aria-labelledby=tuile-factures]").inner_text().replace("\u00a0", " ")
    assert "14,70 € à payer" in tile and "Prochaine échéance" in tile
    family.get_by_role("link", name="Mes factures").click()
    family.wait_for_url(re.compile(r"/espace-citoyen/factures/$"))
    assert invoice.number in family.locator("table").inner_text()
    assert "À payer" in family.locator("table").inner_text()
    assert_accessible(family)
    _no_sideways_scroll(family, base + "/espace-citoyen/factures/")
    family.get_by_role("link", name=re.compile(r"^\w+ \d{4}$")).first.click()
    family.wait_for_url(re.compile(rf"/espace-citoyen/factures/{invoice.pk}/$"))
    main = family.locator("main").inner_text().replace("\u00a0", " ")
    assert "Jules Faure" in main and "Restauration scolaire" in main and "Reste à payer" in main
    assert "Tarif maximal : quotient non transmis" in main
    assert_accessible(family)
    _no_sideways_scroll(family, f"{base}/espace-citoyen/factures/{invoice.pk}/")
    family.get_by_role("link", name="Payer en ligne").click()
    assert "Le paiement en ligne n'est pas disponible pour le moment" in family.locator("main").inner_text()
    assert_accessible(family)
    _no_sideways_scroll(family, f"{base}/espace-citoyen/factures/{invoice.pk}/payer/")
    family.go_back()
    with family.expect_download() as download_info:
        family.get_by_role("link", name="Télécharger la facture (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"facture-{invoice.number}.pdf"
    with open(download.path(), "rb") as handle:
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
    assert invoice.number in text and "Jules Faure" in text

    # The agent records a cheque for the whole amount, found by a search without accents.
    agent.goto(base + "/admin/espace-citoyen/factures/")
    agent.get_by_label("Foyer ou numéro").fill("elise faure")
    agent.get_by_role("button", name="Filtrer").click()
    agent.get_by_role("link", name=invoice.number).click()
    agent.wait_for_url(re.compile(rf"/admin/espace-citoyen/factures/{invoice.pk}/$"))
    assert_main_accessible(agent)
    agent.get_by_role("radio", name="Chèque").check()
    agent.get_by_label("Numéro du chèque").fill("0001234")
    agent.get_by_label("Banque").fill("Banque Postale")
    agent.get_by_role("button", name="Enregistrer le paiement").click()
    agent.wait_for_url(re.compile(r"#paiements$"))
    assert "0001234" in agent.locator("main").inner_text()
    assert_main_accessible(agent)

    # The parent sees it paid, with the receipt.
    family.goto(f"{base}/espace-citoyen/factures/{invoice.pk}/")
    main = family.locator("main").inner_text()
    assert "Payée" in main and "Chèque n° 0001234" in main and "Reçu n° R" in main
    assert family.get_by_role("link", name="Payer en ligne").count() == 0
    assert_accessible(family)
    family.goto(base + "/espace-citoyen/")
    assert "Rien à payer" in family.locator("section[aria-labelledby=tuile-factures]").inner_text()
    context.close()
