"""« Mes paiements » and the tax certificate's section as a parent sees them: from the
invoices page to the payment history (the demo's cheque paid at the desk, and a payment
made online), each row readable at 320 px (the page never scrolls sideways, each cell says
its column) and at 1280 px; axe finds no serious or critical violation. Screenshots are
written to $PAYMENT_SCREENSHOTS when set."""

import datetime
import os
import re

import pytest

from espace_citoyen.billing.models import Invoice, Payment
from espace_citoyen.family.models import Membership

from .conftest import assert_accessible

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
