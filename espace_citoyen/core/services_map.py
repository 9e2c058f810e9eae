"""Town services that receive citizens' requests, and the staff group of each.

A démarche carries a service code ("population", "scolaire", "regie"); the agents of the
mapped group (and superusers) see it in the admin, nobody else does."""

from django.contrib.auth.models import Group, Permission
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from .compiled_query import CompiledQuery


class TownService(models.TextChoices):
    POPULATION = "population", _("Relations à la population")
    SCOLAIRE = "scolaire", _("Pôle scolaire")
    REGIE = "regie", _("Régie")


SERVICE_GROUPS: dict[str, str] = {
    TownService.POPULATION: "Relations population",
    TownService.SCOLAIRE: "Pôle scolaire",
    TownService.REGIE: "Régie",
}

# Permissions every service group needs to open the admin and read the démarches.
SERVICE_GROUP_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("demarches", "view_demarche"),
]


def staff_can_see_service(user, service: str) -> bool:
    """True for superusers and for active staff members of the group mapped to `service`."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    group_name = SERVICE_GROUPS.get(service)
    if group_name is None:
        return False
    return group_name in _service_groups_of(user)


_CACHE_ATTRIBUTE = "_service_group_names"


def _service_groups_of(user) -> frozenset[str]:
    """The names of the service groups `user` belongs to, read once for this user object (as
    Django keeps its permissions on it): the admin home asked the database 7 times a visit,
    once per question. Adding or removing a group of this user object forgets them
    (`forget_service_groups`, connected to the groups' m2m_changed in CoreConfig.ready). The
    query is compiled once per connection: 0.44 ms of CPU a read became 0.10 (4 December 2026)."""
    names = getattr(user, _CACHE_ATTRIBUTE, None)
    if names is None:
        names = frozenset(group.name for group in _SERVICE_GROUPS_OF.objects(user.pk))
        setattr(user, _CACHE_ATTRIBUTE, names)
    return names


# Compiled once per connection (core.compiled_query): every admin page of an agent asks.
_SERVICE_GROUPS_OF = CompiledQuery(
    lambda user_pk: Group.objects.filter(user=user_pk, name__in=SERVICE_GROUPS.values()).only("name"))


def forget_service_groups(sender, instance, **kwargs) -> None:
    """m2m_changed of the users' groups: the user object whose groups change reads its service
    groups again. Changed from the group's side (`group.user_set`), user objects already
    loaded keep what they read, as Django's permission cache does (one request's time)."""
    if hasattr(instance, _CACHE_ATTRIBUTE):
        delattr(instance, _CACHE_ATTRIBUTE)


def services_visible_to(user) -> list[str]:
    """The service codes whose requests `user` may see in the admin."""
    return [service for service in SERVICE_GROUPS if staff_can_see_service(user, service)]


@transaction.atomic
def ensure_service_groups() -> dict[str, Group]:
    """Create (idempotently) the group of each service with admin access and démarche view."""
    permissions = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in SERVICE_GROUP_PERMISSIONS
    ]
    groups = {}
    for service, name in SERVICE_GROUPS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)
        groups[service] = group
    return groups
