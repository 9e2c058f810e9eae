"""Daily cron: `manage.py send_document_expiry_reminders` enqueues the reminder task."""

from django.core.management.base import BaseCommand

from espace_citoyen.documents.tasks import send_document_expiry_reminders


class Command(BaseCommand):
    help = "Met en file l'envoi des rappels d'expiration des documents (à lancer chaque jour)."

    def handle(self, *args, **options):
        result = send_document_expiry_reminders.enqueue()
        self.stdout.write(f"Rappels d'expiration des documents mis en file (tâche {result.id}).")
