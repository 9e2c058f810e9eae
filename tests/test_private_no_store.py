"""Issue 10, item 11: every response under /espace-citoyen/ and /admin/ is
``Cache-Control: private, no-store`` (espace_citoyen.core.middleware.PrivateNoStoreMiddleware).

Every citizen URL pattern, resolved from the URLconf (tests/url_walk.py), is fetched (GET)
anonymously and as a validated parent; the admin's main pages as a superuser who passed the
second factor. Whatever the status (200, redirect to the login, 404, 405), the header holds."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from .url_walk import PARENT_EMAIL, DemoIds, fill, walk_patterns

CITIZEN = [(route, name, pattern) for route, name, pattern in walk_patterns() if route.startswith("espace-citoyen/")]
ADMIN_PAGES = [
    "/admin/", "/admin/pages/", "/admin/pages/{page_id}/", "/admin/pages/{page_id}/edit/", "/admin/images/",
    "/admin/images/{image_id}/", "/admin/documents/", "/admin/snippets/news/newscategory/", "/admin/users/",
    "/admin/espace-citoyen/jours-activite/", "/admin/reports/site-history/", "/admin/login/",
]


@pytest.fixture(scope="module")
def demo_ids(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return DemoIds.load()


def test_the_walk_covers_the_citizen_space():
    assert len(CITIZEN) > 50


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "parent"])
@pytest.mark.parametrize(("route", "name", "pattern"), CITIZEN, ids=[n for _, n, _ in CITIZEN])
def test_every_citizen_response_is_private_no_store(client, demo_ids, role, route, name, pattern):
    if role == "parent":
        client.force_login(get_user_model().objects.get(email=PARENT_EMAIL))
    for path in fill(route, pattern, demo_ids):
        response = client.get(path)
        assert response.get("Cache-Control") == "private, no-store", (path, response.status_code)


@pytest.mark.django_db
def test_admin_main_pages_are_private_no_store(otp_login, superuser, demo_ids):
    client = Client()
    assert client.get("/admin/login/")["Cache-Control"] == "private, no-store"
    otp_login(client, superuser)
    for template in ADMIN_PAGES:
        path = template.format(**demo_ids.by_name)
        response = client.get(path)
        assert response.status_code in {200, 302}, (path, response.status_code)
        assert response.get("Cache-Control") == "private, no-store", (path, response.status_code)
