"""``manage.py reconcile_payments [--minutes 30]`` (cron, every 15 minutes): online payments
still open or pending N minutes after they were opened are asked to the provider and settled
(or marked expired / failed) by the webhook's own code path — a missed notification."""

from django.core.management.base import BaseCommand, CommandError

from ...services.online_config import online_payment_available
from ...services.payments_online import checkouts_reconcile


class Command(BaseCommand):
    help = ("Rapproche les paiements en ligne restés en cours : demande leur état au prestataire et les "
            "règle comme la notification l'aurait fait.")

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=int, default=30,
                            help="Âge minimal (minutes) d'un paiement en cours à vérifier (30 par défaut).")

    def handle(self, *args, **options):
        if options["minutes"] < 0:
            raise CommandError("--minutes doit être positif.")
        if not online_payment_available():
            self.stdout.write("Paiement en ligne non configuré (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET) : rien à faire.")
            return
        counts = checkouts_reconcile(minutes=options["minutes"])
        total = sum(counts.values())
        detail = ", ".join(f"{outcome} : {count}" for outcome, count in sorted(counts.items()))
        self.stdout.write(f"{total} paiement(s) en ligne vérifié(s){' – ' + detail if detail else ''}.")
