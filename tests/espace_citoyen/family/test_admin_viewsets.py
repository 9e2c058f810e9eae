"""Back office of households (/admin/espace-citoyen/foyers/) and children
(/admin/espace-citoyen/enfants/): a superuser lists, inspects, edits and exports; staff
without the family permissions are sent back to the admin home with an error (nothing
changed, no export); a view-only agent (Relations population) lists and inspects but
cannot edit."""

import datetime
import re

import pytest
from django.contrib import messages as django_messages
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from espace_citoyen.accounts.models import AccountStatus, User
from espace_citoyen.family.models import Child, Household, Membership, Sex

pytestmark = pytest.mark.django_db


@pytest.fixture
def family():
    parent = User.objects.create_user("famille.admin@example.fr", "Un-mot-de-passe-solide-42",
                                      first_name="Sophie", last_name="Zéphyrin", status=AccountStatus.ACTIVE)
    household = Household.objects.create(legacy_id="PF-ADMIN-1")
    Membership.objects.create(household=household, user=parent)
    child = Child.objects.create(household=household, first_name="Amandine", last_name="Zéphyrin", sex=Sex.GIRL,
                                 birth_date=datetime.date(2018, 3, 1), school="École des Tilleuls",
                                 school_class="CE1", allergies="Kiwi")
    return {"household": household, "child": child}


def _staff(email, *, groups=(), permissions=()):
    user = User.objects.create_user(email, "Test-Staff-Admin-2026", first_name="Agent", last_name="Test",
                                    is_staff=True, status=AccountStatus.ACTIVE)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    for app_label, codename in permissions:
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user


@pytest.fixture
def communication_agent():
    """Admin access (pages, news) but no family permission."""
    return _staff("communication.tests@ville-villennes-sur-seine.fr", groups=["Communication"])


@pytest.fixture
def admin_only_agent():
    return _staff("acces.admin.tests@ville-villennes-sur-seine.fr", permissions=[("wagtailadmin", "access_admin")])


@pytest.fixture
def view_only_agent():
    """Relations population: family.view_household / view_child, no change permission."""
    user = _staff("relations.tests@ville-villennes-sur-seine.fr", groups=["Relations population"])
    assert user.has_perm("family.view_child") and user.has_perm("family.view_household")
    assert not user.has_perm("family.change_child") and not user.has_perm("family.change_household")
    return user


def _urls(kind, obj):
    namespace = "family_households" if kind == "household" else "family_children"
    return {
        "index": reverse(f"{namespace}:index"),
        "inspect": reverse(f"{namespace}:inspect", args=[obj.pk]),
        "edit": reverse(f"{namespace}:edit", args=[obj.pk]),
    }


def _edit_data(kind, family):
    if kind == "household":
        return {"legacy_id": "PF-PIRATE"}
    return {
        "household": family["household"].pk, "first_name": "Pirate", "last_name": "Zéphyrin", "sex": "f",
        "birth_date": "01/03/2018", "school": "École des Tilleuls", "school_class": "CE1", "allergies": "Aucune",
        "pai_details": "", "doctor_name": "", "doctor_phone": "",
    }


def _state(kind, family):
    if kind == "household":
        return Household.objects.filter(pk=family["household"].pk).values_list("legacy_id", "updated_at").get()
    return Child.objects.filter(pk=family["child"].pk).values_list(
        "first_name", "allergies", "household_id", "updated_at").get()


def _obj(kind, family):
    return family["household"] if kind == "household" else family["child"]


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode("utf-8-sig")


def assert_denied(response):
    """Wagtail's permission_denied: back to the admin home with an error message."""
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    levels = [m.level for m in get_messages(response.wsgi_request)]
    assert django_messages.ERROR in levels


KINDS = ["household", "child"]


# ---------------------------------------------------------------- superuser: everything works


@pytest.mark.parametrize("kind", KINDS)
def test_superuser_lists_inspects_and_exports(client, otp_login, superuser, family, kind):
    otp_login(client, superuser)
    urls = _urls(kind, _obj(kind, family))
    assert client.get(urls["index"]).status_code == 200
    inspect = client.get(urls["inspect"])
    assert inspect.status_code == 200
    assert ("PF-ADMIN-1" if kind == "household" else "Amandine") in inspect.content.decode()
    assert client.get(urls["edit"]).status_code == 200
    export = client.get(urls["index"], {"export": "csv"})
    assert export.status_code == 200
    assert ("PF-ADMIN-1" if kind == "household" else "Amandine") in _body(export)


@pytest.mark.parametrize("kind", KINDS)
def test_superuser_edits(client, otp_login, superuser, family, kind):
    otp_login(client, superuser)
    urls = _urls(kind, _obj(kind, family))
    response = client.post(urls["edit"], _edit_data(kind, family))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == urls["index"]
    if kind == "household":
        assert Household.objects.get(pk=family["household"].pk).legacy_id == "PF-PIRATE"
    else:
        child = Child.objects.get(pk=family["child"].pk)
        assert (child.first_name, child.allergies) == ("Pirate", "Aucune")


