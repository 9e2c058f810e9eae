"""Mes coordonnées: address, phones, preferred contact, and the change of the login address."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from espace_citoyen.core.throttle import over_limit

from .. import services
from ..forms import ContactDetailsForm, ReauthenticationForm
from ..models import Profile, normalize_email_address
from ..tokens import EMAIL_CHANGE_DAYS, email_change_read_token

logger = logging.getLogger("espace_citoyen.accounts")


def _contact_initial(user) -> dict:
    profile = Profile.objects.filter(user=user).first() or Profile(user=user)
    initial = {name: getattr(profile, name) for name in services.CONTACT_FIELDS}
    initial["email"] = user.email
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def contact_details(request):
    """Address, phones, preferred contact (saved at once) and the login address (replaced
    only once the link sent to the new address is followed, and asked only with the password
    – and second factor – proved again, see reauth.py). Pending accounts allowed."""

    user = request.user
    if request.method == "POST":
        form = ContactDetailsForm(request.POST, initial=_contact_initial(user))
        reauth_form = ReauthenticationForm(request.POST, request=request)
        if (form.is_valid() and form.cleaned_data["email"] != normalize_email_address(user.email)
                and not reauth_form.is_valid()):
            # Nothing saved nor sent: the form is shown again with what was typed.
            form.add_error("email", _("Pour changer d'adresse de connexion, confirmez votre identité plus bas."))
        if (form.is_valid() and form.cleaned_data["email"] != normalize_email_address(user.email)
                and over_limit(request, "email_change_user", str(user.pk))):
            # Nothing saved nor sent: the form is shown again with what was typed.
            logger.warning("e-mail change refused: rate limit exceeded user=%s", user.pk)
            form.add_error("email", _(
                "Trop de demandes de changement d'adresse aujourd'hui : réessayez demain."
            ))
        if form.is_valid():
            data = form.cleaned_data
            changed = services.contact_details_update(
                user=user, details={name: data[name] for name in services.CONTACT_FIELDS},
            )
            if changed:
                messages.success(request, _("Vos coordonnées sont enregistrées."))
            if data["email"] != normalize_email_address(user.email):
                reauth_form.confirm()
                services.email_change_request(user=user, new_email=data["email"])
                messages.info(request, _(
                    "Nous avons envoyé un lien de confirmation à %(email)s. Votre adresse actuelle reste votre "
                    "identifiant tant que ce lien n'a pas été ouvert (il est valable %(days)s jours)."
                ) % {"email": data["email"], "days": EMAIL_CHANGE_DAYS})
            elif not changed:
                messages.info(request, _("Aucune modification : vos coordonnées étaient déjà à jour."))
            return redirect("accounts:contact_details")
    else:
        form = ContactDetailsForm(initial=_contact_initial(user))
        reauth_form = ReauthenticationForm(request=request)
    return render(request, "accounts/contact/details.html", {
        "form": form, "reauth_form": reauth_form, "pending_email_change": services.email_change_pending(user=user),
        "days": EMAIL_CHANGE_DAYS,
    })


@require_http_methods(["GET", "POST"])
def email_change_confirm(request, token):
    """Link of the e-mail sent to the new address: a page with one button (mail scanners
    that open links do not change anything), then the change (services.email_change_confirm)."""

    payload = email_change_read_token(token)
    if request.method == "POST" and payload is not None:
        try:
            user = services.email_change_confirm(token=token)
        except services.EmailChangeError as error:
            response = render(request, "accounts/contact/email_change_invalid.html",
                              {"reason": str(error)}, status=400)
        else:
            messages.success(request, _("Votre adresse e-mail est maintenant %(email)s. Utilisez-la pour vous "
                                        "connecter.") % {"email": user.email})
            response = redirect("accounts:contact_details" if request.user.is_authenticated else "accounts:login")
    elif payload is None:
        response = render(request, "accounts/contact/email_change_invalid.html", {
            "reason": _("Ce lien n'est plus valable : il a expiré, a déjà servi ou une demande plus récente l'a "
                        "remplacé."),
        }, status=400)
    else:
        response = render(request, "accounts/contact/email_change_confirm.html", {"new_email": payload["n"]})
    return response
