"""Issue 10, item 8: crafted input never gives a 500 — the targeted cases (the URL walk
over every pattern is tests/test_crafted_input.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from espace_citoyen.core.business_calendar import parse_iso_week, parse_month

pytestmark = pytest.mark.django_db

PARENT = "camille.bernard@example.org"


def test_parse_month_and_week_refuse_years_near_the_limits_of_dates():
    assert parse_month("2026-03") == (2026, 3)
    for raw in ("9999-12", "1-01", "0-00", "2026-13", "２０２６-03", "2026-3-1", "", "-1-01"):
        assert parse_month(raw) is None, raw
    assert parse_iso_week("2026-W10").isoformat() == "2026-03-02"
    for raw in ("9999-W52", "0001-W01", "2026-W54", "2026W10", ""):
        assert parse_iso_week(raw) is None, raw


@pytest.fixture
def chloe_agenda(client):
    from espace_citoyen.family.selectors import children_for

    parent = get_user_model().objects.get(email=PARENT)
    client.force_login(parent)
    return reverse("activities:agenda", args=[children_for(user=parent).first().pk])


@pytest.mark.parametrize("query", [{"mois": "9999-12"}, {"mois": "1-01"}, {"vue": "semaine", "semaine": "9999-W52"},
                                   {"vue": "semaine", "semaine": "0001-W01"}])
def test_agenda_out_of_range_falls_back_to_today_with_a_message(client, chloe_agenda, query):
    response = client.get(chloe_agenda, query)
    assert response.status_code == 200
    text = response.content.decode()
    assert "demandé n&#x27;est pas valide" in text or "demandée n&#x27;est pas valide" in text


def test_admin_family_reservations_month_out_of_range(client, otp_login, superuser):
    from espace_citoyen.family.models import Child

    otp_login(client, superuser)
    child = Child.objects.order_by("pk").first()
    url = reverse("reservations_admin:child", args=[child.pk])
    for month in ("9999-12", "1-01"):
        response = client.get(url, {"mois": month})
        assert response.status_code == 200
        assert "Le mois demandé n&#x27;est pas valide" in response.content.decode()


@pytest.mark.parametrize("path", ["/recherche/?q=%00", "/recherche/?q=a%00b%01", "/actualites/?categorie=%00",
                                  "/actualites/?categorie=%1F%7F&page=%00"])
def test_nul_and_control_characters_in_public_query_strings(client, path):
    assert client.get(path).status_code < 500


def test_control_characters_are_stripped_from_query_and_form_data(rf):
    from espace_citoyen.core.middleware import RequestInputMiddleware

    seen = {}

    def view(request):
        seen.update(get=request.GET.dict(), post=request.POST.dict(), qs=request.META["QUERY_STRING"])
        from django.http import HttpResponse

        return HttpResponse()

    middleware = RequestInputMiddleware(view)
    middleware(rf.post("/espace-citoyen/coordonnees/?q=a%00b%07c&vue=mois",
                       {"address": "1 rue\x00 des Lilas\r\nBât. B\x1b", "k\x00ey": "v"}))
    assert seen["get"] == {"q": "abc", "vue": "mois"} and "%00" not in seen["qs"]
    assert seen["post"] == {"address": "1 rue des Lilas\r\nBât. B", "key": "v"}


def test_next_must_be_a_local_path_and_admin_integers_are_checked(rf):
    from espace_citoyen.core.middleware import RequestInputMiddleware

    seen = {}
    middleware = RequestInputMiddleware(lambda request: seen.update(request.GET.lists()) or object())
    middleware(rf.get("/admin/bulk/news/newscategory/delete/",
                      {"next": "abc", "id": ["12", "", "x", "99999999999999999999", "-3"], "owner": "0", "p": "2"}))
    assert seen == {"id": ["12"], "p": ["2"]}
    seen.clear()
    middleware(rf.get("/admin/block-preview/", {"id": "home.blocks.HeadingBlock"}))
    assert seen == {"id": ["home.blocks.HeadingBlock"]}  # not a number there
    seen.clear()
    middleware(rf.get("/espace-citoyen/", {"next": "//evil.example/", "id": "x"}))
    assert seen == {"id": ["x"]}  # integers are checked by Wagtail's admin views only
    seen.clear()
    middleware(rf.get("/espace-citoyen/", {"next": "/espace-citoyen/famille/"}))
    assert seen == {"next": ["/espace-citoyen/famille/"]}


def test_control_characters_in_the_path_answer_404(client):
    assert client.get("/actualites/%00/").status_code == 404
    assert client.get("/espace-citoyen/demarches/%01/").status_code == 404


def test_a_page_number_out_of_range_is_a_404_in_the_admin(client, otp_login, superuser):
    from wagtail.models import Workflow

    otp_login(client, superuser)
    workflow = Workflow.objects.order_by("pk").first()
    response = client.get(reverse("wagtailadmin_workflows:edit", args=[workflow.pk]), {"p": "999999"})
    assert response.status_code == 404
