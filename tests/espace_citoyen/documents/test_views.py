import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from espace_citoyen.accounts.models import AccountStatus
from espace_citoyen.documents.models import Document, DocumentType

from espace_citoyen.core.formats import format_size
from tests.factories import add_documents

from .conftest import _citizen, make_pdf, make_png

OBJECT_URLS = ["documents:detail", "documents:download", "documents:inline", "documents:edit", "documents:delete"]


def _post_upload(client, content: bytes, name: str = "fichier.pdf", **extra):
    data = {"file": SimpleUploadedFile(name, content), "doc_type": DocumentType.TAX_NOTICE,
            "label": "Mon avis d'imposition", "valid_until": "", **extra}
    return client.post(reverse("documents:upload"), data)


# --- Access ---------------------------------------------------------------------------


def test_login_required_for_every_vault_url(client, owner, upload):
    document = upload(owner)
    urls = [reverse("documents:list"), reverse("documents:upload"), reverse("documents:transmit")]
    urls += [reverse(name, args=[document.pk]) for name in OBJECT_URLS]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/espace-citoyen/connexion/"), url


@pytest.mark.parametrize("name", OBJECT_URLS)
def test_owner_reaches_each_document_url(client, owner, upload, name):
    document = upload(owner)
    client.force_login(owner)
    assert client.get(reverse(name, args=[document.pk])).status_code == 200


@pytest.mark.parametrize("name", OBJECT_URLS)
def test_other_household_gets_404_on_each_document_url(client, owner, other, upload, name):
    document = upload(owner)
    client.force_login(other)
    url = reverse(name, args=[document.pk])
    assert client.get(url).status_code == 404
    if name in ("documents:edit", "documents:delete"):
        response = client.post(url, {"label": "Piraté", "doc_type": DocumentType.OTHER})
        assert response.status_code == 404
    document.refresh_from_db()
    assert document.label == "Attestation CAF"


def test_other_household_cannot_transmit_someone_elses_document(client, owner, other, upload):
    document = upload(owner)
    upload(other, label="Mon propre document")
    client.force_login(other)
    response = client.post(reverse("documents:transmit"), {"documents": [document.pk], "service": "population"})
    assert response.status_code == 200
    assert "Ce document ne fait pas partie de votre espace." in response.content.decode()
    assert not other.demarches.exists()


def test_list_shows_only_my_documents_and_quota(client, owner, other, upload):
    upload(owner, label="Mon attestation")
    upload(other, label="Document de quelqu'un d'autre")
    client.force_login(owner)
    response = client.get(reverse("documents:list"))
    html = response.content.decode()
    assert "Mon attestation" in html
    assert "Document de quelqu&#x27;un d&#x27;autre" not in html and "quelqu'un d'autre" not in html
    assert "utilisés sur 200 Mo" in html
    assert "<meter" in html


def test_empty_state_and_type_filter(client, owner, upload):
    client.force_login(owner)
    assert "Votre coffre-fort est vide" in client.get(reverse("documents:list")).content.decode()
    upload(owner, label="Attestation CAF 2026", doc_type=DocumentType.CAF_CERTIFICATE)
    upload(owner, label="Certificat du médecin", doc_type=DocumentType.MEDICAL_CERTIFICATE)
    html = client.get(reverse("documents:list"), {"type": DocumentType.MEDICAL_CERTIFICATE}).content.decode()
    assert "Certificat du médecin" in html
    assert "Attestation CAF 2026" not in html
    html = client.get(reverse("documents:list"), {"type": DocumentType.TAX_NOTICE}).content.decode()
    assert "Aucun document de ce type." in html


