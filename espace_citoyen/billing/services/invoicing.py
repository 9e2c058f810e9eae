"""The monthly invoicing: one invoice per household and month, from the month's billable
days (selectors/billable.py) priced by the PriceBook (services/pricing.py).

``invoicing_plan`` computes everything in a fixed number of queries (the preview shows it);
``invoicing_write`` writes it by batches of households, each batch in one transaction that
locks the invoice counter, re-checks what another run may have just written, takes its
numbers and inserts invoices, lines and history rows with ``bulk_create``: the query count
grows with the number of batches, never with the lines. Running a month again creates
nothing for households already invoiced that month; their days still unbilled (booked late)
wait for the next month's invoice, as regularisation lines."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from espace_citoyen.core.business_calendar import format_month
from espace_citoyen.core.household_versions import everything_changed
from espace_citoyen.family.models import Membership

from ..models import Invoice, InvoiceEvent, InvoiceEventKind, InvoiceLine, InvoiceStatus, LineReason, NumberKind
from ..selectors.billable import billable_days, month_bounds
from . import BillingError
from .numbering import counter_lock, numbers_take
from .pricing import NO_QUOTIENT_LABEL, OUTSIDE_LABEL, PriceBook, household_residency

__all__ = ["HouseholdPlan", "InvoicingPlan", "due_date_for", "invoicing_plan", "invoicing_write"]

BATCH_HOUSEHOLDS = 500
BOOKED = LineReason.BOOKED.value
EXAMPLES = 20  # households named in a warning of the report


@dataclass
class HouseholdPlan:
    household_id: int
    addressee: str
    address: str
    quotient: int | None
    pricing_note: str
    no_quotient: bool
    outside_town: bool
    lines: list[dict] = field(default_factory=list)

    @property
    def total_cents(self) -> int:
        return sum(line["amount_cents"] for line in self.lines)


@dataclass
class InvoicingPlan:
    month: datetime.date
    plans: list[HouseholdPlan]
    report: dict
    line_watermark: int = 0  # the last invoice line committed before the plan read the days


def due_date_for(*, month: datetime.date, issue_date: datetime.date) -> datetime.date:
    """The setting's day of the month after ``month``, never sooner than the minimum delay
    after the issue date (a late run still leaves the family time to pay)."""
    _start, end = month_bounds(month)
    following_start, following_end = month_bounds(end + datetime.timedelta(days=1))
    day = min(int(getattr(settings, "ESPACE_CITOYEN_INVOICE_DUE_DAY", 15)), following_end.day)
    due = following_start.replace(day=day)
    minimum = issue_date + datetime.timedelta(days=int(getattr(settings, "ESPACE_CITOYEN_INVOICE_MIN_DAYS_TO_PAY", 10)))
    return max(due, minimum)


def _adults() -> dict[int, list[tuple]]:
    """Adults of every household, first joined first: (first, last, email, address lines, postcode)."""

    adults: dict[int, list[tuple]] = defaultdict(list)
    rows = Membership.objects.order_by("household_id", "joined_at", "id").values_list(
        "household_id", "user__first_name", "user__last_name", "user__email", "user__profile__street_number",
        "user__profile__street", "user__profile__address_complement", "user__profile__postcode",
        "user__profile__city")
    for household_id, first, last, email, number, street, complement, postcode, city in rows.iterator(chunk_size=5000):
        lines = [" ".join(p for p in (number, street) if p), complement or "",
                 " ".join(p for p in (postcode, city) if p)]
        adults[household_id].append((first, last, email, [line for line in lines if line], postcode or ""))
    return adults


def _addressee(household_id: int, adults: list[tuple]) -> tuple[str, str]:
    names = [" ".join(part for part in (first, last) if part) or email for first, last, email, *_ in adults]
    if not names:
        return f"Foyer n° {household_id}", ""
    return " et ".join(names)[:300], "\n".join(adults[0][3])


def _warning(report: dict, key: str, label: str) -> None:
    entry = report["warnings"].setdefault(key, {"count": 0, "examples": []})
    entry["count"] += 1
    if len(entry["examples"]) < EXAMPLES:
        entry["examples"].append(label)


def invoicing_plan(*, month: datetime.date, today: datetime.date | None = None) -> InvoicingPlan:
    """What the run of ``month`` would write, and the preview's report (no write)."""
    today = today or timezone.localdate()
    start, end = month_bounds(month)
    if end >= today:
        raise BillingError(f"Le mois de {format_month(start.year, start.month)} n'est pas terminé : il pourra être "
                           f"facturé à partir du {end + datetime.timedelta(days=1):%d/%m/%Y}.", code="month")
    watermark = InvoiceLine.objects.aggregate(last=Max("pk"))["last"] or 0
    already = set(Invoice.objects.filter(month=start).values_list("household_id", flat=True))
    days = [day for day in billable_days(month=start) if day.household_id not in already]
    skipped_households = len(already)
    book = PriceBook.load(school_year_ids={day.school_year_id for day in days})
    adults = _adults()
    report = {
        "month": f"{start:%Y-%m}", "month_label": format_month(start.year, start.month),
        "already_invoiced": skipped_households, "warnings": {},
    }
    by_household: dict[int, list] = defaultdict(list)
    for day in days:
        by_household[day.household_id].append(day)

    plans, missing_tariff, not_taken = [], Counter(), Counter()
    per_activity: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for household_id in sorted(by_household):
        household_days = by_household[household_id]
        household_adults = adults.get(household_id, [])
        addressee, address = _addressee(household_id, household_adults)
        residency = household_residency([adult[4] for adult in household_adults])
        outside = residency is False
        if not household_adults:
            _warning(report, "no_adult", addressee)
        elif residency is None:
            _warning(report, "unknown_address", addressee)
        main_year = Counter(d.school_year_id for d in household_days if d.date >= start).most_common(1)
        year_id = main_year[0][0] if main_year else household_days[-1].school_year_id
        quotient = book.quotient(household_id, year_id)
        bracket = book.bracket_for(year_id, quotient)
        if outside:
            note = OUTSIDE_LABEL
        elif quotient is None:
            note = NO_QUOTIENT_LABEL
        else:
            note = f"Quotient familial de {quotient} € : tranche {bracket[1] if bracket else 'non définie'}"
        plan = HouseholdPlan(household_id=household_id, addressee=addressee, address=address, quotient=quotient,
                             pricing_note=note, no_quotient=quotient is None and not outside, outside_town=outside)
        for day in household_days:
            price = book.price(activity_id=day.activity_id, year_id=day.school_year_id, household_id=household_id,
                               outside_town=outside, late_booking=day.late_booking)
            if price is None:
                missing_tariff[day.activity_name] += 1
                continue
            if day.reason == BOOKED:
                not_taken[day.activity_name] += 1
            plan.lines.append({
                "reservation_id": day.reservation_id, "child_id": day.child_id, "child_name": day.child_name,
                "activity_id": day.activity_id, "activity_name": day.activity_name, "date": day.date,
                "reason": day.reason, "unit_price_cents": price.unit_cents, "surcharge_cents": price.surcharge_cents,
                "amount_cents": price.unit_cents + price.surcharge_cents, "bracket_label": price.label,
                "is_regularisation": day.date < start,
            })
            per_activity[day.activity_name][0] += 1
            per_activity[day.activity_name][1] += price.unit_cents + price.surcharge_cents
        if plan.lines:
            if plan.no_quotient:
                _warning(report, "no_quotient", addressee)
            plans.append(plan)

    report.update(
        households=len(plans), lines=sum(len(p.lines) for p in plans), total_cents=sum(p.total_cents for p in plans),
        regularisation_lines=sum(1 for p in plans for line in p.lines if line["is_regularisation"]),
        activities=[{"name": name, "lines": count, "total_cents": cents}
                    for name, (count, cents) in sorted(per_activity.items())],
    )
    if not_taken:
        report["warnings"]["attendance_not_taken"] = {
            "count": sum(not_taken.values()), "examples": [f"{name} : {count} jour(s)" for name, count in
                                                          sorted(not_taken.items())]}
    if missing_tariff:
        report["warnings"]["no_tariff"] = {
            "count": sum(missing_tariff.values()), "examples": [f"{name} : {count} jour(s) non facturé(s)" for name, count
                                                               in sorted(missing_tariff.items())]}
    return InvoicingPlan(month=start, plans=plans, report=report, line_watermark=watermark)


