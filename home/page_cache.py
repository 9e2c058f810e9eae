"""The public page cache's shared state: a generation counter in the "pages" cache (Redis
in production, shared by every app server) and what bumps it.

Every stored page and every cached fragment (menu, footer settings) carries the generation
it was rendered under; publishing, unpublishing, moving or deleting a page, saving a snippet,
the site settings, a Site, an image, a document or a privacy restriction bumps it, so the
next request on any app server renders afresh. The middleware that stores and serves whole
pages is site_cms.middleware.PageCacheMiddleware; docs/deployment.md explains the design.
"""

import contextlib
import contextvars
import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction

GENERATION_KEY = "generation"
PAGE_CACHE_ALIAS = "pages"

# Within one request (site_cms.middleware.PageCacheMiddleware opens the scope), the
# generation and the fragments already read are kept here: one cache round trip for the
# counter per request, not one per fragment. A bump during the request forgets them.
_request_state: contextvars.ContextVar[dict | None] = contextvars.ContextVar("page_cache_request", default=None)


@contextlib.contextmanager
def request_scope(generation: int | None = None):
    token = _request_state.set({"generation": generation, "values": {}, "counters": {}})
    try:
        yield
    finally:
        _request_state.reset(token)


def page_cache():
    return caches[PAGE_CACHE_ALIAS]


# The fragments shared by every visitor (menu, settings, the Site, page bodies, the admin's
# chrome and each agent's sidebar: a few dozen agents) are also kept in this process's
# memory (issue 14: a signed-in page read seven or eight fragments, one Redis round trip
# each). Safe because a fragment's key holds the generation and the counters it depends
# on, read from the shared cache on every request: a change on any app server moves them,
# and the next request asks for a key no process has seen. The copy lives
# PAGE_CACHE_LOCAL_TIMEOUT seconds (60 by default, never longer than PAGE_CACHE_TIMEOUT;
# 0 turns it off), so that what no signal sees (bulk writes) ages out at most that long
# after the shared copy. At most LOCAL_MAX_ENTRIES values a process. Values for one
# citizen (dashboard, inbox...) stay in Redis only: another request of the same citizen
# rarely reaches the same process within the minute, and thousands of citizens would fill
# the memory. Django's LocMemCache pickles, so each request gets its own objects. Not used
# over a local-memory page cache (`make run`, the tests' default), which already is this
# process's memory.
_LOCAL_ALIAS = "pages-local"
LOCAL_MAX_ENTRIES = 500


def _local_cache() -> LocMemCache | None:
    timeout = min(getattr(settings, "PAGE_CACHE_LOCAL_TIMEOUT", 60), getattr(settings, "PAGE_CACHE_TIMEOUT", 600))
    if timeout <= 0 or isinstance(page_cache(), LocMemCache):
        return None
    return _local_cache_for(timeout)


@functools.cache
def _local_cache_for(timeout: int) -> LocMemCache:
    return LocMemCache(_LOCAL_ALIAS, {"TIMEOUT": timeout, "OPTIONS": {"MAX_ENTRIES": LOCAL_MAX_ENTRIES}})


def clear_local_copies() -> None:
    """Forget this process's copies (tests: a fixed generation could meet an earlier test's)."""
    LocMemCache(_LOCAL_ALIAS, {}).clear()


def _new_generation() -> int:
    # Never a value used before, even after Redis lost the counter (eviction, restart):
    # entries stored under an older generation can never match again.
    return time.time_ns()


# Counters that many requests read soon after the generation (the admin's sidebar version):
# fetched in the generation's round trip. Each module registers its own.
_COMPANION_COUNTERS: list[str] = []


def register_companion_counter(key: str) -> None:
    if key not in _COMPANION_COUNTERS:
        _COMPANION_COUNTERS.append(key)


def current_generation() -> int:
    state = _request_state.get()
    if state is not None and state["generation"] is not None:
        return state["generation"]
    generation = read_counters([GENERATION_KEY], also=_COMPANION_COUNTERS)[GENERATION_KEY]
    if state is not None:
        state["generation"] = generation
    return generation


