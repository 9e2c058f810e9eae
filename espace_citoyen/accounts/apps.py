from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "espace_citoyen.accounts"
    label = "accounts"
    verbose_name = "Comptes"

    def ready(self):
        from . import signals  # noqa: F401  (login log, login time)
