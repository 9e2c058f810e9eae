from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from wagtail.models import Page, Site

from news.models import hidden_page_ids

from .highlight import highlight_excerpt

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


def page_text(page) -> str:
    """The readable text of a page, for its result summary."""
    parts = [page.search_description]
    for attribute in ("summary", "intro", "banner_text"):
        parts.append(getattr(page, attribute, "") or "")
    body = getattr(page, "body", None)
    if body is not None and hasattr(body, "stream_block"):
        parts.extend(body.stream_block.get_searchable_content(body))
    return " ".join(p for p in parts if p)


def search(request):
    query = (request.GET.get("q") or "").strip()[:MAX_QUERY_LENGTH]
    results_page = None
    results = []
    if query:
        pages = Page.objects.live().public().filter(depth__gt=1)
        site = Site.find_for_request(request)
        if site is not None:
            pages = pages.in_site(site)
        pages = pages.exclude(id__in=hidden_page_ids())
        found = pages.search(query, operator="and")
        results_page = Paginator(found, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        specific_pages = Page.objects.filter(id__in=[p.id for p in results_page]).specific().in_bulk()
        for page in results_page:
            specific = specific_pages.get(page.id, page)
            results.append({"page": specific, "summary": highlight_excerpt(page_text(specific), query)})
    return TemplateResponse(
        request,
        "search/search.html",
        {
            "search_query": query,
            "results_page": results_page,
            "results": results,
            "extra_query": urlencode({"q": query}),
        },
    )
