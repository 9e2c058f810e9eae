"""The static files' storage (site_cms/static_storage.py): the manifest's fingerprinted URLs,
remembered by the process, the files' own names under DEBUG, and an unknown file refused
as WhiteNoise's storage refuses it."""

import json

import pytest

from site_cms.static_storage import StaticFilesStorage


@pytest.fixture
def storage(tmp_path, settings):
    settings.DEBUG = False
    (tmp_path / "staticfiles.json").write_text(json.dumps({
        "version": "1.1", "hash": "x", "paths": {"css/site.css": "css/site.3f2a9c1b.css"},
    }))
    return StaticFilesStorage(location=str(tmp_path), base_url="/static/")


def test_fingerprinted_url_from_the_manifest(storage):
    assert storage.url("css/site.css") == "/static/css/site.3f2a9c1b.css"
    storage.hashed_files["css/site.css"] = "css/site.later.css"  # read once per process
    assert storage.url("css/site.css") == "/static/css/site.3f2a9c1b.css"


def test_debug_serves_the_files_own_names(storage, settings):
    settings.DEBUG = True
    assert storage.url("css/site.css") == "/static/css/site.css"


def test_a_file_missing_from_the_manifest_is_an_error_every_time(storage):
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("js/absent.js")
