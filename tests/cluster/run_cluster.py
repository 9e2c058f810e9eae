"""CI cluster stage (.ci/cluster, `make cluster`): two app servers behind nginx, one
PostgreSQL database, one Redis, one task worker, all on 127.0.0.1. Not collected by pytest
(pytest.ini collects test_*.py only): it starts real processes and needs nginx.

Proves, with the production settings:
1. nginx balances over both servers and the health endpoint (/sante/) answers 200;
2. a session made by logging in on server A is valid on server B (sessions in Redis);
3. a page published through A is fresh on B (title changed, news index too);
4. a booking made on A is seen on B (and cancelled on B, gone on A);
5. a targeted service message published through A enqueues a task (notification e-mail)
   that the `manage.py db_worker` process runs: the e-mail lands in EMAIL_FILE_PATH.
Stops everything it started (atexit, SIGINT/SIGTERM); .ci/cluster also traps.

Database villennes_cluster (dropped and recreated), Redis DBs 14 (cache) and 15 (sessions).
"""

import datetime
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
TMP = Path(tempfile.mkdtemp(prefix="villennes-cluster-"))
DB_NAME = os.environ.get("CLUSTER_DB", "villennes_cluster")
PG = os.environ.get("CLUSTER_PG", "postgres://postgres@127.0.0.1:5432")
PORT_NGINX, PORT_A, PORT_B = 8810, 8811, 8812
ENV = {
    "DJANGO_SETTINGS_MODULE": "site_cms.settings.production",
    "DATABASE_URL": f"{PG}/{DB_NAME}",
    "REDIS_URL": "redis://127.0.0.1:6379/14",
    "REDIS_SESSIONS_URL": "redis://127.0.0.1:6379/15",
    "SECRET_KEY": "cluster-stage-not-secret-" + "y" * 40,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "TRUSTED_PROXY_COUNT": "1",
    "STATIC_ROOT": str(TMP / "static"),
    "MEDIA_ROOT": str(TMP / "media"),
    "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
    "EMAIL_FILE_PATH": str(TMP / "mail"),
    "WAGTAILADMIN_BASE_URL": f"http://127.0.0.1:{PORT_NGINX}",
}
os.environ.update(ENV)
sys.path.insert(0, str(ROOT))

# Behind the TLS-terminating proxy: nginx (below) says https, as production's does (HEADERS).
from bench.live import HEADERS, cookie_name, login_form, started, stop_all, stop_all_on_exit  # noqa: E402


stop_all_on_exit()


def step(text: str) -> None:
    print(f"[cluster] {text}", flush=True)


def run(*command: str, **kwargs) -> None:
    subprocess.run(command, cwd=ROOT, check=True, **kwargs)


def manage(*args: str) -> None:
    run(str(BIN / "python"), "manage.py", *args, stdout=subprocess.DEVNULL)


def start(name: str, command: list[str]) -> subprocess.Popen:
    log = open(TMP / f"{name}.log", "w")
    return started(subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))


def wait_http(url: str, process: subprocess.Popen, name: str) -> None:
    for _ in range(150):
        try:
            if requests.get(url, headers=HEADERS, timeout=20, allow_redirects=False).status_code < 500:
                return
        except requests.RequestException:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.2)
    raise SystemExit(f"{name} did not start; log: {(TMP / f'{name}.log').read_text()[-3000:]}")


NGINX_CONF = """
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    access_log {tmp}/nginx-access.log;
    upstream villennes {{
        server 127.0.0.1:{a} max_fails=2 fail_timeout=5s;
        server 127.0.0.1:{b} max_fails=2 fail_timeout=5s;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 12m;
        location / {{
            proxy_pass http://villennes;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            # TLS is terminated in front of this test nginx, as in production.
            proxy_set_header X-Forwarded-Proto https;
            proxy_connect_timeout 5s;
            proxy_read_timeout 60s;
            proxy_next_upstream error timeout http_502 http_503;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


def post(base: str, path: str, cookie: str, data: dict | None = None) -> requests.Response:
    """A POST with a session cookie and an unmasked CSRF secret (cookie and form alike)."""
    from django.utils.crypto import get_random_string

    csrf = get_random_string(32)
    return requests.post(base + path, data={**(data or {}), "csrfmiddlewaretoken": csrf},
                         headers={**HEADERS, "Origin": base.replace("http:", "https:"),
                                  "Cookie": f"{cookie}; {cookie_name('csrf')}={csrf}"}, allow_redirects=False)


def get(base: str, path: str, cookie: str = "") -> requests.Response:
    return requests.get(base + path, headers={**HEADERS, **({"Cookie": cookie} if cookie else {})},
                        allow_redirects=False)


def staff_session(email: str) -> str:
    """An agent's session with a verified second factor (as the tests' otp_login fixture)."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.get(email=email)
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Cluster", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return f"{cookie_name('session')}={client.cookies[cookie_name('session')].value}"


