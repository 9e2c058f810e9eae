from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "espace_citoyen.activities"
    label = "activities"
    verbose_name = "Activités des enfants"
