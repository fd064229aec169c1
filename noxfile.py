"""Developer tasks. The README's two commands are `nox -s demo` and `nox -s tests`.

Each session installs what it needs: the Python package into its virtualenv, Debian's
Chromium when it is missing (as root; otherwise it says how), and the pinned npm Lighthouse
from package-lock.json. It never runs `playwright install` (a CDN download that fails on our
machines, ENVIRONMENT.md).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import nox

ROOT = Path(__file__).parent
nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True

LIGHTHOUSE_VERSION = "12.8.2"
# Debian's chromium-headless-shell is the browser the evaluator prefers (evaluator/browser.py:
# Playwright's own headless browser, half the CPU of the full one's headless mode on a crawl).
HEADLESS_SHELL = "/usr/bin/chromium-headless-shell"


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _apt_install(session: nox.Session, *packages: str) -> None:
    if not _is_root() or shutil.which("apt-get") is None:
        session.error(
            f"missing system package(s) {', '.join(packages)}: run "
            f"`sudo apt-get update && sudo apt-get install -y {' '.join(packages)}` and retry"
        )
    session.log(f"installing Debian package(s): {', '.join(packages)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *packages], check=True, env=env,
                   stdout=subprocess.DEVNULL)


def ensure_chromium(session: nox.Session) -> None:
    explicit = os.environ.get("PORTAL_EVAL_CHROMIUM")
    if explicit and Path(explicit).is_file():
        return
    if Path(HEADLESS_SHELL).is_file() or shutil.which("chromium-headless-shell"):
        return
    # The measured figures (BENCHMARKS.md) and the suite's time are the headless shell's, so it
    # is installed even where the full browser is already there.
    _apt_install(session, "chromium-headless-shell", "fonts-dejavu-core")


def ensure_node_tools(session: nox.Session) -> None:
    """npm Lighthouse, pinned by package-lock.json (13.x needs Node >= 22.19)."""
    installed = ROOT / "node_modules" / "lighthouse" / "package.json"
    if installed.is_file() and json.loads(installed.read_text())["version"] == LIGHTHOUSE_VERSION:
        return
    if shutil.which("npm") is None:
        _apt_install(session, "nodejs", "npm")
    session.run("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", external=True)


def ensure_round_services(session: nox.Session) -> None:
    """redis-server and PostgreSQL for the round tests (they start throwaway instances on
    127.0.0.1 themselves): Debian's packages, installed when missing."""
    missing = []
    if shutil.which("redis-server") is None and not Path("/usr/bin/redis-server").is_file():
        missing.append("redis-server")
    if shutil.which("initdb") is None and not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        missing.append("postgresql")
    if missing:
        _apt_install(session, *missing)


def install(session: nox.Session, extras: str = "test") -> None:
    ensure_chromium(session)
    ensure_node_tools(session)
    session.install("-q", "-e", f".[{extras}]")


@nox.session
def demo(session: nox.Session) -> None:
    """Serve the bundled fixture portals on 127.0.0.1, evaluate them all, write out/demo/."""
    install(session)
    session.run("python", "-m", "fixtures.demo", *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite: unit, golden, and integration with real Chromium, Redis and
    PostgreSQL."""
    install(session)
    ensure_round_services(session)
    # The slowest tests are listed so a CI log shows where the ~20-minute budget goes.
    session.run("python", "-m", "pytest", "-q", "-ra", "--durations=25", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks (not tests): `nox -s bench`, or `nox -s bench -- <name>` for one of bench/bench_<name>.py.
    Figures go to BENCHMARKS.md by hand, with the machine they came from."""
    install(session)
    session.run("python", "-m", "bench", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    session.install("-q", "-e", ".[lint,test]")
    session.run("ruff", "check", "evaluator", "tests", "fixtures", "bench", "noxfile.py")
    session.run("mypy")


@nox.session
def update_golden(session: nox.Session) -> None:
    """Re-score the frozen evidence and rewrite tests/golden: review the diff before committing."""
    install(session)
    session.run("python", "-m", "tests.golden.update")


@nox.session
def freeze_evidence(session: nox.Session) -> None:
    """Gather the fixture portals again and replace fixtures/evidence (then update_golden)."""
    install(session)
    session.run("python", "-m", "fixtures.freeze")
