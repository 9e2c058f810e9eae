"""Gapless numbers per kind and year: "F2026-000123" (invoices), "A2026-000007" (credit
notes), "R2026-000042" (receipts).

The counter row of (kind, year) is locked with ``select_for_update`` and stays locked until
the caller's transaction commits the documents that carry the numbers: a second run, or an
agent's credit note, waits for it, then continues after the last committed number; a
rolled-back transaction gives its numbers back. Must be called inside ``transaction.atomic``."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from ..models import NumberCounter, NumberKind

__all__ = ["counter_lock", "format_number", "numbers_take"]


def format_number(kind: str, year: int, value: int) -> str:
    return f"{kind}{year}-{value:06d}"


def _locked_counter(kind: str, year: int) -> NumberCounter:
    counter = NumberCounter.objects.select_for_update().filter(kind=kind, year=year).first()
    if counter is not None:
        return counter
    try:  # first number of the year: create the row (a concurrent creator wins, we lock theirs)
        with transaction.atomic():
            NumberCounter.objects.create(kind=kind, year=year, last=0)
    except IntegrityError:
        pass
    return NumberCounter.objects.select_for_update().get(kind=kind, year=year)


def counter_lock(*, kind: NumberKind | str, year: int) -> None:
    """Lock the counter of (kind, year) until the surrounding transaction ends, before
    taking numbers: whoever writes documents of that kind waits for us."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("counter_lock() must run inside transaction.atomic().")
    _locked_counter(NumberKind(kind).value, year)


def numbers_take(*, kind: NumberKind | str, year: int, count: int = 1) -> list[str]:
    """The next ``count`` numbers of ``kind`` for ``year``, reserved until the surrounding
    transaction ends (committed: used; rolled back: given back)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("numbers_take() must run inside transaction.atomic().")
    if count <= 0:
        return []
    kind = NumberKind(kind).value
    counter = _locked_counter(kind, year)
    first = counter.last + 1
    counter.last += count
    NumberCounter.objects.filter(pk=counter.pk).update(last=counter.last)
    return [format_number(kind, year, value) for value in range(first, first + count)]
