from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from espace_citoyen.accounts.forms import AccountDeletionRequestForm
from espace_citoyen.accounts.services import account_deletion_request
from espace_citoyen.core.business_calendar import format_deadline
from espace_citoyen.demarches.selectors import open_deletion_request_for

from .data_export import personal_data_zip
from .selectors import cached_dashboard_for


@login_required
def dashboard(request):
    """Tableau de bord: one tile per feature of the space, the members of the family, and
    for a pending or refused account its validation status instead of the family features."""
    context = {"dashboard": cached_dashboard_for(user=request.user), **_account_status_context(request.user)}
    return render(request, "portal/dashboard.html", context)


def _account_status_context(user) -> dict:
    """A pending or refused account sees its validation status (and deadline) instead of
    the family features (see accounts.decorators.validated_account_required)."""
    if user.is_validated:
        return {}
    return {
        "account_status_notice": True,
        "validation_deadline": format_deadline(user.validation_due_at) if user.validation_due_at else "",
    }


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request):
    """Mes données (RGPD): download all my data, and request the deletion of my account
    (a démarche for the Service Relations à la Population)."""
    form = AccountDeletionRequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        demarche = account_deletion_request(user=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("Votre demande de suppression est enregistrée sous le numéro %(number)s. "
                                    "Le Service Relations à la Population vous répondra.") % {"number": demarche.number})
        return redirect("portal:my_data")
    return render(request, "portal/my_data.html", {
        "form": form, "open_request": open_deletion_request_for(user=request.user),
    })


@login_required
def my_data_download(request):
    """A ZIP: donnees.json (every record linked to me or my household) and my files."""
    response = HttpResponse(personal_data_zip(user=request.user), content_type="application/zip")
    filename = f"mes-donnees-villennes-{timezone.localdate():%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
