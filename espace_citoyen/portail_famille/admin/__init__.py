"""Back office of the Portail Famille migration: the import, the accounts to activate, the
families to reconcile with an existing account."""

from .activation import ToActivateViewSet
from .imports import PortailFamilleImportViewSet
from .reconciliation import ReconciliationViewSet

__all__ = ["PortailFamilleImportViewSet", "ReconciliationViewSet", "ToActivateViewSet"]
