"""Panel "À traiter" of the Wagtail admin home (/admin/): what waits for the agent who opens
it, one line per back-office queue they may work on, each a count with a link to the queue.

- "Comptes à valider" (accounts.validate_account): pending accounts, overdue ones apart.
- "Démarches en attente" (agents of a service, see core/services_map.py): démarches "envoyée"
  or "en cours de traitement" of their services, overdue ones apart. The "création de
  l'espace" démarches are left out for agents who see "Comptes à valider": they are
  processed there, one per pending account, and would be counted twice.
- "Dossiers d'inscription à examiner" (Pôle scolaire): dossiers sent, not yet decided.
- "Familles à rapprocher" (accounts.import_portail_famille): Portail Famille family lines
  whose parent already had an account, waiting for an agent's decision.
- "Factures à payer" (Régie, billing.view_invoice): open invoices, overdue ones apart; "Avoirs
  à proposer": billed days whose absence was justified, or whose day was closed, afterwards.

Transmitted documents have no read / unread state (documents.DocumentTransmission), so
there is no "à consulter" line; the waiting-list offers have no back-office screen to link
to, so no line either.

Agents who may work on none of these queues (Communication) get no panel. Counts go
through the domains' selectors with one aggregate query per queue: the number of queries
does not depend on the volume. Registered by portal/wagtail_hooks.py."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Q
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

from espace_citoyen.accounts import selectors as accounts
from espace_citoyen.activities.models import DossierStatus
from espace_citoyen.activities.selectors import dossiers
from espace_citoyen.billing.models import OPEN_INVOICE_STATUSES, Invoice
from espace_citoyen.billing.selectors import staff as billing
from espace_citoyen.demarches import selectors as demarches
from espace_citoyen.demarches.models import DemarcheKind, DemarcheStatus
from espace_citoyen.portail_famille import selectors as portail_famille

# Query string of the validation queue's "en retard" filter (accounts.admin.validation.ValidationQueueView).
ACCOUNTS_OVERDUE_PARAMS = {"en_retard": "1"}


@dataclasses.dataclass(frozen=True)
class ToProcessLine:
    label: str
    count: int
    url: str
    overdue: int | None = None  # None: the queue has no notion of deadline
    overdue_url: str = ""


def _accounts_line(*, user, now) -> ToProcessLine | None:
    if not user.has_perm("accounts.validate_account"):
        return None
    counts = accounts.accounts_pending_validation(now=now).aggregate(
        total=Count("pk"), overdue=Count("pk", filter=Q(validation_due_at__lt=now)),
    )
    url = reverse("accounts_validation:index")
    return ToProcessLine(
        label=_("Comptes à valider"), count=counts["total"], url=url, overdue=counts["overdue"],
        overdue_url=f"{url}?{urlencode(ACCOUNTS_OVERDUE_PARAMS)}",
    )


def _demarches_line(*, user, now, accounts_shown: bool) -> ToProcessLine | None:
    if not demarches.staff_services(user=user):
        return None
    queryset = demarches.demarches_for_staff(user=user).filter(
        status__in=[DemarcheStatus.SENT, DemarcheStatus.IN_PROGRESS])
    if accounts_shown:
        queryset = queryset.exclude(kind=DemarcheKind.ACCOUNT_CREATION)
    counts = queryset.aggregate(total=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)))
    return ToProcessLine(
        label=_("Démarches en attente"), count=counts["total"], url=reverse("demarches_admin:index"),
        overdue=counts["overdue"],
    )


def _dossiers_line(*, user) -> ToProcessLine | None:
    if not dossiers.staff_can_review(user):
        return None
    count = dossiers.dossiers_for_staff(user=user, status=DossierStatus.SUBMITTED).count()
    url = f"{reverse('dossiers_admin:list')}?{urlencode({'status': DossierStatus.SUBMITTED.value})}"
    return ToProcessLine(label=_("Dossiers d'inscription à examiner"), count=count, url=url)


def _reconciliation_line(*, user) -> ToProcessLine | None:
    if not user.has_perm("accounts.import_portail_famille"):
        return None
    return ToProcessLine(
        label=_("Familles à rapprocher"), count=portail_famille.reconciliations_pending_count(user=user),
        url=reverse("portail_famille_reconciliation:index"),
    )
def _billing_lines(*, user, now) -> list[ToProcessLine]:
    """Régie: open invoices (overdue apart) and days to credit (an absence justified or a day
    closed after the invoice)."""

    if not user.has_perm("billing.view_invoice"):
        return []
    today = timezone.localdate(now)
    counts = Invoice.objects.filter(status__in=OPEN_INVOICE_STATUSES).aggregate(
        total=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    url = reverse("billing_invoices:index")
    return [
        ToProcessLine(label=_("Factures à payer"), count=counts["total"], url=url, overdue=counts["overdue"],
                      overdue_url=f"{url}?{urlencode({'etat': billing.OVERDUE})}"),
        ToProcessLine(label=_("Avoirs à proposer"), count=billing.credit_proposals().count(),
                      url=reverse("billing_invoices:proposals")),
    ]


def to_process_lines(*, user, now=None) -> list[ToProcessLine] | None:
    """The lines of the queues `user` may work on (with a zero count too), or None when
    they may work on none."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return None
    now = now or timezone.now()
    accounts_line = _accounts_line(user=user, now=now)
    lines = [
        accounts_line,
        _demarches_line(user=user, now=now, accounts_shown=accounts_line is not None),
        _dossiers_line(user=user),
        _reconciliation_line(user=user),
        *_billing_lines(user=user, now=now),
    ]
    lines = [line for line in lines if line is not None]
    return lines or None


class ToProcessPanel(Component):
    """Admin home panel "À traiter"; renders nothing for agents without any queue."""

    name = "espace_citoyen_to_process"
    template_name = "portal/admin/to_process_panel.html"
    order = 50  # above Wagtail's own panels (workflows 210+, recent edits 250, locks 300)

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
        request = parent_context["request"]
        lines = to_process_lines(user=request.user)
        return {
            "request": request,
            "shown": lines is not None,
            "lines": [line for line in lines or [] if line.count],
        }

    def render_html(self, parent_context: Mapping[str, Any] | None = None) -> str:
        context = self.get_context_data(parent_context)
        if not context["shown"]:
            return ""
        return get_template(self.template_name).render(context)
