"""The wheel carries criteria, report templates and schemas: an installed copy works outside the repo."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout, unpacked as site-packages would hold it."""
    wheels = tmp_path_factory.mktemp("wheels")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
        capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    (wheel,) = wheels.glob("portal_eval-*.whl")
    site = tmp_path_factory.mktemp("site-packages")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


def run_installed(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # Only the unpacked wheel (and the dependencies already installed) on the path, and a
    # working directory with no criteria/ or reports/ in it.
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run([sys.executable, "-m", "evaluator", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)


def test_wheel_ships_the_data(installed: Path) -> None:
    data = installed / "evaluator" / "_data"
    for rel in ("criteria/vn-2023/profile.yaml", "reports/templates/portal.html.j2",
                "reports/assets/report.css", "reports/i18n.yaml", "schemas/result.schema.json"):
        assert (data / rel).is_file(), rel
    # The bilingual message catalog sits next to the checks that use it.
    assert (installed / "evaluator" / "checks" / "messages.yaml").is_file()


def test_installed_copy_checks_criteria_and_renders_outside_the_repo(
    installed: Path, tmp_path: Path
) -> None:
    proc = run_installed(installed, tmp_path, "criteria", "check", "vn-2023")
    assert proc.returncode == 0, proc.stderr
    # The installed copy carries the same criteria as the repository.
    from evaluator.criteria.loader import load_profile

    assert f"{len(load_profile('vn-2023').criteria)} criteria OK" in proc.stdout
    result = tmp_path / "result.json"
    shutil.copy(ROOT / "tests" / "golden" / "mau.vn-2023.result.json", result)
    proc = run_installed(installed, tmp_path, "render", str(result), "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in html and "100.0" in html
    located = subprocess.run(
        [sys.executable, "-c", "import evaluator; print(evaluator.__file__)"], cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(installed)}, capture_output=True, text=True,
        check=True)
    assert located.stdout.startswith(str(installed))
