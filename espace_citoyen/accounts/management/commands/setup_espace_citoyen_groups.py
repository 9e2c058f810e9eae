from django.core.management.base import BaseCommand

from espace_citoyen.accounts.groups import ensure_relations_population_group


class Command(BaseCommand):
    help = "Crée ou met à jour les groupes du personnel de l'espace citoyen (Relations population)."

    def handle(self, *args, **options):
        group = ensure_relations_population_group()
        self.stdout.write(self.style.SUCCESS(f"Groupe « {group.name} » à jour ({group.permissions.count()} droits)."))
