"""Builders shared by the tests: factory_boy factories of the main models, and the small
helpers built on them (a citizen with a household, an agent of a service, a PDF, a PNG).
Test modules that need other defaults pass them (e.g. another first name) instead of
writing their own copy."""

import datetime
import io

import factory
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from factory.django import DjangoModelFactory
from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader, PdfWriter

from espace_citoyen.accounts.models import AccountStatus, Profile, User
from espace_citoyen.core.services_map import SERVICE_GROUPS, ensure_service_groups
from espace_citoyen.demarches.models import DemarcheKind
from espace_citoyen.demarches.services import demarche_open
from espace_citoyen.documents.models import Document, DocumentContentType, DocumentType
from espace_citoyen.family.models import Child, Household, Membership

PASSWORD = "Un-mot-de-passe-solide-42"


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household


class UserFactory(DjangoModelFactory):
    """An account with PASSWORD, validated unless told otherwise."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"citoyen{n}@example.fr")
    first_name = "Camille"
    last_name = "Martin"
    status = AccountStatus.ACTIVE

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        password = kwargs.pop("password", PASSWORD)
        return model_class.objects.create_user(kwargs.pop("email"), password, **kwargs)


class ChildFactory(DjangoModelFactory):
    class Meta:
        model = Child

    household = factory.SubFactory(HouseholdFactory)
    first_name = factory.Sequence(lambda n: f"Enfant{n}")
    last_name = "Martin"
    birth_date = datetime.date(2015, 1, 1)
    school = "École des Tilleuls"
    school_class = "CE1"


def make_citizen(email: str, *, first_name="Camille", last_name="Martin", status=AccountStatus.ACTIVE,
                 household=None, profile: dict | None = None) -> User:
    """A citizen's account (PASSWORD) in a household of their own, or in `household`;
    `household=False`: no household. `profile`: fields of the account's Profile to create."""
    user = UserFactory(email=email, first_name=first_name, last_name=last_name, status=status)
    if household is not False:
        Membership.objects.create(household=household or HouseholdFactory(), user=user)
    if profile is not None:
        Profile.objects.create(user=user, **profile)
    return user


def make_service_agent(email: str, service: str, *, first_name="Agent", last_name="Scolaire") -> User:
    """A staff member of the group of a town service (core.services_map)."""
    ensure_service_groups()
    user = UserFactory(email=email, first_name=first_name, last_name=last_name, is_staff=True)
    user.groups.add(Group.objects.get(name=SERVICE_GROUPS[service]))
    return user


def make_staff(email: str, *codenames: str, app_label: str = "accounts") -> User:
    """A staff member who may enter the admin, with the given permissions of `app_label`
    (through a group of their own)."""
    user = User.objects.create_user(email, password=None, is_staff=True)
    group = Group.objects.create(name=f"Groupe {email}")
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    for codename in codenames:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    user.groups.add(group)
    return user


def add_children(user: User, count: int, *, first_name="Enfant") -> list[Child]:
    household = Membership.objects.filter(user=user).first().household
    return [
        ChildFactory(household=household, first_name=f"{first_name}{index}",
                     birth_date=datetime.date(2015, 1, 1) + datetime.timedelta(days=index))
        for index in range(count)
    ]


def add_demarches(user: User, count: int):
    return [demarche_open(user=user, kind=DemarcheKind.OTHER, title=f"Demande {index}") for index in range(count)]


def add_documents(user: User, count: int, *, content: bytes | None = None) -> list[Document]:
    content = content or make_png(size=(20, 10))
    documents = []
    for index in range(count):
        document = Document(owner=user, doc_type=DocumentType.OTHER, label=f"Pièce {index}",
                            original_filename=f"piece-{index}.png", content_type=DocumentContentType.PNG,
                            size=len(content))
        document.file.save(f"piece-{index}.png", ContentFile(content), save=False)
        document.save()
        documents.append(document)
    return documents


def make_pdf(text: str = "Attestation", *, encrypt: str | None = None) -> bytes:
    """A one-page PDF showing `text`; `encrypt`: protected by that password."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, text)
    data = bytes(pdf.output())
    if encrypt:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        writer.encrypt(encrypt)
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
    return data


def make_png(*, size=(40, 30), colour="navy") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


# --- the demo's days (built relative to today: espace_citoyen/activities/demo.py) -------------


def demo_school_year_label() -> str:
    from espace_citoyen.activities.demo import demo_plan

    return demo_plan().label


def demo_canteen_day():
    """A coming canteen day of the demo where Chloé and Nathan Bernard are both booked."""
    from espace_citoyen.activities.demo import demo_plan
    from espace_citoyen.activities.models import Occurrence

    plan = demo_plan()
    day = (Occurrence.objects.filter(activity__name="Restauration scolaire", activity__school_year__label=plan.label,
                                     date__gte=plan.today, reservations__child__first_name="Nathan",
                                     reservations__child__last_name="Bernard", reservations__status="booked")
           .filter(reservations__child__first_name="Chloé").distinct().order_by("date").first())
    assert day is not None, "the demo books the canteen around today"
    return day


def demo_absent_day():
    """The past canteen day the demo marks Nathan Bernard absent."""
    from espace_citoyen.activities.demo import demo_plan, nathan_absent_day

    return nathan_absent_day(demo_plan())
