"""Page timings of the town site on a large dataset (not run by `make test`).

    make bench                      # SQLite in a temporary folder
    DATABASE_URL=postgres://... make bench

Builds the demo content plus BENCH_NEWS extra news items (default 2000), then times
each public URL with Django's test client (median and 95th percentile over BENCH_RUNS
requests) and counts its SQL queries: rendered with the page cache off, then served from it
(the search is never stored).
"""

import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import measure as _measure  # noqa: E402
from _setup import setup_django  # noqa: E402

setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

NEWS = int(os.environ.get("BENCH_NEWS", 2000))
RUNS = int(os.environ.get("BENCH_RUNS", 30))
URLS = [
    "/",
    "/actualites/",
    "/actualites/?page=50",
    "/actualites/?categorie=travaux",
    "/actualites/rss/",
    "/actualites/travaux-rue-de-poissy/",
    "/messages-des-services/",
    "/plan-du-site/",
    "/recherche/?q=travaux",
    "/recherche/?q=conseil+municipal",
]


def build():
    from news.models import NewsCategory, NewsPage
    from wagtail.models import Page

    call_command("migrate", verbosity=0)
    call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))
    index = Page.objects.get(slug="actualites").specific
    existing = NewsPage.objects.count()
    categories = list(NewsCategory.objects.all())
    started = time.perf_counter()
    for number in range(existing, NEWS):
        page = NewsPage(
            title=f"Actualité de test {number}", slug=f"actualite-de-test-{number}",
            date=datetime.date(2020, 1, 1) + datetime.timedelta(days=number % 2000),
            category=categories[number % len(categories)],
            summary=f"Résumé {number} : travaux, conseil municipal, école et animations.",
        )
        index.add_child(instance=page)
        page.save_revision().publish()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh planner statistics after the bulk load
    return time.perf_counter() - started


def measure(client, url):
    return _measure(client, url, RUNS)


def main():
    setup_test_environment()
    build_seconds = build()
    print(f"Database: {connection.vendor}; news items: {NEWS} (built in {build_seconds:.1f} s); runs per URL: {RUNS}")
    print(f"{'URL':<40} {'uncached: median ms':>19} {'p95 ms':>7} {'queries':>8} "
          f"{'cached: median ms':>18} {'p95 ms':>7} {'queries':>8}")
    caches["pages"].clear()
    for url in URLS:
        with override_settings(PAGE_CACHE_ENABLED=False):
            uncached = measure(Client(), url)
        with override_settings(PAGE_CACHE_ENABLED=True):
            cached = measure(Client(), url)
        print(f"{url:<40} {uncached[0]:>19.1f} {uncached[1]:>7.1f} {uncached[2]:>8} "
              f"{cached[0]:>18.1f} {cached[1]:>7.1f} {cached[2]:>8}")


if __name__ == "__main__":
    main()
