"""The back-office lists on a phone (320 px): the page never scrolls sideways, each list's
table scrolls in its own box so that every column can be reached, and the text meant for
screen readers (captions, "la demande de …" after "Examiner") is not shown; the filters'
fields stay inside the screen. The
second-factor pages that lead to them fit the phone too."""

import re

import pytest

from .test_admin_csp_browser import ADMIN_EMAIL, ADMIN_PASSWORD, _admin_login, _visit

pytestmark = pytest.mark.browser

LISTS = ["/admin/espace-citoyen/demarches/", "/admin/espace-citoyen/comptes-a-valider/",
         "/admin/espace-citoyen/reservations/", "/admin/espace-citoyen/dossiers-inscription/"]


def test_admin_lists_scroll_in_their_box_at_320_px(live_site, chromium):
    context = chromium.new_context(locale="fr-FR", viewport={"width": 320, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        _admin_login(page, live_site.url)
        for path in LISTS:
            _visit(page, live_site.url + path)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
            fields = page.locator("main form input:not([type=hidden]):not([type=checkbox]), main form select").all()
            assert fields, f"{path}: no filter to check"
            for field in fields:
                right = field.evaluate("e => e.getBoundingClientRect().right")
                assert right <= 320, f"{path}: the filter {field.get_attribute('name')!r} is cut ({right}px)"
            box = page.locator("div.w-overflow-x-auto:has(> table.listing)").first
            width, visible = box.evaluate("e => [e.scrollWidth, e.clientWidth]")
            assert width > visible, f"{path}: the table fits, nothing to check"
            last = page.locator("table.listing thead th").last
            box.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
            right = last.evaluate("e => e.getBoundingClientRect().right")
            assert right <= 320 + 1, f"{path}: the last column stays out of reach ({right}px)"
            caption = page.locator("table.listing caption")
            if caption.count():
                assert caption.first.bounding_box()["height"] <= 1, f"{path}: the caption is shown"
        _visit(page, live_site.url + "/admin/espace-citoyen/comptes-a-valider/")
        hidden = page.locator("table.listing a.button .w-sr-only").first
        assert hidden.bounding_box()["width"] <= 1  # "la demande de …" is for screen readers
    finally:
        context.close()


def _fits(page, what):
    page.wait_for_load_state("networkidle")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{what}: the page scrolls sideways by {overflow}px"
    card = page.locator("main.content-wrapper").bounding_box()
    for element in page.locator("main.content-wrapper h1, main.content-wrapper svg, main.content-wrapper .button").all():
        box = element.bounding_box()
        assert box["x"] + element.evaluate("e => e.scrollWidth") <= card["x"] + card["width"] + 1, (what, element)
        clipped = element.evaluate("e => e.scrollWidth - e.clientWidth")
        assert clipped <= 0, f"{what}: {element.inner_text()!r} is cut by {clipped}px"


def test_the_second_factor_pages_fit_a_320_px_phone(live_site, chromium):
    """Set up (QR code, key), backup codes and verify, in Wagtail's login style: the headings
    wrap, the QR code and the buttons' labels stay inside the card, nothing scrolls sideways."""
    from django.contrib.auth import get_user_model

    from .test_two_factor_browser import app_code

    get_user_model().objects.create_user("nouvel.agent@ville-villennes-sur-seine.fr", "Agent-Telephone-2026",
                                         is_staff=True, is_superuser=True)
    context = chromium.new_context(locale="fr-FR", viewport={"width": 320, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_site.url + "/admin/login/")
        page.locator("input[name=username]").fill("nouvel.agent@ville-villennes-sur-seine.fr")
        page.locator("input[name=password]").fill("Agent-Telephone-2026")
        page.locator("button[type=submit]").first.click()
        page.wait_for_url(re.compile(r"/admin/double-authentification/activer/"))
        _fits(page, "set up")
        key = page.locator(".totp-key code").inner_text().replace(" ", "")
        page.locator("input[name=code]").fill(app_code(key))
        page.get_by_role("button", name="Valider et activer").click()
        page.wait_for_url(re.compile(r"/admin/double-authentification/codes-de-secours/"))
        _fits(page, "backup codes")
        context.clear_cookies()

        page.goto(live_site.url + "/admin/login/")
        page.locator("input[name=username]").fill(ADMIN_EMAIL)
        page.locator("input[name=password]").fill(ADMIN_PASSWORD)
        page.locator("button[type=submit]").first.click()
        page.wait_for_url(re.compile(r"/admin/double-authentification/verifier/"))
        _fits(page, "verify")
    finally:
        context.close()
