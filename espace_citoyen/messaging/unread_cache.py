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

A counter is bumped at once and again when the transaction commits, so that a request
that read the old state between the two cannot keep its value. Values expire after
`TIMEOUT` seconds whatever happens (bulk writes send no signal).
"""

import contextlib
import contextvars
import time

from django.db import transaction

from home.page_cache import current_generation, page_cache

FACTS_VERSION_KEY = "messaging:facts-version"
TIMEOUT = 600


def _reads_key(user_id) -> str:
    return f"messaging:reads:{user_id}"


def _bump(key: str) -> None:
    cache = page_cache()
    try:
        cache.incr(key)
    except ValueError:  # no counter yet (or evicted): never a value used before (see page_cache)
        if not cache.add(key, time.time_ns(), timeout=None):
            cache.incr(key)


def _bump_now_and_on_commit(key: str) -> None:
    _bump(key)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _bump(key))


def reads_changed(user_id) -> None:
    _bump_now_and_on_commit(_reads_key(user_id))


_batched: contextvars.ContextVar[list | None] = contextvars.ContextVar("unread_cache_batched", default=None)


def facts_changed(**_ignored) -> None:
    changes = _batched.get()
    if changes is not None:
        changes.append(True)
    else:
        _bump_now_and_on_commit(FACTS_VERSION_KEY)


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


def _versions(user_id) -> tuple:
    cache = page_cache()
    keys = [FACTS_VERSION_KEY, _reads_key(user_id)]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, time.time_ns(), timeout=None)
            found[key] = cache.get(key)
    return tuple(found[key] for key in keys)


def cached_for_user(user, name: str, build):
    """`build()`, kept for this user until one of the things it depends on changes."""
    key = ":".join(map(str, (
        "messaging", name, user.pk, user.status, user.is_active, user.is_staff, user.is_superuser,
        current_generation(), *_versions(user.pk),
    )))
    cache = page_cache()
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT)
    return value
