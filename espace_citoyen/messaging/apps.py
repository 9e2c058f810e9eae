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

        # The audience facts of the unread count (unread_cache): children, memberships, and
        # who is a town agent (groups and permissions).
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group, Permission
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from espace_citoyen.family.models import Child, Membership

        from .unread_cache import facts_changed

        for model in (Child, Membership):
            post_save.connect(facts_changed, sender=model, dispatch_uid=f"messaging_facts_save_{model.__name__}")
        # Deleting a group or a permission empties its links without m2m_changed.
        for model in (Child, Membership, Group, Permission):
            post_delete.connect(facts_changed, sender=model, dispatch_uid=f"messaging_facts_delete_{model.__name__}")
        user_model = get_user_model()
        for through in (user_model.groups.through, user_model.user_permissions.through, Group.permissions.through):
            m2m_changed.connect(facts_changed, sender=through, dispatch_uid=f"messaging_facts_m2m_{through.__name__}")
