from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "espace_citoyen.core"
    label = "core"
    verbose_name = "Espace citoyen – outils communs"

    def ready(self):
        from django.db.backends.signals import connection_created

        from .search import register_sqlite_unaccent

        connection_created.connect(register_sqlite_unaccent, dispatch_uid="core_sqlite_unaccent")
