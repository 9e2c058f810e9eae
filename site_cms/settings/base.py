"""Settings shared by every environment of the Villennes-sur-Seine site.

Secrets and the database come from the environment; see README.md.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


INSTALLED_APPS = [
    # Town website
    "home",
    "news",
    "search",
    # Citizen space
    "espace_citoyen.core",
    "espace_citoyen.accounts",
    "espace_citoyen.portal",
    "espace_citoyen.family",
    "espace_citoyen.demarches",
    "espace_citoyen.documents",
    "espace_citoyen.messaging",
    "espace_citoyen.activities",
    "espace_citoyen.billing",
    "espace_citoyen.portail_famille",
    # Wagtail
    "wagtail.contrib.settings",
    "wagtail.contrib.table_block",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.redirects",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    # Django and libraries
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_tasks",
    # The database task queue's table exists everywhere (production uses it, /sante/ reads it).
    "django_tasks_db",
    "health_check",
    "csp",
    "axes",
    "formtools",  # sign-up wizard (SessionWizardView)
    "django_ratelimit",  # e-mail sending limits (espace_citoyen.core.throttle); its checks see CACHES
    # Two-factor authentication: TOTP apps and printed backup codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Public pages for anonymous visitors from the shared page cache, before any session is
    # read (site_cms/middleware.py, home/page_cache.py).
    "site_cms.middleware.PageCacheMiddleware",
    # Django's, with the idle expiry renewed once a minute (espace_citoyen.accounts.middleware).
    "espace_citoyen.accounts.middleware.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): has this session passed a second factor (django-otp's,
    # its device read by a query compiled once: espace_citoyen.accounts.middleware)?
    "espace_citoyen.accounts.middleware.OTPMiddleware",
    # Control characters (NUL...) stripped from every query parameter and form field; ?next=
    # local paths only; Wagtail's integer query parameters checked (core/middleware.py).
    "espace_citoyen.core.middleware.RequestInputMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp, with the admin's own policy (site_cms/middleware.py).
    "site_cms.middleware.SiteCSPMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Citizen-space sessions end 12 hours after login, however active they are.
    "espace_citoyen.accounts.middleware.AbsoluteSessionLifetimeMiddleware",
    # Staff pass TOTP (or enrol) before any /admin/ page.
    "espace_citoyen.accounts.middleware.AdminTwoFactorMiddleware",
    # Cache-Control: private, no-store on every citizen-space and admin response.
    "espace_citoyen.core.middleware.PrivateNoStoreMiddleware",
    # django-axes: turns a locked-out login attempt into the 429 page. Keep it last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "site_cms.urls"
# Paths whose responses are never stored by a cache (core.middleware.PrivateNoStoreMiddleware).
PRIVATE_PATH_PREFIXES = ("/espace-citoyen/", "/admin/")
WSGI_APPLICATION = "site_cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "csp.context_processors.nonce",
                # The town's name and phone numbers (site settings), lazy.
                "espace_citoyen.core.context_processors.town",
                # Unread messages of the citizen space, for the header link (lazy, no query when unused).
                "espace_citoyen.messaging.context_processors.unread_messages",
            ],
            # Django's `date` filter, same output, faster for the usual formats (issue 14):
            # listed after Django's built-ins, its `date` replaces theirs in every template.
            "builtins": ["espace_citoyen.core.date_filter"],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Accounts: e-mail is the login (espace_citoyen.accounts.User).
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "espace_citoyen.accounts.validators.TownNamePasswordValidator"},
    # Common French passwords and words, even followed by digits ("motdepasse123").
    {"NAME": "espace_citoyen.accounts.validators.FrenchCommonPasswordValidator"},
]
# django-axes first: it refuses locked-out attempts before the password is checked. Then
# Django's ModelBackend refusing unconfirmed and not-yet-activated accounts, at login and
# for a session alike (espace_citoyen/accounts/backends.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "espace_citoyen.accounts.backends.AccountBackend",
]
# The Wagtail admin is for town agents only: its login form refuses citizens as it would a
# wrong password, and its own password-reset pages are off (everyone uses the space's
# reset, with its rate limits and notices; the admin login links to it).
WAGTAILADMIN_USER_LOGIN_FORM = "espace_citoyen.accounts.forms.AdminLoginForm"
WAGTAIL_PASSWORD_RESET_ENABLED = False
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # reset links expire after one day

# Sessions: 30 minutes idle (the session and its cookie are renewed by a request at most
# once every SESSION_RENEW_INTERVAL seconds: IdleSessionMiddleware), 12 hours at most after
# login (espace_citoyen.accounts.middleware). Secure cookies: production.py.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_INTERVAL = 60
SESSION_ABSOLUTE_AGE = 12 * 60 * 60

# Login throttling (django-axes, database handler). Failures are counted per
# (account + IP address) and per IP address, never per account alone, so that nobody
# can lock somebody else's account from another address:
#  - 5 failures for one account from one address lock that pair;
#  - 20 failures from one address, whatever the accounts, lock that address.
# The lock ends by itself 15 minutes after the last failure.
AXES_HANDLER = "espace_citoyen.accounts.throttling.TieredAxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = 5  # per account + IP address
AXES_IP_FAILURE_LIMIT = 20  # per IP address (read by TieredAxesDatabaseHandler)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "espace_citoyen.accounts.throttling.username_from_request"
AXES_LOCKOUT_CALLABLE = "espace_citoyen.accounts.throttling.lockout_response"
AXES_CLIENT_IP_CALLABLE = "espace_citoyen.accounts.throttling.client_ip_address"
# Number of reverse proxies in front of Django whose X-Forwarded-For can be trusted
# (0: use REMOTE_ADDR). production.py reads it from the environment.
TRUSTED_PROXY_COUNT = 0

# Language and time
LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# Static and media files
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
PRIVATE_ROOT = Path(os.environ.get("PRIVATE_ROOT", VAR_DIR / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Citizen files: outside MEDIA_ROOT, never served by a public URL.
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "site_cms.static_storage.StaticFilesStorage"},
}

# Uploads
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# Background tasks (django-tasks); production switches to django-tasks-db.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# /sante/ reports the task worker as down when a due task waited longer (site_cms/health.py).
TASK_WORKER_MAX_DELAY = timedelta(minutes=10)

# Cache: local memory unless REDIS_URL is set.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "site_cms.redis_cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Public page cache (site_cms/page_cache.py, docs/deployment.md « Cache des pages publiques »):
# its own alias so that a purge never touches sessions or rate-limit counters. Redis when
# PAGE_CACHE_REDIS_URL (or REDIS_URL) is set, shared by every app server; else this process's
# memory (a single `make run` process). PAGE_CACHE_ENABLED=0 turns it off.
_PAGE_CACHE_URL = os.environ.get("PAGE_CACHE_REDIS_URL") or os.environ.get("REDIS_URL")
CACHES["pages"] = (
    {"BACKEND": "site_cms.redis_cache.RedisCache", "LOCATION": _PAGE_CACHE_URL,
     "KEY_PREFIX": "pages"}
    if _PAGE_CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages",
          "OPTIONS": {"MAX_ENTRIES": 5000}}
)
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE_ENABLED", True)
# Seconds a stored page lives at most; publishing, settings or snippet changes invalidate
# at once (site_cms/page_cache.py), this bounds what no signal sees (a date that turns).
PAGE_CACHE_TIMEOUT = int(os.environ.get("PAGE_CACHE_TIMEOUT", 600))
# Seconds a fragment read from Redis is also kept in the app server's memory (its key holds
# the generation and counters, read from Redis on every request); 0 turns it off.
PAGE_CACHE_LOCAL_TIMEOUT = int(os.environ.get("PAGE_CACHE_LOCAL_TIMEOUT", 60))
# django-ratelimit's checks: E003 refuses the per-process LocMem cache (fine for the single
# process of `make run`; production.py uses the database cache instead) and W001 flags every
# backend missing from its list, which predates Django's own RedisCache (atomic INCR).
# production.py sets its own list.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if CACHES["default"]["BACKEND"].endswith(".LocMemCache"):
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")

# Limits of the pages that e-mail an address typed by the visitor (espace_citoyen.core.throttle,
# django-ratelimit in the default cache; "N/h" = N per fixed hour, "N/d" = per fixed day).
# Sign-up and password reset: per client IP address and per normalised target address; over
# the limit the visitor sees the usual "sent" page but nothing is sent. Change of login
# address and co-parent invitations: per account, with a French form error.
ESPACE_CITOYEN_RATE_LIMITS = {
    "signup_ip": "10/h",
    "signup_email": "3/h",
    "password_reset_ip": "10/h",
    "password_reset_email": "3/h",
    "email_change_user": "5/d",
    "invitation_user": "10/d",
}
# The client's address for django-ratelimit's "ip" key: the same function as django-axes
# (honours TRUSTED_PROXY_COUNT).
RATELIMIT_IP_META_KEY = "espace_citoyen.accounts.throttling.client_ip_address"

# E-mail
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Mairie de Villennes-sur-Seine <ne-pas-repondre@ville-villennes-sur-seine.fr>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers shared by every environment; production.py tightens cookies and TLS.
X_FRAME_OPTIONS = "DENY"  # Wagtail's preview views opt in to SAMEORIGIN themselves.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Content Security Policy for the public site. The Wagtail admin is excluded: it ships
# its own inline scripts and styles.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'", "https://checkout.stripe.com"],  # « Payer en ligne » redirects there
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# Content Security Policy of the Wagtail admin (site_cms.middleware.SiteCSPMiddleware):
# nothing from another host – scripts, styles, images, fonts, frames, connections – no
# plugin, no <base>, forms posted to this site only, never framed by another site. Wagtail
# 8's admin templates still carry inline scripts and style attributes ('unsafe-inline');
# the rich-text editor and the previews use blob: and data: images.
ADMIN_CONTENT_SECURITY_POLICY = {
    "URL_PREFIX": "/admin/",
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# Two-factor authentication (django-otp): name shown in authenticator apps; a wrong code
# delays the next try on that device (1 s, 2 s, 4 s...); a signed-in password waits at
# most TWO_FACTOR_PENDING_AGE seconds for its code, with TWO_FACTOR_MAX_ATTEMPTS tries.
OTP_TOTP_ISSUER = "Villennes-sur-Seine"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
TWO_FACTOR_PENDING_AGE = 5 * 60
TWO_FACTOR_MAX_ATTEMPTS = 5
TWO_FACTOR_BACKUP_CODES = 10

# Wagtail
WAGTAIL_SITE_NAME = "Villennes-sur-Seine"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = [("fr", "Français")]
WAGTAIL_DATE_FORMAT = "%d/%m/%Y"
WAGTAIL_DATETIME_FORMAT = "%d/%m/%Y %H:%M"
WAGTAIL_TIME_FORMAT = "%H:%M"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No avatar from Gravatar (every admin page would send a hash of the agent's e-mail address
# to a third party): an uploaded avatar, else Wagtail's default one, served by this site.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILEMBEDS_FINDERS = []  # no network at run time: no oEmbed providers
# Upload limits for the image and document libraries.
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"avif": "webp", "heic": "webp"}
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "ods", "pdf", "xlsx", "txt"]
WAGTAILDOCS_SERVE_METHOD = "serve_view"

# The citizen space has its own login; the Wagtail admin keeps its own
# (WAGTAILADMIN_LOGIN_URL defaults to "wagtailadmin_login").
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# Espace citoyen: business calendar
# Delay for staff to validate a new citizen account, in business hours ("heures
# ouvrées": 24 h per business day, Monday–Friday except French public holidays).
# Used by espace_citoyen.core.business_calendar.validation_deadline().
ESPACE_CITOYEN_VALIDATION_DELAY_BUSINESS_HOURS = 48

# Espace citoyen: activation of accounts imported from the former Portail Famille.
# Days during which the link of an activation e-mail works (espace_citoyen/accounts/tokens.py).
ESPACE_CITOYEN_ACTIVATION_DAYS = 14
# A password (and second factor) proved this long ago still allows a sensitive change of the
# account (login address, second factor, backup codes) without asking again (accounts/reauth.py).
ESPACE_CITOYEN_REAUTH_MINUTES = 10

# Espace citoyen: sign-up wizard. Days during which the link of the e-mail that confirms
# the address of a new account works (espace_citoyen/accounts/tokens.py).
ESPACE_CITOYEN_EMAIL_CONFIRMATION_DAYS = 3

# Espace citoyen: document vault (espace_citoyen/documents). Size of one file, total per
# account, and days before a document's validity date when it is flagged and reminded.
ESPACE_CITOYEN_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
ESPACE_CITOYEN_VAULT_QUOTA_BYTES = 200 * 1024 * 1024
ESPACE_CITOYEN_DOCUMENT_EXPIRY_WARNING_DAYS = 30

# Espace citoyen: activities. Hours a family has to accept a place freed on a full day
# for which its child was on the waiting list (never beyond the day's booking deadline).
ESPACE_CITOYEN_WAITING_OFFER_HOURS = 24

# Espace citoyen: retention of personal data (RGPD), applied every night by
# `manage.py purge_expired_data` (espace_citoyen/portal/retention.py; the README's
# "Conservation des données" says where each duration comes from). Durations in days.
# An entry whose rule no domain has registered yet is reported and skipped.
ESPACE_CITOYEN_RETENTION = {
    # Sign-ups never confirmed: deleted once their confirmation link has expired
    # (ESPACE_CITOYEN_EMAIL_CONFIRMATION_DAYS) plus this margin.
    "unconfirmed_signups": {"days": 0},
    # Accounts refused by the town: six months after the refusal (time to contest it).
    "refused_accounts": {"days": 183},
    # Accounts not used for three years (CNIL), warned by e-mail one month before.
    "inactive_accounts": {"days": 3 * 365, "warning_days": 30},
    # Finished démarches (accepted, refused, closed) and their transmitted documents.
    "closed_demarches": {"days": 5 * 365},
    # Days of activity with their bookings, waiting lists and attendance: the school year
    # plus one year (administrative usefulness of registers of attendance).
    "bookings_and_attendance": {"days": 2 * 365},
    # Billing: invoices and payments, ten years (public accounting
    # records). Registered by the billing domain (billing/retention.py).
    "invoices": {"days": 10 * 365},
    "payments": {"days": 10 * 365},
}

# Espace citoyen: invoices of the children's activities (espace_citoyen/billing).
# An invoice of month M is due on this day of month M+1 (never sooner than
# ESPACE_CITOYEN_INVOICE_MIN_DAYS_TO_PAY days after it is issued).
ESPACE_CITOYEN_INVOICE_DUE_DAY = int(os.environ.get("ESPACE_CITOYEN_INVOICE_DUE_DAY", "15"))
ESPACE_CITOYEN_INVOICE_MIN_DAYS_TO_PAY = 10
# Days after the due date when the daily `send_invoice_reminders` reminds an unpaid invoice, once.
ESPACE_CITOYEN_INVOICE_REMINDER_DAYS = int(os.environ.get("ESPACE_CITOYEN_INVOICE_REMINDER_DAYS", "10"))
# Postcodes of the town: a household none of whose adults lives there pays the "hors commune" price.
ESPACE_CITOYEN_TOWN_POSTCODES = env_list("ESPACE_CITOYEN_TOWN_POSTCODES", "78670")

# Espace citoyen: online payment of invoices with Stripe (espace_citoyen/billing/providers).
# Online payment is offered iff both keys are set (the demo has none: the « Payer en ligne »
# button then explains how to pay at the desk). Test-mode keys (sk_test_…, whsec_…) in
# staging; see README « Paiement en ligne » and docs/deployment.md.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
# A Checkout Session lives this long (Stripe requires at least 30 minutes).
ESPACE_CITOYEN_CHECKOUT_MINUTES = int(os.environ.get("ESPACE_CITOYEN_CHECKOUT_MINUTES", "35"))
# Who is alerted when a payment does not match what was asked (amount or currency); blank:
# the town's e-mail address of the site settings.
ESPACE_CITOYEN_REGIE_EMAIL = os.environ.get("ESPACE_CITOYEN_REGIE_EMAIL", "")
