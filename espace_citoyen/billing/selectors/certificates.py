"""The « attestation de frais de garde »: what a household paid in a calendar year for the
care of its children under six, for the tax credit of article 200 quater B of the CGI
(« frais de garde des enfants de moins de 6 ans », boxes 7GA to 7GG of form 2042 RICI).

What is certified, for household H, year Y and child C (the PDF's footnote says the same):

1. **Children**: those under six on 1 January of Y, as the tax form reads the rule: born on
   or after 1 January of Y − 6 (for 2025, born in 2019 or later). A child without a birth
   date is left out (an agent completes the record, then the certificate shows them).
2. **Childcare only**: the lines of H's invoices for C in activities flagged ``childcare``
   in the catalogue (accueils périscolaires, accueil de loisirs). Meals are excluded as the
   tax rule says: the canteen is billed as its own activity (« Restauration scolaire »),
   never flagged, so its lines never count; an activity whose price would include a meal
   must not be flagged either (bill the meal as the canteen).
3. **Paid in Y**: the payments received from 1 January to 31 December of Y
   (``Payment.received_on``: at the desk or online), whatever the month invoiced. An
   invoice of December paid in January counts in the next year.
4. **Net of credit notes**: on each invoice, a line counts for its amount less what credit
   notes gave back on it, whatever their date; payments count, oldest first, only up to the
   invoice's net amount (total − credit notes), so an over-payment refunded after a credit
   note is not a payment for care.
5. **Partial payments**: the part of an invoice's payments counted in Y is spread over its
   lines pro rata of their net amounts; C's childcare share is
   ``paid in Y × C's childcare lines (net) ÷ invoice (net)``, rounded to the cent per
   invoice (half up). An invoice paid in full in Y gives exactly C's childcare lines, net.

Aid received by the family (CAF, employer) is not known to the town: the family deducts
it itself. Every read is a fixed number of queries whatever the number of invoices."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from espace_citoyen.core.business_calendar import format_month
from espace_citoyen.core.search import words_match
from espace_citoyen.family.models import Child, Household, Membership

from ..models import CreditNoteLine, Invoice, InvoiceLine, Payment

__all__ = ["ChildCertificate", "ChildcareCertificate", "childcare_certificate", "childcare_certificate_years",
           "childcare_certificates_for", "childcare_households", "childcare_totals", "childcare_years_for",
           "eligible_birth_date", "last_certifiable_year"]


@dataclass
class CertificateRow:
    """One invoice's share in a child's amount: "Facture F2026-000012 – octobre 2026"."""

    invoice_number: str
    month_label: str
    amount_cents: int


@dataclass
class ChildCertificate:
    first_name: str
    last_name: str
    birth_date: datetime.date
    amount_cents: int = 0
    rows: list[CertificateRow] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass
class ChildcareCertificate:
    """One household's certificate for a year: one section per child with an amount."""

    household_id: int
    year: int
    parents: list[str]
    address: str
    children: list[ChildCertificate]

    @property
    def total_cents(self) -> int:
        return sum(child.amount_cents for child in self.children)

    @property
    def reference(self) -> str:
        return f"AFG-{self.year}-{self.household_id:05d}"


def eligible_birth_date(year: int) -> datetime.date:
    """The earliest birth date of a child counted for ``year``: 1 January of ``year`` − 6."""
    return datetime.date(year - 6, 1, 1)


def last_certifiable_year(today: datetime.date | None = None) -> int:
    """A year is certified once it is over: from January of the next year."""
    return (today or timezone.localdate()).year - 1


def _share(paid: int, part: int, whole: int) -> int:
    """``paid × part ÷ whole`` rounded half up, in integers (no float on money)."""
    return (2 * paid * part + whole) // (2 * whole) if whole > 0 else 0


def _amounts(household_ids, years: set[int] | None = None) -> dict[tuple[int, int], dict[int, ChildCertificate]]:
    """{(household id, year): {child id: ChildCertificate}} for the years given (every year
    with a payment when None), children with an amount only. Five queries."""
    lines = (InvoiceLine.objects.filter(invoice__household_id__in=household_ids, activity__childcare=True,
                                        child__isnull=False)
             .values("invoice_id", "child_id").annotate(amount=Sum("amount_cents")).order_by())
    childcare: dict[int, dict[int, int]] = defaultdict(dict)  # invoice → child → net childcare cents
    for row in lines:
        childcare[row["invoice_id"]][row["child_id"]] = row["amount"]
    if not childcare:
        return {}
    credited = (CreditNoteLine.objects.filter(invoice_line__invoice_id__in=list(childcare),
                                              invoice_line__activity__childcare=True)
                .values("invoice_line__invoice_id", "invoice_line__child_id").annotate(amount=Sum("amount_cents"))
                .order_by())
    for row in credited:
        by_child = childcare[row["invoice_line__invoice_id"]]
        child_id = row["invoice_line__child_id"]
        if child_id in by_child:
            by_child[child_id] -= row["amount"]
    invoices = {row["pk"]: row for row in Invoice.objects.filter(pk__in=list(childcare)).values(
        "pk", "household_id", "number", "month", "total_cents", "credited_cents")}
    payments = Payment.objects.filter(invoice_id__in=list(childcare)).order_by("received_on", "id").values_list(
        "invoice_id", "amount_cents", "received_on")
    counted: dict[int, int] = defaultdict(int)  # what counted so far on each invoice (oldest first)
    paid_in: dict[tuple[int, int], int] = defaultdict(int)  # (invoice, year) → counted that year
    for invoice_id, amount, received_on in payments:
        invoice = invoices[invoice_id]
        net = invoice["total_cents"] - invoice["credited_cents"]
        part = max(min(amount, net - counted[invoice_id]), 0)
        counted[invoice_id] += part
        if part and (years is None or received_on.year in years):
            paid_in[(invoice_id, received_on.year)] += part
    children = {child.pk: child for child in Child.objects.filter(
        pk__in={child_id for by_child in childcare.values() for child_id in by_child})}
    result: dict[tuple[int, int], dict[int, ChildCertificate]] = defaultdict(dict)
    for (invoice_id, year), paid in sorted(paid_in.items(), key=lambda item: (invoices[item[0][0]]["month"],
                                                                              item[0][0])):
        invoice = invoices[invoice_id]
        net = invoice["total_cents"] - invoice["credited_cents"]
        for child_id, childcare_net in childcare[invoice_id].items():
            child = children.get(child_id)
            if child is None or child.birth_date is None or child.birth_date < eligible_birth_date(year):
                continue
            amount = _share(paid, childcare_net, net)
            if amount <= 0:
                continue
            entry = result[(invoice["household_id"], year)].setdefault(child_id, ChildCertificate(
                first_name=child.first_name, last_name=child.last_name, birth_date=child.birth_date))
            entry.amount_cents += amount
            entry.rows.append(CertificateRow(invoice_number=invoice["number"], amount_cents=amount,
                                             month_label=format_month(invoice["month"].year, invoice["month"].month)))
    return result