def _chunks(items: list, size: int):
    for index in range(0, len(items), size):
        yield items[index:index + size]


LINE_COLUMNS = ("reservation_id", "child_id", "child_name", "activity_id", "activity_name", "date", "reason",
                "unit_price_cents", "surcharge_cents", "amount_cents", "bracket_label", "is_regularisation")


def _insert_lines(lines: list[tuple[int, dict]]) -> None:
    """Insert (invoice id, line) rows: one COPY on PostgreSQL (the ORM's bulk_create spends
    most of a large run building model instances and SQL text), bulk_create elsewhere."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(InvoiceLine._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(name) for name in ("invoice_id", *LINE_COLUMNS))
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for invoice_id, line in lines:
                    copy.write_row((invoice_id, *(line[name] for name in LINE_COLUMNS)))
        return
    InvoiceLine.objects.bulk_create([InvoiceLine(invoice_id=invoice_id, **line) for invoice_id, line in lines],
                                    batch_size=2000)


def _write_batch(plans: list[HouseholdPlan], *, month, run, actor, issue_date, due_date,
                 watermark: int) -> tuple[list[Invoice], int]:
    """Write one batch; returns its invoices and the new watermark (the last line id)."""
    with transaction.atomic():
        # Lock the counter first: another run writing now makes us wait here, and what it
        # committed is visible below. Lines are only ever written under this lock, so the
        # lines newer than the watermark are the only ones that can bill our days again.
        counter_lock(kind=NumberKind.INVOICE, year=issue_date.year)
        invoiced = set(Invoice.objects.filter(month=month, household_id__in=[p.household_id for p in plans])
                       .values_list("household_id", flat=True))
        billed = set(InvoiceLine.objects.filter(pk__gt=watermark).values_list("reservation_id", flat=True))
        kept = []
        for plan in plans:
            if plan.household_id in invoiced:
                continue
            if billed:
                plan.lines = [line for line in plan.lines if line["reservation_id"] not in billed]
            if plan.lines:
                kept.append(plan)
        if not kept:
            return [], watermark
        numbers = numbers_take(kind=NumberKind.INVOICE, year=issue_date.year, count=len(kept))
        invoices = Invoice.objects.bulk_create([
            Invoice(number=number, household_id=plan.household_id, month=month, run=run, issue_date=issue_date,
                    due_date=due_date, status=InvoiceStatus.ISSUED, total_cents=plan.total_cents,
                    addressee=plan.addressee, address=plan.address, quotient=plan.quotient,
                    pricing_note=plan.pricing_note, no_quotient=plan.no_quotient, outside_town=plan.outside_town)
            for number, plan in zip(numbers, kept)
        ])
        if any(invoice.pk is None for invoice in invoices):  # a backend without RETURNING
            by_number = dict(Invoice.objects.filter(number__in=numbers).values_list("number", "pk"))
            for invoice in invoices:
                invoice.pk = by_number[invoice.number]
        _insert_lines([(invoice.pk, line) for invoice, plan in zip(invoices, kept) for line in plan.lines])
        now = timezone.now()
        InvoiceEvent.objects.bulk_create([
            InvoiceEvent(invoice_id=invoice.pk, kind=InvoiceEventKind.ISSUED, to_status=InvoiceStatus.ISSUED,
                         actor=actor, created_at=now, detail=f"Facture de {len(plan.lines)} ligne(s)")
            for invoice, plan in zip(invoices, kept)
        ], batch_size=2000)
        return invoices, InvoiceLine.objects.aggregate(last=Max("pk"))["last"] or 0


def invoicing_write(*, plan: InvoicingPlan, run=None, actor=None, today: datetime.date | None = None,
                    progress=None, batch_size: int = BATCH_HOUSEHOLDS) -> dict:
    """Write the plan's invoices by batches (see the module); ``progress(done, total)`` after
    each batch. Returns the report completed with what was created."""
    issue_date = today or timezone.localdate()
    due_date = due_date_for(month=plan.month, issue_date=issue_date)
    created: list[Invoice] = []
    total = len(plan.plans)
    watermark = plan.line_watermark
    try:
        for done, batch in enumerate(_chunks(plan.plans, batch_size), start=1):
            invoices, watermark = _write_batch(batch, month=plan.month, run=run, actor=actor, issue_date=issue_date,
                                               due_date=due_date, watermark=watermark)
            created.extend(invoices)
            if progress:
                progress(min(done * batch_size, total), total)
    finally:
        if created:  # also when a later batch failed: the earlier ones are committed
            everything_changed()  # bulk inserts send no row signal: the dashboards' invoices tile
    report = dict(plan.report)
    report.update(invoices_created=len(created), issue_date=issue_date.isoformat(), due_date=due_date.isoformat(),
                  first_number=created[0].number if created else "", last_number=created[-1].number if created else "",
                  created_total_cents=sum(invoice.total_cents for invoice in created))
    return report
