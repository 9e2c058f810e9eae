"""An agent's permissions, read by queries compiled once per connection
(accounts.backends.AccountBackend._get_permissions): the same permissions as Django's
ModelBackend, through the admin's pages, and a change seen at the next request."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models.sql.compiler import SQLCompiler

from espace_citoyen.accounts.backends import AccountBackend

pytestmark = pytest.mark.django_db

User = get_user_model()


def permission(label):
    app_label, codename = label.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@pytest.fixture
def agent():
    user = User.objects.create_user("agent.droits@ville-villennes-sur-seine.fr", "Mot-de-passe-2026")
    user.user_permissions.add(permission("billing.view_invoice"))
    one = Group.objects.create(name="Groupe un (test)")
    one.permissions.add(permission("wagtailadmin.access_admin"), permission("demarches.view_demarche"))
    two = Group.objects.create(name="Groupe deux (test)")
    two.permissions.add(permission("wagtailadmin.access_admin"), permission("activities.view_attendance"))
    user.groups.add(one, two)
    return User.objects.get(pk=user.pk)


def fresh(user):
    return User.objects.get(pk=user.pk)


def test_the_permissions_are_djangos(agent, superuser):
    for user in (agent, superuser, User.objects.create_user("sans.droits@example.org", "Mot-de-passe-2026")):
        ours, django = AccountBackend(), ModelBackend()
        assert ours.get_user_permissions(fresh(user)) == django.get_user_permissions(fresh(user))
        assert ours.get_group_permissions(fresh(user)) == django.get_group_permissions(fresh(user))
        assert ours.get_all_permissions(fresh(user)) == django.get_all_permissions(fresh(user))
    assert AccountBackend().get_all_permissions(fresh(agent)) == {
        "billing.view_invoice", "wagtailadmin.access_admin", "demarches.view_demarche", "activities.view_attendance"}
    assert agent.has_perm("activities.view_attendance") and not agent.has_perm("billing.change_invoice")


def test_an_inactive_agent_has_none(agent):
    agent.is_active = False
    assert AccountBackend().get_all_permissions(agent) == set()
    assert not agent.has_perm("billing.view_invoice")


def test_read_in_two_queries_compiled_once(agent, monkeypatch, django_assert_num_queries):
    AccountBackend().get_all_permissions(fresh(agent))
    user = fresh(agent)
    compiled = []
    original = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(1) or original(self, *a, **k))
    with django_assert_num_queries(2):
        assert user.has_perm("billing.view_invoice")
        assert user.has_perm("demarches.view_demarche")
    assert compiled == []


def test_a_permission_taken_away_is_gone_at_the_next_request(client, otp_login, agent):
    otp_login(client, agent)
    assert client.get("/admin/espace-citoyen/presences/").status_code == 200
    Group.objects.get(name="Groupe deux (test)").permissions.remove(permission("activities.view_attendance"))
    response = client.get("/admin/espace-citoyen/presences/")
    assert response.status_code in (302, 403)
    agent.user_permissions.remove(permission("billing.view_invoice"))
    assert not fresh(agent).has_perm("billing.view_invoice")
