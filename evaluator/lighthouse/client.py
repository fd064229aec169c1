"""The Python side of the long-lived Lighthouse worker (worker.mjs): start it, measure, restart it.

One Node process serves every run of an evaluation; it attaches each run to the Chromium that
Playwright drives, through that browser's remote-debugging port (``BrowserSession(...,
remote_debugging_port=0).debugging_port``). It never imports Playwright and never launches a
browser. Runs are strictly one at a time: two Lighthouse runs on one browser fail with
TRACING_ALREADY_STARTED and distort each other's metrics (ENVIRONMENT.md).

Failures are one-line exceptions: :class:`LighthouseUnavailable` when Node or the npm Lighthouse
is missing or cannot load (persistent: the caller disables its Lighthouse gathering),
:class:`LighthouseRunFailed` when one run fails (the worker is restarted when needed, so the next
call works). A page Lighthouse could measure only in part (NO_FCP, a page error) is a result with
``runtime_error`` set, not an exception.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import os
import shutil
import signal
import tempfile
import time
import urllib.request
from collections import deque
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, get_args

log = logging.getLogger(__name__)

Preset = Literal["mobile", "desktop"]

#: The Node script, shipped inside the package so an installed copy has it.
WORKER_SCRIPT = Path(__file__).resolve().with_name("worker.mjs")
#: Where node_modules (holding lighthouse/) is; wins over the search from the package and CWD.
ENV_NODE_MODULES = "PORTAL_EVAL_NODE_MODULES"
#: The version package.json pins (13.x needs Node >= 22.19); another one works but is logged.
PINNED_LIGHTHOUSE = "12.8.2"
#: The audits the worker keeps, with numericValue/score/displayValue each.
METRIC_AUDITS = (
    "first-contentful-paint",
    "largest-contentful-paint",
    "speed-index",
    "total-blocking-time",
    "cumulative-layout-shift",
    "server-response-time",
    "total-byte-weight",
    # Not scored: Lighthouse picks its median run by FCP and TTI (core/lib/median-run.js).
    "interactive",
)

_FIX = "run `npm ci` in the portal-eval repo (Node >= 18.16; Lighthouse is pinned in package.json)"
# Protocol lines are small (a trimmed LHR is ~2 KB); a longer line is garbage and skipped.
_LINE_LIMIT = 4 * 1024 * 1024
#: V8's old-space cap for the worker, in MiB. Without one V8 lets garbage pile up to ~340 MiB
#: over a few runs on a small portal; capped at 256 the same runs peak at ~210 MiB and take as
#: long (BENCHMARKS.md, issue 8: the whole evaluation must fit in 1.5 GB). A page that really
#: needs more makes V8 abort with "heap out of memory": the worker is then restarted uncapped
#: and the run retried once (LighthouseWorker.measure), so the cap costs memory, never a result.
DEFAULT_HEAP_MB = 256
_HEAP_EXHAUSTED = "heap out of memory"
_STDERR_TAIL = 20


class LighthouseError(Exception):
    """Base of the Lighthouse client's errors; the message is one line."""


class LighthouseUnavailable(LighthouseError):
    """Node.js or the npm Lighthouse is missing or cannot load; the message says how to fix it."""


class LighthouseRunFailed(LighthouseError):
    """One Lighthouse run failed (timeout, worker crash, Lighthouse error); the next call works."""


@dataclass(frozen=True)
class AuditValue:
    numeric_value: float | None
    numeric_unit: str | None
    score: float | None
    display_value: str | None


