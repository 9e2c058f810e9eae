"""`make run` serves the demo as a town would see it (site_cms/settings/demo.py): DEBUG off,
French 404 page (never Django's yellow debug page), static files collected and served by
whitenoise under their hashed names, gunicorn. `make dev` keeps Django's server with
auto-reload. Run here for real: a fresh SQLite database, migrate, collectstatic, gunicorn on a
free port, then HTTP requests."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_makefile_targets():
    makefile = (ROOT / "Makefile").read_text()
    run = makefile[makefile.index("\nrun:"):makefile.index("\ndev:")]
    assert "site_cms.settings.demo" in makefile and "collectstatic --noinput" in run and "gunicorn" in run
    dev = makefile[makefile.index("\ndev:"):makefile.index("\ntest:")]
    assert "site_cms.settings.dev" in makefile and "runserver" in dev
    assert "WAGTAILADMIN_BASE_URL=$(SITE_URL)" in makefile  # the seeded Site and the e-mails' links


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode("utf-8", "replace")


def test_demo_settings_serve_french_errors_and_collected_static(tmp_path):
    port = _free_port()
    env = {key: value for key, value in os.environ.items()
           if key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(DJANGO_SETTINGS_MODULE="site_cms.settings.demo", VAR_DIR=str(tmp_path),
               WAGTAILADMIN_BASE_URL=f"http://127.0.0.1:{port}", ALLOWED_HOSTS="127.0.0.1")

    def manage(*args):
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=400)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
        return result

    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    assert (tmp_path / "static" / "staticfiles.json").exists()  # hashed names (manifest)
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "site_cms.wsgi", "--bind",
                               f"127.0.0.1:{port}", "--workers", "1"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                status, _headers, home = _get(base + "/")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        else:
            raise AssertionError("gunicorn did not answer")
        assert status == 200
        status, _headers, page = _get(base + "/cette-page-n-existe-pas/")
        assert status == 404
        assert '<html lang="fr"' in page and "Page introuvable" in page
        assert "Traceback" not in page and "DEBUG = True" not in page and "Page not found" not in page
        css = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page)
        assert css, "the stylesheet is served under its hashed name"
        status, headers, _body = _get(base + css.group(1))
        assert status == 200 and "max-age=315360000" in headers.get("Cache-Control", "")  # whitenoise, immutable
    finally:
        server.terminate()
        server.wait(timeout=20)
