"""Demo targeted messages of the citizen space, for `manage.py seed_demo` (idempotent by
slug). They go under the website's "Messages des services" page. No e-mail is sent while
seeding: every targeted message's current audience is recorded as already notified."""

import datetime

from django.utils import timezone

from home.demo import child, paragraph
from news.models import Audience, Importance, Service, ServiceMessageIndexPage, ServiceMessagePage

from .services import message_mark_audience_notified

TILLEULS = "École élémentaire des Tilleuls"

MESSAGES = [
    ("espace-citoyen-nouveautes", "Votre espace citoyen s'enrichit", Service.POPULATION, Importance.NORMAL,
     Audience.ACCOUNT_HOLDERS, "", 0,
     "Vous pouvez désormais déposer vos justificatifs dans votre coffre-fort numérique et suivre vos "
     "démarches depuis votre espace citoyen."),
    ("inscriptions-vacances-hiver", "Inscriptions à l'accueil de loisirs des vacances d'hiver", Service.SCOLAIRE,
     Importance.IMPORTANT, Audience.FAMILIES, "", 1,
     "Les inscriptions à l'accueil de loisirs pour les vacances d'hiver sont ouvertes jusqu'au 15 janvier. "
     "Au-delà, les demandes seront acceptées dans la limite des places disponibles."),
    ("sortie-scolaire-tilleuls", "Sortie au musée des élèves de l'école des Tilleuls", Service.SCOLAIRE,
     Importance.NORMAL, Audience.ACTIVITY_FAMILIES, TILLEULS, 2,
     "Les élèves de l'école élémentaire des Tilleuls visiteront le musée de la Ville jeudi prochain. Prévoyez "
     "un pique-nique et une tenue adaptée à la météo."),
    ("reunion-parents-maternelle-coteaux", "Réunion des parents de l'école maternelle des Coteaux",
     Service.SCOLAIRE, Importance.NORMAL, Audience.ACTIVITY_FAMILIES, "École maternelle des Coteaux", 4,
     "La réunion de rentrée des parents de l'école maternelle des Coteaux aura lieu mardi à 18 heures."),
]


def seed(*, stdout):
    index = ServiceMessageIndexPage.objects.filter(slug="messages-des-services").first()
    if index is None:
        stdout.write("Messages ciblés : page « Messages des services » absente, rien à faire.")
        return []
    today = timezone.localdate()
    for slug, title, service, importance, audience, detail, days_ago, text in MESSAGES:
        child(index, ServiceMessagePage, slug, title=title, sender_service=service, importance=importance,
              audience=audience, audience_detail=detail, date=today - datetime.timedelta(days=days_ago),
              body=[paragraph(text)])
    # Publishing enqueues the notification e-mails once the seeding commits: mark every
    # targeted message (the website's demo ones included) as already notified instead.
    for page in ServiceMessagePage.objects.live().exclude(audience=Audience.EVERYONE):
        message_mark_audience_notified(page=page)
    stdout.write("Espace citoyen : messages ciblés prêts.")
    return []
