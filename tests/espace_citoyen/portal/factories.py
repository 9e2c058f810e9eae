"""Small builders of a citizen's family and history, shared by the portal tests."""

import datetime
import io

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from espace_citoyen.accounts.models import AccountStatus
from espace_citoyen.family.models import Child, Household, Membership

PASSWORD = "Un-mot-de-passe-solide-42"


def make_citizen(email: str, *, first_name="Camille", last_name="Martin", status=AccountStatus.ACTIVE,
                 household=None):
    user = get_user_model().objects.create_user(email, PASSWORD, first_name=first_name, last_name=last_name,
                                                status=status)
    if household is not False:
        household = household or Household.objects.create()
        Membership.objects.create(household=household, user=user)
    return user


def add_children(user, count: int, *, first_name="Enfant"):
    household = Membership.objects.filter(user=user).first().household
    return [
        Child.objects.create(household=household, first_name=f"{first_name}{index}", last_name="Martin",
                             birth_date=datetime.date(2015, 1, 1) + datetime.timedelta(days=index),
                             school="École des Tilleuls", school_class="CE1")
        for index in range(count)
    ]


def add_demarches(user, count: int):
    from espace_citoyen.demarches.models import DemarcheKind
    from espace_citoyen.demarches.services import demarche_open

    return [demarche_open(user=user, kind=DemarcheKind.OTHER, title=f"Demande {index}") for index in range(count)]


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "navy").save(buffer, format="PNG")
    return buffer.getvalue()


def add_documents(user, count: int, *, content: bytes | None = None):
    from espace_citoyen.documents.models import Document, DocumentContentType, DocumentType

    content = content or png_bytes()
    documents = []
    for index in range(count):
        document = Document(owner=user, doc_type=DocumentType.OTHER, label=f"Pièce {index}",
                            original_filename=f"piece-{index}.png", content_type=DocumentContentType.PNG,
                            size=len(content))
        document.file.save(f"piece-{index}.png", ContentFile(content), save=False)
        document.save()
        documents.append(document)
    return documents
