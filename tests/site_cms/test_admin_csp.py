"""Issue 10, items 16 and 17 without a browser (the browser checks are in
tests/browser/test_admin_csp_browser.py): the admin answers with its own
Content-Security-Policy, the public site keeps its strict one, and staff avatars never come
from Gravatar."""

import pytest
from django.template import Context, Template

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, str]:
    return {part.split()[0]: part.strip() for part in response["Content-Security-Policy"].split(";") if part.strip()}


def test_admin_pages_have_their_own_csp(client, otp_login, superuser):
    assert "Content-Security-Policy" in client.get("/admin/login/")
    otp_login(client, superuser)
    policy = _policy(client.get("/admin/"))
    assert policy["default-src"] == "default-src 'self'"
    assert policy["object-src"] == "object-src 'none'"
    assert policy["frame-ancestors"] == "frame-ancestors 'self'"
    assert policy["img-src"] == "img-src 'self' data: blob:"  # no avatar or image from elsewhere
    assert "nonce-" not in policy["script-src"]  # would disable 'unsafe-inline', which Wagtail needs


def test_public_site_keeps_its_strict_csp(client):
    policy = _policy(client.get("/"))
    assert policy["script-src"] == "script-src 'self'" and policy["style-src"] == "style-src 'self'"


def test_staff_avatar_is_never_a_gravatar(superuser):
    html = Template("{% load wagtailadmin_tags %}{% avatar_url user %}").render(Context({"user": superuser}))
    assert "gravatar" not in html and html.startswith("/static/")
