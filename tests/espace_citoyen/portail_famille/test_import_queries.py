"""Issue 14: the Portail Famille import of 5,000 families reads what it needs before the loop
(services/families.py, _ImportIndex), so its number of queries per family stays bounded;
and the children it creates are in Wagtail's reference index as a save would put them."""

from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from wagtail.models import ReferenceIndex

from espace_citoyen.accounts.models import AccountEvent, AccountEventKind, User
from espace_citoyen.family.models import Child
from espace_citoyen.portail_famille.services import families as services

HEADER = (
    "famille_id;parent1_civilite;parent1_nom;parent1_prenom;parent1_email;parent1_tel_domicile;"
    "parent1_tel_mobile;parent1_tel_pro;parent2_civilite;parent2_nom;parent2_prenom;parent2_email;"
    "parent2_tel_domicile;parent2_tel_mobile;parent2_tel_pro;adresse_numero;adresse_voie;"
    "adresse_complement;code_postal;commune;enfant1_prenom;enfant1_nom;enfant1_sexe;enfant1_naissance;"
    "enfant1_ecole;enfant1_classe;enfant2_prenom;enfant2_nom;enfant2_sexe;enfant2_naissance;"
    "enfant2_ecole;enfant2_classe"
)

# Queries per family (2 parents with an address, 2 children), measured 2 December 2026.
# First import: the row's savepoint (2), the household (1), per parent the account, its
# profile, membership, "importé" event and activation (savepoint, update, event) (8 × 2), the
# children (2) and their reference index rows (1) = 22. A second run of the same file: the
# row's savepoint only (2). Before the index they were 40 and 4 to 6.
FIRST_IMPORT_QUERIES_PER_FAMILY = 22
RERUN_QUERIES_PER_FAMILY = 2


def families_csv(count: int, *, first_name: str = "Claire", start: int = 5001) -> bytes:
    lines = [HEADER]
    for n in range(count):
        fid = str(start + n)
        lines.append(
            f"{fid};M.;Martin;Julien;julien.{fid}@example.org;;06 12 34 56 78;;Mme;Martin;{first_name};"
            f"claire.{fid}@example.org;;;;12;rue de la Gare;;78670;Villennes-sur-Seine;"
            f"Léa;Martin;F;14/03/2016;École élémentaire des Tilleuls;CE2;"
            f"Hugo;;M;02/09/2019;École maternelle du Parc;MS"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def import_queries(data: bytes, capture) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries, capture(execute=True):
        report = services.legacy_import_file(data=data, actor=None)
    assert not report.errors
    return len(queries.captured_queries), report


def test_queries_per_family_do_not_grow_with_the_file(db, django_capture_on_commit_callbacks):
    small, report = import_queries(families_csv(10), django_capture_on_commit_callbacks)
    assert (report.created, report.accounts_created, report.children_created) == (10, 20, 20)
    large, report = import_queries(families_csv(40, start=6001), django_capture_on_commit_callbacks)
    assert (report.created, report.accounts_created, report.children_created) == (40, 80, 80)
    assert len(mail.outbox) == 20 + 80
    assert (large - small) / 30 <= FIRST_IMPORT_QUERIES_PER_FAMILY

    again, report = import_queries(families_csv(40, start=6001), django_capture_on_commit_callbacks)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 40)
    assert again <= 40 * RERUN_QUERIES_PER_FAMILY + 15  # + the reads before the loop


def test_rows_see_the_addresses_earlier_rows_of_the_file_changed(db, django_capture_on_commit_callbacks):
    """Rows read before the loop, yet a later row sees what an earlier one changed: family
    5001's second parent leaves the address claire.5001@…, which family 5003's takes."""
    import_queries(families_csv(3), django_capture_on_commit_callbacks)
    changed = families_csv(3, first_name="Clara").decode().splitlines()
    changed[1] = changed[1].replace("claire.5001@example.org", "nouvelle.5001@example.org")
    changed[3] = changed[3].replace("claire.5003@example.org", "claire.5001@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        report = services.legacy_import_file(data=("\n".join(changed) + "\n").encode(), actor=None)
    assert report.errors == []
    assert (report.updated, report.accounts_updated) == (3, 3)
    assert User.objects.get(legacy_key="5001-2").email == "nouvelle.5001@example.org"
    assert User.objects.get(legacy_key="5003-2").email == "claire.5001@example.org"
    assert User.objects.get(legacy_key="5002-2").first_name == "Clara"
    assert AccountEvent.objects.filter(kind=AccountEventKind.IMPORT_UPDATED).count() == 6

    # the other way round, each address is still another family's when the row comes: refused
    changed[1], changed[3] = changed[1].replace("nouvelle.5001", "claire.5001"), changed[3].replace(
        "claire.5001", "nouvelle.5001")
    changed[1], changed[3] = changed[3], changed[1]  # family 5003 first
    with django_capture_on_commit_callbacks(execute=True):
        report = services.legacy_import_file(data=("\n".join(changed) + "\n").encode(), actor=None)
    assert [error.column for error in report.errors] == ["parent2_email", "parent2_email"]
    assert "nouvelle.5001@example.org est déjà celle d'une autre famille" in report.errors[0].message
    assert "claire.5001@example.org est déjà celle d'une autre famille" in report.errors[1].message


def test_imported_children_are_in_the_reference_index_as_a_save_puts_them(db, django_capture_on_commit_callbacks):
    import_queries(families_csv(3), django_capture_on_commit_callbacks)

    def rows():
        imported_children = Child.objects.filter(legacy_id__startswith="500").values_list("pk", flat=True)
        return sorted(ReferenceIndex.objects.filter(content_type__model="child",
                                                    object_id__in=[str(pk) for pk in imported_children])
                      .values_list("content_type__model", "object_id", "to_content_type__model", "to_object_id",
                                   "model_path", "content_path", "content_path_hash"))

    imported = rows()
    assert len(imported) == 6 and {row[2] for row in imported} == {"household"}
    for child in Child.objects.filter(legacy_id__startswith="500"):
        with transaction.atomic():
            ReferenceIndex.create_or_update_for_object(child)
    assert rows() == imported
