"""Settings of `make bench-load` (bench/load.py): the production settings, plus a trivial
Django view (/bench/trivial/, the ceiling of the load benchmark) mounted by its own URLconf,
site_cms/bench_urls.py. The production URLconf never exposes it.

Served over plain HTTP on 127.0.0.1: the benchmark sends `X-Forwarded-Proto: https`, as the
reverse proxy does in production, so SSL redirect and secure cookies behave as they do there.
"""

from .production import *  # noqa: F403

ROOT_URLCONF = "site_cms.bench_urls"
