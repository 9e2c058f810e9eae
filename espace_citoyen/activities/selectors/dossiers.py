"""Reads of the registration dossiers, scoped to the caller (citizen: their household;
agents: the Pôle scolaire). `validated_activity_ids` is what the booking engine asks."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from espace_citoyen.core import business_calendar
from espace_citoyen.core.search import words_match
from espace_citoyen.core.services_map import TownService, staff_can_see_service
from espace_citoyen.demarches.models import DemarcheEvent, DemarcheStatus
from espace_citoyen.documents.models import Document, DocumentType
from espace_citoyen.family.models import AuthorizedPerson
from espace_citoyen.family.selectors import children_for

from ..models import Activity, Dossier, DossierStatus, RegistrationCampaign, SchoolYear

# Dossiers the parent may still change: never sent, sent back for completion, or refused
# (corrected and sent again). A draft or a refused dossier only while the campaign is open;
# a completion asked by the town may be answered after the deadline.
EDITABLE_STATUSES = {DossierStatus.DRAFT, DossierStatus.TO_COMPLETE, DossierStatus.REFUSED}
_EDITABLE_AFTER_DEADLINE = {DossierStatus.TO_COMPLETE}


def format_day(day: datetime.date) -> str:
    """5 mai 2027, 1er juin 2027."""
    return business_calendar.format_day(day, weekday=False)


@dataclass
class CampaignState:
    school_year: SchoolYear
    campaign: RegistrationCampaign | None
    is_open: bool
    message: str


def school_year_by_label(*, label: str) -> SchoolYear:
    return get_object_or_404(SchoolYear, label=label)


def campaign_state(*, school_year: SchoolYear, today: datetime.date | None = None) -> CampaignState:
    """Whether parents may fill dossiers for `school_year` today, with the French message."""
    today = today or timezone.localdate()
    campaign = RegistrationCampaign.objects.filter(school_year=school_year).first()
    if campaign is None:
        return CampaignState(school_year, None, False,
                             f"Les inscriptions pour {school_year.label} ne sont pas encore programmées.")
    if today < campaign.opens_on:
        return CampaignState(school_year, campaign, False,
                             f"Les inscriptions pour {school_year.label} ouvrent le {format_day(campaign.opens_on)}.")
    if today > campaign.closes_on:
        return CampaignState(school_year, campaign, False,
                             f"Les inscriptions pour {school_year.label} sont closes depuis le "
                             f"{format_day(campaign.closes_on)}.")
    return CampaignState(school_year, campaign, True,
                         f"Les inscriptions pour {school_year.label} sont ouvertes jusqu'au "
                         f"{format_day(campaign.closes_on)} inclus.")


def parent_can_edit(*, dossier: Dossier | None, state: CampaignState) -> bool:
    """Whether the parent may fill (or correct) this dossier today; None is a dossier not started."""
    if dossier is None:
        return state.is_open
    if dossier.status not in EDITABLE_STATUSES:
        return False
    return state.is_open or dossier.status in _EDITABLE_AFTER_DEADLINE


def current_campaign(*, today: datetime.date | None = None) -> RegistrationCampaign | None:
    """The open campaign today, else the next one to open, else the latest closed one."""
    today = today or timezone.localdate()
    campaigns = RegistrationCampaign.objects.select_related("school_year")
    return (
        campaigns.filter(opens_on__lte=today, closes_on__gte=today).order_by("-opens_on").first()
        or campaigns.filter(opens_on__gt=today).order_by("opens_on").first()
        or campaigns.filter(closes_on__lt=today).order_by("-closes_on").first()
    )


def offered_activities(*, child, school_year: SchoolYear) -> list[Activity]:
    """Open activities of the year offered to the child's school and class (an activity with
    no school or no class listed is for everyone)."""
    queryset = (
        Activity.objects.filter(school_year=school_year, is_active=True)
        .filter(Q(schools__isnull=True) | Q(schools__name__iexact=child.school))
        .distinct().order_by("name")
    )
    return [a for a in queryset if not a.classes or child.school_class in a.classes]


def dossier_for(*, child, school_year: SchoolYear) -> Dossier | None:
    """The dossier of a child already fetched through a scoped selector (family.child_for)."""
    return Dossier.objects.filter(child=child, school_year=school_year).first()


def previous_dossier(*, child, school_year: SchoolYear) -> Dossier | None:
    """Last year's (the latest earlier year's) dossier of the same child, for re-registration."""
    return (
        Dossier.objects.filter(child=child, school_year__starts_on__lt=school_year.starts_on)
        .select_related("school_year").order_by("-school_year__starts_on").first()
    )


def reusable_documents(*, user, documents) -> tuple[list[Document], list[Document]]:
    """Split last year's dossier documents into (still usable, expired). Usable: still in the
    caller's own vault and not past its validity date (a parent attaches only their own
    documents: another adult's vault is private)."""
    today = timezone.localdate()
    own = set(own_documents(user=user).filter(pk__in=[d.pk for d in documents]).values_list("pk", flat=True))
    usable, expired = [], []
    for document in documents:
        if document.pk not in own:
            continue
        (expired if document.valid_until and document.valid_until < today else usable).append(document)
    return usable, expired


