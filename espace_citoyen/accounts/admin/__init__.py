"""Back office of the accounts: the validation queue, account security."""

from .security import AccountSecurityViewSet
from .validation import PortailFamilleImportViewSet, ToActivateViewSet, ValidationQueueViewSet

__all__ = ["AccountSecurityViewSet", "PortailFamilleImportViewSet", "ToActivateViewSet", "ValidationQueueViewSet"]
