from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "espace_citoyen.billing"
    label = "billing"
    verbose_name = "Factures des activités"

    def ready(self):
        from .retention import register_billing_rules  # models are loaded only now

        register_billing_rules()