@dataclass(frozen=True)
class LighthouseResult:
    """One Lighthouse run, trimmed to what portal-eval uses."""

    requested_url: str
    final_url: str
    preset: Preset
    lighthouse_version: str
    fetch_time: str
    # "CODE: message" when Lighthouse could not measure the page properly (NO_FCP, a page that
    # failed to load); the metrics are then missing or meaningless.
    runtime_error: str | None
    performance_score: float | None
    # Keyed by Lighthouse audit id (METRIC_AUDITS); an audit Lighthouse did not produce is absent.
    audits: Mapping[str, AuditValue]
    network_requests: int | None
    run_warnings: tuple[str, ...]
    # Lighthouse's CPU benchmark of this machine: simulated throttling scales by it.
    benchmark_index: float | None
    # Wall time of the run as the client saw it, seconds.
    duration_s: float
    # The trimmed LHR exactly as the worker sent it (JSON-able), for an evidence bundle.
    lhr: Mapping[str, Any] = field(repr=False, compare=False)

    def value(self, audit_id: str) -> float | None:
        """The numeric value of ``audit_id`` (ms, bytes, or unit-less for CLS), if measured."""
        audit = self.audits.get(audit_id)
        return audit.numeric_value if audit is not None else None


def _one_line(text: object, limit: int = 300) -> str:
    lines = str(text).strip().splitlines()
    return (lines[0] if lines else "unknown error")[:limit]


def _has_lighthouse(folder: Path) -> bool:
    return (folder / "lighthouse" / "package.json").is_file()


