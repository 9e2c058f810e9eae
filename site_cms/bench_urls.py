"""URLconf of the load benchmark (settings/bench.py only): the production URLs plus a
trivial view, the ceiling against which every page's requests per second are compared."""

from django.http import HttpResponse
from django.urls import path

from site_cms.urls import urlpatterns as site_urlpatterns


def trivial(request):
    """The cheapest Django response: the whole middleware stack, no query, no template."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/trivial/", trivial, name="bench_trivial"), *site_urlpatterns]
