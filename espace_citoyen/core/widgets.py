"""Form widgets shared by the apps."""

import hashlib

from django import forms
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language

__all__ = ["KeptSelect"]

_MAX_KEPT = 256


class KeptSelect(forms.Select):
    """Django's <select>, its HTML kept in this process for each name, value, attributes,
    choices and language: the same inputs always give the same HTML.

    For the filters above the back-office lists, shown on every visit. Django renders each
    option through two templates: the démarches queue's three filters (25 options) cost
    1.2 ms a page, a tenth of the list (3 December 2026). The key holds the choices as they
    are now (a queryset is read as before), each label with whether it is already safe HTML
    (then it is not escaped), and the value only when it is one of the choices: anything
    else typed in the address selects nothing and shares one entry. At most 256 HTML
    strings are kept, all forgotten when full."""

    _kept: dict = {}

    def render(self, name, value, attrs=None, renderer=None):
        choices = tuple((str(option), str(label), isinstance(label, SafeData)) for option, label in self.choices)
        known = {option for option, _label, _safe in choices}
        selected = tuple(item for item in self.format_value(value) if item in known)
        key = (
            name, selected, repr(sorted(self.build_attrs(self.attrs, attrs).items())),
            hashlib.sha256(repr(choices).encode()).hexdigest(), get_language(),
            type(renderer).__name__, self.template_name, self.option_template_name, self.allow_multiple_selected,
        )
        html = self._kept.get(key)
        if html is None:
            if len(self._kept) >= _MAX_KEPT:
                self._kept.clear()
            html = self._kept[key] = str(super().render(name, value, attrs, renderer))
        return mark_safe(html)  # noqa: S308 - Django's own rendering, autoescaped
