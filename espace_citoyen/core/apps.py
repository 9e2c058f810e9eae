from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "espace_citoyen.core"
    label = "core"
    verbose_name = "Espace citoyen – outils communs"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.backends.signals import connection_created
        from django.db.models.signals import m2m_changed

        from .search import register_sqlite_unaccent
        from .services_map import forget_service_groups

        connection_created.connect(register_sqlite_unaccent, dispatch_uid="core_sqlite_unaccent")
        m2m_changed.connect(forget_service_groups, sender=get_user_model().groups.through,
                            dispatch_uid="core_forget_service_groups")
