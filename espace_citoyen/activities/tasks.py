"""Background work of the activities' bookings (django-tasks)."""

from django_tasks import task

from .services import booking


@task()
def expire_waiting_offers() -> int:
    """Expire waiting-list offers past their time limit; the place goes to the next family."""
    return booking.waiting_offers_expire()
