from django.apps import AppConfig


class FamilyConfig(AppConfig):
    name = "espace_citoyen.family"
    label = "family"
    verbose_name = "Familles"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import Child
        from .selectors import children_count_changed

        # The number of children, kept for the reservations list (selectors.children_count).
        post_save.connect(children_count_changed, sender=Child, dispatch_uid="family-children-count-save")
        post_delete.connect(children_count_changed, sender=Child, dispatch_uid="family-children-count-delete")
