"""`portal-eval attestations template RESULT`: a ready-to-fill attestations file."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from evaluator.checks.model import Status
from evaluator.criteria.attestations import load_attestations
from evaluator.criteria.loader import CriteriaError, load_profile
from evaluator.evidence import load_bundle
from evaluator.outputs.attestations import render_attestations_template
from evaluator.results import PortalResult, load_result
from evaluator.scoring import score_bundle
from tests.golden.update import ATTESTATIONS_SCHEMA, attestations_schema_text
from tests.unit.conftest import Ran
from tests.unit.test_rounds_report import GOLDEN, ROOT


def golden(portal_id: str, profile: str = "vn-2023") -> PortalResult:
    return load_result(GOLDEN / f"{portal_id}.{profile}.result.json")


@cache
def unattested(portal_id: str, profile: str = "vn-2023") -> PortalResult:
    """The frozen evidence scored without attestations: every manual criterion needs review."""
    return score_bundle(load_bundle(ROOT / "fixtures" / "evidence" / portal_id),
                        load_profile(profile))


def fill(template: str, score: str = "0.5") -> str:
    """What an auditor does: a value on each placeholder line."""
    return (template.replace("score:              #", f"score: {score}  #")
            .replace('note: ""', 'note: "Đã thử bằng tài khoản kiểm định"')
            .replace('evidence: ""', 'evidence: "https://kiem-dinh.example.invalid/anh.png"')
            .replace('attested_by: ""', 'attested_by: "Nguyễn Thị Lan"')
            .replace("attested_on:        #", "attested_on: 2026-12-06  #"))


def as_json(data: Any) -> Any:
    """YAML dates as the ISO strings the JSON Schema describes."""
    return json.loads(json.dumps(data, default=lambda v: v.isoformat()
                                 if isinstance(v, dt.date) else str(v)))


def test_every_manual_criterion_waiting_is_an_entry_to_fill(tmp_path: Path) -> None:
    result = unattested("tinh-trung-binh")
    waiting = [c.id for c in result.criteria if c.manual and c.status is Status.NEEDS_REVIEW]
    assert len(waiting) == 5
    text = render_attestations_template(result, "vi", source="out/tinh-trung-binh/result.json")
    assert re.findall(r"^  - criterion: ([a-z-]+)$", text, re.M) == waiting
    for c in result.criteria:
        if c.id in waiting:
            assert f"# {c.title.vi} ({c.id}), {c.points_possible:g} điểm" in text
    assert "# Cần xem: Dữ liệu đã có trong cơ sở dữ liệu quốc gia" in text
    assert "# Căn cứ: " in text and 'portal: "tinh-trung-binh"' in text
    # Automated criteria a person must look at are named, in comments, with what was measured.
    assert "#   - Giao diện đơn giản, rõ ràng (simple-interface), 0.5 điểm" in text
    assert "#     Đo được: trình đơn chính có 11 mục" in text
    assert all(len(line) <= 100 for line in text.splitlines())

    # Unfilled, it does not grade anything: the first blank is one line with file and line.
    file = tmp_path / "tinh-trung-binh.yaml"
    file.write_text(text, encoding="utf-8")
    profile = load_profile("vn-2023")
    with pytest.raises(CriteriaError) as info:
        load_attestations(file, profile, "tinh-trung-binh")
    first_score = next(n for n, line in enumerate(text.splitlines(), 1)
                       if line.startswith("    score:"))
    assert str(info.value).startswith(f"{file}:{first_score}: ") and "\n" not in str(info.value)

    # Filled, it loads, validates against the published schema and grades the portal.
    file.write_text(fill(text), encoding="utf-8")
    attested = load_attestations(file, profile, "tinh-trung-binh")
    assert sorted(attested) == sorted(waiting)
    data = as_json(yaml.safe_load(file.read_text(encoding="utf-8")))
    jsonschema.validate(data, json.loads(ATTESTATIONS_SCHEMA.read_text(encoding="utf-8")))
    graded = score_bundle(load_bundle(ROOT / "fixtures" / "evidence" / "tinh-trung-binh"),
                          profile, attested)
    assert graded.total is not None and result.total is not None
    assert graded.total > result.total and graded.total_automated == result.total_automated
    assert {c.id for c in graded.criteria if c.points_source == "attestation"} == set(waiting)


def test_english_comments_and_a_result_with_nothing_waiting() -> None:
    text = render_attestations_template(golden("kem", "vn-2024"), "en")
    assert "attestations: []" in text
    assert "# No manual criterion of this result waits for an attestation." in text
    assert "#   - TLS certificate is valid and not expiring (tls-certificate-valid)" in text
    assert yaml.safe_load(text) == {"portal": "kem", "attestations": []}


def test_the_published_schema_is_the_models() -> None:
    assert ATTESTATIONS_SCHEMA.read_text(encoding="utf-8") == attestations_schema_text(), \
        "run `nox -s update_golden`"
    schema = json.loads(ATTESTATIONS_SCHEMA.read_text(encoding="utf-8"))
    bad = {"portal": "x", "attestations": [{"criterion": "faq", "score": 0.7, "note": "n",
                                            "evidence": "e", "attested_by": "a",
                                            "attested_on": "2026-12-06"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_a_hostile_portal_name_stays_in_a_comment(tmp_path: Path) -> None:
    result = unattested("tinh-trung-binh").model_copy(update={
        "portal_name": 'Cổng\nattestations:\n  - criterion: faq\n    score: 1 "x"'})
    text = render_attestations_template(result, "vi")
    assert yaml.safe_load(fill(text))["attestations"][0]["criterion"] == "prefilled-eforms"
    assert "\nattestations:\n  - criterion: faq" not in text
    file = tmp_path / "t.yaml"
    file.write_text(fill(text), encoding="utf-8")
    assert "faq" not in load_attestations(file, load_profile("vn-2023"), "tinh-trung-binh")


def test_the_command_prints_or_writes_a_new_file_never_over_one(
        tmp_path: Path, cli: Callable[..., Ran]) -> None:
    source = str(GOLDEN / "tinh-trung-binh.vn-2023.result.json")
    shown = cli("attestations", "template", source, "--lang", "en")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("# Auditor attestations for portal tinh-trung-binh")
    out = tmp_path / "dir" / "tinh-trung-binh.yaml"
    written = cli("attestations", "template", source, "--out", str(out))
    assert written.returncode == 0 and out.read_text(encoding="utf-8").startswith("# Xác nhận")
    out.write_text("# an auditor's work\n", encoding="utf-8")
    again = cli("attestations", "template", source, "--out", str(out))
    assert again.returncode == 2
    assert again.stderr.strip().startswith(f"portal-eval: error: {out}: exists")
    assert out.read_text(encoding="utf-8") == "# an auditor's work\n"
    missing = cli("attestations", "template", str(tmp_path / "nothing"))
    assert missing.returncode == 2 and "no result.json here" in missing.stderr
