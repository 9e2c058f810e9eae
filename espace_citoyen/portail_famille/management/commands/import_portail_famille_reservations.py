"""manage.py import_portail_famille_reservations FICHIER.csv [--dry-run]: the bookings made
before the portal (format: docs/legacy-bookings.md; the writes are services.bookings)."""

import io

from django.core.management.base import BaseCommand, CommandError

from espace_citoyen.portail_famille.csv_text import UnreadableEncoding, decode_csv
from espace_citoyen.portail_famille.report import ENCODING_LABELS
from espace_citoyen.portail_famille.services.bookings import BookingsFileError, import_reservations


class Command(BaseCommand):
    help = "Importe les réservations du Portail Famille (fichier CSV séparé par des points-virgules)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Vérifie le fichier sans rien enregistrer.")

    def handle(self, *args, **options):
        try:
            with open(options["file"], "rb") as handle:
                text, encoding = decode_csv(handle.read())
            report = import_reservations(io.StringIO(text, newline=""), dry_run=options["dry_run"])
        except UnreadableEncoding as exc:
            raise CommandError("Le fichier n'est pas encodé en UTF-8 ; enregistrez-le en « CSV UTF-8 ».") from exc
        except BookingsFileError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"Impossible de lire le fichier : {exc}") from exc
        prefix = "[essai, rien n'est enregistré] " if options["dry_run"] else ""
        self.stdout.write(f"Fichier lu en {ENCODING_LABELS[encoding]}.")
        self.stdout.write(f"{prefix}{report.created} réservation(s) créée(s), {report.updated} mise(s) à jour, "
                          f"{report.unchanged} inchangée(s), {len(report.waiting)} en attente d'une famille à "
                          f"rapprocher, {len(report.errors)} ligne(s) en erreur.")
        for line in report.waiting:
            self.stdout.write(line)
        for error in report.errors:
            self.stderr.write(error)
