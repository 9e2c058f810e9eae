from django import template
from django.urls import NoReverseMatch, reverse

from ..models import DemarcheStatus

register = template.Library()


@register.simple_tag
def optional_url(name, *args):
    """The URL of `name`, or "" when that view does not exist (yet)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@register.filter
def status_label(value):
    try:
        return DemarcheStatus(value).label
    except ValueError:
        return value


@register.simple_tag
def event_author(event, demarche, *, citizen_side=True):
    """Who wrote a timeline line: the citizen ("Vous"), or the service (never an agent's name
    on the citizen side)."""
    if event.actor_id and event.actor_id == demarche.user_id:
        return "Vous" if citizen_side else (demarche.user.get_full_name() or demarche.user.email)
    if not citizen_side and event.actor is not None:
        return event.actor.get_full_name() or event.actor.email
    if demarche.service:
        return f"Le service {demarche.service_label}"
    return "La mairie"
