
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
