"""Citizen pages: the history of my démarches and one démarche with its timeline.
Pending accounts see them too (their account creation is their first démarche)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import selectors, services
from .forms import DemarcheFilterForm, DemarcheReplyForm
from .models import DemarcheStatus

PAGE_SIZE = 20


@login_required
def demarche_list(request):
    form = DemarcheFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {"status": "", "kind": ""}
    queryset = selectors.demarches_for(user=request.user, **filters)
    items_page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    extra = request.GET.copy()
    extra.pop("page", None)
    return render(request, "demarches/demarche_list.html", {
        "form": form,
        "items_page": items_page,
        "extra_query": extra.urlencode(),
        "filtered": any(filters.values()),
        "has_any": items_page.paginator.count > 0 or selectors.demarches_for(user=request.user).exists(),
    })


@login_required
def demarche_detail(request, number):
    demarche = selectors.demarche_for(user=request.user, number=number)
    reply_form = None
    if demarche.status == DemarcheStatus.TO_COMPLETE:
        reply_form = DemarcheReplyForm(request.POST or None)
        if request.method == "POST" and reply_form.is_valid():
            try:
                services.demarche_citizen_reply(
                    demarche=demarche, user=request.user, message=reply_form.cleaned_data["message"],
                )
            except ValidationError as exc:
                reply_form.add_error("message", exc.messages[0])
            else:
                messages.success(
                    request, _("Votre réponse est envoyée au service : la démarche est de nouveau « Envoyée »."),
                )
                return redirect("demarches:detail", number=demarche.number)
    elif request.method == "POST":
        messages.error(request, _("Cette démarche n'attend plus de complément de votre part."))
        return redirect("demarches:detail", number=demarche.number)
    return render(request, "demarches/demarche_detail.html", {
        "demarche": demarche,
        "events": selectors.demarche_timeline(demarche=demarche),
        "documents": selectors.demarche_transmitted_documents(demarche=demarche),
        "reply_form": reply_form,
    }, status=400 if reply_form is not None and reply_form.errors else 200)
