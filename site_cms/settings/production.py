"""Production settings. Refuses to start without SECRET_KEY and ALLOWED_HOSTS."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CACHES, DATABASES, env_bool, env_list

DEBUG = False

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("La variable d'environnement SECRET_KEY est obligatoire en production.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "La variable d'environnement ALLOWED_HOSTS est obligatoire en production "
        "(noms d'hôte séparés par des virgules)."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS") or [f"https://{host}" for host in ALLOWED_HOSTS]

# TLS is terminated by the reverse proxy, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Login throttling counts failures per client address: read it from X-Forwarded-For as
# written by this many trusted proxies (0 if Django faces the Internet directly).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1"))
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31_536_000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Secure-sessionid"
CSRF_COOKIE_NAME = "__Secure-csrftoken"

# Database connections: kept open between requests (a new PostgreSQL connection costs a few
# milliseconds, a large share of a cached fragment's render), checked before reuse. With
# PgBouncer in transaction mode, set DB_CONN_MAX_AGE=0 (docs/deployment.md).
DATABASES = {**DATABASES, "default": {
    **DATABASES["default"],
    "CONN_MAX_AGE": int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    "CONN_HEALTH_CHECKS": True,
}}

# Cache: Redis when REDIS_URL is set (base.py), otherwise the database cache (table created
# by `manage.py createcachetable`), never the per-process memory cache: the e-mail rate
# limits (ESPACE_CITOYEN_RATE_LIMITS, django-ratelimit) and the import progress must be
# shared by every gunicorn worker and the task worker.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]  # see base.py
if not os.environ.get("REDIS_URL"):
    from .base import CACHES as _BASE_CACHES

    CACHES = {
        "pages": _BASE_CACHES["pages"],
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
            # Django culls a third of the entries past MAX_ENTRIES (300 by default), rate-limit
            # counters included: a flood of fresh addresses would reset them.
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},
        }
    }
    # The public page cache without Redis: the same shared table (its own key prefix), so
    # that an invalidation is seen by every worker; one query per cached page.
    if not os.environ.get("PAGE_CACHE_REDIS_URL"):
        CACHES["pages"] = {**CACHES["default"], "KEY_PREFIX": "pages"}
    # Its own connection to the same database (site_cms/db_routers.py): cache writes are
    # committed at once, outside the transaction of a request or of the background import
    # (whose progress the run page reads while the import's transaction is still open).
    DATABASES = {**DATABASES, "cache": {**DATABASES["default"]}}
    DATABASE_ROUTERS = ["site_cms.db_routers.CacheConnectionRouter"]
    # django-ratelimit's E003: the database cache increments by read + write, not
    # atomically; requests racing within the same instant may each pass, so a burst can go
    # a few sends over a limit (by at most the number of concurrent requests). Accepted
    # for these anti-abuse limits; set REDIS_URL for exact counting.
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")

# Several app servers (docs/deployment.md, « Plusieurs serveurs d'application »): with Redis,
# the sessions live in Redis too, on their own alias ("sessions": REDIS_SESSIONS_URL, else
# REDIS_URL with its own key prefix), so that any app server reads a session made by another
# and `django_session` is not written by every renewal of a session (IdleSessionMiddleware).
# Give that Redis (or database number) `maxmemory-policy noeviction` and persistence
# (appendonly): an evicted session is a parent logged out.
if os.environ.get("REDIS_URL"):
    CACHES = {
        **CACHES,
        "sessions": {
            "BACKEND": "site_cms.redis_cache.RedisCache",
            "LOCATION": os.environ.get("REDIS_SESSIONS_URL") or os.environ["REDIS_URL"],
            "KEY_PREFIX": "sessions",
        },
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    SESSION_CACHE_ALIAS = "sessions"

# Background tasks: a database queue processed by `manage.py db_worker` (one or more worker
# processes, on any server). Kept rather than RQ on Redis: a task enqueued in a request is
# written in the request's transaction (no task for a rolled-back booking, no task run
# before its rows are committed), the queue is backed up and replicated with the data, and
# no second stateful service must be made durable. RQ (django-tasks-rq) runs the same code
# when a city's volume of tasks outgrows the database.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# EMAIL_BACKEND comes from the environment (base.py); the file backend (CI's cluster stage,
# benchmarks) writes each message under EMAIL_FILE_PATH.
if os.environ.get("EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]

if os.environ.get("EMAIL_HOST"):
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 587))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)

# Private files on an S3-compatible bucket when configured (django-storages).
if os.environ.get("PRIVATE_BUCKET"):
    from .base import STORAGES

    STORAGES = {
        **STORAGES,
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": os.environ["PRIVATE_BUCKET"],
                "endpoint_url": os.environ.get("PRIVATE_BUCKET_ENDPOINT"),
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
