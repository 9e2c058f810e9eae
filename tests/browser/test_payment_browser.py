"""Journey of an online payment in a browser (issue 12): the parent opens « Mes factures » with
two invoices due, clicks « Tout payer en ligne », lands on the hosted checkout, pays, comes
back to the return page (« Paiement en cours de confirmation » until the provider's webhook
arrives, then « Paiement reçu »); both invoices read « Payée », « Mes paiements » lists the
online payments with their receipt PDFs, the receipt e-mail is sent. And the other path:
cancelled on the checkout, back to the invoices with the French message, nothing paid.

Stripe is played by a local HTTP server (``FakeStripe``, a thread on 127.0.0.1): the real
``stripe`` library, with its own HTTP client, is pointed at it for the API (POST and GET
/v1/checkout/sessions), and it serves the « hosted checkout » page whose « Payer » builds a
``checkout.session.completed`` event, signs it exactly as Stripe does and posts it to the
live server's webhook. Everything of the project's is the real code: views, provider,
webhook signature check, settlement, receipts, e-mails. axe finds no serious or critical
violation on the invoices, the return page and the payments; the pages fit in 320 px."""

from __future__ import annotations

import copy
import datetime
import hashlib
import hmac
import html
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe._stripe_client
from django.core import mail
from django.utils import timezone

from espace_citoyen.billing.models import (CheckoutStatus, Invoice, InvoiceStatus, OnlineCheckout, Payment,
                                           PaymentMethod)
from espace_citoyen.billing.providers import stripe as stripe_provider
from espace_citoyen.family.models import Membership

from .conftest import assert_accessible

pytestmark = pytest.mark.browser

PARENT_EMAIL, PASSWORD = "camille.bernard@example.org", "Famille-Bernard-2026"
SECRET_KEY, WEBHOOK_SECRET = "sk_test_villennes_journey", "whsec_test_villennes_journey"
WEBHOOK_PATH = "/espace-citoyen/paiement/webhook/"
STRIPE_CHECKOUT_ORIGIN = "https://checkout.stripe.com"


