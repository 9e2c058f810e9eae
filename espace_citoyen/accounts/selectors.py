"""Reads on accounts that views need (the back office's lists)."""

import datetime

from django.db.models import Q, QuerySet

from .models import AccountStatus, User


def _search(queryset: QuerySet, query: str, *extra_lookups: str) -> QuerySet:
    if not query:
        return queryset
    condition = Q(email__icontains=query) | Q(last_name__icontains=query) | Q(first_name__icontains=query)
    for lookup in extra_lookups:
        condition |= Q(**{lookup: query})
    return queryset.filter(condition)


def accounts_to_activate(*, query: str = "") -> QuerySet:
    """Imported accounts whose owner has not chosen a password yet."""
    queryset = User.objects.filter(status=AccountStatus.TO_ACTIVATE).order_by("last_name", "first_name", "email")
    return _search(queryset, query, "legacy_key__istartswith")


def accounts_pending_validation(*, query: str = "", overdue_only: bool = False,
                                now: datetime.datetime) -> QuerySet:
    """The validation queue: nearest deadline first."""
    queryset = (
        User.objects.filter(status=AccountStatus.PENDING).select_related("profile").order_by("validation_due_at", "pk")
    )
    if overdue_only:
        queryset = queryset.filter(validation_due_at__lt=now)
    return _search(queryset, query, "profile__birth_name__icontains")
