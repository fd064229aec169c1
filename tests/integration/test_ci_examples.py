"""The example pipelines in docs/ci/, tried as a new user would: their evaluate and gate steps run
as written (bash, `portal-eval` on PATH) against a fixture portal instead of the staging URL.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parents[2] / "docs" / "ci"


def run_script(script: str, env: dict[str, str], cwd: Path,
               **settings: str) -> subprocess.CompletedProcess[str]:
    # portal-eval from this environment, as `pip install` would have put it on PATH.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    # 15 pages, one Lighthouse run per template instead of three and no slow-3G persona walk: the
    # examples' steps are what is tried here, not the measurements (the median of runs and the
    # walk are the fixture portals' evaluation's, tests/integration/test_fixture_portals.py).
    full_env = {**os.environ, **env, "PATH": path, "PORTAL_EVAL_MAX_PAGES": "15",
                "PORTAL_EVAL_LIGHTHOUSE_RUNS": "1", "PORTAL_EVAL_PERSONA": "false",
                **{f"PORTAL_EVAL_{k.upper()}": v for k, v in settings.items()}}
    full_env.pop("PORTAL_EVAL_CHROMIUM", None)  # the runner's Chrome path does not exist here
    return subprocess.run(["bash", "-e", "-c", script], cwd=cwd, env=full_env,
                          capture_output=True, text=True, check=False, timeout=600)


def github_job() -> tuple[dict[str, str], dict[str, str]]:
    workflow = yaml.safe_load((DOCS / "github-actions.yml").read_text(encoding="utf-8"))
    job = workflow["jobs"]["evaluate"]
    steps = {step.get("name", ""): step.get("run", "") for step in job["steps"]}
    return {k: str(v) for k, v in job["env"].items()}, steps


def test_github_actions_example_passes_a_good_portal(fixture_server: Any, tmp_path: Path) -> None:
    env, steps = github_job()
    env["PORTAL_URL"] = fixture_server.url("mau")
    # mau hands its login and payments to the fixtures' loopback stand-in for VNeID and the
    # national payment platform; a real staging portal would use the real hosts of
    # vocabulary.yaml. Without attestations the manual criteria stay "needs review".
    env["PORTAL_EVAL_TRUSTED_IDENTITY_HOSTS"] = fixture_server.national_host
    env["PORTAL_EVAL_TRUSTED_PAYMENT_HOSTS"] = fixture_server.national_host
    script = steps["Evaluate"] + "\n" + steps["Gate"]
    proc = run_script(script, env, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PASSED" in proc.stdout
    folder = tmp_path / "out" / env["PORTAL_ID"]
    for name in ("result.json", "report.html", "junit.xml", "results.sarif"):
        assert (folder / name).is_file(), name


def test_gitlab_example_fails_a_portal_below_the_grade_floor(
    fixture_server: Any, tmp_path: Path
) -> None:
    job = yaml.safe_load((DOCS / "gitlab-ci.yml").read_text(encoding="utf-8"))["portal-eval"]
    env = {k: str(v) for k, v in job["variables"].items()}
    env["PORTAL_URL"] = fixture_server.url("tinh-trung-binh")  # grades C
    env["MIN_GRADE"] = "B"
    # Below B with or without its performance points (16 of 20): the gate's failure is what is
    # tried, so no Lighthouse here; the GitHub example above goes through it.
    proc = run_script("\n".join(job["script"]), env, tmp_path, lighthouse="false")
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "FAILED" in proc.stdout
    assert (tmp_path / "out" / env["PORTAL_ID"] / "junit.xml").is_file()
