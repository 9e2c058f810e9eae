"""Issue 10, item 8: crafted query values never give a 5xx, on any URL pattern of the
project, for an anonymous visitor, a validated parent and a superuser agent who passed the
second factor. CI runs it on PostgreSQL, where a NUL byte in a query would fail.

The patterns come from the URLconf itself (tests/url_walk.py): a new view is walked the
day it is added. Every known query parameter of the project and of Wagtail's listings
receives the same crafted value at once, one request per value."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from .url_walk import PARENT_EMAIL, DemoIds, fill, walk_patterns

# Query parameters read by the project's views and Wagtail's listings and filters.
PARAMS = [
    "q", "p", "page", "mois", "semaine", "vue", "annee", "activite", "categorie", "document", "telecharger",
    "format", "en_retard", "jeton", "next", "retour", "service", "status", "statut", "kind", "type", "ordering",
    "collection_id", "tag", "locale", "export", "content_type", "owner", "school_year", "period", "is_active",
    "school", "school_class", "activity", "date", "date_from", "date_to", "date_after", "date_before",
    "timestamp_from", "timestamp_to", "user", "action", "id", "per_page", "multiple", "select_format",
]
VALUES = [
    "\x00", "a\x00b\x01\x08\x1b\x7fc", "9999-12", "1-01", "9999-W52", "0001-W01", "9999-12-31",
    "-1", "99999999999999999999999999", "x" * 3000,
]
# The week view reads ?semaine= only with ?vue=semaine.
EXTRA_QUERIES = [{"vue": "semaine", "semaine": value} for value in ("9999-W52", "0001-W01", "2026-W99", "\x00")]
QUERIES = [{name: value for name in PARAMS} for value in VALUES] + EXTRA_QUERIES
# Wagtail's own admin views (most of the patterns): one value of each kind – NUL and control
# characters, a date beyond the calendar, an integer beyond bigint, a very long string.
ADMIN_QUERIES = [{name: value for name in PARAMS} for value in
                 ("a\x00b\x01\x08\x1b\x7fc", "9999-12-31", "99999999999999999999999999", "x" * 3000)]

# Wagtail's /admin/failwhale/ raises on purpose (it tests the error reporting).
SKIPPED = {"wagtailadmin_error_test"}
PATTERNS = [(route, name, pattern) for route, name, pattern in walk_patterns() if name not in SKIPPED]
ROLES = ["anonymous", "parent", "agent"]


@pytest.fixture(scope="module")
def demo_ids(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return DemoIds.load()


@pytest.fixture
def as_role(db, otp_login, superuser):
    def client_for(role: str) -> Client:
        client = Client(raise_request_exception=True)
        if role == "parent":
            client.force_login(get_user_model().objects.get(email=PARENT_EMAIL))
        elif role == "agent":
            otp_login(client, superuser)
        return client

    return client_for


def test_every_url_pattern_is_walked():
    """The walk covers the citizen space, the admin, the public site and Wagtail's pages."""
    routes = [route for route, _, _ in PATTERNS]
    assert len(routes) > 300
    assert any(route.startswith("espace-citoyen/enfants/<int:child_id>/agenda/") for route in routes)
    assert any(route.startswith("admin/espace-citoyen/") for route in routes)
    assert any(route.startswith("^((?:") for route in routes)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("route", "name", "pattern"), PATTERNS, ids=[f"{n or r}" for r, n, _ in PATTERNS])
def test_crafted_query_values_never_give_a_server_error(as_role, demo_ids, role, route, name, pattern):
    client = as_role(role)
    failures = []
    # Visitors and parents are sent to the login page by a middleware before any admin view
    # runs: one crafted request each is enough there.
    if route.startswith("admin/espace-citoyen/"):  # the project's back office: every value
        queries = QUERIES if role == "agent" else QUERIES[:1]
    elif route.startswith("admin/"):
        queries = ADMIN_QUERIES if role == "agent" else QUERIES[:1]
    else:
        queries = QUERIES
    for path in fill(route, pattern, demo_ids):
        for query in queries:
            try:
                response = client.get(path, query)
            except Exception as error:  # the view raised: a 500 in production
                failures.append(f"{path} {sorted(set(query.values()))[0][:20]!r}: {error!r}"[:400])
                break
            if response.status_code >= 500:
                failures.append(f"{path} {sorted(set(query.values()))[0][:20]!r}: HTTP {response.status_code}")
    assert not failures, "\n".join(failures)
