from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Site

from home.groups import ensure_communication_group
from home.models import HomePage


class Command(BaseCommand):
    help = "Crée ou met à jour les groupes du personnel (Communication) et leur circuit de validation."

    def handle(self, *args, **options):
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        if site is None or not isinstance(site.root_page.specific, HomePage):
            raise CommandError("Aucun site avec une page d'accueil : créez d'abord la page d'accueil.")
        group = ensure_communication_group(home_page=site.root_page)
        self.stdout.write(self.style.SUCCESS(f"Groupe « {group.name} » à jour."))
