"""Auditor attestations: validated like criteria, scoring manual criteria, kept apart in totals."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluator.checks.model import Status
from evaluator.criteria.attestations import load_attestations
from evaluator.criteria.loader import CriteriaError
from evaluator.scoring import score_bundle
from tests.unit.evidence_factory import bundle, portal_pages, shipped_profile

MANUAL = [c for c in shipped_profile().criteria if c.manual]


def _write(tmp_path: Path, body: str) -> Path:
    file = tmp_path / "attestations.yaml"
    file.write_text(body, encoding="utf-8")
    return file


def _item(criterion: str, score: str = "1") -> str:
    return (f"  - criterion: {criterion}\n    score: {score}\n    note: \"Đã kiểm tra\"\n"
            "    evidence: \"https://kiem-dinh.example.invalid/a.png\"\n"
            "    attested_by: \"Kiểm định viên\"\n    attested_on: 2026-11-20\n")


def test_the_shipped_profile_has_manual_criteria_checked_by_attestation() -> None:
    assert {c.id for c in MANUAL} == {"prefilled-eforms", "form-assistance",
                                     "online-payment-end-to-end", "digital-signature",
                                     "status-notifications"}
    assert all(c.check == "auditor_attestation" for c in MANUAL)


def test_a_valid_file_loads(tmp_path: Path) -> None:
    file = _write(tmp_path, "portal: mau\nattestations:\n" + _item("digital-signature", "0.5"))
    loaded = load_attestations(file, shipped_profile(), "mau")
    assert loaded["digital-signature"].score == 0.5


@pytest.mark.parametrize(("body", "line", "words"), [
    ("attestations:\n" + _item("digital-signature", "0.7"), 3, "0, 0.5 or 1"),
    ("attestations:\n" + _item("khong-co"), 2, "unknown criterion 'khong-co'"),
    ("attestations:\n" + _item("service-search"), 2, "is automated"),
    ("attestations:\n" + _item("digital-signature") + _item("digital-signature"), 8,
     "attested twice"),
    ("attestations:\n  - criterion: digital-signature\n    score: 1\n", 2, "missing key"),
    ("portal: kem\nattestations: []\n", 1, "not 'mau'"),
])
def test_bad_files_name_file_and_line(tmp_path: Path, body: str, line: int, words: str) -> None:
    file = _write(tmp_path, body)
    with pytest.raises(CriteriaError) as err:
        load_attestations(file, shipped_profile(), "mau")
    assert err.value.line == line and words in str(err.value)
    assert str(err.value).startswith(str(file))


def test_scoring_marks_points_by_source_and_keeps_an_automated_total(tmp_path: Path) -> None:
    profile = shipped_profile()
    file = _write(tmp_path, "attestations:\n" + _item("prefilled-eforms")
                  + _item("digital-signature", "0.5") + _item("form-assistance", "0"))
    b = bundle(portal_pages(22))
    plain = score_bundle(b, profile)
    attested = score_bundle(b, profile, load_attestations(file, profile))
    by_id = {c.id: c for c in attested.criteria}
    assert by_id["prefilled-eforms"].status is Status.PASS
    assert by_id["prefilled-eforms"].points == by_id["prefilled-eforms"].points_possible
    assert by_id["prefilled-eforms"].points_source == "attestation"
    assert by_id["prefilled-eforms"].attestation is not None
    assert by_id["digital-signature"].status is Status.FAIL
    assert by_id["digital-signature"].points == 0.5 * by_id["digital-signature"].points_possible
    assert by_id["form-assistance"].status is Status.FAIL and by_id["form-assistance"].points == 0
    # Unattested: needs review, no points, never silently full or zero marks.
    assert by_id["status-notifications"].status is Status.NEEDS_REVIEW
    assert by_id["status-notifications"].points_source == "none"
    assert by_id["service-catalogue"].points_source == "automated"
    # The automated total ignores attestations, so it is the same with or without them.
    assert attested.total_automated == plain.total_automated == plain.total
    gained = 6 + 0.5  # prefilled-eforms 6 points, half of digital-signature's 1
    assert attested.total == pytest.approx(plain.total + gained, abs=0.02)


def test_score_command_takes_attestations_and_rejects_bad_ones(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    evidence = root / "fixtures" / "evidence" / "tinh-trung-binh"
    attestations = root / "fixtures" / "portals" / "tinh-trung-binh" / "attestations.yaml"
    out = tmp_path / "r.json"

    def score(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "evaluator", "score", str(evidence),
                               "--out", str(out), *extra], capture_output=True, text=True,
                              check=False, cwd=root)

    assert score().returncode == 0
    plain = json.loads(out.read_text(encoding="utf-8"))
    assert score("--attestations", str(attestations)).returncode == 0
    attested = json.loads(out.read_text(encoding="utf-8"))
    assert attested["total"] > plain["total"] == plain["total_automated"]
    assert attested["total_automated"] == plain["total_automated"]
    bad = _write(tmp_path, "attestations:\n" + _item("service-search"))
    proc = score("--attestations", str(bad))
    assert proc.returncode == 2 and "is automated" in proc.stderr and "Traceback" not in proc.stderr
