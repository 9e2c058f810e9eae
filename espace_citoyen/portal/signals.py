"""Who is concerned when a citizen's data changes: the receivers that move the versions of
the cached dashboard and of the agenda's child, activities and feed
(core.household_versions). Each write costs at most one query to find
the adults of the household concerned (none inside a batch: core.household_versions)."""

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from espace_citoyen.activities.models import (
    Activity,
    BookingRule,
    CalendarFeed,
    Dossier,
    Occurrence,
    Reservation,
    SchoolYear,
    WaitingListEntry,
)
from espace_citoyen.billing.models import CreditNote, Invoice, Payment
from espace_citoyen.core.household_versions import everything_changed, in_batch, users_changed
from espace_citoyen.demarches.models import Demarche
from espace_citoyen.documents.models import Document
from espace_citoyen.family.models import Child, Membership


def _adults(**household) -> list[int]:
    return list(Membership.objects.filter(**household).values_list("user_id", flat=True))


def child_data_changed(sender, instance, **kwargs) -> None:
    """A booking, a waiting-list entry or a dossier: the adults of the child's household."""
    users_changed(lambda: _adults(household__children__id=instance.child_id))


def household_data_changed(sender, instance, **kwargs) -> None:
    """A child, an invoice, a membership (and the member who leaves)."""
    users_changed(lambda: [*_adults(household_id=instance.household_id), getattr(instance, "user_id", None)])


def dossier_activities_changed(sender, instance, action, **kwargs) -> None:
    """Activities added to or removed from a dossier (a many-to-many change, no row signal):
    the child's agenda offers them or no longer does. From an activity's side, everyone."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if isinstance(instance, Dossier):
        child_data_changed(Dossier, instance)
    else:
        everything_changed()


def invoice_data_changed(sender, instance, **kwargs) -> None:
    """A payment or a credit note (their service also saves the invoice: this is for any
    other door): the adults of the invoice's household."""
    users_changed(lambda: _adults(household__invoices__id=instance.invoice_id))


def child_moving(sender, instance, update_fields=None, **kwargs) -> None:
    """A child moved to another household (Portail Famille reconciliation, admin): the
    household it leaves stops showing it too. One query, only when the household may change."""
    if instance.pk is None or in_batch() or (
            update_fields is not None and not {"household", "household_id"} & set(update_fields)):
        return
    previous = sender.objects.filter(pk=instance.pk).values_list("household_id", flat=True).first()
    if previous is not None and previous != instance.household_id:
        users_changed(lambda: _adults(household_id=previous))


def own_data_changed(sender, instance, **kwargs) -> None:
    """A démarche, a document (on the dashboard), a calendar feed (on the agenda): only
    their author or owner sees them. A feed is created only by the agenda that caches it."""
    if sender is CalendarFeed and kwargs.get("created"):
        return
    users_changed([instance.owner_id if sender is Document else instance.user_id])


def account_changed(sender, instance, update_fields=None, **kwargs) -> None:
    """A name, an e-mail, a status: the dashboards of the adults of the user's households
    (their list of members). A login only writes last_login, a new password only the
    password: neither is shown."""
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return
    users_changed(lambda: [instance.pk, *_adults(household__memberships__user_id=instance.pk)])


def catalogue_changed(sender, instance, **kwargs) -> None:
    """An activity, a day, a booking rule or a school year edited by an agent (a date, a
    name, a closure, a deadline): rare, and shown on the dashboards and agendas of every
    family concerned, so they are all built again."""
    everything_changed()


def connect() -> None:
    """Called by PortalConfig.ready()."""
    receivers = [
        (child_data_changed, (Reservation, WaitingListEntry, Dossier)),
        (household_data_changed, (Child, Invoice, Membership)),
        (invoice_data_changed, (Payment, CreditNote)),
        (own_data_changed, (Demarche, Document, CalendarFeed)),
        (account_changed, (get_user_model(),)),
        (catalogue_changed, (Activity, Occurrence, BookingRule, SchoolYear)),
    ]
    for receiver, models in receivers:
        for model in models:
            uid = f"portal-dashboard-{model.__name__}"
            post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}-save")
            post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}-delete")
    pre_save.connect(child_moving, sender=Child, dispatch_uid="portal-dashboard-Child-moving")
    m2m_changed.connect(dossier_activities_changed, sender=Dossier.activities.through,
                        dispatch_uid="portal-agenda-Dossier-activities")
