"""What the pages of a child (agenda, history) read about the child before their own rows,
kept in the shared cache per parent and child until it changes (issue 14): the versions of
core.household_versions move with a child, a membership, a dossier, a booking, a calendar
feed, the account (the user's counter) and with the catalogue and the batches (everyone's);
portal/signals.py says who is concerned by each write."""

from espace_citoyen.core.household_versions import cached_for_citizen
from espace_citoyen.family import selectors as family_selectors


def child_with(user, child_id: int, name: str, read):
    """(child, read(child)): the child of the caller's household (else 404, never stored),
    and what `read` finds about it, from the cache when nothing changed since."""
    def build():
        child = family_selectors.child_for(user=user, child_id=child_id)
        return child, read(child)

    return cached_for_citizen(user, name, build, child_id)
