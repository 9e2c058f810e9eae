"""Import of the former Portail Famille: CSV parsing (portail_famille/parsing.py), the write
service (services.legacy_import), the management command and the admin upload form."""

import io
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.factories import make_staff as staff_user
from espace_citoyen.portail_famille.parsing import parse_portail_famille
from espace_citoyen.portail_famille.services import families as services
from espace_citoyen.accounts.models import AccountEvent, AccountEventKind, AccountStatus
from espace_citoyen.family.models import Child, Household, Membership

User = get_user_model()
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "portail_famille_sample.csv"
IMPORT_URL = "/admin/espace-citoyen/import-portail-famille/"


@pytest.fixture
def sample() -> bytes:
    return SAMPLE.read_bytes()


def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8-sig")


def imported_users():
    return User.objects.exclude(legacy_key=None)


def run_import(data, *, dry_run=False, actor=None, capture=None):
    with capture(execute=True):
        return services.legacy_import_file(data=data, actor=actor, dry_run=dry_run)


def state():
    """Everything the import may write, to compare before and after."""
    return (
        list(Household.objects.order_by("pk").values_list("pk", "legacy_id", "updated_at")),
        list(Child.objects.order_by("pk").values_list("pk", "legacy_id", "first_name", "school_class", "updated_at")),
        list(imported_users().order_by("pk").values_list("legacy_key", "email", "first_name", "status")),
        AccountEvent.objects.count(),
        Membership.objects.count(),
    )


# --- parsing -----------------------------------------------------------------------------


def test_sample_parses_with_one_bad_row():
    result = parse_portail_famille(SAMPLE.read_bytes())
    assert [row.legacy_id for row in result.rows] == ["1042", "1043", "1045", "1046"]
    assert result.total_lines == 5
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.line, error.column) == (4, "enfant1_naissance")
    assert "31/02/2016" in error.message and "JJ/MM/AAAA" in error.message
    martin = result.rows[0]
    assert [p.email for p in martin.parents] == ["julien.martin@example.org", "claire.martin@example.org"]
    assert martin.parents[1].phone_mobile == "06 98 76 54 32"
    assert martin.children[1].last_name == "Martin"  # empty child name: the first parent's


def replace_in_sample(old, new):
    text = sample_text()
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "column", "words"),
    [
        ("julien.martin@example.org", "julien.martin@", "parent1_email", "adresse e-mail"),
        (";M.;Martin;", ";Docteur;Martin;", "parent1_civilite", "civilité « Docteur » inconnue"),
        ("1045;", ";", "famille_id", "identifiant de famille manquant"),
        ("1045;", "1042;", "famille_id", "déjà présent ligne 2"),
        ("anne.petit@example.org", "luc.bernard@example.org", "parent1_email", "autre famille"),
        ("01 39 75 22 22", "pas de téléphone", "parent1_tel_domicile", "téléphone"),
        ("78670;Villennes-sur-Seine;Inès", "7867;Villennes-sur-Seine;Inès", "code_postal", "5 chiffres"),
    ],
)
def test_bad_values_give_french_errors_with_line_and_column(old, new, column, words):
    result = parse_portail_famille(replace_in_sample(old, new))
    messages = [str(error) for error in result.errors if error.column == column]
    assert messages, [str(error) for error in result.errors]
    assert any(words in message for message in messages), messages
    assert len(result.rows) == 3  # the bad row and line 4 are left out, the others stay


def test_missing_columns_and_wrong_encoding_reject_the_file():
    result = parse_portail_famille("famille_id,parent1_nom\n1,Martin\n")
    assert result.is_unreadable and "colonnes manquantes" in result.errors[0].message
    # Neither UTF-8 nor Windows-1252 (UTF-16: NUL bytes): refused with the same message as before.
    result = parse_portail_famille(sample_text().encode("utf-16"))
    assert result.is_unreadable
    assert result.errors[0].message == "le fichier n'est pas encodé en UTF-8 ; enregistrez-le en « CSV UTF-8 »."


# --- import ------------------------------------------------------------------------------


