"""Background work of the vault (django-tasks)."""

from django_tasks import task

from . import services


@task()
def send_document_expiry_reminders() -> int:
    """Remind owners of documents close to expiry (once per document, one e-mail per user)."""
    return services.document_expiry_reminders_send()
