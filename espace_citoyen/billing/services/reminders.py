"""Overdue reminders (daily command ``send_invoice_reminders``): an open invoice still unpaid
``ESPACE_CITOYEN_INVOICE_REMINDER_DAYS`` days after its due date is reminded once – by
e-mail to the household's adults who prefer e-mail; the others (telephone, SMS, post, or no
address) are listed for the Régie to call. Either way the invoice records it and is never
reminded again."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from espace_citoyen.accounts.models import ContactMethod
from espace_citoyen.core.emails import send_templated_email, site_url
from espace_citoyen.family.models import Membership

from ..models import OPEN_INVOICE_STATUSES, Invoice, InvoiceEvent, InvoiceEventKind

__all__ = ["ReminderReport", "ToCall", "invoice_reminders_send", "reminder_delay_days"]


def reminder_delay_days() -> int:
    return int(getattr(settings, "ESPACE_CITOYEN_INVOICE_REMINDER_DAYS", 10))


@dataclass
class ToCall:
    invoice: Invoice
    adults: list[tuple[str, str, str]]  # (name, contact preference, phone numbers)


@dataclass
class ReminderReport:
    emailed: list[Invoice] = field(default_factory=list)
    to_call: list[ToCall] = field(default_factory=list)


def _adults(household_ids) -> dict[int, list[tuple]]:
    adults: dict[int, list[tuple]] = {}
    rows = (Membership.objects.filter(household_id__in=household_ids).order_by("joined_at", "id")
            .values_list("household_id", "user__first_name", "user__last_name", "user__email", "user__is_active",
                         "user__profile__preferred_contact", "user__profile__phone_mobile",
                         "user__profile__phone_home", "user__profile__phone_work"))
    for household_id, first, last, email, active, preferred, *phones in rows:
        preferred = preferred or ContactMethod.EMAIL
        adults.setdefault(household_id, []).append({
            "name": f"{first} {last}".strip() or email, "email": email if active else "",
            "by_email": preferred == ContactMethod.EMAIL and bool(email) and active,
            "preference": ContactMethod(preferred).label, "phones": " / ".join(p for p in phones if p),
        })
    return adults


def invoice_reminders_send(*, today: datetime.date | None = None) -> ReminderReport:
    """Remind every open invoice due ``reminder_delay_days()`` days ago or more, once."""
    today = today or timezone.localdate()
    limit = today - datetime.timedelta(days=reminder_delay_days())
    due = list(Invoice.objects.filter(status__in=OPEN_INVOICE_STATUSES, due_date__lte=limit,
                                      reminder_sent_at__isnull=True).order_by("due_date", "number"))
    adults = _adults({invoice.household_id for invoice in due})
    report = ReminderReport()
    now = timezone.now()
    for invoice in due:
        household = adults.get(invoice.household_id, [])
        emails = [adult["email"] for adult in household if adult["by_email"]]
        others = [(adult["name"], adult["preference"], adult["phones"]) for adult in household if not adult["by_email"]]
        with transaction.atomic():
            # Only the first of two concurrent commands reminds the invoice.
            if not Invoice.objects.filter(pk=invoice.pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now):
                continue
            events = []
            if emails:
                send_templated_email(template="billing/emails/reminder", to=emails, context={
                    "invoice": invoice, "url": site_url(reverse("billing:detail", args=[invoice.pk])),
                })
                events.append(InvoiceEvent(invoice=invoice, kind=InvoiceEventKind.REMINDER_EMAIL,
                                           detail="Relance envoyée à " + ", ".join(emails)))
                report.emailed.append(invoice)
            if others or not emails:
                events.append(InvoiceEvent(invoice=invoice, kind=InvoiceEventKind.REMINDER_PHONE,
                                           detail=("À appeler : " + ", ".join(name for name, *_ in others))[:300]
                                           if others else "Aucun adulte joignable par courriel : à appeler"))
                report.to_call.append(ToCall(invoice=invoice, adults=others))
            InvoiceEvent.objects.bulk_create(events)
    return report
