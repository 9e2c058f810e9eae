"""HTTP rules shared by every view of the citizen space and of the back office."""

import re

from django.conf import settings
from django.http import Http404, QueryDict

PRIVATE_CACHE_CONTROL = "private, no-store"


class PrivateNoStoreMiddleware:
    """Every response under the private prefixes (settings.PRIVATE_PATH_PREFIXES: the
    citizen space and the admin) is ``Cache-Control: private, no-store``: no browser,
    proxy or shared cache keeps a copy of a page that shows someone's data — one rule
    here instead of a header set view by view."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(settings.PRIVATE_PATH_PREFIXES)

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(self.prefixes):
            response["Cache-Control"] = PRIVATE_CACHE_CONTROL
        return response


# C0 control characters and DEL, except tab, line feed and carriage return (text areas).
# PostgreSQL refuses NUL in text (a server error wherever a value reaches a query); none
# of them has a use in a query string or a form field.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def strip_control_characters(value: str) -> str:
    return _CONTROL_CHARACTERS.sub("", value)


def _cleaned(query: QueryDict) -> QueryDict | None:
    """A copy of ``query`` without control characters in its keys and values, or None when
    it has none."""
    if not any(_CONTROL_CHARACTERS.search(key) or any(_CONTROL_CHARACTERS.search(v) for v in values)
               for key, values in query.lists()):
        return None
    cleaned = QueryDict(mutable=True, encoding=query.encoding)
    for key, values in query.lists():
        cleaned.setlist(strip_control_characters(key), [strip_control_characters(v) for v in values])
    cleaned._mutable = False
    return cleaned


class ControlCharactersMiddleware:
    """One rule for every view: control characters are stripped from every query-string
    parameter and every form field (request.GET and request.POST) before any view or form
    sees them, and a path containing one answers 404 (no page or file is named so).

    Place it after the authentication middlewares (the 404 page may show who is logged
    in); CSRF's check runs after every middleware's request phase, on the cleaned POST."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _CONTROL_CHARACTERS.search(request.path_info):
            raise Http404("Control characters in the path")
        cleaned = _cleaned(request.GET)
        if cleaned is not None:
            request.GET = cleaned
            request.META["QUERY_STRING"] = cleaned.urlencode()
        if request.method == "POST" and request.content_type in _FORM_CONTENT_TYPES:
            cleaned = _cleaned(request.POST)
            if cleaned is not None:
                request.POST = cleaned
        return self.get_response(request)
