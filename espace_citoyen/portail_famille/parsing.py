"""Reading the export of the former Portail Famille (CSV, one row per family).

Parsing and validation only, no database access: `parse_portail_famille()` turns the file
into `FamilyRow` dataclasses plus a list of `RowError` (line number, column, French
message). The writes are done by `services.families.legacy_import()`. The format is documented in
docs/legacy-import.md.

Files as the towns' agents produce them: UTF-8 or Windows-1252 (csv_text.py), and a header
that may leave out the optional columns (only REQUIRED_COLUMNS must be there; an absent
column reads as empty).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from espace_citoyen.accounts.models import Civility, normalize_email_address
from espace_citoyen.core.search import strip_accents

from .csv_text import UnreadableEncoding, decode_csv
from .report import ImportReport, RowError

__all__ = [
    "ADDRESS_COLUMNS", "CHILD_FIELDS", "KNOWN_COLUMNS", "MAX_CHILDREN", "PARENT_FIELDS", "REQUIRED_COLUMNS",
    "ChildRow", "FamilyRow", "ImportReport", "ParentRow", "ParseResult", "RowError", "count_data_rows",
    "parse_portail_famille",
]

DELIMITER = ";"
MAX_PARENTS = 2
MAX_CHILDREN = 6

PARENT_FIELDS = ("civilite", "nom", "prenom", "email", "tel_domicile", "tel_mobile", "tel_pro")
ADDRESS_COLUMNS = ("adresse_numero", "adresse_voie", "adresse_complement", "code_postal", "commune")
CHILD_FIELDS = ("prenom", "nom", "sexe", "naissance", "ecole", "classe")

# The family, the first parent's identity and the first child: every other column may be absent.
REQUIRED_COLUMNS = ("famille_id", "parent1_nom", "parent1_prenom", "enfant1_prenom", "enfant1_naissance")
KNOWN_COLUMNS = (
    ["famille_id"]
    + [f"parent{i}_{name}" for i in range(1, MAX_PARENTS + 1) for name in PARENT_FIELDS]
    + list(ADDRESS_COLUMNS)
    + [f"enfant{n}_{name}" for n in range(1, MAX_CHILDREN + 1) for name in CHILD_FIELDS]
)
# Absent optional columns worth a word in the report (the later children's are usually absent).
_NOTED_IF_ABSENT = [name for name in KNOWN_COLUMNS if not name.startswith("enfant") or name.startswith("enfant1_")]
UNREADABLE_MESSAGE = "le fichier n'est pas encodé en UTF-8 ; enregistrez-le en « CSV UTF-8 »."

CIVILITIES = {
    "m": Civility.MONSIEUR,
    "m.": Civility.MONSIEUR,
    "mr": Civility.MONSIEUR,
    "mr.": Civility.MONSIEUR,
    "monsieur": Civility.MONSIEUR,
    "mme": Civility.MADAME,
    "mme.": Civility.MADAME,
    "madame": Civility.MADAME,
    "mlle": Civility.MADAME,
    "mademoiselle": Civility.MADAME,
}
SEXES = {"f": "f", "fille": "f", "m": "m", "g": "m", "garçon": "m", "garcon": "m"}
LEGACY_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,30}$")
POSTCODE_RE = re.compile(r"^\d{5}$")
PHONE_ALLOWED_RE = re.compile(r"^\+?[\d .\-/()]+$")


@dataclass
class ParentRow:
    index: int  # 1 or 2: rank of the parent in the family (part of the account's legacy key)
    civility: str = ""
    last_name: str = ""
    first_name: str = ""
    email: str = ""
    phone_home: str = ""
    phone_mobile: str = ""
    phone_work: str = ""


@dataclass
class ChildRow:
    index: int  # 1..6: column group number (part of the child's legacy id)
    first_name: str
    last_name: str
    sex: str
    birth_date: datetime.date
    school: str = ""
    school_class: str = ""


@dataclass
class FamilyRow:
    line: int
    legacy_id: str
    parents: list[ParentRow] = field(default_factory=list)
    street_number: str = ""
    street: str = ""
    address_complement: str = ""
    postcode: str = ""
    city: str = ""
    children: list[ChildRow] = field(default_factory=list)

    def to_dict(self) -> dict:
        """As JSON (a line waiting in "Familles à rapprocher" keeps it); dates as ISO strings."""
        data = dataclasses.asdict(self)
        for child in data["children"]:
            child["birth_date"] = child["birth_date"].isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict) -> FamilyRow:
        values = {key: value for key, value in data.items() if key not in ("parents", "children")}
        return cls(
            **values,
            parents=[ParentRow(**parent) for parent in data.get("parents", [])],
            children=[
                ChildRow(**{**child, "birth_date": datetime.date.fromisoformat(child["birth_date"])})
                for child in data.get("children", [])
            ],
        )

    @property
    def address_lines(self) -> list[str]:
        first = " ".join(part for part in (self.street_number, self.street) if part)
        last = " ".join(part for part in (self.postcode, self.city) if part)
        return [line for line in (first, self.address_complement, last) if line]


@dataclass
class ParseResult:
    rows: list[FamilyRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total_lines: int = 0  # data lines read (header excluded)
    encoding: str = ""  # csv_text.UTF8 or WINDOWS_1252 ("" when given text)
    notes: list[str] = field(default_factory=list)  # columns ignored or absent

    @property
    def is_unreadable(self) -> bool:
        """The file itself is unusable (wrong encoding, missing columns): nothing imported."""
        return any(error.line == 0 for error in self.errors)


class _RowErrors(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors


def parse_date(value: str) -> datetime.date:
    """JJ/MM/AAAA → date; raises ValueError."""
    if not re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", value):
        raise ValueError(value)
    day, month, year = (int(part) for part in value.split("/"))
    return datetime.date(year, month, day)


def normalize_phone(value: str) -> str:
    """French numbers as "01 39 08 25 67"; other accepted numbers kept as written. Raises
    ValueError when the value does not look like a telephone number."""
    value = value.strip()
    if not value:
        return ""
    if not PHONE_ALLOWED_RE.match(value):
        raise ValueError(value)
    digits = re.sub(r"\D", "", value)
    if value.startswith("+33") or digits.startswith("0033"):
        digits = "0" + digits[4:] if digits.startswith("0033") else "0" + digits[2:]
    if len(digits) == 10 and digits.startswith("0"):
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
    if value.startswith("+") and 8 <= len(digits) <= 15:
        return "+" + digits
    raise ValueError(value)


def count_data_rows(data: bytes | str) -> int:
    """Number of family lines in the file (header and blank lines excluded), counted as
    parse_portail_famille() does, without validating them; 0 when the file is unreadable."""
    try:
        text, _encoding = decode_csv(data)
    except UnreadableEncoding:
        return 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=DELIMITER)
    if next(reader, None) is None:
        return 0
    return sum(1 for values in reader if any(value.strip() for value in values))


def parse_portail_famille(data: bytes | str) -> ParseResult:
    """Reads the whole file. Every bad row gives one or more RowError and is left out of
    `rows`; the other rows are returned in file order. Line numbers are those of the file
    (the header is line 1)."""
    result = ParseResult()
    try:
        text, result.encoding = decode_csv(data)
    except UnreadableEncoding:
        result.errors.append(RowError(0, "", UNREADABLE_MESSAGE))
        return result
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=DELIMITER)
    try:
        header = next(reader)
    except StopIteration:
        result.errors.append(RowError(0, "", "le fichier est vide."))
        return result
    header = [name.strip().lower() for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        result.errors.append(
            RowError(
                0, "",
                "colonnes manquantes dans la ligne d'en-tête : " + ", ".join(missing)
                + " (séparateur attendu : point-virgule).",
            )
        )
        return result
    positions = {name: position for position, name in enumerate(header) if name in KNOWN_COLUMNS}
    ignored = [name for name in header if name and name not in KNOWN_COLUMNS]
    if ignored:
        result.notes.append("Colonnes inconnues, ignorées : " + ", ".join(dict.fromkeys(ignored)) + ".")
    absent = [name for name in _NOTED_IF_ABSENT if name not in positions]
    if absent:
        result.notes.append("Colonnes absentes de l'en-tête, lues comme vides : " + ", ".join(absent) + ".")

    seen_ids: dict[str, int] = {}
    seen_emails: dict[str, tuple[int, str]] = {}
    for values in reader:
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue
        result.total_lines += 1
        raw = dict.fromkeys(KNOWN_COLUMNS, "")
        raw.update({name: (values[pos].strip() if pos < len(values) else "") for name, pos in positions.items()})
        try:
            family = _parse_row(line, raw)
        except _RowErrors as exc:
            result.errors.extend(exc.errors)
            continue
        errors = []
        if family.legacy_id in seen_ids:
            errors.append(
                RowError(line, "famille_id",
                         f"identifiant de famille « {family.legacy_id} » déjà présent ligne {seen_ids[family.legacy_id]}.")
            )
        for parent in family.parents:
            seen = seen_emails.get(strip_accents(parent.email))
            if parent.email and seen and seen[1] != family.legacy_id:
                errors.append(
                    RowError(line, f"parent{parent.index}_email",
                             f"l'adresse {parent.email} est déjà celle d'une autre famille (ligne {seen[0]}).")
                )
        if errors:
            result.errors.extend(errors)
            continue
        seen_ids[family.legacy_id] = line
        for parent in family.parents:
            if parent.email:
                seen_emails[strip_accents(parent.email)] = (line, family.legacy_id)
        result.rows.append(family)
    return result


def _parse_row(line: int, raw: dict[str, str]) -> FamilyRow:
    errors: list[RowError] = []

    def error(column: str, message: str) -> None:
        errors.append(RowError(line, column, message))

    legacy_id = raw["famille_id"]
    if not legacy_id:
        error("famille_id", "identifiant de famille manquant.")
    elif not LEGACY_ID_RE.match(legacy_id):
        error("famille_id", f"identifiant de famille « {legacy_id} » invalide (lettres, chiffres, tirets ; 30 caractères au plus).")
    family = FamilyRow(
        line=line,
        legacy_id=legacy_id,
        street_number=raw["adresse_numero"][:10],
        street=raw["adresse_voie"][:200],
        address_complement=raw["adresse_complement"][:200],
        postcode=raw["code_postal"],
        city=raw["commune"][:120],
    )
    if family.postcode and not POSTCODE_RE.match(family.postcode):
        error("code_postal", f"code postal « {family.postcode} » invalide (5 chiffres attendus).")

    for index in range(1, MAX_PARENTS + 1):
        prefix = f"parent{index}_"
        values = {name: raw[prefix + name] for name in PARENT_FIELDS}
        if not any(values.values()):
            continue
        parent = ParentRow(index=index, last_name=values["nom"][:150], first_name=values["prenom"][:150])
        if values["civilite"]:
            civility = CIVILITIES.get(values["civilite"].lower())
            if civility is None:
                error(prefix + "civilite", f"civilité « {values['civilite']} » inconnue (M. ou Mme attendu).")
            else:
                parent.civility = civility.value
        if not parent.last_name:
            error(prefix + "nom", "nom du parent manquant.")
        if not parent.first_name:
            error(prefix + "prenom", "prénom du parent manquant.")
        if values["email"]:
            email = normalize_email_address(values["email"])
            try:
                # Accents are checked where an account is created: an address written with them
                # may still designate an existing account (compared without accents).
                validate_email(strip_accents(email))
            except ValidationError:
                error(prefix + "email", f"adresse e-mail « {values['email']} » invalide.")
            else:
                parent.email = email
        for name, attribute in (("tel_domicile", "phone_home"), ("tel_mobile", "phone_mobile"), ("tel_pro", "phone_work")):
            try:
                setattr(parent, attribute, normalize_phone(values[name]))
            except ValueError:
                error(prefix + name, f"numéro de téléphone « {values[name]} » invalide.")
        family.parents.append(parent)
    if not family.parents:
        error("parent1_nom", "aucun parent renseigné pour cette famille.")
    emails = [strip_accents(parent.email) for parent in family.parents if parent.email]
    if len(emails) != len(set(emails)):
        error("parent2_email", "les deux parents ont la même adresse e-mail ; chaque compte a besoin de sa propre adresse.")

    default_last_name = family.parents[0].last_name if family.parents else ""
    for index in range(1, MAX_CHILDREN + 1):
        prefix = f"enfant{index}_"
        values = {name: raw[prefix + name] for name in CHILD_FIELDS}
        if not any(values.values()):
            continue
        if not values["prenom"]:
            error(prefix + "prenom", "prénom de l'enfant manquant.")
        birth_date = None
        if not values["naissance"]:
            error(prefix + "naissance", "date de naissance de l'enfant manquante.")
        else:
            try:
                birth_date = parse_date(values["naissance"])
            except ValueError:
                error(prefix + "naissance", f"date « {values['naissance']} » invalide (format attendu : JJ/MM/AAAA).")
        sex = ""
        if values["sexe"]:
            sex = SEXES.get(values["sexe"].lower(), "")
            if not sex:
                error(prefix + "sexe", f"sexe « {values['sexe']} » inconnu (F ou M attendu).")
        if birth_date is not None and values["prenom"]:
            family.children.append(
                ChildRow(
                    index=index,
                    first_name=values["prenom"][:150],
                    last_name=(values["nom"] or default_last_name)[:150],
                    sex=sex,
                    birth_date=birth_date,
                    school=values["ecole"][:150],
                    school_class=values["classe"][:50],
                )
            )
    if errors:
        raise _RowErrors(errors)
    return family
