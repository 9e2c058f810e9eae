"""`manage.py generate_dataset --households N --seed S`: the large dataset of the load
benchmarks (espace_citoyen/portal/dataset.py). Never on a town's real database."""

from django.core.management.base import BaseCommand, CommandError

from espace_citoyen.core.household_versions import everything_changed
from espace_citoyen.portal.dataset import DATASET_PASSWORD, generate


class Command(BaseCommand):
    help = "Génère un jeu de données de test (foyers, enfants, réservations, documents, démarches) en masse."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, required=True, help="nombre total de foyers générés")
        parser.add_argument("--seed", type=int, default=1, help="graine du générateur (jeu reproductible)")

    def handle(self, *args, households, seed, **options):
        if households < 1:
            raise CommandError("Le nombre de foyers doit être un entier positif.")
        try:
            counts = generate(households=households, seed=seed, stdout=self.stdout)
            everything_changed()  # bulk inserts send no row signal: the cached dashboards
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(
            f"Jeu de données : {counts['households']} foyers ajoutés, {counts['users']} comptes, "
            f"{counts['children']} enfants, {counts['reservations']} réservations, {counts['documents']} documents, "
            f"{counts['demarches']} démarches en {counts['seconds']:.0f} s. "
            f"Mot de passe des comptes : {DATASET_PASSWORD}"))