def own_documents(*, user) -> QuerySet[Document]:
    """The caller's own vault ("Vous seul pouvez consulter son contenu"): the only documents
    a parent may attach to a dossier."""
    return Document.objects.filter(owner=user).order_by("doc_type", "-uploaded_at")


def attachable_documents(*, user, dossier: Dossier | None) -> QuerySet[Document]:
    """What the dossier's picker offers: the caller's own documents, and those another adult
    of the household already attached to this dossier — shared as part of the dossier, they
    may be kept or removed, never picked into another dossier."""
    condition = Q(owner=user)
    if dossier is not None and dossier.pk:
        condition |= Q(pk__in=dossier.documents.values("pk"))
    return Document.objects.filter(condition).select_related("owner").order_by("doc_type", "-uploaded_at")


def required_documents(*, activities) -> list[dict]:
    """[{"type": code, "label": "Attestation d'assurance", "activities": ["Accueil du soir"]}]."""
    needed: dict[str, list[str]] = {}
    for activity in activities:
        for code in activity.required_documents or []:
            needed.setdefault(code, []).append(activity.name)
    labels = dict(DocumentType.choices)
    return [{"type": code, "label": str(labels.get(code, code)), "activities": names} for code, names in needed.items()]


@dataclass
class Element:
    key: str
    label: str
    done: bool
    missing: str


def dossier_elements(*, dossier: Dossier | None, child) -> list[Element]:
    """The five elements of a dossier and whether each is complete."""
    activities = list(dossier.activities.all()) if dossier else []
    authorisations = dossier is not None and None not in (
        dossier.photo_consent, dossier.may_leave_alone, dossier.emergency_care_consent)
    has_persons = getattr(child, "has_persons", None)  # annotated by dossiers_overview_for
    if has_persons is None:
        has_persons = child.authorized_persons.exists()
    documents_done = False
    if dossier is not None and activities:
        types = {d.doc_type for d in dossier.documents.all()}
        documents_done = all(item["type"] in types for item in required_documents(activities=activities))
    return [
        Element("activities", "Activités choisies", bool(activities), "Choisissez au moins une activité."),
        Element("health", "Fiche sanitaire", bool(dossier and dossier.health_confirmed),
                "Vérifiez la fiche sanitaire et cochez la case de confirmation."),
        Element("authorisations", "Autorisations", authorisations,
                "Répondez aux trois autorisations (photos, sortie seul, soins d'urgence)."),
        Element("persons", "Personnes autorisées à récupérer l'enfant", has_persons,
                "Ajoutez au moins une personne autorisée à récupérer l'enfant (page Ma famille)."),
        Element("documents", "Pièces justificatives", documents_done,
                "Joignez chaque pièce demandée pour les activités choisies."),
    ]


def _yes_no(value) -> str:
    return {True: "oui", False: "non"}.get(value, "sans réponse")


def validated_summary(*, dossier: Dossier, child) -> list[tuple[str, str]]:
    """What the Pôle scolaire validated, item by item, as (label, value): shown instead of the
    to-do list once a dossier is validated."""
    activities = [activity.name for activity in dossier.activities.all()]
    documents = [f"{d.label} ({d.get_doc_type_display()})" for d in dossier.documents.all()]
    persons = getattr(child, "persons_count", None)  # annotated by dossiers_overview_for
    if persons is None:
        persons = child.authorized_persons.count()
    return [
        ("Activités", ", ".join(activities) or "aucune"),
        ("Fiche sanitaire", "vérifiée par le parent" if dossier.health_confirmed else "telle que connue du Pôle scolaire"),
        ("Autorisation de photographier", _yes_no(dossier.photo_consent)),
        ("Autorisé(e) à partir seul(e)", _yes_no(dossier.may_leave_alone)),
        ("Soins d'urgence autorisés", _yes_no(dossier.emergency_care_consent)),
        ("Personnes autorisées à récupérer l'enfant", f"{persons} personne{'s' if persons > 1 else ''}"
         if persons else "aucune"),
        ("Pièces justificatives", ", ".join(documents) or "aucune pièce demandée"),
    ]


