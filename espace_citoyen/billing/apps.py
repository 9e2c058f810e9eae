from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "espace_citoyen.billing"
    label = "billing"
    verbose_name = "Factures des activités"
