"""`make run`: the demo as a town would see it. DEBUG off (French 404 and 500 pages, no
debug page), static files collected (`collectstatic`) and served by whitenoise with their
hashed names, pages served by gunicorn; SQLite under var/ and e-mails on the console as in
development. For development with auto-reload and Django's debug pages: `make dev`
(settings/dev.py)."""

import os

from .base import STORAGES, env_list
from .dev import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", *env_list("ALLOWED_HOSTS")]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "site_cms.static_storage.StaticFilesStorage"}}
# The demo content (published passwords, shared TOTP key) is what this mode serves.
ALLOW_SEED_DEMO = True
# Uploaded images of the demo pages (MEDIA_ROOT): served by Django here (site_cms/urls.py),
# by the web server in production.
SERVE_MEDIA = True
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
