"""Versions of what a signed-in citizen's own pages show, for the caches of those pages
(issue 14: the dashboard's tiles, espace_citoyen.portal.selectors.cached_dashboard_for; the
agenda's child, activities and calendar feed, activities.views.agenda).

Two shared counters (home.page_cache: Redis in production, every app server sees them)
make a cached value's key:

- the user's own counter, moved when something of theirs or of one of their households
  changes: a child, a membership, a booking, a waiting-list entry, a dossier, an invoice,
  a démarche, a document, a calendar feed, the account itself (portal/signals.py resolves
  who is concerned);
- a counter for everyone, moved by the batches that write many families at once without
  row signals (an invoicing run's bulk inserts, the Portail Famille import, the dataset)
  and by an agent's edit of the catalogue (an activity, a day, a booking rule, a school year).

A counter moves at once and again when the transaction commits (bump_counter), so a
request that read the old rows in between cannot keep them.
"""

import contextlib
import contextvars

from home.page_cache import bump_counter, cached_fragment, read_user_counters, register_user_counters

ALL_KEY = "citizen-data:all"


def _user_key(user_id) -> str:
    return f"citizen-data:user:{user_id}"


_batched: contextvars.ContextVar[list | None] = contextvars.ContextVar("household_versions_batched", default=None)


def users_changed(user_ids) -> None:
    """`user_ids`: the users concerned, or a function that finds them (not called inside a
    batch, where the counter for everyone moves at the end)."""
    if in_batch():
        _batched.get().append(True)
        return
    for user_id in set(user_ids() if callable(user_ids) else user_ids):
        if user_id is not None:
            bump_counter(_user_key(user_id))


def everything_changed() -> None:
    changes = _batched.get()
    if changes is not None:
        changes.append(True)
        return
    bump_counter(ALL_KEY)


@contextlib.contextmanager
def changes_batched():
    """One move of the counter for everyone at the end of a batch, instead of finding the
    families of each row it writes."""
    changes = []
    token = _batched.set(changes)
    try:
        yield
    finally:
        _batched.reset(token)
        if changes:
            everything_changed()


def in_batch() -> bool:
    """Inside changes_batched(): the counter for everyone moves at its end, so a receiver
    need not find who is concerned."""
    return _batched.get() is not None


def _keys(user_id) -> list[str]:
    return [ALL_KEY, _user_key(user_id)]


register_user_counters(_keys)


def versions_for(user_id) -> tuple:
    keys = _keys(user_id)
    found = read_user_counters(user_id, keys)
    return tuple(found[key] for key in keys)


def cached_for_citizen(user, name: str, build, *parts):
    """`build()` kept in the shared cache (a fragment of home.page_cache) for this user, in
    this account status, until the user's counter or the counter for everyone moves;
    `parts` add what else the value depends on (the day, a child)."""
    return cached_fragment(name, build, user.pk, user.status, *parts, *versions_for(user.pk), shared=False)
