"""Back office of the activities (Pôle scolaire): catalogue, dossiers, attendance, agents'
bookings for a family. The portal lists these viewsets in the "Espace citoyen" menu."""

from .attendance import AttendanceViewSet
from .catalogue import (
    ActivityViewSet,
    BookingRuleViewSet,
    ExtraDateViewSet,
    HolidayPeriodViewSet,
    OccurrenceViewSet,
    SchoolViewSet,
    SchoolYearViewSet,
)
from .dossiers import DossierViewSet
from .reservations import ReservationAdminViewSet

__all__ = [
    "ActivityViewSet", "AttendanceViewSet", "BookingRuleViewSet", "DossierViewSet", "ExtraDateViewSet",
    "HolidayPeriodViewSet", "OccurrenceViewSet", "ReservationAdminViewSet", "SchoolViewSet", "SchoolYearViewSet",
]
