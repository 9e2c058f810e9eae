"""The "Espace citoyen" admin menu shows each screen only to the agents who may use it
(core/admin.py GuardedViewSet / PermissionViewSet)."""

import pytest
from django.contrib.auth.models import Group

from espace_citoyen.accounts.groups import ensure_relations_population_group
from espace_citoyen.accounts.models import AccountStatus, User
from espace_citoyen.activities.services.catalogue import catalogue_ensure_group_permissions

pytestmark = pytest.mark.django_db

# The sidebar is JSON in the page: items are found by their URL.
SCOLAIRE_ITEMS = ['"url": "/admin/espace-citoyen/reservations/"', '"url": "/admin/espace-citoyen/presences/"',
                  '"url": "/admin/espace-citoyen/dossiers-inscription/"']
POPULATION_ITEMS = ['"url": "/admin/espace-citoyen/comptes-a-valider/"',
                    '"url": "/admin/espace-citoyen/securite-des-comptes/"',
                    '"url": "/admin/espace-citoyen/import-portail-famille/"']


def _agent(email, group):
    user = User.objects.create_user(email, "Agent-Menu-Tests-2026", status=AccountStatus.ACTIVE)
    user.groups.add(group)
    return user


def _menu(client, otp_login, user) -> str:
    otp_login(client, user)
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


def test_pole_scolaire_sees_its_screens_only(client, otp_login):
    html = _menu(client, otp_login, _agent("menu.scolaire@ville-villennes-sur-seine.fr",
                                           catalogue_ensure_group_permissions()))
    for label in SCOLAIRE_ITEMS:
        assert label in html
    for label in POPULATION_ITEMS:
        assert label not in html


def test_relations_population_sees_its_screens_only(client, otp_login):
    html = _menu(client, otp_login, _agent("menu.population@ville-villennes-sur-seine.fr",
                                           ensure_relations_population_group()))
    for label in POPULATION_ITEMS:
        assert label in html
    for label in SCOLAIRE_ITEMS:
        assert label not in html


def test_communication_sees_none_of_them(client, otp_login):
    html = _menu(client, otp_login, _agent("menu.communication@ville-villennes-sur-seine.fr",
                                           Group.objects.get(name="Communication")))
    for label in SCOLAIRE_ITEMS + POPULATION_ITEMS:
        assert label not in html


def test_superuser_sees_them_all(client, otp_login, superuser):
    html = _menu(client, otp_login, superuser)
    for label in SCOLAIRE_ITEMS + POPULATION_ITEMS:
        assert label in html
