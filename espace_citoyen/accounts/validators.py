import functools
import gzip
import re
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from espace_citoyen.core.search import fold


class TownNamePasswordValidator:
    """Refuses passwords containing the town's name, the first word anyone would try."""

    forbidden = "villennes"

    def validate(self, password, user=None):
        if self.forbidden in fold(password):
            raise ValidationError(
                _("Votre mot de passe ne doit pas contenir le nom de la commune (« Villennes »)."),
                code="password_contains_town_name",
            )

    def get_error_message(self):
        return _("Votre mot de passe ne doit pas contenir le nom de la commune (« Villennes »).")

    def get_help_text(self):
        return _("Votre mot de passe ne doit pas contenir le nom de la commune.")


COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent / "data" / "common-passwords-fr.txt.gz"
_TRIM = re.compile(r"^[\W\d_]+|[\W\d_]+$")


@functools.cache
def _common_passwords(path: Path) -> frozenset[str]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


class FrenchCommonPasswordValidator:
    """Refuses a password that is a common one, or a common one with digits or symbols
    around it ("motdepasse123", "Azertyuiop!2026").

    The list (data/common-passwords-fr.txt.gz, about 58,000 entries, accents and case
    folded) joins: the 49,233 passwords of the zxcvbn-ts common list (npm
    @zxcvbn-ts/language-common 4.1.3, MIT: passwords seen most often in public leaks,
    "azerty", "motdepasse", "jetaime" among them), the 10,000 most frequent French words
    and 2,000 most frequent French first names of the French package (npm
    @zxcvbn-ts/language-fr 4.1.2, MIT; words from OpenSubtitles 2024 via OPUS, ODC-BY),
    entries of 4 letters or more. Django's CommonPasswordValidator stays in place beside it."""

    message = _("Ce mot de passe est trop courant (ou un mot courant suivi de chiffres) : choisissez une phrase "
                "de plusieurs mots, par exemple « quatre-chats-sur-le-toit ».")

    def __init__(self, password_list_path: str | Path = COMMON_PASSWORDS_FILE):
        self.passwords = _common_passwords(Path(password_list_path))

    def validate(self, password, user=None):
        folded = fold(password).strip()
        candidates = {folded, _TRIM.sub("", folded), folded.replace(" ", "")}
        if any(candidate in self.passwords for candidate in candidates if candidate):
            raise ValidationError(self.message, code="password_too_common")

    def get_help_text(self):
        return _("Votre mot de passe ne doit pas être un mot de passe courant, même suivi de chiffres.")
