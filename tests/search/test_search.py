import pytest
from bs4 import BeautifulSoup

from search.highlight import highlight_excerpt


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


@pytest.mark.django_db
def test_search_finds_news_by_a_word_of_its_body(client):
    # "riverains" appears only in the body of the "rue de Poissy" news item.
    response = client.get("/recherche/", {"q": "riverains"})
    assert response.status_code == 200
    html = soup(response)
    titles = [a.get_text(strip=True) for a in html.select(".search-results__title a")]
    assert titles == ["Travaux de réfection de la rue de Poissy"]
    summary = html.select_one(".search-results__summary")
    assert summary.find("mark").get_text() == "riverains"
    assert "1 résultat pour « riverains »" in html.get_text()


@pytest.mark.django_db
def test_search_never_shows_targeted_messages_or_drafts(client):
    html = soup(client.get("/recherche/", {"q": "menus"}))
    titles = [a.get_text(strip=True) for a in html.select(".search-results__title a")]
    assert "Menus de la restauration scolaire de décembre" not in titles


@pytest.mark.django_db
def test_search_without_results_and_without_query(client):
    html = soup(client.get("/recherche/", {"q": "zzzxqwv"}))
    assert "Aucun résultat pour « zzzxqwv »" in html.get_text()
    empty = client.get("/recherche/")
    assert empty.status_code == 200
    assert soup(empty).select(".search-results") == []


@pytest.mark.django_db
def test_search_results_are_paginated(client, page_by_path):
    from news.models import NewsPage

    index = page_by_path("/actualites/")
    for number in range(13):
        page = NewsPage(title=f"Kermesse {number}", slug=f"kermesse-{number}", summary="La kermesse des écoles.")
        index.add_child(instance=page)
        page.save_revision().publish()
    first = soup(client.get("/recherche/", {"q": "kermesse"}))
    assert len(first.select(".search-results > li")) == 10
    assert "13 résultats" in first.get_text()
    next_link = first.select_one('.pagination a[rel="next"]')["href"]
    assert next_link == "?q=kermesse&page=2"
    second = soup(client.get("/recherche/?q=kermesse&page=2"))
    assert len(second.select(".search-results > li")) == 3
    assert second.select_one(".search-results")["start"] == "11"


def test_highlight_ignores_case_and_accents_and_escapes_html():
    text = "Les inscriptions à l'École <b>maternelle</b> ouvrent en juin. " * 3
    excerpt = highlight_excerpt(text, "ecole")
    assert "<mark>École</mark>" in excerpt
    assert "&lt;b&gt;maternelle&lt;/b&gt;" in excerpt
    assert "<b>" not in excerpt


def test_highlight_cuts_long_text_around_the_first_match():
    text = ("mot " * 200) + "piscine municipale " + ("fin " * 200)
    excerpt = highlight_excerpt(text, "piscine", width=120)
    assert "<mark>piscine</mark>" in excerpt
    assert excerpt.startswith("… ") and excerpt.endswith(" …")
    assert len(excerpt) < 200


def test_highlight_without_match_returns_start_of_text():
    assert str(highlight_excerpt("Bonjour à tous", "zzz")) == "Bonjour à tous"
