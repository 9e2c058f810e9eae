"""Permissions of the activities back office: "Générer les jours" needs
activities.add_occurrence, "Fermer ce jour" activities.change_occurrence, the ModelViewSet
edit / delete views the matching model permission, and marking attendance
activities.change_attendance (view_attendance only reads). Without the permission: back to
the admin home with an error message (Wagtail's permission_denied), nothing written."""

from datetime import timedelta

import pytest
from django.contrib import messages as django_messages
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from espace_citoyen.accounts.models import AccountStatus, User
from espace_citoyen.activities.models import (
    Activity,
    Attendance,
    BookingRule,
    Occurrence,
    OccurrenceStatus,
    Reservation,
    SchoolYear,
)

from tests.factories import demo_canteen_day, demo_school_year_label

from ._agents import other_staff, pole_scolaire_agent

pytestmark = pytest.mark.django_db


def _staff_with(email, *codenames):
    user = User.objects.create_user(email, "Test-Staff-Activites-2026", first_name="Agent", last_name="Test",
                                    is_staff=True, status=AccountStatus.ACTIVE)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(content_type__app_label="activities", codename=codename))
    return user


def assert_denied(response):
    """Wagtail's permission_denied: redirect to the admin home with an error message."""
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    assert django_messages.ERROR in [m.level for m in get_messages(response.wsgi_request)]


@pytest.fixture
def new_activity():
    """An activity of 2026-2027 without any day yet: "Générer les jours" would create some."""
    activity = Activity.objects.create(school_year=SchoolYear.objects.get(label=demo_school_year_label()),
                                       name="Atelier théâtre (tests)", weekdays=[0, 1, 3, 4], capacity=12,
                                       booking_rule=BookingRule.objects.first())
    assert not activity.occurrences.exists()
    return activity


@pytest.fixture
def canteen_day():
    return demo_canteen_day()


@pytest.fixture(params=["other_service", "catalogue_view_only"])
def no_write_agent(request):
    """Staff with admin access but without add/change_occurrence: another service, or an
    agent who may only read the catalogue."""
    if request.param == "other_service":
        user = other_staff()
    else:
        user = _staff_with("lecture.catalogue@ville-villennes-sur-seine.fr", "view_activity", "view_occurrence")
    assert not user.has_perm("activities.add_occurrence") and not user.has_perm("activities.change_occurrence")
    return user


# ------------------------------------------------------------------ Générer les jours


def test_generate_works_with_permission(client, otp_login, new_activity):
    """Control: the Pôle scolaire agent generates the days."""
    otp_login(client, pole_scolaire_agent())
    url = reverse("activities_activities:generate", args=[new_activity.pk])
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    assert new_activity.occurrences.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_generate_denied_without_permission(client, otp_login, no_write_agent, new_activity, method):
    otp_login(client, no_write_agent)
    response = getattr(client, method)(reverse("activities_activities:generate", args=[new_activity.pk]))
    assert_denied(response)
    assert not new_activity.occurrences.exists()


def test_generate_denied_before_the_lookup(client, otp_login, no_write_agent):
    """No existence oracle: an unknown activity gives the same answer as a real one."""
    otp_login(client, no_write_agent)
    assert_denied(client.post(reverse("activities_activities:generate", args=[999_999])))


# ------------------------------------------------------------------ Fermer ce jour


