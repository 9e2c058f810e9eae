"""Daily (cron): remind unpaid invoices once, ESPACE_CITOYEN_INVOICE_REMINDER_DAYS days after
their due date – by e-mail to the adults who prefer it – and print the households to call."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from espace_citoyen.core.money import format_cents

from ...services.reminders import invoice_reminders_send, reminder_delay_days


class Command(BaseCommand):
    help = "Relance les factures impayées (courriel, ou liste des familles à appeler)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Date du jour à utiliser (AAAA-MM-JJ), par défaut aujourd'hui.")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("Date invalide : utilisez le format AAAA-MM-JJ.") from None
        report = invoice_reminders_send(today=today)
        self.stdout.write(f"Relances ({reminder_delay_days()} jours après l'échéance) : "
                          f"{len(report.emailed)} par courriel, {len(report.to_call)} à appeler.")
        for invoice in report.emailed:
            self.stdout.write(f"  courriel  {invoice.number}  {invoice.addressee}  "
                              f"reste {format_cents(invoice.balance_cents)}")
        if report.to_call:
            self.stdout.write("À appeler :")
        for entry in report.to_call:
            invoice = entry.invoice
            self.stdout.write(f"  {invoice.number}  échéance {invoice.due_date:%d/%m/%Y}  "
                              f"reste {format_cents(invoice.balance_cents)}  {invoice.addressee}")
            for name, preference, phones in entry.adults or [(invoice.addressee, "", "")]:
                details = " – ".join(part for part in (f"préfère : {preference}" if preference else "",
                                                        phones or "aucun téléphone") if part)
                self.stdout.write(f"      {name} ({details})")
