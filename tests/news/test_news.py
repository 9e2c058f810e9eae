import datetime
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup

from news.models import NEWS_PER_PAGE, Audience, NewsPage, ServiceMessagePage


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def add_news(index, count, start=datetime.date(2026, 1, 1)):
    for number in range(count):
        page = NewsPage(
            title=f"Brève numéro {number}",
            slug=f"breve-{number}",
            date=start + datetime.timedelta(days=number),
            summary=f"Résumé de la brève {number}.",
        )
        index.add_child(instance=page)
        page.save_revision().publish()


@pytest.mark.django_db
def test_news_listing_is_newest_first_and_paginated(client, page_by_path):
    index = page_by_path("/actualites/")
    add_news(index, 12, start=datetime.date(2000, 1, 1))  # older than every demo item
    total = NewsPage.objects.live().child_of(index).count()
    assert total == 22

    first = soup(client.get("/actualites/"))
    titles = [a.get_text(strip=True) for a in first.select(".card__title a")]
    assert len(titles) == NEWS_PER_PAGE
    assert titles[0] == "Conseil municipal : le budget 2027 en débat"
    dates = [t["datetime"] for t in first.select(".card__meta time")]
    assert dates == sorted(dates, reverse=True)
    assert "Page 1 sur 3" in first.get_text()

    last = soup(client.get("/actualites/?page=3"))
    assert [a.get_text(strip=True) for a in last.select(".card__title a")] == [
        "Brève numéro 3", "Brève numéro 2", "Brève numéro 1", "Brève numéro 0",
    ]
    # A page number out of range or not a number shows a valid page, not an error.
    assert client.get("/actualites/?page=99").status_code == 200
    assert "Page 3 sur 3" in soup(client.get("/actualites/?page=99")).get_text()
    assert "Page 1 sur 3" in soup(client.get("/actualites/?page=abc")).get_text()


@pytest.mark.django_db
def test_category_filter(client):
    html = soup(client.get("/actualites/?categorie=environnement"))
    titles = {a.get_text(strip=True) for a in html.select(".card__title a")}
    assert titles == {"Collecte des sapins après les fêtes", "Nettoyage des berges de la Seine"}
    assert html.select_one('.filters a[aria-current]').get_text() == "Environnement"
    assert "Environnement" in html.select_one(".filters__status").get_text()

    unknown = soup(client.get("/actualites/?categorie=inconnue"))
    assert "Cette catégorie n'existe pas." in unknown.get_text()
    assert unknown.select(".card") == []


@pytest.mark.django_db
def test_rss_feed_is_valid_xml_with_latest_items(client):
    response = client.get("/actualites/rss/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "rss" and root.attrib["version"] == "2.0"
    channel = root.find("channel")
    assert channel.findtext("language") == "fr"
    items = channel.findall("item")
    assert len(items) == 10
    first = items[0]
    assert first.findtext("title") == "Conseil municipal : le budget 2027 en débat"
    assert first.findtext("link").endswith("/actualites/conseil-municipal-du-10-decembre/")
    assert "séance publique" in first.findtext("description")
    assert first.findtext("category") == "Vie municipale"
    assert first.findtext("pubDate")
    # The listing advertises the feed.
    html = soup(client.get("/actualites/"))
    assert html.find("link", type="application/rss+xml")["href"] == "/actualites/rss/"


@pytest.mark.django_db
def test_draft_news_is_not_listed_nor_in_feed(client, page_by_path):
    index = page_by_path("/actualites/")
    draft = NewsPage(title="Brouillon secret", slug="brouillon-secret", summary="Pas encore publié.", live=False)
    index.add_child(instance=draft)
    draft.save_revision()
    assert "Brouillon secret" not in client.get("/actualites/").content.decode()
    assert b"Brouillon secret" not in client.get("/actualites/rss/").content
    assert client.get("/actualites/brouillon-secret/").status_code == 404


@pytest.mark.django_db
def test_public_messages_listed_targeted_ones_hidden(client):
    public = ServiceMessagePage.objects.live().filter(audience=Audience.EVERYONE)
    targeted = ServiceMessagePage.objects.live().exclude(audience=Audience.EVERYONE)
    # The citizen space's demo adds targeted messages of its own (espace_citoyen/messaging/demo.py).
    assert public.count() == 3 and targeted.count() >= 1

    html = soup(client.get("/messages-des-services/"))
    titles = {a.get_text(strip=True) for a in html.select(".message__title a")}
    assert titles == set(public.values_list("title", flat=True))
    assert html.select_one(".badge--urgent").get_text() == "Urgent"

    sitemap = client.get("/sitemap.xml").content.decode()
    for hidden in targeted:
        assert client.get(hidden.url).status_code == 404
        assert hidden.url not in sitemap
    assert public.first().url in client.get("/sitemap.xml").content.decode()


@pytest.mark.django_db
def test_news_page_cover_image_has_alt_and_webp(client):
    html = soup(client.get("/actualites/marche-de-noel/"))
    picture = html.select_one("figure.cover picture")
    assert picture.find("source", type="image/webp") is not None
    assert picture.find("img")["alt"] == "Illustration : le marché de noël revient sur la place de l'église"
    assert html.select_one(".card__meta").get_text(" ", strip=True).startswith("Publié le")


@pytest.mark.django_db
def test_alt_text_required_with_cover_image_and_detail_for_activity_audience(page_by_path):
    from django.core.exceptions import ValidationError

    news = page_by_path("/actualites/marche-de-noel/")
    news.cover_image_alt = " "
    with pytest.raises(ValidationError) as error:
        news.full_clean()
    assert "Indiquez un texte alternatif" in str(error.value)

    message = page_by_path("/messages-des-services/encombrants-decembre/")
    message.audience = Audience.ACTIVITY_FAMILIES
    with pytest.raises(ValidationError) as error:
        message.full_clean()
    assert "Précisez l'activité ou l'école" in str(error.value)
