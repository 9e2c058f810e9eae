"""core.town.town_contact: read once for a batch of e-mails, refreshed when the settings change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from espace_citoyen.core.town import town_contact
from home.models import ContactSettings

pytestmark = pytest.mark.django_db


def test_a_batch_reads_the_settings_once_and_a_change_is_seen_at_once():
    first = town_contact()
    with CaptureQueriesContext(connection) as queries:
        for _ in range(50):
            assert town_contact() == first
    assert len(queries) == 0
    settings = ContactSettings.for_site(Site.objects.get(is_default_site=True))
    settings.phone = "01 39 99 99 99"
    settings.save()
    assert town_contact().phone == "01 39 99 99 99"
