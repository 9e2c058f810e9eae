"""``manage.py invoice_month 2026-11 [--dry-run]``: the monthly invoicing, as the back office
starts it (a run recorded in "Facturation mensuelle"), here in the foreground."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from espace_citoyen.core.money import format_cents

from ...models import RunStatus
from ...services.runs import invoicing_run_create, invoicing_run_execute

WARNING_LABELS = {
    "no_quotient": "sans quotient familial (tarif maximal)",
    "attendance_not_taken": "jours sans présence pointée (facturés)",
    "no_tariff": "jours d'activités sans tarif (non facturés)",
    "unknown_address": "foyers sans adresse connue (tarif commune)",
    "no_adult": "foyers sans adulte",
}


class Command(BaseCommand):
    help = "Facture un mois (AAAA-MM) : une facture par foyer. --dry-run : aperçu sans rien écrire."

    def add_arguments(self, parser):
        parser.add_argument("month", help="Mois à facturer, AAAA-MM (par exemple 2026-11).")
        parser.add_argument("--dry-run", action="store_true", help="Aperçu : rien n'est enregistré ni envoyé.")

    def handle(self, *args, **options):
        try:
            month = datetime.datetime.strptime(options["month"], "%Y-%m").date()
        except ValueError:
            raise CommandError("Mois invalide : utilisez le format AAAA-MM, par exemple 2026-11.") from None
        run = invoicing_run_create(month=month, dry_run=options["dry_run"], actor=None)
        run = invoicing_run_execute(run_id=run.pk)
        if run.status == RunStatus.FAILED:
            raise CommandError(run.error_message)
        report = run.report
        title = "Aperçu" if run.dry_run else "Facturation"
        self.stdout.write(f"{title} de {report['month_label']} : {report['households']} foyer(s), "
                          f"{report['lines']} ligne(s), {format_cents(report['total_cents'])} "
                          f"(dont {report['regularisation_lines']} ligne(s) de régularisation).")
        if report["already_invoiced"]:
            self.stdout.write(f"  {report['already_invoiced']} foyer(s) déjà facturé(s) pour ce mois : inchangés.")
        for activity in report["activities"]:
            self.stdout.write(f"  {activity['name']} : {activity['lines']} jour(s), "
                              f"{format_cents(activity['total_cents'])}")
        for key, warning in report["warnings"].items():
            self.stdout.write(f"  Attention : {warning['count']} {WARNING_LABELS.get(key, key)}"
                              + (f" – {', '.join(warning['examples'][:5])}" if warning["examples"] else ""))
        if not run.dry_run:
            numbers = (f" ({report['first_number']} à {report['last_number']})" if report["invoices_created"] else "")
            self.stdout.write(self.style.SUCCESS(f"{report['invoices_created']} facture(s) émise(s){numbers}, "
                                                 f"échéance le {datetime.date.fromisoformat(report['due_date']):%d/%m/%Y}."))
