"""The public page cache (site_cms.middleware.PageCacheMiddleware, home/page_cache.py):
anonymous visitors get stored copies (X-Cache: HIT), every change an editor makes is seen
at the next request, and nothing personal or with a form's CSRF token is ever shared."""

import html
import re

import pytest
from django.core.management import call_command
from django.test import Client
from wagtail.models import Page, PageViewRestriction

from home.models import ContactSettings, StandardPage
from news.models import NewsCategory, NewsPage


def _get(client, url, **extra):
    response = client.get(url, **extra)
    return response, html.unescape(response.content.decode())


def _anonymous(url):
    return _get(Client(), url)


@pytest.fixture
def news_item(page_by_path):
    return NewsPage.objects.live().get(slug="travaux-rue-de-poissy")


# --- stored and served ------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/actualites/", "/actualites/travaux-rue-de-poissy/",
                                 "/messages-des-services/", "/plan-du-site/", "/sitemap.xml",
                                 "/actualites/rss/", "/actualites/?page=1"])
def test_public_pages_are_served_from_the_cache_the_second_time(db, url):
    first, first_text = _anonymous(url)
    second, second_text = _anonymous(url)
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "HIT")
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    # The security headers travel with the stored copy.
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert second["X-Frame-Options"] == "DENY"


def test_a_cached_page_costs_no_query(db, django_assert_num_queries):
    _anonymous("/")
    with django_assert_num_queries(0):
        response, _ = _anonymous("/")
    assert response["X-Cache"] == "HIT"


def test_head_is_served_from_the_stored_get_without_a_body(db):
    _anonymous("/actualites/")
    response = Client().head("/actualites/")
    assert response.status_code == 200 and response["X-Cache"] == "HIT"
    assert response.content == b""


def test_the_csp_of_a_cached_page_has_no_nonce_and_allows_everything_the_page_uses(db):
    _anonymous("/")
    response, text = _anonymous("/")
    assert response["X-Cache"] == "HIT"
    policy = response["Content-Security-Policy"]
    assert "nonce-" not in policy and "nonce=" not in text
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe-inline" not in policy
    # 'self' only: no inline script, no <style> element, no style attribute in the stored copy.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text)
    assert "<style" not in text and " style=" not in text
    assert all(src.startswith("/") for src in re.findall(r'<script[^>]*src="([^"]+)"', text))


def test_a_page_whose_csp_carries_a_nonce_is_not_stored(db, settings):
    from django.test import RequestFactory

    from site_cms.middleware import PageCacheMiddleware

    def view(request):
        from django.http import HttpResponse

        response = HttpResponse("<script nonce='abc'>1</script>")
        response["Content-Security-Policy"] = "script-src 'self' 'nonce-abc'"
        return response

    request = RequestFactory().get("/")
    request.resolver_match = type("Match", (), {"url_name": "wagtail_serve"})()
    middleware = PageCacheMiddleware(view)
    assert middleware(request)["X-Cache"] == "BYPASS"
    assert middleware(RequestFactory().get("/"))["X-Cache"] == "BYPASS"


def test_unbounded_query_strings_are_not_cached(db):
    for url in ("/recherche/?q=conseil", "/actualites/?utm_source=x", "/actualites/?page=<b>"):
        Client().get(url)
        assert Client().get(url)["X-Cache"] == "BYPASS", url


# --- invalidation -----------------------------------------------------------------------------


def test_publishing_a_page_shows_at_once(db, home):
    _anonymous("/")
    home.banner_title = "Bienvenue au marché de Noël"
    home.save_revision().publish()
    response, text = _anonymous("/")
    assert response["X-Cache"] == "MISS"
    assert "Bienvenue au marché de Noël" in text


def test_a_draft_does_not_change_the_cached_page(db, home):
    _, before = _anonymous("/")
    home.banner_title = "Brouillon pas encore publié"
    home.save_revision()
    response, text = _anonymous("/")
    assert response["X-Cache"] == "HIT" and "Brouillon pas encore publié" not in text


def test_unpublishing_a_news_item_removes_it_from_the_index_and_the_home_page(db, news_item):
    for url in ("/", "/actualites/", news_item.url):
        _anonymous(url)
    assert news_item.title in _anonymous("/actualites/")[1]
    news_item.unpublish()
    assert news_item.title not in _anonymous("/actualites/")[1]
    assert news_item.title not in _anonymous("/")[1]
    assert _anonymous("/actualites/travaux-rue-de-poissy/")[0].status_code == 404


