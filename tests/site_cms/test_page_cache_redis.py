"""The page cache on the real Redis (DB 5), as two app servers see it: each "server" is a
test client over its own Redis connection pool. A page published through one is fresh at
once on the other. Skipped like test_redis_cache.py when no Redis answers; CI requires it
(REQUIRE_REDIS_TESTS=1)."""

import html

import pytest
from django.core.cache import caches
from site_cms.redis_cache import RedisCache
from django.test import Client

from home import page_cache
from home.page_cache import (
    GENERATION_KEY,
    bump_counter,
    cached_fragment,
    clear_local_copies,
    read_counters,
    request_scope,
)

from .test_redis_cache import REDIS_HOST, REDIS_PORT, redis_available  # noqa: F401 - autouse fixture

REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/5"
PAGES = {"BACKEND": "site_cms.redis_cache.RedisCache", "LOCATION": REDIS_URL,
         "KEY_PREFIX": "test-pages"}


@pytest.fixture
def redis_pages(settings):
    settings.CACHES = {**settings.CACHES, "pages": PAGES}
    caches["pages"].clear()  # DB 5 is ours alone
    clear_local_copies()
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


# Fragments are also kept in each app server's memory (home.page_cache._local_cache): their
# keys hold the generation and counters read from Redis on every request, so a change made
# through any server is seen at once, and a fragment seen once costs no Redis round trip.

def _read_fragment(build, *counters):
    with request_scope():
        versions = read_counters(list(counters)) if counters else {}
        return cached_fragment("test-fragment", build, *versions.values())


def _counting_gets(monkeypatch):
    calls = []
    client = caches["pages"]
    for name in ("get", "get_many"):
        original = getattr(client, name)
        monkeypatch.setattr(client, name, lambda *args, _original=original, _name=name, **kwargs: (
            calls.append((_name, args[0])), _original(*args, **kwargs))[1])
    return calls


def test_a_fragment_seen_once_is_served_from_memory(db, redis_pages, monkeypatch):
    builds = []
    assert _read_fragment(lambda: builds.append(1) or "menu") == "menu"
    calls = _counting_gets(monkeypatch)
    assert _read_fragment(lambda: builds.append(1) or "menu") == "menu"
    assert builds == [1]
    # The generation (with the counters read along with it) only: no fragment from Redis.
    assert calls == [("get_many", [GENERATION_KEY, *page_cache._COMPANION_COUNTERS])]


def test_a_publication_through_another_server_is_seen_despite_the_memory_copy(db, redis_pages):
    builds = []
    _read_fragment(lambda: builds.append("old") or "old menu")
    RedisCache(REDIS_URL, {"KEY_PREFIX": "test-pages"}).incr(GENERATION_KEY)  # server B publishes
    assert _read_fragment(lambda: builds.append("new") or "new menu") == "new menu"
    assert builds == ["old", "new"]


def test_a_counter_moved_by_another_server_is_seen_despite_the_memory_copy(db, redis_pages):
    key = "messaging:reads:42"
    assert _read_fragment(lambda: "3 non lus", key) == "3 non lus"
    assert _read_fragment(lambda: "not rebuilt", key) == "3 non lus"
    RedisCache(REDIS_URL, {"KEY_PREFIX": "test-pages"}).incr(key)  # the parent read a message on server B
    assert _read_fragment(lambda: "2 non lus", key) == "2 non lus"


def test_the_memory_copy_can_be_turned_off(db, redis_pages, settings, monkeypatch):
    settings.PAGE_CACHE_LOCAL_TIMEOUT = 0
    _read_fragment(lambda: "menu")
    calls = _counting_gets(monkeypatch)
    assert _read_fragment(lambda: "not rebuilt") == "menu"
    assert len(calls) == 2  # the generation, then the fragment from Redis


def test_counters_are_read_once_a_request_and_again_after_a_bump(db, redis_pages, monkeypatch):
    key = "messaging:reads:42"
    read_counters([key])
    calls = _counting_gets(monkeypatch)
    with request_scope():
        first = read_counters([key])[key]
        assert read_counters([key])[key] == first
        assert len(calls) == 1
        bump_counter(key)
        assert read_counters([key])[key] == first + 1
        assert len(calls) == 2


def test_a_users_counters_are_read_in_one_round_trip(db, redis_pages, monkeypatch):
    from espace_citoyen.core.household_versions import versions_for
    from espace_citoyen.messaging.unread_cache import _versions as messaging_versions

    with request_scope():  # the counters exist (a first visit creates them)
        versions_for(42), messaging_versions(42)
    calls = _counting_gets(monkeypatch)
    with request_scope():
        household = versions_for(42)
        assert messaging_versions(42)
        assert len(calls) == 1 and len(calls[0][1]) == 4
        bump_counter("citizen-data:user:42")  # the family booked a day
        assert versions_for(42) == (household[0], household[1] + 1)


def test_an_admin_page_reads_its_counters_in_one_round_trip(db, redis_pages, monkeypatch, client, otp_login,
                                                            django_user_model):
    """The generation and the sidebar's version come in one MGET, then the session: an
    admin page warm in memory costs two Redis round trips."""
    admin = django_user_model.objects.create_superuser("chef@ville-villennes-sur-seine.fr", "x-Un-mot-de-passe-long-1")
    otp_login(client, admin)
    assert client.get("/admin/pages/", secure=True).status_code == 200
    calls = _counting_gets(monkeypatch)
    assert client.get("/admin/pages/", secure=True).status_code == 200
    many = [keys for name, keys in calls if name == "get_many"]
    assert len(many) == 1 and len(many[0]) == 2, calls


def test_the_memory_copy_never_outlives_the_shared_timeout(db, redis_pages, settings):
    settings.PAGE_CACHE_TIMEOUT = 0  # nothing kept: every read builds
    assert _read_fragment(lambda: "menu") == "menu"
    assert _read_fragment(lambda: "menu, rebuilt") == "menu, rebuilt"


def test_a_citizens_values_stay_in_redis_only(db, redis_pages, monkeypatch):
    from types import SimpleNamespace

    from espace_citoyen.core.household_versions import cached_for_citizen

    citizen = SimpleNamespace(pk=42, status="active")
    with request_scope():
        assert cached_for_citizen(citizen, "dashboard", lambda: "3 réservations") == "3 réservations"
    calls = _counting_gets(monkeypatch)
    with request_scope():
        assert cached_for_citizen(citizen, "dashboard", lambda: "not rebuilt") == "3 réservations"
    assert [name for name, _key in calls] == ["get_many", "get_many", "get"]  # generation, counters, the value
