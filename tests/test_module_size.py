"""No module of the citizen space grows past 450 lines (issue 9): a file that does is split
by sub-domain, as accounts/services/ and activities/services/ are. Migrations are generated."""

from pathlib import Path

LIMIT = 450
ROOT = Path(__file__).resolve().parent.parent / "espace_citoyen"


def test_no_citizen_space_module_is_over_the_limit():
    too_long = {}
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > LIMIT:
            too_long[str(path.relative_to(ROOT))] = count
    assert too_long == {}


def test_the_walk_sees_the_citizen_space():
    assert len([p for p in ROOT.rglob("*.py") if "migrations" not in p.parts]) > 100