def test_list_counts_pages_and_quota_with_and_without_a_filter(client, owner, other, upload,
                                                                django_assert_num_queries):
    """The vault's number of documents and size are read in one query, which also gives the
    unfiltered list its count; a filter counts its own documents, the quota stays the vault's."""
    add_documents(owner, 21)  # type "Autre"; 20 rows a page
    upload(owner, label="Certificat du médecin", doc_type=DocumentType.MEDICAL_CERTIFICATE)
    add_documents(other, 3)
    quota_line = f"{format_size(sum(d.size for d in Document.objects.filter(owner=owner)))} utilisés sur 200 Mo"
    client.force_login(owner)
    client.get(reverse("documents:list"))  # warm-up: session, site, settings

    with django_assert_num_queries(4):  # the session (in the database in tests), the user, the totals, the page
        html = client.get(reverse("documents:list")).content.decode()
    assert "Tous mes documents (22)" in html
    assert html.count('<th scope="row">') == 20
    assert quota_line in html

    html = client.get(reverse("documents:list"), {"page": 2}).content.decode()
    assert "Tous mes documents (22)" in html
    assert html.count('<th scope="row">') == 2
    assert "Page 2 sur 2" in html

    html = client.get(reverse("documents:list"), {"type": DocumentType.MEDICAL_CERTIFICATE}).content.decode()
    assert "Documents de type « Certificat médical » (1)" in html
    assert html.count('<th scope="row">') == 1 and "Certificat du médecin" in html
    assert quota_line in html


def test_pending_account_may_use_the_vault(client, db):
    pending = _citizen("en.attente@example.fr", status=AccountStatus.PENDING)
    client.force_login(pending)
    response = _post_upload(client, make_pdf())
    assert response.status_code == 302
    assert Document.objects.filter(owner=pending).count() == 1


# --- Upload validation ------------------------------------------------------------------


def test_upload_pdf_stores_it_privately_under_a_random_name(client, owner):
    client.force_login(owner)
    response = _post_upload(client, make_pdf(), name="../../Avis d'impôt <2025>.pdf")
    assert response.status_code == 302
    document = Document.objects.get(owner=owner)
    assert document.content_type == "application/pdf"
    assert document.original_filename == "Avis d_impôt _2025.pdf"
    assert document.file.name.startswith(f"documents/{owner.pk}/")
    assert "Avis" not in document.file.name
    assert document.file.storage.exists(document.file.name)


def test_upload_png_is_accepted_whatever_its_name(client, owner):
    client.force_login(owner)
    assert _post_upload(client, make_png(), name="scan.pdf").status_code == 302
    document = Document.objects.get(owner=owner)
    assert document.content_type == "image/png"
    assert document.original_filename == "scan.png"


def test_renamed_exe_is_refused_and_typed_fields_are_kept(client, owner):
    client.force_login(owner)
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
    response = _post_upload(client, exe, name="attestation.pdf", label="Mon étiquette à garder")
    html = response.content.decode()
    assert response.status_code == 200
    assert "n&#x27;est pas au format PDF, JPEG ou PNG" in html
    assert 'value="Mon étiquette à garder"' in html
    assert '<option value="tax_notice" selected>' in html
    assert 'id="id_file_error"' in html
    assert not Document.objects.filter(owner=owner).exists()


def test_text_file_named_png_is_refused(client, owner):
    client.force_login(owner)
    response = _post_upload(client, b"<html><script>alert(1)</script></html>", name="photo.png")
    assert "pas au format PDF, JPEG ou PNG" in response.content.decode().replace("&#x27;", "'")
    assert not Document.objects.exists() or not Document.objects.filter(owner=owner).exists()


def test_eleven_megabytes_is_refused(client, owner):
    client.force_login(owner)
    big = make_pdf() + b"%" + b"0" * (11 * 1024 * 1024)
    response = _post_upload(client, big)
    assert response.status_code == 200
    assert "la taille maximale est de 10 Mo" in response.content.decode()
    assert not Document.objects.filter(owner=owner).exists()


