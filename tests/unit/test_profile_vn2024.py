"""The vn-2024 profile and the loader's `extends`: inherit, normalise_to, exclude, overrides.

Tests load the shipped criteria/vn-2023 and criteria/vn-2024 folders.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from evaluator.criteria.loader import CriteriaError, _normalise, load_profile
from evaluator.resources import criteria_dir

ROOT = Path(__file__).resolve().parents[2]
EVIDENCE = ROOT / "fixtures" / "evidence"


@pytest.fixture(scope="module")
def merged() -> tuple[Path, Path]:
    """``(vn-2023 dir, vn-2024 dir)`` as shipped."""
    return criteria_dir() / "vn-2023", criteria_dir() / "vn-2024"


# -- normalising points ----------------------------------------------------------------------------


@pytest.mark.parametrize(("points", "target"), [
    ([4.5, 7, 4.5, 3.5, 1, 6, 6, 2, 6, 1, 6, 2.5, 3.5, 3.5, 3.5, 2.5, 3.5, 1, 2.5], 50),
    ([1, 1, 1], 5), ([1, 2, 0], 7), ([0.5, 1, 0.5, 0.5], 5), ([3], 5),
])
def test_normalise_is_proportional_in_hundredths_and_exact(points: list[float],
                                                           target: float) -> None:
    out = _normalise(points, target)
    assert round(sum(out) * 100) == round(target * 100)
    total = sum(points)
    for p, q in zip(points, out, strict=True):
        assert abs(q - p * target / total) < 0.01 + 1e-9
        assert round(q * 100) == pytest.approx(q * 100)


# -- the real vn-2024 ------------------------------------------------------------------------------

GROUPS = {"functionality": 50, "structure-layout": 5, "performance": 20,
          "information-security": 15, "convenient-access": 5, "emc-connection": 5}


def test_vn2024_groups_and_points(merged: tuple[Path, Path]) -> None:
    base_dir, dir_2024 = merged
    base, p24 = load_profile(base_dir), load_profile(dir_2024)
    assert p24.profile.id == "vn-2024" and p24.base == "vn-2023"
    assert {p.id: p.points for p in p24.profile.pillars} == GROUPS
    assert [(b.grade, b.min) for b in p24.profile.bands] == [
        ("A", 90), ("B", 80), ("C", 65), ("D", 50), ("E", 0)]
    by_pillar: dict[str, list[str]] = {}
    for c in p24.criteria:
        by_pillar.setdefault(c.pillar, []).append(c.id)
    assert set(by_pillar["structure-layout"]) == {
        "official-domain-name", "sitemap-page-and-xml", "homepage-header-footer",
        "simple-interface"}
    # The transport criteria and DNSSEC (with whatever else profile.yaml adds to the group),
    # base criteria that place themselves in it (privacy-policy), and the group's own
    # attestation.
    raw = yaml.safe_load((dir_2024 / "profile.yaml").read_text(encoding="utf-8"))
    listed = {cid for entry in raw["inherit"] if entry["pillar"] == "information-security"
              for cid in entry.get("ids", [])}
    assert {"https-redirect", "tls-certificate-valid", "tls-version-modern", "no-mixed-content",
            "hsts-enabled", "dnssec-signed"} <= listed
    placed = {c.id for c in base.criteria
              if c.place_in.get("vn-2024") == "information-security"}
    assert "privacy-policy" in placed
    assert set(by_pillar["information-security"]) == listed | placed | {"security-posture"}
    assert by_pillar["emc-connection"] == ["emc-monitoring-code"]
    assert set(by_pillar["functionality"]) == {c.id for c in base.criteria
                                               if c.pillar == "functionality"}
    assert set(by_pillar["performance"]) == {c.id for c in base.criteria
                                             if c.pillar == "performance"}
    # Performance is taken as it is; EMC is binary, all 5 points.
    base_points = {c.id: c.points for c in base.criteria}
    for c in p24.criteria:
        if c.pillar == "performance":
            assert c.points == base_points[c.id]
    assert next(c for c in p24.criteria if c.id == "emc-monitoring-code").points == 5
    posture = next(c for c in p24.criteria if c.id == "security-posture")
    assert posture.manual and posture.points == 8


def test_vn2024_reuses_the_base_text_and_checks(merged: tuple[Path, Path]) -> None:
    base_dir, dir_2024 = merged
    base = {c.id: c for c in load_profile(base_dir).criteria}
    p24 = load_profile(dir_2024)
    inherited = [c for c in p24.criteria if c.id != "security-posture"]
    assert len(inherited) == len(base)
    for c in inherited:
        same = base[c.id]
        assert (c.title, c.description, c.check, c.params, c.scope) == \
            (same.title, same.description, same.check, same.params, same.scope)
    # vn-2024 keeps no criterion text of its own besides the security attestation.
    assert sorted(p.name for p in dir_2024.glob("*.yaml")) == ["profile.yaml", "security.yaml"]


def test_vn2024_digest_changes_with_the_base(merged: tuple[Path, Path],
                                             tmp_path: Path) -> None:
    base_dir, dir_2024 = merged
    import shutil
    shutil.copytree(base_dir, tmp_path / "vn-2023")
    shutil.copytree(dir_2024, tmp_path / "vn-2024")
    before = load_profile(tmp_path / "vn-2024").digest
    perf = tmp_path / "vn-2023" / "performance.yaml"
    perf.write_text(perf.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    assert load_profile(tmp_path / "vn-2024").digest != before


def test_shipped_profiles_load() -> None:
    """Passes once the transport and accessibility branches are merged into this one."""
    p24 = load_profile("vn-2024")
    assert {p.id: p.points for p in p24.profile.pillars} == GROUPS


def test_vn2024_names_a_missing_base_id_with_file_and_line(merged: tuple[Path, Path],
                                                           tmp_path: Path) -> None:
    import shutil
    base_dir, dir_2024 = merged
    shutil.copytree(base_dir, tmp_path / "vn-2023")
    shutil.copytree(dir_2024, tmp_path / "vn-2024")
    profile = tmp_path / "vn-2024" / "profile.yaml"
    text = profile.read_text(encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "dnssec-signed" in row)
    profile.write_text(text.replace("dnssec-signed", "dnssec-signd"), encoding="utf-8")
    with pytest.raises(CriteriaError) as info:
        load_profile(tmp_path / "vn-2024")
    assert str(info.value) == (f"{profile}:{line}: criterion 'dnssec-signd' is not in base "
                               "profile 'vn-2023'")


# -- the loader's extends on small profiles ----------------------------------------------------------


def _text() -> dict[str, str]:
    return {"vi": "Tiêu chí", "en": "Criterion"}


def _criterion(cid: str, pillar: str, points: float) -> dict[str, Any]:
    return {"id": cid, "pillar": pillar, "fixed_by": "development", "title": _text(),
            "failure_title": _text(),
            "description": _text(), "fix": _text(), "source": "test", "points": points,
            "check": "html_lang", "scope": "every_page"}


def _bands() -> list[dict[str, Any]]:
    return [{"grade": "A", "min": 50}, {"grade": "B", "min": 0}]


def _write_base(root: Path) -> Path:
    base = root / "base"
    base.mkdir(parents=True)
    (base / "vocabulary.yaml").write_text(
        (criteria_dir() / "vn-2023" / "vocabulary.yaml").read_text(encoding="utf-8"),
        encoding="utf-8")
    (base / "profile.yaml").write_text(yaml.safe_dump({
        "id": "base", "title": _text(), "source": "test",
        "pillars": [{"id": "a", "title": _text(), "points": 60},
                    {"id": "b", "title": _text(), "points": 40}],
        "bands": _bands(), "criteria_files": ["c.yaml"],
    }, allow_unicode=True), encoding="utf-8")
    (base / "c.yaml").write_text(yaml.safe_dump({"criteria": [
        _criterion("a1", "a", 40), _criterion("a2", "a", 20),
        _criterion("b1", "b", 30), _criterion("b2", "b", 10),
    ]}, allow_unicode=True), encoding="utf-8")
    return base


def _write_child(root: Path, **fields: Any) -> Path:
    child = root / "child"
    child.mkdir(exist_ok=True)
    doc: dict[str, Any] = {
        "id": "child", "title": _text(), "source": "test", "extends": "../base",
        "pillars": [{"id": "x", "title": _text(), "points": 70},
                    {"id": "y", "title": _text(), "points": 30}],
        "bands": _bands(),
        "inherit": [{"from_pillar": "a", "pillar": "x", "normalise_to": 70},
                    {"ids": ["b1", "b2"], "pillar": "y", "normalise_to": 30}],
    }
    doc.update(fields)
    (child / "profile.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False),
                                        encoding="utf-8")
    return child


def test_child_inherits_and_normalises(tmp_path: Path) -> None:
    _write_base(tmp_path)
    loaded = load_profile(_write_child(tmp_path))
    assert {c.id: (c.pillar, c.points) for c in loaded.criteria} == {
        "a1": ("x", 46.67), "a2": ("x", 23.33), "b1": ("y", 22.5), "b2": ("y", 7.5)}
    assert loaded.vocabulary_file == (tmp_path / "base" / "vocabulary.yaml").resolve()


def test_child_overrides_and_excludes(tmp_path: Path) -> None:
    _write_base(tmp_path)
    child = _write_child(
        tmp_path,
        inherit=[{"ids": ["a1", "a2"], "pillar": "x"}, {"ids": ["b1"], "pillar": "y"}],
        exclude=["b2"],
        overrides=[{"id": "a2", "points": 30}, {"id": "b1", "points": 0},
                   {"id": "a1", "pillar": "y", "points": 30}, {"id": "a2", "pillar": "x",
                                                                "points": 70}],
    )
    loaded = load_profile(child)
    assert {c.id: (c.pillar, c.points) for c in loaded.criteria} == {
        "a1": ("y", 30), "a2": ("x", 70), "b1": ("y", 0)}


def test_child_adds_its_own_criteria(tmp_path: Path) -> None:
    _write_base(tmp_path)
    child = _write_child(tmp_path, pillars=[
        {"id": "x", "title": _text(), "points": 60}, {"id": "y", "title": _text(), "points": 30},
        {"id": "z", "title": _text(), "points": 10}],
        inherit=[{"from_pillar": "a", "pillar": "x", "normalise_to": 60},
                 {"from_pillar": "b", "pillar": "y", "normalise_to": 30}],
        criteria_files=["own.yaml"])
    (child / "own.yaml").write_text(yaml.safe_dump(
        {"criteria": [_criterion("z1", "z", 10)]}, allow_unicode=True), encoding="utf-8")
    assert [c.id for c in load_profile(child).criteria] == ["a1", "a2", "b1", "b2", "z1"]
    (child / "own.yaml").write_text(yaml.safe_dump(
        {"criteria": [_criterion("a1", "z", 10)]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CriteriaError, match="duplicate criterion id 'a1'"):
        load_profile(child)


@pytest.mark.parametrize(("fields", "message"), [
    ({"inherit": [{"ids": ["a1", "nope"], "pillar": "x"}]},
     "criterion 'nope' is not in base profile 'base'"),
    ({"inherit": [{"from_pillar": "a", "pillar": "x"}, {"ids": ["a1"], "pillar": "y"}]},
     "criterion 'a1' is inherited twice"),
    ({"inherit": [{"from_pillar": "a", "pillar": "x", "normalise_to": 70}]},
     "base criteria neither inherited nor excluded: b1, b2"),
    ({"inherit": [{"from_pillar": "q", "pillar": "x"}]}, "base profile 'base' has no pillar 'q'"),
    ({"inherit": [{"from_pillar": "a", "pillar": "nope"}]}, "unknown pillar 'nope'"),
    ({"exclude": ["zz"]}, "criterion 'zz' is not in base profile"),
    ({"exclude": ["b1"]}, "criterion 'b1' is both inherited and excluded"),
    ({"overrides": [{"id": "zz", "points": 1}]}, "override of 'zz', which is not inherited"),
    ({"overrides": [{"id": "a1", "pillar": "w"}]}, "unknown pillar 'w'"),
    ({"overrides": [{"id": "a1", "points": 1}]},
     "criteria of pillar 'x' add up to 24.33 points, the pillar has 70"),
    ({"extends": "../nowhere"}, "extends: no criteria profile named"),
    ({"inherit": [{"from_pillar": "a", "ids": ["a1"], "pillar": "x"}]},
     "give either from_pillar or ids"),
    ({"inherit": []}, "must say what it inherits"),
])
def test_child_errors_are_one_line_with_file_and_line(tmp_path: Path, fields: dict[str, Any],
                                                      message: str) -> None:
    _write_base(tmp_path)
    child = _write_child(tmp_path, **fields)
    with pytest.raises(CriteriaError) as info:
        load_profile(child)
    text = str(info.value)
    assert message in text and len(text.splitlines()) == 1
    assert text.startswith(str(child / "profile.yaml") + ":")


def test_inherit_without_extends_is_rejected(tmp_path: Path) -> None:
    base = _write_base(tmp_path)
    doc = yaml.safe_load((base / "profile.yaml").read_text(encoding="utf-8"))
    doc["exclude"] = ["a1"]
    (base / "profile.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(CriteriaError, match="need 'extends: <base profile>'"):
        load_profile(base)


def test_extends_loop_is_refused(tmp_path: Path) -> None:
    _write_base(tmp_path)
    child = _write_child(tmp_path)
    doc = yaml.safe_load((tmp_path / "base" / "profile.yaml").read_text(encoding="utf-8"))
    doc.pop("criteria_files")
    doc.update(extends="../child", inherit=[{"from_pillar": "x", "pillar": "a"}])
    (tmp_path / "base" / "profile.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(CriteriaError, match="extend each other in a loop"):
        load_profile(child)


# -- the command line on saved evidence, no browser ------------------------------------------------


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "evaluator", *args], capture_output=True,
                          text=True, check=False, cwd=ROOT)


def test_cli_scores_renders_gates_and_diffs_with_vn2024(merged: tuple[Path, Path],
                                                        tmp_path: Path) -> None:
    base_dir, dir_2024 = merged
    check = _run("criteria", "check", str(base_dir), str(dir_2024))
    assert check.returncode == 0, check.stderr
    assert "vn-2024:" in check.stdout and "emc-connection 5" in check.stdout
    r24, r23 = tmp_path / "r24" / "result.json", tmp_path / "r23" / "result.json"
    for profile, out in ((dir_2024, r24), (base_dir, r23)):
        proc = _run("score", str(EVIDENCE / "tinh-trung-binh"), "--profile", str(profile),
                    "--out", str(out))
        assert proc.returncode == 0, proc.stderr
    result = json.loads(r24.read_text(encoding="utf-8"))
    assert result["profile"]["id"] == "vn-2024"
    assert set(result["pillars"]) == set(GROUPS)
    assert result["grade"] in {"A", "B", "C", "D", "E"}
    render = _run("render", str(r24), "--lang", "en")
    assert render.returncode == 0, render.stderr
    html = (r24.parent / "report.html").read_text(encoding="utf-8")
    assert "Decision 473/QĐ-BTTTT" in html and "<code>vn-2024</code>" in html
    gate = _run("gate", str(r24), "--min-grade", "E", "--min-pillar", "emc-connection=0")
    assert gate.returncode == 0, gate.stdout + gate.stderr
    strict = _run("gate", str(r24), "--min-grade", "A")
    assert strict.returncode == 4 or result["grade"] == "A"
    # A baseline graded with another profile is not comparable.
    mixed = _run("gate", str(r24), "--baseline", str(r23), "--max-drop", "5")
    assert mixed.returncode == 2
    diff = _run("diff", str(r23), str(r24))
    assert diff.returncode == 0, diff.stderr


# -- a criterion that says where extending profiles place it (place_in) ------------------------------


def _write_base_with_placed(root: Path, place_in: dict[str, str]) -> Path:
    base = _write_base(root)
    extra = _criterion("b3", "b", 10)
    extra["place_in"] = place_in
    (base / "c.yaml").write_text(yaml.safe_dump({"criteria": [
        _criterion("a1", "a", 40), _criterion("a2", "a", 20),
        _criterion("b1", "b", 20), _criterion("b2", "b", 10), extra,
    ]}, allow_unicode=True), encoding="utf-8")
    return base


def test_a_base_criterion_placed_by_its_own_place_in_joins_that_pillars_first_entry(
    tmp_path: Path,
) -> None:
    # b3 is in neither entry's ids: its own `place_in` puts it in the child's pillar x, after
    # what the entry names, and the entry's normalise_to scales it with them.
    _write_base_with_placed(tmp_path, {"child": "x", "some-other-profile": "q"})
    child = _write_child(tmp_path, inherit=[{"ids": ["a1", "a2"], "pillar": "x",
                                             "normalise_to": 70},
                                            {"ids": ["b1", "b2"], "pillar": "y",
                                             "normalise_to": 30}])
    loaded = load_profile(child)
    assert [(c.id, c.pillar, c.points) for c in loaded.criteria] == [
        ("a1", "x", 40), ("a2", "x", 20), ("b3", "x", 10), ("b1", "y", 20), ("b2", "y", 10)]
    # The base itself keeps it where its own file says.
    assert {c.id: c.pillar for c in load_profile(tmp_path / "base").criteria}["b3"] == "b"


@pytest.mark.parametrize(("place_in", "inherit", "message"), [
    # The child has no entry filling the pillar the criterion asks for.
    ({"child": "y"}, [{"from_pillar": "a", "pillar": "x", "normalise_to": 70}],
     "criterion 'b3' of base profile 'base' is placed in pillar 'y' (its place_in), which no "
     "inherit entry of this profile fills (they fill: x)"),
    # Named by an entry and placed by itself: two places, refused like any double inheritance.
    ({"child": "x"}, [{"ids": ["a1", "a2"], "pillar": "x", "normalise_to": 70},
                      {"ids": ["b1", "b2", "b3"], "pillar": "y", "normalise_to": 30}],
     "criterion 'b3' is inherited twice"),
])
def test_place_in_errors_are_one_line_at_the_childs_profile(
    tmp_path: Path, place_in: dict[str, str], inherit: list[dict[str, Any]], message: str,
) -> None:
    _write_base_with_placed(tmp_path, place_in)
    child = _write_child(tmp_path, inherit=inherit)
    with pytest.raises(CriteriaError) as info:
        load_profile(child)
    text = str(info.value)
    assert message in text and len(text.splitlines()) == 1
    assert text.startswith(str(child / "profile.yaml") + ":")
