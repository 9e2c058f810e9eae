"""Wagtail signal handlers of the citizen inbox (connected in apps.py ready())."""

from django.db import transaction

from news.models import Audience

from .tasks import notify_message_audience


def message_published(sender, instance, **kwargs):
    """A targeted message was published: notify its audience in the background, once the
    publication is committed."""
    if instance.audience == Audience.EVERYONE:
        return
    page_id = instance.pk

    def enqueue():
        notify_message_audience.enqueue(page_id=page_id)

    transaction.on_commit(enqueue)
