"""Uncached render of the public pages and of the dashboard, in one process (not run by
`make test`): median and 95th percentile of BENCH_RUNS requests and the SQL queries of one
request, with the page cache off (the "faster uncached render" of issue 14), then the same
public pages served from the page cache (site_cms/page_cache.py).

    DJANGO_SETTINGS_MODULE=site_cms.settings.test .venv/bin/python bench/pages.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/villennes_bench .venv/bin/python bench/pages.py
    BENCH_PROFILE=/ .venv/bin/python bench/pages.py   # pyinstrument profile of one URL

Production-like: DEBUG off, templates cached (the test settings), the demo content.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import measure, setup_django  # noqa: E402

setup_django()

from django.core.cache import caches  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", 50))
PUBLIC = ["/", "/actualites/", "/actualites/travaux-rue-de-poissy/", "/messages-des-services/", "/plan-du-site/"]
DASHBOARD = "/espace-citoyen/"
PARENT = "camille.bernard@example.org"


def _row(label, median, p95, queries):
    print(f"{label:<42} {median:>9.1f} {p95:>9.1f} {queries:>8}")


def profile(url):
    from pyinstrument import Profiler

    client = Client()
    client.get(url)
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(20):
            client.get(url)
    print(profiler.output_text(unicode=True, color=False, show_all=bool(os.environ.get("BENCH_PROFILE_ALL"))))


def main():
    from django.conf import settings
    from django.contrib.auth import get_user_model

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))
    if os.environ.get("BENCH_PROFILE"):
        with override_settings(PAGE_CACHE_ENABLED=False):
            profile(os.environ["BENCH_PROFILE"])
        return
    print(f"runs per URL: {RUNS}")
    print(f"{'uncached render (page cache off)':<42} {'median ms':>9} {'p95 ms':>9} {'queries':>8}")
    with override_settings(PAGE_CACHE_ENABLED=False):
        for url in PUBLIC:
            _row(url, *measure(Client(), url, RUNS))
        client = Client()
        client.force_login(get_user_model().objects.get(email=PARENT))
        _row(f"{DASHBOARD} (parent)", *measure(client, DASHBOARD, RUNS))
        if "pages" in settings.CACHES:
            from home.page_cache import bump_generation

            # The first render after an editor's change: every fragment read afresh.
            print(f"{'cold: right after a publication':<42} {'median ms':>9} {'p95 ms':>9} {'queries':>8}")
            for url in PUBLIC:
                _row(url, *measure(Client(), url, RUNS, before_each=bump_generation))
    from django.conf import settings

    if "pages" not in settings.CACHES:  # a checkout without the page cache (before/after runs)
        return
    print(f"{'from the page cache (anonymous)':<42} {'median ms':>9} {'p95 ms':>9} {'queries':>8}")
    caches["pages"].clear()
    with override_settings(PAGE_CACHE_ENABLED=True):
        for url in PUBLIC:
            _row(url, *measure(Client(), url, RUNS))


if __name__ == "__main__":
    main()
