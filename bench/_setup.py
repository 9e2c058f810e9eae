"""Shared start of the page benchmarks: Django on the test settings, on DATABASE_URL when set
(a throw-away database), else on a SQLite file in a temporary folder."""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_cms.settings.test")
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='villennes-bench-')}/bench.sqlite3"
    import django

    django.setup()


def measure(client, url: str, runs: int, before_each=None) -> tuple[float, float, int]:
    """(median ms, 95th percentile ms, SQL queries) of GET url, after one warm-up request.
    `before_each()` runs (untimed) before every timed request and the counted one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    before_each = before_each or (lambda: None)
    timings = []
    assert client.get(url).status_code == 200, url
    for _ in range(runs):
        before_each()
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    before_each()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], len(queries)
