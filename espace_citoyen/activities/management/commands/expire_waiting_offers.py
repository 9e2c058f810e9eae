"""Expire waiting-list offers past their time limit and offer the place to the next family
(run every few minutes by cron)."""

from django.core.management.base import BaseCommand

from espace_citoyen.activities.services.booking import waiting_offers_expire


class Command(BaseCommand):
    help = "Expire les propositions de place non acceptées à temps et propose la place à la famille suivante."

    def handle(self, *args, **options):
        count = waiting_offers_expire()
        self.stdout.write(f"{count} proposition(s) expirée(s).")
