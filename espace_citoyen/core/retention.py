"""The retention registry (RGPD): each domain registers what it keeps and for how long is
read from ``settings.ESPACE_CITOYEN_RETENTION[key]``; the portal's ``purge_expired_data``
command and the agents' account deletion apply them (espace_citoyen/portal/retention.py).

A domain registers its rules in its AppConfig.ready() (the portal registers those of the
domains it composes; billing registers "invoices" and "payments" itself, billing/retention.py):

    register(RetentionRule(key="invoices", label="Factures", expired=..., purge=...))

``expired(now, entry)`` returns what is past its retention (a queryset or a list);
``purge(objects, now)`` deletes it and returns how many were deleted. An entry of the
settings table with no registered rule (a domain not installed yet) is reported and skipped.
Core imports no domain: this is only the registry."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RetentionRule:
    key: str
    label: str
    expired: Callable[[datetime.datetime, dict], Iterable[Any]]
    purge: Callable[[Iterable[Any], datetime.datetime], int]
    order: int = 100  # lower first: what refers to others goes before them


_RULES: dict[str, RetentionRule] = {}


def register(rule: RetentionRule) -> RetentionRule:
    _RULES[rule.key] = rule
    return rule


def registered_rules() -> list[RetentionRule]:
    return sorted(_RULES.values(), key=lambda rule: (rule.order, rule.key))


def get_rule(key: str) -> RetentionRule | None:
    return _RULES.get(key)


def unregister(key: str) -> None:
    """For tests."""
    _RULES.pop(key, None)
