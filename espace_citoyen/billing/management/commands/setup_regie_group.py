from django.core.management.base import BaseCommand

from ...services.pricing import billing_ensure_group_permissions


class Command(BaseCommand):
    help = "Crée ou met à jour le groupe « Régie » (factures, paiements, avoirs, tarifs, quotients, exports)."

    def handle(self, *args, **options):
        group = billing_ensure_group_permissions()
        self.stdout.write(self.style.SUCCESS(f"Groupe « {group.name} » à jour ({group.permissions.count()} droits)."))
