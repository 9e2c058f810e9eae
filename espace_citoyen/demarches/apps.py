from django.apps import AppConfig


class DemarchesConfig(AppConfig):
    name = "espace_citoyen.demarches"
    label = "demarches"
    verbose_name = "Démarches"