def _incr(key: str) -> None:
    cache = page_cache()
    try:
        cache.incr(key)
    except ValueError:  # no counter yet (or evicted): start a fresh one
        cache.set(key, _new_generation(), timeout=None)


def bump_counter(key: str, then=None) -> None:
    """Move a shared counter (an atomic INCR on Redis) at once, and again when the current
    transaction commits: a request served between the two read the old data and may have
    stored it under the new value. `then()` runs after each move."""
    def move():
        _incr(key)
        state = _request_state.get()
        if state is not None:
            state["counters"].pop(key, None)
        if then is not None:
            then()

    move()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(move)


def read_counters(keys: list[str], also: list[str] = ()) -> dict:
    """The counters' values in one round trip, once per request (a bump in the request
    reads them again); a missing one starts at a value never used before. `also`: counters
    the request will likely read next, fetched in the same round trip."""
    state = _request_state.get()
    known = state["counters"] if state is not None else {}
    missing = [key for key in keys if key not in known]
    if missing:
        cache = page_cache()
        extra = [key for key in also if key not in known and key not in missing] if state is not None else []
        found = cache.get_many(missing + extra)
        for key in missing:
            if key not in found:
                cache.add(key, _new_generation(), timeout=None)
                found[key] = cache.get(key)
        if state is None:
            return found
        known.update(found)
    return {key: known[key] for key in keys}


# The counters that a signed-in user's pages read (home.page_cache is below the apps that
# define them: each registers its own): the first read of one in a request fetches them all.
_USER_COUNTERS: list = []


def register_user_counters(keys_for) -> None:
    """`keys_for(user_id)`: names of counters that the user's pages read."""
    if keys_for not in _USER_COUNTERS:
        _USER_COUNTERS.append(keys_for)


def read_user_counters(user_id, keys: list[str]) -> dict:
    return read_counters(keys, also=[key for keys_for in _USER_COUNTERS for key in keys_for(user_id)])


def _forget_request_memo() -> None:
    state = _request_state.get()
    if state is not None:
        state["generation"] = None
        state["values"].clear()


def bump_generation(**_ignored) -> None:
    """Invalidate every stored page and fragment, on every app server."""
    bump_counter(GENERATION_KEY, then=_forget_request_memo)


def _fragment_key(name: str, parts) -> str:
    suffix = ":".join(map(str, parts))
    if len(suffix) > 100:  # a long URL path: keys stay short (the database cache's 255)
        suffix = hashlib.sha256(suffix.encode()).hexdigest()
    return f"fragment:{name}:{current_generation()}:{suffix}"


def _read(key: str, *, shared: bool = True):
    state = _request_state.get()
    if state is not None and key in state["values"]:
        return state["values"][key]
    local = _local_cache() if shared else None
    value = local.get(key) if local is not None else None
    if value is None:
        value = page_cache().get(key)
        if value is not None and local is not None:
            local.set(key, value)
    if value is not None and state is not None:
        state["values"][key] = value
    return value


def _write(key: str, value, *, shared: bool = True) -> None:
    page_cache().set(key, value, getattr(settings, "PAGE_CACHE_TIMEOUT", 600))
    local = _local_cache() if shared else None
    if local is not None:
        local.set(key, value)
    state = _request_state.get()
    if state is not None:
        state["values"][key] = value


def cached_fragment(name: str, build, *parts, storable=None, shared: bool = True):
    """The value of `build()` cached under the current generation (and `parts`, e.g. the
    site), so that the page chrome (menu, settings) costs no query on most renders. On even
    when PAGE_CACHE_ENABLED is off (that switch is for whole pages). `storable(value)` may
    refuse to store a value (it is still returned); None is never stored. `shared=False`
    for a value of one citizen: kept in Redis only, not in each process's memory."""
    key = _fragment_key(name, parts)
    value = _read(key, shared=shared)
    if value is None:
        value = build()
        if value is None or (storable is not None and not storable(value)):
            return value
        _write(key, value, shared=shared)
    return value


