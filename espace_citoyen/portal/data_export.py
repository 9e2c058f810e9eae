"""Export of a citizen's personal data (RGPD right of access and portability).

The records are discovered generically, so that models added later by other apps of the
citizen space (documents, messaging, activities, billing…) are included without changes:

- every row of an `espace_citoyen.*` model pointing to the user (reverse foreign keys and
  one-to-one relations, except the hidden "+" ones such as an agent's `actor`);
- the households the user belongs to (through the memberships), then every row pointing
  to those households, recursively (children, their health data and authorised persons,
  invitations…), and every row pointing to the records found (démarche timeline…).

Never followed: the reverse relations of another user, secrets (password hash, second
factor devices live outside espace_citoyen and are not walked).
"""

import io
import json
import posixpath
import zipfile

from django.apps import apps
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from espace_citoyen.family.models import Household

EXCLUDED_FIELDS = {"password", "token_hash"}
MAX_DEPTH = 4


def _space_models() -> set[type[models.Model]]:
    return {
        model for config in apps.get_app_configs() if config.name.startswith("espace_citoyen.")
        for model in config.get_models()
    }


def _reverse_rows(instance, space_models) -> list[models.Model]:
    rows = []
    for relation in instance._meta.related_objects:
        if relation.related_model not in space_models or relation.many_to_many:
            continue
        field = relation.field
        rows.extend(relation.related_model._default_manager.filter(**{field.name: instance}).order_by("pk"))
    return rows


def collect_records(*, user) -> list[models.Model]:
    """Every record linked to `user` or to their households, the user first."""

    space_models = _space_models()
    user_model = type(user)
    seen: set[tuple[str, object]] = set()
    records: list[models.Model] = []

    def add(instance) -> bool:
        key = (instance._meta.label_lower, instance.pk)
        if key in seen:
            return False
        seen.add(key)
        records.append(instance)
        return True

    def walk(instance, depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        for row in _reverse_rows(instance, space_models):
            if isinstance(row, user_model):
                continue
            if add(row):
                walk(row, depth + 1)

    add(user)
    walk(user, 1)
    households = Household.objects.filter(memberships__user=user).distinct().order_by("pk")
    for household in households:
        if add(household):
            walk(household, 1)
    return records


def _serialize(records) -> dict:
    grouped: dict[str, list] = {}
    for item in serializers.serialize("python", records):
        fields = {name: value for name, value in item["fields"].items() if name not in EXCLUDED_FIELDS}
        grouped.setdefault(item["model"], []).append({"id": item["pk"], **fields})
    return grouped


def _own_files(*, user, records):
    """(path in the archive, FieldFile) of the user's own files: their photo, the files of
    their rows and of their household's rows (children's photos), vault documents under
    documents/."""
    for record in records:
        for field in record._meta.concrete_fields:
            if not isinstance(field, models.FileField):
                continue
            value = getattr(record, field.name)
            if not value:
                continue
            label = record._meta.app_label
            folder = "documents" if label == "documents" else f"fichiers/{label}-{record._meta.model_name}"
            if record._meta.model_name == "profile":
                folder = "photo"
            yield f"{folder}/{record.pk}-{posixpath.basename(value.name)}", value


def personal_data_zip(*, user) -> bytes:
    """The ZIP of "Télécharger toutes mes données": donnees.json and the files."""
    records = collect_records(user=user)
    data = {
        "export": {
            "genere_le": timezone.now(),
            "compte": user.email,
            "description": "Toutes les données de votre espace citoyen de Villennes-sur-Seine : "
                           "votre compte, votre foyer et vos démarches, documents et messages.",
        },
        "donnees": _serialize(records),
    }
    buffer = io.BytesIO()
    missing = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, value in _own_files(user=user, records=records):
            try:
                with value.storage.open(value.name, "rb") as handle:
                    archive.writestr(path, handle.read())
            except OSError:
                missing.append(value.name)
        if missing:
            data["export"]["fichiers_introuvables"] = missing
        archive.writestr("donnees.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
    return buffer.getvalue()
