"""Helpers of the catalogue / attendance tests: a Pôle scolaire agent and a staff user
without the activities permissions."""

from django.contrib.auth.models import Group

from espace_citoyen.accounts.models import AccountStatus, User
from espace_citoyen.activities.services.catalogue import catalogue_ensure_group_permissions


def pole_scolaire_agent(email="agent.scolaire.tests@ville-villennes-sur-seine.fr"):
    group = catalogue_ensure_group_permissions()
    user = User.objects.create_user(email, "Test-Pole-Scolaire-2026", first_name="Agnès", last_name="Scolaire",
                                    is_staff=True, status=AccountStatus.ACTIVE)
    user.groups.add(group)
    return user


def other_staff(email="agent.autre.tests@ville-villennes-sur-seine.fr"):
    user = User.objects.create_user(email, "Test-Autre-Service-2026", first_name="Bruno", last_name="Autre",
                                    is_staff=True, status=AccountStatus.ACTIVE)
    user.groups.add(Group.objects.get(name="Relations population"))
    return user
