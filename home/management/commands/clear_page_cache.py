"""`manage.py clear_page_cache`: every app server renders the public pages afresh (after a
deployment that changes templates, or a change made outside the admin, e.g. in SQL)."""

from django.core.management.base import BaseCommand

from home.page_cache import bump_generation, current_generation


class Command(BaseCommand):
    help = "Vide le cache des pages publiques (sur tous les serveurs d'application)."

    def handle(self, *args, **options):
        bump_generation()
        self.stdout.write(f"Cache des pages publiques vidé (génération {current_generation()}).")
