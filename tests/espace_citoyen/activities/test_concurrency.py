"""Capacity under 50 concurrent booking attempts for 10 places (PostgreSQL only: SQLite
serialises writes with a database-wide lock and has no row locks)."""

import threading

import pytest
from django.db import connection, connections
from django.urls import reverse

from espace_citoyen.activities.models import Reservation, ReservationStatus
from espace_citoyen.activities.services.booking import BookingError, reservation_book

from .agenda_factories import make_activity, make_occurrence, make_parent, next_weekday, today, validate_dossier

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor == "sqlite",
                       reason="needs PostgreSQL row locks (set DATABASE_URL=postgres://… to run)"),
]

ATTEMPTS = 50
CAPACITY = 10


def _setup():
    activity = make_activity(capacity=CAPACITY, label="T-conc")
    occ = make_occurrence(activity, next_weekday(today(), 1, weeks=3))
    families = []
    for index in range(ATTEMPTS):
        parent, (child,) = make_parent(f"parent{index}@example.fr", children=(f"Enfant{index}",))
        validate_dossier(child, activity)
        families.append((parent, child))
    return occ, families


def _run_threads(target, count):
    barrier = threading.Barrier(count)
    results, lock = [], threading.Lock()

    def worker(index):
        try:
            barrier.wait()
            outcome = target(index)
        except Exception as exc:  # noqa: BLE001 - every unexpected exception is a failure below
            outcome = exc
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_fifty_concurrent_bookings_for_ten_places():
    occ, families = _setup()

    def book(index):
        parent, child = families[index]
        try:
            reservation_book(child=child, occurrence=occ, actor=parent)
            return "booked"
        except BookingError as error:
            return error

    results = _run_threads(book, ATTEMPTS)
    assert results.count("booked") == CAPACITY
    errors = [r for r in results if r != "booked"]
    assert len(errors) == ATTEMPTS - CAPACITY
    assert all(isinstance(e, BookingError) and "complète" in e.message for e in errors), errors
    occ.refresh_from_db()
    assert occ.booked_count == CAPACITY
    assert Reservation.objects.filter(occurrence=occ, status=ReservationStatus.BOOKED).count() == CAPACITY


def test_fifty_concurrent_http_bookings_no_error_page():
    from django.test import Client

    occ, families = _setup()

    def book(index):
        parent, child = families[index]
        client = Client()
        client.force_login(parent)
        response = client.post(reverse("activities:agenda_book", args=[child.pk, occ.pk]), follow=True)
        return response.status_code, "complète" in response.content.decode()

    results = _run_threads(book, ATTEMPTS)
    assert all(not isinstance(r, Exception) for r in results), results
    assert all(status == 200 for status, _ in results), results
    assert sum(1 for _, full in results if full) == ATTEMPTS - CAPACITY
    occ.refresh_from_db()
    assert occ.booked_count == CAPACITY
    assert Reservation.objects.filter(occurrence=occ, status=ReservationStatus.BOOKED).count() == CAPACITY
