"""The back-office lists on a phone (320 px): the page never scrolls sideways, each list's
table scrolls in its own box so that every column can be reached, and the text meant for
screen readers (captions, "la demande de …" after "Examiner") is not shown."""

import pytest

from .test_admin_csp_browser import _admin_login, _visit

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
