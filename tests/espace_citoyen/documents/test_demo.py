from django.contrib.auth.models import Group

from espace_citoyen.documents import demo
from espace_citoyen.documents.models import Document, ExpiryState


class _Null:
    def write(self, *args, **kwargs):
        pass


def test_demo_parent_has_documents_and_seed_is_idempotent(db):
    documents = Document.objects.filter(owner__email=demo.DEMO_OWNER_EMAIL)
    assert documents.count() == 3
    assert {d.content_type for d in documents} == {"application/pdf", "image/jpeg"}
    assert any(d.expiry_state() == ExpiryState.EXPIRING for d in documents)
    for document in documents:
        assert document.file.storage.exists(document.file.name)
    assert documents.filter(transmissions__service="scolaire").count() == 1
    demo.seed(stdout=_Null())
    assert Document.objects.filter(owner__email=demo.DEMO_OWNER_EMAIL).count() == 3
    assert set(Group.objects.filter(name__in=["Pôle scolaire", "Régie", "Relations population"])
               .values_list("name", flat=True)) == {"Pôle scolaire", "Régie", "Relations population"}
