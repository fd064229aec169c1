"""Meta-tests: the test data covers the criteria, so no criterion goes untested."""

from __future__ import annotations

from pathlib import Path

import yaml

from evaluator.criteria.loader import load_profile

PORTALS = Path(__file__).resolve().parents[1] / "fixtures" / "portals"


def test_every_criterion_has_a_passing_and_a_failing_fixture_portal() -> None:
    statuses: dict[str, set[str]] = {}
    for expected in PORTALS.glob("*/expected.yaml"):
        data = yaml.safe_load(expected.read_text(encoding="utf-8"))
        for cid, status in data["criteria"].items():
            statuses.setdefault(cid, set()).add(status)
    profile = load_profile("vn-2023")
    uncovered = {
        c.id: sorted(statuses.get(c.id, set())) for c in profile.criteria
        if not {"pass", "fail"} <= statuses.get(c.id, set())
    }
    assert not uncovered, f"criteria lacking a pass or a fail fixture case: {uncovered}"


def test_expected_files_name_only_known_criteria_and_grades() -> None:
    profile = load_profile("vn-2023")
    ids = {c.id for c in profile.criteria}
    grades = {b.grade for b in profile.profile.bands}
    for expected in PORTALS.glob("*/expected.yaml"):
        data = yaml.safe_load(expected.read_text(encoding="utf-8"))
        assert set(data["criteria"]) == ids, expected
        assert data["grade"] in grades, expected


def test_only_one_module_imports_playwright() -> None:
    package = Path(__file__).resolve().parents[1] / "evaluator"
    importers = sorted(
        str(p.relative_to(package)) for p in package.rglob("*.py")
        if any(line.lstrip().startswith(("import playwright", "from playwright"))
               for line in p.read_text(encoding="utf-8").splitlines())
    )
    assert importers == ["browser.py"]
