"""The Portail Famille import run in the background from the back office: LegacyImportRun,
services.legacy_import_enqueue / legacy_import_run, tasks.run_legacy_import, the progress
in the cache, the run page (progress, report, error) and the history on the upload page."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from tests.factories import make_staff as staff_user
from espace_citoyen.portail_famille import selectors
from espace_citoyen.portail_famille.models import LegacyImportRun, LegacyImportStatus
from espace_citoyen.portail_famille.parsing import ImportReport, RowError, count_data_rows
from espace_citoyen.portail_famille.services import families
from espace_citoyen.portail_famille.services import runs as services
from espace_citoyen.portail_famille.services import uploads
from espace_citoyen.portail_famille.tasks import run_legacy_import
from espace_citoyen.core.storage import private_storage
from espace_citoyen.family.models import Household

User = get_user_model()
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "portail_famille_sample.csv"
IMPORT_URL = "/admin/espace-citoyen/import-portail-famille/"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sample() -> bytes:
    return SAMPLE.read_bytes()


def importer(email="import.runs@ville-villennes-sur-seine.fr"):
    return staff_user(email, "import_portail_famille")


def upload(data, name="familles.csv"):
    return SimpleUploadedFile(name, data, content_type="text/csv")


def run_url(run) -> str:
    return reverse("portail_famille_import:run", args=[run.pk])


def generated_file(good_rows: int, bad_rows: int = 0) -> bytes:
    """A file of families without e-mail (no account, no mail), plus refused lines."""
    lines = SAMPLE.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0]
    template = next(line for line in lines[1:] if line.startswith("1043;"))
    body = [template.replace("1043;", f"T{9000 + index};", 1) for index in range(good_rows)]
    body += [template.replace("1043;", "identifiant invalide!;", 1) for _ in range(bad_rows)]
    return ("\n".join([header, *body]) + "\n").encode()


# --- legacy.py: JSON of the report ------------------------------------------------------


def test_report_round_trips_through_json():
    report = ImportReport(dry_run=True, created=3, updated=1, unchanged=2, failed=1, accounts_created=4,
                          accounts_updated=1, children_created=5, children_updated=2, parents_without_email=1,
                          errors=[RowError(0, "", "fichier vide."), RowError(7, "parent1_email", "adresse invalide.")],
                          changes=["ligne 3 (famille 12) : compte a@example.org créé"])
    data = report.to_dict()
    assert data["errors"][1] == {"line": 7, "column": "parent1_email", "message": "adresse invalide."}
    again = ImportReport.from_dict(data)
    assert again == report
    assert again.summary_lines() == report.summary_lines()
    assert again.error_lines == [0, 7]
    assert ImportReport.from_dict({}) == ImportReport()


def test_count_data_rows_counts_family_lines(sample):
    assert count_data_rows(sample) == 5
    assert count_data_rows(generated_file(3, 2)) == 5
    assert count_data_rows(b"") == 0
    assert count_data_rows("é".encode("latin-1")) == 0


# --- services and task --------------------------------------------------------------------


def test_enqueue_stores_the_file_privately_then_the_run_deletes_it(db, sample, django_capture_on_commit_callbacks):
    agent = importer()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = uploads.legacy_import_enqueue(data=sample, filename="familles 2025.csv", actor=agent, dry_run=True)
    run.refresh_from_db()
    stored = run.file.name
    assert run.status == LegacyImportStatus.QUEUED
    assert stored.startswith("imports-portail-famille/") and stored.endswith(".csv")
    assert "familles" not in stored
    assert private_storage().exists(stored)
    assert len(callbacks) == 1  # the task is enqueued only once the run is committed

    callbacks[0]()  # ImmediateBackend: the task runs now

    run.refresh_from_db()
    assert run.status == LegacyImportStatus.DONE
    assert run.created_by == agent and run.original_filename == "familles 2025.csv"
    assert (run.total_rows, run.done_rows) == (5, 5)
    assert run.started_at is not None and run.finished_at is not None
    assert not run.file
    assert not private_storage().exists(stored)
    assert cache.get(services.legacy_import_progress_key(run.pk)) is None


def test_background_report_equals_the_synchronous_one(db, sample, django_capture_on_commit_callbacks):
    expected = services.legacy_import_file(data=sample, actor=None, dry_run=True)
    with django_capture_on_commit_callbacks(execute=True):
        run = uploads.legacy_import_enqueue(data=sample, filename="familles.csv", actor=importer(), dry_run=True)
    run.refresh_from_db()
    assert run.report == expected.to_dict()
    assert ImportReport.from_dict(run.report).summary_lines() == expected.summary_lines()
    assert not Household.objects.filter(legacy_id="1042").exists()


def test_a_run_is_not_run_twice(db, sample, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = uploads.legacy_import_enqueue(data=sample, filename="familles.csv", actor=None, dry_run=True)
    run.refresh_from_db()
    finished_at = run.finished_at
    assert services.legacy_import_run(run_id=run.pk) is None
    assert run_legacy_import.call(run.pk) == ""
    run.refresh_from_db()
    assert run.finished_at == finished_at


def test_progress_is_published_in_the_cache_during_the_run(db, monkeypatch, django_capture_on_commit_callbacks):
    seen = []
    real_import = families.legacy_import

    def spying_import(**kwargs):
        progress = kwargs["progress"]

        def spy(done, total):
            progress(done, total)
            seen.append((done, cache.get(services.legacy_import_progress_key(run_id))))

        return real_import(**{**kwargs, "progress": spy})

    monkeypatch.setattr(families, "legacy_import", spying_import)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = uploads.legacy_import_enqueue(data=generated_file(44, 1), filename="f.csv", actor=None, dry_run=True)
    run_id = run.pk
    callbacks[0]()

    # Throttled every 20 rows (and the last one); the refused line counts as processed.
    assert seen[19] == (20, (21, 45))
    assert seen[39] == (40, (41, 45))
    assert seen[43] == (44, (45, 45))
    assert seen[20] == (21, (21, 45))  # not re-published between two steps
    run.refresh_from_db()
    assert (run.status, run.total_rows, run.done_rows) == (LegacyImportStatus.DONE, 45, 45)
    assert len(run.report["errors"]) == 1


def test_a_crash_marks_the_run_failed(db, sample, monkeypatch, django_capture_on_commit_callbacks):
    def crash(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(services, "legacy_import_file", crash)
    with django_capture_on_commit_callbacks(execute=True):
        run = uploads.legacy_import_enqueue(data=sample, filename="familles.csv", actor=None, dry_run=False)
    stored = run.file.name
    run.refresh_from_db()
    assert run.status == LegacyImportStatus.FAILED
    assert "erreur inattendue" in run.error_message and "rien n'a été enregistré" in run.error_message
    assert run.finished_at is not None
    assert not run.file and not private_storage().exists(stored)
    assert not LegacyImportRun.objects.filter(status=LegacyImportStatus.RUNNING).exists()
    assert cache.get(services.legacy_import_progress_key(run.pk)) is None


def test_progress_selector_reads_the_cache_only_while_running(db):
    run = LegacyImportRun.objects.create(status=LegacyImportStatus.RUNNING, total_rows=2000)
    assert selectors.legacy_import_progress(run) == (0, 2000)
    cache.set(services.legacy_import_progress_key(run.pk), (340, 2000))
    assert selectors.legacy_import_progress(run) == (340, 2000)
    run.status, run.done_rows = LegacyImportStatus.DONE, 2000
    assert selectors.legacy_import_progress(run) == (2000, 2000)


def test_runs_selector_newest_first_and_limited(db):
    runs = [LegacyImportRun.objects.create(original_filename=f"f{index}.csv") for index in range(12)]
    listed = selectors.legacy_import_runs(limit=10)
    assert [run.pk for run in listed] == [run.pk for run in reversed(runs)][:10]


# --- admin pages -----------------------------------------------------------------------


def test_upload_redirects_to_the_run_page_with_the_report(client, otp_login, db, sample,
                                                           django_capture_on_commit_callbacks):
    agent = importer()
    otp_login(client, agent)
    expected = services.legacy_import_file(data=sample, actor=None, dry_run=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(IMPORT_URL, {"file": upload(sample, "export.csv")})
    run = LegacyImportRun.objects.get(created_by=agent)
    assert response.status_code == 302 and response.url == run_url(run)
    assert run.dry_run is False and run.original_filename == "export.csv"

    response = client.get(response.url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Import lancé : export.csv" in page
    assert "Compte rendu de l'import" in page
    for line in expected.summary_lines()[1:]:  # the same counts as the synchronous import (without "Simulation")
        assert escape(line) in page
    assert "31/02/2016" in page  # a refused line, with its message
    assert "familles traitées sur" not in page and "import-run-refresh" not in page

    run.refresh_from_db()
    assert (run.status, run.total_rows, run.done_rows) == (LegacyImportStatus.DONE, 5, 5)
    assert not run.file
    assert Household.objects.filter(legacy_id="1042").exists()
    assert len(mail.outbox) == 4


def test_dry_run_upload_writes_no_family(client, otp_login, db, sample, django_capture_on_commit_callbacks):
    otp_login(client, importer())
    households = Household.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(IMPORT_URL, {"file": upload(sample), "dry_run": "on"})
    page = client.get(response.url).content.decode()
    assert "Simulation lancée : familles.csv" in page
    assert "Résultat de la simulation" in page and "Simulation terminée" not in page  # the sample has errors
    assert "Import terminé avec des erreurs" in page
    assert Household.objects.count() == households
    assert mail.outbox == []
    assert LegacyImportRun.objects.get().dry_run is True


def test_failed_run_page_shows_the_french_message(client, otp_login, db, sample, monkeypatch,
                                                  django_capture_on_commit_callbacks):
    def crash(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "legacy_import_file", crash)
    otp_login(client, importer())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(IMPORT_URL, {"file": upload(sample)})
    page = client.get(response.url).content.decode()
    assert "Échec" in page
    assert "L&#x27;import s&#x27;est arrêté sur une erreur inattendue" in page
    assert "boom" not in page
    assert "import-run-refresh" not in page
    assert not LegacyImportRun.objects.filter(status=LegacyImportStatus.RUNNING).exists()


def test_running_run_page_shows_progress_then_the_report(client, otp_login, db):
    otp_login(client, importer())
    run = LegacyImportRun.objects.create(status=LegacyImportStatus.RUNNING, total_rows=2000,
                                         original_filename="grand.csv", dry_run=False)
    cache.set(services.legacy_import_progress_key(run.pk), (340, 2000))
    page = client.get(run_url(run)).content.decode()
    assert "Import en cours : 340 familles traitées sur 2\xa0000" in page
    assert '<progress aria-labelledby="import-progress-label" max="2000" value="340">' in page
    assert 'id="import-run-refresh"' in page and "3000" in page
    assert "data-import-running" in page

    queued = LegacyImportRun.objects.create(status=LegacyImportStatus.QUEUED, dry_run=True)
    page = client.get(run_url(queued)).content.decode()
    assert "Simulation en cours : 0 familles traitées sur 0" in page and "attend son tour" in page
    assert 'id="import-run-refresh"' in page

    report = ImportReport(created=2000)
    run.status, run.report, run.done_rows = LegacyImportStatus.DONE, report.to_dict(), 2000
    run.save()
    page = client.get(run_url(run)).content.decode()
    assert "familles traitées sur" not in page
    assert 'id="import-run-refresh"' not in page and "data-import-running" not in page
    assert "Familles : 2000 créée(s)" in page and "Import terminé." in page


def test_a_run_silent_for_an_hour_is_closed_and_its_file_deleted(client, otp_login, db):
    """A worker killed mid-run (deploy, out of memory) leaves the run "running" with the
    families' CSV on disk: after an hour the pages (and the nightly command) close it and
    delete the file; the page says what happened and stops refreshing."""
    import datetime
    from io import StringIO

    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from django.utils import timezone

    otp_login(client, importer())
    run = LegacyImportRun.objects.create(status=LegacyImportStatus.RUNNING, total_rows=2000, dry_run=False,
                                         started_at=timezone.now() - datetime.timedelta(minutes=50))
    run.file.save("import.csv", ContentFile(b"famille_id;..."), save=True)
    stored = run.file.name
    page = client.get(run_url(run)).content.decode()
    assert "interrompu" not in page and 'id="import-run-refresh"' in page
    LegacyImportRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - datetime.timedelta(minutes=70))
    page = client.get(run_url(run)).content.decode()
    assert "Cet import a été interrompu (redémarrage du serveur)" in page.replace("&#x27;", "'")
    assert 'id="import-run-refresh"' not in page and "data-import-running" not in page
    run.refresh_from_db()
    assert run.status == LegacyImportStatus.FAILED and not run.file
    assert not run.file.storage.exists(stored)

    queued = LegacyImportRun.objects.create(dry_run=True)
    queued.file.save("import.csv", ContentFile(b"x"), save=True)
    LegacyImportRun.objects.filter(pk=queued.pk).update(created_at=timezone.now() - datetime.timedelta(hours=3))
    out = StringIO()
    call_command("close_stalled_imports", stdout=out)
    assert "1 import(s) interrompu(s) clos." in out.getvalue()
    queued.refresh_from_db()
    assert queued.status == LegacyImportStatus.FAILED and not queued.file


def test_index_lists_the_last_runs(client, otp_login, db):
    agent = importer()
    other = staff_user("autre.agent@ville-villennes-sur-seine.fr", "import_portail_famille")
    other.first_name, other.last_name = "Camille", "Lefort"
    other.save()
    done = LegacyImportRun.objects.create(created_by=agent, dry_run=True, status=LegacyImportStatus.DONE,
                                          total_rows=5, done_rows=5, original_filename="mars.csv",
                                          report=ImportReport(dry_run=True, errors=[RowError(3, "", "x")]).to_dict())
    failed = LegacyImportRun.objects.create(created_by=other, dry_run=False, status=LegacyImportStatus.FAILED,
                                            total_rows=12, original_filename="avril.csv")
    otp_login(client, agent)
    page = client.get(IMPORT_URL).content.decode()
    assert "Derniers imports" in page
    assert f'href="{run_url(done)}"' in page and f'href="{run_url(failed)}"' in page
    assert "mars.csv" in page and "avril.csv" in page
    assert "Simulation" in page and "Terminé" in page and "Échec" in page
    assert agent.email in page and "Camille Lefort" in page
    assert "5 sur 5" in page and "0 sur 12" in page
    assert page.index("avril.csv") < page.index("mars.csv")  # newest first


def test_index_without_runs(client, otp_login, db):
    otp_login(client, importer())
    assert "Aucun import pour l'instant." in client.get(IMPORT_URL).content.decode()


# --- permissions --------------------------------------------------------------------------


def test_without_the_permission_every_page_is_denied(client, otp_login, db, sample,
                                                      django_capture_on_commit_callbacks):
    run = LegacyImportRun.objects.create(status=LegacyImportStatus.DONE, report=ImportReport(created=1).to_dict())
    otp_login(client, staff_user("sans.droit@ville-villennes-sur-seine.fr"))
    home = reverse("wagtailadmin_home")

    response = client.get(IMPORT_URL)
    assert response.status_code == 302 and response.url == home
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(IMPORT_URL, {"file": upload(sample)})
    assert response.status_code == 302 and response.url == home
    assert LegacyImportRun.objects.count() == 1
    response = client.get(run_url(run))
    assert response.status_code == 302 and response.url == home


def test_anonymous_is_sent_to_the_login(client, db):
    run = LegacyImportRun.objects.create()
    for url in (IMPORT_URL, run_url(run)):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response.url


def test_another_agent_with_the_permission_sees_any_run(client, otp_login, db):
    author = importer("auteur.import@ville-villennes-sur-seine.fr")
    run = LegacyImportRun.objects.create(created_by=author, status=LegacyImportStatus.DONE,
                                         report=ImportReport(created=7).to_dict(), total_rows=7, done_rows=7)
    otp_login(client, importer("collegue.import@ville-villennes-sur-seine.fr"))
    response = client.get(run_url(run))
    assert response.status_code == 200
    assert "Familles : 7 créée(s)" in response.content.decode()
    assert client.get(reverse("portail_famille_import:run", args=[run.pk + 1000])).status_code == 404
