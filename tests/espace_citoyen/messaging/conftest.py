import datetime

import pytest
from django.contrib.auth import get_user_model

from espace_citoyen.accounts.models import AccountStatus, ContactMethod, Profile
from espace_citoyen.family.models import Child, Household, Membership
from news.models import Audience, ServiceMessageIndexPage, ServiceMessagePage

TILLEULS = "École élémentaire des Tilleuls"


def make_user(email, *, status=AccountStatus.ACTIVE, schools=None, household=False, contact=ContactMethod.EMAIL,
              profile=True, **extra):
    """A citizen; `schools` gives them a household with one child per school listed
    (an empty list: a household without children)."""
    user = get_user_model().objects.create_user(email, "Un-mot-de-passe-solide-42", status=status,
                                                first_name=extra.pop("first_name", "Alex"), **extra)
    if profile:
        Profile.objects.create(user=user, preferred_contact=contact)
    if schools is not None or household:
        home = Household.objects.create()
        Membership.objects.create(household=home, user=user)
        for number, school in enumerate(schools or []):
            Child.objects.create(household=home, first_name=f"Enfant{number}", last_name="Test", school=school)
    return user


@pytest.fixture
def people(db):
    """One user per audience case, created before the test messages (so they are unread)."""
    return {
        "holder": make_user("titulaire@example.fr"),
        "pending": make_user("en.attente@example.fr", status=AccountStatus.PENDING),
        "childless": make_user("sans.enfant@example.fr", household=True),
        "parent_parc": make_user("parent.parc@example.fr", schools=["École maternelle du Parc"]),
        # Another spelling of the targeted school: case, accents and spaces do not matter.
        "parent_tilleuls": make_user("parent.tilleuls@example.fr",
                                     schools=["ecole  elementaire des TILLEULS", "École maternelle du Parc"]),
        "to_activate": make_user("a.activer@example.fr", status=AccountStatus.TO_ACTIVATE, schools=[TILLEULS]),
        "refused": make_user("refuse@example.fr", status=AccountStatus.REFUSED, schools=[TILLEULS]),
        "agent": make_user("agent@ville-villennes-sur-seine.fr", is_staff=True),
    }


def publish_message(slug, *, audience, detail="", title=None, days_ago=0, **fields):
    index = ServiceMessageIndexPage.objects.get(slug="messages-des-services")
    page = ServiceMessagePage(
        slug=slug, title=title or f"Message {slug}", audience=audience, audience_detail=detail,
        date=datetime.date.today() - datetime.timedelta(days=days_ago),
        body=[("paragraph", f"<p>Contenu du message {slug}.</p>")], **fields,
    )
    index.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def messages(people):
    return {
        "everyone": publish_message("test-tout-le-monde", audience=Audience.EVERYONE, days_ago=3),
        "holders": publish_message("test-titulaires", audience=Audience.ACCOUNT_HOLDERS, days_ago=2),
        "families": publish_message("test-familles", audience=Audience.FAMILIES, days_ago=1),
        "tilleuls": publish_message("test-tilleuls", audience=Audience.ACTIVITY_FAMILIES, detail=TILLEULS),
    }
