"""Every read on démarches that a view needs, scoped to the caller."""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import F, Q, QuerySet
from django.http import Http404

from espace_citoyen.core.search import words_match
from espace_citoyen.core.services_map import services_visible_to

from .models import Demarche, DemarcheEvent, DemarcheKind


def demarches_for(*, user, status: str = "", kind: str = "") -> QuerySet[Demarche]:
    """The caller's own démarches, newest first (a démarche can hold private documents:
    the other adults of the household do not see it)."""
    queryset = Demarche.objects.filter(user=user).order_by("-created_at", "-id")
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


def open_deletion_request_for(*, user) -> Demarche | None:
    """The caller's open request of the deletion of their account, if any."""
    return Demarche.objects.filter(user=user, kind=DemarcheKind.ACCOUNT_DELETION).open().first()


def demarche_for(*, user, number: str) -> Demarche:
    """One of the caller's démarches by its number; 404 for anybody else's."""
    try:
        return Demarche.objects.get(user=user, number=number)
    except Demarche.DoesNotExist:
        raise Http404("Démarche introuvable") from None


def demarche_timeline(*, demarche: Demarche) -> QuerySet[DemarcheEvent]:
    return demarche.events.select_related("actor").order_by("created_at", "id")


def demarche_transmitted_documents(*, demarche: Demarche) -> list:
    """The documents sent with a "transmission de documents" démarche (documents app),
    or an empty list."""
    try:
        transmission = demarche.transmission
    except (ObjectDoesNotExist, AttributeError):
        return []
    return list(transmission.documents.all())


# --- Back office --------------------------------------------------------------------------


def staff_services(*, user) -> list[str]:
    """The service codes whose démarches `user` processes (all for a superuser)."""
    return services_visible_to(user)


def demarches_for_staff(*, user, status: str = "", kind: str = "", service: str = "", query: str = "",
                        overdue_only: bool = False, now=None) -> QuerySet[Demarche]:
    """The queue of the agent's services: nearest deadline first, then oldest first."""
    services = staff_services(user=user)
    queryset = Demarche.objects.filter(service__in=services).select_related("user")
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    if service:
        queryset = queryset.filter(service=service)
    query = (query or "").strip()
    if query:
        condition = (Q(number__icontains=query) | Q(user__email__icontains=query)
                     | words_match(query, "title", "user__last_name", "user__first_name"))
        queryset = queryset.filter(condition)
    if overdue_only and now is not None:
        queryset = queryset.filter(due_at__lt=now)
    return queryset.order_by(F("due_at").asc(nulls_last=True), "created_at", "id")


def demarche_for_staff(*, user, pk: int) -> Demarche:
    """A démarche of one of the agent's services; 404 otherwise."""
    try:
        return Demarche.objects.select_related("user").get(pk=pk, service__in=staff_services(user=user))
    except Demarche.DoesNotExist:
        raise Http404("Démarche introuvable") from None