def stripe_signature(body: bytes, secret: str, timestamp: int) -> str:
    """The Stripe-Signature header, computed here by hand (not with the library the code under
    test verifies it with): t=<timestamp>,v1=HMAC-SHA256(secret, "<timestamp>.<payload>")."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def euros(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d} €"


class FakeStripe:
    """Stripe's API and hosted checkout page, on 127.0.0.1 (random port). ``hold_webhooks``:
    the signed events wait for ``deliver()`` (so that a test sees the return page before the
    notification), otherwise they are posted before the browser is sent back."""

    def __init__(self, *, webhook_url: str, secret: str):
        self.webhook_url, self.secret = webhook_url, secret
        self.requests: list[dict] = []
        self.sessions: dict[str, dict] = {}
        self.by_key: dict[str, str] = {}
        self.held: list[bytes] = []
        self.sent: list[bytes] = []
        self.deliveries: list[tuple[int, str]] = []
        self.hold_webhooks = True
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802
                fake.handle(self, "GET")

            def do_POST(self):  # noqa: N802
                fake.handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    # --- HTTP ----------------------------------------------------------------------------

    def handle(self, handler: BaseHTTPRequestHandler, method: str):
        path = urllib.parse.urlsplit(handler.path).path
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length).decode() if length else ""
        form = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
        with self.lock:
            self.requests.append({"method": method, "path": path, "form": form, "headers": dict(handler.headers)})
        if method == "POST" and path == "/v1/checkout/sessions":
            return self._json(handler, 200, self._session_create(form, handler.headers))
        match = re.fullmatch(r"/v1/checkout/sessions/(cs_[\w]+)", path)
        if method == "GET" and match:
            session = self.sessions.get(match[1])
            if session is None:
                return self._json(handler, 404, {"error": {"type": "invalid_request_error", "message": "No such"}})
            return self._json(handler, 200, session)
        match = re.fullmatch(r"/pay/(cs_[\w]+)(/annuler)?", path)
        if match and match[1] in self.sessions:
            session = self.sessions[match[1]]
            if method == "GET" and not match[2]:
                return self._page(handler, session)
            if method == "POST" and match[2]:
                return self._redirect(handler, session["cancel_url"])
            if method == "POST":
                self._session_pay(session)
                return self._redirect(handler, session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"]))
        return self._json(handler, 404, {"error": {"type": "invalid_request_error", "message": "Unrecognized"}})

    def _json(self, handler, status: int, data: dict):
        payload = json.dumps(data).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def _redirect(self, handler, url: str):
        handler.send_response(303)
        handler.send_header("Location", url)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def _page(self, handler, session: dict):
        lines = "".join(f"<li>{html.escape(name)} : {euros(cents)}</li>" for name, cents in session["lines"])
        page = f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Paiement – Stripe (simulation)</title>
</head><body><main><h1>Payer {euros(session["amount_total"])}</h1><ul>{lines}</ul>
<form method="post" action="/pay/{session["id"]}"><button type="submit">Payer</button></form>
<form method="post" action="/pay/{session["id"]}/annuler"><button type="submit">Annuler et revenir</button></form>
</main></body></html>""".encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(page)))
        handler.end_headers()
        handler.wfile.write(page)

    # --- Stripe's side -------------------------------------------------------------------

    def _session_create(self, form: dict, headers) -> dict:
        with self.lock:
            key = headers.get("Idempotency-Key", "")
            if key and key in self.by_key:
                return self.sessions[self.by_key[key]]
            session_id = f"cs_test_fake{len(self.sessions) + 1:04d}"
            lines, index = [], 0
            while f"line_items[{index}][price_data][unit_amount]" in form:
                lines.append((form[f"line_items[{index}][price_data][product_data][name]"],
                              int(form[f"line_items[{index}][price_data][unit_amount]"])))
                index += 1
            session = {
                "id": session_id, "object": "checkout.session", "mode": form.get("mode"), "status": "open",
                "payment_status": "unpaid", "amount_total": sum(cents for _, cents in lines),
                "currency": form.get("line_items[0][price_data][currency]", ""),
                "expires_at": int(form["expires_at"]), "payment_intent": None,
                "url": f"{self.base}/pay/{session_id}", "success_url": form["success_url"],
                "cancel_url": form["cancel_url"], "customer_email": form.get("customer_email"),
                "client_reference_id": form.get("client_reference_id"),
                "metadata": {k[len("metadata["):-1]: v for k, v in form.items() if k.startswith("metadata[")},
                "lines": lines,
            }
            self.sessions[session_id] = session
            if key:
                self.by_key[key] = session_id
            return session

    def _session_pay(self, session: dict) -> None:
        """The family paid on the hosted page: the session completes and Stripe notifies."""
        with self.lock:
            session.update(status="complete", payment_status="paid", payment_intent=f"pi_fake_{session['id'][-4:]}")
            obj = {key: value for key, value in session.items() if key != "lines"}
            event = {"id": f"evt_fake_{session['id'][-4:]}", "object": "event", "type": "checkout.session.completed",
                     "api_version": "2025-01-01", "created": int(time.time()), "livemode": False,
                     "data": {"object": obj}}
            self.held.append(json.dumps(event).encode())
        if not self.hold_webhooks:
            self.deliver()

    def deliver(self, *, again: bool = False) -> list[tuple[int, str]]:
        """Post the held events, signed, to the site's webhook (``again``: the last ones once
        more, as Stripe retries). Returns [(status, body)]."""
        with self.lock:
            if again:
                bodies = list(self.sent)
            else:
                bodies, self.held = self.held, []
                self.sent = bodies
        answers = []
        for body in bodies:
            request = urllib.request.Request(self.webhook_url, data=body, method="POST", headers={
                "Content-Type": "application/json",
                "Stripe-Signature": stripe_signature(body, self.secret, int(time.time()))})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    answers.append((response.status, response.read().decode()))
            except urllib.error.HTTPError as error:
                answers.append((error.code, error.read().decode()))
        with self.lock:
            self.deliveries.extend(answers)
        return answers

    def created(self) -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST" and r["path"] == "/v1/checkout/sessions"]


@pytest.fixture
def fake_stripe(live_site, settings, monkeypatch):
    """Online payment switched on, the stripe library's API base on the fake, the site's
    absolute links (success/cancel URLs, e-mails) on the live server."""
    fake = FakeStripe(webhook_url=live_site.url + WEBHOOK_PATH, secret=WEBHOOK_SECRET)
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.WAGTAILADMIN_BASE_URL = live_site.url
    # The form posted to « Payer en ligne » is redirected to the hosted checkout: Chromium
    # checks that redirect against the page's CSP form-action. The site allows Stripe's
    # checkout origin; here the fake stands in for it.
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    form_action = policy["DIRECTIVES"]["form-action"]
    assert STRIPE_CHECKOUT_ORIGIN in form_action, "form-action must allow the hosted checkout"
    form_action[form_action.index(STRIPE_CHECKOUT_ORIGIN)] = fake.base
    settings.CONTENT_SECURITY_POLICY = policy
    monkeypatch.setattr(stripe._stripe_client, "DEFAULT_API_BASE", fake.base)
    monkeypatch.setattr(stripe_provider, "HTTP_CLIENT", None)  # the library's own HTTP client
    mail.outbox = []
    yield fake
    fake.close()


