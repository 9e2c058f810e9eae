"""'Signaler une absence': a parent reports the child absent on today or a coming day whose
booking deadline is past (services/absences.py). The child comes through
``family.selectors.child_for`` (another household's child is a 404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from espace_citoyen.accounts.decorators import validated_account_required
from espace_citoyen.core.business_calendar import format_day
from espace_citoyen.documents.models import DocumentType
from espace_citoyen.documents.selectors import documents_for
from espace_citoyen.documents.services import document_upload
from espace_citoyen.family import selectors as family_selectors

from ..forms_agenda import AbsenceForm
from ..services.absences import absence_report, reportable_reservations
from .agenda import _parse_day


@validated_account_required
def report(request, child_id: int, day: str):
    child = family_selectors.child_for(user=request.user, child_id=child_id)
    date = _parse_day(day)
    if date is None:
        raise Http404("Jour invalide.")
    agenda = reverse("activities:agenda", args=[child.pk]) + f"?jour={date.isoformat()}"
    reservations = reportable_reservations(child=child, day=date)
    if not reservations:
        messages.error(request, _(
            "Aucune absence ne peut être signalée pour %(child)s le %(day)s : seules les journées réservées "
            "d'aujourd'hui et des jours à venir dont le délai de modification est dépassé le peuvent. Avant ce "
            "délai, annulez la réservation.") % {"child": child.first_name, "day": format_day(date)})
        return redirect(agenda)
    certificates = documents_for(user=request.user, doc_type=DocumentType.MEDICAL_CERTIFICATE).order_by("-uploaded_at")
    if request.method == "POST":
        form = AbsenceForm(request.POST, request.FILES, reservations=reservations, certificates=certificates)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    certificate = data["certificate"]
                    if data.get("new_certificate"):
                        certificate = document_upload(
                            user=request.user, uploaded_file=data["new_certificate"],
                            doc_type=DocumentType.MEDICAL_CERTIFICATE,
                            label=_("Certificat médical de %(child)s (%(day)s)")
                            % {"child": child.first_name, "day": f"{date:%d/%m/%Y}"})
                    absence_report(child=child, reservations=form.selected_reservations(), actor=request.user,
                                   reason=data["reason"], details=data["details"], certificate=certificate)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                message = (_("L'absence de %(child)s le %(day)s est signalée au Pôle scolaire avec le certificat "
                               "médical. Un accusé de réception vous est envoyé par e-mail.") if certificate else
                           _("L'absence de %(child)s le %(day)s est signalée au Pôle scolaire. Un accusé de "
                             "réception vous est envoyé par e-mail."))
                messages.success(request, message % {"child": child.first_name, "day": format_day(date)})
                return redirect(agenda)
    else:
        form = AbsenceForm(initial={"reservations": [r.pk for r in reservations]}, reservations=reservations,
                           certificates=certificates)
    already = [r for r in reservations if getattr(r, "absence_report", None) is not None]
    return render(request, "activities/absence_form.html", {
        "child": child, "day": date, "form": form, "agenda_url": agenda, "already": already,
        "has_certificates": certificates.exists(),
    })
