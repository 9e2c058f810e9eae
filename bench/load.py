"""Load benchmark: the site under concurrent requests, served as in production.

    make bench-load                                  # pages, then the booking race
    .venv/bin/python bench/load.py pages [--duration 5] [--households 10000]
    .venv/bin/python bench/load.py booking [--attempts 200 --places 30]

Starts gunicorn (2 sync workers, settings/bench.py = production settings + a trivial view
at /bench/trivial/) on 127.0.0.1, on PostgreSQL (BENCH_DATABASE_URL, default database
villennes_load: a throw-away database) and Redis (DBs 7 cache, 8 sessions). Seeds the demo
(and `generate_dataset --households N` when asked), logs the demo parents in through the
login form, creates the staff sessions with a verified second factor (as the tests'
otp_login fixture does), then drives each page with wrk (2 threads x 10 connections) and
prints requests/s, p50/p95/p99, errors and the share of the trivial view's requests/s,
measured in the same run. Everything started here is stopped on exit, Ctrl-C or failure.
"""

import argparse
import concurrent.futures
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
TMP = Path(tempfile.mkdtemp(prefix="villennes-load-"))
ENV = {
    "DJANGO_SETTINGS_MODULE": "site_cms.settings.bench",
    "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/villennes_load"),
    "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7"),
    "REDIS_SESSIONS_URL": os.environ.get("BENCH_REDIS_SESSIONS_URL", "redis://127.0.0.1:6379/8"),
    "SECRET_KEY": "bench-load-not-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "STATIC_ROOT": str(ROOT / "var" / "bench-static"),
    "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
    "EMAIL_FILE_PATH": str(TMP / "mail"),
    "WAGTAILADMIN_BASE_URL": "http://127.0.0.1",
}
os.environ.update(ENV)
sys.path.insert(0, str(ROOT))

from bench.live import HEADERS, cookie_name, login_form, started, stop_all, stop_all_on_exit  # noqa: E402

stop_all_on_exit()


def manage(*args: str, quiet: bool = True) -> None:
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL if quiet else None)


def ensure_database(url: str) -> None:
    """Create the benchmark's database if this machine has never had it (a fresh clone)."""
    server, _, name = url.rpartition("/")
    exists = subprocess.run(["psql", f"{server}/postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
                            check=True, capture_output=True, text=True).stdout.strip()
    if not exists:
        subprocess.run(["psql", f"{server}/postgres", "-q", "-c", f'CREATE DATABASE "{name}"'], check=True)
        print(f"database {name} created")


def prepare(households: int) -> None:
    started = time.perf_counter()
    ensure_database(ENV["DATABASE_URL"])
    manage("migrate", "--noinput", "-v0")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    if not get_user_model().objects.filter(email="camille.bernard@example.org").exists():
        manage("seed_demo", "--force")
    if households:
        from espace_citoyen.family.models import Household

        if Household.objects.count() < households:
            manage("generate_dataset", "--households", str(households), "--seed", "14", quiet=False)
    manage("collectstatic", "--noinput", "-v0")
    print(f"Data ready in {time.perf_counter() - started:.0f} s")


GUNICORN: list[subprocess.Popen] = []


def start_gunicorn(port: int, workers: int = 2) -> str:
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "site_cms.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--error-logfile", str(TMP / "gunicorn.log"), "--timeout", "120"],
        cwd=ROOT, start_new_session=True)
    started(process)
    GUNICORN[:] = [process]
    for _ in range(100):
        try:
            if requests.get(f"{base}/bench/trivial/", headers=HEADERS, timeout=20).status_code == 200:
                return base
        except requests.RequestException:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not start: see {TMP / 'gunicorn.log'}")


