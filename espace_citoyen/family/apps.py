from django.apps import AppConfig


class FamilyConfig(AppConfig):
    name = "espace_citoyen.family"
    label = "family"
    verbose_name = "Familles"
