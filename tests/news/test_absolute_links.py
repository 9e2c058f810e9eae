"""Absolute links of the RSS feed and sitemap.xml come from the Wagtail Site record, seeded by
the demo with the address it is served at (WAGTAILADMIN_BASE_URL, which `make run` sets);
read as a feed reader and a search engine read them (feedparser, XML), every link answers
200 at that address. A system check (home.W001) warns when the default Site's host name is
not among ALLOWED_HOSTS."""

from io import StringIO
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import feedparser
import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from wagtail.models import Site

from home.demo import served_address

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def fetch(client, url):
    """GET an absolute URL at its own host (as a reader following the link would)."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return client.get(path, HTTP_HOST=parts.netloc, secure=parts.scheme == "https")


def test_the_demo_seeds_the_site_with_the_address_it_serves(settings):
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == served_address() == ("127.0.0.1", 8000)  # WAGTAILADMIN_BASE_URL
    # `make run HOST=… PORT=…` serves another address: the seed follows it, idempotently.
    settings.WAGTAILADMIN_BASE_URL = "http://localhost:8123"
    call_command("seed_demo", force=True, stdout=StringIO())
    site.refresh_from_db()
    assert (site.hostname, site.port) == ("localhost", 8123)
    # A real host name set by the town is never overwritten by the demo.
    site.hostname, site.port = "www.ville-villennes-sur-seine.fr", 443
    site.save()
    call_command("seed_demo", force=True, stdout=StringIO())
    site.refresh_from_db()
    assert (site.hostname, site.port) == ("www.ville-villennes-sur-seine.fr", 443)


def test_rss_feed_links_point_to_the_site_and_answer(client):
    response = client.get("/actualites/rss/", HTTP_HOST="intrus.example")  # whatever host the request used
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20" and feed.feed.language == "fr"
    assert feed.feed.link == "http://127.0.0.1:8000/actualites/"
    assert len(feed.entries) == 10
    urls = {feed.feed.link} | {entry.link for entry in feed.entries} | {entry.id for entry in feed.entries}
    self_links = [link.href for link in feed.feed.get("links", []) if link.get("rel") == "self"]
    urls |= set(self_links)
    for url in urls:
        assert url.startswith("http://127.0.0.1:8000/"), url
        answer = fetch(client, url)
        assert answer.status_code == 200, (url, answer.status_code)


def test_sitemap_links_point_to_the_site_and_answer(client):
    response = client.get("/sitemap.xml", HTTP_HOST="intrus.example")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    urls = [loc.text for loc in root.findall("sm:url/sm:loc", SITEMAP_NS)]
    assert len(urls) > 10 and "http://127.0.0.1:8000/" in urls
    for url in urls:
        assert url.startswith("http://127.0.0.1:8000/"), url
        answer = fetch(client, url)
        assert answer.status_code == 200, (url, answer.status_code)


def test_check_warns_when_the_default_site_is_not_an_allowed_host(settings):
    settings.ALLOWED_HOSTS = ["www.ville-villennes-sur-seine.fr"]
    ids = [message.id for message in run_checks(databases=["default"])]
    assert "home.W001" in ids
    # Not run without a database (runserver, check --deploy), where it cannot read the Site.
    assert "home.W001" not in [message.id for message in run_checks()]
    settings.ALLOWED_HOSTS = ["www.ville-villennes-sur-seine.fr", "127.0.0.1"]
    assert "home.W001" not in [message.id for message in run_checks(databases=["default"])]
    settings.ALLOWED_HOSTS = [".ville-villennes-sur-seine.fr"]
    Site.objects.filter(is_default_site=True).update(hostname="www.ville-villennes-sur-seine.fr", port=443)
    assert "home.W001" not in [message.id for message in run_checks(databases=["default"])]