def test_import_creates_households_accounts_and_children(db, sample, django_capture_on_commit_callbacks):
    report = run_import(sample, capture=django_capture_on_commit_callbacks)

    assert (report.created, report.updated, report.unchanged, report.failed) == (4, 0, 0, 1)
    assert [(e.line, e.column) for e in report.errors] == [(4, "enfant1_naissance")]
    assert not Household.objects.filter(legacy_id="1044").exists()
    assert report.accounts_created == 4 and report.children_created == 7 and report.parents_without_email == 2

    # Papa et maman: one account each, in the same household.
    martin = Household.objects.get(legacy_id="1042")
    julien, claire = User.objects.get(legacy_key="1042-1"), User.objects.get(legacy_key="1042-2")
    assert {m.user for m in martin.memberships.all()} == {julien, claire}
    assert claire.email == "claire.martin@example.org"
    for user in (julien, claire):
        assert user.status == AccountStatus.TO_ACTIVATE
        assert not user.has_usable_password()
        assert user.activation_sent_at is not None
        kinds = set(user.account_events.values_list("kind", flat=True))
        assert kinds == {AccountEventKind.IMPORTED, AccountEventKind.ACTIVATION_SENT}
    assert julien.profile.civility == "m" and julien.profile.phone_home == "01 39 75 12 34"
    assert claire.profile.street == "rue du Général-de-Gaulle" and claire.profile.postcode == "78670"
    assert sorted(martin.children.values_list("legacy_id", "first_name", "school_class")) == [
        ("1042-1", "Léa", "CE2"), ("1042-2", "Hugo", "MS"),
    ]

    # A parent without e-mail: no account, but the family and the children exist.
    durand = Household.objects.get(legacy_id="1043")
    assert durand.memberships.count() == 0
    assert list(durand.children.values_list("first_name", flat=True)) == ["Inès"]
    assert not User.objects.filter(legacy_key__in=["1043-1", "1045-2"]).exists()

    # One activation e-mail per new account, with a link and no password.
    assert sorted(message.to[0] for message in mail.outbox) == [
        "anne.petit@example.org", "claire.martin@example.org", "julien.martin@example.org", "luc.bernard@example.org",
    ]
    body = next(m.body for m in mail.outbox if m.to == ["claire.martin@example.org"])
    assert "/espace-citoyen/activer/" in body and "claire.martin@example.org" in body
    assert "mot de passe" in body and "14 jours" in body


def test_running_the_same_file_again_changes_nothing(db, sample, django_capture_on_commit_callbacks):
    run_import(sample, capture=django_capture_on_commit_callbacks)
    before = state()
    mail.outbox.clear()

    report = run_import(sample, capture=django_capture_on_commit_callbacks)

    assert (report.created, report.updated, report.unchanged, report.failed) == (0, 0, 4, 1)
    assert report.accounts_created == report.accounts_updated == report.children_created == 0
    assert state() == before
    assert mail.outbox == []


def test_changed_row_updates_only_what_changed(db, sample, django_capture_on_commit_callbacks):
    run_import(sample, capture=django_capture_on_commit_callbacks)
    mail.outbox.clear()
    events_before = AccountEvent.objects.count()
    bernard_before = Household.objects.get(legacy_id="1046").children.values_list("updated_at", flat=True)
    bernard_before = sorted(bernard_before)
    changed = sample_text().replace("CE2;Hugo", "CM1;Hugo").replace("01 39 75 12 34", "01 39 75 99 99")

    report = run_import(changed, capture=django_capture_on_commit_callbacks)

    assert (report.created, report.updated, report.unchanged) == (0, 1, 3)
    assert report.children_updated == 1 and report.accounts_updated == 1
    assert Child.objects.get(legacy_id="1042-1").school_class == "CM1"
    julien = User.objects.get(legacy_key="1042-1")
    assert julien.profile.phone_home == "01 39 75 99 99"
    # One IMPORT_UPDATED per account of the family, listing the changes; nothing else.
    assert AccountEvent.objects.count() == events_before + 2
    updated = AccountEvent.objects.filter(kind=AccountEventKind.IMPORT_UPDATED)
    assert {e.user.legacy_key for e in updated} == {"1042-1", "1042-2"}
    assert all("CE2 → CM1" in e.comment for e in updated)
    assert sorted(Household.objects.get(legacy_id="1046").children.values_list("updated_at", flat=True)) == bernard_before
    assert mail.outbox == []


