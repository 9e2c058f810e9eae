from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .selectors import dashboard_for


@login_required
def dashboard(request):
    """Tableau de bord: one tile per feature of the space, the members of the family, and
    for a pending or refused account its validation status instead of the family features."""
    context = {"dashboard": dashboard_for(user=request.user), **_account_status_context(request.user)}
    return render(request, "portal/dashboard.html", context)


def _account_status_context(user) -> dict:
    """A pending or refused account sees its validation status (and deadline) instead of
    the family features (see accounts.decorators.validated_account_required)."""
    from espace_citoyen.core.business_calendar import format_deadline

    if user.is_validated:
        return {}
    return {
        "account_status_notice": True,
        "validation_deadline": format_deadline(user.validation_due_at) if user.validation_due_at else "",
    }
