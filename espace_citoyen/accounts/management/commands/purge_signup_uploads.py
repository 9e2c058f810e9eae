"""Delete the photos of sign-up wizards abandoned half-way (cron, e.g. once a night)."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from espace_citoyen.accounts.signup_storage import SignupTemporaryStorage


class Command(BaseCommand):
    help = ("Supprime les photos des créations d'espace abandonnées en cours de route "
            "(plus anciennes que la durée maximale d'une session, 24 h par défaut).")

    def add_arguments(self, parser):
        default = max(24, settings.SESSION_ABSOLUTE_AGE // 3600)  # a wizard never outlives its session
        parser.add_argument("--hours", type=int, default=default,
                            help=f"Âge minimal des fichiers supprimés, en heures (défaut : {default}).")
        parser.add_argument("--dry-run", action="store_true", help="Liste les fichiers sans les supprimer.")

    def handle(self, *args, hours, dry_run, **options):
        if hours < 1:
            raise CommandError("--hours doit valoir au moins 1.")
        names = SignupTemporaryStorage().purge_stale(older_than=datetime.timedelta(hours=hours), dry_run=dry_run)
        verb = "à supprimer" if dry_run else "supprimée(s)"
        self.stdout.write(f"{len(names)} photo(s) de création d'espace abandonnée(s) {verb}.")
