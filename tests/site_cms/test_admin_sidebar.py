"""The Wagtail admin's sidebar, cached per agent (home/admin_sidebar.py): built once, then
served from the shared cache until something it shows changes, and then changed at the
next request: a group or a permission given or taken, a group renamed, a page permission,
the agent's own name; never another agent's sidebar."""

import html
import json
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from wagtail.admin.menu import admin_menu
from wagtail.models import GroupPagePermission, Page

from espace_citoyen.core.services_map import SERVICE_GROUPS
from espace_citoyen.demarches.models import DemarcheService
from tests.factories import make_service_agent, make_staff

pytestmark = pytest.mark.django_db

QUEUE = "Démarches à traiter"
VALIDATION = "Comptes à valider"


def sidebar(client) -> dict:
    """The labels of the menu's items (submenus included) and the agent's name, as the
    admin's sidebar script reads them."""
    response = client.get("/admin/")
    assert response.status_code == 200
    found = re.search(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>',
                      response.content.decode(), re.S)
    props = json.loads(html.unescape(found.group(1)))
    labels, names = set(), set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("label"), str):
                labels.add(node["label"])
            if isinstance(node.get("name"), str) and "avatarUrl" in node:
                names.add(node["name"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(props)
    return {"labels": labels, "names": names}


@pytest.fixture
def signed_in(otp_login):
    def sign_in(user) -> Client:
        client = Client()
        otp_login(client, user)
        return client

    return sign_in


@pytest.fixture
def menu_builds(monkeypatch):
    calls = []
    original = admin_menu.render_component

    def counted(request):
        calls.append(request.user.pk)
        return original(request)

    monkeypatch.setattr(admin_menu, "render_component", counted)
    return calls


def test_the_sidebar_is_built_once_then_served_from_the_cache(signed_in, menu_builds):
    agent = make_service_agent("agent.scolaire@ville-villennes-sur-seine.fr", DemarcheService.SCOLAIRE,
                               first_name="Sophie")
    client = signed_in(agent)
    first, second = sidebar(client), sidebar(client)
    assert QUEUE in first["labels"] and first["names"] == {"Sophie"}
    assert second == first
    assert menu_builds == [agent.pk]


def test_each_agent_gets_their_own_sidebar(signed_in, superuser, menu_builds):
    agent = make_staff("guichet@ville-villennes-sur-seine.fr")
    agent.first_name = "Gaston"
    agent.save()
    assert QUEUE in sidebar(signed_in(superuser))["labels"]
    seen = sidebar(signed_in(agent))
    assert QUEUE not in seen["labels"] and VALIDATION not in seen["labels"]
    assert seen["names"] == {"Gaston"}
    assert menu_builds == [superuser.pk, agent.pk]


def test_a_group_given_then_taken_shows_then_hides_its_items_at_once(signed_in):
    agent = make_staff("guichet@ville-villennes-sur-seine.fr")
    client = signed_in(agent)
    assert QUEUE not in sidebar(client)["labels"]
    make_service_agent("collegue@ville-villennes-sur-seine.fr", DemarcheService.SCOLAIRE)  # the service's group
    group = Group.objects.get(name=SERVICE_GROUPS[DemarcheService.SCOLAIRE])
    agent.groups.add(group)
    assert QUEUE in sidebar(client)["labels"]
    agent.groups.remove(group)
    assert QUEUE not in sidebar(client)["labels"]


def test_a_renamed_service_group_hides_its_queue(signed_in):
    agent = make_service_agent("agent.scolaire@ville-villennes-sur-seine.fr", DemarcheService.SCOLAIRE)
    client = signed_in(agent)
    assert QUEUE in sidebar(client)["labels"]
    group = Group.objects.get(name=SERVICE_GROUPS[DemarcheService.SCOLAIRE])
    group.name = "Ancien pôle scolaire"
    group.save()
    assert QUEUE not in sidebar(client)["labels"]


def test_a_permission_added_to_or_removed_from_a_group(signed_in):
    agent = make_staff("guichet@ville-villennes-sur-seine.fr")
    client = signed_in(agent)
    assert VALIDATION not in sidebar(client)["labels"]
    group = agent.groups.get()
    permission = Permission.objects.get(content_type__app_label="accounts", codename="validate_account")
    group.permissions.add(permission)
    assert VALIDATION in sidebar(client)["labels"]
    permission_id = permission.pk
    group.permissions.remove(permission_id)
    assert VALIDATION not in sidebar(client)["labels"]


def test_a_page_permission_shows_the_page_explorer(signed_in):
    agent = make_staff("redaction@ville-villennes-sur-seine.fr")
    client = signed_in(agent)
    assert "Pages" not in sidebar(client)["labels"]
    GroupPagePermission.objects.create(group=agent.groups.get(), page=Page.objects.get(depth=2),
                                       permission=Permission.objects.get(codename="change_page"))
    assert "Pages" in sidebar(client)["labels"]


def test_the_agents_new_first_name_shows_at_once(signed_in):
    agent = make_service_agent("agent.scolaire@ville-villennes-sur-seine.fr", DemarcheService.SCOLAIRE,
                               first_name="Sophie")
    client = signed_in(agent)
    assert sidebar(client)["names"] == {"Sophie"}
    agent.first_name = "Sophia"
    agent.save()
    assert sidebar(client)["names"] == {"Sophia"}
