"""Access rules of the citizen space that depend on the account's status.

Only a validated account ("Validé") may register children, book and pay. An account
waiting for validation (or refused) logs in, sees its status, edits its details and uses
its document vault, but family, booking and payment views answer with a French page 403.
Use `@validated_account_required` on the views.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from espace_citoyen.core.business_calendar import format_deadline


def account_not_validated_response(request):
    user = request.user
    context = {
        "account": user,
        "deadline": format_deadline(user.validation_due_at) if user.validation_due_at else "",
    }
    return render(request, "accounts/signup/not_validated.html", context, status=403)


def validated_account_required(view_func):
    """Login required, then a validated account; otherwise the 403 "en attente" page."""

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_validated:
            return account_not_validated_response(request)
        return view_func(request, *args, **kwargs)

    return login_required(wrapper)
