"""HTTP rules shared by every view of the citizen space and of the back office."""

import re

from django.conf import settings
from django.core.handlers.exception import response_for_exception
from django.core.paginator import InvalidPage
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
# A redirect target ("next") is a path of this site: "/..." but not "//host".
_LOCAL_PATH = re.compile(r"^/(?![/\\])")
# Query parameters of Wagtail's admin views that go to the database as integers, unchecked
# (?content_type=/?owner= of listing filters, ?p= of some paginated views; ?id= of the
# choosers' "chosen-multiple", the bulk actions and the admin API's find – elsewhere ?id= is
# not a number: the block preview's is a block path): a value that is not a positive integer
# of a database's bigint is dropped, as if absent.
ADMIN_INTEGER_PARAMETERS = frozenset({"p", "content_type", "owner", "collection_id", "parent_page_id"})
_ADMIN_ID_PATHS = re.compile(r"^/admin/(bulk/|api/|.*/chosen-multiple/$)")
_POSITIVE_BIGINT = re.compile(r"^[0-9]{1,18}$")


def strip_control_characters(value: str) -> str:
    return _CONTROL_CHARACTERS.sub("", value)


def _clean_value(key: str, value: str, *, integers: frozenset) -> str | None:
    """The value without control characters, or None when it must be dropped."""
    value = strip_control_characters(value)
    if key == "next" and value and not _LOCAL_PATH.match(value):
        return None
    if key in integers and not (_POSITIVE_BIGINT.match(value) and int(value) > 0):
        return None
    return value


def _integer_parameters(path: str) -> frozenset:
    if not path.startswith("/admin/"):
        return frozenset()
    return ADMIN_INTEGER_PARAMETERS | {"id"} if _ADMIN_ID_PATHS.match(path) else ADMIN_INTEGER_PARAMETERS


def _cleaned_query(query: QueryDict, *, path: str) -> QueryDict | None:
    """A copy of the query string's parameters under the rules above, or None when it is
    unchanged."""
    admin, integers = path.startswith("/admin/"), _integer_parameters(path)
    cleaned = QueryDict(mutable=True, encoding=query.encoding)
    changed = False
    for key, values in query.lists():
        clean_key = strip_control_characters(key)
        kept = [v for v in (_clean_value(clean_key, value, integers=integers) for value in values) if v is not None]
        changed = changed or clean_key != key or kept != values
        if kept:
            cleaned.setlist(clean_key, kept)
    if admin and "tag" in cleaned and cleaned.get("q"):
        # Wagtail 8's image chooser fails (FilterFieldError) on a search within a tag.
        cleaned.pop("tag")
        changed = True
    if not changed:
        return None
    cleaned._mutable = False
    return cleaned


def _cleaned_form(data: QueryDict) -> QueryDict | None:
    if not any(_CONTROL_CHARACTERS.search(key) or any(_CONTROL_CHARACTERS.search(v) for v in values)
               for key, values in data.lists()):
        return None
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        cleaned.setlist(strip_control_characters(key), [strip_control_characters(v) for v in values])
    cleaned._mutable = False
    return cleaned


class RequestInputMiddleware:
    """One rule for every view, instead of a check in each:

    * control characters are stripped from every query-string parameter and every form field
      (request.GET and request.POST) before any view or form sees them, and a path containing
      one answers 404 (no page or file is named so);
    * ``?next=`` is kept only when it is a path of this site;
    * under /admin/, Wagtail's integer parameters that are not positive integers are dropped,
      and a page number out of range answers 404 (Wagtail's views that call
      ``Paginator.page()`` would raise).

    Place it after the authentication middlewares (the 404 page may show who is logged in);
    CSRF's check runs after every middleware's request phase, on the cleaned POST."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _CONTROL_CHARACTERS.search(request.path_info):
            raise Http404("Control characters in the path")
        cleaned = _cleaned_query(request.GET, path=request.path_info)
        if cleaned is not None:
            request.GET = cleaned
            request.META["QUERY_STRING"] = cleaned.urlencode()
        if request.method == "POST" and request.content_type in _FORM_CONTENT_TYPES:
            cleaned = _cleaned_form(request.POST)
            if cleaned is not None:
                request.POST = cleaned
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, InvalidPage):
            return response_for_exception(request, Http404(str(exception)))
        return None
