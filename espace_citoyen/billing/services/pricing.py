"""Prices of a booked day: the activity's tariff, the household's family-quotient bracket
(the highest bracket without a valid quotient), the "hors commune" price for households
living outside the town; and the writes of the Régie on quotients and tariffs.

A :class:`PriceBook` is loaded once per run (four queries) and then prices any number of
days without touching the database."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction

from espace_citoyen.core.money import format_cents
from espace_citoyen.core.services_map import ensure_service_groups
from espace_citoyen.demarches.models import DemarcheStatus
from espace_citoyen.demarches.services import demarche_set_status
from espace_citoyen.family.models import Membership

from ..models import ActivityTariff, HouseholdQuotient, QuotientBracket, TariffPrice

__all__ = [
    "REGIE_GROUP", "Price", "PriceBook", "bracket_label", "billing_ensure_group_permissions", "household_residency",
    "quotient_set",
]

REGIE_GROUP = "Régie"
NO_QUOTIENT_LABEL = "Tarif maximal : quotient non transmis"
OUTSIDE_LABEL = "Tarif hors commune"


def _euros(value: int) -> str:
    return format_cents(value * 100).replace(",00", "")


def bracket_label(lower_bound: int, upper_bound: int | None) -> str:
    """ "de 500 € à 899 €", "1 300 € et plus" (quotients are whole euros)."""
    if upper_bound is None:
        return f"{_euros(lower_bound)} et plus" if lower_bound else "tarif unique"
    return f"de {_euros(lower_bound)} à {_euros(upper_bound - 1)}"


@dataclass(frozen=True)
class Price:
    unit_cents: int
    surcharge_cents: int
    label: str  # the bracket used, as printed on the line
    no_quotient: bool = False


@dataclass
class PriceBook:
    """Tariffs, brackets and quotients of some school years, in memory."""

    bounds: dict[int, list[int]] = field(default_factory=dict)  # year → sorted lower bounds
    bracket_ids: dict[int, list[int]] = field(default_factory=dict)  # year → bracket ids, same order
    prices: dict[tuple[int, int], int] = field(default_factory=dict)  # (activity, bracket) → cents
    outside: dict[int, int] = field(default_factory=dict)  # activity → cents
    surcharge: dict[int, int] = field(default_factory=dict)  # activity → cents
    quotients: dict[tuple[int, int], int] = field(default_factory=dict)  # (household, year) → €
    labels: dict[int, list[str]] = field(default_factory=dict)  # year → bracket labels, same order
    _memo: dict = field(default_factory=dict)

    @classmethod
    def load(cls, *, school_year_ids) -> PriceBook:
        book = cls()
        year_ids = set(school_year_ids)
        for pk, year_id, lower in (QuotientBracket.objects.filter(school_year_id__in=year_ids)
                                   .order_by("school_year_id", "lower_bound").values_list("pk", "school_year_id",
                                                                                          "lower_bound")):
            book.bounds.setdefault(year_id, []).append(lower)
            book.bracket_ids.setdefault(year_id, []).append(pk)
        for activity_id, outside, surcharge in ActivityTariff.objects.filter(
                activity__school_year_id__in=year_ids).values_list("activity_id", "outside_town_price_cents",
                                                                   "late_surcharge_cents"):
            book.outside[activity_id] = outside
            book.surcharge[activity_id] = surcharge
        for activity_id, bracket_id, cents in TariffPrice.objects.filter(
                tariff__activity__school_year_id__in=year_ids).values_list("tariff__activity_id", "bracket_id",
                                                                           "unit_price_cents"):
            book.prices[(activity_id, bracket_id)] = cents
        for year_id, bounds in book.bounds.items():
            book.labels[year_id] = [bracket_label(lower, bounds[i + 1] if i + 1 < len(bounds) else None)
                                    for i, lower in enumerate(bounds)]
        # The latest row of each household and year is in force (rows are a history).
        for household_id, year_id, quotient in (HouseholdQuotient.objects.filter(school_year_id__in=year_ids)
                                                .order_by("set_at", "id")
                                                .values_list("household_id", "school_year_id", "quotient")):
            book.quotients[(household_id, year_id)] = quotient
        return book

    def quotient(self, household_id: int, year_id: int) -> int | None:
        return self.quotients.get((household_id, year_id))

    def bracket_for(self, year_id: int, quotient: int | None) -> tuple[int, str] | None:
        """(bracket id, label) for ``quotient`` in ``year_id``; the highest without a quotient."""
        bounds = self.bounds.get(year_id)
        if not bounds:
            return None
        index = len(bounds) - 1 if quotient is None else max(bisect.bisect_right(bounds, quotient) - 1, 0)
        return self.bracket_ids[year_id][index], self.labels[year_id][index]

    def price(self, *, activity_id: int, year_id: int, household_id: int, outside_town: bool,
              late_booking: bool) -> Price | None:
        """The price of one day, or None when the activity has no complete tariff (the same
        household, activity and lateness give the same price: computed once)."""
        key = (activity_id, year_id, household_id, outside_town, late_booking)
        if key not in self._memo:
            self._memo[key] = self._price(activity_id=activity_id, year_id=year_id, household_id=household_id,
                                          outside_town=outside_town, late_booking=late_booking)
        return self._memo[key]

    def _price(self, *, activity_id: int, year_id: int, household_id: int, outside_town: bool,
               late_booking: bool) -> Price | None:
        if activity_id not in self.outside:
            return None
        surcharge = self.surcharge[activity_id] if late_booking else 0
        if outside_town:
            return Price(self.outside[activity_id], surcharge, OUTSIDE_LABEL)
        quotient = self.quotient(household_id, year_id)
        bracket = self.bracket_for(year_id, quotient)
        if bracket is None or (activity_id, bracket[0]) not in self.prices:
            return None
        if quotient is None:
            return Price(self.prices[(activity_id, bracket[0])], surcharge, NO_QUOTIENT_LABEL, no_quotient=True)
        return Price(self.prices[(activity_id, bracket[0])], surcharge, f"Tranche {bracket[1]}")


def town_postcodes() -> set[str]:
    return {code.strip() for code in getattr(settings, "ESPACE_CITOYEN_TOWN_POSTCODES", ["78670"]) if code.strip()}


def household_residency(postcodes: list[str]) -> bool | None:
    """True: lives in the town (one adult's postcode is the town's); False: outside (known
    postcodes, none of the town); None: no address known (billed at the town's price, and
    the run's preview says so)."""
    known = [code.strip() for code in postcodes if code and code.strip()]
    if not known:
        return None
    return bool(town_postcodes() & set(known))


@transaction.atomic
def quotient_set(*, household, school_year, quotient: int, actor, document=None, demarche=None,
                 note: str = "") -> HouseholdQuotient:
    """Record the household's family quotient for a school year (a new history row), read
    by a Régie agent on a certificate the family transmitted (document and démarche); the
    démarche of that transmission is then accepted, and the family told."""
    if quotient is None or int(quotient) < 0:
        raise ValidationError("Indiquez un quotient familial positif, en euros.")
    if quotient > 100_000:
        raise ValidationError("Ce quotient familial paraît impossible : vérifiez le montant (en euros par mois).")
    if document is not None:
        if not Membership.objects.filter(household=household, user_id=document.owner_id).exists():
            raise ValidationError("Ce justificatif n'appartient pas à un adulte du foyer.")
    row = HouseholdQuotient.objects.create(
        household=household, school_year=school_year, quotient=int(quotient), document=document,
        demarche=demarche, note=(note or "").strip()[:200], set_by=actor,
    )
    if demarche is not None and demarche.is_open:
        demarche_set_status(demarche=demarche, status=DemarcheStatus.ACCEPTED, actor=actor, notify=True, comment=(
            f"Quotient familial de {row.quotient} € enregistré pour l'année scolaire {school_year} : il "
            "s'applique aux prochaines factures."))
    return row


_REGIE_MODELS = {
    "invoice": ("view", "change"), "invoiceline": ("view",), "creditnote": ("view", "add"),
    "payment": ("view", "add"), "invoicingrun": ("view", "add"), "householdquotient": ("view", "add"),
    "quotientbracket": ("view", "add", "change", "delete"), "activitytariff": ("view", "add", "change", "delete"),
    "tariffprice": ("view", "add", "change", "delete"),
    # Online payments: the « Paiements en ligne » screens, and refunds made from them.
    "onlinecheckout": ("view",), "refund": ("view", "add"),
}


@transaction.atomic
def billing_ensure_group_permissions() -> Group:
    """Give the "Régie" group (created by ensure_service_groups) the rights on invoices,
    payments, credit notes, runs, tariffs and quotients (idempotent). Returns the group. The Pôle scolaire gets none of them."""

    ensure_service_groups()
    group, _created = Group.objects.get_or_create(name=REGIE_GROUP)
    codenames = [f"{action}_{model}" for model, actions in _REGIE_MODELS.items() for action in actions]
    codenames.append("export_accounting")
    group.permissions.add(*Permission.objects.filter(content_type__app_label="billing", codename__in=codenames))
    return group
