"""What an import of the Portail Famille families says back: one RowError per refused value
(line, column, French message) and the ImportReport of a run (counts, errors, changes, the
lines sent to the "Familles à rapprocher" queue). No database access: a background run
stores the report as JSON (to_dict / from_dict)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"ligne {self.line}"
        if self.column:
            where += f", colonne « {self.column} »"
        return f"{where} : {self.message}"

    def to_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "message": self.message}

    @classmethod
    def from_dict(cls, data: dict) -> RowError:
        return cls(line=int(data.get("line") or 0), column=data.get("column", ""), message=data.get("message", ""))


@dataclass
class ImportReport:
    """Outcome of services.families.legacy_import(): counts per family row and every error."""

    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0  # rows refused entirely (parse errors are added by the caller)
    queued: int = 0  # rows waiting in "Familles à rapprocher" (a parent already has an account)
    set_aside: int = 0  # rows an agent rejected in "Familles à rapprocher": never imported
    accounts_created: int = 0
    accounts_updated: int = 0
    children_created: int = 0
    children_updated: int = 0
    parents_without_email: int = 0
    encoding: str = ""  # how the file was read ("UTF-8", "Windows-1252"); "" for text given as such
    notes: list[str] = field(default_factory=list)  # about the file itself: columns ignored or absent
    errors: list[RowError] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # "ligne 3 : …" what was (or would be) changed
    queued_lines: list[str] = field(default_factory=list)  # "ligne 5 (famille 1050) : …" sent to the queue

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    @property
    def error_lines(self) -> list[int]:
        return sorted({error.line for error in self.errors})

    def add_parse_errors(self, errors: list[RowError]) -> None:
        self.errors = sorted(list(errors) + self.errors, key=lambda error: error.line)
        self.failed += len({error.line for error in errors if error.line})

    # Counters kept by to_dict() / from_dict() (the report of a background run is stored as JSON).
    _COUNTERS = (
        "created", "updated", "unchanged", "failed", "queued", "set_aside", "accounts_created", "accounts_updated",
        "children_created", "children_updated", "parents_without_email",
    )

    @property
    def processed_rows(self) -> int:
        """Family lines processed: imported, unchanged, waiting for an agent, set aside or refused."""
        return self.created + self.updated + self.unchanged + self.queued + self.set_aside + self.failed

    def to_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            **{name: getattr(self, name) for name in self._COUNTERS},
            "encoding": self.encoding,
            "notes": list(self.notes),
            "errors": [error.to_dict() for error in self.errors],
            "changes": list(self.changes),
            "queued_lines": list(self.queued_lines),
        }

    @classmethod
    def from_dict(cls, data: dict) -> ImportReport:
        return cls(
            dry_run=bool(data.get("dry_run", False)),
            **{name: int(data.get(name) or 0) for name in cls._COUNTERS},
            encoding=str(data.get("encoding") or ""),
            notes=[str(note) for note in data.get("notes", [])],
            errors=[RowError.from_dict(error) for error in data.get("errors", [])],
            changes=[str(change) for change in data.get("changes", [])],
            queued_lines=[str(line) for line in data.get("queued_lines", [])],
        )

    def summary_lines(self) -> list[str]:
        lines = ["Simulation : rien n'a été enregistré ni envoyé."] if self.dry_run else []
        if self.encoding:
            lines.append(f"Fichier lu en {ENCODING_LABELS.get(self.encoding, self.encoding)}.")
        lines += self.notes
        lines += [
            f"Familles : {self.created} créée(s), {self.updated} mise(s) à jour, "
            f"{self.unchanged} inchangée(s), {self.failed} ligne(s) refusée(s).",
        ]
        if self.queued or self.set_aside:
            line = (
                f"À rapprocher : {self.queued} famille(s) dont un parent a déjà un compte de l'Espace citoyen "
                "(liste « Familles à rapprocher » : rien n'est importé pour elles avant la décision d'un agent)"
            )
            if self.set_aside:
                line += f" ; {self.set_aside} famille(s) écartée(s) par un agent, non importée(s)"
            lines.append(line + ".")
        lines += [
            f"Comptes parents : {self.accounts_created} créé(s) (courriel d'activation envoyé), "
            f"{self.accounts_updated} mis à jour ; {self.parents_without_email} parent(s) sans adresse e-mail "
            "(pas de compte).",
            f"Enfants : {self.children_created} créé(s), {self.children_updated} mis à jour.",
            f"Erreurs : {len(self.errors)}.",
        ]
        return lines


ENCODING_LABELS = {
    "UTF-8": "UTF-8",
    "Windows-1252": "Windows-1252 (Excel, « CSV (séparateur : point-virgule) »)",
}
