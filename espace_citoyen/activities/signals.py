"""Handlers of other domains' signals (connected in apps.py ready())."""

from .services.booking import calendar_feeds_after_departure


def household_member_left(sender, household, user, **kwargs):
    """An adult left a household: their calendar feeds stop, every other feed is renewed."""
    calendar_feeds_after_departure(household_id=household.pk, user=user)
