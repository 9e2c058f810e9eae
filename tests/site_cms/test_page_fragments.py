"""Fragments of the uncached render ({% pagefragment %}, HomePage.route, the Site and the
breadcrumbs, home/page_cache.py): with the whole-page cache off, and for logged-in visitors,
page bodies are rendered once per page-cache generation and shared. Every change an editor
makes is seen at the next request, a preview always shows the draft, and nothing personal,
no CSRF token and no CSP nonce is ever stored in a shared fragment."""

import html

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template
from django.test import Client, RequestFactory
from wagtail.models import Page

from home.models import ContactSettings, StandardPage
from home.page_cache import bump_generation, current_generation, page_cache, request_scope
from news.models import NewsCategory, NewsPage

PARENT = "camille.bernard@example.org"


@pytest.fixture(autouse=True)
def whole_page_cache_off(settings):
    settings.PAGE_CACHE_ENABLED = False


@pytest.fixture
def citizen_client(db):
    client = Client()
    client.force_login(get_user_model().objects.get(email=PARENT))
    return client


@pytest.fixture
def news_item(db):
    return NewsPage.objects.live().get(slug="travaux-rue-de-poissy")


def _text(client, url):
    response = client.get(url)
    return response, html.unescape(response.content.decode())


def test_fragments_are_shared_but_the_header_stays_personal(db, citizen_client):
    # The citizen renders first: the page body is stored, the header (their name) is not.
    response, citizen_text = _text(citizen_client, "/")
    assert response.status_code == 200 and "Se connecter à l'espace citoyen" not in citizen_text
    response, anonymous_text = _text(Client(), "/")
    assert response.status_code == 200
    assert "Se connecter à l'espace citoyen" in anonymous_text
    assert "Camille" not in anonymous_text and "Déconnexion" not in anonymous_text
    # Same body for both: the home page's fragment.
    assert "Dernières actualités" in citizen_text and "Dernières actualités" in anonymous_text


def test_a_logged_in_citizen_sees_a_publication_at_once(db, citizen_client, home, news_item):
    for url in ("/", "/actualites/", news_item.url):
        assert citizen_client.get(url).status_code == 200
    home.banner_title = "Bienvenue au marché de Noël"
    home.save_revision().publish()
    news_item.title = "Travaux rue de Poissy : fin du chantier"
    news_item.save_revision().publish()
    assert "Bienvenue au marché de Noël" in _text(citizen_client, "/")[1]
    assert "Travaux rue de Poissy : fin du chantier" in _text(citizen_client, "/actualites/")[1]
    assert "Travaux rue de Poissy : fin du chantier" in _text(citizen_client, news_item.url)[1]


def test_unpublishing_answers_404_at_once_and_leaves_the_lists(db, news_item):
    assert Client().get(news_item.url).status_code == 200
    assert news_item.title in _text(Client(), "/actualites/")[1]
    news_item.unpublish()
    assert Client().get("/actualites/travaux-rue-de-poissy/").status_code == 404
    assert news_item.title not in _text(Client(), "/actualites/")[1]
    assert news_item.title not in _text(Client(), "/")[1]


def test_a_moved_page_is_found_at_its_new_address_at_once(db, home):
    page = StandardPage.objects.live().child_of(home).first()
    other = StandardPage.objects.live().child_of(home).exclude(pk=page.pk).first()
    old_url = page.url
    assert Client().get(old_url).status_code == 200
    page.move(other, pos="last-child")
    moved = Page.objects.get(pk=page.pk)
    response = Client().get(old_url)
    assert response.status_code == 301 and response["Location"].endswith(moved.url)
    response, text = _text(Client(), moved.url)
    assert response.status_code == 200
    # The breadcrumbs follow the move too.
    assert other.title in text


def test_a_snippet_or_the_site_settings_change_every_page_at_once(db, news_item):
    _text(Client(), news_item.url)
    category = NewsCategory.objects.get(pk=news_item.category_id)
    category.name = "Voirie et grands chantiers"
    category.save()
    assert "Voirie et grands chantiers" in _text(Client(), news_item.url)[1]
    contact = ContactSettings.objects.get()
    contact.phone = "01 99 88 77 66"
    contact.save()
    for url in ("/", news_item.url, "/plan-du-site/"):
        assert "01 99 88 77 66" in _text(Client(), url)[1], url


def test_a_preview_shows_the_draft_and_never_reaches_the_live_fragment(db, client, editor, otp_login, home):
    assert "Aperçu du bandeau" not in _text(Client(), "/")[1]  # the live body is stored
    otp_login(client, editor)
    home.banner_title = "Aperçu du bandeau"
    revision = home.save_revision()
    preview = client.get(f"/admin/pages/{home.pk}/revisions/{revision.pk}/view/")
    assert preview.status_code == 200 and "Aperçu du bandeau" in html.unescape(preview.content.decode())
    # Neither the draft stored for others nor the live copy served in the preview.
    assert "Aperçu du bandeau" not in _text(Client(), "/")[1]
    assert "Aperçu du bandeau" not in _text(client, "/")[1]


def _render_fragment(body: str) -> tuple[str, str | None]:
    """The fragment's output, and what the shared cache holds for it afterwards."""
    request = RequestFactory().get("/")
    template = Template('{% load site_tags %}{% pagefragment "probe" 1 %}' + body + "{% endpagefragment %}")
    with request_scope():
        output = template.render(Context({"request": request, "csrf_token": "jeton-du-formulaire"}))
    return output, page_cache().get(f"fragment:html-probe:{current_generation()}:1")


def test_per_request_output_is_rendered_but_never_stored(db):
    output, stored = _render_fragment("<form>{% csrf_token %}</form>")
    assert "csrfmiddlewaretoken" in output and "jeton-du-formulaire" in output
    assert stored is None
    output, stored = _render_fragment('<script nonce="abc">x()</script>')
    assert 'nonce="abc"' in output and stored is None
    output, stored = _render_fragment("<p>Horaires de la mairie</p>")
    assert output == stored == "<p>Horaires de la mairie</p>"


def test_a_stored_fragment_is_served_until_the_next_change(db):
    assert _render_fragment("<p>Version 1</p>")[0] == "<p>Version 1</p>"
    # Same name and parts, same generation: the stored copy, not the new template.
    assert _render_fragment("<p>Version 2</p>")[0] == "<p>Version 1</p>"
    bump_generation()
    assert _render_fragment("<p>Version 2</p>")[0] == "<p>Version 2</p>"


def test_a_change_moves_the_generation_again_when_its_transaction_commits(db, django_capture_on_commit_callbacks):
    # A request served between the change and its commit read the old data: whatever it
    # stored under the new generation is dropped by the second move.
    from home.page_cache import GENERATION_KEY

    before = current_generation()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        bump_generation()
        during = page_cache().get(GENERATION_KEY)
    assert len(callbacks) == 1
    assert before < during < page_cache().get(GENERATION_KEY)


def test_a_long_address_makes_a_short_key(db, home):
    from home.page_cache import _fragment_key

    slug = "a" * 200
    page = StandardPage(title="Une page au nom très long", slug=slug, body=[])
    home.add_child(instance=page)
    page.save_revision().publish()
    assert Client().get(f"/{slug}/").status_code == 200
    with request_scope():
        assert len(_fragment_key("route", [page.url_path])) < 100
