from django.core.files.storage import Storage, storages
from django.http import FileResponse, Http404

from .middleware import PRIVATE_CACHE_CONTROL


def private_storage() -> Storage:
    """The storage of citizens' files: outside MEDIA_ROOT, never served by a public URL.

    Passed as a callable to FileField(storage=...) so migrations do not freeze a path."""
    return storages["private"]


def private_file_response(field_file, *, content_type: str, filename: str = "", inline: bool = True):
    """A private file as an HTTP response: never cached, never content-sniffed. The caller
    has already checked who may see it (a scoped selector or a permission)."""

    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=not inline, filename=filename, content_type=content_type)
    if inline and not filename:
        response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = PRIVATE_CACHE_CONTROL  # also outside the private prefixes
    return response
