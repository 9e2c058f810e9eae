"""The text of a CSV file as a town's agents save it, for both Portail Famille imports
(families and bookings) and the back office's upload form.

Detected, not guessed: a file that is valid UTF-8 (with or without the BOM Excel adds to
"CSV UTF-8") is UTF-8; any other is read as Windows-1252, the encoding of Excel's
"CSV (séparateur : point-virgule)" on a French Windows – unless it holds a byte that
Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D). Either way a text with control
characters (other than tabulation and line breaks: the NUL bytes of UTF-16, binary data)
is refused. French text in Windows-1252 is practically never valid UTF-8 (an accented
letter is one byte ≥ 0x80 followed by ASCII), so the order of the two tries is safe."""

from __future__ import annotations

import re

UTF8 = "UTF-8"
WINDOWS_1252 = "Windows-1252"

# C0 controls and DEL, tabulation (\t), line feed (\n) and carriage return (\r) apart.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class UnreadableEncoding(ValueError):
    """Neither UTF-8 nor Windows-1252 (or control characters): the file is refused."""


def decode_csv(data: bytes | str) -> tuple[str, str]:
    """(text, encoding read): UTF-8 or Windows-1252, without a leading BOM. Text given as a
    str is taken as it is (encoding ""). Raises UnreadableEncoding."""
    if isinstance(data, str):
        text, encoding = data, ""
    else:
        try:
            text, encoding = data.decode("utf-8-sig"), UTF8
        except UnicodeDecodeError:
            try:
                text, encoding = data.decode("cp1252"), WINDOWS_1252  # strict: undefined bytes raise
            except UnicodeDecodeError:
                raise UnreadableEncoding("neither UTF-8 nor Windows-1252") from None
    text = text.lstrip("\ufeff")
    if _CONTROL_RE.search(text):
        raise UnreadableEncoding(f"control characters ({encoding or 'text'})")
    return text, encoding
