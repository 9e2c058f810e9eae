"""Staff groups of the citizen space, created idempotently (seed_demo, setup_groups)."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from espace_citoyen.core.services_map import SERVICE_GROUPS, TownService

RELATIONS_POPULATION_GROUP = SERVICE_GROUPS[TownService.POPULATION]
RELATIONS_POPULATION_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("accounts", "view_user"),
    ("accounts", "validate_account"),
    ("accounts", "import_portail_famille"),
    ("accounts", "send_activation"),
    ("accounts", "view_accountevent"),
    ("family", "view_household"),
    ("family", "view_child"),
    ("family", "view_membership"),
    ("demarches", "view_demarche"),
]


@transaction.atomic
def ensure_relations_population_group() -> Group:
    """Agents who validate new accounts, import the Portail Famille and resend activations."""
    group, _created = Group.objects.get_or_create(name=RELATIONS_POPULATION_GROUP)
    for app_label, codename in RELATIONS_POPULATION_PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return group
