"""Back office of the Portail Famille import: the upload form with the last runs, and one
run's page (progress while it runs in the background, then its report)."""

import filetype
from django import forms
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from espace_citoyen.core.backoffice import PermissionRequiredViewMixin, PermissionViewSet, TitledPageMixin

from .. import selectors
from ..csv_text import UnreadableEncoding, decode_csv
from ..models import LegacyImportStatus
from ..report import ImportReport
from ..services import runs, uploads

MAX_IMPORT_SIZE = 5 * 1024 * 1024  # 5 Mo
IMPORT_PERMISSION = "accounts.import_portail_famille"


class PortailFamilleImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV du Portail Famille"),
        help_text=_("CSV séparateur point-virgule, enregistré par Excel en « CSV UTF-8 » ou « CSV (séparateur : "
                    "point-virgule) », 5 Mo au plus (format décrit dans docs/legacy-import.md)."),
        error_messages={"required": _("Choisissez le fichier CSV à importer."), "empty": _("Le fichier envoyé est vide.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    dry_run = forms.BooleanField(
        label=_("Simulation"),
        required=False,
        initial=True,
        help_text=_("Cochée : montre ce qui changerait, sans rien enregistrer ni envoyer de courriel."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_SIZE:
            raise forms.ValidationError(_("Le fichier dépasse 5 Mo : découpez-le en plusieurs fichiers."))
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(_("Le fichier doit être au format CSV (extension .csv)."))
        data = upload.read()
        kind = filetype.guess(data[:8192])
        if kind is not None or b"\x00" in data[:8192]:
            raise forms.ValidationError(
                _("Ce fichier n'est pas un CSV texte (tableur ou fichier binaire ?). Enregistrez-le au format « CSV UTF-8 » avec le point-virgule comme séparateur.")
            )
        try:
            decode_csv(data)  # UTF-8, else Windows-1252 (csv_text.py)
        except UnreadableEncoding:
            raise forms.ValidationError(
                _("Le fichier n'est pas encodé en UTF-8. Enregistrez-le au format « CSV UTF-8 ».")
            ) from None
        self.cleaned_data["data"] = data
        return upload


class PortailFamilleImportView(PermissionRequiredViewMixin, TitledPageMixin, WagtailAdminTemplateMixin, FormView):
    """Upload form and the last runs. The import itself runs in the background
    (services.uploads.legacy_import_enqueue → tasks.run_legacy_import); the agent follows it on the
    run page (LegacyImportRunView)."""

    permission_required = IMPORT_PERMISSION
    form_class = PortailFamilleImportForm
    template_name = "portail_famille/admin/import_portail_famille.html"
    page_title = _("Importer le Portail Famille")
    header_icon = "upload"

    def get_context_data(self, **kwargs):
        runs.legacy_import_close_stalled()
        context = super().get_context_data(**kwargs)
        context["runs"] = [
            (run, *selectors.legacy_import_progress(run)) for run in selectors.legacy_import_runs(limit=10)
        ]
        return context

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        dry_run = form.cleaned_data["dry_run"]
        run = uploads.legacy_import_enqueue(
            data=form.cleaned_data["data"], filename=upload.name, actor=self.request.user, dry_run=dry_run,
        )
        if dry_run:
            message = _("Simulation lancée : %(filename)s. Cette page suit son avancement.")
        else:
            message = _("Import lancé : %(filename)s. Cette page suit son avancement.")
        messages.success(self.request, message % {"filename": run.original_filename})
        return redirect("portail_famille_import:run", pk=run.pk)


class LegacyImportRunView(PermissionRequiredViewMixin, TitledPageMixin, WagtailAdminTemplateMixin, TemplateView):
    """One import run: progress while it is queued or running (the page refreshes its status
    every 3 seconds), then the report, or the error. Any agent with the import permission
    may follow any run."""

    permission_required = IMPORT_PERMISSION
    template_name = "portail_famille/admin/import_portail_famille_run.html"
    header_icon = "upload"

    def load_objects(self, request, **kwargs):
        runs.legacy_import_close_stalled()
        self.run = selectors.legacy_import_run_get(pk=kwargs["pk"])
        if self.run is None:
            raise Http404

    def get_page_title(self):
        return _("Simulation d'import") if self.run.dry_run else _("Import du Portail Famille")

    def get_page_subtitle(self):
        return self.run.original_filename

    def parent_breadcrumbs(self):
        return [(reverse("portail_famille_import:index"), PortailFamilleImportView.page_title)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        done, total = selectors.legacy_import_progress(self.run)
        context.update(
            run=self.run,
            done=done,
            total=total,
            is_queued=self.run.status == LegacyImportStatus.QUEUED,
            is_failed=self.run.status == LegacyImportStatus.FAILED,
            report=ImportReport.from_dict(self.run.report)
            if self.run.status == LegacyImportStatus.DONE else None,
        )
        return context



class PortailFamilleImportViewSet(PermissionViewSet):
    name = "portail_famille_import"
    url_prefix = "espace-citoyen/import-portail-famille"
    icon = "upload"
    menu_label = _("Importer le Portail Famille")
    permission_required = IMPORT_PERMISSION

    def get_urlpatterns(self):
        return [
            path("", PortailFamilleImportView.as_view(), name="index"),
            path("<int:pk>/", LegacyImportRunView.as_view(), name="run"),
        ]
