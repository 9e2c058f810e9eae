"""Catalogue reads (agents)."""

from __future__ import annotations

from django.db.models import QuerySet

from ..models import Activity, Occurrence

__all__ = ["activities_all", "occurrences_all"]


def activities_all() -> QuerySet[Activity]:
    return Activity.objects.select_related("school_year", "booking_rule")


def occurrences_all() -> QuerySet[Occurrence]:
    return Occurrence.objects.select_related("activity", "activity__school_year")
