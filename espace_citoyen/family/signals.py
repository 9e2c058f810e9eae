"""Signals the family domain sends to the layers above it (they connect in their ready()).

``household_member_left``: an adult left a household (sender=Household, household, user),
sent inside the transaction of the leave. Activities renews its calendar feed tokens."""

from django.dispatch import Signal

household_member_left = Signal()
