"""Settings for `make test` (pytest). SQLite in memory unless DATABASE_URL is set."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, ESPACE_CITOYEN_RATE_LIMITS, STORAGES

DEBUG = False
SECRET_KEY = "test-only-key-not-secret-villennes-sur-seine-0123456789abcdef"
ALLOWED_HOSTS = ["*"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not os.environ.get("DATABASE_URL"):
    DATABASES["default"]["NAME"] = ":memory:"
_TMP = Path(tempfile.mkdtemp(prefix="villennes-test-"))
MEDIA_ROOT = _TMP / "media"
PRIVATE_ROOT = _TMP / "private"
STORAGES = {
    **STORAGES,
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
          "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"}}
SERVE_MEDIA = True
STATIC_ROOT = _TMP / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# The cache lives for the whole test session and every test client comes from 127.0.0.1:
# generous e-mail limits here so that other modules' tests never reach them.
# tests/espace_citoyen/core/test_rate_limits.py restores base.py's limits and clears the cache.
ESPACE_CITOYEN_RATE_LIMITS = {name: "1000/d" for name in ESPACE_CITOYEN_RATE_LIMITS}
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001", "django_ratelimit.E003"]  # LocMem: one test process