def _site_key(request) -> str:
    from django.http.request import split_domain_port

    return _fragment_key("site", (split_domain_port(request._get_raw_host())[0], request.get_port()))


def use_cached_site(request) -> str | None:
    """Before the view: give the request the Site stored for its host in this generation,
    as Wagtail's Site.find_for_request would find it (the site, its root page and that
    page's specific instance: three queries). No query either way: on a miss, Wagtail looks
    it up only if the response needs it. Returns the key to store it under, or None."""
    site = _read(key := _site_key(request))
    if site is None:
        return key
    request._wagtail_site = site
    return None


def keep_found_site(request, key: str | None) -> None:
    """After the view: keep the Site that Wagtail looked up for the next requests of this
    generation (a Site record, a page's publication or move bumps it), unless the
    generation moved during the request."""
    site = getattr(request, "_wagtail_site", None)
    if key is None or site is None or key != _site_key(request):
        return
    site.root_page.specific  # noqa: B018 - the home page's own instance, stored with it
    _write(key, site)


def _on_model_change(sender, **kwargs):
    bump_generation()


@functools.cache
def _is_watched(model) -> bool:
    """Models shown on public pages outside the page tree: snippets (news categories...),
    site settings (contact details, footer links, socials), the Site records, images,
    documents and privacy restrictions, the locales (also in the admin's cached
    configuration: home/admin_chrome.py); and pages themselves, for deletions."""
    from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import CollectionViewRestriction, Locale, PageViewRestriction, Site
    from wagtail.snippets.models import get_snippet_models

    watched = (Site, Locale, PageViewRestriction, CollectionViewRestriction, get_image_model(), get_document_model(),
               BaseSiteSetting, BaseGenericSetting, *get_snippet_models())
    return issubclass(model, watched)


def _on_save(sender, **kwargs):
    from wagtail.models import Page

    # A page's own save is not a publication (drafts, revisions): page_published says it.
    if not issubclass(sender, Page) and _is_watched(sender):
        bump_generation()


def _on_delete(sender, **kwargs):
    from wagtail.models import Page

    if issubclass(sender, Page) or _is_watched(sender):
        bump_generation()


def connect_signals() -> None:
    """Called by HomeConfig.ready()."""
    from django.db.models.signals import post_delete, post_save
    from wagtail.signals import page_published, page_unpublished, post_page_move

    uid = "page-cache"
    page_published.connect(_on_model_change, dispatch_uid=f"{uid}-published")
    page_unpublished.connect(_on_model_change, dispatch_uid=f"{uid}-unpublished")
    post_page_move.connect(_on_model_change, dispatch_uid=f"{uid}-moved")
    post_save.connect(_on_save, dispatch_uid=f"{uid}-saved")
    post_delete.connect(_on_delete, dispatch_uid=f"{uid}-deleted")


def _restricted_paths() -> list[str]:
    from wagtail.models import PageViewRestriction

    return sorted(set(PageViewRestriction.objects.values_list("page__path", flat=True)))


def no_restriction_anywhere() -> bool:
    return not cached_fragment("restricted-paths", _restricted_paths)


class CachedViewRestrictionsMixin:
    """Pages whose view-restriction check (Wagtail's before_serve_page hook: two queries)
    costs nothing while the site has no private section at all, the common case of a town
    site; as soon as one exists, Wagtail's own check (aliases included) runs."""

    def get_view_restrictions(self):
        from wagtail.models import PageViewRestriction

        if no_restriction_anywhere():
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


def public(queryset):
    """`queryset.public()` without its query: the paths of the private sections (password,
    login or group restrictions) are read once per generation (a restriction's change bumps it)."""
    from django.db.models import Q

    paths = cached_fragment("restricted-paths", _restricted_paths)
    if not paths:
        return queryset
    private = Q()
    for path in paths:
        private |= Q(path__startswith=path)
    return queryset.exclude(private)
