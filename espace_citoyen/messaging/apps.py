from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "espace_citoyen.messaging"
    label = "messaging"
    verbose_name = "Messages aux citoyens"

    def ready(self):
        from wagtail.signals import page_published

        from news.models import ServiceMessagePage

        from .signals import message_published

        page_published.connect(message_published, sender=ServiceMessagePage,
                               dispatch_uid="messaging_message_published")