def validated_on(*, dossier: Dossier):
    """When the Pôle scolaire validated the dossier (its démarche accepted), or None."""
    if dossier.status != DossierStatus.VALIDATED or not dossier.demarche_id:
        return None
    return (DemarcheEvent.objects.filter(demarche_id=dossier.demarche_id, to_status=DemarcheStatus.ACCEPTED)
            .order_by("-created_at").values_list("created_at", flat=True).first())


_UNKNOWN = object()


def dossier_progress(*, dossier: Dossier | None, child, validated_at=_UNKNOWN) -> dict:
    """The to-do list of a dossier ("3 sur 5 éléments complétés"), or, once validated, what
    the town validated (``validated_at``: when, if the caller read it already)."""
    if dossier is not None and dossier.status == DossierStatus.VALIDATED:
        when = validated_on(dossier=dossier) if validated_at is _UNKNOWN else validated_at
        return {"validated": True, "summary": validated_summary(dossier=dossier, child=child),
                "validated_on": when, "label": "Dossier validé par le Pôle scolaire"}
    elements = dossier_elements(dossier=dossier, child=child)
    done = sum(1 for e in elements if e.done)
    return {"validated": False, "elements": elements, "done": done, "total": len(elements),
            "label": f"{done} sur {len(elements)} éléments complétés"}


def dossiers_overview_for(*, user, school_year: SchoolYear) -> list[dict]:
    """Each child of the caller's household with its dossier (or None) and progress."""

    children = list(children_for(user=user).annotate(
        has_persons=Exists(AuthorizedPerson.objects.filter(child=OuterRef("pk"))),
        persons_count=Count("authorized_persons", distinct=True)))
    dossiers = {
        dossier.child_id: dossier
        for dossier in Dossier.objects.filter(child__in=children, school_year=school_year)
        .prefetch_related("activities", "documents")
    }
    accepted: dict[int, object] = {}
    for demarche_id, created_at in DemarcheEvent.objects.filter(
            demarche_id__in=[d.demarche_id for d in dossiers.values() if d.status == DossierStatus.VALIDATED],
            to_status=DemarcheStatus.ACCEPTED).order_by("created_at").values_list("demarche_id", "created_at"):
        accepted[demarche_id] = created_at  # the latest validation wins
    rows = []
    for child in children:
        dossier = dossiers.get(child.pk)
        when = accepted.get(dossier.demarche_id) if dossier is not None else None
        rows.append({"child": child, "dossier": dossier,
                     "progress": dossier_progress(dossier=dossier, child=child, validated_at=when)})
    return rows


def validated_activity_ids(*, child, school_year) -> set[int]:
    """Activities the child may be booked in: those of its validated dossier of the year."""
    return set(
        Dossier.activities.through.objects.filter(
            dossier__child=child, dossier__school_year=school_year, dossier__status=DossierStatus.VALIDATED,
        ).values_list("activity_id", flat=True)
    )


# --- agents -------------------------------------------------------------------------

def staff_can_review(user) -> bool:
    return staff_can_see_service(user, TownService.SCOLAIRE)


def dossiers_for_staff(*, user, year: str = "", status: str = "", school: str = "", q: str = "") -> QuerySet[Dossier]:
    if not staff_can_review(user):
        return Dossier.objects.none()
    queryset = Dossier.objects.select_related("child", "school_year", "demarche").exclude(
        status=DossierStatus.DRAFT).order_by("-submitted_at", "-id")
    if year:
        queryset = queryset.filter(school_year__label=year)
    if status:
        queryset = queryset.filter(status=status)
    if school:
        queryset = queryset.filter(child__school__iexact=school)
    queryset = queryset.filter(words_match(q, "child__first_name", "child__last_name"))
    return queryset


def dossier_for_staff(*, user, dossier_id: int) -> Dossier:
    """A dossier sent to the Pôle scolaire; a draft is the family's own until it is sent (404)."""
    if not staff_can_review(user):
        raise Http404
    return get_object_or_404(
        Dossier.objects.exclude(status=DossierStatus.DRAFT).select_related("child", "child__household", "school_year", "demarche")
        .prefetch_related("activities", "documents", "child__authorized_persons"),
        pk=dossier_id,
    )
