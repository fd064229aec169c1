"""The live progress of a round: one refreshing line on a terminal, plain lines otherwise.

    round 2026-11-r1: 12/56 done · 2 running · 1 not evaluated · 340 pages · 0:41:10 · ~2:31:00 left

Counts come from the store (so the Celery engine shows the same as the local pool); the
estimate is the round's pace so far (elapsed per finished portal, with however many run at
once) times the portals left.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

from evaluator.rounds.store import Counts


def clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def estimate_left(counts: Counts, elapsed: float) -> float | None:
    """Seconds left at the pace so far; None before the first portal finished."""
    if counts.finished == 0:
        return None
    return elapsed / counts.finished * (counts.total - counts.finished)


def status_line(round_id: str, counts: Counts, elapsed: float) -> str:
    parts = [f"{counts.done}/{counts.total} done", f"{counts.running} running"]
    if counts.not_evaluated:
        parts.append(f"{counts.not_evaluated} not evaluated")
    parts += [f"{counts.pages} pages", clock(elapsed)]
    left = estimate_left(counts, elapsed)
    if left is not None and counts.finished < counts.total:
        parts.append(f"~{clock(left)} left")
    return f"round {round_id}: " + " · ".join(parts)


class ProgressDisplay:
    """``update(counts)`` redraws; ``note(line)`` prints a line above it (a portal finished).
    Thread-safe: pool threads call ``note``."""

    def __init__(self, round_id: str, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.round_id = round_id
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.quiet = quiet
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._last = ""
        self._last_counts: Counts | None = None
        self._last_plain = 0.0

    def update(self, counts: Counts) -> None:
        if self.quiet:
            return
        line = status_line(self.round_id, counts, time.monotonic() - self.started)
        with self._lock:
            if self.tty:
                self.stream.write("\r\x1b[2K" + line)
                self.stream.flush()
            # Plain output (a log, CI): a line when a count changed, else one every 30 s.
            elif counts != self._last_counts or time.monotonic() - self._last_plain > 30:
                self.stream.write(line + "\n")
                self.stream.flush()
                self._last_plain = time.monotonic()
            self._last = line
            self._last_counts = counts

    def note(self, text: str) -> None:
        if self.quiet:
            return
        with self._lock:
            if self.tty:
                self.stream.write("\r\x1b[2K" + text + "\n" + self._last)
            else:
                self.stream.write(text + "\n")
            self.stream.flush()

    def close(self) -> None:
        if self.tty and not self.quiet:
            self.stream.write("\n")
            self.stream.flush()
