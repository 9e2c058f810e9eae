import re

import pytest

from .conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_home_news_and_search_journey_is_accessible(live_site, browser_page):
    page = browser_page
    page.goto(live_site.url + "/")
    assert page.locator("h1").inner_text() == "Bienvenue à Villennes-sur-Seine"
    assert page.locator(".tile").count() == 4
    assert_accessible(page)

    # Skip link moves focus to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"

    # From the home page to a news item.
    page.locator("#latest-news-title ~ .cards .card__title a").first.click()
    page.wait_for_url(re.compile(r"/actualites/conseil-municipal-du-10-decembre/$"))
    assert page.locator("h1").inner_text() == "Conseil municipal : le budget 2027 en débat"
    cover = page.locator("figure.cover img")
    assert cover.evaluate("img => img.complete && img.naturalWidth > 0")
    assert cover.evaluate("img => img.currentSrc").endswith(".webp")
    assert_accessible(page)

    # Search from the header form.
    page.fill("#site-search-q", "riverains")
    page.press("#site-search-q", "Enter")
    page.wait_for_url(re.compile(r"/recherche/\?q=riverains"))
    assert page.locator(".search-results__title a").all_inner_texts() == ["Travaux de réfection de la rue de Poissy"]
    assert page.locator(".search-results__summary mark").first.inner_text() == "riverains"
    assert_accessible(page)


def test_news_listing_and_filter_accessible(live_site, browser_page):
    page = browser_page
    page.goto(live_site.url + "/actualites/")
    page.get_by_role("link", name="Environnement").click()
    page.wait_for_url(re.compile(r"categorie=environnement"))
    assert page.locator(".card").count() == 2
    assert_accessible(page)


@pytest.mark.parametrize("path", ["/", "/actualites/", "/contact/", "/recherche/?q=ecole"])
def test_pages_fit_320px_without_horizontal_scroll(live_site, chromium, path):
    context = chromium.new_context(locale="fr-FR", viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        page.goto(live_site.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls horizontally by {overflow}px at 320px"
        assert page.locator("h1").is_visible()
    finally:
        context.close()


def test_main_menu_folds_behind_a_button_on_small_screens(live_site, chromium):
    context = chromium.new_context(locale="fr-FR", viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        page.goto(live_site.url + "/contact/")
        toggle = page.get_by_role("button", name="Menu")
        assert toggle.get_attribute("aria-expanded") == "false"
        assert not page.get_by_role("link", name="Actualités", exact=True).first.is_visible()
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Actualités").click()
        page.wait_for_url(re.compile(r"/actualites/$"))
        assert_accessible(page)
    finally:
        context.close()

    wide = chromium.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    page = wide.new_page()
    try:
        page.goto(live_site.url + "/contact/")
        assert not page.get_by_role("button", name="Menu").is_visible()
        assert page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Actualités").is_visible()
    finally:
        wide.close()
