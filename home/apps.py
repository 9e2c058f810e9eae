from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "Site de la ville"

    def ready(self):
        from . import checks  # noqa: F401 - registers the Site record's system check
        from . import admin_chrome, admin_sidebar
        from .page_cache import connect_signals

        connect_signals()  # publishing, snippets, settings... invalidate the public page cache
        admin_sidebar.install()  # the admin's sidebar, cached per agent
        admin_chrome.install()  # the admin's shortcuts dialog and script configuration, kept
