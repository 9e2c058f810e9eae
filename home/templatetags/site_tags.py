from django import template
from wagtail.models import Page, Site

from home.page_cache import cached_fragment, public

register = template.Library()

# Markers of per-request content that must never be stored in a shared fragment.
_PER_REQUEST_MARKERS = ("csrfmiddlewaretoken", "nonce=")


class PageFragmentNode(template.Node):
    def __init__(self, nodelist, name, parts):
        self.nodelist, self.name, self.parts = nodelist, name, parts

    def render(self, context):
        request = context.get("request")
        if request is None or getattr(request, "is_preview", False):
            return self.nodelist.render(context)  # a draft is never stored, nor served the live copy
        parts = [part.resolve(context) for part in self.parts]
        return cached_fragment(
            f"html-{self.name.resolve(context)}", lambda: self.nodelist.render(context), *parts,
            storable=lambda html: not any(marker in html for marker in _PER_REQUEST_MARKERS))


@register.tag
def pagefragment(parser, token):
    """{% pagefragment "name" part... %}…{% endpagefragment %}: the enclosed HTML rendered once
    per page-cache generation and `parts` (a page's id), then read from the shared cache, for
    logged-in visitors too. Only for content that is the same for every visitor: never
    anything about the user, a CSRF token or a CSP nonce (such output is not stored). An
    editor's preview always renders afresh."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% pagefragment %} needs a name")
    nodelist = parser.parse(("endpagefragment",))
    parser.delete_first_token()
    return PageFragmentNode(nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]])


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
        # Read once per cache generation (a publication, a move... bumps it) and site, with
        # each link's URL as {% pageurl %} writes it for this site.
        def entries():
            pages = public(root.get_children().live().in_menu()).only("id", "title", "url_path", "path")
            return [{"id": page.id, "title": page.title, "path": page.path, "url": page.get_url(request)}
                    for page in pages]

        for entry in cached_fragment("main-menu", entries, root.pk, Site.find_for_request(request).pk):
            active = bool(current and isinstance(current, Page) and current.path.startswith(entry["path"]))
            items.append({**entry, "active": active, "current": bool(current and current.id == entry["id"])})
    return {"items": items, "request": request}


@register.inclusion_tag("includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context):
    page = context.get("page")
    request = context.get("request")
    root = _site_root(request)
    if not isinstance(page, Page) or root is None or page.id == root.id:
        return {"ancestors": [], "page": page}
    def trail():
        return list(Page.objects.ancestor_of(page).filter(depth__gte=root.depth).live().order_by("depth")
                    .only("id", "title", "url_path", "depth", "path"))

    if getattr(request, "is_preview", False):  # a page not yet published has no cached trail
        ancestors = trail()
    else:
        ancestors = cached_fragment("breadcrumbs", trail, page.pk, root.pk)
    return {"ancestors": ancestors, "page": page, "request": request}
