"""Back office of the families: households and children listings."""

from .viewsets import ChildViewSet, HouseholdViewSet

__all__ = ["ChildViewSet", "HouseholdViewSet"]
