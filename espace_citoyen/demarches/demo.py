"""Demo démarches of the validated demo parent (camille.bernard@example.org), in several
statuses with the services' comments, for `manage.py seed_demo` (idempotent by title)."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from espace_citoyen.core.services_map import SERVICE_GROUPS, ensure_service_groups

from .models import Demarche, DemarcheKind, DemarcheService, DemarcheStatus
from .services import demarche_open, demarche_set_status

PARENT_EMAIL = "camille.bernard@example.org"

# (title, kind, service, days ago, [(status, comment), ...], days until due or None)
DEMO_DEMARCHES = [
    (
        "Changement d'adresse du foyer", DemarcheKind.OTHER, DemarcheService.POPULATION, 60,
        [(DemarcheStatus.IN_PROGRESS, ""),
         (DemarcheStatus.ACCEPTED, "Votre nouvelle adresse est enregistrée."),
         (DemarcheStatus.CLOSED, "")],
        None,
    ),
    (
        "Inscription de Nathan à la restauration scolaire", DemarcheKind.FAMILY_CHANGE, DemarcheService.SCOLAIRE, 30,
        [(DemarcheStatus.ACCEPTED, "Nathan est inscrit à la restauration scolaire à partir du lundi suivant.")],
        None,
    ),
    (
        "Attestation de quotient familial 2026", DemarcheKind.DOCUMENT_TRANSMISSION, DemarcheService.REGIE, 12,
        [(DemarcheStatus.IN_PROGRESS, ""),
         (DemarcheStatus.TO_COMPLETE, "L'avis d'imposition transmis est celui de 2024. Merci de nous transmettre "
                                      "l'avis d'imposition 2025 (revenus 2024) pour calculer votre quotient.")],
        10,
    ),
    (
        "Modification du PAI de Chloé", DemarcheKind.FAMILY_CHANGE, DemarcheService.SCOLAIRE, 3,
        [(DemarcheStatus.IN_PROGRESS, "Nous avons bien reçu le nouveau protocole. Le médecin scolaire le "
                                      "validera cette semaine.")],
        -1,
    ),
]


def _agent_of(service: str, fallback):
    User = get_user_model()
    agent = User.objects.filter(groups__name=SERVICE_GROUPS[service], is_active=True).order_by("pk").first()
    return agent or fallback


def seed(*, stdout):
    User = get_user_model()
    ensure_service_groups()
    parent = User.objects.filter(email__iexact=PARENT_EMAIL).first()
    if parent is None:
        return []
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    now = timezone.now()
    created = 0
    for title, kind, service, days_ago, moves, due_in in DEMO_DEMARCHES:
        if Demarche.objects.filter(user=parent, title=title).exists():
            continue
        sent_at = now - datetime.timedelta(days=days_ago)
        demarche = demarche_open(
            user=parent, kind=kind, title=title, service=service,
            due_at=sent_at + datetime.timedelta(days=days_ago + due_in) if due_in is not None else None,
        )
        agent = _agent_of(service, admin)
        for status, comment in moves:
            demarche = demarche_set_status(demarche=demarche, status=status, actor=agent, comment=comment)
        # Spread the timeline over the past days, like a real request.
        Demarche.objects.filter(pk=demarche.pk).update(created_at=sent_at)
        events = list(demarche.events.order_by("id"))
        for index, event in enumerate(events):
            step = datetime.timedelta(days=days_ago) * index / max(len(events), 1)
            type(event).objects.filter(pk=event.pk).update(created_at=sent_at + step)
        created += 1
    stdout.write(f"Démarches : {created} démarche(s) de démonstration ajoutée(s) pour {PARENT_EMAIL}.")
    return []