def second_invoice_due(household) -> Invoice:
    """The demo household has one invoice to pay (last month's); a second one, three months
    ago, also due."""
    today = timezone.localdate()
    month = (today.replace(day=1) - datetime.timedelta(days=70)).replace(day=1)
    return Invoice.objects.create(
        number=f"F{month.year}-900001", household=household, month=month, issue_date=month + datetime.timedelta(
            days=35), due_date=today + datetime.timedelta(days=20), total_cents=3150,
        addressee="Camille Bernard", address="Villennes-sur-Seine", pricing_note="Tarif de démonstration")


def login(page, base):
    page.goto(base + "/espace-citoyen/connexion/")
    page.get_by_label("Identifiant (adresse e-mail)").fill(PARENT_EMAIL)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Me connecter").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/$"))


def assert_fits(page):
    sizes = page.evaluate("({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert sizes["scroll"] <= sizes["inner"], f"{page.url} is {sizes['scroll']}px wide at {sizes['inner']}px"


def at_320(page):
    """The current page at 320 px: it fits, axe is content; back to 1280 px."""
    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    assert_fits(page)
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def open_invoices(page, base, household) -> list[Invoice]:
    due = [invoice for invoice in Invoice.objects.filter(household=household).order_by("month")
           if invoice.is_open and invoice.balance_cents > 0]
    login(page, base)
    page.get_by_role("link", name="Mes factures").first.click()
    page.wait_for_url(re.compile(r"/espace-citoyen/factures/$"))
    return due


def test_parent_pays_every_invoice_due_online(fake_stripe, live_site, browser_page):
    page, base = browser_page, live_site.url
    household = Membership.objects.get(user__email=PARENT_EMAIL).household
    second_invoice_due(household)
    payments_before = Payment.objects.filter(invoice__household=household).count()
    due = open_invoices(page, base, household)
    assert len(due) == 2, "two invoices to pay"
    total = sum(invoice.balance_cents for invoice in due)
    button = page.get_by_role("button", name=re.compile(r"^Tout payer en ligne"))
    assert button.inner_text().replace("\u00a0", " ") == f"Tout payer en ligne ({euros(total)})"
    assert_accessible(page)
    at_320(page)

    console = []
    page.on("console", lambda message: console.append(message.text))
    button.click()
    try:
        page.wait_for_url(re.compile(re.escape(fake_stripe.base)), timeout=5_000)
    except Exception:
        raise AssertionError(f"not sent to the checkout: {console}") from None
    page.wait_for_url(re.compile(re.escape(fake_stripe.base) + r"/pay/cs_test_fake\d+$"))
    assert page.get_by_role("heading", name=f"Payer {euros(total)}").is_visible()
    (request,) = fake_stripe.created()
    form = request["form"]
    assert request["headers"]["Authorization"] == f"Bearer {SECRET_KEY}"
    assert request["headers"]["Idempotency-Key"].startswith("checkout-")
    assert form["metadata[household_id]"] == str(household.pk)
    assert form["metadata[invoice_ids]"] == ",".join(str(invoice.pk) for invoice in sorted(due, key=lambda i: i.pk))
    assert sorted(int(form[f"line_items[{i}][price_data][unit_amount]"]) for i in range(2)) == \
        sorted(invoice.balance_cents for invoice in due)
    assert form["success_url"] == base + "/espace-citoyen/factures/paiement/retour/?session_id={CHECKOUT_SESSION_ID}"
    checkout = OnlineCheckout.objects.get(household=household)
    assert (checkout.amount_cents, checkout.status) == (total, CheckoutStatus.OPEN)

    page.get_by_role("button", name="Payer").click()
    page.wait_for_url(re.compile(rf"/espace-citoyen/factures/paiement/{checkout.pk}/retour/$"))
    # Back before the provider's notification: the return page waits, and marks nothing paid.
    assert "Paiement en cours de confirmation" in page.locator("main").inner_text()
    assert Payment.objects.filter(invoice__household=household).count() == payments_before
    assert_accessible(page)

    answers = fake_stripe.deliver()
    assert answers == [(200, "paid")]
    page.get_by_text("Paiement reçu. Merci !").wait_for(timeout=15_000)  # the page reloads itself
    text = page.locator("main").inner_text()
    assert "Les factures sont réglées" in text
    for invoice in due:
        assert f"Facture n° {invoice.number}" in text
    assert_accessible(page)
    at_320(page)
    # Stripe retries the same event: nothing more is recorded.
    assert fake_stripe.deliver(again=True) == [(200, "duplicate")]

    online = list(Payment.objects.filter(invoice__household=household, method=PaymentMethod.ONLINE).order_by("pk"))
    assert sorted((p.invoice_id, p.amount_cents) for p in online) == sorted((i.pk, i.balance_cents) for i in due)
    assert {p.provider_payment_id for p in online} == {f"pi_fake_{checkout.provider_session_id[-4:]}"}
    for invoice in due:
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.PAID and invoice.balance_cents == 0

    page.get_by_role("link", name="Revenir à mes factures").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/factures/$"))
    for invoice in due:
        row = page.locator("table.invoice-table tbody tr", has_text=invoice.number)
        assert "Payée" in row.inner_text()
    assert "Vous n'avez aucune facture à payer" in page.locator("main").inner_text()
    assert not page.get_by_role("button", name=re.compile("Payer en ligne")).count()
    assert_accessible(page)

    page.get_by_role("link", name="Mes paiements et leurs reçus").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/factures/paiements/$"))
    for payment in online:
        row = page.locator("table.payment-table tbody tr", has_text=payment.invoice.number)
        assert "En ligne" in row.inner_text() and euros(payment.amount_cents) in row.inner_text().replace("\u00a0", " ")
        link = row.get_by_role("link", name=f"Reçu n° {payment.receipt_number} (PDF)")
        response = page.request.get(base + link.get_attribute("href"))
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        assert response.body().startswith(b"%PDF")
    assert_accessible(page)
    at_320(page)

    (message,) = [m for m in mail.outbox if PARENT_EMAIL in m.to]
    attached = sorted(name for name, _content, _type in message.attachments)
    assert attached == sorted(f"recu-{p.receipt_number}.pdf" for p in online)
    assert base + "/espace-citoyen/factures/paiements/" in message.body


def test_parent_cancels_on_the_checkout_and_nothing_is_paid(fake_stripe, live_site, browser_page):
    page, base = browser_page, live_site.url
    fake_stripe.hold_webhooks = False
    household = Membership.objects.get(user__email=PARENT_EMAIL).household
    second_invoice_due(household)
    payments_before = Payment.objects.filter(invoice__household=household).count()
    due = open_invoices(page, base, household)
    page.get_by_role("button", name=re.compile(r"^Tout payer en ligne")).click()
    page.wait_for_url(re.compile(re.escape(fake_stripe.base) + r"/pay/"))
    page.get_by_role("button", name="Annuler et revenir").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/factures/\?paiement=annule$"))
    notice = page.get_by_role("status").filter(has_text="Paiement en ligne annulé")
    assert "aucune somme n'a été prélevée" in notice.inner_text()
    assert_accessible(page)
    assert not fake_stripe.deliveries
    assert Payment.objects.filter(invoice__household=household).count() == payments_before
    for invoice in due:
        invoice.refresh_from_db()
        assert invoice.is_open and invoice.balance_cents > 0
    assert OnlineCheckout.objects.get(household=household).status == CheckoutStatus.OPEN
    # Paying again from the invoices reuses the open checkout: the same hosted page.
    page.get_by_role("button", name=re.compile(r"^Tout payer en ligne")).click()
    page.wait_for_url(re.compile(re.escape(fake_stripe.base) + r"/pay/"))
    assert len(fake_stripe.created()) == 1
    assert not [m for m in mail.outbox if PARENT_EMAIL in m.to]


def test_waiting_return_page_is_accessible(fake_stripe, live_site, browser_page):
    """« Paiement en cours de confirmation » before the webhook: axe finds nothing serious."""
    page, base = browser_page, live_site.url
    household = Membership.objects.get(user__email=PARENT_EMAIL).household
    open_invoices(page, base, household)
    page.get_by_role("button", name=re.compile(r"^Tout payer en ligne")).click()
    page.wait_for_url(re.compile(re.escape(fake_stripe.base) + r"/pay/"))
    page.get_by_role("button", name="Payer").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/factures/paiement/\d+/retour/$"))
    assert "Paiement en cours de confirmation" in page.locator("main").inner_text()
    assert_accessible(page)
