"""Writes of the citizen inbox: marking a message read, notifying its audience by e-mail."""

import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from news.models import Audience, ServiceMessagePage

from espace_citoyen.core.emails import send_templated_email, site_url
from .models import MessageNotification, MessageRead
from .selectors import audience_users, notifiable_users
from .unread_cache import reads_changed

logger = logging.getLogger(__name__)


@transaction.atomic
def message_mark_read(*, user, page: ServiceMessagePage) -> MessageRead:
    """The user opened the message (idempotent: the first reading date is kept)."""
    read, created = MessageRead.objects.get_or_create(user=user, page=page)
    if created:
        reads_changed(user.pk)
    return read


def message_url(*, page: ServiceMessagePage) -> str:
    """Absolute address of the message in the citizen space (for e-mails)."""
    return site_url(reverse("messaging:detail", kwargs={"page_id": page.pk}))


def message_notify_audience(*, page: ServiceMessagePage) -> int:
    """E-mail each member of a targeted message's audience who prefers e-mail, once.

    The MessageNotification row (unique per user and message) is created *before* the
    e-mail is sent: a message is never e-mailed twice to the same person, even when it is
    published again or when two workers run at once; a failed send is logged and not
    retried (at most once rather than twice). Returns the number of e-mails sent."""
    if page.audience == Audience.EVERYONE or not page.live:
        return 0
    already = MessageNotification.objects.filter(page=page).values("user_id")
    recipients = notifiable_users(page=page).exclude(pk__in=already).order_by("pk")
    url = message_url(page=page)
    sent = 0
    for user in recipients:
        with transaction.atomic():
            notification, created = MessageNotification.objects.get_or_create(user=user, page=page)
        if not created:
            continue
        context = {
            "user": user,
            "page": page,
            "service": page.get_sender_service_display(),
            "url": url,
        }
        if not send_templated_email(template="messaging/emails/notification", to=user.email, context=context,
                                    on_commit=False):
            continue  # logged; one bad address must not stop the others
        MessageNotification.objects.filter(pk=notification.pk).update(sent_at=timezone.now())
        sent += 1
    return sent


@transaction.atomic
def message_mark_audience_notified(*, page: ServiceMessagePage) -> int:
    """Record the whole current audience as notified without sending anything (demo
    content, messages imported from elsewhere). Returns the number of rows created."""
    existing = set(MessageNotification.objects.filter(page=page).values_list("user_id", flat=True))
    rows = [
        MessageNotification(user_id=user_id, page=page)
        for user_id in audience_users(page=page).values_list("pk", flat=True)
        if user_id not in existing
    ]
    MessageNotification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
