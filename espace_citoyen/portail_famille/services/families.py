"""The families of the former Portail Famille: households, parents' accounts ("à activer",
activation e-mail) and children, created or updated from the parsed CSV (parsing.py).
Idempotent by the legacy ids; the format is documented in docs/legacy-import.md."""

import logging

from django.db import transaction
from django.utils import timezone

from espace_citoyen.accounts.models import AccountEventKind, AccountStatus, Profile, User
from espace_citoyen.accounts.services import account_record_event, activation_send
from espace_citoyen.family.models import Child, Household, Membership

from ..parsing import ImportReport, RowError, parse_portail_famille

logger = logging.getLogger("espace_citoyen.portail_famille")


def legacy_import(*, rows, actor: User | None, dry_run: bool = False, progress=None):
    """Creates or updates households, parents' accounts and children from parsed rows
    (legacy.FamilyRow). Each row runs in its own savepoint: a failing row is reported and
    the others go on. Idempotent by legacy ids; in dry-run everything is rolled back and
    no e-mail leaves. `progress(done, total)` is called after each row."""
    report = ImportReport(dry_run=dry_run)
    rows = list(rows)
    with transaction.atomic():
        for done, row in enumerate(rows, start=1):
            _legacy_import_row(row=row, actor=actor, report=report)
            if progress is not None:
                progress(done, len(rows))
        if dry_run:
            transaction.set_rollback(True)
    logger.info(
        "portail famille import dry_run=%s created=%s updated=%s unchanged=%s errors=%s",
        dry_run, report.created, report.updated, report.unchanged, len(report.errors),
    )
    return report


_IMPORTED_PROFILE_FIELDS = {
    "civility": "civilité",
    "street_number": "numéro",
    "street": "voie",
    "address_complement": "complément d'adresse",
    "postcode": "code postal",
    "city": "commune",
    "phone_home": "téléphone domicile",
    "phone_mobile": "téléphone mobile",
    "phone_work": "téléphone professionnel",
}
_IMPORTED_CHILD_FIELDS = {
    "first_name": "prénom",
    "last_name": "nom",
    "sex": "sexe",
    "birth_date": "date de naissance",
    "school": "école",
    "school_class": "classe",
}


def _diff(instance, values: dict, labels: dict) -> list[str]:
    """Sets the changed attributes on `instance`; returns "label : old → new" for each."""
    changed = []
    for name, label in labels.items():
        old = getattr(instance, name)
        if old != values[name]:
            setattr(instance, name, values[name])
            changed.append(f"{label} : {old or '–'} → {values[name] or '–'}")
    return changed


