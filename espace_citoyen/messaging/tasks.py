"""Background work of the citizen inbox (django-tasks)."""

from django_tasks import task

from news.models import ServiceMessagePage

from .services import message_notify_audience


@task()
def notify_message_audience(page_id: int) -> int:
    """E-mail the audience of a newly published targeted message (once per person)."""

    page = ServiceMessagePage.objects.live().filter(pk=page_id).first()
    if page is None:
        return 0
    return message_notify_audience(page=page)
