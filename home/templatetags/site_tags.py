from django import template
from wagtail.models import Page, Site

from home.page_cache import cached_fragment, public

register = template.Library()


def _site_root(request):
    site = Site.find_for_request(request) if request is not None else None
    return site.root_page if site else None


@register.inclusion_tag("includes/main_menu.html", takes_context=True)
def main_menu(context):
    request = context.get("request")
    root = _site_root(request)
    current = context.get("page")
    items = []
    if root is not None:
        # Read once per cache generation (a publication, a move... bumps it).
        pages = cached_fragment("main-menu", lambda: list(
            public(root.get_children().live().in_menu()).only("id", "title", "url_path", "path")), root.pk)
        for item in pages:
            active = bool(current and isinstance(current, Page) and current.path.startswith(item.path))
            items.append({"page": item, "active": active, "current": bool(current and current.id == item.id)})
    return {"items": items, "request": request}


@register.inclusion_tag("includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context):
    page = context.get("page")
    request = context.get("request")
    root = _site_root(request)
    if not isinstance(page, Page) or root is None or page.id == root.id:
        return {"ancestors": [], "page": page}
    ancestors = Page.objects.ancestor_of(page).filter(depth__gte=root.depth).live().order_by("depth")
    return {"ancestors": list(ancestors), "page": page, "request": request}
