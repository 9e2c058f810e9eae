"""Browser test harness: Playwright driving Debian's Chromium against a live test server,
with an axe-core accessibility check.

Browser tests are skipped only where /usr/bin/chromium is absent, with that reason; CI
sets REQUIRE_BROWSER_TESTS=1 so that a missing browser fails instead of skipping.
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by
# fixtures in that thread are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERIOUS_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    if os.environ.get("REQUIRE_BROWSER_TESTS"):
        raise pytest.UsageError(f"REQUIRE_BROWSER_TESTS is set but {CHROMIUM} is missing (apt-get install chromium).")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium); browser tests need it")
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def live_site(live_server, transactional_db):
    """The live test server with the demo content loaded."""
    call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))
    return live_server


def axe_violations(page) -> list[dict]:
    """Violations of impact serious or critical found by axe-core on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in SERIOUS_IMPACTS]


def assert_accessible(page):
    violations = axe_violations(page)
    details = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} → {[n['target'] for n in v['nodes']][:5]}" for v in violations
    )
    assert not violations, f"axe violations on {page.url}:\n{details}"
