"""Reads of the dashboard (tableau de bord). Each tile costs a fixed number of queries,
whatever the size of the family or of its history: counts are aggregates, members are
two queries (adults with their accounts, children)."""

import dataclasses
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone

from espace_citoyen.activities.selectors.summary import activities_summary_for
from espace_citoyen.billing.selectors.citizen import invoices_summary_for
from espace_citoyen.core.household_versions import cached_for_citizen
from espace_citoyen.demarches.models import DemarcheStatus
from espace_citoyen.demarches.selectors import demarches_for
from espace_citoyen.documents.selectors import documents_for
from espace_citoyen.family.selectors import adults_for, children_for


@dataclass
class Member:
    name: str
    kind: str  # "adult" | "child"
    detail: str = ""
    url: str = ""
    is_me: bool = False
    first_name: str = ""
    record_url: str = ""  # a child's record on "Ma famille" (health, PAI, pick-up persons)
    child_id: int | None = None


@dataclass
class Dashboard:
    validated: bool
    members: list[Member] = field(default_factory=list)
    children_count: int = 0
    demarches_ongoing: int = 0
    demarches_total: int = 0
    documents_count: int = 0
    documents_used: int = 0
    documents_quota: int = 0
    activities: object = None  # activities.selectors.summary.ActivitiesSummary, validated accounts only
    invoices: object = None  # billing.selectors.citizen.InvoicesSummary, validated accounts only
    urls: dict = field(default_factory=dict)


def _members(*, user) -> list[Member]:
    members = []
    for membership in adults_for(user=user):
        adult = membership.user
        members.append(Member(
            name=adult.get_full_name() or adult.email, kind="adult", detail=membership.get_role_display(),
            is_me=adult.pk == user.pk,
        ))
    for child in children_for(user=user).only("pk", "first_name", "last_name", "school", "school_class", "birth_date"):
        detail = " – ".join(part for part in (child.school, child.school_class) if part)
        members.append(Member(
            name=f"{child.first_name} {child.last_name}", kind="child", detail=detail,
            # The child's name opens the agenda of its activities (book, cancel), as the
            # town's guide says; its record (identity, health) is on "Ma famille".
            url=reverse("activities:agenda", kwargs={"child_id": child.pk}),
            first_name=child.first_name, record_url=reverse("family:child_detail", kwargs={"child_id": child.pk}),
            child_id=child.pk,
        ))
    return members


def _demarche_counts(*, user) -> tuple[int, int]:
    ongoing_statuses = [DemarcheStatus.SENT, DemarcheStatus.IN_PROGRESS, DemarcheStatus.TO_COMPLETE]
    counts = demarches_for(user=user).order_by().aggregate(
        total=Count("pk"), ongoing=Count("pk", filter=Q(status__in=ongoing_statuses)),
    )
    return counts["ongoing"], counts["total"]


def _document_counts(*, user) -> tuple[int, int, int]:
    counts = documents_for(user=user).order_by().aggregate(count=Count("pk"), used=Sum("size"))
    quota = getattr(settings, "ESPACE_CITOYEN_VAULT_QUOTA_BYTES", 0)
    return counts["count"], counts["used"] or 0, quota


def dashboard_for(*, user) -> Dashboard:
    """Everything the dashboard shows. A pending (or refused) account gets no family
    features: no members, no activities tile."""
    dashboard = Dashboard(validated=user.is_validated)
    if dashboard.validated:
        dashboard.members = _members(user=user)
        child_ids = [member.child_id for member in dashboard.members if member.kind == "child"]
        dashboard.children_count = len(child_ids)
        if child_ids:
            dashboard.activities = activities_summary_for(user=user, child_ids=child_ids)

        dashboard.invoices = invoices_summary_for(user=user)
    dashboard.demarches_ongoing, dashboard.demarches_total = _demarche_counts(user=user)
    dashboard.documents_count, dashboard.documents_used, dashboard.documents_quota = _document_counts(user=user)
    dashboard.urls = {
        "family": reverse("family:household"),
        "child_add": reverse("family:child_add"),
        "dossiers": reverse("activities:dossier_list"),
        "demarches": reverse("demarches:list"),
        "documents": reverse("documents:list"),
        "messages": reverse("messaging:inbox"),
        "contact": reverse("accounts:contact_details"),
        "my_data": reverse("portal:my_data"),
        "invoices": reverse("billing:list"),
        "payments": reverse("billing:payments"),
    }
    return dashboard


def cached_dashboard_for(*, user, now=None) -> Dashboard:
    """dashboard_for(user), kept in the shared cache until something it shows changes
    (core.household_versions: the user's counter and the counter for everyone) or the day
    changes (what is upcoming, what is overdue). Offers whose time limit passed since are
    left out here, at each request."""
    now = now or timezone.now()
    dashboard = cached_for_citizen(user, "dashboard", lambda: dashboard_for(user=user),
                                   timezone.localdate(now).isoformat())
    if dashboard.activities is None:
        return dashboard
    offers = [offer for offer in dashboard.activities.offers
              if offer.offer_expires_at is None or offer.offer_expires_at > now]
    return dataclasses.replace(dashboard, activities=dataclasses.replace(dashboard.activities, offers=offers))
