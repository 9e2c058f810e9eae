import io

import pytest

from espace_citoyen.demarches import demo
from espace_citoyen.demarches.models import Demarche, DemarcheStatus

pytestmark = pytest.mark.django_db


def test_demo_parent_has_demarches_in_several_statuses():
    demarches = Demarche.objects.filter(user__email=demo.PARENT_EMAIL)
    statuses = set(demarches.values_list("status", flat=True))
    assert {DemarcheStatus.IN_PROGRESS, DemarcheStatus.TO_COMPLETE, DemarcheStatus.ACCEPTED,
            DemarcheStatus.CLOSED} <= statuses
    in_progress = demarches.get(title="Modification du PAI de Chloé")
    assert in_progress.events.exclude(comment="").exists()
    assert in_progress.service == "scolaire"


def test_demo_is_idempotent():
    before = Demarche.objects.count()
    demo.seed(stdout=io.StringIO())
    assert Demarche.objects.count() == before


def test_demo_parent_sees_them(client):
    from django.contrib.auth import get_user_model

    parent = get_user_model().objects.get(email=demo.PARENT_EMAIL)
    client.force_login(parent)
    content = client.get("/espace-citoyen/demarches/").content.decode()
    assert "Attestation de quotient familial 2026" in content and "À compléter" in content