def programmatic_session(user, *, second_factor: bool = False) -> str:
    """A session made as django.contrib.auth.login makes it (+ a verified device for staff)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    if second_factor:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="Banc de charge", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return f"{cookie_name('session')}={client.cookies[cookie_name('session')].value}"


def wrk(base: str, lines: list[tuple[str, str]], duration: int) -> dict:
    requests_file = TMP / f"requests-{secrets.token_hex(4)}.tsv"
    requests_file.write_text("".join(f"{cookie}\t{path}\n" for cookie, path in lines))
    output = subprocess.run(
        ["wrk", "-t2", "-c10", f"-d{duration}s", "--timeout", "10s", "-s", str(ROOT / "bench" / "load.lua"), base],
        env={**os.environ, "BENCH_REQUESTS": str(requests_file)}, capture_output=True, text=True, check=True).stdout
    result = json.loads(output.split("BENCH_JSON", 1)[1].strip().splitlines()[0])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def worker_pids() -> list[int]:
    master = GUNICORN[0].pid
    return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


# What a page's profile shows: the project's code (but the middleware, around everything) and
# the large parts of Django's work.
PROJECT_FRAME = re.compile(r"\((espace_citoyen|home|site_cms|news|search)/")
MIDDLEWARE_FRAME = re.compile(r"Middleware\.(__call__|_render) ")
DJANGO_FRAMES = {
    "Template.render (django/template/base.py)", "SQLCompiler.execute_sql (django/db/models/sql/compiler.py)",
    "SQLCompiler.as_sql (django/db/models/sql/compiler.py)", "Connection.wait (psycopg/connection.py)",
    "Redis.execute_command (redis/client.py)", "get_user (django/contrib/auth/__init__.py)",
}


def _frame(frame: str) -> str:
    """`name (path:line)` as `name (path from the checkout or site-packages)`."""
    frame = re.sub(r":\d+\)$", ")", frame.replace(f"({ROOT}/", "("))
    return re.sub(r"\(/\S*?site-packages/", "(", frame)


def profile_workers(duration: int) -> list[tuple[subprocess.Popen, Path]]:
    """py-spy (sampling, from outside: the workers run unchanged) on each gunicorn worker for
    the page's run."""
    recorders = []
    for pid in worker_pids():
        output = TMP / f"profile-{pid}-{secrets.token_hex(3)}.txt"
        recorders.append((subprocess.Popen(
            [str(BIN / "py-spy"), "record", "--pid", str(pid), "--duration", str(duration), "--rate", "100",
             "--format", "raw", "--output", str(output), "--nonblocking"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), output))
    return recorders


def print_profile(recorders: list[tuple[subprocess.Popen, Path]], top: int = 14) -> None:
    """The project's frames and DJANGO_FRAMES, by share of the workers' samples (a frame counts once
    per sample, however deep: "inclusive" time)."""
    total, inclusive = 0, Counter()
    for recorder, output in recorders:
        recorder.wait(timeout=60)
        if not output.exists():
            continue
        for line in output.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            total += int(count)
            for frame in {_frame(frame) for frame in stack.split(";")}:
                if frame in DJANGO_FRAMES or (PROJECT_FRAME.search(frame) and not MIDDLEWARE_FRAME.search(frame)):
                    inclusive[frame] += int(count)
    if not total:
        print("    (no profile: py-spy could not attach; it needs ptrace rights)")
        return
    for frame, count in inclusive.most_common(top):
        print(f"    {100 * count / total:5.1f} %  {frame}")


def check(base: str, lines: list[tuple[str, str]], label: str) -> None:
    """Every request of the mix answers 200 (a redirect to the login page would look fast)."""
    for cookie, path in lines[:3]:
        response = requests.get(base + path, headers={**HEADERS, **({"Cookie": cookie} if cookie else {})},
                                allow_redirects=False)
        if response.status_code != 200:
            raise SystemExit(f"{label}: {path} answered HTTP {response.status_code}")


def pages(args) -> None:
    prepare(args.households)
    from django.contrib.auth import get_user_model
    from django.urls import reverse
    from wagtail.models import Page

    from espace_citoyen.family.models import Child

    base = start_gunicorn(args.port, args.workers)
    User = get_user_model()
    news = Page.objects.live().filter(slug="actualites").first()
    news_page = news.get_children().live().first() if news else None
    parents = [("camille.bernard@example.org", "Famille-Bernard-2026"), ("julien.bernard@example.org",
                                                                             "Famille-Bernard-2026")]
    if args.households:
        from espace_citoyen.portal.dataset import DATASET_PASSWORD, dataset_email

        parents += [(dataset_email(number, 1), DATASET_PASSWORD) for number in range(1, 9)]
    citizens = []
    for email, password in parents:
        cookie = login_form(base, email, password)
        user = User.objects.get(email=email)
        child = Child.objects.filter(household__memberships__user=user).order_by("pk").first()
        citizens.append((cookie, child.pk))
    print(f"{len(citizens)} parents logged in through the login form")
    staff = programmatic_session(User.objects.get(email="admin@ville-villennes-sur-seine.fr"), second_factor=True)
    # Agents of service groups (not superusers): their permissions and groups are read.
    agent = programmatic_session(User.objects.get(email="relations.population@ville-villennes-sur-seine.fr"),
                                 second_factor=True)
    scolaire = programmatic_session(User.objects.get(email="pole.scolaire@ville-villennes-sur-seine.fr"),
                                    second_factor=True)

    def anon(path):
        return [("", path)]

    def citizen(make_path):
        return [(cookie, make_path(child)) for cookie, child in citizens]

    month = time.strftime("%Y-%m")
    mix = [
        ("trivial Django view (ceiling)", anon("/bench/trivial/")),
        ("home /", anon("/")),
        ("news index /actualites/", anon("/actualites/")),
        ("a news page", anon(news_page.url if news_page else "/actualites/")),
        ("news RSS /actualites/rss/", anon("/actualites/rss/")),
        ("a content page", anon("/espace-citoyen-mode-d-emploi/")),
        ("messages index", anon("/messages-des-services/")),
        ("site map /plan-du-site/", anon("/plan-du-site/")),
        ("/sitemap.xml", anon("/sitemap.xml")),
        ("search /recherche/?q=conseil", anon("/recherche/?q=conseil")),
        ("login page", anon(reverse("accounts:login"))),
        ("dashboard (parent)", citizen(lambda c: reverse("portal:dashboard"))),
        ("agenda month (parent)", citizen(lambda c: reverse("activities:agenda", args=[c]) + f"?mois={month}")),
        ("history (parent)", citizen(lambda c: reverse("activities:history", args=[c]))),
        ("documents (parent)", citizen(lambda c: reverse("documents:list"))),
        ("démarches (parent)", citizen(lambda c: reverse("demarches:list"))),
        ("messages (parent)", citizen(lambda c: reverse("messaging:inbox"))),
        ("invoices (parent)", citizen(lambda c: reverse("billing:list"))),
        ("admin: validation queue", [(staff, reverse("accounts_validation:index"))]),
        ("admin: démarches", [(staff, reverse("demarches_admin:index"))]),
        ("admin: reservations", [(staff, reverse("reservations_admin:index"))]),
        ("admin: attendance", [(staff, reverse("activities_attendance:index"))]),
        ("admin: home, superuser", [(staff, reverse("wagtailadmin_home"))]),
        ("admin: home, agent", [(agent, reverse("wagtailadmin_home"))]),
        ("admin: validation queue, agent", [(agent, reverse("accounts_validation:index"))]),
        ("admin: dossiers, Pôle scolaire", [(scolaire, reverse("dossiers_admin:list"))]),
    ]
    if args.only:
        mix = [row for i, row in enumerate(mix) if i == 0 or any(word in row[0] for word in args.only)]
    print(f"wrk 2 threads x 10 connections, {args.duration} s per page; gunicorn {args.workers} sync workers; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} CPUs")
    print(f"{'page':<34} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'% trivial':>10}")
    ceiling = None
    for label, lines in mix:
        check(base, lines, label)
        recorders = profile_workers(args.duration) if args.profile and ceiling else []
        result = wrk(base, lines, args.duration)
        ceiling = ceiling or result["rps"]
        errors = result["status_errors"] + result["socket_errors"]
        print(f"{label:<34} {result['rps']:>9.1f} {result['p50'] / 1000:>8.1f} {result['p95'] / 1000:>8.1f} "
              f"{result['p99'] / 1000:>8.1f} {errors:>7} {100 * result['rps'] / ceiling:>9.1f}%", flush=True)
        if recorders:
            print_profile(recorders)


def booking(args) -> None:
    """ATTEMPTS parents book the same day of an activity of PLACES places at the same instant,
    over HTTP: exactly PLACES bookings, no 5xx."""
    prepare(0)
    import datetime

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from espace_citoyen.accounts.models import AccountStatus
    from espace_citoyen.activities.models import (
        Activity, BookingRule, Dossier, DossierStatus, Occurrence, Reservation, ReservationStatus, SchoolYear,
    )
    from espace_citoyen.core.business_calendar import PARIS
    from espace_citoyen.family.models import Child, Household, Membership
    from espace_citoyen.family.selectors import children_count_changed

    run = secrets.token_hex(3)
    today = timezone.now().astimezone(PARIS).date()
    year, _ = SchoolYear.objects.get_or_create(
        label="B-charge", defaults={"starts_on": today - datetime.timedelta(days=120),
                                    "ends_on": today + datetime.timedelta(days=300)})
    rule, _ = BookingRule.objects.get_or_create(
        name="J-2 avant 10h ouvrés", defaults={"days_before": 2, "before": datetime.time(10), "business_days": True})
    activity = Activity.objects.create(school_year=year, name=f"Course aux places {run}", weekdays=[0, 1, 3, 4],
                                       capacity=args.places, booking_rule=rule)
    day = today + datetime.timedelta(days=(1 - today.weekday()) % 7 + 21)  # a Tuesday, 3 weeks ahead
    occurrence = Occurrence.objects.create(activity=activity, date=day, capacity=args.places)
    password = make_password(None)
    users = get_user_model().objects.bulk_create([
        get_user_model()(email=f"course-{run}-{n}@example.org", password=password, first_name="Parent",
                         last_name=f"Course{n}", status=AccountStatus.ACTIVE) for n in range(args.attempts)])
    households = Household.objects.bulk_create([Household() for _ in users])
    Membership.objects.bulk_create([Membership(household=h, user=u) for h, u in zip(households, users)])
    children = Child.objects.bulk_create([
        Child(household=h, first_name="Enfant", last_name=f"Course{n}", birth_date=datetime.date(2018, 3, 1))
        for n, h in enumerate(households)])
    children_count_changed()  # bulk_create sends no row signal (the reservations list's count)
    dossiers = Dossier.objects.bulk_create([
        Dossier(child=c, school_year=year, status=DossierStatus.VALIDATED) for c in children])
    Dossier.activities.through.objects.bulk_create([
        Dossier.activities.through(dossier=d, activity=activity) for d in dossiers])
    sessions = [programmatic_session(user) for user in users]
    base = start_gunicorn(args.port, args.workers)
    from django.urls import reverse

    from django.utils.crypto import get_random_string

    csrf = get_random_string(32)  # an unmasked CSRF secret: cookie and header alike
    barrier = threading.Barrier(args.attempts)

    def attempt(index):
        url = base + reverse("activities:agenda_book", args=[children[index].pk, occurrence.pk])
        with requests.Session() as http:
            barrier.wait()
            response = http.post(url, headers={
                **HEADERS, "Cookie": f"{sessions[index]}; {cookie_name('csrf')}={csrf}", "X-CSRFToken": csrf,
                "Origin": base.replace("http://", "https://")}, allow_redirects=False, timeout=120)
            return response.status_code

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.attempts) as pool:
        statuses = list(pool.map(attempt, range(args.attempts)))
    seconds = time.perf_counter() - started
    booked = Reservation.objects.filter(occurrence=occurrence, status=ReservationStatus.BOOKED).count()
    occurrence.refresh_from_db()
    counts = {status: statuses.count(status) for status in sorted(set(statuses))}
    print(f"Booking race: {args.attempts} concurrent POSTs for {args.places} places in {seconds:.2f} s "
          f"({args.attempts / seconds:.0f} req/s); HTTP statuses {counts}; booked {booked} "
          f"(occurrence counter {occurrence.booked_count})")
    if booked != args.places or any(status >= 500 for status in statuses):
        raise SystemExit("FAILED: the number of bookings differs from the places, or a request failed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", nargs="?", choices=["pages", "booking", "all"], default="all")
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk per page")
    parser.add_argument("--households", type=int, default=0, help="generate_dataset up to N households first")
    parser.add_argument("--only", nargs="*", help="only the pages whose label contains one of these words")
    parser.add_argument("--attempts", type=int, default=200)
    parser.add_argument("--places", type=int, default=30)
    parser.add_argument("--port", type=int, default=8787)
    parser.add_argument("--workers", type=int, default=2,
                        help="gunicorn sync workers (2: the issue's method; gunicorn advises 2 x cores + 1)")
    parser.add_argument("--profile", action="store_true",
                        help="record each page's gunicorn workers with py-spy during its run and print where "
                             "their time went (the sampling slows them a little: compare req/s without it)")
    args = parser.parse_args()
    try:
        if args.what in ("pages", "all"):
            pages(args)
            stop_all()
        if args.what in ("booking", "all"):
            booking(args)
    finally:
        stop_all()


if __name__ == "__main__":
    main()