@pytest.mark.parametrize("method", ["get", "post"])
def test_close_denied_without_permission(client, otp_login, no_write_agent, canteen_day, mailoutbox,
                                         django_capture_on_commit_callbacks, method):
    otp_login(client, no_write_agent)
    url = reverse("activities_occurrences:close", args=[canteen_day.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url) if method == "get" else client.post(url, {"reason": "Grève"})
    assert_denied(response)
    canteen_day.refresh_from_db()
    assert canteen_day.status == OccurrenceStatus.OPEN and canteen_day.closed_reason == ""
    assert mailoutbox == []
    assert Reservation.objects.filter(occurrence=canteen_day, status="booked").count() == canteen_day.booked_count


# ------------------------------------------------------ ModelViewSet edit / delete (POST)


def _activity_post(activity, name):
    return {"school_year": activity.school_year_id, "name": name, "weekdays": ["0", "1"], "period": activity.period,
            "classes": "", "capacity": "3", "booking_rule": activity.booking_rule_id, "is_active": "on"}


@pytest.fixture(params=["other_service", "catalogue_view_only"])
def no_change_agent(request):
    if request.param == "other_service":
        user = other_staff()
    else:
        user = _staff_with("lecture.modeles@ville-villennes-sur-seine.fr", "view_activity", "view_occurrence")
    assert not user.has_perm("activities.change_activity") and not user.has_perm("activities.change_occurrence")
    return user


def test_activity_edit_post_denied_without_permission(client, otp_login, no_change_agent, new_activity):
    otp_login(client, no_change_agent)
    response = client.post(reverse("activities_activities:edit", args=[new_activity.pk]),
                           _activity_post(new_activity, "Renommée"))
    assert_denied(response)
    new_activity.refresh_from_db()
    assert (new_activity.name, new_activity.capacity, new_activity.weekdays) == ("Atelier théâtre (tests)", 12,
                                                                                 [0, 1, 3, 4])


def test_occurrence_edit_post_denied_without_permission(client, otp_login, no_change_agent, canteen_day):
    otp_login(client, no_change_agent)
    response = client.post(reverse("activities_occurrences:edit", args=[canteen_day.pk]),
                           {"activity": canteen_day.activity_id, "date": f"{canteen_day.date + timedelta(days=1):%d/%m/%Y}",
                            "capacity": "1"})
    assert_denied(response)
    before = (canteen_day.date, canteen_day.capacity)
    canteen_day.refresh_from_db()
    assert (canteen_day.date, canteen_day.capacity) == before


@pytest.fixture(params=["other_service", "pole_scolaire"])
def no_delete_agent(request):
    """Nobody below has delete_*: the Pôle scolaire group adds, changes and views only."""
    user = other_staff() if request.param == "other_service" else pole_scolaire_agent()
    assert not user.has_perm("activities.delete_activity") and not user.has_perm("activities.delete_occurrence")
    return user


def test_activity_delete_post_denied_without_permission(client, otp_login, no_delete_agent, new_activity):
    otp_login(client, no_delete_agent)
    assert_denied(client.post(reverse("activities_activities:delete", args=[new_activity.pk])))
    assert Activity.objects.filter(pk=new_activity.pk).exists()


def test_occurrence_delete_post_denied_without_permission(client, otp_login, no_delete_agent, canteen_day):
    otp_login(client, no_delete_agent)
    assert_denied(client.post(reverse("activities_occurrences:delete", args=[canteen_day.pk])))
    assert Occurrence.objects.filter(pk=canteen_day.pk).exists()
    assert Reservation.objects.filter(occurrence=canteen_day, child__first_name="Nathan").exists()


def test_superuser_can_edit_an_activity(client, otp_login, superuser, new_activity):
    """Control: with the permission the same POST changes the activity."""
    otp_login(client, superuser)
    response = client.post(reverse("activities_activities:edit", args=[new_activity.pk]),
                           _activity_post(new_activity, "Renommée"))
    assert response.status_code == 302 and response["Location"] != reverse("wagtailadmin_home")
    new_activity.refresh_from_db()
    assert new_activity.name == "Renommée"


# ------------------------------------------------------------------ attendance marks


@pytest.fixture
def reader():
    user = _staff_with("lecture.presences@ville-villennes-sur-seine.fr", "view_attendance")
    assert not user.has_perm("activities.change_attendance")
    return user


def test_view_attendance_only_reads_the_sheet_without_mark_buttons(client, otp_login, reader, canteen_day):
    otp_login(client, reader)
    response = client.get(reverse("activities_attendance:sheet", args=[canteen_day.pk]))
    assert response.status_code == 200
    assert response.context["can_mark"] is False
    assert "Bernard Nathan" in response.content.decode()


@pytest.mark.parametrize("status", ["present", "absent"])
def test_view_attendance_only_cannot_mark(client, otp_login, reader, canteen_day, status):
    nathan = Reservation.objects.get(occurrence=canteen_day, child__first_name="Nathan", status="booked")
    otp_login(client, reader)
    response = client.post(reverse("activities_attendance:sheet", args=[canteen_day.pk]),
                           {"reservation": nathan.pk, "status": status})
    assert_denied(response)
    assert not Attendance.objects.filter(reservation=nathan).exists()
    assert not Attendance.objects.filter(reservation__occurrence=canteen_day).exists()


def test_change_attendance_marks(client, otp_login, canteen_day):
    """Control: with activities.change_attendance the same POST writes the row."""
    nathan = Reservation.objects.get(occurrence=canteen_day, child__first_name="Nathan", status="booked")
    otp_login(client, _staff_with("pointage.presences@ville-villennes-sur-seine.fr", "view_attendance",
                                  "change_attendance"))
    response = client.post(reverse("activities_attendance:sheet", args=[canteen_day.pk]),
                           {"reservation": nathan.pk, "status": "present"})
    assert response.status_code == 302 and response["Location"] != reverse("wagtailadmin_home")
    assert Attendance.objects.filter(reservation=nathan, status="present").exists()
