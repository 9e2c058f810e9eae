"""One way to send a templated e-mail from the citizen space.

``send_templated_email(template="family/emails/invitation", to=[...], context={...})``
renders ``<template>_subject.txt`` (one line), ``<template>_body.txt`` and, when it exists,
``<template>_body.html``; the context always holds ``site_url`` (the site's address) and
``town`` (core.town.TownContact). Sent after the surrounding transaction commits, so that a
rolled-back change e-mails nobody; a sending failure is logged, never raised (the change is
recorded already: an agent or the citizen can try again)."""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string

from .town import town_contact

logger = logging.getLogger("espace_citoyen.emails")


def site_url(path: str = "") -> str:
    """An absolute link to ``path`` on the site (settings.WAGTAILADMIN_BASE_URL)."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def render_email(*, template: str, context: dict) -> tuple[str, str, str | None]:
    """(subject, text body, HTML body or None) of ``template`` with the shared context."""
    context = {"site_url": site_url(), **context}
    if "town" not in context:  # callers sending many e-mails pass it once
        context["town"] = town_contact()
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}_body.txt", context)
    try:
        html_template = get_template(f"{template}_body.html")
    except TemplateDoesNotExist:
        html = None
    else:
        html = html_template.render(context)
    return subject, body, html


def send_templated_email(
    *, template: str, to: str | Iterable[str], context: dict, attachments: Iterable[tuple[str, bytes, str]] = (),
    on_commit: bool = True,
) -> bool | None:
    """E-mails ``template`` (see the module) to ``to`` (one message; its addresses are those
    of one household). ``attachments``: (filename, content, mimetype). ``on_commit=False``
    sends at once (callers already running after commit, or outside any transaction) and
    says whether the message left."""
    recipients = [to] if isinstance(to, str) else [address for address in to if address]
    if not recipients:
        return False
    attachments = list(attachments)

    def send() -> bool:
        subject, body, html = render_email(template=template, context=context)
        message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        if html is not None:
            message.attach_alternative(html, "text/html")
        for filename, content, mimetype in attachments:
            message.attach(filename, content, mimetype)
        try:
            message.send()
        except Exception:
            logger.exception("e-mail %s not sent to=%s", template, ",".join(recipients))
            return False
        return True

    if on_commit:
        transaction.on_commit(send)
        return None
    return send()
