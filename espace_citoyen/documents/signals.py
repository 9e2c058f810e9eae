"""Remove a document's file from the private storage once its row is gone, whatever
deleted it (the owner, or the cascade of an account deletion)."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import Document


@receiver(post_delete, sender=Document, dispatch_uid="documents_delete_file")
def delete_document_file(sender, instance: Document, **kwargs):
    if instance.file:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(lambda: storage.delete(name))
