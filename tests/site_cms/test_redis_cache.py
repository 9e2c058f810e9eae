"""The Redis cache configuration (REDIS_URL) against the local Redis on 127.0.0.1:6379.

Skipped, with the reason, only when no Redis answers there; CI sets REQUIRE_REDIS_TESTS=1
(.ci/run) so that a missing Redis fails instead of skipping."""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
# A database number of its own, so that the test never touches another user's keys.
REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/13"
STRONG_KEY = "x7!Qp2#Lm9@Vz4$Rk8%Tn3^Wb6&Yc1*Hd5(Jf0)Gs-Ue_Oa+Ii=Pl"


def _redis_answers() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="module", autouse=True)
def redis_available():
    if _redis_answers():
        return
    if os.environ.get("REQUIRE_REDIS_TESTS"):
        pytest.fail(f"REQUIRE_REDIS_TESTS is set but no Redis answers on {REDIS_HOST}:{REDIS_PORT}.")
    pytest.skip(f"no Redis answers on {REDIS_HOST}:{REDIS_PORT} (apt-get install redis-server); "
                "CI requires it with REQUIRE_REDIS_TESTS=1")


def _manage(*args):
    env = {key: value for key, value in os.environ.items()
           if key not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(DJANGO_SETTINGS_MODULE="site_cms.settings.production", SECRET_KEY=STRONG_KEY,
               ALLOWED_HOSTS="www.ville-villennes-sur-seine.fr", REDIS_URL=REDIS_URL)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_production_settings_with_redis_url_use_redis_and_pass_the_deploy_check():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_redis_cache_stores_and_counts_atomically():
    key = f"test-redis-{uuid.uuid4().hex}"
    script = (
        "from django.core.cache import cache; from django.conf import settings\n"
        "assert settings.CACHES['default']['BACKEND'].endswith('RedisCache'), settings.CACHES\n"
        f"cache.set('{key}', 'ok', 30); assert cache.get('{key}') == 'ok'\n"
        f"cache.set('{key}-n', 0, 30); cache.incr('{key}-n'); cache.incr('{key}-n')\n"
        f"print('VALUE', cache.get('{key}-n')); cache.delete_many(['{key}', '{key}-n'])\n"
    )
    result = _manage("shell", "-c", script)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "VALUE 2" in result.stdout


def test_the_redis_cache_reuses_one_client_per_pool(monkeypatch):
    """site_cms.redis_cache: Django's backend builds a redis.Redis client for every call
    (~0.3 ms each with redis-py 5+); ours builds one per connection pool, then reuses it."""
    import redis

    from site_cms.redis_cache import RedisCache

    built = []

    class CountingRedis(redis.Redis):
        def __init__(self, *args, **kwargs):
            built.append(1)
            super().__init__(*args, **kwargs)

    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": f"reuse-{uuid.uuid4().hex}", "OPTIONS": {}})
    monkeypatch.setattr(cache._cache, "_client", CountingRedis)
    for number in range(5):
        cache.set("key", number, 30)
        assert cache.get("key") == number
    cache.get_many(["key", "other"])
    cache.delete("key")
    assert len(built) == 1
