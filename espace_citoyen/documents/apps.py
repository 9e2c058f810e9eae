from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "espace_citoyen.documents"
    label = "documents"
    verbose_name = "Coffre-fort de documents"

    def ready(self):
        from . import signals  # noqa: F401
