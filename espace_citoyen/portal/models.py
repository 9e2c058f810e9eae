"""What the portal records for itself: the inactivity warnings of the retention rules."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class InactivityWarning(models.Model):
    """The e-mail telling an inactive citizen that their account will be deleted: sent once
    per period of inactivity (a login after it starts a new period)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("compte"))
    sent_at = models.DateTimeField(_("prévenu le"))
    deletion_after = models.DateTimeField(_("suppression à partir du"))

    class Meta:
        verbose_name = _("avertissement d'inactivité")
        verbose_name_plural = _("avertissements d'inactivité")
