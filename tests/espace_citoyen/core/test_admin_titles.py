"""Every back-office page says what it is: its title is the page's heading (the last of
Wagtail's breadcrumbs, core.backoffice.TitledPageMixin), under links to the pages above it.
Without it Wagtail's slim header said only "Accueil"."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from ..activities.agenda_factories import make_activity, make_occurrence, make_parent, next_weekday, today
from ..billing.conftest import family_invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def occurrence():
    return make_occurrence(make_activity(name="Centre de loisirs"), next_weekday(today(), 2, weeks=2))


def breadcrumbs(client, url):
    """The texts of the header's breadcrumbs (what is seen: the h1 is for screen readers) and
    their links."""
    response = client.get(url)
    assert response.status_code == 200, url
    nav = BeautifulSoup(response.content, "html.parser").find("header").find("nav", attrs={"aria-label": "Fil d'Ariane"})
    return [li.get_text(" ", strip=True) for li in nav.find_all("li")], {a["href"] for a in nav.find_all("a", href=True)}


def test_each_page_is_titled_under_its_parent(client, superuser, otp_login, occurrence):
    otp_login(client, superuser)
    attendance = reverse("activities_attendance:index")
    pages = [
        (attendance, "Pointage des présences", None),
        (reverse("activities_attendance:sheet", args=[occurrence.pk]), "Feuille de présence", attendance),
        (reverse("activities_activities:generate", args=[occurrence.activity_id]), "Générer les jours",
         reverse("activities_activities:index")),
        (reverse("activities_occurrences:close", args=[occurrence.pk]), "Fermer un jour",
         reverse("activities_occurrences:index")),
        (reverse("account_deletions:index"), "Suppressions de compte", None),
        (reverse("accounts_validation:index"), "Comptes à valider", None),
    ]
    for url, title, parent in pages:
        items, links = breadcrumbs(client, url)
        assert items[-1] == title, (url, items)
        assert parent is None or parent in links, (url, links)


def test_detail_pages_link_to_the_pages_above_them(client, superuser, otp_login):
    """Each page above is a link, in order, before the page's own title."""
    _parent, invoice = family_invoice("titres.facture@example.fr", days=1)
    _user, (child,) = make_parent("titres.reservations@example.fr", first_name="Inès", last_name="Morel",
                                  children=("Lou",))
    otp_login(client, superuser)
    invoices, reservations = reverse("billing_invoices:index"), reverse("reservations_admin:index")
    child_page = reverse("reservations_admin:child", args=[child.pk])
    pages = [
        (reverse("billing_invoices:detail", args=[invoice.pk]), [("Factures", invoices)], f"Facture {invoice.number}"),
        (reverse("billing_quotients:household", args=[invoice.household_id]),
         [("Quotients familiaux", reverse("billing_quotients:index"))],
         f"Quotient familial – foyer n° {invoice.household_id}"),
        (reverse("reservations_admin:pattern", args=[child.pk]),
         [("Réservations des familles", reservations), ("Réservations de Lou Morel", child_page)],
         "Semaine type pour Lou Morel"),
    ]
    for url, parents, title in pages:
        items, links = breadcrumbs(client, url)
        assert items[-1 - len(parents):] == [label for label, _href in parents] + [title], (url, items)
        assert {href for _label, href in parents} <= links, (url, links)
