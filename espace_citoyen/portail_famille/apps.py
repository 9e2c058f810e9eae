from django.apps import AppConfig


class PortailFamilleConfig(AppConfig):
    name = "espace_citoyen.portail_famille"
    label = "portail_famille"
    verbose_name = "Reprise du Portail Famille"
