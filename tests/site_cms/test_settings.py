import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "x7!Qp2#Lm9@Vz4$Rk8%Tn3^Wb6&Yc1*Hd5(Jf0)Gs-Ue_Oa+Ii=Pl"


def manage(*args, **env):
    full_env = {
        key: value for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE",
                       "DB_CONN_MAX_AGE"}
    }
    full_env.update(DJANGO_SETTINGS_MODULE="site_cms.settings.production", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_production_deploy_check_is_clean():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="www.ville-villennes-sur-seine.fr",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    result = manage("check", ALLOWED_HOSTS="www.ville-villennes-sur-seine.fr")
    assert result.returncode != 0
    assert "SECRET_KEY est obligatoire" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = manage("check", SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS est obligatoire" in result.stderr


def test_production_keeps_database_connections_open_and_checks_them():
    script = ("from django.db import connections; d = connections['default'].settings_dict; "
              "print('CONN', d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])")
    base = {"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "www.ville-villennes-sur-seine.fr"}
    result = manage("shell", "-c", script, **base)
    assert "CONN 60 True" in result.stdout, result.stdout + result.stderr
    result = manage("shell", "-c", script, DB_CONN_MAX_AGE="0", **base)  # behind PgBouncer
    assert "CONN 0 True" in result.stdout, result.stdout + result.stderr


def test_language_and_time_zone():
    from django.conf import settings

    assert settings.LANGUAGE_CODE == "fr-fr"
    assert settings.TIME_ZONE == "Europe/Paris"
    assert settings.AUTH_USER_MODEL == "accounts.User"
    assert "django.contrib.admin" not in settings.INSTALLED_APPS


@pytest.mark.django_db
def test_public_pages_send_security_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_wagtail_admin_is_in_french(client, superuser, otp_login):
    otp_login(client, superuser)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert 'lang="fr"' in response.content.decode()
    assert "Tableau de bord" in response.content.decode()


@pytest.mark.django_db
def test_health_endpoint(client):
    response = client.get("/sante/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="needs PostgreSQL, the production database (set DATABASE_URL=postgres://…)")
def test_production_database_cache_commits_outside_the_open_transaction():
    """Without Redis the cache is in the database, on its own connection: what it writes
    (rate-limit counters, a running import's progress) is visible to the other processes at
    once, even while the writer's own transaction is still open; and it is not culled at
    Django's default 300 entries."""
    import psycopg

    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    name = "villennes_cache_check"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    env = {"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "www.ville-villennes-sur-seine.fr",
           "DATABASE_URL": f"{base}/{name}", "REDIS_URL": ""}
    try:
        created = manage("createcachetable", "--database", "cache", **env)
        assert created.returncode == 0, created.stdout + created.stderr
        snippet = (
            "import os, psycopg\n"
            "from django.conf import settings\n"
            "from django.core.cache import cache\n"
            "from django.db import transaction\n"
            "with transaction.atomic():\n"
            "    cache.set('legacy-import-progress-1', (40, 100), 60)\n"
            "    with psycopg.connect(os.environ['DATABASE_URL']) as other:\n"
            "        print('SEEN', other.execute('SELECT count(*) FROM django_cache').fetchone()[0])\n"
            "print('MAX', settings.CACHES['default']['OPTIONS']['MAX_ENTRIES'])\n"
        )
        result = manage("shell", "-c", snippet, **env)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "SEEN 1" in result.stdout and "MAX 1000000" in result.stdout
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