def _parents(household_id: int) -> tuple[list[str], str]:
    """The adults' names (first joined first) and the first adult's postal address."""
    rows = list(Membership.objects.filter(household_id=household_id).order_by("joined_at", "id").values_list(
        "user__first_name", "user__last_name", "user__email", "user__profile__street_number", "user__profile__street",
        "user__profile__address_complement", "user__profile__postcode", "user__profile__city"))
    names = [" ".join(part for part in (first, last) if part) or email for first, last, email, *_ in rows]
    address = ""
    if rows:
        _first, _last, _email, number, street, complement, postcode, city = rows[0]
        lines = [" ".join(p for p in (number, street) if p), complement or "", " ".join(p for p in (postcode, city) if p)]
        address = "\n".join(line for line in lines if line)
    return names, address


def _certificate(household_id: int, year: int, children: dict[int, ChildCertificate]) -> ChildcareCertificate:
    parents, address = _parents(household_id)
    ordered = sorted(children.values(), key=lambda child: (child.birth_date, child.first_name))
    return ChildcareCertificate(household_id=household_id, year=year, parents=parents, address=address,
                                children=ordered)


def childcare_certificate(*, household: Household, year: int) -> ChildcareCertificate | None:
    """The household's certificate for ``year`` (back office), None when nothing is certified."""
    children = _amounts([household.pk], {year}).get((household.pk, year))
    return _certificate(household.pk, year, children) if children else None


def childcare_certificate_years(*, household_ids, today: datetime.date | None = None) -> list[int]:
    """Years already over with an amount to certify for these households, newest first."""
    last = last_certifiable_year(today)
    return sorted({year for (_household, year), children in _amounts(household_ids).items()
                   if year <= last and children}, reverse=True)


def _households(user):
    return Membership.objects.filter(user=user).values_list("household_id", flat=True)


def childcare_years_for(*, user, today: datetime.date | None = None) -> list[int]:
    """The certificates a parent may download (« Mes factures »), newest year first."""
    return childcare_certificate_years(household_ids=list(_households(user)), today=today)


def childcare_certificates_for(*, user, year: int, today: datetime.date | None = None) -> list[ChildcareCertificate]:
    """The caller's certificates for ``year`` (one per household of theirs with an amount).
    404 for a year not over yet, or with nothing to certify."""
    if year > last_certifiable_year(today):
        raise Http404("Cette attestation n'est pas encore disponible.")
    household_ids = list(_households(user))
    amounts = _amounts(household_ids, {year})
    certificates = [_certificate(household_id, year, amounts[(household_id, year)])
                    for household_id in sorted(household_ids) if amounts.get((household_id, year))]
    if not certificates:
        raise Http404("Aucune attestation pour cette année.")
    return certificates


# --- Back office ----------------------------------------------------------------------


def childcare_households(*, query: str = "", household_id: int | None = None) -> QuerySet[Household]:
    """Households found by an adult's or a child's name or an adult's e-mail (accents and
    case ignored), or by number; none without either. Adults and children prefetched."""
    if household_id:
        queryset = Household.objects.filter(pk=household_id)
    elif query.strip():
        adults = Membership.objects.filter(words_match(query, "user__first_name", "user__last_name", "user__email"))
        children = Child.objects.filter(words_match(query, "first_name", "last_name"))
        queryset = Household.objects.filter(Q(pk__in=adults.values("household_id"))
                                            | Q(pk__in=children.values("household_id")))
    else:
        queryset = Household.objects.none()
    return queryset.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("user").order_by("joined_at", "id")),
        Prefetch("children", queryset=Child.objects.order_by("birth_date", "first_name")),
    ).order_by("pk")


def childcare_totals(*, household_ids, year: int) -> dict[int, int]:
    """{household id: cents certified for ``year``} for these households (those with an amount)."""
    return {household_id: sum(child.amount_cents for child in children.values())
            for (household_id, _year), children in _amounts(list(household_ids), {year}).items() if children}
