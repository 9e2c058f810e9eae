"""Family pages of the citizen space. Every object comes through a selector scoped to the
caller (another household's child or invitation gives 404); every change goes through
services.py and needs a validated account (a pending account may only look)."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from espace_citoyen.accounts.decorators import validated_account_required
from espace_citoyen.core.storage import private_file_response
from espace_citoyen.core.throttle import over_limit

from . import selectors, services
from .forms import ChildForm, InvitationForm, persons_formset
from .models import Child

logger = logging.getLogger("espace_citoyen.family")

ADD_PERSON_BUTTON = "ajouter_personne"


def _sent_notice(demarche) -> str:
    return (f"Votre demande a été transmise au Pôle scolaire, qui vérifiera la modification "
            f"(démarche n° {demarche.number}). Vous pouvez la suivre dans l'historique de vos démarches.")


@login_required
def household(request):
    context = selectors.household_page_for(user=request.user)
    context["can_leave"] = len(context["adults"]) > 1
    return render(request, "family/household.html", context)


def _suppress_errors(form, formset) -> None:
    """Re-render bound forms with what was typed, without validating them (the
    "Ajouter une personne" button is not a submission)."""
    form._errors = ErrorDict()
    for row in formset.forms:
        row._errors = ErrorDict()
    formset._errors = [row._errors for row in formset.forms]
    formset._non_form_errors = formset.error_class()


def _child_form_page(request, *, child: Child | None):
    notice = ""
    if request.method == "POST":
        form = ChildForm(request.POST, request.FILES, instance=child or Child())
        add_row = ADD_PERSON_BUTTON in request.POST
        formset = persons_formset(request.POST, add_row=add_row)
        if add_row:
            _suppress_errors(form, formset)
            notice = "Une ligne a été ajoutée : complétez-la puis enregistrez."
            if request.FILES.get("photo"):
                notice += " Pour des raisons de sécurité, choisissez à nouveau la photo avant d'enregistrer."
        else:
            form_ok = form.is_valid()
            formset_ok = formset.is_valid()
            if form_ok and formset_ok:
                try:
                    if child is None:
                        child, demarche = services.child_add(
                            user=request.user, data=form.child_data(), persons=formset.persons(),
                            photo=form.cleaned_data.get("photo"),
                        )
                        messages.success(request, f"{child.first_name} a été ajouté(e) à votre famille. "
                                                  + _sent_notice(demarche))
                    else:
                        demarche = services.child_update(
                            user=request.user, child=child, data=form.child_data(), persons=formset.persons(),
                            photo=form.cleaned_data.get("photo"),
                            remove_photo=bool(form.cleaned_data.get("remove_photo")),
                        )
                        messages.success(
                            request,
                            "Les informations de l'enfant ont été enregistrées. " + _sent_notice(demarche)
                            if demarche else "Aucune information n'a changé.",
                        )
                    return redirect("family:child_detail", child_id=child.pk)
                except ValidationError as error:
                    form.add_error(None, error)
    else:
        form = ChildForm(instance=child)
        formset = persons_formset(child=child)
    has_errors = bool(form.errors) or any(row.errors for row in formset.forms) or bool(formset.non_form_errors())
    context = {"form": form, "formset": formset, "child": child, "notice": notice, "has_errors": has_errors,
               "add_person_button": ADD_PERSON_BUTTON}
    return render(request, "family/child_form.html", context)


@validated_account_required
def child_add(request):
    return _child_form_page(request, child=None)


@validated_account_required
def child_edit(request, child_id: int):
    child = selectors.child_with_persons_for(user=request.user, child_id=child_id)
    return _child_form_page(request, child=child)


@login_required
def child_detail(request, child_id: int):
    child = selectors.child_with_persons_for(user=request.user, child_id=child_id)
    return render(request, "family/child_detail.html", {"child": child})


@login_required
def child_photo(request, child_id: int):
    """The child's photo, only for the adults of its household; never cached."""
    child = selectors.child_for(user=request.user, child_id=child_id)
    if not child.photo:
        raise Http404
    # Photos are re-encoded as JPEG when uploaded (core.validation.process_photo).
    return private_file_response(child.photo, content_type="image/jpeg", filename=f"photo-{child.pk}.jpg")


