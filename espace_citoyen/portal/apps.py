from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "espace_citoyen.portal"
    label = "portal"
    verbose_name = "Espace citoyen – portail"

    def ready(self):
        from . import signals
        from .retention import register_portal_rules

        register_portal_rules()
        signals.connect()  # the versions of the cached dashboard
