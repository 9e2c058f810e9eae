"""The header's unread count, cached per user (espace_citoyen/messaging/unread_cache.py):
no query while nothing changes, and every change that matters seen at the next request."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from espace_citoyen.accounts.models import AccountStatus
from espace_citoyen.family.models import Child, Household, Membership
from espace_citoyen.messaging.selectors import unread_count_for
from news.models import Audience

from .conftest import TILLEULS, publish_message


def _fresh(user):
    """The user as a new request loads it."""
    return get_user_model().objects.get(pk=user.pk)


def _header(client):
    return client.get("/espace-citoyen/").content.decode()


def test_the_count_costs_no_query_while_nothing_changes(people, messages, django_assert_num_queries):
    parent = people["parent_tilleuls"]
    assert unread_count_for(user=_fresh(parent)) == 4
    user = _fresh(parent)
    with django_assert_num_queries(0):
        assert unread_count_for(user=user) == 4


def test_each_user_has_their_own_count(people, messages):
    assert unread_count_for(user=_fresh(people["parent_tilleuls"])) == 4
    assert unread_count_for(user=_fresh(people["parent_parc"])) == 3
    assert unread_count_for(user=_fresh(people["holder"])) == 2
    assert unread_count_for(user=_fresh(people["parent_tilleuls"])) == 4


def test_a_new_message_counts_at_once(client, people, messages):
    client.force_login(people["parent_parc"])
    assert "(3 messages non lus)" in _header(client)
    publish_message("test-nouveau", audience=Audience.FAMILIES, title="Fermeture exceptionnelle")
    assert "(4 messages non lus)" in _header(client)


def test_reading_a_message_counts_at_once(client, people, messages):
    client.force_login(people["parent_parc"])
    assert "(3 messages non lus)" in _header(client)
    assert client.get(f"/espace-citoyen/messages/{messages['families'].pk}/").status_code == 200
    assert "(2 messages non lus)" in _header(client)


def test_a_child_at_the_targeted_school_counts_at_once(client, people, messages):
    parent = people["parent_parc"]
    client.force_login(parent)
    assert "(3 messages non lus)" in _header(client)
    household = Household.objects.get(memberships__user=parent)
    child = Child.objects.create(household=household, first_name="Léa", last_name="Test", school=TILLEULS)
    assert "(4 messages non lus)" in _header(client)
    child.delete()
    assert "(3 messages non lus)" in _header(client)


def test_leaving_a_household_counts_at_once(client, people, messages):
    parent = people["parent_parc"]
    client.force_login(parent)
    assert "(3 messages non lus)" in _header(client)
    Membership.objects.filter(user=parent).delete()
    assert "(2 messages non lus)" in _header(client)  # no longer a family: "tout le monde", "titulaires"


def test_becoming_a_town_agent_drops_the_targeted_messages_at_once(client, people, messages):
    parent = people["parent_parc"]
    client.force_login(parent)
    assert "(3 messages non lus)" in _header(client)
    agents = Group.objects.create(name="Agents du test")
    agents.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    parent.groups.add(agents)
    assert unread_count_for(user=_fresh(parent)) == 1  # "tout le monde" only
    parent.groups.remove(agents)
    assert unread_count_for(user=_fresh(parent)) == 3


@pytest.mark.parametrize("status, count", [(AccountStatus.REFUSED, 1), (AccountStatus.PENDING, 3)])
def test_a_change_of_account_status_counts_at_once(people, messages, status, count):
    parent = people["parent_parc"]
    assert unread_count_for(user=_fresh(parent)) == 3
    get_user_model().objects.filter(pk=parent.pk).update(status=status)  # no signal: the key holds the status
    assert unread_count_for(user=_fresh(parent)) == count


def test_a_batch_of_changes_bumps_the_facts_once_at_the_end(people, messages):
    from espace_citoyen.messaging.unread_cache import FACTS_VERSION_KEY, facts_changes_batched
    from home.page_cache import page_cache

    parent = people["parent_parc"]
    assert unread_count_for(user=_fresh(parent)) == 3
    before = page_cache().get(FACTS_VERSION_KEY)
    household = Household.objects.get(memberships__user=parent)
    with facts_changes_batched():
        for number in range(3):
            Child.objects.create(household=household, first_name=f"Lot{number}", last_name="Test", school=TILLEULS)
        assert page_cache().get(FACTS_VERSION_KEY) == before
    assert page_cache().get(FACTS_VERSION_KEY) > before
    assert unread_count_for(user=_fresh(parent)) == 4


def test_deleting_the_agents_group_counts_at_once(people, messages):
    parent = people["parent_parc"]
    agents = Group.objects.create(name="Agents du test")
    agents.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    parent.groups.add(agents)
    assert unread_count_for(user=_fresh(parent)) == 1
    agents.delete()  # its links go by cascade, without m2m_changed
    assert unread_count_for(user=_fresh(parent)) == 3
