"""Content Security Policy by area: django-csp's middleware sets the public site's policy
(settings.CONTENT_SECURITY_POLICY, which excludes /admin/); this subclass gives the Wagtail
admin its own (settings.ADMIN_CONTENT_SECURITY_POLICY)."""

import hashlib
import re

from csp.constants import HEADER
from csp.middleware import CSPMiddleware
from csp.utils import build_policy, default_config
from django.conf import settings
from django.http import HttpResponse

from home.page_cache import GENERATION_KEY, current_generation, keep_found_site, page_cache, request_scope, use_cached_site


class SiteCSPMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        admin = getattr(settings, "ADMIN_CONTENT_SECURITY_POLICY", None)
        if (admin and request.path_info.startswith(admin["URL_PREFIX"]) and HEADER not in response
                and not getattr(response, "_csp_exempt", False)):
            # No nonce here: a nonce in script-src would make browsers ignore 'unsafe-inline',
            # which Wagtail's admin templates still need.
            response[HEADER] = build_policy(config=default_config(admin["DIRECTIVES"]))
        return super().process_response(request, response)


_SLUG = re.compile(r"^[a-z0-9-]*$")


class PageCacheMiddleware:
    """Stores and serves whole responses of the public site for anonymous visitors, in the
    "pages" cache (Redis in production, shared by the app servers). Placed right after
    WhiteNoise, before the session middleware: a hit costs one cache round trip (the
    generation counter and the page in one GET) and touches no session nor the database.

    Never served nor stored: a request with a session or messages cookie (a logged-in
    citizen or agent, a visitor with a flash message or a page password), an Authorization
    header, another method than GET/HEAD, the private and non-page paths, a query string
    other than ?page= / ?categorie= (search results are not cached: unbounded keys).
    Never stored: anything but a 200 from Wagtail's page serving or the sitemap, a response
    setting a cookie, using a CSRF token (a form), with Cache-Control private/no-store,
    streaming, or whose CSP carries a nonce. Invalidation: home/page_cache.py."""

    HEADER = "X-Cache"
    STORED_VIEWS = frozenset({"wagtail_serve", "sitemap"})
    EXCLUDED_PREFIXES = ("/documents/", "/recherche/", "/sante/", "/static/", "/media/")
    QUERY_PARAMETERS = frozenset({"page", "categorie"})

    def __init__(self, get_response):
        self.get_response = get_response
        self.enabled = getattr(settings, "PAGE_CACHE_ENABLED", True)
        self.timeout = getattr(settings, "PAGE_CACHE_TIMEOUT", 600)
        self.excluded = tuple(settings.PRIVATE_PATH_PREFIXES) + self.EXCLUDED_PREFIXES
        self.bypass_cookies = (settings.SESSION_COOKIE_NAME, "messages")
        self.admin_prefix = getattr(settings, "ADMIN_CONTENT_SECURITY_POLICY", {}).get("URL_PREFIX", "/admin/")

    def __call__(self, request):
        if not getattr(settings, "PAGE_CACHE_ENABLED", self.enabled):
            with request_scope():  # fragments (menu, settings, page bodies) still cached
                return self._render(request)
        key = self._key(request)
        if key is None:
            with request_scope():
                response = self._render(request)
            response[self.HEADER] = "BYPASS"
            return response
        cache = page_cache()
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY)
        entry = found.get(key)
        if generation is not None and entry is not None and entry[0] == generation:
            return self._rebuild(request, entry)
        with request_scope(generation):
            generation = current_generation()
            response = self._render(request)
        if request.method == "GET" and self._storable(request, response):
            headers = [(name, value) for name, value in response.items() if name != self.HEADER]
            cache.set(key, (generation, response.status_code, headers, response.content), self.timeout)
            response[self.HEADER] = "MISS"
        else:
            response[self.HEADER] = "BYPASS"
        return response

    def _render(self, request):
        if request.path_info.startswith(self.admin_prefix):
            return self.get_response(request)
        site_key = use_cached_site(request)
        response = self.get_response(request)
        keep_found_site(request, site_key)
        return response

    def _key(self, request):
        if request.method not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in request.META:
            return None
        if any(name in request.COOKIES for name in self.bypass_cookies):
            return None
        if request.path.startswith(self.excluded):
            return None
        for name, value in request.GET.items():
            # Bounded variants only: ?page=<number>, ?categorie=<slug>.
            if name not in self.QUERY_PARAMETERS or len(value) > 80 or not _SLUG.match(value):
                return None
        try:
            host = request.get_host()
        except Exception:  # DisallowedHost: let Django answer it
            return None
        query = "&".join(f"{name}={value}" for name, value in sorted(request.GET.items()))
        raw = f"{request.scheme}://{host}{request.path}?{query}"
        return "page:" + hashlib.sha256(raw.encode()).hexdigest()

    def _storable(self, request, response) -> bool:
        match = getattr(request, "resolver_match", None)
        if match is None or match.url_name not in self.STORED_VIEWS:
            return False
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # a CSRF token was put in the page
            return False
        cache_control = response.get("Cache-Control", "").lower()
        if "private" in cache_control or "no-store" in cache_control or "no-cache" in cache_control:
            return False
        csp = response.get(HEADER, "") + response.get("Content-Security-Policy-Report-Only", "")
        return "'nonce-" not in csp

    def _rebuild(self, request, entry):
        _generation, status, headers, content = entry
        response = HttpResponse(b"" if request.method == "HEAD" else content, status=status)
        for name, value in headers:
            response[name] = value
        response[self.HEADER] = "HIT"
        return response