@validated_account_required
def child_remove(request, child_id: int):
    child = selectors.child_for(user=request.user, child_id=child_id)
    if request.method == "POST":
        name = f"{child.first_name} {child.last_name}"
        demarche = services.child_remove(user=request.user, child=child)
        messages.success(request, f"{name} a été retiré(e) de votre famille. " + _sent_notice(demarche))
        return redirect("family:household")
    return render(request, "family/child_remove.html", {"child": child})


@validated_account_required
def invite(request):
    if request.method == "POST":
        form = InvitationForm(request.POST)
        if form.is_valid() and over_limit(request, "invitation_user", str(request.user.pk)):
            # Nothing sent; the form is shown again with the address typed.
            logger.warning("invitation refused: rate limit exceeded user=%s", request.user.pk)
            form.add_error("email", "Vous avez envoyé trop d'invitations aujourd'hui : réessayez demain.")
        if form.is_valid():
            try:
                invitation = services.invitation_send(
                    user=request.user, email=form.cleaned_data["email"],
                    accept_url=lambda token: request.build_absolute_uri(
                        reverse("family:invitation_accept", kwargs={"token": token})),
                )
            except ValidationError as error:
                form.add_error("email", error)
            else:
                messages.success(request, f"Une invitation a été envoyée à {invitation.email}. "
                                          "Le lien est valable 7 jours.")
                return redirect("family:household")
    else:
        form = InvitationForm()
    return render(request, "family/invite.html", {"form": form})


@require_POST
@validated_account_required
def invitation_cancel(request, invitation_id: int):
    invitation = selectors.pending_invitation_for(user=request.user, invitation_id=invitation_id)
    services.invitation_cancel(user=request.user, invitation=invitation)
    messages.success(request, f"L'invitation envoyée à {invitation.email} a été annulée.")
    return redirect("family:household")


def _invalid_invitation(request, reason: str):
    return render(request, "family/invitation_invalid.html", {"reason": reason}, status=404)


def invitation_accept(request, token: str):
    """The link of the invitation e-mail. Anonymous visitors are asked to log in (or to
    create their account first); the invited account then joins the household."""
    invitation = selectors.invitation_by_token(token=token)
    if invitation is None:
        return _invalid_invitation(request, "Ce lien d'invitation n'est pas valable. Vérifiez qu'il est complet.")
    if not request.user.is_authenticated:
        if not invitation.is_pending:
            return _invalid_invitation(request, "Ce lien d'invitation n'est plus valable (déjà utilisé, annulé ou "
                                                "expiré). Demandez à l'autre parent de vous en envoyer un nouveau.")
        context = {"invitation": invitation, "login_url": f"{reverse('accounts:login')}?next={request.path}"}
        return render(request, "family/invitation_login.html", context)
    reason = services.invitation_refusal_reason(user=request.user, invitation=invitation)
    if reason and (not invitation.is_pending or request.user.email.lower() != invitation.email.lower()):
        return _invalid_invitation(request, reason)
    if request.method == "POST" and not reason:
        try:
            demarche = services.invitation_accept(user=request.user, invitation=invitation)
        except ValidationError as error:
            return _invalid_invitation(request, " ".join(error.messages))
        messages.success(request, "Vous avez rejoint le foyer : vous voyez maintenant les mêmes enfants que "
                                  "l'autre parent. " + _sent_notice(demarche))
        return redirect("family:household")
    return render(request, "family/invitation_accept.html", {"invitation": invitation, "reason": reason})


@validated_account_required
def leave(request):
    context = selectors.household_page_for(user=request.user)
    if context["household"] is None:
        raise Http404
    others = [m for m in context["adults"] if m.user_id != request.user.pk]
    if request.method == "POST" and others:
        try:
            demarche = services.household_leave(user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("family:household")
        messages.success(request, "Vous avez quitté le foyer. " + _sent_notice(demarche))
        return redirect("family:household")
    return render(request, "family/leave.html", {"others": others})
