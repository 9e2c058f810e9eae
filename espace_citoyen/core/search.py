"""Accent- and case-insensitive word search for the back office: agents type "Helene
Lefevre" for "Hélène Lefèvre".

A transform ``sans_accents`` on text fields calls UNACCENT(): PostgreSQL's ``unaccent``
extension (created by core migration 0001) and, on SQLite, a Python function registered on
each new connection (``CoreConfig.ready``)."""

from __future__ import annotations

import unicodedata

from django.db.models import CharField, Q, TextField, Transform

__all__ = ["SansAccents", "fold", "register_sqlite_unaccent", "strip_accents", "words_match"]


def strip_accents(text: str | None) -> str | None:
    """ "Hélène Œdipe" → "Helene Œdipe": combining marks removed (NFKD)."""
    if text is None:
        return None
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))


def fold(text: str | None) -> str:
    """Text compared without accents nor case: "VİLLÉNNES" and "villennes" fold alike."""
    return strip_accents(text or "").casefold()


class SansAccents(Transform):
    lookup_name = "sans_accents"
    function = "UNACCENT"


CharField.register_lookup(SansAccents)
TextField.register_lookup(SansAccents)


def register_sqlite_unaccent(sender, connection, **kwargs) -> None:
    """connection_created receiver: UNACCENT() for SQLite (PostgreSQL has the extension)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("UNACCENT", 1, strip_accents, deterministic=True)


def words_match(query: str, *fields: str) -> Q:
    """Every word of ``query`` found in at least one of ``fields``, ignoring case and accents.
    An empty query matches everything."""
    condition = Q()
    for word in (query or "").split():
        plain = strip_accents(word)
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__sans_accents__icontains": plain})
        condition &= any_field
    return condition
