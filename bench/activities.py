"""Timings of the children's activities pages (not run by `make test`).

    .venv/bin/python bench/activities.py
    DATABASE_URL=postgres://... .venv/bin/python bench/activities.py   # a throw-away database

Builds the demo content, imports BENCH_LEGACY_YEARS school years of Portail Famille canteen
bookings for Chloé Bernard (about 140 days a year, through the real import), then times, as
her parent, the agenda (month and week), the booking history (first and last page, CSV),
the dossiers list and the dashboard (median and 95th percentile over BENCH_RUNS requests,
SQL query count), a weekly pattern booked for two children over a term, and, as the Pôle
scolaire agent, the family reservations screen. A few rows of the import are refused: days
the demo had already imported for Chloé (the import refuses a second booking of a day).
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
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", 30))
LEGACY_YEARS = int(os.environ.get("BENCH_LEGACY_YEARS", 7))


def legacy_lines(child_legacy_id: str) -> list[str]:
    """Canteen bookings on Mondays, Tuesdays, Thursdays and Fridays of LEGACY_YEARS school
    years from 2019-2020, one day in ten cancelled."""
    lines = ["reservation;enfant;activite;annee;date;statut"]
    number = 0
    for first in range(2019, 2019 + LEGACY_YEARS):
        day, end = datetime.date(first, 9, 2), datetime.date(first + 1, 7, 3)
        while day <= end:
            if day.weekday() in (0, 1, 3, 4) and not (day.month in (8,) or (day.month == 12 and day.day > 19)):
                number += 1
                status = "annulé" if number % 10 == 0 else "réservé"
                lines.append(f"BENCH-{number:05d};{child_legacy_id};Restauration scolaire;{first}-{first + 1};"
                             f"{day:%d/%m/%Y};{status}")
            day += datetime.timedelta(days=1)
    return lines


def measure(client, url):
    return _measure(client, url, RUNS)


def print_row(label, url, client):
    median, p95, queries = measure(client, url)
    print(f"{label:<48} {median:>10.1f} {p95:>10.1f} {queries:>8}")


def main():
    from espace_citoyen.accounts.models import User
    from espace_citoyen.portail_famille.services.bookings import (
        import_reservations,
    )
    from espace_citoyen.activities.models import Reservation
    from espace_citoyen.family.models import Child

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))
    # The demo family's children (a database shared with bench/import_portail_famille.py holds
    # other Bernard families: `make bench` with DATABASE_URL runs both on it).
    demo_family = Child.objects.filter(household__memberships__user__email="camille.bernard@example.org")
    chloe = demo_family.get(first_name="Chloé", last_name="Bernard")
    nathan = demo_family.get(first_name="Nathan", last_name="Bernard")
    lines = legacy_lines(chloe.legacy_id)
    started = time.perf_counter()
    report = import_reservations(lines)
    seconds = time.perf_counter() - started
    print(f"Database: {connection.vendor}; runs per URL: {RUNS}")
    print(f"Legacy import: {report.created} bookings in {seconds:.1f} s ({report.created / seconds:.0f} rows/s), "
          f"{len(report.errors)} refused (first: {report.errors[0] if report.errors else '-'})")
    started = time.perf_counter()
    again = import_reservations(lines)
    seconds = time.perf_counter() - started
    print(f"Legacy import again (unchanged): {again.unchanged} rows in {seconds:.1f} s")
    total = Reservation.objects.filter(child=chloe).count()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    parent = User.objects.get(email="camille.bernard@example.org")
    client = Client()
    client.force_login(parent)
    history = reverse("activities:history", args=[chloe.pk])
    last_page = (total + 24) // 25
    print(f"Chloé's bookings: {total} ({last_page} history pages)")
    print(f"{'URL':<48} {'median ms':>10} {'p95 ms':>10} {'queries':>8}")
    for label, url in [
        ("dashboard", reverse("portal:dashboard")),
        ("agenda, December 2026", reverse("activities:agenda", args=[chloe.pk]) + "?mois=2026-12"),
        ("agenda, week of 30 November 2026",
         reverse("activities:agenda", args=[chloe.pk]) + "?vue=semaine&semaine=2026-W49"),
        ("history, page 1", history),
        (f"history, page {last_page}", f"{history}?page={last_page}"),
        ("history, 2019-2020 only", f"{history}?annee=2019-2020"),
        ("history CSV (all)", f"{history}?format=csv"),
        ("dossiers list", reverse("activities:dossier_list")),
    ]:
        print_row(label, url, client)

    from espace_citoyen.activities.models import Activity

    canteen = Activity.objects.get(school_year__label="2026-2027", name="Restauration scolaire")
    data = {"children": [chloe.pk, nathan.pk], "activity": canteen.pk, "weekdays": ["0", "1", "3", "4"],
            "start": "04/01/2027", "end": "02/04/2027", "exceptions": ""}
    before = Reservation.objects.filter(status="booked").count()
    started = time.perf_counter()
    response = client.post(reverse("activities:agenda_pattern", args=[chloe.pk]), data)
    seconds = time.perf_counter() - started
    booked = Reservation.objects.filter(status="booked").count() - before
    print(f"Weekly pattern, 2 children, January to March 2027: HTTP {response.status_code}, {booked} days booked "
          f"in {seconds:.2f} s ({booked / seconds:.0f} days/s)")

    agent = User.objects.get(email="pole.scolaire@ville-villennes-sur-seine.fr")
    staff = Client()
    staff.force_login(agent)
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    session = staff.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.filter(user=agent, confirmed=True).first().persistent_id
    session.save()
    for label, name, args, query in [
        ("admin: family reservations, search", "reservations_admin:index", [], "?q=Bernard"),
        ("admin: family reservations, Chloé, December", "reservations_admin:child", [chloe.pk], "?mois=2026-12"),
        ("admin: attendance sheet, canteen 7 Dec 2026", "activities_attendance:sheet", [canteen.occurrences.get(
            date=datetime.date(2026, 12, 7)).pk], ""),
        ("admin: days of activities listing", "activities_occurrences:index", [], ""),
        ("admin: dossiers list", "dossiers_admin:list", [], ""),
    ]:
        try:
            print_row(label, reverse(name, args=args) + query, staff)
        except (NoReverseMatch, AssertionError) as error:
            print(f"{label:<48} skipped: {error}")


if __name__ == "__main__":
    main()
