"""Citizen views of the document vault. Login is required (accounts waiting for
validation may use their vault); every object is fetched through a scoped selector, so
another account's document id answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods

from espace_citoyen.core.formats import format_size
from espace_citoyen.core.storage import private_file_response

from . import selectors, services
from .forms import DocumentEditForm, DocumentTransmitForm, DocumentTypeFilterForm, DocumentUploadForm

PAGE_SIZE = 20
INLINE_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'"


def _vault_context(user, used: int | None = None) -> dict:
    summary = selectors.vault_summary(user=user, used=used)
    return {
        "used_text": format_size(summary["used"]),
        "quota_text": format_size(summary["quota"]),
        **summary,
    }


@login_required
@require_GET
def document_list(request):
    filter_form = DocumentTypeFilterForm(request.GET or None)
    doc_type = filter_form.cleaned_data["type"] if filter_form.is_valid() else ""
    # The vault's number of documents and size in one query: without a filter, that number
    # is also the list's, which the paginator then does not count again.
    count, used = selectors.vault_totals(user=request.user)
    paginator = Paginator(selectors.documents_for(user=request.user, doc_type=doc_type), PAGE_SIZE)
    if not doc_type:
        paginator.count = count  # Paginator.count is a cached_property: set, it is not recounted
    page = paginator.get_page(request.GET.get("page"))
    today = timezone.localdate()
    for document in page.object_list:
        document.expiry = document.expiry_state(today)
    return render(request, "documents/list.html", {
        "items_page": page, "filter_form": filter_form, "doc_type": doc_type,
        "extra_query": f"type={doc_type}" if doc_type else "",
        "has_documents": count > 0,
        **_vault_context(request.user, used),
    })


@login_required
@require_http_methods(["GET", "POST"])
def document_upload(request):
    form = DocumentUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_upload(
                user=request.user, uploaded_file=form.cleaned_data["file"], doc_type=form.cleaned_data["doc_type"],
                label=form.cleaned_data["label"], valid_until=form.cleaned_data["valid_until"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, f"Le document « {document.label} » a été ajouté à votre espace.")
            return redirect("documents:list")
    return render(request, "documents/upload.html", {"form": form, **_vault_context(request.user)})


@login_required
@require_GET
def document_detail(request, pk: int):
    document = selectors.document_for(user=request.user, document_id=pk)
    document.expiry = document.expiry_state()
    transmissions = document.transmissions.select_related("demarche")
    return render(request, "documents/detail.html", {"document": document, "transmissions": transmissions})


def _serve(document, *, inline: bool) -> FileResponse:
    response = private_file_response(
        document.file, content_type=document.content_type, filename=document.original_filename, inline=inline
    )
    response["Content-Security-Policy"] = INLINE_CSP if inline else "sandbox; default-src 'none'"
    response["Referrer-Policy"] = "no-referrer"
    if not inline:
        response["X-Frame-Options"] = "DENY"
    return response


@login_required
@require_GET
def document_download(request, pk: int):
    return _serve(selectors.document_for(user=request.user, document_id=pk), inline=False)


@login_required
@require_GET
def document_inline(request, pk: int):
    response = _serve(selectors.document_for(user=request.user, document_id=pk), inline=True)
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def document_edit(request, pk: int):
    document = selectors.document_for(user=request.user, document_id=pk)
    initial = {"label": document.label, "doc_type": document.doc_type, "valid_until": document.valid_until}
    form = DocumentEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.document_update(user=request.user, document=document, **form.cleaned_data)
        messages.success(request, "Les informations du document ont été enregistrées.")
        return redirect("documents:detail", pk=document.pk)
    return render(request, "documents/edit.html", {"form": form, "document": document})


@login_required
@require_http_methods(["GET", "POST"])
def document_delete(request, pk: int):
    document = selectors.document_for(user=request.user, document_id=pk)
    open_transmissions = list(selectors.document_open_transmissions(document=document))
    if request.method == "POST":
        try:
            services.document_delete(user=request.user, document=document)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("documents:detail", pk=document.pk)
        messages.success(request, f"Le document « {document.label} » a été supprimé.")
        return redirect("documents:list")
    return render(request, "documents/delete.html", {"document": document, "open_transmissions": open_transmissions})


def _demarches_url() -> str:
    try:
        return reverse("demarches:list")
    except NoReverseMatch:
        return ""


@login_required
@require_http_methods(["GET", "POST"])
def document_transmit(request):
    initial_ids = [value for value in request.GET.getlist("document") if value.isdigit()]
    form = DocumentTransmitForm(request.POST or None, user=request.user, initial={"documents": initial_ids})
    if request.method == "POST" and form.is_valid():
        demarche = services.documents_transmit(
            user=request.user, documents=list(form.cleaned_data["documents"]), service=form.cleaned_data["service"],
            message=form.cleaned_data["message"],
        )
        history = _demarches_url()
        text = f"Vos documents ont été transmis au service {demarche.transmission.get_service_display()} (démarche n° {demarche.number})."
        if history:
            messages.success(request, format_html('{} <a href="{}">Suivre mes démarches</a>', text, history))
        else:
            messages.success(request, text)
        return redirect("documents:list")
    return render(request, "documents/transmit.html", {
        "form": form, "has_documents": selectors.documents_for(user=request.user).exists(),
    })
