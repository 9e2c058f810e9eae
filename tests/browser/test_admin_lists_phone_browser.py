"""The back-office lists on a phone (320 px): the page never scrolls sideways, each list's
table scrolls in its own box so that every column can be reached, and the text meant for
screen readers (captions, "la demande de …" after "Examiner") is not shown. The
second-factor page that leads to them fits the phone too."""

import re

import pytest

from .test_admin_csp_browser import ADMIN_EMAIL, ADMIN_PASSWORD, _admin_login, _visit

pytestmark = pytest.mark.browser

LISTS = ["/admin/espace-citoyen/demarches/", "/admin/espace-citoyen/comptes-a-valider/",
         "/admin/espace-citoyen/reservations/"]


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


def test_the_second_factor_page_fits_a_320_px_phone(live_site, chromium):
    """Its heading ("Code de double authentification", in Wagtail's login style) wraps
    inside the card instead of making the page scroll sideways."""
    context = chromium.new_context(locale="fr-FR", viewport={"width": 320, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_site.url + "/admin/login/")
        page.locator("input[name=username]").fill(ADMIN_EMAIL)
        page.locator("input[name=password]").fill(ADMIN_PASSWORD)
        page.locator("button[type=submit]").first.click()
        page.wait_for_url(re.compile(r"/admin/double-authentification/verifier/"))
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
        heading = page.get_by_role("heading", name="Code de double authentification")
        card = page.locator("main.content-wrapper")
        assert heading.bounding_box()["x"] + heading.evaluate("e => e.scrollWidth") <= (
            card.bounding_box()["x"] + card.bounding_box()["width"] + 1)
    finally:
        context.close()
