"""The catalogue in the Wagtail admin: Pôle scolaire agents manage school years, holidays,
schools, rules, activities and days; other staff are refused."""

from datetime import date

import pytest
from django.urls import reverse

from espace_citoyen.activities.models import Activity, BookingRule, Occurrence, OccurrenceStatus, SchoolYear

from ._agents import other_staff, pole_scolaire_agent

pytestmark = pytest.mark.django_db

INDEXES = ["activities_school_years:index", "activities_holidays:index", "activities_schools:index",
           "activities_booking_rules:index", "activities_activities:index", "activities_occurrences:index",
           "activities_extra_dates:index"]


@pytest.fixture
def agent(client, otp_login):
    user = pole_scolaire_agent()
    otp_login(client, user)
    return user


@pytest.fixture
def outsider(client, otp_login):
    user = other_staff()
    otp_login(client, user)
    return user


@pytest.mark.parametrize("name", INDEXES)
def test_listings_for_pole_scolaire(client, agent, name):
    response = client.get(reverse(name))
    assert response.status_code == 200


@pytest.mark.parametrize("name", INDEXES + ["activities_activities:add", "activities_school_years:add"])
def test_listings_refused_without_permission(client, outsider, name):
    response = client.get(reverse(name))
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response.url == reverse("wagtailadmin_home")


def test_menu_shows_catalogue_only_to_pole_scolaire(client, agent, otp_login):
    content = client.get("/admin/").content.decode()
    assert "Pointage des pr" in content and "espace-citoyen/jours-activite/" in content
    client.logout()
    otp_login(client, other_staff())
    content = client.get("/admin/").content.decode()
    assert "Pointage des pr" not in content and "espace-citoyen/jours-activite/" not in content


def test_create_activity_with_weekday_checkboxes_and_generate_days(client, agent):
    year = SchoolYear.objects.get(label="2026-2027")
    rule = BookingRule.objects.get(name="J-2 avant 10h, jours ouvrés")
    form = client.get(reverse("activities_activities:add")).content.decode()
    assert 'type="checkbox" name="weekdays" value="0"' in form and "Lundi" in form
    response = client.post(reverse("activities_activities:add"), {
        "school_year": year.pk, "name": "Atelier théâtre", "weekdays": ["1", "3"], "period": "school",
        "classes": "CM1, CM2", "capacity": "15", "booking_rule": rule.pk, "is_active": "on",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    activity = Activity.objects.get(school_year=year, name="Atelier théâtre")
    assert activity.weekdays == [1, 3]
    assert activity.classes == ["CM1", "CM2"]
    assert not activity.occurrences.exists()
    url = reverse("activities_activities:generate", args=[activity.pk])
    page = client.get(url).content.decode()
    assert "jour(s) à créer" in page
    response = client.post(url)
    assert response.status_code == 302
    days = set(activity.occurrences.values_list("date", flat=True))
    assert date(2026, 11, 10) in days and date(2026, 11, 11) not in days and date(2026, 10, 20) not in days
    assert all(d.weekday() in (1, 3) for d in days)
    count = len(days)
    client.post(url)
    assert activity.occurrences.count() == count


def test_activity_listing_offers_generate_button(client, agent):
    activity = Activity.objects.get(school_year__label="2026-2027", name="Étude surveillée")
    content = client.get(reverse("activities_activities:index")).content.decode()
    assert "Générer les jours" in content
    assert reverse("activities_activities:generate", args=[activity.pk]) in content


def test_generate_refused_without_permission(client, outsider):
    activity = Activity.objects.get(school_year__label="2026-2027", name="Étude surveillée")
    before = activity.occurrences.count()
    response = client.post(reverse("activities_activities:generate", args=[activity.pk]))
    assert response.status_code in (302, 403)
    assert activity.occurrences.count() == before


def test_create_activity_without_name_keeps_input(client, agent):
    year = SchoolYear.objects.get(label="2026-2027")
    response = client.post(reverse("activities_activities:add"), {
        "school_year": year.pk, "name": "", "weekdays": ["1"], "period": "school", "classes": "CP", "capacity": "12",
    })
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="12"' in content and 'value="CP"' in content


def test_occurrence_listing_filter_and_export(client, agent):
    activity = Activity.objects.get(school_year__label="2026-2027", name="Accueil de loisirs du mercredi")
    response = client.get(reverse("activities_occurrences:index"), {"activity": activity.pk})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Fermer ce jour" in content
    export = client.get(reverse("activities_occurrences:index"), {"activity": activity.pk, "export": "csv"})
    assert export.status_code == 200
    body = b"".join(export.streaming_content).decode() if export.streaming else export.content.decode()
    assert "Date,Activité,Places,Réservées,État" in body.splitlines()[0].replace(";", ",")
    assert "Accueil de loisirs du mercredi" in body
    assert "Restauration scolaire" not in body
    xlsx = client.get(reverse("activities_occurrences:index"), {"activity": activity.pk, "export": "xlsx"})
    assert xlsx.status_code == 200
    assert "spreadsheetml" in xlsx["Content-Type"]


def test_close_day_form(client, agent, mailoutbox, django_capture_on_commit_callbacks):
    day = Occurrence.objects.get(activity__name="Restauration scolaire", activity__school_year__label="2026-2027",
                                 date=date(2026, 12, 7))
    assert day.booked_count >= 2  # Chloé and Nathan
    url = reverse("activities_occurrences:close", args=[day.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Indiquez le motif de la fermeture." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Sortie scolaire"})
    assert response.status_code == 302
    day.refresh_from_db()
    assert day.status == OccurrenceStatus.CLOSED and day.closed_reason == "Sortie scolaire"
    assert mailoutbox and all("Sortie scolaire" in m.body for m in mailoutbox)


def test_close_day_refused_without_permission(client, outsider):
    day = Occurrence.objects.filter(activity__school_year__label="2026-2027").first()
    response = client.post(reverse("activities_occurrences:close", args=[day.pk]), {"reason": "Grève"})
    assert response.status_code in (302, 403)
    day.refresh_from_db()
    assert day.status == OccurrenceStatus.OPEN
