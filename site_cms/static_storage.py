"""The static files' storage: WhiteNoise's compressed manifest storage, whose URLs are
remembered by the process (issue 14).

Each {% static %} looks the file's fingerprinted name up in the manifest and rebuilds its
URL: a Wagtail admin page asks for about 75 of them, some 10 % of its time (cProfile,
2 December 2026). The manifest cannot change while a process runs (collectstatic comes with
a deployment, which restarts the app servers), so each URL is computed once."""

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force or settings.DEBUG:  # DEBUG: the files' own names, as Django serves them
            return super().url(name, force)
        try:
            return self._urls[name]
        except KeyError:
            url = self._urls[name] = super().url(name)
            return url

    def post_process(self, *args, **kwargs):
        """collectstatic: new fingerprints, forget the URLs of the old ones."""
        yield from super().post_process(*args, **kwargs)
        self._urls.clear()
