import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from PIL import Image

from espace_citoyen.accounts.models import AccountStatus, Profile
from espace_citoyen.family.models import Child, Household, Membership, Sex

PASSWORD = "Un-mot-de-passe-solide-42"


def make_user(email, *, status=AccountStatus.ACTIVE, first_name="Léa", last_name="Martin", street="rue de Poissy"):
    user = get_user_model().objects.create_user(email, PASSWORD, first_name=first_name, last_name=last_name,
                                                status=status)
    Profile.objects.create(user=user, street_number="1", street=street, postcode="78670",
                           city="Villennes-sur-Seine")
    return user


def make_household(user, *children: str) -> Household:
    household = Household.objects.create()
    Membership.objects.create(household=household, user=user)
    for name in children:
        Child.objects.create(household=household, first_name=name, last_name=user.last_name, sex=Sex.GIRL,
                             birth_date=datetime.date(2018, 1, 1))
    return household


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def parent(db):
    user = make_user("sophie.durand@example.fr", first_name="Sophie", last_name="Durand")
    make_household(user, "Emma")
    return user


@pytest.fixture
def stranger(db):
    user = make_user("paul.petit@example.fr", first_name="Paul", last_name="Petit", street="rue du Mesnil")
    make_household(user, "Hugo")
    return user


@pytest.fixture
def pending(db):
    return make_user("nina.roux@example.fr", status=AccountStatus.PENDING, first_name="Nina", last_name="Roux")


def child_post(**overrides) -> dict:
    data = {
        "first_name": "Léa", "last_name": "Durand", "sex": "f", "birth_date": "14/02/2019",
        "school": "École élémentaire des Tilleuls", "school_class": "CP",
        "allergies": "", "pai_details": "", "doctor_name": "Dr Martin", "doctor_phone": "01 39 75 00 00",
        "personnes-TOTAL_FORMS": "1", "personnes-INITIAL_FORMS": "0",
        "personnes-MIN_NUM_FORMS": "0", "personnes-MAX_NUM_FORMS": "8",
        "personnes-0-name": "Monique Durand", "personnes-0-relationship": "Grand-mère",
        "personnes-0-phone": "0645454545",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def page_text(response) -> str:
    """The response's HTML with entities decoded (Django escapes apostrophes)."""
    import html

    return html.unescape(response.content.decode())
