"""The real ``stripe`` library with its HTTP client replaced by a stub (records each request,
answers canned JSON as Stripe would), and webhooks signed exactly as Stripe signs them."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse

import pytest
import stripe

from espace_citoyen.billing.providers import stripe as stripe_provider

SECRET_KEY = "sk_test_villennes"
WEBHOOK_SECRET = "whsec_test_villennes"


class StubHTTPClient(stripe.HTTPClient):
    """Answers like the Stripe API: POST /v1/checkout/sessions (the same session again for
    the same Idempotency-Key), GET /v1/checkout/sessions/<id>, POST /v1/refunds."""

    name = "stub"

    def __init__(self):
        super().__init__()
        self.requests: list[dict] = []
        self.sessions: dict[str, dict] = {}
        self.by_key: dict[str, str] = {}
        self.lock = threading.Lock()
        self.fail = False

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parsed = urllib.parse.urlsplit(url)
        form = dict(urllib.parse.parse_qsl(post_data.decode() if isinstance(post_data, bytes) else (post_data or "")))
        query = dict(urllib.parse.parse_qsl(parsed.query))
        with self.lock:
            self.requests.append({"method": method.upper(), "path": parsed.path, "headers": dict(headers or {}),
                                  "form": form, "query": query})
            if self.fail:
                return json.dumps({"error": {"type": "api_error", "message": "panne"}}), 500, {}
            key = (headers or {}).get("Idempotency-Key", "")
            if method.upper() == "POST" and parsed.path == "/v1/checkout/sessions":
                if key in self.by_key:
                    return json.dumps(self.sessions[self.by_key[key]]), 200, {"Idempotent-Replayed": "true"}
                session_id = f"cs_test_{len(self.sessions) + 1:04d}"
                amount = sum(int(form[f"line_items[{i}][price_data][unit_amount]"])
                             for i in range(20) if f"line_items[{i}][price_data][unit_amount]" in form)
                session = {"id": session_id, "object": "checkout.session", "status": "open",
                           "payment_status": "unpaid", "amount_total": amount,
                           "currency": form.get("line_items[0][price_data][currency]", "eur"),
                           "expires_at": int(form["expires_at"]), "payment_intent": None,
                           "url": f"https://checkout.stripe.com/c/pay/{session_id}",
                           "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")}}
                self.sessions[session_id] = session
                self.by_key[key] = session_id
                return json.dumps(session), 200, {}
            if method.upper() == "GET" and parsed.path.startswith("/v1/checkout/sessions/"):
                session = self.sessions.get(parsed.path.rsplit("/", 1)[1])
                if session is None:
                    return json.dumps({"error": {"type": "invalid_request_error", "message": "No such"}}), 404, {}
                return json.dumps(session), 200, {}
            if method.upper() == "POST" and parsed.path == "/v1/refunds":
                refund = {"id": f"re_test_{len(self.requests)}", "object": "refund", "amount": int(form["amount"]),
                          "payment_intent": form.get("payment_intent"), "status": "succeeded"}
                return json.dumps(refund), 200, {}
        return json.dumps({"error": {"type": "invalid_request_error", "message": "unknown"}}), 404, {}

    def close(self):
        pass

    def created(self) -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST" and r["path"] == "/v1/checkout/sessions"]

    def pay(self, session_id: str, *, amount: int | None = None, currency: str | None = None,
            payment_status: str = "paid", payment_intent: str = "pi_test_1") -> dict:
        """Stripe's side of the family paying on the hosted page."""
        session = self.sessions[session_id]
        session.update(status="complete", payment_status=payment_status, payment_intent=payment_intent)
        if amount is not None:
            session["amount_total"] = amount
        if currency is not None:
            session["currency"] = currency
        return dict(session)


@pytest.fixture
def stripe_stub(settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.WAGTAILADMIN_BASE_URL = "https://www.villennes-sur-seine.fr"
    stub = StubHTTPClient()
    monkeypatch.setattr(stripe_provider, "HTTP_CLIENT", stub)
    return stub


def signed(event: dict, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> tuple[bytes, str]:
    body = json.dumps(event).encode()
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{body.decode()}", secret)
    return body, f"t={timestamp},v1={signature}"


def event(event_id: str, type_: str, obj: dict) -> dict:
    return {"id": event_id, "object": "event", "type": type_, "api_version": "2025-01-01", "created": int(time.time()),
            "livemode": False, "data": {"object": obj}}


def post_event(client, payload: dict, **kwargs):
    body, header = signed(payload, **kwargs)
    return client.post("/espace-citoyen/paiement/webhook/", data=body, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=header)


def charge_refunded(payment_intent: str, refunds: list[tuple[str, int]]) -> dict:
    return {"id": "ch_test_1", "object": "charge", "payment_intent": payment_intent,
            "amount_refunded": sum(amount for _, amount in refunds),
            "refunds": {"object": "list", "data": [{"id": rid, "object": "refund", "amount": amount,
                                                    "status": "succeeded"} for rid, amount in refunds]}}
