"""Registration dossiers of the citizen space: the household's list for the current
campaign and one child's dossier for a school year (save as draft, come back, submit)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from espace_citoyen.accounts.decorators import validated_account_required
from espace_citoyen.documents.services import document_upload
from espace_citoyen.family.selectors import child_with_persons_for

from ..forms import DossierForm
from ..selectors import dossiers as selectors
from ..services import dossiers as services


@validated_account_required
def dossier_list(request):
    campaign = selectors.current_campaign()
    context = {"campaign": campaign, "rows": [], "state": None}
    if campaign is not None:
        context["state"] = selectors.campaign_state(school_year=campaign.school_year)
        context["rows"] = selectors.dossiers_overview_for(user=request.user, school_year=campaign.school_year)
    return render(request, "activities/dossier_list.html", context)


@validated_account_required
def dossier_edit(request, child_id: int, school_year_label: str):
    child = child_with_persons_for(user=request.user, child_id=child_id)
    school_year = selectors.school_year_by_label(label=school_year_label)
    state = selectors.campaign_state(school_year=school_year)
    dossier = selectors.dossier_for(child=child, school_year=school_year)
    if not selectors.parent_can_edit(dossier=dossier, state=state):
        context = {"child": child, "school_year": school_year, "state": state, "dossier": dossier,
                   "progress": selectors.dossier_progress(dossier=dossier, child=child) if dossier else None}
        return render(request, "activities/dossier_readonly.html", context)

    if dossier is None:
        dossier = services.dossier_get_or_create(user=request.user, child=child, school_year=school_year)
    missing = []
    if request.method == "POST":
        form = DossierForm(request.POST, request.FILES, user=request.user, child=child, school_year=school_year,
                          dossier=dossier)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    documents = list(data["documents"])
                    if data.get("new_file"):
                        documents.append(document_upload(
                            user=request.user, uploaded_file=data["new_file"], doc_type=data["new_doc_type"],
                            label=data["new_label"]))
                    dossier = services.dossier_save(
                        user=request.user, dossier=dossier, activities=list(data["activities"]),
                        health_notes=data["health_notes"], health_confirmed=data["health_confirmed"],
                        photo_consent=data["photo_consent"], may_leave_alone=data["may_leave_alone"],
                        emergency_care_consent=data["emergency_care_consent"], documents=documents)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if "submit" not in request.POST:
                    messages.success(request, _("Votre dossier est enregistré. Vous pouvez revenir le compléter "
                                                "jusqu'à la date limite."))
                    return redirect(request.path)
                try:
                    sent = services.dossier_submit(user=request.user, dossier=dossier)
                except ValidationError as error:
                    missing = error.messages
                else:
                    messages.success(request, _("Votre dossier est envoyé au Pôle scolaire (démarche n° %(number)s).")
                                     % {"number": sent.demarche.number})
                    return redirect("activities:dossier_list")
                # Saved but incomplete: show the form from what was saved.
                form = DossierForm(initial=DossierForm.initial_for(dossier, child), user=request.user, child=child,
                                   school_year=school_year, dossier=dossier)
    else:
        form = DossierForm(initial=DossierForm.initial_for(dossier, child), user=request.user, child=child,
                           school_year=school_year, dossier=dossier)
    previous = selectors.previous_dossier(child=child, school_year=school_year)
    expired_previous = []
    if previous is not None and dossier.status == "draft":
        _usable, expired_previous = selectors.reusable_documents(user=request.user,
                                                                 documents=list(previous.documents.all()))
    context = {
        "child": child, "school_year": school_year, "state": state, "dossier": dossier, "form": form,
        "missing": missing, "progress": selectors.dossier_progress(dossier=dossier, child=child),
        "required_documents": selectors.required_documents(activities=form.offered),
        "previous": previous,
        "expired_previous_documents": expired_previous,
        "radio_fields": [form[name] for name in DossierForm.RADIO_FIELDS],
    }
    return render(request, "activities/dossier_form.html", context)
