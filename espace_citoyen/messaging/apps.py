from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "espace_citoyen.messaging"
    label = "messaging"
    verbose_name = "Messages aux citoyens"
