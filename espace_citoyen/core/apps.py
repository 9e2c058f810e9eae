from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "espace_citoyen.core"
    label = "core"
    verbose_name = "Espace citoyen – outils communs"
