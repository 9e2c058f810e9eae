"""The Wagtail admin's keyboard shortcuts dialog, rendered once per process and variant
(issue 14).

Every admin page carries the dialog (Wagtail's {% keyboard_shortcuts_dialog %} in
wagtailadmin/base.html): some 30 translated lines in a dialog, a sixth of a back-office
list's template time (2 to 4 ms, 3 December 2026). What it shows depends only on the values
Wagtail's own tag computes (the agent's choice to enable shortcuts, the key labels of a Mac
or of another computer, whether comments are enabled, all translated) and on the language
of the admin; the same values always give the same HTML. So Wagtail's function still runs
on every request, and its template is rendered only for values not seen before in this
process (a handful: language x Mac or not x enabled or not).
"""

from django.template.loader import get_template
from django.utils import translation
from django.utils.safestring import mark_safe

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


def install() -> None:
    """Called by HomeConfig.ready(): registers the cached tag under Wagtail's name, in
    Wagtail's own tag library (wagtailadmin/base.html stays Wagtail's)."""
    from wagtail.admin.templatetags import wagtailadmin_tags

    wagtailadmin_tags.register.simple_tag(cached_shortcuts_dialog(wagtailadmin_tags.keyboard_shortcuts_dialog),
                                          takes_context=True, name="keyboard_shortcuts_dialog")
