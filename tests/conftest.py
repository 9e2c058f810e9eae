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
