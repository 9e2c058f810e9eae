"""Files as the towns' agents produce them (csv_text.py, parsing.py): Excel's Windows-1252
"CSV (séparateur : point-virgule)" read right and said so in the report, a file that is
neither UTF-8 nor Windows-1252 refused with the usual message (command, admin form), and a
header holding only the required columns."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from espace_citoyen.accounts.models import User
from espace_citoyen.activities.models import Reservation
from espace_citoyen.family.models import Child, Household
from espace_citoyen.portail_famille.csv_text import UnreadableEncoding, decode_csv
from espace_citoyen.portail_famille.parsing import REQUIRED_COLUMNS, parse_portail_famille
from espace_citoyen.portail_famille.services import families
from tests.factories import make_staff

DATA = Path(__file__).resolve().parents[2] / "data"
SAMPLE = DATA / "portail_famille_sample.csv"
IMPORT_URL = "/admin/espace-citoyen/import-portail-famille/"
UNREADABLE = "le fichier n'est pas encodé en UTF-8 ; enregistrez-le en « CSV UTF-8 »."


def excel_windows_1252() -> bytes:
    """The sample as Excel saves "CSV (séparateur : point-virgule)" on a French Windows:
    Windows-1252, CRLF line ends, no BOM."""
    return "\r\n".join(SAMPLE.read_text(encoding="utf-8-sig").splitlines()).encode("cp1252") + b"\r\n"


# --- encodings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "expected"), [
    ("Hélène;Œuvre".encode(), ("Hélène;Œuvre", "UTF-8")),
    (b"\xef\xbb\xbf" + "Hélène".encode(), ("Hélène", "UTF-8")),  # Excel's "CSV UTF-8" BOM
    ("Hélène;Œuvre – 5 €".encode("cp1252"), ("Hélène;Œuvre – 5 €", "Windows-1252")),
    ("Hélène".encode("latin-1"), ("Hélène", "Windows-1252")),  # ISO-8859-1 letters are the same
    ("a;b\r\n\tc\n", ("a;b\r\n\tc\n", "")),
])
def test_utf8_first_then_windows_1252(data, expected):
    assert decode_csv(data) == expected


@pytest.mark.parametrize("data", [
    b"famille_id;nom\n1;\x81\n",  # a byte Windows-1252 leaves undefined
    b"famille_id;nom\n1;Martin\x9d\n",
    "famille_id;nom\n1;Hélène\n".encode("utf-16"),  # NUL bytes
    b"famille_id;nom\n1;Mar\x00tin\n",
    "famille_id;nom\n1;Hélène\x1b\n".encode("cp1252"),  # a control character
])
def test_neither_encoding_is_refused(data):
    with pytest.raises(UnreadableEncoding):
        decode_csv(data)
    result = parse_portail_famille(data)
    assert result.is_unreadable and [error.message for error in result.errors] == [UNREADABLE]


def test_windows_1252_file_with_accented_names_is_imported_right(db, django_capture_on_commit_callbacks):
    data = excel_windows_1252()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        report = families.legacy_import_file(data=data, actor=None)

    assert report.encoding == "Windows-1252"
    assert "Fichier lu en Windows-1252 (Excel, « CSV (séparateur : point-virgule) »)." in report.summary_lines()
    assert (report.created, report.failed) == (4, 1)
    assert Child.objects.get(legacy_id="1042-1").first_name == "Léa"
    assert Child.objects.get(legacy_id="1043-1").first_name == "Inès"
    assert Child.objects.get(legacy_id="1046-3").first_name == "Chloé"
    assert User.objects.get(legacy_key="1042-2").profile.street == "rue du Général-de-Gaulle"
    assert User.objects.get(legacy_key="1046-1").profile.street == "place de l'Église"
    assert "École" in Child.objects.get(legacy_id="1045-1").school

    # The same file saved as UTF-8 changes nothing: the same letters were read.
    report = families.legacy_import_file(data=SAMPLE.read_bytes(), actor=None)
    assert report.encoding == "UTF-8" and "Fichier lu en UTF-8." in report.summary_lines()
    assert (report.created, report.updated, report.unchanged) == (0, 0, 4)


def test_command_says_which_encoding_was_read(db, tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "familles.csv"
    path.write_bytes(b"\r\n".join(line for line in excel_windows_1252().split(b"\r\n") if not line.startswith(b"1044;")))
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_portail_famille", str(path), "--dry-run", stdout=out, stderr=StringIO())
    assert "Fichier lu en Windows-1252" in out.getvalue()
    assert "enfant Inès créé" in out.getvalue()


def test_bookings_file_in_windows_1252(db, tmp_path):
    household = Household.objects.create(legacy_id="7001")
    Child.objects.create(household=household, first_name="Zoé", last_name="Aubert", legacy_id="7001-1")
    path = tmp_path / "reservations.csv"
    path.write_bytes("reservation;enfant;activite;annee;date;statut\r\n"
                     "PF-W-1;7001-1;Accueil du mercredi après-midi;2019-2020;04/09/2019;réservé\r\n".encode("cp1252"))
    out = StringIO()
    call_command("import_portail_famille_reservations", str(path), stdout=out, stderr=StringIO())
    assert "Fichier lu en Windows-1252" in out.getvalue() and "1 réservation(s) créée(s)" in out.getvalue()
    assert Reservation.objects.get(legacy_id="PF-W-1").occurrence.activity.name == "Accueil du mercredi après-midi"

    path.write_bytes("reservation;enfant\r\n".encode("utf-16"))
    with pytest.raises(Exception, match="pas encodé en UTF-8"):
        call_command("import_portail_famille_reservations", str(path), stdout=StringIO(), stderr=StringIO())


# --- header ----------------------------------------------------------------------------------------


def test_a_header_with_only_the_required_columns(db, django_capture_on_commit_callbacks):
    assert REQUIRED_COLUMNS == ("famille_id", "parent1_nom", "parent1_prenom", "enfant1_prenom", "enfant1_naissance")
    data = ("ENFANT1_NAISSANCE;famille_id;parent1_prenom;parent1_nom;enfant1_prenom\r\n"
            "03/04/2017;8001;Hélène;Faure;Mathéo\r\n").encode("cp1252")
    with django_capture_on_commit_callbacks(execute=True):
        report = families.legacy_import_file(data=data, actor=None)

    assert report.errors == [] and (report.created, report.parents_without_email) == (1, 1)
    household = Household.objects.get(legacy_id="8001")
    child = household.children.get()
    assert (child.first_name, child.last_name, child.legacy_id) == ("Mathéo", "Faure", "8001-1")
    assert child.school == "" and child.sex == ""
    assert not household.memberships.exists()  # no e-mail column: no account
    [note] = [line for line in report.summary_lines() if line.startswith("Colonnes absentes")]
    assert "parent1_email" in note and "adresse_voie" in note and "enfant2_prenom" not in note


def test_unknown_columns_are_named_and_ignored(db):
    text = SAMPLE.read_text(encoding="utf-8-sig").replace("parent1_email", "parent1_mail", 1)
    result = parse_portail_famille(text)
    assert "Colonnes inconnues, ignorées : parent1_mail." in result.notes
    assert any("parent1_email" in note for note in result.notes)
    assert result.rows[0].parents[0].email == ""


def test_a_header_missing_a_required_column_is_refused(db):
    result = parse_portail_famille("famille_id;parent1_nom;enfant1_prenom;enfant1_naissance\n1;Faure;Léo;01/01/2017\n")
    assert result.is_unreadable
    assert "colonnes manquantes dans la ligne d'en-tête : parent1_prenom" in result.errors[0].message


# --- the admin upload form ----------------------------------------------------------------------------


def test_admin_upload_reads_windows_1252_and_says_so(client, otp_login, db, django_capture_on_commit_callbacks):
    otp_login(client, make_staff("import.cp1252@ville-villennes-sur-seine.fr", "import_portail_famille"))
    upload = SimpleUploadedFile("familles.csv", excel_windows_1252(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(IMPORT_URL, {"file": upload, "dry_run": "on"})
    assert response.status_code == 302 and response.url != IMPORT_URL
    page = client.get(response.url).content.decode()
    assert "Fichier lu en Windows-1252" in page
    assert "Inès" in page and "4 créée(s)" in page


def test_admin_upload_refuses_a_file_that_is_neither(client, otp_login, db):
    otp_login(client, make_staff("import.utf16@ville-villennes-sur-seine.fr", "import_portail_famille"))
    upload = SimpleUploadedFile("familles.csv", b"famille_id;nom\n1;\x81\x8d\n", content_type="text/csv")
    response = client.post(IMPORT_URL, {"file": upload})
    assert response.status_code == 200
    assert "Le fichier n&#x27;est pas encodé en UTF-8" in response.content.decode()
