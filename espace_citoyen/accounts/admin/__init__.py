"""Back office of the accounts: the validation queue, account security."""

from .security import AccountSecurityViewSet
from .validation import ValidationQueueViewSet

__all__ = ["AccountSecurityViewSet", "ValidationQueueViewSet"]
