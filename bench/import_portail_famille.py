"""Benchmark of the Portail Famille import: generates N families and times the import.

    .venv/bin/python bench/import_portail_famille.py [--families 2000] [--queries]

Runs on the test settings (in-memory SQLite unless DATABASE_URL is set: then that
database must be a throw-away one), migrates, then times: the dry-run, the first import
(creates everything and sends the activation e-mails to the in-memory mail box), and a
second run of the same file (nothing changes). Prints rows per second for each; with
--queries, the number of SQL queries per family too (logging them slows the run a little).
"""

import argparse
import collections
import contextlib
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_cms.settings.test")

FIRST_NAMES = ["Julien", "Claire", "Sophie", "Paul", "Anne", "Marc", "Luc", "Emma", "Hugo", "Léa", "Inès", "Nathan"]
LAST_NAMES = ["Martin", "Bernard", "Durand", "Petit", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel"]
SCHOOLS = ["École élémentaire des Tilleuls", "École maternelle du Parc"]
CLASSES = ["PS", "MS", "GS", "CP", "CE1", "CE2", "CM1", "CM2"]


def _ascii(name: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def generate(families: int, seed: int = 42) -> str:
    from espace_citoyen.portail_famille.parsing import ADDRESS_COLUMNS, CHILD_FIELDS, MAX_CHILDREN, PARENT_FIELDS

    rng = random.Random(seed)
    header = ["famille_id"]
    for i in (1, 2):
        header += [f"parent{i}_{name}" for name in PARENT_FIELDS]
    header += list(ADDRESS_COLUMNS)
    for i in range(1, MAX_CHILDREN + 1):
        header += [f"enfant{i}_{name}" for name in CHILD_FIELDS]
    lines = [";".join(header)]
    for n in range(1, families + 1):
        fid = str(100000 + n)
        last = rng.choice(LAST_NAMES)
        row = [fid]
        for i in (1, 2):
            if i == 2 and rng.random() < 0.3:
                row += [""] * len(PARENT_FIELDS)
                continue
            first = rng.choice(FIRST_NAMES)
            email = f"{_ascii(first)}.{fid}.{i}@example.org" if rng.random() < 0.85 else ""
            row += ["M." if i == 1 else "Mme", last, first, email, "", f"06 {rng.randint(10, 99)} 00 00 {i:02d}", ""]
        row += [str(rng.randint(1, 80)), "rue de la Gare", "", "78670", "Villennes-sur-Seine"]
        for i in range(1, MAX_CHILDREN + 1):
            if i <= rng.randint(1, 3):
                row += [rng.choice(FIRST_NAMES), "", rng.choice("FM"), f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2013, 2022)}",
                        rng.choice(SCHOOLS), rng.choice(CLASSES)]
            else:
                row += [""] * len(CHILD_FIELDS)
        lines.append(";".join(row))
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=2000)
    parser.add_argument("--queries", action="store_true", help="count the SQL queries of each phase")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from espace_citoyen.portail_famille.services import families as services

    setup_test_environment()  # locmem e-mail backend: nothing leaves the machine
    call_command("migrate", verbosity=0, interactive=False)
    data = generate(args.families).encode("utf-8")
    print(f"{args.families} familles, {len(data) / 1024:.0f} Kio, base {connection.vendor}")

    for label, dry_run in (("simulation (--dry-run)", True), ("premier import", False), ("relance du même fichier", False)):
        mail.outbox = []
        if args.queries:
            connection.queries_log = collections.deque(maxlen=10**8)
        with CaptureQueriesContext(connection) if args.queries else contextlib.nullcontext() as queries:
            started = time.perf_counter()
            report = services.legacy_import_file(data=data, actor=None, dry_run=dry_run)
            elapsed = time.perf_counter() - started
        per_family = f"  {len(queries.captured_queries) / args.families:.1f} requêtes/famille" if args.queries else ""
        print(
            f"{label:<26} {elapsed:6.2f} s  {args.families / elapsed:7.0f} lignes/s{per_family}  "
            f"créées={report.created} mises à jour={report.updated} inchangées={report.unchanged} "
            f"erreurs={len(report.errors)} comptes={report.accounts_created} courriels={len(mail.outbox)}"
        )


if __name__ == "__main__":
    main()