def find_node_modules(explicit: str | Path | None = None, *,
                      env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Path:
    """The node_modules folder holding ``lighthouse``.

    ``explicit`` (a setting), then $PORTAL_EVAL_NODE_MODULES, each either the node_modules folder
    or the folder that holds it; a configured path without Lighthouse is an error, not skipped.
    Otherwise the nearest ``node_modules/lighthouse`` walking up from this package (a source
    checkout), then from the working directory (an installed copy run inside the repo).
    """
    environ = os.environ if env is None else env
    configured = [(str(explicit), "setting `node_modules`")] if explicit else []
    if environ.get(ENV_NODE_MODULES):
        configured.append((environ[ENV_NODE_MODULES], f"${ENV_NODE_MODULES}"))
    if configured:
        raw, label = configured[0]
        folder = Path(raw).expanduser()
        for candidate in (folder, folder / "node_modules"):
            if _has_lighthouse(candidate):
                return candidate.resolve()
        raise LighthouseUnavailable(
            f"Lighthouse not found: {label}={raw} holds no lighthouse/package.json; fix: {_FIX}, "
            f"or point {label} at that node_modules folder")
    starts = [Path(__file__).resolve().parent, (cwd or Path.cwd()).resolve()]
    for start in starts:
        for folder in (start, *start.parents):
            if _has_lighthouse(folder / "node_modules"):
                return folder / "node_modules"
    raise LighthouseUnavailable(
        "Lighthouse not found: no node_modules/lighthouse above "
        + " nor above ".join(str(s) for s in starts)
        + f"; fix: {_FIX}, or set ${ENV_NODE_MODULES} to the node_modules folder")


def find_node(explicit: str | None = None) -> str:
    """The Node.js binary: ``explicit``, else ``node`` (or Debian's old ``nodejs``) on $PATH."""
    if explicit:
        if Path(explicit).is_file() and os.access(explicit, os.X_OK):
            return explicit
        raise LighthouseUnavailable(f"Node.js not found: {explicit} is not an executable file")
    found = shutil.which("node") or shutil.which("nodejs")
    if found is None:
        raise LighthouseUnavailable(
            "Node.js not found on $PATH; fix: `apt-get install nodejs npm` (Node >= 18.16), "
            f"then {_FIX}")
    return found


class LighthouseWorker:
    """A lazily started ``node worker.mjs``; ``measure`` runs Lighthouse on one URL at a time.

    ``node``/``node_modules`` override the discovery (find_node, find_node_modules). ``command``
    replaces ``node worker.mjs`` altogether (tests speak the protocol with a fake worker).
    Use ``async with`` or call ``close()``: the worker lives until then, across many runs, and is
    restarted after a timeout or a crash. Belongs to one event loop at a time.
    """

    def __init__(self, *, node: str | None = None, node_modules: str | Path | None = None,
                 command: Sequence[str] | None = None, start_timeout_s: float = 30.0,
                 kill_grace_s: float = 5.0, heap_mb: int | None = DEFAULT_HEAP_MB) -> None:
        self._node = node
        #: V8 old-space cap (``--max-old-space-size``); None once a page needed more.
        self.heap_mb = heap_mb
        self._heap_exhausted = False
        #: Target id of the current run's tab, as the worker announced it.
        self._open_tab: str | None = None
        self._node_modules = node_modules
        self._command = tuple(command) if command is not None else None
        self.start_timeout_s = start_timeout_s
        # How long past a run's timeout the worker gets to answer (its own timer fires first and
        # closes its tab) and how long a terminated worker gets to exit before it is killed.
        self.kill_grace_s = kill_grace_s
        self._lock = asyncio.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._proc: asyncio.subprocess.Process | None = None
        self._stderr_task: asyncio.Task[None] | None = None
        self._stderr_tail: deque[str] = deque(maxlen=_STDERR_TAIL)
        self._scratch: Path | None = None
        self._retired: list[asyncio.subprocess.Process] = []
        self._next_id = 0
        #: From the worker's hello line, once started.
        self.lighthouse_version: str | None = None
        self.node_version: str | None = None
        #: Seconds the last start took, from spawning Node to the worker's hello.
        self.startup_s: float | None = None
        #: Workers started so far (1 + restarts).
        self.starts = 0

    async def __aenter__(self) -> LighthouseWorker:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def pid(self) -> int | None:
        """The running worker's process id (tests kill it to prove the restart)."""
        return self._proc.pid if self.running and self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    async def start(self) -> None:
        """Start the worker now rather than on the first ``measure`` (~1 s; ~3 s on a cold disk)."""
        async with self._guard():
            await self._ensure_started()

    async def measure(self, url: str, port: int, preset: Preset = "mobile", *,
                      timeout_s: float = 60.0) -> LighthouseResult:
        """Run Lighthouse on ``url`` in the Chromium whose debugging port is ``port``."""
        if preset not in get_args(Preset):
            raise ValueError(f"preset must be 'mobile' or 'desktop', not {preset!r}")
        if not 0 < port < 65536:
            raise ValueError(f"port {port} is not a TCP port")
        if not (math.isfinite(timeout_s) and timeout_s > 0):
            raise ValueError(f"timeout_s must be a positive number of seconds, not {timeout_s!r}")
        async with self._guard():
            proc = await self._ensure_started()
            try:
                return await self._measure(proc, url, port, preset, timeout_s)
            except LighthouseRunFailed:
                if not (self._heap_exhausted and self.heap_mb is not None):
                    raise
            # The page needed more than the heap cap: once more on an uncapped worker.
            log.warning("the Lighthouse worker ran out of its %d MiB heap on %s; retrying the "
                        "run on a worker without the cap", self.heap_mb, url)
            self.heap_mb = None
            proc = await self._ensure_started()
            return await self._measure(proc, url, port, preset, timeout_s)

    async def _measure(self, proc: asyncio.subprocess.Process, url: str, port: int,
                       preset: Preset, timeout_s: float) -> LighthouseResult:
        self._next_id += 1
        rid = self._next_id
        request = {"id": rid, "url": url, "port": port, "preset": preset,
                   "timeout_ms": max(1, round(timeout_s * 1000))}
        started = time.monotonic()
        self._open_tab = None
        try:
            assert proc.stdin is not None
            proc.stdin.write((json.dumps(request) + "\n").encode())
            await proc.stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            reason = await self._died(proc)
            raise LighthouseRunFailed(f"the Lighthouse worker died before the run: {reason}") \
                from None
        try:
            reply = await asyncio.wait_for(self._reply(proc, rid),
                                           timeout_s + self.kill_grace_s)
        except TimeoutError:
            await self._stop(proc)
            await self._close_orphan_tab(port)
            raise LighthouseRunFailed(
                f"Lighthouse timed out after {timeout_s:g} s on {url}"
            ) from None
        except BaseException:
            # Cancelled mid-run: Lighthouse cannot be stopped, so its worker goes (SIGTERM
            # lets it close its tab); the next call starts a fresh one.
            self._retire(proc)
            raise
        duration = time.monotonic() - started
        if reply is None:
            reason = await self._died(proc)
            await self._close_orphan_tab(port)
            raise LighthouseRunFailed(f"the Lighthouse worker died during the run: {reason}")
        self._open_tab = None
        if reply.get("restart"):
            # The worker timed out on its own clock, closed its tab and is exiting.
            await self._stop(proc)
        if reply.get("ok") is not True:
            raise LighthouseRunFailed(_one_line(reply.get("error") or "unknown error"))
        return _result(reply.get("lhr"), url, preset, duration)

    async def _close_orphan_tab(self, port: int) -> None:
        """Close the tab a dead worker left open in the shared browser (a V8 abort or a kill
        gives it no time to): it would keep rendering beside the rest of the evaluation."""
        tab, self._open_tab = self._open_tab, None
        if tab is None or not tab.replace("-", "").isalnum():
            return
        url = f"http://127.0.0.1:{port}/json/close/{tab}"

        def close() -> None:
            with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=5):
                pass

        await asyncio.to_thread(close)

    async def close(self) -> None:
        """Stop the worker (it exits at the end of its input) and remove its scratch folder."""
        if self._loop is not None and self._loop is not asyncio.get_running_loop():
            self._forget_foreign_loop()
            return
        async with self._lock:
            proc = self._proc
            if proc is not None:
                if proc.stdin is not None and not proc.stdin.is_closing():
                    proc.stdin.close()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(proc.wait(), self.kill_grace_s)
                await self._stop(proc)
            await self._reap_retired()

    # -- internals ------------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _guard(self) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        if self._loop is not None and self._loop is not loop:
            self._forget_foreign_loop()
        self._loop = loop
        async with self._lock:
            yield

    def _forget_foreign_loop(self) -> None:
        """The worker belongs to an event loop that is gone (a second asyncio.run): its pipes
        cannot be used from this one, so it is signalled to stop and forgotten."""
        for proc in [self._proc, *self._retired]:
            if proc is not None and proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, signal.SIGTERM)
        self._proc, self._retired, self._stderr_task = None, [], None
        self._remove_scratch()
        self._lock = asyncio.Lock()
        self._loop = None

    def _argv(self) -> tuple[list[str], dict[str, str], Path | None]:
        env = dict(os.environ)
        if self._command is not None:
            return list(self._command), env, None
        node = find_node(self._node)
        node_modules = find_node_modules(self._node_modules)
        if not WORKER_SCRIPT.is_file():
            raise LighthouseUnavailable(f"the Lighthouse worker script {WORKER_SCRIPT} is missing; "
                                        "reinstall portal-eval")
        # ES modules ignore NODE_PATH: the worker imports Lighthouse from the path given in
        # $PORTAL_EVAL_NODE_MODULES. NODE_PATH still helps any CommonJS require on the way.
        env[ENV_NODE_MODULES] = str(node_modules)
        env["NODE_PATH"] = str(node_modules)
        heap = [f"--max-old-space-size={self.heap_mb}"] if self.heap_mb is not None else []
        return [node, *heap, str(WORKER_SCRIPT)], env, node_modules.parent

    async def _ensure_started(self) -> asyncio.subprocess.Process:
        await self._reap_retired()
        if self._proc is not None:
            if self._proc.returncode is None:
                return self._proc
            await self._stop(self._proc)
        argv, env, cwd = self._argv()
        # Lighthouse and Node write temporary files and caches: into a folder of ours, removed
        # when the worker stops (ENVIRONMENT.md: otherwise they litter /tmp and ~/.config).
        scratch = Path(tempfile.mkdtemp(prefix="pe-lighthouse-"))
        env.update(TMPDIR=str(scratch), HOME=str(scratch),
                   XDG_CONFIG_HOME=str(scratch / "config"), XDG_CACHE_HOME=str(scratch / "cache"))
        self._stderr_tail.clear()
        self._heap_exhausted = False
        started = time.monotonic()
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE, cwd=cwd, env=env, limit=_LINE_LIMIT)
        except OSError as exc:
            shutil.rmtree(scratch, ignore_errors=True)
            raise LighthouseUnavailable(
                f"cannot start the Lighthouse worker ({argv[0]}): {_one_line(exc)}; fix: {_FIX}"
            ) from None
        self._proc, self._scratch = proc, scratch
        self.starts += 1
        self._stderr_task = asyncio.ensure_future(self._drain_stderr(proc))
        try:
            hello = await asyncio.wait_for(self._hello(proc), self.start_timeout_s)
        except TimeoutError:
            await self._stop(proc)
            raise LighthouseUnavailable(
                f"the Lighthouse worker did not start within {self.start_timeout_s:g} s; "
                f"fix: {_FIX}") from None
        except BaseException:
            self._retire(proc)
            raise
        if hello is None:
            reason = await self._died(proc)
            if self._heap_exhausted and self.heap_mb is not None:
                log.warning("the Lighthouse worker ran out of its %d MiB heap at start-up; "
                            "starting it without the cap", self.heap_mb)
                self.heap_mb = None
                return await self._ensure_started()
            raise LighthouseUnavailable(f"the Lighthouse worker exited at start-up: {reason}; "
                                        f"fix: {_FIX}")
        if hello.get("ready") is not True:
            await self._stop(proc)
            raise LighthouseUnavailable(
                f"{_one_line(hello.get('error') or 'the Lighthouse worker failed to start')}; "
                f"fix: {_FIX}")
        self.startup_s = time.monotonic() - started
        self.lighthouse_version = str(hello.get("lighthouse") or "") or None
        self.node_version = str(hello.get("node") or "") or None
        if self._command is None and self.lighthouse_version != PINNED_LIGHTHOUSE:
            log.warning("Lighthouse %s found, %s pinned: results may differ; %s",
                        self.lighthouse_version, PINNED_LIGHTHOUSE, _FIX)
        log.info("Lighthouse worker %s started in %.2f s (Lighthouse %s, Node %s)",
                 proc.pid, self.startup_s, self.lighthouse_version, self.node_version)
        return proc

    async def _message(self, proc: asyncio.subprocess.Process) -> dict[str, Any] | None:
        """The next JSON object on the worker's stdout, garbage skipped; None at EOF."""
        assert proc.stdout is not None
        while True:
            try:
                raw = await proc.stdout.readline()
            except ValueError:
                # Longer than _LINE_LIMIT: asyncio dropped it; what follows is its tail or the
                # next line, and a tail does not parse.
                log.debug("Lighthouse worker: skipped an over-long line")
                continue
            if not raw:
                return None
            text = raw.decode("utf-8", errors="replace").strip()
            if not text:
                continue
            try:
                message = json.loads(text)
            except ValueError:
                message = None
            if isinstance(message, dict):
                return message
            log.debug("Lighthouse worker: skipped a line that is no protocol message: %.200s", text)

    async def _hello(self, proc: asyncio.subprocess.Process) -> dict[str, Any] | None:
        while (message := await self._message(proc)) is not None:
            if "ready" in message:
                return message
        return None

    async def _reply(self, proc: asyncio.subprocess.Process, rid: int) -> dict[str, Any] | None:
        while (message := await self._message(proc)) is not None:
            if message.get("id") == rid:
                if "ok" not in message and isinstance(message.get("tab"), str):
                    # The run's tab is open: ours to close should the worker die mid-run.
                    self._open_tab = message["tab"]
                    continue
                return message
            if message.get("id") is None and message.get("ok") is False:
                # The worker could not read our request at all: it cannot name the id.
                return message
        return None

    async def _drain_stderr(self, proc: asyncio.subprocess.Process) -> None:
        # Drained continuously: a full stderr pipe would block the worker mid-run.
        assert proc.stderr is not None
        while True:
            try:
                raw = await proc.stderr.readline()
            except ValueError:
                continue
            if not raw:
                return
            text = raw.decode("utf-8", errors="replace").rstrip()
            if _HEAP_EXHAUSTED in text:
                # Kept apart from the tail: V8's native stack trace follows and would push the
                # line out of it.
                self._heap_exhausted = True
            if text:
                self._stderr_tail.append(text)
                log.debug("lighthouse worker: %s", text[:500])

    async def _died(self, proc: asyncio.subprocess.Process) -> str:
        """Reap a worker that closed its output; say how it ended, with its last stderr line."""
        try:
            code: int | None = await asyncio.wait_for(proc.wait(), self.kill_grace_s)
        except TimeoutError:
            code = None
        if self._stderr_task is not None:
            # Its last words, which say why, may still sit in the pipe.
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(self._stderr_task), 1.0)
        await self._stop(proc)
        said = next((line for line in reversed(self._stderr_tail) if line.strip()), "")
        how = f"exit code {code}" if code is not None else "no exit"
        return _one_line(f"{how}{': ' + said if said else ''}")

    async def _stop(self, proc: asyncio.subprocess.Process) -> None:
        """SIGTERM (the worker closes its tab), then SIGKILL after the grace; forget it."""
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), self.kill_grace_s)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        if proc is self._proc:
            self._proc = None
            task, self._stderr_task = self._stderr_task, None
            if task is not None:
                with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(task, 1.0)
            self._remove_scratch()

    def _retire(self, proc: asyncio.subprocess.Process) -> None:
        """Stop ``proc`` without waiting (we are being cancelled); reaped before the next start."""
        with contextlib.suppress(ProcessLookupError):
            if proc.returncode is None:
                proc.terminate()
        self._retired.append(proc)
        if proc is self._proc:
            self._proc = None

    async def _reap_retired(self) -> None:
        retired, self._retired = self._retired, []
        for proc in retired:
            await self._stop(proc)
        if retired and self._proc is None:
            if self._stderr_task is not None:
                self._stderr_task.cancel()
                self._stderr_task = None
            self._remove_scratch()

    def _remove_scratch(self) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _result(lhr: Any, url: str, preset: Preset, duration: float) -> LighthouseResult:
    """The worker's trimmed LHR as a LighthouseResult; anything malformed is a failed run."""
    if not isinstance(lhr, dict):
        raise LighthouseRunFailed("the Lighthouse worker answered without a result")
    version, fetch_time = lhr.get("lighthouseVersion"), lhr.get("fetchTime")
    if not isinstance(version, str) or not isinstance(fetch_time, str):
        raise LighthouseRunFailed("the Lighthouse worker's result has no version or fetch time")
    raw_audits = lhr.get("audits")
    audits: dict[str, AuditValue] = {}
    if isinstance(raw_audits, dict):
        for audit_id in METRIC_AUDITS:
            audit = raw_audits.get(audit_id)
            if isinstance(audit, dict):
                audits[audit_id] = AuditValue(
                    numeric_value=_number(audit.get("numericValue")),
                    numeric_unit=_text(audit.get("numericUnit")),
                    score=_number(audit.get("score")),
                    display_value=_text(audit.get("displayValue")))
    error = lhr.get("runtimeError")
    runtime_error = None
    if isinstance(error, dict) and (error.get("code") or error.get("message")):
        runtime_error = _one_line(f"{error.get('code') or 'ERROR'}: {error.get('message') or ''}")
    categories = lhr.get("categories")
    performance = categories.get("performance") if isinstance(categories, dict) else None
    score = _number(performance.get("score")) if isinstance(performance, dict) else None
    requests = lhr.get("networkRequests")
    warnings = lhr.get("runWarnings")
    return LighthouseResult(
        requested_url=_text(lhr.get("requestedUrl")) or url,
        final_url=_text(lhr.get("finalUrl")) or url,
        preset=preset,
        lighthouse_version=version,
        fetch_time=fetch_time,
        runtime_error=runtime_error,
        performance_score=score,
        audits=MappingProxyType(audits),
        network_requests=requests if isinstance(requests, int) and not isinstance(requests, bool)
        else None,
        run_warnings=tuple(_one_line(w) for w in warnings if isinstance(w, str))
        if isinstance(warnings, list) else (),
        benchmark_index=_number(lhr.get("benchmarkIndex")),
        duration_s=duration,
        lhr=MappingProxyType(lhr),
    )