def test_dry_run_writes_nothing_and_sends_nothing(db, sample, django_capture_on_commit_callbacks):
    before = state()
    users_before = User.objects.count()

    report = run_import(sample, dry_run=True, capture=django_capture_on_commit_callbacks)

    assert report.dry_run
    assert (report.created, report.failed, report.accounts_created) == (4, 1, 4)
    assert any("compte claire.martin@example.org créé" in change for change in report.changes)
    assert state() == before and User.objects.count() == users_before
    assert mail.outbox == []


def test_existing_citizen_account_is_not_hijacked(db, sample, django_capture_on_commit_callbacks):
    """The family waits in "Familles à rapprocher" (test_reconciliation.py): nothing of it is
    imported, the account is left as it is (only its history says so)."""
    citizen = User.objects.create_user("claire.martin@example.org", password="un-Mot-de-passe-42", first_name="Claire")

    report = run_import(sample, capture=django_capture_on_commit_callbacks)

    assert [(e.line, e.column) for e in report.errors] == [(4, "enfant1_naissance")]
    assert report.queued == 1 and "famille 1042" in report.queued_lines[0]
    citizen.refresh_from_db()
    assert citizen.legacy_key is None and citizen.status == AccountStatus.ACTIVE
    assert citizen.check_password("un-Mot-de-passe-42")
    assert list(citizen.account_events.values_list("kind", flat=True)) == [AccountEventKind.LEGACY_MATCHED]
    assert not User.objects.filter(legacy_key="1042-1").exists()
    assert not Household.objects.filter(legacy_id="1042").exists()
    assert not {"claire.martin@example.org", "julien.martin@example.org"} & {m.to[0] for m in mail.outbox}


def test_an_address_of_another_imported_family_is_still_an_error(db, sample, django_capture_on_commit_callbacks):
    run_import(sample, capture=django_capture_on_commit_callbacks)
    changed = sample_text().replace("luc.bernard@example.org", "anne.petit@example.org")
    report = run_import(changed, capture=django_capture_on_commit_callbacks)
    # Within one file, the parser refuses the line; across files, the import does, for that parent.
    assert (6, "parent1_email") in [(e.line, e.column) for e in report.errors]
    other_file = "\n".join(line for line in changed.splitlines() if not line.startswith("1045;"))
    report = run_import(other_file, capture=django_capture_on_commit_callbacks)
    assert [(e.line, e.column) for e in report.errors if e.line == 5] == [(5, "parent1_email")]
    assert "d'une autre famille du Portail Famille" in report.errors[-1].message
    assert report.queued == 0


def test_a_row_failing_at_save_is_rolled_back_alone(db, sample, django_capture_on_commit_callbacks):
    from django.db import DatabaseError

    from espace_citoyen.accounts.models import Profile

    real_create = Profile.objects.create

    def create(**kwargs):
        if kwargs["user"].email == "anne.petit@example.org":
            raise DatabaseError("disque plein")
        return real_create(**kwargs)

    with mock.patch.object(Profile.objects, "create", side_effect=create):
        report = run_import(sample, capture=django_capture_on_commit_callbacks)

    assert (report.created, report.failed) == (3, 2)
    assert [(e.line, e.column) for e in report.errors] == [(4, "enfant1_naissance"), (5, "")]
    assert "erreur à l'enregistrement" in report.errors[1].message
    assert not Household.objects.filter(legacy_id="1045").exists()
    assert not User.objects.filter(email="anne.petit@example.org").exists()
    assert Household.objects.filter(legacy_id="1046").exists()
    assert "anne.petit@example.org" not in [m.to[0] for m in mail.outbox]


# --- command -----------------------------------------------------------------------------


