"""Issue 13, the space: the dashboard's door to "Ma famille" (and each child's record), one
French size format on the dashboard and the documents page ("27 Ko sur 200 Mo")."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from espace_citoyen.core.formats import format_size
from tests.factories import add_documents, make_citizen

from ..activities.agenda_factories import make_parent, page_text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("size, text", [
    (0, "0 octet"), (1, "1 octet"), (512, "512 octets"), (1024, "1 Ko"), (27_238, "27 Ko"),
    (1023 * 1024, "1023 Ko"), (1024 * 1024 - 100, "1 Mo"), (1024 * 1024, "1 Mo"), (1_572_864, "1,5 Mo"),
    (10 * 1024 * 1024 - 1, "10 Mo"), (200 * 1024 * 1024, "200 Mo"), (int(2.1 * 1024 ** 3), "2,1 Go"),
    (None, "0 octet"),
])
def test_format_size(size, text):
    assert format_size(size) == text


def test_template_filter():
    rendered = Template("{% load core_format %}{{ used|taille_fichier }} sur {{ quota|taille_fichier }}").render(
        Context({"used": 27_238, "quota": 200 * 1024 * 1024}))
    assert rendered == "27 Ko sur 200 Mo"
    assert Template("{% load core_format %}[{{ x|taille_fichier }}]").render(Context({"x": "abc"})) == "[]"


def test_same_size_format_on_the_dashboard_and_the_documents_page(client):
    user = make_citizen("tailles@example.fr")
    documents = add_documents(user, 2)
    used = format_size(sum(d.size for d in documents))
    client.force_login(user)
    dashboard = page_text(client.get(reverse("portal:dashboard")))
    assert f"Espace utilisé : {used} sur 200 Mo" in dashboard
    vault = page_text(client.get(reverse("documents:list")))
    assert f"{used} utilisés sur 200 Mo" in vault
    for text in (dashboard, vault):
        assert "Kio" not in text and "Mio" not in text and "moins de 0,1" not in text


def test_the_dashboard_opens_the_family_page_and_each_childs_record(client):
    parent, (chloe, tom) = make_parent("porte.famille@example.fr", children=("Chloé", "Tom"))
    client.force_login(parent)
    html = page_text(client.get(reverse("portal:dashboard")))
    family = reverse("family:household")
    assert f'<h2 id="ma-famille"><a href="{family}">Ma famille</a></h2>' in html
    assert f'<a href="{family}">Voir et modifier ma famille</a>' in html
    for child in (chloe, tom):
        # The child's name opens the agenda (as the town's guide says), its record is one tap away.
        assert f'href="{reverse("activities:agenda", args=[child.pk])}"' in html
        assert f'<a class="member__record" href="{reverse("family:child_detail", args=[child.pk])}">Fiche de ' \
               f'{child.first_name}</a>' in html
    assert client.get(family).status_code == 200
