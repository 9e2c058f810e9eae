"""« Mes paiements » and the tax certificate's section as a parent sees them: from the
invoices page to the payment history (the demo's cheque paid at the desk, and a payment
made online), each row readable at 320 px (the page never scrolls sideways, each cell says
its column) and at 1280 px; axe finds no serious or critical violation. Screenshots are
written to $PAYMENT_SCREENSHOTS when set."""

import datetime
import os
import re

import pytest

from espace_citoyen.accounts.demo import DEMO_TOTP_KEY_BASE32
from espace_citoyen.billing.models import Invoice, Payment
from espace_citoyen.family.models import Membership

from .conftest import assert_accessible
from .test_agent_reservations_browser import assert_main_accessible
from .test_two_factor_browser import app_code

pytestmark = pytest.mark.browser

PARENT_EMAIL, PASSWORD = "camille.bernard@example.org", "Famille-Bernard-2026"


def shoot(page, name):
    folder = os.environ.get("PAYMENT_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def assert_fits(page, width):
    sizes = page.evaluate("({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert sizes["scroll"] <= sizes["inner"], f"{page.url} is {sizes['scroll']}px wide at {width}px"


def test_payment_history_on_a_phone_and_a_screen(live_site, browser_page):
    page, base = browser_page, live_site.url
    household = Membership.objects.get(user__email=PARENT_EMAIL).household
    invoice = Invoice.objects.filter(household=household).order_by("-month").first()
    assert Payment.objects.filter(invoice__household=household).exists(), "the demo pays an invoice by cheque"
    Payment.objects.create(invoice=invoice, amount_cents=1250, method="online", received_on=datetime.date.today(),
                           reference="cs_test_demo", receipt_number="R-NAV-ONLINE")
    page.goto(base + "/espace-citoyen/connexion/")
    page.get_by_label("Identifiant (adresse e-mail)").fill(PARENT_EMAIL)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Me connecter").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/$"))
    page.get_by_role("link", name="Mes factures").first.click()
    assert page.get_by_role("heading", name="Attestation de frais de garde").is_visible()
    page.get_by_role("link", name="Mes paiements et leurs reçus").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/factures/paiements/$"))
    table = page.locator("table.payment-table")
    assert "En ligne" in table.inner_text() and "Au guichet (Chèque)" in table.inner_text()
    assert "12,50" in table.inner_text()
    shoot(page, "paiements-1280")
    assert_accessible(page)
    for width, name in ((320, "paiements-320"), (1280, None)):
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        assert_fits(page, width)
        if name:
            label = page.evaluate("getComputedStyle(document.querySelector('td[data-label]'), '::before').content")
            assert label == '"Moyen de paiement : "'
            shoot(page, name)
            assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 900})
    page.goto(base + "/espace-citoyen/factures/")
    assert_fits(page, 320)
    shoot(page, "factures-320")


def test_regie_agent_certificate_screen(live_site, browser_page):
    """The Régie's « Attestations de frais de garde »: search, year, the household's row; axe
    on the main content."""
    page, base = browser_page, live_site.url
    page.goto(base + "/admin/login/")
    page.locator("input[name=username]").fill("regie@ville-villennes-sur-seine.fr")
    page.locator("input[name=password]").fill("Agent-Regie-2026")
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/admin/double-authentification/verifier/"))
    page.locator("input[name=code]").fill(app_code(DEMO_TOTP_KEY_BASE32))
    page.get_by_role("button", name="Valider le code").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    page.goto(base + "/admin/espace-citoyen/attestations-frais-de-garde/")
    page.get_by_label("Nom d'un parent ou d'un enfant, ou adresse e-mail").fill("Bernard")
    page.get_by_role("button", name="Rechercher").click()
    row = page.locator("table.listing tbody tr").first
    assert "Chloé Bernard" in row.inner_text()
    assert "Rien à attester" in row.inner_text() or "Télécharger l'attestation" in row.inner_text()
    shoot(page, "admin-attestations")
    assert_main_accessible(page)
