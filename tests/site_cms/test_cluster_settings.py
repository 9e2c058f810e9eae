"""Production settings for several app servers: with REDIS_URL, sessions live in Redis on
their own alias, so that a session written by one process (app server) is read by another.
Redis DB 9 only; skipped like test_redis_cache.py when no Redis answers (CI requires it)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .test_redis_cache import STRONG_KEY, _redis_answers

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/9"


def _python(code: str, **env_extra) -> str:
    env = {key: value for key, value in os.environ.items()
           if key not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL", "REDIS_SESSIONS_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="site_cms.settings.production", SECRET_KEY=STRONG_KEY,
               ALLOWED_HOSTS="www.ville-villennes-sur-seine.fr", **env_extra)
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()\n" + code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_without_redis_sessions_stay_in_the_database():
    out = _python("from django.conf import settings; print(settings.SESSION_ENGINE, 'sessions' in settings.CACHES)")
    assert out == "django.contrib.sessions.backends.db False"


def test_with_redis_a_session_written_by_one_process_is_read_by_another():
    if not _redis_answers():
        if os.environ.get("REQUIRE_REDIS_TESTS"):
            pytest.fail("REQUIRE_REDIS_TESTS is set but no Redis answers on 127.0.0.1:6379.")
        pytest.skip("no Redis answers on 127.0.0.1:6379 (apt-get install redis-server)")
    code_write = ("from django.conf import settings; from importlib import import_module\n"
                  "store = import_module(settings.SESSION_ENGINE).SessionStore()\n"
                  "store['foyer'] = 'Bernard'; store.create()\n"
                  "print(settings.SESSION_ENGINE, settings.CACHES['sessions']['LOCATION'], store.session_key)")
    engine, location, key = _python(code_write, REDIS_URL=REDIS_URL).split()
    assert engine == "django.contrib.sessions.backends.cache"
    assert location == REDIS_URL
    code_read = ("from django.conf import settings; from importlib import import_module\n"
                 f"store = import_module(settings.SESSION_ENGINE).SessionStore('{key}')\n"
                 "print(store.get('foyer', 'absente')); store.delete()")
    # Another Redis for the sessions (REDIS_SESSIONS_URL): the session is not found there.
    assert _python(code_read.replace("; store.delete()", ""), REDIS_URL=REDIS_URL,
                   REDIS_SESSIONS_URL="redis://127.0.0.1:6379/8") == "absente"
    assert _python(code_read, REDIS_URL=REDIS_URL) == "Bernard"
