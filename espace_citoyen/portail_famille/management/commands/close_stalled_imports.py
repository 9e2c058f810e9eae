"""Close the Portail Famille import runs interrupted by a stopped worker and delete their
stored file (cron, e.g. once a night)."""

from django.core.management.base import BaseCommand

from espace_citoyen.portail_famille.services.runs import legacy_import_close_stalled


class Command(BaseCommand):
    help = "Clôt les imports du Portail Famille interrompus (plus d'une heure sans fin) et supprime leur fichier."

    def handle(self, *args, **options):
        closed = legacy_import_close_stalled()
        self.stdout.write(f"{closed} import(s) interrompu(s) clos.")
