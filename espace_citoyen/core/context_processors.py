"""`town` in every template rendered with a request: the town's name and phone numbers from
the site settings (core.town.TownContact), read only when a template uses them."""

from django.utils.functional import SimpleLazyObject

from .town import town_contact


def town(request):
    return {"town": SimpleLazyObject(town_contact)}
