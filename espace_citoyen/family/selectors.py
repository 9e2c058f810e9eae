"""Reads on households, scoped to the caller: another household's ids give 404."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from espace_citoyen.accounts.models import ContactMethod
from espace_citoyen.core import household_versions
from home.page_cache import bump_counter, cached_fragment, read_counters

from .models import AuthorizedPerson, Child, Household, Invitation, Membership
from .tokens import hash_token


def household_of(*, user) -> Household | None:
    """The caller's household (foyer), or None before one is created."""
    membership = Membership.objects.filter(user=user).select_related("household").order_by("joined_at").first()
    return membership.household if membership else None


def children_for(*, user) -> QuerySet[Child]:
    """Children of every household the caller is an adult of."""
    return Child.objects.filter(household__memberships__user=user).distinct().order_by("birth_date", "first_name")


def child_for(*, user, child_id: int) -> Child:
    """One child of the caller's household, else 404."""
    return get_object_or_404(children_for(user=user), pk=child_id)


def adults_for(*, user) -> QuerySet[Membership]:
    """The adults (memberships) of the caller's households, the caller included."""
    return (
        Membership.objects.filter(household__memberships__user=user).select_related("user").distinct()
        .order_by("joined_at")
    )


def household_page_for(*, user) -> dict:
    """Everything the household page shows: adults with their profile (address), children
    with their authorized persons, pending invitations. A fixed number of queries."""

    household = household_of(user=user)
    if household is None:
        return {"household": None, "adults": [], "children": [], "invitations": []}
    adults = list(
        Membership.objects.filter(household=household).select_related("user", "user__profile").order_by("joined_at")
    )
    children = list(
        Child.objects.filter(household=household)
        .prefetch_related(Prefetch("authorized_persons", queryset=AuthorizedPerson.objects.order_by("id")))
        .order_by("birth_date", "first_name")
    )
    invitations = list(
        Invitation.objects.filter(household=household, accepted_at__isnull=True, cancelled_at__isnull=True,
                                  expires_at__gt=timezone.now()).order_by("-created_at")
    )
    return {"household": household, "adults": adults, "children": children, "invitations": invitations}


def child_with_persons_for(*, user, child_id: int) -> Child:
    """One child of the caller's household with its authorized persons, else 404."""
    return get_object_or_404(children_for(user=user).prefetch_related("authorized_persons"), pk=child_id)


def pending_invitation_for(*, user, invitation_id: int):
    """A pending invitation sent from the caller's household, else 404."""

    return get_object_or_404(
        Invitation.objects.filter(household__memberships__user=user, accepted_at__isnull=True,
                                  cancelled_at__isnull=True, expires_at__gt=timezone.now()).distinct(),
        pk=invitation_id,
    )


def invitation_by_token(*, token: str):
    """The invitation a link's token designates (any state), or None."""

    if not token or len(token) > 100:
        return None
    return Invitation.objects.select_related("household", "invited_by").filter(token_hash=hash_token(token)).first()


def notification_emails_for(*, household_id: int) -> list[str]:
    """E-mail addresses of the household's active adults who prefer to be contacted by
    e-mail (no profile: e-mail), for notices about the family's children."""

    emails = []
    memberships = Membership.objects.filter(household_id=household_id).select_related("user", "user__profile")
    for membership in memberships.order_by("joined_at", "id"):
        user = membership.user
        profile = getattr(user, "profile", None)
        preferred = profile.preferred_contact if profile else ContactMethod.EMAIL
        if user.email and user.is_active and preferred == ContactMethod.EMAIL and user.email not in emails:
            emails.append(user.email)
    return emails


# --- The number of children of the town ---------------------------------------------------

CHILDREN_COUNT_KEY = "family:children-count"


def children_count() -> int:
    """How many children the town has: the reservations list's count without a search, on
    every visit of that list. COUNT over 20,000 children cost PostgreSQL 3-6 ms on a 2-core
    machine (3 December 2026); the number is kept in the shared cache (home.page_cache)
    until a child is added or removed anywhere (children_count_changed), or a batch of
    core.household_versions ends (the Portail Famille import), on every app server at once."""
    keys = [CHILDREN_COUNT_KEY, household_versions.ALL_KEY]
    versions = read_counters(keys)
    return cached_fragment("family-children-count", Child.objects.count, *(versions[key] for key in keys))


def children_count_changed(sender=None, instance=None, created=True, **kwargs) -> None:
    """Receiver of Child's post_save (a new child only) and post_delete (family/apps.py);
    called by the code that inserts children in bulk (no row signals)."""
    if not created:
        return
    if household_versions.in_batch():
        household_versions.everything_changed()  # the batch's counter moves once, at its end
    else:
        bump_counter(CHILDREN_COUNT_KEY)
