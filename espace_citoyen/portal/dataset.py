"""A large, repeatable dataset for load benchmarks (`manage.py generate_dataset`).

Households numbered from 1: two parents (dataset-<n>-<1|2>@example.org, password
DATASET_PASSWORD; about 3 % awaiting validation), each with the profile the creation
wizard writes (address in the town, mobile phone), 1 to 3 children each with a validated
dossier for the school year of the demo and a weekly canteen pattern booked for the whole
year, two documents and two démarches per household. Written in bulk (bulk_create; COPY on
PostgreSQL for the bookings), appended after the households already generated, so that
`--households 10000` after `--households 100` adds 9,900. Lives in the portal, the
composition root: it writes the rows of every domain.
"""

import datetime
import random
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from espace_citoyen.accounts.models import AccountStatus, Profile
from espace_citoyen.activities.models import (
    Activity,
    Dossier,
    DossierStatus,
    Occurrence,
    Reservation,
    ReservationSource,
    ReservationStatus,
    SchoolYear,
)
from espace_citoyen.core.business_calendar import validation_deadline
from espace_citoyen.demarches.models import Demarche, DemarcheKind, DemarcheStatus
from espace_citoyen.documents.models import Document, DocumentContentType, DocumentType
from espace_citoyen.family.models import Child, Household, Membership
from espace_citoyen.family.selectors import children_count_changed

