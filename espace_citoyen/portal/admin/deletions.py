"""Back office: "Suppressions de compte" — the deletion requests made in "Mes données"
(démarches of kind ACCOUNT_DELETION still open), each carried out by an agent with the
retention code (portal/retention.account_erase). Permission: accounts.delete_user."""

from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from espace_citoyen.core.agents import is_agent_account
from espace_citoyen.core.backoffice import PermissionRequiredViewMixin, PermissionViewSet, TitledPageMixin
from espace_citoyen.core.emails import send_templated_email
from espace_citoyen.demarches.models import Demarche, DemarcheKind

from ..retention import account_erase, account_erasure_summary

PERMISSION = "accounts.delete_user"
TITLE = _("Suppressions de compte")


def _requests():
    return Demarche.objects.filter(kind=DemarcheKind.ACCOUNT_DELETION).open().select_related("user")


class DeletionIndexView(PermissionRequiredViewMixin, TitledPageMixin, WagtailAdminTemplateMixin, TemplateView):
    permission_required = PERMISSION
    template_name = "portal/admin/deletions_index.html"
    page_title = TITLE
    header_icon = "bin"

    def get_context_data(self, **kwargs):
        return super().get_context_data(requests=_requests().order_by("created_at"), **kwargs)


class DeletionConfirmView(PermissionRequiredViewMixin, TitledPageMixin, WagtailAdminTemplateMixin, TemplateView):
    permission_required = PERMISSION
    template_name = "portal/admin/deletions_confirm.html"
    header_icon = "bin"

    def load_objects(self, request, **kwargs):
        self.demarche = get_object_or_404(_requests(), pk=kwargs["demarche_pk"])
        self.account = self.demarche.user

    def get_page_title(self):
        return f"Supprimer le compte de {self.account.get_full_name() or self.account.email}"

    def parent_breadcrumbs(self):
        return [(reverse("account_deletions:index"), TITLE)]

    def get_context_data(self, **kwargs):
        return super().get_context_data(demarche=self.demarche, account=self.account,
                                        refused=is_agent_account(self.account),
                                        summary=account_erasure_summary(user=self.account), **kwargs)

    def post(self, request, *args, **kwargs):
        if is_agent_account(self.account):
            messages.error(request, "Le compte d'un agent de la mairie ne se supprime pas ici.")
            return redirect("account_deletions:index")
        email, number = self.account.email, self.demarche.number
        send_templated_email(template="portal/emails/account_deleted", to=email,
                             context={"number": number, "first_name": self.account.first_name})
        account_erase(user=self.account, reason=f"deletion request {number} carried out by agent {request.user.pk}")
        messages.success(request, f"Le compte {email} a été supprimé (demande n° {number}) ; un courriel l'en informe.")
        return redirect("account_deletions:index")


class AccountDeletionViewSet(PermissionViewSet):
    name = "account_deletions"
    url_prefix = "espace-citoyen/suppressions-de-compte"
    icon = "bin"
    menu_label = TITLE
    permission_required = PERMISSION

    def get_urlpatterns(self):
        return [
            path("", DeletionIndexView.as_view(), name="index"),
            path("<int:demarche_pk>/", DeletionConfirmView.as_view(), name="confirm"),
        ]
