"""Two parts of the Wagtail admin's chrome that are the same on every page, kept instead of
made again on each request (issue 14). Wagtail's templates stay Wagtail's: the tags are
registered again under their own names, in Wagtail's tag library.

The keyboard shortcuts dialog, rendered once per process and variant. Every admin page
carries the dialog (Wagtail's {% keyboard_shortcuts_dialog %} in
wagtailadmin/base.html): some 30 translated lines in a dialog, a sixth of a back-office
list's template time (2 to 4 ms, 3 December 2026). What it shows depends only on the values
Wagtail's own tag computes (the agent's choice to enable shortcuts, the key labels of a Mac
or of another computer, whether comments are enabled, all translated) and on the language
of the admin; the same values always give the same HTML. So Wagtail's function still runs
on every request, and its template is rendered only for values not seen before in this
process (a handful: language x Mac or not x enabled or not).

The admin's configuration for its scripts ({% wagtail_config %}): the locales (a query on
every page), the API URLs and the translated month and day names are kept in the shared
cache per language (a change of the locales moves the page-cache generation, as a site
does); the CSRF token, the agent's shortcut choice and the locale being edited are read
for each request, as Wagtail does.

Icons and breadcrumbs ({% icon %}, {% breadcrumbs %}, on every admin page, and icons on
every line of Wagtail's listings): Wagtail renders a template for each, from the tag's
arguments alone (no request, no user). Their HTML is kept in this process per arguments
and language: 0.5 ms of a back-office list (3 December 2026). A label is keyed by its text
and by whether it is already safe HTML (escaped otherwise, as Wagtail's template does);
any other kind of value (a date, a number, an object) is rendered by Wagtail each time. At
most 512 HTML strings are kept, all forgotten when full.

The URLs of the admin's scripts and styles ({% versioned_static %}, a dozen a page): the
static files' URL (from the manifest of the deployed release, under the absolute
STATIC_URL; Wagtail adds its version only where file names are not fingerprinted), kept per
path; a new release is a new process.
"""

from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils import translation
from django.utils.functional import Promise
from django.utils.safestring import SafeData, mark_safe

from .page_cache import cached_fragment

TEMPLATE = "wagtailadmin/shared/keyboard_shortcuts_dialog.html"
_rendered: dict = {}


def cached_shortcuts_dialog(values_for):
    """A replacement for Wagtail's {% keyboard_shortcuts_dialog %}: `values_for(context)`
    is Wagtail's own function (the template's context)."""
    def keyboard_shortcuts_dialog(context):
        values = values_for(context)
        key = (translation.get_language(), repr(values))
        html = _rendered.get(key)
        if html is None:
            if len(_rendered) > 64:  # never grows without bound, whatever the values
                _rendered.clear()
            html = _rendered[key] = get_template(TEMPLATE).render(values)
        return mark_safe(html)  # noqa: S308 - Wagtail's template, rendered with autoescape

    return keyboard_shortcuts_dialog


# What Wagtail's wagtail_config computes for the request and the agent: read each time.
PER_REQUEST = ("CSRF_TOKEN", "KEYBOARD_SHORTCUTS_ENABLED", "ACTIVE_CONTENT_LOCALE")


def cached_wagtail_config(build):
    """A replacement for Wagtail's {% wagtail_config %}: `build(context)` is Wagtail's own,
    called on a miss; what depends on the request is then set as Wagtail sets it."""
    def wagtail_config(context):
        shared = cached_fragment("admin-wagtail-config",
                                 lambda: {key: value for key, value in build(context).items() if key not in PER_REQUEST},
                                 translation.get_language())
        config = dict(shared)
        config["CSRF_TOKEN"] = get_token(context["request"])
        if locale := context.get("locale"):
            config["ACTIVE_CONTENT_LOCALE"] = locale.language_code
        profile = getattr(getattr(context["request"], "user", None), "wagtail_userprofile", None)
        config["KEYBOARD_SHORTCUTS_ENABLED"] = profile.keyboard_shortcuts if profile is not None else True
        return config

    return wagtail_config


