"""One attempt at one portal, in a process of its own: `python -m evaluator.rounds.child`.

The evaluation drives asyncio Chromium; a portal that hangs it can only be stopped by killing
the process (and its process group: the Playwright driver and Chromium). So each attempt runs
here, calls the one evaluation function (pipeline.evaluate_portal) and nothing else, and talks
to its parent in JSON lines on stdout: ``{"progress": …}`` while it runs, ``{"done": …}`` last.

The spec comes on stdin as JSON: target, out_dir, settings (Settings.snapshot()), lang, and the
portal's attestations as the round recorded them (file, sha256, text) or null.
"""

from __future__ import annotations

import asyncio
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
# Timings and Lighthouse measured beside another portal's crawl grew 2-25x (ENVIRONMENT.md), so
# on one machine only one portal at a time may be in the serial lane: gathering awaits the lock
# before its first measurement (the `serial_lane` hook of pipeline.evaluate_portal).


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


# Recorded beside the settings in a round's settings_json (rounds/store.py ATTESTATIONS_KEY):
# which attestation file graded each portal; not a setting.
_NOT_SETTINGS = ("attestations",)


def settings_from_snapshot(snapshot: dict[str, Any]) -> Settings:
    values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v
                              for k, v in snapshot.items() if k not in _NOT_SETTINGS}
    return Settings(**values)


class SerialLane:
    """Holds the machine's lane lock from the lane's first measurement to the end of the process
    (the kernel drops the lock if we are killed)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._file is not None

    def enter(self) -> None:
        if self._file is None:
            file = self.path.open("a")
            fcntl.flock(file, fcntl.LOCK_EX)
            self._file = file

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the file drops its flock
            self._file = None


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
        emit(progress=message)

    async def serial_lane() -> None:
        if not lane.held:
            emit(progress="waiting for the serial lane")
            await asyncio.to_thread(lane.enter)

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from evaluator.criteria.loader import load_profile
    from evaluator.pipeline import evaluate_portal

    raw = spec["target"]
    target = Target(id=raw["id"], start_url=raw["start_url"], name=raw.get("name", ""),
                    agency=raw.get("agency", ""), allowed_hosts=tuple(raw.get("allowed_hosts", ())),
                    tags=tuple(raw.get("tags", ())))
    settings = settings_from_snapshot(spec["settings"])
    profile = load_profile(settings.profile)
    attestations = None
    recorded = spec.get("attestations")
    if recorded:
        # The round's copy of the portal's attestations file, checked against its digest.
        from evaluator.rounds.attestations import AttestationFile

        attestations = AttestationFile(target.id, recorded["file"], recorded["sha256"],
                                       recorded["text"]).parse(profile)
    run = evaluate_portal(target, Path(spec["out_dir"]), settings, profile,
                          spec.get("lang", "vi"), progress, attestations=attestations,
                          serial_lane=serial_lane)
    emit(done=str(run.folder), pages=run.result.pages_evaluated)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
