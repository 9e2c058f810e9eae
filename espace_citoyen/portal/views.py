from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def dashboard(request):
    # Placeholder: greets the user and links to the account pages. The real dashboard
    # (children, bookings, invoices, messages) belongs to its own issue.
    return render(request, "portal/dashboard.html", _account_status_context(request.user))


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
