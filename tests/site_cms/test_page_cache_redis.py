"""The page cache on the real Redis (DB 5), as two app servers see it: each "server" is a
test client over its own Redis connection pool. A page published through one is fresh at
once on the other. Skipped like test_redis_cache.py when no Redis answers; CI requires it
(REQUIRE_REDIS_TESTS=1)."""

import html

import pytest
from django.core.cache import caches
from site_cms.redis_cache import RedisCache
from django.test import Client

from home.page_cache import GENERATION_KEY

from .test_redis_cache import REDIS_HOST, REDIS_PORT, redis_available  # noqa: F401 - autouse fixture

REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/5"
PAGES = {"BACKEND": "site_cms.redis_cache.RedisCache", "LOCATION": REDIS_URL,
         "KEY_PREFIX": "test-pages"}


@pytest.fixture
def redis_pages(settings):
    settings.CACHES = {**settings.CACHES, "pages": PAGES}
    caches["pages"].clear()  # DB 5 is ours alone
    yield
    caches["pages"].clear()


def _server_b_generation():
    """The generation as another app server's own connection reads it."""
    other = RedisCache(REDIS_URL, {"KEY_PREFIX": "test-pages"})
    return other.get(GENERATION_KEY)


def test_publishing_on_one_server_is_fresh_on_the_other(db, redis_pages, home):
    server_a, server_b = Client(), Client()
    assert server_a.get("/")["X-Cache"] == "MISS"
    assert server_b.get("/")["X-Cache"] == "HIT"  # shared copy
    before = _server_b_generation()
    home.banner_title = "Conseil municipal jeudi soir"
    home.save_revision().publish()  # through "server A"
    assert _server_b_generation() != before
    response = server_b.get("/")
    assert response["X-Cache"] == "MISS"
    assert "Conseil municipal jeudi soir" in html.unescape(response.content.decode())
    assert server_a.get("/")["X-Cache"] == "HIT"


def test_a_lost_generation_counter_never_revives_old_copies(db, redis_pages):
    Client().get("/actualites/")
    assert Client().get("/actualites/")["X-Cache"] == "HIT"
    caches["pages"].delete(GENERATION_KEY)  # evicted, or Redis restarted without its data
    assert Client().get("/actualites/")["X-Cache"] == "MISS"
