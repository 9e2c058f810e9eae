"""Template filters of the citizen space: ``{% load core_format %}``.

``{{ bytes|taille_fichier }}`` → "27 Ko", "1,5 Mo", "200 Mo" (core/formats.py)."""

from django import template

from ..formats import format_size

register = template.Library()


@register.filter(name="taille_fichier")
def taille_fichier(size) -> str:
    try:
        return format_size(int(size or 0))
    except (TypeError, ValueError):
        return ""
