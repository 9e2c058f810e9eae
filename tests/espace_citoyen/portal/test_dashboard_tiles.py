"""Tableau de bord: tiles with counts, the family members, the pending account's status
instead of the family features, and a number of queries that does not depend on the
size of the family or of its history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from espace_citoyen.accounts.models import AccountStatus

from tests.factories import add_children, add_demarches, add_documents, make_citizen

pytestmark = pytest.mark.django_db


def _html(client, user) -> str:
    client.force_login(user)
    response = client.get("/espace-citoyen/")
    assert response.status_code == 200
    return response.content.decode()


def test_validated_parent_sees_every_tile_with_counts(client):
    parent = make_citizen("camille.martin@example.fr")
    add_children(parent, 2)
    demarches = add_demarches(parent, 3)
    from espace_citoyen.demarches.models import DemarcheStatus
    from espace_citoyen.demarches.services import demarche_set_status

    demarche_set_status(demarche=demarches[0], status=DemarcheStatus.CLOSED, actor=parent)
    add_documents(parent, 2)

    html = _html(client, parent)
    assert html.count("<h1") == 1
    assert "Activités de mes enfants" in html and 'href="/espace-citoyen/enfants/dossiers/"' in html
    for child in parent.memberships.get().household.children.all():
        assert f'href="/espace-citoyen/enfants/{child.pk}/agenda/"' in html
    assert "Historique de mes démarches" in html and 'href="/espace-citoyen/demarches/"' in html
    assert "2 démarches en cours" in html and "3 démarches au total" in html
    assert "Actualités et messages" in html and 'href="/espace-citoyen/messages/"' in html
    assert "Mes factures" in html and "Aucune facture pour le moment" in html
    assert 'href="/espace-citoyen/factures/"' in html
    assert "Mes documents" in html and "2 documents" in html and "Espace utilisé :" in html
    assert 'href="/espace-citoyen/coordonnees/"' in html
    assert 'href="/espace-citoyen/mes-donnees/"' in html


def test_family_members_are_listed_and_a_child_links_to_its_page(client):
    parent = make_citizen("camille.martin@example.fr")
    household = parent.memberships.get().household
    make_citizen("dominique.martin@example.fr", first_name="Dominique", household=household)
    (child,) = add_children(parent, 1, first_name="Léa")

    html = _html(client, parent)
    assert "Vous trouverez ici tous les membres de votre famille." in html
    assert "Camille Martin (vous)" in html
    assert "Dominique Martin" in html
    # The child's name opens its agenda (said to screen readers), its record is next to it.
    assert (f'href="/espace-citoyen/enfants/{child.pk}/agenda/">Léa0 Martin'
            '<span class="visually-hidden"> : agenda des activités</span></a>') in html
    assert f'href="/espace-citoyen/famille/enfants/{child.pk}/">Fiche de Léa0</a>' in html
    # The icons are decorative: the name is written next to them.
    assert 'src="/static/img/member-child.svg" alt=""' in html
    assert 'src="/static/img/member-adult.svg" alt=""' in html


def test_another_household_members_never_appear(client):
    parent = make_citizen("camille.martin@example.fr")
    other = make_citizen("sam.petit@example.fr", first_name="Sam", last_name="Petit")
    add_children(other, 1, first_name="Zoé")
    add_demarches(other, 4)
    html = _html(client, parent)
    assert "Zoé0" not in html and "Sam Petit" not in html
    assert "Aucune démarche en cours" in html


def test_pending_account_sees_its_status_instead_of_family_features(client):
    user = make_citizen("en.attente@example.fr", status=AccountStatus.PENDING)
    user.validation_due_at = timezone.now()
    user.save()
    add_children(user, 1, first_name="Léo")
    html = _html(client, user)
    assert "État de votre espace : En attente de validation" in html
    assert "Votre demande sera traitée au plus tard le" in html
    assert "Activités de mes enfants" not in html
    assert "Vous trouverez ici tous les membres de votre famille." not in html
    assert "Léo0" not in html
    assert "Mes factures" not in html
    # Démarches, documents, contact details and messages stay.
    for tile in ("Historique de mes démarches", "Mes documents", "Mes coordonnées", "Actualités et messages"):
        assert tile in html


def test_unread_messages_count_comes_from_the_inbox(client, monkeypatch):
    from espace_citoyen.messaging import selectors

    parent = make_citizen("camille.martin@example.fr")
    monkeypatch.setattr(selectors, "unread_count_for", lambda *, user: 4)
    assert "4 messages non lus" in _html(client, parent)
    monkeypatch.setattr(selectors, "unread_count_for", lambda *, user: 0)
    assert "Aucun message non lu" in _html(client, parent)


def _dashboard_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/espace-citoyen/")
    assert response.status_code == 200
    return len(queries)


def _read_messages(user, count: int) -> None:
    from espace_citoyen.messaging.models import MessageRead
    from news.models import ServiceMessagePage

    for page in ServiceMessagePage.objects.all()[:count]:
        MessageRead.objects.get_or_create(user=user, page=page)


def test_query_count_does_not_grow_with_the_family_or_its_history(client):
    small = make_citizen("petite.famille@example.fr")
    add_children(small, 1)
    add_demarches(small, 1)
    add_documents(small, 1)

    large = make_citizen("grande.famille@example.fr", first_name="Dominique")
    household = large.memberships.get().household
    make_citizen("second.parent@example.fr", household=household)
    add_children(large, 6)
    add_demarches(large, 30)
    add_documents(large, 20)
    _read_messages(large, 10)

    # First request of each: warm the session and caches alike.
    _dashboard_queries(client, small)
    small_count = _dashboard_queries(client, small)
    _dashboard_queries(client, large)
    large_count = _dashboard_queries(client, large)
    assert large_count == small_count
    assert small_count <= 24  # session, user, 2FA devices, site settings and header included


def test_dashboard_query_budget(client, django_assert_max_num_queries):
    parent = make_citizen("camille.martin@example.fr")
    add_children(parent, 6)
    add_demarches(parent, 30)
    client.force_login(parent)
    client.get("/espace-citoyen/")
    # The unread count is computed once (header and tile); the activities tile costs three,
    # the invoices tile one.
    with django_assert_max_num_queries(24):
        assert client.get("/espace-citoyen/").status_code == 200


def _invoice(parent, *, month, total, paid=0, due=None, status="issued"):
    from espace_citoyen.billing.models import Invoice

    household = parent.memberships.get().household
    number = f"FTEST-{household.pk:04d}{month.month:02d}"
    return Invoice.objects.create(number=number, household=household, month=month, issue_date=month, status=status,
                                  due_date=due or month.replace(day=15), total_cents=total, paid_cents=paid,
                                  addressee="Camille Martin", pricing_note="Tarif maximal : quotient non transmis")


def test_invoices_tile_shows_the_total_due_and_the_next_due_date(client):
    import datetime

    parent = make_citizen("factures.tuile@example.fr")
    today = timezone.localdate()
    _invoice(parent, month=datetime.date(2020, 1, 1), total=5000, paid=5000, status="paid")
    _invoice(parent, month=datetime.date(2020, 2, 1), total=1250, due=today + datetime.timedelta(days=20))
    _invoice(parent, month=datetime.date(2020, 3, 1), total=3000, paid=1000, status="partially_paid",
             due=today + datetime.timedelta(days=5))
    html = _html(client, parent).replace("\u00a0", " ")
    assert "32,50 € à payer" in html
    assert f"Prochaine échéance : {(today + datetime.timedelta(days=5)).day} " in html
    assert 'href="/espace-citoyen/factures/"' in html


def test_invoices_tile_overdue_and_nothing_to_pay(client):
    import datetime

    parent = make_citizen("factures.retard@example.fr")
    _invoice(parent, month=datetime.date(2020, 1, 1), total=1000, due=datetime.date(2020, 2, 15))
    assert "1 facture en retard" in _html(client, parent)
    other = make_citizen("factures.payees@example.fr")
    _invoice(other, month=datetime.date(2020, 1, 1), total=1000, paid=1000, status="paid")
    html = _html(client, other)
    assert "Rien à payer" in html and "1 facture à consulter" in html


def test_invoices_tile_query_count_does_not_grow_with_invoices(client):
    import datetime

    small = make_citizen("factures.peu@example.fr")
    _invoice(small, month=datetime.date(2020, 1, 1), total=100)
    large = make_citizen("factures.beaucoup@example.fr")
    for month in range(1, 13):
        _invoice(large, month=datetime.date(2020, month, 1), total=100 * month)
    _dashboard_queries(client, small)
    small_count = _dashboard_queries(client, small)
    _dashboard_queries(client, large)
    assert _dashboard_queries(client, large) == small_count
