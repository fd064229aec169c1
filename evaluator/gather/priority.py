"""CPU priority for the serial lane: the crawl's renderers yield to Lighthouse.

On 2 cores the crawl (with axe) and Lighthouse each want about one core; under contention a
Lighthouse run stretched from 3 s to 4-7 s, and its figures with it (BENCHMARKS.md, issue 8).
Before each Lighthouse run every Chromium renderer already running in our process tree (the
crawl's tabs, the journeys', the persona's) is given a lower CPU priority (nice +10); the
renderer Lighthouse then starts for its own tab comes from Chromium's zygote at the normal
priority. CFS gives a nice-0 process ~9x the CPU share of a nice-10 one, so the crawl runs on
what Lighthouse leaves and slows down rather than slowing the measurement. Raising a nice value
needs no privilege; lowering it back would, so a renderer stays in the background for good:
the crawl is background work from the lane's first template on.

Linux only (it reads /proc); elsewhere ``available()`` says why it is off and the lane runs as
before.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

log = logging.getLogger(__name__)

#: nice value of a renderer working beside the lane.
BACKGROUND_NICE = 10

_PROC = Path("/proc")


def available() -> str | None:
    """None when renderers can be put in the background here; otherwise why not."""
    if not sys.platform.startswith("linux"):
        return f"needs Linux's /proc, not {sys.platform}"
    if not hasattr(os, "setpriority") or not (_PROC / "self" / "task").is_dir():
        return "/proc or setpriority is not available"
    return None


def child_pids(pid: int) -> list[int]:
    """The direct children of ``pid``, from /proc (none when it is gone)."""
    found: list[int] = []
    try:
        tasks = list((_PROC / str(pid) / "task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found += [int(c) for c in (task / "children").read_text("ascii").split()]
        except (OSError, ValueError):
            continue
    return found


def _is_renderer(pid: int) -> bool:
    try:
        args = (_PROC / str(pid) / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"--type=renderer" in args


def background_renderers(root: int | None = None) -> int:
    """Lower the CPU priority of every Chromium renderer under ``root`` (default: this
    process) that is still above BACKGROUND_NICE; how many were lowered. Never raises."""
    lowered = 0
    stack, seen = [root if root is not None else os.getpid()], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        stack += child_pids(pid)
        if not _is_renderer(pid):
            continue
        try:
            if os.getpriority(os.PRIO_PROCESS, pid) < BACKGROUND_NICE:
                os.setpriority(os.PRIO_PROCESS, pid, BACKGROUND_NICE)
                lowered += 1
        except OSError as exc:  # gone meanwhile, or not ours
            log.debug("could not lower the priority of renderer %d: %s", pid, exc)
    return lowered