def main() -> None:
    tag = secrets.token_hex(3)
    step(f"temporary folder {TMP}")
    run("psql", PG, "-q", "-c", f"DROP DATABASE IF EXISTS {DB_NAME}", "-c", f"CREATE DATABASE {DB_NAME}",
        stdout=subprocess.DEVNULL)
    for db in ("14", "15"):
        run("redis-cli", "-n", db, "FLUSHDB", stdout=subprocess.DEVNULL)
    manage("migrate", "--noinput", "-v0")
    manage("seed_demo", "--force")
    manage("collectstatic", "--noinput", "-v0")
    step("database migrated, demo seeded, static files collected")

    a, b, lb = (f"http://127.0.0.1:{port}" for port in (PORT_A, PORT_B, PORT_NGINX))
    for name, port in (("app-a", PORT_A), ("app-b", PORT_B)):
        process = start(name, [str(BIN / "gunicorn"), "site_cms.wsgi", "--bind", f"127.0.0.1:{port}",
                               "--workers", "2", "--timeout", "60"])
        wait_http(f"http://127.0.0.1:{port}/sante/", process, name)
    worker = start("db-worker", [str(BIN / "python"), "manage.py", "db_worker", "--interval", "0.5",
                                 "--no-startup-delay", "--no-reload"])
    conf = TMP / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=TMP, a=PORT_A, b=PORT_B, port=PORT_NGINX))
    nginx = start("nginx", ["nginx", "-c", str(conf), "-p", str(TMP), "-g", "daemon off;"])
    wait_http(f"{lb}/sante/", nginx, "nginx")
    step("two gunicorn servers, a db_worker and nginx started")

    import django

    django.setup()

    # 1. Health check through nginx, answered by both servers in turn.
    upstreams = set()
    for _ in range(4):
        response = get(lb, "/sante/")
        assert response.status_code == 200, f"/sante/ through nginx: HTTP {response.status_code}"
        assert "no-store" in response.headers.get("Cache-Control", ""), response.headers
        upstreams.add(response.headers["X-Upstream"])
    assert len(upstreams) == 2, f"nginx used only {upstreams}"
    step(f"1. /sante/ 200 through nginx, from both servers {sorted(upstreams)}")

    # 2. A session made on A is valid on B.
    parent = login_form(a, "camille.bernard@example.org", "Famille-Bernard-2026")
    response = get(b, "/espace-citoyen/", parent)
    assert response.status_code == 200 and "Camille" in response.text, f"dashboard on B: {response.status_code}"
    step("2. logged in on A, dashboard (« Camille ») on B: the session is shared")

    # 3. A page published through A is fresh on B.
    from news.models import NewsPage

    news = NewsPage.objects.live().order_by("pk").first()
    path = news.url
    assert get(b, path).status_code == 200 and get(b, "/actualites/").status_code == 200  # warm B
    new_title = f"Marché de Noël avancé {tag}"
    page = NewsPage.objects.get(pk=news.pk)
    page.title = new_title
    page.save_revision()  # a draft, as an editor's "Enregistrer le brouillon"
    assert new_title not in get(b, path).text
    editor = staff_session("admin@ville-villennes-sur-seine.fr")
    response = post(a, f"/admin/bulk/wagtailcore/page/publish/?id={news.pk}&next=/admin/", editor)
    assert response.status_code == 302, f"publish through A: HTTP {response.status_code}"
    assert new_title in get(b, path).text, "B serves the old version of the published page"
    assert new_title in get(b, "/actualites/").text, "B's news index misses the published title"
    step(f"3. « {new_title} » published through A, shown at once by B (page and news index)")

    # 4. A booking made on A is seen on B.
    from espace_citoyen.activities.models import (
        Activity, BookingRule, Dossier, DossierStatus, Occurrence, Reservation, SchoolYear,
    )
    from espace_citoyen.core.business_calendar import PARIS
    from espace_citoyen.family.models import Child
    from django.utils import timezone

    today = timezone.now().astimezone(PARIS).date()
    child = Child.objects.filter(household__memberships__user__email="camille.bernard@example.org").order_by("pk")[0]
    year, _ = SchoolYear.objects.get_or_create(label="C-cluster", defaults={
        "starts_on": today - datetime.timedelta(days=30), "ends_on": today + datetime.timedelta(days=300)})
    rule, _ = BookingRule.objects.get_or_create(name="J-2 avant 10h ouvrés", defaults={
        "days_before": 2, "before": datetime.time(10), "business_days": True})
    activity = Activity.objects.create(school_year=year, name=f"Stage cluster {tag}", weekdays=[0, 1, 3, 4],
                                       capacity=5, booking_rule=rule)
    day = today + datetime.timedelta(days=(1 - today.weekday()) % 7 + 21)
    occurrence = Occurrence.objects.create(activity=activity, date=day, capacity=5)
    dossier = Dossier.objects.create(child=child, school_year=year, status=DossierStatus.VALIDATED)
    dossier.activities.add(activity)
    agenda = f"/espace-citoyen/enfants/{child.pk}/agenda/?jour={day:%Y-%m-%d}"  # the day's panel, its forms
    cancel_url = f"/espace-citoyen/enfants/{child.pk}/agenda/annuler/{occurrence.pk}/"
    assert cancel_url not in get(b, agenda, parent).text
    response = post(a, f"/espace-citoyen/enfants/{child.pk}/agenda/reserver/{occurrence.pk}/", parent)
    assert response.status_code == 302, f"booking on A: HTTP {response.status_code}"
    assert Reservation.objects.filter(occurrence=occurrence, child=child, status="booked").exists()
    response = get(b, agenda, parent)
    assert response.status_code == 200 and cancel_url in response.text, "B does not show the booking made on A"
    response = post(b, cancel_url, parent)
    assert response.status_code == 302, f"cancel on B: HTTP {response.status_code}"
    assert cancel_url not in get(a, agenda, parent).text, "A still shows the booking cancelled on B"
    step(f"4. {activity.name} on {day} booked on A, seen on B; cancelled on B, gone on A")

    # 5. A background task enqueued by A runs in the db_worker process.
    from news.models import Audience, ServiceMessagePage

    from django_tasks_db.models import DBTaskResult

    index = ServiceMessagePage.objects.live().first().get_parent()
    message_title = f"Coupure d'eau rue de Poissy {tag}"
    message = ServiceMessagePage(title=message_title, slug=f"coupure-eau-{tag}", audience=Audience.ACCOUNT_HOLDERS,
                                 live=False)
    index.add_child(instance=message)
    message.save_revision()
    response = post(a, f"/admin/bulk/wagtailcore/page/publish/?id={message.pk}&next=/admin/", editor)
    assert response.status_code == 302, f"publish message through A: HTTP {response.status_code}"
    deadline = time.monotonic() + 60
    mails: list[str] = []
    while time.monotonic() < deadline:
        mail_dir = TMP / "mail"
        mails = [p.read_text(errors="replace") for p in mail_dir.glob("*.log")] if mail_dir.exists() else []
        if any(tag in text for text in mails):
            break
        assert worker.poll() is None, f"db_worker died: {(TMP / 'db-worker.log').read_text()[-3000:]}"
        time.sleep(0.5)
    else:
        raise AssertionError(f"no notification e-mail within 60 s; worker log: "
                             f"{(TMP / 'db-worker.log').read_text()[-3000:]}")
    task = DBTaskResult.objects.filter(task_path__endswith="notify_message_audience").order_by("-enqueued_at").first()
    recipients = sorted(set(re.findall(r"^To: (.+)$", "\n".join(t for t in mails if tag in t), re.M)))
    step(f"5. message published through A: task {task.status} in db_worker; e-mails to {', '.join(recipients)}")
    step("OK: the cluster stage passed")


if __name__ == "__main__":
    try:
        main()
    finally:
        stop_all()