def test_over_quota_is_refused(client, owner, upload, settings):
    first = upload(owner, content=make_pdf("x" * 10))
    settings.ESPACE_CITOYEN_VAULT_QUOTA_BYTES = first.size + 100
    client.force_login(owner)
    response = _post_upload(client, make_pdf("second"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Votre espace de stockage est presque plein" in html
    assert Document.objects.filter(owner=owner).count() == 1


def test_encrypted_pdf_is_refused(client, owner):
    client.force_login(owner)
    response = _post_upload(client, make_pdf(encrypt="secret"))
    assert "Ce PDF est protégé par un mot de passe" in response.content.decode()
    assert not Document.objects.filter(owner=owner).exists()


def test_broken_pdf_is_refused(client, owner):
    client.force_login(owner)
    response = _post_upload(client, b"%PDF-1.4\n garbage without any object")
    assert "Ce PDF est illisible ou endommagé" in response.content.decode()


def test_missing_fields_give_french_errors(client, owner):
    client.force_login(owner)
    response = client.post(reverse("documents:upload"), {"label": "", "doc_type": ""})
    html = response.content.decode()
    assert "Choisissez le fichier à ajouter." in html
    assert "Choisissez le type de document." in html
    assert "Donnez un nom à ce document." in html


# --- Serving ----------------------------------------------------------------------------


def test_download_headers(client, owner, upload):
    document = upload(owner, name="Relevé d'été.pdf")
    client.force_login(owner)
    response = client.get(reverse("documents:download", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''Relev%C3%A9%20d_%C3%A9t%C3%A9.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_inline_preview_is_sandboxed(client, owner, upload):
    document = upload(owner, content=make_png(), name="photo.png")
    client.force_login(owner)
    response = client.get(reverse("documents:inline", args=[document.pk]))
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Type"] == "image/png"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response["Cache-Control"] == "private, no-store"
    detail = client.get(reverse("documents:detail", args=[document.pk])).content.decode()
    assert f'src="{reverse("documents:inline", args=[document.pk])}"' in detail


def test_private_storage_path_is_not_served(client, owner, upload, settings):
    document = upload(owner)
    client.force_login(owner)
    for url in (f"{settings.MEDIA_URL}{document.file.name}", f"/media/private/{document.file.name}",
                f"/{document.file.name}", f"/espace-citoyen/documents/{document.file.name}"):
        response = client.get(url)
        assert response.status_code == 404, url
    # Whatever URL the storage would build, nothing answers there.
    assert client.get(document.file.url).status_code == 404


# --- Edit, delete, expiry ------------------------------------------------------------------


def test_rename_keeps_file_and_rearms_reminder(client, owner, upload):
    document = upload(owner, valid_until=timezone.localdate() + datetime.timedelta(days=5))
    Document.objects.filter(pk=document.pk).update(expiry_reminder_sent_at=timezone.now())
    client.force_login(owner)
    response = client.post(reverse("documents:edit", args=[document.pk]),
                           {"label": "Nouveau nom", "doc_type": DocumentType.OTHER, "valid_until": "31/12/2030"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.label, document.doc_type, document.valid_until) == ("Nouveau nom", "other", datetime.date(2030, 12, 31))
    assert document.expiry_reminder_sent_at is None


def test_rename_error_keeps_typed_values(client, owner, upload):
    document = upload(owner)
    client.force_login(owner)
    response = client.post(reverse("documents:edit", args=[document.pk]),
                           {"label": "Texte gardé", "doc_type": "", "valid_until": "32/13/2026"})
    html = response.content.decode()
    assert "Choisissez le type de document." in html
    assert "Saisissez une date valide" in html
    assert 'value="Texte gardé"' in html


def test_delete_asks_confirmation_then_removes_file(client, owner, upload, django_capture_on_commit_callbacks):
    document = upload(owner)
    storage, name = document.file.storage, document.file.name
    client.force_login(owner)
    assert "Supprimer définitivement" in client.get(reverse("documents:delete", args=[document.pk])).content.decode()
    assert Document.objects.filter(pk=document.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("documents:delete", args=[document.pk]))
    assert response.status_code == 302
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not storage.exists(name)


def test_expiry_flags_in_list(client, owner, upload):
    today = timezone.localdate()
    upload(owner, label="Périmé", valid_until=today - datetime.timedelta(days=1))
    upload(owner, label="Bientôt", valid_until=today + datetime.timedelta(days=30))
    upload(owner, label="Tranquille", valid_until=today + datetime.timedelta(days=31))
    client.force_login(owner)
    html = client.get(reverse("documents:list")).content.decode()
    rows = {label: html.split(label, 1)[1].split("</tr>", 1)[0] for label in ("Périmé", "Bientôt", "Tranquille")}
    assert "Expiré" in rows["Périmé"]
    assert "Expire bientôt" in rows["Bientôt"]
    assert "Expir" not in rows["Tranquille"]