# ------------------------------------------- staff without the family permissions: denied


@pytest.fixture(params=["communication", "access_admin_only"])
def outsider(request, communication_agent, admin_only_agent):
    user = communication_agent if request.param == "communication" else admin_only_agent
    assert user.has_perm("wagtailadmin.access_admin")
    assert not any(user.has_perm(f"family.{a}_{m}") for a in ("view", "change", "add", "delete")
                   for m in ("child", "household"))
    return user


@pytest.mark.parametrize("view", ["index", "inspect", "edit"])
@pytest.mark.parametrize("kind", KINDS)
def test_outsider_get_denied(client, otp_login, outsider, family, kind, view):
    otp_login(client, outsider)
    response = client.get(_urls(kind, _obj(kind, family))[view])
    assert_denied(response)
    assert "Amandine" not in response.content.decode()


@pytest.mark.parametrize("kind", KINDS)
def test_outsider_export_denied(client, otp_login, outsider, family, kind):
    otp_login(client, outsider)
    response = client.get(_urls(kind, _obj(kind, family))["index"], {"export": "csv"})
    assert_denied(response)
    assert "text/csv" not in response.get("Content-Type", "")
    assert "Amandine" not in _body(response)


@pytest.mark.parametrize("kind", KINDS)
def test_outsider_edit_post_denied_and_nothing_changed(client, otp_login, outsider, family, kind):
    before = _state(kind, family)
    otp_login(client, outsider)
    response = client.post(_urls(kind, _obj(kind, family))["edit"], _edit_data(kind, family))
    assert_denied(response)
    assert _state(kind, family) == before


# ----------------------------------------------- view-only (Relations population): read only


@pytest.mark.parametrize("kind", KINDS)
def test_view_only_lists_inspects_and_exports(client, otp_login, view_only_agent, family, kind):
    otp_login(client, view_only_agent)
    urls = _urls(kind, _obj(kind, family))
    assert client.get(urls["index"]).status_code == 200
    inspect = client.get(urls["inspect"])
    assert inspect.status_code == 200
    assert ("PF-ADMIN-1" if kind == "household" else "Amandine") in inspect.content.decode()
    export = client.get(urls["index"], {"export": "csv"})
    assert export.status_code == 200


@pytest.mark.parametrize("kind", KINDS)
def test_view_only_edit_get_denied(client, otp_login, view_only_agent, family, kind):
    otp_login(client, view_only_agent)
    assert_denied(client.get(_urls(kind, _obj(kind, family))["edit"]))


@pytest.mark.parametrize("kind", KINDS)
def test_view_only_edit_post_refused_and_nothing_changed(client, otp_login, view_only_agent, family, kind):
    before = _state(kind, family)
    otp_login(client, view_only_agent)
    response = client.post(_urls(kind, _obj(kind, family))["edit"], _edit_data(kind, family))
    assert_denied(response)
    assert _state(kind, family) == before


def test_child_health_details_are_not_in_the_family_listing(client, otp_login, view_only_agent, family):
    """Data minimisation: the agents who read the children listing (Relations population) see
    identity and school, not allergies, PAI or doctor (the Pôle scolaire has them elsewhere)."""
    otp_login(client, view_only_agent)
    urls = _urls("child", _obj("child", family))
    inspect = client.get(urls["inspect"]).content.decode()
    assert "Amandine" in inspect and "CE1" in inspect
    assert "Kiwi" not in inspect and "Allergies" not in inspect
    response = client.get(urls["index"], {"export": "csv"})
    export = (b"".join(response.streaming_content) if response.streaming else response.content).decode()
    assert "Amandine" in export and "Kiwi" not in export


def test_children_are_listed_by_name_and_a_header_sorts_by_its_column(client, otp_login, superuser, family):
    household = family["household"]
    for first, last, born in (("Zoé", "Albert", 2020), ("Bruno", "Albert", 2015), ("Yann", "Moreau", 2012)):
        Child.objects.create(household=household, first_name=first, last_name=last, sex=Sex.GIRL,
                             birth_date=datetime.date(born, 1, 1))
    otp_login(client, superuser)
    url = reverse("family_children:index")

    def listed(**params):
        page = client.get(url, params).content.decode()
        # Each row links to the child's edit page twice (its name, its actions): keep the first.
        return [int(pk) for pk in dict.fromkeys(re.findall(r'href="/admin/espace-citoyen/enfants/edit/(\d+)/"', page))]

    by_name = list(Child.objects.order_by("last_name", "first_name", "id").values_list("pk", flat=True))
    assert 4 <= len(by_name) <= 20  # one page
    assert listed() == by_name
    born = dict(Child.objects.values_list("pk", "birth_date"))
    by_age = [born[pk] for pk in listed(ordering="birth_date")]
    assert by_age == sorted(born.values())