def test_command_shows_progress_and_report(db, django_capture_on_commit_callbacks):
    stdout, stderr = io.StringIO(), io.StringIO()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CommandError) as excinfo:
        call_command("import_portail_famille", str(SAMPLE), "--progress-every", "2", stdout=stdout, stderr=stderr)

    assert "1 ligne(s) en erreur" in str(excinfo.value)
    assert "2/4 familles traitées" in stderr.getvalue() and "4/4 familles traitées" in stderr.getvalue()
    out = stdout.getvalue()
    assert "Familles : 4 créée(s), 0 mise(s) à jour, 0 inchangée(s), 1 ligne(s) refusée(s)." in out
    assert "ligne 4, colonne « enfant1_naissance »" in out
    assert Household.objects.filter(legacy_id__in=["1042", "1043", "1045", "1046"]).count() == 4


def test_command_dry_run_lists_changes(db, django_capture_on_commit_callbacks, tmp_path):
    good = tmp_path / "familles.csv"
    good.write_text("\n".join(line for line in sample_text().splitlines() if not line.startswith("1044;")) + "\n")
    stdout = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_portail_famille", str(good), "--dry-run", stdout=stdout, stderr=io.StringIO())

    out = stdout.getvalue()
    assert "Simulation : rien n'a été enregistré ni envoyé." in out
    assert "compte julien.martin@example.org créé" in out
    assert not Household.objects.filter(legacy_id="1042").exists()
    assert mail.outbox == []


def test_command_refuses_a_missing_file(db):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("import_portail_famille", "/nulle/part.csv", stdout=io.StringIO())


# --- admin upload form -------------------------------------------------------------------


def upload(data, name="familles.csv"):
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_import_page_needs_the_permission(client, otp_login, db):
    otp_login(client, staff_user("agent@ville-villennes-sur-seine.fr"))
    response = client.get(IMPORT_URL)
    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    response = client.post(IMPORT_URL, {"file": upload(SAMPLE.read_bytes())})
    assert response.status_code == 302
    assert not Household.objects.filter(legacy_id="1042").exists()


def test_import_page_with_permission(client, otp_login, db, sample, django_capture_on_commit_callbacks):
    agent = staff_user("scolaire@ville-villennes-sur-seine.fr", "import_portail_famille")
    otp_login(client, agent)
    response = client.get(IMPORT_URL)
    assert response.status_code == 200
    assert "Importer le Portail Famille" in response.content.decode()

    # The import runs in the background (ImmediateBackend in tests: at commit time); the
    # form redirects to the run page, which shows the report once done.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(IMPORT_URL, {"file": upload(sample), "dry_run": "on"})
    assert response.status_code == 302 and response.url.startswith(IMPORT_URL) and response.url != IMPORT_URL
    response = client.get(response.url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Résultat de la simulation" in page and "31/02/2016" in page
    assert not Household.objects.filter(legacy_id="1042").exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(IMPORT_URL, {"file": upload(sample)})
    page = client.get(response.url).content.decode()
    assert "Compte rendu de l&#x27;import" in page or "Compte rendu de l'import" in page
    assert "4 créée(s)" in page
    assert Household.objects.filter(legacy_id="1042").exists()
    assert len(mail.outbox) == 4
    assert User.objects.get(legacy_key="1042-1").account_events.get(kind=AccountEventKind.IMPORTED).actor == agent


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"a" * (5 * 1024 * 1024 + 1), "familles.csv", "dépasse 5 Mo"),
        (b"famille_id;parent1_nom\n", "familles.xlsx", "format CSV"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "familles.csv", "pas un CSV texte"),
        ("famille_id;nom\n1;Hélène\n".encode("latin-1") + b"\x81", "familles.csv", "pas encodé en UTF-8"),
    ],
)
def test_import_page_refuses_bad_files_with_french_messages(client, otp_login, db, data, name, message):
    otp_login(client, staff_user("scolaire@ville-villennes-sur-seine.fr", "import_portail_famille"))
    response = client.post(IMPORT_URL, {"file": upload(data, name)})
    assert response.status_code == 200
    assert message in response.content.decode()