def _legacy_import_row(*, row, actor: User | None, report) -> None:
    row_errors: list = []
    try:
        with transaction.atomic():
            household, household_created = Household.objects.get_or_create(legacy_id=row.legacy_id)
            changes: list[str] = []
            existing_accounts: list[User] = []
            address = {
                "street_number": row.street_number, "street": row.street,
                "address_complement": row.address_complement, "postcode": row.postcode, "city": row.city,
            }
            for parent in row.parents:
                if not parent.email:
                    report.parents_without_email += 1
                    continue
                column = f"parent{parent.index}_email"
                key = f"{row.legacy_id}-{parent.index}"
                user = User.objects.filter(legacy_key=key).first()
                if user is not None and user.status != AccountStatus.TO_ACTIVATE:
                    # Activated: the citizen keeps their own data up to date.
                    Membership.objects.get_or_create(household=household, user=user)
                    continue
                other = None
                if user is None or user.email != parent.email:
                    other = User.objects.filter(email__iexact=parent.email).exclude(legacy_key=key).first()
                if other is not None:
                    owner = "d'une autre famille du Portail Famille" if other.legacy_key else "d'un compte déjà existant de l'Espace citoyen"
                    row_errors.append(RowError(
                        row.line, column,
                        f"l'adresse {parent.email} est déjà celle {owner} : ce parent n'est pas importé "
                        "(vérifiez l'adresse avec la famille).",
                    ))
                    continue
                profile_values = {"civility": parent.civility, **address, "phone_home": parent.phone_home,
                                  "phone_mobile": parent.phone_mobile, "phone_work": parent.phone_work}
                if user is None:
                    user = User(email=parent.email, first_name=parent.first_name, last_name=parent.last_name,
                                status=AccountStatus.TO_ACTIVATE, legacy_key=key, status_changed_at=timezone.now())
                    user.set_unusable_password()
                    user.save()
                    Profile.objects.create(user=user, **profile_values)
                    Membership.objects.create(household=household, user=user)
                    account_record_event(
                        user=user, kind=AccountEventKind.IMPORTED, actor=actor, to_status=AccountStatus.TO_ACTIVATE,
                        comment=f"Famille {row.legacy_id}, ligne {row.line}",
                    )
                    activation_send(user=user, actor=actor)
                    report.accounts_created += 1
                    changes.append(f"compte {user.email} créé")
                    continue
                Membership.objects.get_or_create(household=household, user=user)
                existing_accounts.append(user)
                account_changes = _diff(
                    user, {"email": parent.email, "first_name": parent.first_name, "last_name": parent.last_name},
                    {"email": "adresse e-mail", "first_name": "prénom", "last_name": "nom"},
                )
                profile, _created = Profile.objects.get_or_create(user=user)
                profile_changes = _diff(profile, profile_values, _IMPORTED_PROFILE_FIELDS)
                if account_changes:
                    user.save()
                if profile_changes:
                    profile.save()
                if account_changes or profile_changes:
                    report.accounts_updated += 1
                    changes.extend(f"{user.email} – {change}" for change in account_changes + profile_changes)
            for child_row in row.children:
                values = {name: getattr(child_row, name) for name in _IMPORTED_CHILD_FIELDS}
                legacy_id = f"{row.legacy_id}-{child_row.index}"
                child = Child.objects.filter(legacy_id=legacy_id).first()
                if child is None:
                    Child.objects.create(household=household, legacy_id=legacy_id, **values)
                    report.children_created += 1
                    changes.append(f"enfant {child_row.first_name} créé")
                    continue
                child_changes = _diff(child, values, _IMPORTED_CHILD_FIELDS)
                if child.household_id != household.pk:
                    child.household = household
                    child_changes.append("foyer")
                if child_changes:
                    child.save()
                    report.children_updated += 1
                    changes.extend(f"enfant {child.first_name} – {change}" for change in child_changes)
            if household_created:
                report.created += 1
            elif changes:
                report.updated += 1
                for user in existing_accounts:
                    account_record_event(
                        user=user, kind=AccountEventKind.IMPORT_UPDATED, actor=actor,
                        comment=f"Ligne {row.line} : " + " ; ".join(changes),
                    )
            else:
                report.unchanged += 1
            report.changes.extend(f"ligne {row.line} (famille {row.legacy_id}) : {change}" for change in changes)
    except Exception:  # one bad row must not stop the others (its savepoint is rolled back)
        logger.exception("portail famille import failed line=%s legacy_id=%s", row.line, row.legacy_id)
        report.failed += 1
        row_errors = [RowError(row.line, "", "erreur à l'enregistrement de cette famille ; rien n'a été modifié pour elle.")]
    report.errors.extend(row_errors)


def legacy_import_file(*, data: bytes | str, actor: User | None, dry_run: bool = False, progress=None):
    """Parses a Portail Famille CSV export (portail_famille/parsing.py) and imports its valid rows;
    the report lists the refused lines too."""
    parsed = parse_portail_famille(data)
    if parsed.is_unreadable:
        report = ImportReport(dry_run=dry_run)
        report.errors = list(parsed.errors)
        return report
    report = legacy_import(rows=parsed.rows, actor=actor, dry_run=dry_run, progress=progress)
    report.add_parse_errors(parsed.errors)
    return report
