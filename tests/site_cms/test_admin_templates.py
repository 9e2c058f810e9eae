"""The back-office templates use the Wagtail admin's own classes: its stylesheet has no
`visually-hidden` (text meant for screen readers was shown), and its main column hides
what overflows it, so a wide list must scroll in a box of its own on a phone."""

import re
from pathlib import Path

import wagtail

TEMPLATES = sorted(Path(__file__).resolve().parents[2].joinpath("templates").glob("*/admin/*.html"))
WAGTAIL_CSS = Path(wagtail.__file__).parent / "admin" / "static" / "wagtailadmin" / "css" / "core.css"


def test_the_classes_used_exist_in_wagtails_stylesheet():
    css = WAGTAIL_CSS.read_text()
    assert ".w-sr-only{" in css and ".w-overflow-x-auto{" in css
    assert ".visually-hidden{" not in css


def test_no_admin_template_uses_a_class_wagtail_does_not_have():
    assert TEMPLATES
    offenders = [path.name for path in TEMPLATES if "visually-hidden" in path.read_text()]
    assert not offenders


def test_every_admin_list_scrolls_in_its_own_box():
    unwrapped = []
    for path in TEMPLATES:
        text = path.read_text()
        for match in re.finditer(r'<table class="listing', text):
            if '<div class="w-overflow-x-auto">' not in text[max(0, match.start() - 60):match.start()]:
                unwrapped.append(f"{path.parent.parent.name}/admin/{path.name}")
    assert not unwrapped
