from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "espace_citoyen.activities"
    label = "activities"
    verbose_name = "Activités des enfants"

    def ready(self):
        from espace_citoyen.family.signals import household_member_left

        from .signals import household_member_left as on_member_left

        household_member_left.connect(on_member_left, dispatch_uid="activities_feeds_after_departure")
