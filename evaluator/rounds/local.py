"""The local engine: a pool of ``round_workers`` lanes on this machine, each taking the next
queued portal from the store and running it (job.run_claimed: a killable child process per
attempt). Browser contexts are bounded by ``round_workers × concurrency``; the key-page lane
(timings, Lighthouse) is one machine-wide lock (child.SerialLane, taken through
evaluate_portal's serial_lane hook); two portals on one host never run at once.

Resuming after a kill: portals whose claimant was a process of this host that is gone are
queued again at once; the others (another machine's, still beating) are waited for.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from evaluator.criteria.loader import load_profile
from evaluator.rounds.job import JobContext, run_claimed
from evaluator.rounds.progress import ProgressDisplay
from evaluator.rounds.store import Counts, RoundStore, worker_name
from evaluator.settings import Settings


class RoundStopped(Exception):
    """The batch was told to stop; ``queued`` are the portals a resume will evaluate."""

    def __init__(self, round_id: str, queued: list[str]) -> None:
        self.round_id = round_id
        self.queued = queued
        super().__init__(f"round {round_id}: stopped; {len(queued)} portal(s) left to evaluate "
                         f"(portal-eval batch --resume {round_id})")


class HostLocks:
    """In-process: one portal per host at a time across the pool's lanes."""

    def __init__(self, beat_s: float) -> None:
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._beat_s = beat_s

    @contextlib.contextmanager
    def __call__(self, host: str, beat: Callable[[], object]) -> Iterator[None]:
        with self._guard:
            lock = self._locks.setdefault(host, threading.Lock())
        while not lock.acquire(timeout=self._beat_s):
            beat()
        try:
            yield
        finally:
            lock.release()


def run_local(store_url: str, round_id: str, settings: Settings, round_dir: Path,
              display: ProgressDisplay, lang: str = "vi",
              stop: threading.Event | None = None) -> Counts:
    """Evaluate every unfinished portal of the round; returns the final counts.

    ``stop`` (set by the batch command's SIGTERM handler) or Ctrl-C stops the round gracefully:
    every lane kills its running attempt and queues its portal again, finished portals and their
    files are left exactly as they are, and RoundStopped is raised for a later --resume."""
    with RoundStore(store_url) as store:
        for portal_id in store.release_dead_local_claims(round_id):
            display.note(f"{portal_id}: its previous run was interrupted; evaluating it again")
    profile = load_profile(settings.profile)
    worker = worker_name()
    locks = HostLocks(settings.portal_heartbeat_s)
    errors: list[BaseException] = []

    def on_progress(portal_id: str, message: str) -> None:
        if "failed" in message and "retrying" in message:
            display.note(f"{portal_id}: {message}")

    stop = stop or threading.Event()
    with RoundStore(store_url) as store:
        attestations = store.attestations(round_id, store.round(round_id).profile)
    ctx = JobContext(settings, profile, round_dir, worker, lang, on_progress, locks, stop=stop,
                     attestations=attestations)

    finished: list[threading.Event] = []

    def lane(done: threading.Event) -> None:
        try:
            with RoundStore(store_url) as store:
                while not stop.is_set():
                    claim = store.claim(round_id, None, worker, settings.portal_heartbeat_s)
                    if claim is None:
                        counts = store.counts(round_id)
                        if counts.running == 0 and counts.queued == 0:
                            return
                        # Another process owns the rest: wait for it to finish or go stale.
                        time.sleep(min(2.0, settings.portal_heartbeat_s))
                        continue
                    state = run_claimed(store, claim, ctx)
                    display.note(_finished_line(store, round_id, claim.portal_id, state))
        except BaseException as exc:  # reported by the main thread, which owns the exit code
            errors.append(exc)
        finally:
            done.set()

    finished = [threading.Event() for _ in range(settings.round_workers)]
    lanes = [threading.Thread(target=lane, args=(done,), name=f"round-lane-{i}", daemon=True)
             for i, done in enumerate(finished)]
    for t in lanes:
        t.start()
    with RoundStore(store_url) as store:
        # Waiting on the lanes' own events, not Thread.join: a Ctrl-C that interrupts join()
        # can leave the thread looking finished while it still runs (CPython bpo-21822).
        while not all(done.is_set() for done in finished):
            try:
                display.update(store.counts(round_id))
                finished[0].wait(timeout=1.0)
            except KeyboardInterrupt:
                stop.set()
        if errors:
            raise errors[0]
        if stop.is_set():
            raise RoundStopped(round_id, [p.portal_id for p in store.portals(round_id)
                                          if p.state == "queued"])
        counts = store.counts(round_id)
        display.update(counts)
        store.mark_round_finished(round_id)
    return counts


def _finished_line(store: RoundStore, round_id: str, portal_id: str, state: str) -> str:
    if state == "lost":
        return f"{portal_id}: taken over by another worker"
    for stored in store.results(round_id):
        if stored.portal_id == portal_id:
            if stored.grade is None:
                reason = next((p.reason for p in store.portals(round_id)
                               if p.portal_id == portal_id), None)
                return f"{portal_id}: not evaluated: {reason}"
            return f"{portal_id}: grade {stored.grade}, {stored.total:g}/100, {stored.pages} pages"
    return f"{portal_id}: {state}"
