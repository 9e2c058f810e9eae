from django.core.files.storage import Storage, storages


def private_storage() -> Storage:
    """The storage of citizens' files: outside MEDIA_ROOT, never served by a public URL.

    Passed as a callable to FileField(storage=...) so migrations do not freeze a path."""
    return storages["private"]
