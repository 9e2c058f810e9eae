"""Result summaries for the site search, with the searched words highlighted."""

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

MIN_TERM_LENGTH = 2


def _fold(char: str) -> str:
    """One character without its accent, lower-cased (keeps one character per character)."""
    base = unicodedata.normalize("NFD", char)[0]
    lowered = base.lower()
    return lowered if len(lowered) == 1 else base


def fold_text(text: str) -> str:
    return "".join(_fold(c) for c in text)


def query_terms(query: str) -> list[str]:
    words = re.findall(r"\w+", fold_text(query or ""))
    return sorted({w for w in words if len(w) >= MIN_TERM_LENGTH}, key=len, reverse=True)


def highlight_excerpt(text: str, query: str, width: int = 260) -> SafeString:
    """An excerpt of `text` around the first searched word, each match in <mark>.

    Matching ignores case and accents ("ecole" finds "École"); the output is escaped.
    """
    text = " ".join((text or "").split())
    terms = query_terms(query)
    if not text:
        return mark_safe("")
    folded = fold_text(text)
    pattern = re.compile("|".join(re.escape(t) for t in terms)) if terms else None
    first = pattern.search(folded) if pattern else None
    if first is None:
        return mark_safe(escape(Truncator(text).chars(width)))

    start = max(0, first.start() - width // 3)
    if start:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space != -1 else 0
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > first.end() else end

    pieces, cursor = [], start
    for match in pattern.finditer(folded, start, end):
        pieces.append(escape(text[cursor:match.start()]))
        pieces.append(f"<mark>{escape(text[match.start():match.end()])}</mark>")
        cursor = match.end()
    pieces.append(escape(text[cursor:end]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + "".join(pieces) + suffix)
