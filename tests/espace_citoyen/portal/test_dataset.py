"""generate_dataset (the load benchmarks' large dataset) and the query counts of the
citizen pages and back-office lists: the same with 2 households as with 10."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from espace_citoyen.activities.models import Occurrence, Reservation
from espace_citoyen.family.models import Child, Household
from espace_citoyen.portal.dataset import DATASET_PASSWORD, dataset_email, generate

pytestmark = pytest.mark.django_db


def _citizen_urls(child):
    return [
        reverse("portal:dashboard"),
        reverse("activities:agenda", args=[child.pk]),
        reverse("activities:history", args=[child.pk]),
        reverse("documents:list"),
        reverse("demarches:list"),
        reverse("messaging:inbox"),
        reverse("billing:list"),
    ]


ADMIN_URLS = ["accounts_validation:index", "demarches_admin:index", "reservations_admin:index",
              "activities_attendance:index"]


def _queries(client, url) -> int:
    client.get(url)  # warm-up (per-process caches)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def _counts(client, staff_client):
    user = get_user_model().objects.get(email=dataset_email(1, 2))
    client.force_login(user)
    child = Child.objects.filter(household__memberships__user=user).order_by("pk").first()
    counts = {url: _queries(client, url) for url in _citizen_urls(child)}
    counts.update({name: _queries(staff_client, reverse(name)) for name in ADMIN_URLS})
    return counts


def test_the_dataset_has_households_parents_children_bookings_documents_and_demarches():
    before = Household.objects.count()
    counts = generate(households=3, seed=7)
    assert counts["households"] == 3 and Household.objects.count() == before + 3
    parent = get_user_model().objects.get(email=dataset_email(3, 1))
    assert parent.check_password(DATASET_PASSWORD)
    assert parent.profile.city == "Villennes-sur-Seine" and parent.profile.postcode == "78670"
    household = Household.objects.get(memberships__user=parent)
    assert household.memberships.count() == 2 and 1 <= household.children.count() <= 3
    assert Reservation.objects.filter(child__household=household).count() > 10
    assert parent.documents.count() == 2 and parent.demarches.count() == 2
    # The occurrences' counters follow the bookings written in bulk, within their capacity.
    for occurrence in Occurrence.objects.filter(reservations__child__household=household).distinct()[:5]:
        assert occurrence.booked_count == occurrence.reservations.filter(status="booked").count()
        assert occurrence.booked_count <= occurrence.capacity
    # Run again with a larger number: only the missing households are added.
    assert generate(households=4, seed=7)["households"] == 1


def test_the_command_refuses_a_non_positive_number_in_french():
    with pytest.raises(CommandError, match="entier positif"):
        call_command("generate_dataset", "--households", "0")


def test_query_counts_do_not_grow_with_the_number_of_households(client, superuser, otp_login):
    from django.test import Client

    staff = Client()
    otp_login(staff, superuser)
    generate(households=2, seed=3)
    small = _counts(client, staff)
    generate(households=10, seed=3)
    large = _counts(client, staff)
    assert small == large


def test_pending_accounts_of_the_dataset_are_dated_as_signup_dates_them():
    """The validation queue at scale shows its two dates on every row, as in a real town."""
    from espace_citoyen.accounts.models import AccountStatus

    generate(households=120, seed=3)
    pending = get_user_model().objects.filter(email__startswith="dataset-", status=AccountStatus.PENDING)
    assert pending.count() >= 1
    for user in pending:
        assert user.email_confirmed_at == user.validation_requested_at is not None
        assert user.validation_due_at > user.validation_requested_at


def test_the_dataset_moves_the_towns_number_of_children():
    """Its children are inserted in bulk (no row signal): the reservations list's number of
    children, kept in the shared cache, is counted again after it."""
    from espace_citoyen.family.selectors import children_count

    before = children_count()
    generate(households=2, seed=11)
    assert children_count() == Child.objects.count() > before
