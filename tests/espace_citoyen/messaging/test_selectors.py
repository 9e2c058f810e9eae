import pytest

from espace_citoyen.messaging.models import MessageRead
from espace_citoyen.messaging.selectors import (
    audience_users,
    messages_for,
    normalize_name,
    unread_count_for,
)
from espace_citoyen.messaging.services import message_mark_read
from news.models import ServiceMessagePage

pytestmark = pytest.mark.django_db

# Who sees which of the test messages: exactly these, no more, no less.
EXPECTED = {
    "holder": {"everyone", "holders"},
    "pending": {"everyone", "holders"},
    "childless": {"everyone", "holders"},
    "parent_parc": {"everyone", "holders", "families"},
    "parent_tilleuls": {"everyone", "holders", "families", "tilleuls"},
    "to_activate": {"everyone"},
    "refused": {"everyone"},
    "agent": {"everyone"},
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_audience_matrix_user_sees_exactly_the_messages_meant_for_them(people, messages, who):
    names = {page.pk: name for name, page in messages.items()}
    seen = {names[page.pk] for page in messages_for(user=people[who]) if page.pk in names}
    assert seen == EXPECTED[who]


def test_audience_users_is_the_same_rule_seen_from_the_message(people, messages):
    for name, page in messages.items():
        users = set(audience_users(page=page).filter(pk__in=[u.pk for u in people.values()]))
        expected = {people[who] for who, names in EXPECTED.items() if name in names}
        if name == "everyone":
            # The public is not a list of accounts: the e-mailable audience is the holders.
            expected = {people[who] for who in ("holder", "pending", "childless", "parent_parc", "parent_tilleuls")}
        assert users == expected, name


def test_both_directions_agree_on_every_live_message_demo_included(people, messages):
    for page in ServiceMessagePage.objects.live():
        audience = set(audience_users(page=page).values_list("pk", flat=True))
        for user in people.values():
            visible = messages_for(user=user).filter(pk=page.pk).exists()
            if page.audience != "everyone":
                assert visible == (user.pk in audience), (page.slug, user.email)


def test_messages_newest_first_and_unpublished_ones_hidden(people, messages):
    parent = people["parent_tilleuls"]
    slugs = [page.slug for page in messages_for(user=parent) if page.slug.startswith("test-")]
    assert slugs == ["test-tilleuls", "test-familles", "test-titulaires", "test-tout-le-monde"]
    messages["tilleuls"].unpublish()
    assert not messages_for(user=parent).filter(pk=messages["tilleuls"].pk).exists()


def test_empty_target_matches_nobody(people):
    from .conftest import publish_message

    page = publish_message("test-sans-cible", audience="activity_families", detail="École fermée")
    # The page form refuses a blank target; a blank one in the database still matches nobody.
    ServiceMessagePage.objects.filter(pk=page.pk).update(audience_detail="  ")
    page.refresh_from_db()
    assert not audience_users(page=page).exists()
    assert not messages_for(user=people["parent_tilleuls"]).filter(pk=page.pk).exists()


def test_normalize_name():
    assert normalize_name("  École   Élémentaire des TILLEULS ") == "ecole elementaire des tilleuls"


def test_unread_count_and_read_state(people, messages):
    parent = people["parent_tilleuls"]
    # The demo's messages were published before this account existed: not "new" for it.
    assert unread_count_for(user=parent) == 4
    message_mark_read(user=parent, page=messages["families"])
    message_mark_read(user=parent, page=messages["families"])  # idempotent
    assert MessageRead.objects.filter(user=parent, page=messages["families"]).count() == 1
    assert unread_count_for(user=parent) == 3
    unread = {page.slug: page.is_unread for page in messages_for(user=parent) if page.slug.startswith("test-")}
    assert unread == {"test-tilleuls": True, "test-familles": False, "test-titulaires": True,
                      "test-tout-le-monde": True}
    # Another user's reading changes nothing for this one.
    message_mark_read(user=people["parent_parc"], page=messages["tilleuls"])
    assert unread_count_for(user=parent) == 3
    assert unread_count_for(user=people["holder"]) == 2


def test_unread_count_query_budget(people, messages, django_assert_max_num_queries, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    parent = type(people["parent_tilleuls"]).objects.get(pk=people["parent_tilleuls"].pk)
    with django_assert_max_num_queries(2):
        assert unread_count_for(user=parent) == 4
    with django_assert_num_queries(0):
        assert unread_count_for(user=AnonymousUser()) == 0


def test_demo_targets_the_tilleuls_family_and_sent_no_email(db):
    from django.contrib.auth import get_user_model

    from espace_citoyen.messaging.models import MessageNotification

    camille = get_user_model().objects.get(email="camille.bernard@example.org")
    slugs = set(messages_for(user=camille).values_list("slug", flat=True))
    assert {"espace-citoyen-nouveautes", "inscriptions-vacances-hiver", "sortie-scolaire-tilleuls"} <= slugs
    assert "reunion-parents-maternelle-coteaux" not in slugs
    assert unread_count_for(user=camille) == 3
    # Seeding records the audience as notified without sending anything.
    rows = MessageNotification.objects.filter(user=camille)
    assert rows.count() >= 4 and not rows.filter(sent_at__isnull=False).exists()


def test_wagtail_editors_without_staff_flag_are_not_account_holders(people, messages):
    from django.contrib.auth.models import Group, Permission

    editor = people["holder"]
    group = Group.objects.create(name="Éditeurs de test")
    group.permissions.add(Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin"))
    editor.groups.add(group)
    assert not messages_for(user=editor).filter(pk=messages["holders"].pk).exists()
    assert not audience_users(page=messages["holders"]).filter(pk=editor.pk).exists()
