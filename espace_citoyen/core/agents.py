"""Who is a town agent. Agents get into the Wagtail admin through a group (Wagtail never
sets ``is_staff``), so an agent is whoever may enter the admin: a superuser, a staff user,
or a user holding ``wagtailadmin.access_admin`` (directly or through a group)."""

from django.contrib.auth.models import Permission
from django.db.models import Q

ADMIN_ACCESS_PERMISSION = "wagtailadmin.access_admin"


def is_town_agent(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user.is_staff or user.has_perm(ADMIN_ACCESS_PERMISSION))


def agent_accounts_q() -> Q:
    """The accounts of agents (superusers, staff, whoever holds the admin access directly or
    through a group), as a filter on users: ``User.objects.exclude(agent_accounts_q())``
    leaves the citizens."""
    access = Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin")
    return (Q(is_superuser=True) | Q(is_staff=True) | Q(user_permissions__in=access)
            | Q(groups__permissions__in=access))


def is_agent_account(user) -> bool:
    """Like is_town_agent, for an account that is not the caller (inactive ones included):
    decides, e.g., that only superusers may reset its second factor."""

    if user.is_superuser or user.is_staff:
        return True
    return Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin").filter(
        Q(group__user=user) | Q(user=user)).exists()
