"""The Wagtail admin's sidebar, cached per agent (issue 14).

Every admin page carries the sidebar's props: the menu items the agent may see (one
permission check per item, some with a query), their labels and URLs, the agent's name and
avatar, packed by telepath into JSON. Wagtail builds them on every request: about 40 % of a
back-office list's time (cProfile, 2 December 2026). The JSON depends only on:

- who the agent is: key parts (id, username, first name, active, superuser, staff) and the
  language of the admin;
- what the agent may do: groups and permissions given or taken, a group renamed or deleted
  (the services' queues are shown by group name), page and collection permissions; and the
  agent's admin profile (avatar, dismissed items). Each of these moves one shared counter,
  SIDEBAR_VERSION_KEY, at once and again at commit (home.page_cache.bump_counter);
- the page tree (the explorer's start page): the page-cache generation, in every fragment key;
- the code: the names of the registered menu items, read once per process (a deployment
  that adds or removes one changes the key).

The menu only shows links: every view still checks the permission on its own. Values expire
after PAGE_CACHE_TIMEOUT whatever happens (a bulk update sends no signal).
"""

import functools

from django.utils import translation

from .page_cache import bump_counter, cached_fragment, read_counters, register_companion_counter

SIDEBAR_VERSION_KEY = "admin-sidebar-version"


def sidebar_changed(**kwargs) -> None:
    if kwargs.get("action", "post_").startswith("pre_"):  # m2m_changed: once, after the change
        return
    bump_counter(SIDEBAR_VERSION_KEY)


@functools.cache
def _menu_fingerprint() -> str:
    from wagtail.admin.menu import admin_menu, settings_menu

    def names(menu) -> list[str]:
        found = []
        for item in menu.registered_menu_items:
            found.append(item.name)
            if getattr(item, "menu", None) is not None:
                found.extend(names(item.menu))
        return found

    return ",".join([*names(admin_menu), *names(settings_menu)])


def cached_sidebar_props(build):
    """A replacement for Wagtail's {% sidebar_props %} tag: `build(context)` (Wagtail's own)
    on a miss."""
    def sidebar_props(context):
        user = context["request"].user
        version = read_counters([SIDEBAR_VERSION_KEY])[SIDEBAR_VERSION_KEY]
        return cached_fragment(
            "admin-sidebar", lambda: build(context), user.pk, user.get_username(), user.first_name, user.is_active,
            user.is_superuser, user.is_staff, translation.get_language(), _menu_fingerprint(), version,
        )

    return sidebar_props


def install() -> None:
    """Called by HomeConfig.ready(): registers the cached tag under Wagtail's name, in
    Wagtail's own tag library (the admin's templates stay Wagtail's), and the signals."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from wagtail.admin.templatetags import wagtailadmin_tags
    from wagtail.models import GroupCollectionPermission, GroupPagePermission
    from wagtail.users.models import UserProfile

    wagtailadmin_tags.register.simple_tag(cached_sidebar_props(wagtailadmin_tags.sidebar_props),
                                          takes_context=True, name="sidebar_props")
    register_companion_counter(SIDEBAR_VERSION_KEY)  # read with the generation: one round trip

    uid = "admin-sidebar"
    for model in (Group, GroupPagePermission, GroupCollectionPermission, UserProfile):
        post_save.connect(sidebar_changed, sender=model, dispatch_uid=f"{uid}-save-{model.__name__}")
    for model in (Group, Permission, GroupPagePermission, GroupCollectionPermission, UserProfile):
        post_delete.connect(sidebar_changed, sender=model, dispatch_uid=f"{uid}-delete-{model.__name__}")
    user_model = get_user_model()
    for through in (user_model.groups.through, user_model.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(sidebar_changed, sender=through, dispatch_uid=f"{uid}-m2m-{through.__name__}")