def test_moving_a_page_changes_its_address_at_once(db, page_by_path, home):
    page = StandardPage.objects.live().child_of(home).first()
    other = StandardPage.objects.live().child_of(home).exclude(pk=page.pk).first()
    old_url = page.url
    assert _anonymous(old_url)[0].status_code == 200
    _anonymous("/plan-du-site/")
    page.move(other, pos="last-child")
    moved = Page.objects.get(pk=page.pk)
    assert moved.url != old_url
    # Wagtail's automatic redirect from the old address, not the stored page.
    response = _anonymous(old_url)[0]
    assert response.status_code == 301 and response["Location"].endswith(moved.url)
    assert _anonymous(moved.url)[0].status_code == 200
    assert _anonymous("/plan-du-site/")[0]["X-Cache"] == "MISS"


def test_deleting_a_news_item_removes_it(db, news_item):
    _anonymous("/actualites/")
    news_item.delete()
    response, text = _anonymous("/actualites/")
    assert response["X-Cache"] == "MISS" and news_item.title not in text


def test_renaming_a_snippet_shows_at_once(db, news_item):
    _, text = _anonymous(news_item.url)
    category = NewsCategory.objects.get(pk=news_item.category_id)
    assert category.name in text
    category.name = "Voirie et grands chantiers"
    category.save()
    assert "Voirie et grands chantiers" in _anonymous(news_item.url)[1]


def test_changing_the_site_settings_changes_the_footer_at_once(db, home):
    _anonymous("/")
    _anonymous("/actualites/")
    contact = ContactSettings.objects.get()
    contact.phone = "01 99 88 77 66"
    contact.save()
    for url in ("/", "/actualites/"):
        response, text = _anonymous(url)
        assert response["X-Cache"] == "MISS" and "01 99 88 77 66" in text, url


def test_clear_page_cache_command(db):
    _anonymous("/")
    call_command("clear_page_cache", stdout=open("/dev/null", "w"))
    assert _anonymous("/")[0]["X-Cache"] == "MISS"


# --- never stored, never served ---------------------------------------------------------------


def test_a_logged_in_citizen_never_gets_nor_fills_the_shared_copy(db, client):
    from django.contrib.auth import get_user_model

    _anonymous("/")
    assert _anonymous("/")[0]["X-Cache"] == "HIT"
    client.force_login(get_user_model().objects.get(email="camille.bernard@example.org"))
    for _ in range(2):
        response, text = _get(client, "/")
        assert response["X-Cache"] == "BYPASS"
        assert "Se connecter à l'espace citoyen" not in text
    # And the anonymous copy never got the citizen's header.
    response, text = _anonymous("/")
    assert response["X-Cache"] == "HIT" and "Se connecter à l'espace citoyen" in text


def test_an_editor_never_gets_the_shared_copy_and_previews_are_never_stored(db, client, editor, otp_login, home):
    _anonymous("/")
    otp_login(client, editor)
    response = client.get("/")
    assert response["X-Cache"] == "BYPASS"
    assert "wagtail-userbar" in response.content.decode() or response.status_code == 200
    home.banner_title = "Aperçu du bandeau"
    revision = home.save_revision()
    preview = client.get(f"/admin/pages/{home.pk}/revisions/{revision.pk}/view/")
    assert preview.status_code == 200 and "Aperçu du bandeau" in html.unescape(preview.content.decode())
    assert preview["X-Cache"] == "BYPASS"
    response, text = _anonymous("/")
    assert response["X-Cache"] == "HIT" and "Aperçu du bandeau" not in text


def test_a_page_with_a_csrf_form_is_never_stored(db, home):
    page = StandardPage.objects.live().child_of(home).first()
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.PASSWORD,
                                       password="secret-du-conseil")
    for _ in range(2):
        response, text = _anonymous(page.url)
        assert response.status_code == 200 and "csrfmiddlewaretoken" in text
        assert response["X-Cache"] == "BYPASS"


@pytest.mark.parametrize("url", ["/espace-citoyen/connexion/", "/admin/login/", "/espace-citoyen/"])
def test_citizen_space_and_admin_are_never_stored(db, url):
    for _ in range(2):
        response = Client().get(url)
        assert response["X-Cache"] == "BYPASS", url


def test_a_visitor_with_a_flash_message_gets_a_fresh_page(db):
    _anonymous("/")
    client = Client()
    client.cookies["messages"] = "anything"
    assert client.get("/")["X-Cache"] == "BYPASS"


def test_not_found_pages_are_not_stored(db):
    for _ in range(2):
        response = Client().get("/page-qui-n-existe-pas/")
        assert response.status_code == 404 and response["X-Cache"] == "BYPASS"
