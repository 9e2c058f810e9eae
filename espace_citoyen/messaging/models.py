"""Per-user state of the services' messages (news.ServiceMessagePage) in the citizen
space: which messages a user has opened, and which ones they were notified of by e-mail.

The messages themselves are Wagtail pages of the website (news app); the website never
imports the citizen space, so everything about audiences and users lives here."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MessageRead(models.Model):
    """A user opened a message in their inbox (at most one row per user and message)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="message_reads", verbose_name=_("compte"),
    )
    page = models.ForeignKey(
        "news.ServiceMessagePage", on_delete=models.CASCADE, related_name="+", verbose_name=_("message"),
    )
    read_at = models.DateTimeField(_("lu le"), default=timezone.now)

    class Meta:
        verbose_name = _("lecture de message")
        verbose_name_plural = _("lectures de messages")
        constraints = [models.UniqueConstraint(fields=["user", "page"], name="messaging_read_unique")]

    def __str__(self):
        return f"{self.user} a lu {self.page_id}"


class MessageNotification(models.Model):
    """The e-mail telling a user about a targeted message. The row is created before the
    e-mail is sent and is unique per (user, message): a message is never e-mailed twice
    to the same person, even when it is published again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="message_notifications",
        verbose_name=_("compte"),
    )
    page = models.ForeignKey(
        "news.ServiceMessagePage", on_delete=models.CASCADE, related_name="+", verbose_name=_("message"),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    sent_at = models.DateTimeField(
        _("courriel envoyé le"), null=True, blank=True,
        help_text=_("Vide si aucun courriel n'a été envoyé (contenu de démonstration, échec d'envoi)."),
    )

    class Meta:
        verbose_name = _("notification de message")
        verbose_name_plural = _("notifications de messages")
        constraints = [models.UniqueConstraint(fields=["user", "page"], name="messaging_notification_unique")]

    def __str__(self):
        return f"{self.user} notifié de {self.page_id}"
