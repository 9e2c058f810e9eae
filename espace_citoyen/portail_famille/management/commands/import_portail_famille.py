"""manage.py import_portail_famille FICHIER.csv [--dry-run] [--progress-every N] [--agent EMAIL]

Imports the families of the former Portail Famille (format: docs/legacy-import.md).
Progress goes to stderr, the report to stdout (with the lines left in "Familles à rapprocher",
dry run or not). Exit code 0 when no line was refused (lines waiting for an agent in
"Familles à rapprocher" are not errors), 1 when some lines were refused (the other lines are
imported all the same) or when the file cannot be read.
"""

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from espace_citoyen.portail_famille.services import families as services


class Command(BaseCommand):
    help = ("Importe les familles de l'ancien Portail Famille depuis un fichier CSV (séparateur « ; », "
            "UTF-8 ou Windows-1252).")

    def add_arguments(self, parser):
        parser.add_argument("path", help="fichier CSV exporté du Portail Famille")
        parser.add_argument("--dry-run", action="store_true", help="montre ce qui changerait, sans rien enregistrer ni envoyer")
        parser.add_argument("--progress-every", type=int, default=200, help="affiche l'avancement toutes les N familles (200)")
        parser.add_argument("--agent", default="", help="adresse e-mail de l'agent inscrit comme auteur dans l'historique")

    def handle(self, *args, path, dry_run, progress_every, agent, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        actor = None
        if agent:
            actor = get_user_model().objects.filter(email__iexact=agent).first()
            if actor is None:
                raise CommandError(f"Aucun compte ne correspond à l'agent {agent}.")
        started = time.monotonic()
        every = max(1, progress_every)

        def progress(done: int, total: int) -> None:
            if done % every == 0 or done == total:
                elapsed = time.monotonic() - started
                self.stderr.write(f"{done}/{total} familles traitées ({elapsed:.1f} s)")

        report = services.legacy_import_file(data=file.read_bytes(), actor=actor, dry_run=dry_run, progress=progress)
        for line in report.summary_lines():
            self.stdout.write(line)
        if report.queued_lines:
            heading = "Familles qui iraient dans « Familles à rapprocher »" if dry_run else "Familles à rapprocher"
            self.stdout.write(f"{heading} ({len(report.queued_lines)}) :")
            for line in report.queued_lines:
                self.stdout.write(f"  {line}")
        if dry_run and report.changes:
            self.stdout.write("Changements prévus :")
            for change in report.changes:
                self.stdout.write(f"  {change}")
        if report.errors:
            self.stdout.write("Lignes en erreur :")
            for error in report.errors:
                self.stdout.write(f"  {error}")
            raise CommandError(
                f"{len(report.error_lines)} ligne(s) en erreur (les autres lignes ont été "
                f"{'vérifiées' if dry_run else 'importées'})."
            )
        self.stdout.write(self.style.SUCCESS(f"Terminé en {time.monotonic() - started:.1f} s."))
