"""Nightly RGPD retention: ``manage.py purge_expired_data [--dry-run]`` applies the table
settings.ESPACE_CITOYEN_RETENTION (espace_citoyen/portal/retention.py)."""

from django.core.management.base import BaseCommand

from espace_citoyen.portal.retention import purge_expired_data


class Command(BaseCommand):
    help = "Supprime les données dont la durée de conservation est écoulée (RGPD)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Compte sans rien supprimer ni envoyer.")

    def handle(self, *args, dry_run=False, **options):
        report = purge_expired_data(dry_run=dry_run)
        verb = "à supprimer" if dry_run else "supprimé(s)"
        for key, label, count in report.lines:
            self.stdout.write(f"{label} [{key}] : {count} {verb}")
        self.stdout.write(f"Comptes inactifs prévenus : {report.warned}{' (simulation)' if dry_run else ''}")
        for key in report.skipped:
            self.stdout.write(f"[{key}] : aucune règle enregistrée (domaine pas encore installé), ignoré")
        if dry_run:
            self.stdout.write("Simulation : rien n'a été supprimé ni envoyé.")
