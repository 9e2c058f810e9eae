"""Back office of the Portail Famille migration: the import, the accounts to activate."""

from .activation import ToActivateViewSet
from .imports import PortailFamilleImportViewSet

__all__ = ["PortailFamilleImportViewSet", "ToActivateViewSet"]
