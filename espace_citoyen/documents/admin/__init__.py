"""Back office of the vault: the documents families transmitted to a service."""

from .transmissions import TransmissionViewSet

__all__ = ["TransmissionViewSet"]
