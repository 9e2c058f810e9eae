"""A signed-in citizen's audience facts and unread count, cached (issue 14).

Every page of the space shows the number of unread messages in the site header: two
queries and their ORM work (a quarter of a light page's time, pyinstrument, 2 December
2026). They are kept in the shared cache of the site's fragments (home.page_cache, Redis
in production, so every app server sees the same values) under a key that changes with
everything they depend on:

- the page-cache generation: a message published, unpublished, moved or deleted;
- the user's own reads counter: a message opened (`message_mark_read`);
- the facts counter: a child or a household membership saved or deleted, a group or a
  permission given or taken (who is a town agent);
- the account's status and flags (part of the key).

A counter is bumped at once and again when the transaction commits (home.page_cache.
bump_counter), so that a request that read the old state between the two cannot keep its
value. Values expire after PAGE_CACHE_TIMEOUT (600 s) whatever happens (bulk writes send no
signal).
"""

import contextlib
import contextvars

from home.page_cache import bump_counter, cached_fragment, read_user_counters, register_user_counters

FACTS_VERSION_KEY = "messaging:facts-version"


def _reads_key(user_id) -> str:
    return f"messaging:reads:{user_id}"


def reads_changed(user_id) -> None:
    bump_counter(_reads_key(user_id))


_batched: contextvars.ContextVar[list | None] = contextvars.ContextVar("unread_cache_batched", default=None)


def facts_changed(**kwargs) -> None:
    if kwargs.get("action", "post_").startswith("pre_"):  # m2m_changed: once, after the change
        return
    changes = _batched.get()
    if changes is not None:
        changes.append(True)
    else:
        bump_counter(FACTS_VERSION_KEY)


@contextlib.contextmanager
def facts_changes_batched():
    """One bump for a whole batch (the Portail Famille import saves thousands of children
    and memberships in one transaction), at the end, instead of one per row."""
    changes = []
    token = _batched.set(changes)
    try:
        yield
    finally:
        _batched.reset(token)
        if changes:
            facts_changed()


def _keys(user_id) -> list[str]:
    return [FACTS_VERSION_KEY, _reads_key(user_id)]


register_user_counters(_keys)


def _versions(user_id) -> tuple:
    keys = _keys(user_id)
    found = read_user_counters(user_id, keys)
    return tuple(found[key] for key in keys)


def cached_for_user(user, name: str, build):
    """`build()`, kept for this user until one of the things it depends on changes (a
    fragment of home.page_cache: keyed on the generation, read at most once a request)."""
    return cached_fragment(f"messaging-{name}", build, user.pk, user.status, user.is_active, user.is_staff,
                           user.is_superuser, *_versions(user.pk), shared=False)
