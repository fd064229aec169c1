"""One portal of a round, start to finish; the local pool and the Celery task both call this.

A claimed portal gets up to 1 + ``portal_retries`` attempts. Each attempt is a child process
(evaluator/rounds/child.py → pipeline.evaluate_portal) killed with its whole process group at
``portal_timeout_s``. While it runs, the job beats the portal's heartbeat in the store; if the
store says another worker took the portal over, the attempt is abandoned and nothing recorded.
A portal that never evaluates becomes a result too: "not evaluated: <reason> (N attempts)".
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from evaluator import __version__
from evaluator.criteria.loader import LoadedProfile, load_profile
from evaluator.evidence import BUNDLE_FILE, EvidenceBundle, Versions, save_bundle
from evaluator.pipeline import EVIDENCE, RESULT, write_outputs
from evaluator.results import PortalResult, ResultError, load_result
from evaluator.rounds.attestations import AttestationFile
from evaluator.rounds.child import PARENT_ENV
from evaluator.rounds.store import Claim, RoundStore
from evaluator.scoring import score_bundle
from evaluator.settings import Settings
from evaluator.targets import Target

log = logging.getLogger(__name__)

# (host, beat) → a context holding the host's lock; ``beat`` keeps the claim alive while it
# waits, so a portal waiting for its host is not mistaken for one whose worker died.
HostLock = Callable[[str, Callable[[], object]], AbstractContextManager[object]]


@dataclass(frozen=True)
class Attempt:
    result: PortalResult | None
    reason: str | None  # why the attempt failed; None when the portal was evaluated
    wall_s: float
    lost: bool = False  # another worker owns the portal now
    interrupted: bool = False  # the batch was told to stop (SIGTERM, Ctrl-C)


@dataclass(frozen=True)
class JobContext:
    settings: Settings
    profile: LoadedProfile
    out_dir: Path  # the round's folder: <out>/<round-id>
    worker: str
    lang: str = "vi"
    on_progress: Callable[[str, str], None] | None = None  # (portal id, message)
    host_lock: HostLock | None = None
    # Called at every heartbeat while an attempt runs (the Celery engine extends its host lock).
    on_beat: Callable[[], None] | None = None
    # Set when the batch must stop (SIGTERM): running attempts are killed and their portals
    # queued again for a resume, finished ones are untouched.
    stop: threading.Event | None = None
    # The round's recorded attestations files, by portal id (rounds/attestations.py).
    attestations: Mapping[str, AttestationFile] = field(default_factory=dict)


def host_key(target: Target) -> str:
    """The server a portal lives on (host and port): one Lighthouse/timing lane per host."""
    parts = urlsplit(target.start_url)
    return (parts.netloc or target.start_url).lower()


@contextlib.contextmanager
def no_lock(_host: str, _beat: Callable[[], object]) -> Iterator[None]:
    yield


def _one_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1][:300] if lines else ""


def run_attempt(target: Target, ctx: JobContext, store: RoundStore, claim: Claim) -> Attempt:
    """One child process evaluating ``target`` into ``ctx.out_dir/<id>``, killed on timeout."""
    settings = ctx.settings
    logs = ctx.out_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    recorded = ctx.attestations.get(target.id)
    spec = {
        "target": json.loads(_target_json(target)), "out_dir": str(ctx.out_dir),
        "settings": settings.snapshot(), "lang": ctx.lang,
        "attestations": None if recorded is None else {
            "file": recorded.file, "sha256": recorded.sha256, "text": recorded.text},
    }
    store.attempt_started(claim)
    started = time.monotonic()
    # Remove the previous attempt's result first: only a result written by this attempt counts.
    (ctx.out_dir / target.id / RESULT).unlink(missing_ok=True)
    with (logs / f"{target.id}.attempt-{claim.attempt}.log").open("wb") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-m", "evaluator.rounds.child"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=stderr, start_new_session=True,
            env=_child_env(),
        )
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(json.dumps(spec).encode("utf-8"))
        child.stdin.close()
        stdout = child.stdout

        def read() -> None:
            for raw in stdout:
                with contextlib.suppress(ValueError):
                    message = json.loads(raw)
                    if "progress" in message and ctx.on_progress is not None:
                        ctx.on_progress(target.id, str(message["progress"]))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        deadline = started + settings.portal_timeout_s
        next_beat = started + settings.portal_heartbeat_s
        lost = timed_out = interrupted = False
        while child.poll() is None:
            now = time.monotonic()
            if ctx.stop is not None and ctx.stop.is_set():
                interrupted = True
                break
            if now >= deadline:
                timed_out = True
                break
            if now >= next_beat:
                next_beat = now + settings.portal_heartbeat_s
                if not store.heartbeat(claim):
                    lost = True
                    break
                if ctx.on_beat is not None:
                    ctx.on_beat()
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=min(0.5, max(0.01, deadline - now)))
        if child.poll() is None:
            # The whole group: the child, Playwright's driver and Chromium.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
            child.wait()
        reader.join(timeout=5)
    wall = time.monotonic() - started
    if interrupted:
        return Attempt(None, "interrupted", wall, interrupted=True)
    if lost:
        return Attempt(None, "taken over by another worker", wall, lost=True)
    if timed_out:
        return Attempt(None, f"timed out after {settings.portal_timeout_s:g} s", wall)
    if child.returncode != 0:
        tail = _one_line((logs / f"{target.id}.attempt-{claim.attempt}.log")
                         .read_text(encoding="utf-8", errors="replace")[-4000:])
        return Attempt(None, f"evaluation process failed (exit {child.returncode})"
                       + (f": {tail}" if tail else ""), wall)
    try:
        result = load_result(ctx.out_dir / target.id / RESULT)
    except ResultError as exc:
        return Attempt(None, f"no result: {exc}", wall)
    return Attempt(result, result.not_evaluated, wall)


def _child_env() -> dict[str, str]:
    """The parent's environment, the marker that ties the child to us, and the folder this
    `evaluator` package was imported from first on the path: the child runs the same code."""
    import evaluator

    package_root = str(Path(evaluator.__file__).resolve().parents[1])
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, PARENT_ENV: str(os.getpid()),
            "PYTHONPATH": package_root + (os.pathsep + path if path else "")}


def _target_json(target: Target) -> str:
    from evaluator.rounds.store import target_to_json

    return target_to_json(target)


def not_evaluated_result(target: Target, reason: str, profile: LoadedProfile) -> PortalResult:
    """The result of a portal no attempt could evaluate: graded by the same scoring as every
    other, from a bundle that only says why."""
    bundle = EvidenceBundle(
        portal_id=target.id, portal_name=target.name, start_url=target.start_url,
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        versions=Versions(portal_eval=__version__), not_evaluated=reason,
    )
    return score_bundle(bundle, profile)


def run_claimed(store: RoundStore, claim: Claim, ctx: JobContext) -> str:
    """Every attempt the portal has left, then its one result. Returns the final state:
    "done", "not_evaluated", "lost" (another worker owns it now; nothing recorded) or
    "interrupted" (ctx.stop was set: the portal is queued again, nothing recorded)."""
    target = claim.target
    lock = ctx.host_lock or no_lock
    with lock(host_key(target), lambda: store.heartbeat(claim)):
        while True:
            if ctx.stop is not None and ctx.stop.is_set():
                store.release_interrupted(claim)
                return "interrupted"
            attempt = run_attempt(target, ctx, store, claim)
            if attempt.interrupted:
                store.release_interrupted(claim)
                return "interrupted"
            if attempt.lost:
                log.warning("%s: taken over by another worker; this attempt is dropped", target.id)
                return "lost"
            if attempt.reason is None and attempt.result is not None:
                return _finish(store, claim, ctx, attempt.result, attempt.wall_s, None)
            reason = attempt.reason or "unknown failure"
            failures, again = store.record_failure(claim, reason, ctx.settings.portal_retries)
            if again:
                if ctx.on_progress is not None:
                    ctx.on_progress(target.id, f"attempt {claim.attempt} failed ({reason}); "
                                    "retrying")
                claim = store.start_retry(claim, ctx.worker)
                continue
            final = f"{reason} ({failures} attempt{'s' if failures != 1 else ''})"
            if attempt.result is not None:
                result = attempt.result.model_copy(update={"not_evaluated": final})
            else:
                result = not_evaluated_result(target, final, ctx.profile)
                evidence = ctx.out_dir / target.id / EVIDENCE
                if not (evidence / BUNDLE_FILE).is_file():
                    save_bundle(EvidenceBundle(
                        portal_id=target.id, portal_name=target.name, start_url=target.start_url,
                        started_at=result.evaluated_at, versions=result.versions,
                        not_evaluated=final), evidence)
            write_outputs(result, ctx.out_dir / target.id, ctx.lang)
            return _finish(store, claim, ctx, result, attempt.wall_s, final)


def _finish(store: RoundStore, claim: Claim, ctx: JobContext, result: PortalResult,
            wall_s: float, not_evaluated: str | None) -> str:
    from evaluator.results import dump_result

    bundle = ctx.out_dir / claim.portal_id / EVIDENCE / BUNDLE_FILE
    evidence = bundle.read_text(encoding="utf-8") if bundle.is_file() else None
    recorded = store.finish(
        claim, profile=ctx.settings.profile, result_json=dump_result(result), grade=result.grade,
        total=result.total, pillars={p.id: p.points for p in result.pillars.values()},
        pages=result.pages_evaluated, evaluated_at=result.evaluated_at, wall_s=wall_s,
        evidence_json=evidence, not_evaluated=not_evaluated,
    )
    if not recorded:
        return "lost"
    return "not_evaluated" if not_evaluated else "done"


def job_context(settings: Settings, out_dir: Path, worker: str, lang: str = "vi",
                on_progress: Callable[[str, str], None] | None = None,
                host_lock: HostLock | None = None,
                attestations: Mapping[str, AttestationFile] | None = None) -> JobContext:
    return JobContext(settings, load_profile(settings.profile), out_dir, worker, lang,
                      on_progress, host_lock, attestations=dict(attestations or {}))