DATASET_PASSWORD = "Jeu-de-donnees-2026"
FIRST_NAMES = ["Julien", "Claire", "Sophie", "Paul", "Anne", "Marc", "Luc", "Emma", "Hugo", "Léa", "Inès", "Nathan"]
LAST_NAMES = ["Martin", "Bernard", "Durand", "Petit", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel"]
STREETS = ["rue de Poissy", "rue du Général Leclerc", "chemin des Vignes", "allée des Tilleuls", "rue de la Gare"]
BATCH = 2000


def dataset_email(number: int, parent: int) -> str:
    return f"dataset-{number}-{parent}@example.org"


def _copy(model, fields: list[str], rows: list[tuple]) -> None:
    """COPY on PostgreSQL (several times faster than INSERT), bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**dict(zip(fields, row))) for row in rows], batch_size=BATCH)
        return
    columns = ", ".join(model._meta.get_field(name).column for name in fields)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def generate(*, households: int, seed: int, stdout=None) -> dict:
    """Adds households up to `households` numbered ones; returns counts and seconds."""
    started = time.perf_counter()
    User = get_user_model()
    existing = User.objects.filter(email__startswith="dataset-", email__endswith="-1@example.org").count()
    year = SchoolYear.objects.order_by("-starts_on").first()
    canteen = Activity.objects.filter(school_year=year).order_by("pk").first() if year else None
    if year is None or canteen is None:
        raise ValueError("Aucune année scolaire avec une activité : chargez d'abord la démonstration (seed_demo).")
    occurrences = list(Occurrence.objects.filter(activity=canteen).values_list("pk", "date"))
    rng = random.Random(seed * 1_000_003 + existing)
    password = make_password(DATASET_PASSWORD)
    now = timezone.now()
    counts = {"households": 0, "users": 0, "children": 0, "reservations": 0, "documents": 0, "demarches": 0}
    numbers = range(existing + 1, households + 1)
    for start in range(0, len(numbers), 1000):
        chunk = numbers[start:start + 1000]
        with transaction.atomic():
            families = Household.objects.bulk_create([Household() for _ in chunk])
            users, memberships, children = [], [], []
            for number, household in zip(chunk, families):
                last = rng.choice(LAST_NAMES)
                for parent in (1, 2):
                    status = AccountStatus.PENDING if parent == 1 and rng.random() < 0.03 else AccountStatus.ACTIVE
                    user = User(email=dataset_email(number, parent), password=password, status=status,
                                first_name=rng.choice(FIRST_NAMES), last_name=last)
                    if status == AccountStatus.PENDING:  # dated as signup dates it (no démarche opened here)
                        requested = now - datetime.timedelta(minutes=rng.randint(10, 4 * 24 * 60))
                        user.email_confirmed_at = user.validation_requested_at = requested
                        user.validation_due_at = validation_deadline(requested)
                    users.append(user)
                for _ in range(rng.randint(1, 3)):
                    children.append(Child(household=household, first_name=rng.choice(FIRST_NAMES), last_name=last,
                                          birth_date=datetime.date(rng.randint(2014, 2022), rng.randint(1, 12),
                                                                   rng.randint(1, 28))))
            users = User.objects.bulk_create(users, batch_size=BATCH)
            profiles = []
            for index, user in enumerate(users):
                memberships.append(Membership(household=families[index // 2], user=user))
                if index % 2 == 0:  # the household's address, as both parents gave it
                    address = (str(rng.randint(1, 120)), rng.choice(STREETS))
                profiles.append(Profile(user=user, street_number=address[0], street=address[1], postcode="78670",
                                        city="Villennes-sur-Seine", phone_mobile=f"06{rng.randint(0, 99_999_999):08d}"))
            Profile.objects.bulk_create(profiles, batch_size=BATCH)
            Membership.objects.bulk_create(memberships, batch_size=BATCH)
            children = Child.objects.bulk_create(children, batch_size=BATCH)
            children_count_changed()  # no row signals from bulk_create
            dossiers = Dossier.objects.bulk_create(
                [Dossier(child=child, school_year=year, status=DossierStatus.VALIDATED) for child in children],
                batch_size=BATCH)
            Dossier.activities.through.objects.bulk_create(
                [Dossier.activities.through(dossier=d, activity=canteen) for d in dossiers], batch_size=BATCH)
            bookings = []
            for child in children:
                weekdays = set(rng.sample([0, 1, 3, 4], rng.randint(1, 3)))
                bookings += [(child.pk, occ_id, ReservationStatus.BOOKED, ReservationSource.PORTAL, now, "")
                             for occ_id, day in occurrences if day.weekday() in weekdays]
            _copy(Reservation, ["child_id", "occurrence_id", "status", "source", "created_at", "override_reason"],
                  bookings)
            documents, demarches = [], []
            for index, user in enumerate(users[::2]):
                number = chunk[index]
                for doc_type in (DocumentType.PROOF_OF_ADDRESS, DocumentType.INSURANCE_CERTIFICATE):
                    documents.append(Document(owner=user, doc_type=doc_type, label=doc_type.label,
                                              file=f"documents/jeu-de-donnees/{number}-{doc_type}.pdf",
                                              original_filename=f"{doc_type}.pdf",
                                              content_type=DocumentContentType.PDF, size=48_213))
                for i, kind in enumerate((DemarcheKind.FAMILY_CHANGE, DemarcheKind.OTHER)):
                    demarches.append(Demarche(number=f"JD-{number}-{i}", kind=kind, user=user,
                                              status=rng.choice(list(DemarcheStatus)),
                                              title=f"{kind.label} (foyer {number})"))
            Document.objects.bulk_create(documents, batch_size=BATCH)
            Demarche.objects.bulk_create(demarches, batch_size=BATCH)
        counts["households"] += len(families)
        counts["users"] += len(users)
        counts["children"] += len(children)
        counts["reservations"] += len(bookings)
        counts["documents"] += len(documents)
        counts["demarches"] += len(demarches)
        if stdout is not None:
            stdout.write(f"  {chunk[-1]} foyers ({time.perf_counter() - started:.0f} s)")
    # The occurrence counters and capacities follow the bookings written without the service.
    booked = Reservation.objects.filter(occurrence=OuterRef("pk"), status=ReservationStatus.BOOKED).values(
        "occurrence").annotate(n=Count("pk")).values("n")
    count = Coalesce(Subquery(booked), 0)
    Occurrence.objects.filter(activity=canteen).update(booked_count=count, capacity=Greatest("capacity", count + 20))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    counts["seconds"] = time.perf_counter() - started
    return counts
