import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import override_settings
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Revision, Site

from home.models import ContactSettings
from news.models import NewsPage, ServiceMessagePage


def snapshot():
    return {
        "pages": sorted(Page.objects.values_list("url_path", "live", "latest_revision_id")),
        "revisions": Revision.objects.count(),
        "images": get_image_model().objects.count(),
        "documents": get_document_model().objects.count(),
        "users": sorted(get_user_model().objects.values_list("email", "password")),
        "groups": sorted(Group.objects.values_list("name", flat=True)),
        "settings": list(ContactSettings.objects.values()),
    }


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing():
    before = snapshot()
    out = io.StringIO()
    call_command("seed_demo", force=True, stdout=out)
    assert snapshot() == before
    assert "admin@ville-villennes-sur-seine.fr" in out.getvalue()
    assert "communication@ville-villennes-sur-seine.fr" in out.getvalue()


@pytest.mark.django_db
def test_demo_content_is_what_the_town_needs():
    site = Site.objects.get(is_default_site=True)
    assert site.root_page.specific_class.__name__ == "HomePage"
    paths = set(Page.objects.live().values_list("url_path", flat=True))
    root = site.root_page.url_path
    for path in ["actualites/", "messages-des-services/", "vie-municipale/", "enfance-et-scolarite/",
                 "espace-citoyen-mode-d-emploi/", "contact/", "mentions-legales/", "accessibilite/", "plan-du-site/"]:
        assert root + path in paths
    assert NewsPage.objects.live().count() >= 8
    assert NewsPage.objects.live().filter(cover_image__isnull=False).count() == NewsPage.objects.live().count()
    assert ServiceMessagePage.objects.live().publicly_listed().count() == 3
    contact = ContactSettings.for_site(site)
    assert (contact.phone, contact.phone_secondary) == ("01 39 08 25 40", "01 39 08 25 67")
    editor = get_user_model().objects.get(email="communication@ville-villennes-sur-seine.fr")
    assert list(editor.groups.values_list("name", flat=True)) == ["Communication"]
    assert not editor.is_superuser


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_seed_demo_refuses_outside_development_without_force():
    with pytest.raises(CommandError, match="ne se charge qu'en développement"):
        call_command("seed_demo", stdout=io.StringIO())
