"""Back office of the démarches: each service's queue (listed in the portal's menu)."""

from .queue import DemarcheQueueViewSet

__all__ = ["DemarcheQueueViewSet"]
