"""Shared fixtures. The demo content is loaded once per test session into the test
database, so page tests read a believable site; each test runs in a rolled-back
transaction on top of it. Transactional tests (browser) reseed for themselves."""

import pytest
from django.core.management import call_command
from wagtail.models import Page, Site


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", force=True, stdout=_Null())


@pytest.fixture(autouse=True)
def _fresh_town_contact():
    """core.town keeps the contact details for 30 s in the process; a test's settings are
    rolled back with its transaction (no post_save to clear them): start each test afresh."""
    from espace_citoyen.core import town

    town._forget()
    yield
    town._forget()


class _Null:
    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass


@pytest.fixture
def home(db):
    return Site.objects.get(is_default_site=True).root_page.specific


@pytest.fixture
def page_by_path(db):
    """A live page from its URL path, e.g. page_by_path("/actualites/")."""

    def get(url_path: str):
        site = Site.objects.get(is_default_site=True)
        suffix = url_path.strip("/")
        return Page.objects.get(url_path=site.root_page.url_path + (suffix + "/" if suffix else "")).specific

    return get


@pytest.fixture
def editor(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(email="communication@ville-villennes-sur-seine.fr")


@pytest.fixture
def superuser(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(email="admin@ville-villennes-sur-seine.fr")


@pytest.fixture
def otp_login(db):
    """otp_login(client, user): force_login, then mark the session as having passed the
    second factor (a confirmed TOTP device of the user, as django_otp.login would), so that
    staff reach /admin/ pages (AdminTwoFactorMiddleware)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def login(client, user) -> None:
        client.force_login(user)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Tests", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    return login


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test starts with an empty public page cache: a page stored by an earlier test
    would show content that test's transaction rolled back (site_cms.middleware.PageCacheMiddleware)."""
    from django.core.cache import caches

    caches["pages"].clear()
    yield
