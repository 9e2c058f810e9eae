"""``{% load money %}``: ``{{ cents|euros }}`` → "12,50 €" (see core/money.py)."""

from django import template

from ..money import format_cents

register = template.Library()


@register.filter
def euros(cents):
    try:
        return format_cents(None if cents in (None, "") else int(cents))
    except (TypeError, ValueError):
        return ""
