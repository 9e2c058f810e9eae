"""The dashboard's invoices tile, cached per parent (portal.selectors.cached_dashboard_for),
follows an invoicing run (bulk inserts, no row signal) and a payment at once, for both
adults of the household."""

import pytest

from espace_citoyen.billing.models import PaymentMethod
from espace_citoyen.billing.services.payments import payment_record
from espace_citoyen.portal import selectors

from .conftest import issue_invoice, two_parent_family

pytestmark = pytest.mark.django_db


def tile(client, user) -> str:
    client.force_login(user)
    response = client.get("/espace-citoyen/")
    assert response.status_code == 200
    text = response.content.decode().replace("\u00a0", " ")
    return text[text.index('id="tuile-factures"'):text.index("</section>", text.index('id="tuile-factures"'))]


def test_an_invoicing_run_then_a_payment_show_at_once_for_both_parents(client, regie_agent, monkeypatch):
    builds = []
    original = selectors.dashboard_for
    monkeypatch.setattr(selectors, "dashboard_for", lambda *, user: builds.append(user.pk) or original(user=user))
    user, other_parent, household = two_parent_family("tuile.factures@example.fr", "second.parent@example.fr", days=3)
    for parent in (user, other_parent):
        assert "Aucune facture pour le moment" in tile(client, parent)
        assert "Aucune facture pour le moment" in tile(client, parent)  # now from the cache
    assert builds == [user.pk, other_parent.pk]

    invoice = issue_invoice(household)

    for parent in (user, other_parent):
        assert "15,00 € à payer" in tile(client, parent)
    assert builds[2:] == [user.pk, other_parent.pk]  # built again after the run, for both
    payment_record(invoice=invoice, amount_cents=1500, method=PaymentMethod.CASH, actor=regie_agent)
    for parent in (user, other_parent):
        text = tile(client, parent)
        assert "Rien à payer" in text and "1 facture à consulter" in text
