"""The command line: one-line errors with file and line, documented exit codes, no tracebacks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "evaluator", *args], capture_output=True,
                          text=True, check=False, cwd=ROOT)


def test_criteria_check_ok() -> None:
    proc = run("criteria", "check", "vn-2023")
    assert proc.returncode == 0, proc.stderr
    from evaluator.criteria.loader import load_profile

    count = len(load_profile("vn-2023").criteria)
    assert (f"vn-2023: {count} criteria OK (functionality 70, performance 20, access 10"
            in proc.stdout)


def test_criteria_check_reports_file_and_line(tmp_path: Path) -> None:
    profile = tmp_path / "broken"
    shutil.copytree(ROOT / "criteria" / "vn-2023", profile)
    text = (profile / "access.yaml").read_text(encoding="utf-8")
    broken = text.replace("    check: html_lang\n", "    colour: red\n    check: html_lang\n", 1)
    assert broken != text, "access.yaml no longer has a html_lang criterion to break"
    (profile / "access.yaml").write_text(broken, encoding="utf-8")
    proc = run("criteria", "check", str(profile))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    line_no = next(i for i, line in enumerate(
        (profile / "access.yaml").read_text().splitlines(), 1) if "colour" in line)
    assert f"access.yaml:{line_no}: unknown key 'colour'" in lines[0]


def test_unknown_profile_is_one_line() -> None:
    proc = run("criteria", "check", "vn-1999")
    assert proc.returncode == 2
    assert "no criteria profile named 'vn-1999' (known: vn-2023" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_score_of_missing_evidence_is_one_line(tmp_path: Path) -> None:
    proc = run("score", str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"portal-eval: error: {tmp_path}/bundle.json: no evidence bundle here"


def test_score_of_corrupt_evidence_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "bundle.json").write_text('{"schema_version": 1, "portal_id": 3}')
    proc = run("score", str(tmp_path))
    assert proc.returncode == 2
    assert "invalid evidence at" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_evaluate_rejects_non_http_url(tmp_path: Path) -> None:
    proc = run("evaluate", "javascript:alert(1)", "--out", str(tmp_path))
    assert proc.returncode == 2
    assert "not an http(s) URL" in proc.stderr and "Traceback" not in proc.stderr


def test_render_missing_result(tmp_path: Path) -> None:
    proc = run("render", str(tmp_path / "nope.json"))
    assert proc.returncode == 2 and "no result.json here" in proc.stderr
