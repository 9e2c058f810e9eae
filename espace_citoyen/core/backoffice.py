"""Shared pieces of the "Espace citoyen" back office (Wagtail admin)."""

from django.utils.functional import cached_property
from wagtail.admin.auth import permission_denied
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet


class GuardedViewSet(ViewSet):
    """A back-office ViewSet of the "Espace citoyen" menu group whose menu item is shown
    only to whoever may use it (``is_shown``). The views still check on their own."""

    add_to_admin_menu = False

    def is_shown(self, request) -> bool:
        raise NotImplementedError

    @cached_property
    def menu_item_class(self):
        viewset = self

        class GuardedMenuItem(MenuItem):
            def is_shown(self, request):
                return viewset.is_shown(request)

        return GuardedMenuItem


class PermissionViewSet(GuardedViewSet):
    """Shown to users holding ``permission_required`` (superusers hold every permission)."""

    permission_required = ""

    def is_shown(self, request) -> bool:
        return request.user.has_perm(self.permission_required)


class ListingQuerysetMixin:
    """For a Wagtail ModelViewSet: the listing (and its exports) reads ``listing_queryset()``,
    where the joins its columns need belong. Wagtail 8's ModelViewSet has no
    ``get_queryset(request)`` hook (only SnippetViewSet has): the index view takes a queryset."""

    def listing_queryset(self):
        return None

    def get_index_view_kwargs(self, **kwargs):
        queryset = self.listing_queryset()
        if queryset is not None:
            kwargs.setdefault("queryset", queryset)
        return super().get_index_view_kwargs(**kwargs)


class GuardedViewMixin:
    """A back-office view refused (Wagtail's ``permission_denied``) to whoever may not use it
    (``may_use``). The guard runs first; only then ``load_objects`` fetches what the URL names,
    so that an id of nothing and an id of something are refused alike."""

    def may_use(self, request) -> bool:
        raise NotImplementedError

    def load_objects(self, request, **kwargs) -> None:
        """Fetch the objects the URL names (404 when missing); called after the guard."""

    def dispatch(self, request, *args, **kwargs):
        if not self.may_use(request):
            return permission_denied(request)
        self.load_objects(request, **kwargs)
        return super().dispatch(request, *args, **kwargs)


class PermissionRequiredViewMixin(GuardedViewMixin):
    """Used by holders of ``permission_required`` (superusers hold every permission)."""

    permission_required = ""

    def may_use(self, request) -> bool:
        return request.user.has_perm(self.permission_required)


class TitledPageMixin:
    """For a template view of Wagtail's admin (``WagtailAdminTemplateMixin``): the page's title
    as the last of the breadcrumbs, under the pages above it (``parent_breadcrumbs``: (url,
    label) pairs). Wagtail's slim header shows the breadcrumbs, not ``page_title``: without
    this, the header says only "Accueil" and the page has no heading."""

    def parent_breadcrumbs(self) -> list[tuple[str, str]]:
        return []

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": url, "label": label} for url, label in self.parent_breadcrumbs()] + [
            {"url": "", "label": self.get_page_title()}]
