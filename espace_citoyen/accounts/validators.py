import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def _folded(text: str) -> str:
    """Lower-case text without accents: "VİLLÉNNES" and "villennes" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


class TownNamePasswordValidator:
    """Refuses passwords containing the town's name, the first word anyone would try."""

    forbidden = "villennes"

    def validate(self, password, user=None):
        if self.forbidden in _folded(password):
            raise ValidationError(
                _("Votre mot de passe ne doit pas contenir le nom de la commune (« Villennes »)."),
                code="password_contains_town_name",
            )

    def get_error_message(self):
        return _("Votre mot de passe ne doit pas contenir le nom de la commune (« Villennes »).")

    def get_help_text(self):
        return _("Votre mot de passe ne doit pas contenir le nom de la commune.")
