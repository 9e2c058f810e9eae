"""Template filters of the citizen space: ``{% load core_format %}``.

``{{ bytes|taille_fichier }}`` → "27 Ko", "1,5 Mo", "200 Mo" (core/formats.py);
``{{ date|jour_fr }}`` → "Mardi 1er décembre 2026"; ``{{ date|date_fr }}`` → "1er décembre 2026"."""

from django import template

from ..business_calendar import format_day
from ..formats import format_size

register = template.Library()


@register.filter(name="taille_fichier")
def taille_fichier(size) -> str:
    try:
        return format_size(int(size or 0))
    except (TypeError, ValueError):
        return ""


@register.filter(name="jour_fr")
def jour_fr(day) -> str:
    """ "Mardi 1er décembre 2026" (core.business_calendar.format_day, capitalised)."""
    try:
        text = format_day(day)
    except (AttributeError, TypeError, IndexError):
        return ""
    return text[:1].upper() + text[1:]


@register.filter(name="date_fr")
def date_fr(day) -> str:
    """ "1er décembre 2026", "3 mars 2026" (core.business_calendar.format_day, no weekday)."""
    try:
        return format_day(day, weekday=False)
    except (AttributeError, TypeError, IndexError):
        return ""
