"""Build the demo content (idempotent, no network): `manage.py seed_demo`.

Every installed app of the project may provide a `demo` module with a
`seed(*, stdout) -> list[DemoLogin]` function; they run in INSTALLED_APPS order, so the
website comes first and the citizen space builds on it. The website never imports the
citizen space: discovery is by module name only.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Charge le contenu de démonstration (sans effet si déjà chargé)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Autorise le chargement même si DEBUG est désactivé."
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"] and not getattr(settings, "ALLOW_SEED_DEMO", False):
            raise CommandError(
                "Le contenu de démonstration ne se charge qu'en développement (DEBUG). "
                "Utilisez --force pour passer outre."
            )
        logins, notes = [], []
        with transaction.atomic():
            for app_config in apps.get_app_configs():
                module_name = f"{app_config.name}.demo"
                if not app_config.name.startswith(("home", "news", "search", "espace_citoyen")):
                    continue
                if find_spec(module_name) is None:
                    continue
                module = import_module(module_name)
                logins.extend(module.seed(stdout=self.stdout) or [])
                if hasattr(module, "demo_notes"):
                    notes.extend(module.demo_notes())
        self.stdout.write(self.style.SUCCESS("Contenu de démonstration prêt."))
        if logins:
            self.stdout.write("\nConnexions de démonstration :")
            for login in logins:
                self.stdout.write(f"  {login.role:<38} {login.email:<52} {login.password}  ({login.url})")
        for line in notes:
            self.stdout.write(line)
