"""Who is an agent, as the back office's queries ask it (core.agents), and the service groups
of a user object (core.services_map), read once."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from espace_citoyen.core.agents import agent_accounts_q, is_agent_account_expr
from espace_citoyen.core.services_map import TownService, services_visible_to, staff_can_see_service
from espace_citoyen.portail_famille.models import FamilyReconciliation

User = get_user_model()


@pytest.fixture
def accounts(db):
    access = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    other = Permission.objects.get(content_type__app_label="demarches", codename="view_demarche")
    entry_group = Group.objects.create(name="Accès à l'administration (test)")
    entry_group.permissions.add(access)
    other_group = Group.objects.create(name="Sans accès (test)")
    other_group.permissions.add(other)

    def make(name, **fields):
        return User.objects.create_user(f"{name}@example.org", "Mot-de-passe-2026", **fields)

    made = {
        "citizen": make("citizen"),
        "citizen_in_a_group_without_access": make("grouped"),
        "citizen_with_another_permission": make("permitted"),
        "superuser": make("superuser", is_superuser=True),
        "staff": make("staff", is_staff=True),
        "direct_access": make("direct"),
        "group_access": make("group"),
    }
    made["citizen_in_a_group_without_access"].groups.add(other_group)
    made["citizen_with_another_permission"].user_permissions.add(other)
    made["direct_access"].user_permissions.add(access)
    made["group_access"].groups.add(entry_group, other_group)
    return made


AGENTS = {"superuser", "staff", "direct_access", "group_access"}


def test_the_expression_finds_the_agents_as_agent_accounts_q_does(accounts):
    ids = [user.pk for user in accounts.values()]
    flagged = dict(User.objects.filter(pk__in=ids).annotate(agent=is_agent_account_expr()).values_list("pk", "agent"))
    assert {name for name, user in accounts.items() if flagged[user.pk]} == AGENTS
    assert set(User.objects.filter(agent_accounts_q(), pk__in=ids).values_list("pk", flat=True)) == {
        accounts[name].pk for name in AGENTS}


def test_excluding_the_agents_keeps_citizens_and_rows_without_an_account(accounts):
    # legacy_id is 32 characters at most (PostgreSQL refuses longer): the e-mail's local part.
    rows = {name: FamilyReconciliation.objects.create(legacy_id=user.email.split("@")[0], account=user)
            for name, user in accounts.items()}
    rows["no account"] = FamilyReconciliation.objects.create(legacy_id="none", account=None)
    queryset = FamilyReconciliation.objects.filter(pk__in=[row.pk for row in rows.values()]).exclude(
        is_agent_account_expr("account"))
    with CaptureQueriesContext(connection) as queries:
        kept = set(queryset.values_list("legacy_id", flat=True))
    assert kept == {"citizen", "grouped", "permitted", "none"}
    sql = queries.captured_queries[0]["sql"]
    # The account of each row is looked up by its key, not every account of the town read.
    assert "EXISTS" in sql and "\"account_id\" IN (SELECT" not in sql


def test_the_service_groups_of_a_user_object_are_read_once(db):
    user = User.objects.create_user("agent.services@example.org", "Mot-de-passe-2026")
    user.groups.add(Group.objects.get_or_create(name="Pôle scolaire")[0])
    user = User.objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as queries:
        assert services_visible_to(user) == [TownService.SCOLAIRE]
        assert staff_can_see_service(user, TownService.SCOLAIRE)
        assert not staff_can_see_service(user, TownService.REGIE)
        assert not staff_can_see_service(user, TownService.POPULATION)
    assert len(queries.captured_queries) == 1


def test_the_service_groups_query_is_compiled_once(db, monkeypatch):
    user = User.objects.create_user("agent.deux.services@example.org", "Mot-de-passe-2026")
    user.groups.add(Group.objects.get_or_create(name="Régie")[0], Group.objects.create(name="Autre groupe (test)"))
    assert services_visible_to(User.objects.get(pk=user.pk)) == [TownService.REGIE]
    compiled = []
    original = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(1) or original(self, *a, **k))
    other = User.objects.create_user("agent.trois.services@example.org", "Mot-de-passe-2026")
    other.groups.add(Group.objects.get_or_create(name="Pôle scolaire")[0], Group.objects.get(name="Régie"))
    fresh_user, fresh_other = User.objects.get(pk=user.pk), User.objects.get(pk=other.pk)
    compiled.clear()
    assert services_visible_to(fresh_user) == [TownService.REGIE]
    assert services_visible_to(fresh_other) == [TownService.SCOLAIRE, TownService.REGIE]
    assert compiled == []


def test_a_group_added_or_removed_on_the_user_object_is_seen_at_once(db):
    user = User.objects.create_user("agent.regie@example.org", "Mot-de-passe-2026")
    regie = Group.objects.get_or_create(name="Régie")[0]
    assert not staff_can_see_service(user, TownService.REGIE)
    user.groups.add(regie)
    assert staff_can_see_service(user, TownService.REGIE)
    user.groups.remove(regie)
    assert not staff_can_see_service(user, TownService.REGIE)
    user.groups.set([regie])
    assert services_visible_to(user) == [TownService.REGIE]
    user.groups.clear()
    assert services_visible_to(user) == []
