"""One attempt at one portal, in a process of its own: `python -m evaluator.rounds.child`.

The evaluation drives asyncio Chromium; a portal that hangs it can only be stopped by killing
the process (and its process group: the Playwright driver and Chromium). So each attempt runs
here, calls the one evaluation function (pipeline.evaluate_portal) and nothing else, and talks
to its parent in JSON lines on stdout: ``{"progress": …}`` while it runs, ``{"done": …}`` last.

The spec comes on stdin as JSON: target, out_dir, settings (Settings.snapshot()), lang.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import logging
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

from evaluator.settings import Settings
from evaluator.targets import Target

PR_SET_PDEATHSIG = 1
PARENT_ENV = "PORTAL_EVAL_ROUND_PARENT"
# The key-page lane (timings at 360 px, and Lighthouse where it runs) announces itself with this
# progress message (gather/run.py). Timings measured beside another portal's crawl grew 2-25x
# (ENVIRONMENT.md), so on one machine only one portal at a time may be in that lane.
LANE_MARKER = "key pages at"


def lane_lock_path() -> Path:
    """One file per machine (and user): the serial lane's lock."""
    return Path(tempfile.gettempdir()) / f"portal-eval-serial-lane-{os.getuid()}.lock"


def die_with_parent() -> None:
    """Linux: the kernel kills this process when its parent dies (a batch killed with kill -9
    must not leave portals being evaluated by orphans)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    parent = os.environ.get(PARENT_ENV, "")
    if parent.isdigit() and os.getppid() != int(parent):
        os._exit(1)  # the parent died before prctl took effect


def settings_from_snapshot(snapshot: dict[str, Any]) -> Settings:
    values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v
                              for k, v in snapshot.items()}
    return Settings(**values)


class SerialLane:
    """Holds the machine's lane lock from the key-page lane's start to the end of the process
    (the lane is the last step of gathering; the kernel drops the lock if we are killed)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def enter(self) -> None:
        if self._file is None:
            self._file = self.path.open("a")
            fcntl.flock(self._file, fcntl.LOCK_EX)


def main() -> int:
    die_with_parent()
    spec = json.loads(sys.stdin.read())
    out = sys.stdout
    # Everything else the evaluation prints (warnings, logging) goes to stderr: stdout is ours.
    sys.stdout = sys.stderr

    def emit(**message: Any) -> None:
        out.write(json.dumps(message, ensure_ascii=False) + "\n")
        out.flush()

    lane = SerialLane(Path(spec.get("lane_lock") or lane_lock_path()))

    def progress(message: str) -> None:
        if LANE_MARKER in message:
            emit(progress="waiting for the serial lane")
            lane.enter()
        emit(progress=message)

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from evaluator.criteria.loader import load_profile
    from evaluator.pipeline import evaluate_portal

    raw = spec["target"]
    target = Target(id=raw["id"], start_url=raw["start_url"], name=raw.get("name", ""),
                    agency=raw.get("agency", ""), allowed_hosts=tuple(raw.get("allowed_hosts", ())),
                    tags=tuple(raw.get("tags", ())))
    settings = settings_from_snapshot(spec["settings"])
    run = evaluate_portal(target, Path(spec["out_dir"]), settings, load_profile(settings.profile),
                          spec.get("lang", "vi"), progress)
    emit(done=str(run.folder), pages=run.result.pages_evaluated)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
