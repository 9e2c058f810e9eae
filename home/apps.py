from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "Site de la ville"

    def ready(self):
        from . import checks  # noqa: F401 - registers the Site record's system check
        from .page_cache import connect_signals

        connect_signals()  # publishing, snippets, settings... invalidate the public page cache