ICON_TEMPLATE = "wagtailadmin/shared/icon.html"
BREADCRUMBS_TEMPLATE = "wagtailadmin/shared/breadcrumbs.html"
_MAX_KEPT = 512
_kept_html: dict = {}


def _kept(key_for, template: str, values: dict):
    try:
        key = key_for()
    except (_NotKept, AttributeError):  # AttributeError: an item that is not a dict
        return mark_safe(get_template(template).render(values))  # noqa: S308 - as Wagtail renders it
    html = _kept_html.get(key)
    if html is None:
        if len(_kept_html) >= _MAX_KEPT:
            _kept_html.clear()
        html = _kept_html[key] = get_template(template).render(values)
    return mark_safe(html)  # noqa: S308 - Wagtail's template, rendered with autoescape


class _NotKept(Exception):
    """A value whose HTML may depend on more than its text (a date, a number, an object)."""


def _text(value):
    """What a template makes of a string: its text, and whether it is escaped. Anything
    but None, a string or a lazy string is rendered by Wagtail each time (dates and numbers
    follow the agent's time zone and format; an object's text may be safe HTML)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (str, Promise)):
        return str(value), isinstance(value, SafeData)
    raise _NotKept


def kept_icon(values_for):
    """A replacement for Wagtail's {% icon %}: `values_for` is Wagtail's own function."""
    def icon(name=None, classname=None, title=None, wrapped=False):
        values = values_for(name=name, classname=classname, title=title, wrapped=wrapped)
        return _kept(lambda: ("icon", translation.get_language(), _text(values["name"]), _text(values["classname"]),
                              _text(values["title"]), bool(values["wrapped"])), ICON_TEMPLATE, values)

    return icon


def kept_breadcrumbs(values_for):
    """A replacement for Wagtail's {% breadcrumbs %}: `values_for` is Wagtail's own function."""
    def breadcrumbs(items, is_expanded=False, classname=None, icon_name=None):
        values = values_for(items, is_expanded=is_expanded, classname=classname, icon_name=icon_name)
        return _kept(lambda: (
            "breadcrumbs", translation.get_language(),
            tuple(tuple(sorted((name, _text(value)) for name, value in item.items())) for item in values["items"]),
            bool(values["is_expanded"]), _text(values["classname"]), _text(values["icon_name"]),
        ), BREADCRUMBS_TEMPLATE, values)

    return breadcrumbs


def kept_versioned_static(url_for):
    """A replacement for Wagtail's {% versioned_static %}: `url_for` is Wagtail's own."""
    def versioned_static(path):
        key = ("static", path)
        url = _kept_html.get(key)
        if url is None:
            if len(_kept_html) >= _MAX_KEPT:
                _kept_html.clear()
            url = _kept_html[key] = url_for(path)
        return url

    return versioned_static


def install() -> None:
    """Called by HomeConfig.ready()."""
    from wagtail.admin.templatetags import wagtailadmin_tags

    wagtailadmin_tags.register.simple_tag(cached_shortcuts_dialog(wagtailadmin_tags.keyboard_shortcuts_dialog),
                                          takes_context=True, name="keyboard_shortcuts_dialog")
    wagtailadmin_tags.register.simple_tag(cached_wagtail_config(wagtailadmin_tags.wagtail_config),
                                          takes_context=True, name="wagtail_config")
    wagtailadmin_tags.register.simple_tag(kept_icon(wagtailadmin_tags.icon), name="icon")
    wagtailadmin_tags.register.simple_tag(kept_versioned_static(wagtailadmin_tags.versioned_static),
                                          name="versioned_static")
    wagtailadmin_tags.register.simple_tag(kept_breadcrumbs(wagtailadmin_tags.breadcrumbs), name="breadcrumbs")
