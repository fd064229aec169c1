"""The Lighthouse client against a fake worker speaking worker.mjs's protocol: no browser, no Node.

The fake is a small Python script; what it does is chosen by the request's URL path (per run)
and by $FAKE_HELLO (at start-up), so timeouts, crashes, garbage output and restarts can be
provoked at will.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import evaluator.lighthouse.client as client
from evaluator.lighthouse import (
    METRIC_AUDITS,
    LighthouseRunFailed,
    LighthouseUnavailable,
    LighthouseWorker,
    find_node,
    find_node_modules,
)

FAKE_WORKER = textwrap.dedent('''
    import json, os, select, sys, time

    def send(obj):
        sys.stdout.write(json.dumps(obj) + "\\n")
        sys.stdout.flush()

    def lhr(request, **extra):
        audits = {a: {"numericValue": 1000.0 + i, "numericUnit": "millisecond", "score": 0.9,
                      "displayValue": f"{1 + i / 1000:.1f}\\u00a0s"}
                  for i, a in enumerate(AUDITS)}
        audits["cumulative-layout-shift"]["numericValue"] = 0
        return {"lighthouseVersion": "12.8.2", "requestedUrl": request["url"],
                "finalUrl": request["url"] + "#final", "fetchTime": "2026-01-01T00:00:00.000Z",
                "runtimeError": None, "runWarnings": [], "formFactor": request["preset"],
                "throttlingMethod": "simulate", "benchmarkIndex": 2000,
                "categories": {"performance": {"score": 0.93}}, "audits": audits,
                "networkRequests": 7, "pid": os.getpid(), "request": request, **extra}

    AUDITS = json.loads(os.environ["FAKE_AUDITS"])
    hello = os.environ.get("FAKE_HELLO", "ok")
    if hello == "fail":
        send({"ready": False, "error": "cannot load Lighthouse: Cannot find package 'lighthouse'"})
        sys.exit(1)
    if hello == "exit":
        sys.stderr.write("node: bad option: --frobnicate\\n")
        sys.exit(9)
    if hello == "silent":
        time.sleep(60)
    if hello == "noisy":
        print("(node:1) ExperimentalWarning: something", flush=True)
        send({"id": None, "ok": True})
    send({"ready": True, "lighthouse": "12.8.2", "node": "v20.0.0-fake"})

    for line in sys.stdin:
        request = json.loads(line)
        path = request["url"].split("/", 3)[3] if request["url"].count("/") >= 3 else ""
        rid = request["id"]
        if path == "ok":
            send({"id": rid, "ok": True, "lhr": lhr(request)})
        elif path == "slow":
            time.sleep(0.3)
            # The client must not send the next request before this answer.
            overlapping = bool(select.select([sys.stdin], [], [], 0)[0])
            send({"id": rid, "ok": True, "lhr": lhr(request, overlapping=overlapping)})
        elif path == "garbage":
            print("LH:warn something went to stdout", flush=True)
            print("[1, 2, 3]", flush=True)
            print("{broken json", flush=True)
            send({"id": rid + 1000, "ok": True, "lhr": {}})
            send({"ready": True})
            sys.stdout.write("x" * (5 * 1024 * 1024) + "\\n")
            sys.stdout.flush()
            send({"id": rid, "ok": True, "lhr": lhr(request)})
        elif path == "hang":
            time.sleep(60)
        elif path == "selftimeout":
            send({"id": rid, "ok": False, "restart": True,
                  "error": f"Lighthouse timed out after {request['timeout_ms'] / 1000:g} s"})
            sys.exit(3)
        elif path == "crash":
            sys.stderr.write("FATAL ERROR: Reached heap limit\\n")
            sys.stderr.flush()
            os._exit(7)
        elif path == "oom":
            # V8 at its --max-old-space-size: the message, then a native stack trace long
            # enough to push it out of the client's 20-line stderr tail. Once per marker file.
            mark = os.environ["FAKE_OOM_MARK"]
            if not os.path.exists(mark):
                open(mark, "w").close()
                sys.stderr.write("FATAL ERROR: Reached heap limit Allocation failed - "
                                 "JavaScript heap out of memory\\n----- Native stack trace -----\\n")
                for frame in range(30):
                    sys.stderr.write(f" {frame}: 0xdeadbeef node::Abort() [node]\\n")
                sys.stderr.flush()
                os._exit(134)
            send({"id": rid, "ok": True, "lhr": lhr(request)})
        elif path == "fail":
            send({"id": rid, "ok": False,
                  "error": "PROTOCOL_TIMEOUT: Waiting for DevTools protocol response\\nstack..."})
        elif path == "malformed":
            send({"id": rid, "ok": True, "lhr": "not an object"})
        elif path == "no-version":
            send({"id": rid, "ok": True, "lhr": {"fetchTime": "x"}})
        elif path == "runtime-error":
            result = lhr(request, runtimeError={"code": "NO_FCP", "message": "The page did not paint"},
                         runWarnings=["The page loaded too slowly\\nto finish within the time limit."])
            result["categories"]["performance"]["score"] = None
            result["audits"] = {}
            result["networkRequests"] = None
            send({"id": rid, "ok": True, "lhr": result})
        elif path == "odd-values":
            result = lhr(request, benchmarkIndex=True, networkRequests="7")
            result["audits"]["speed-index"] = {"numericValue": "fast", "score": None}
            result["audits"]["total-blocking-time"] = "nope"
            send({"id": rid, "ok": True, "lhr": result})
        else:
            send({"id": rid, "ok": False, "error": f"unknown fake path {path!r}"})
''')

URL = "http://127.0.0.1:1"


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    script = tmp_path / "fake_worker.py"
    script.write_text(FAKE_WORKER, encoding="utf-8")
    monkeypatch.setenv("FAKE_AUDITS", json.dumps(METRIC_AUDITS))
    return [sys.executable, str(script)]


def worker(command: list[str], **kwargs: Any) -> LighthouseWorker:
    kwargs.setdefault("kill_grace_s", 1.0)
    return LighthouseWorker(command=command, **kwargs)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); one that was reaped does not.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


# -- results ------------------------------------------------------------------------------------


def test_measure_returns_the_trimmed_result(fake: list[str]) -> None:
    async def go() -> None:
        async with worker(fake) as w:
            assert not w.running and w.starts == 0  # lazily started
            r = await w.measure(f"{URL}/ok", 9333, "desktop", timeout_s=12.5)
            assert w.running and w.starts == 1
            assert (w.lighthouse_version, w.node_version) == ("12.8.2", "v20.0.0-fake")
            assert w.startup_s is not None and w.startup_s > 0
            assert r.lhr["request"] == {"id": 1, "url": f"{URL}/ok", "port": 9333,
                                        "preset": "desktop", "timeout_ms": 12500}
            assert (r.requested_url, r.final_url) == (f"{URL}/ok", f"{URL}/ok#final")
            assert (r.preset, r.lighthouse_version, r.performance_score) == ("desktop", "12.8.2", 0.93)
            assert set(r.audits) == set(METRIC_AUDITS)
            lcp = r.audits["largest-contentful-paint"]
            assert (lcp.numeric_value, lcp.numeric_unit, lcp.score) == (1001.0, "millisecond", 0.9)
            assert r.value("cumulative-layout-shift") == 0.0
            assert r.value("no-such-audit") is None
            assert (r.network_requests, r.benchmark_index, r.runtime_error) == (7, 2000.0, None)
            assert r.duration_s > 0
            with pytest.raises(TypeError):
                r.audits["speed-index"] = r.audits["speed-index"]  # type: ignore[index]
        assert not w.running

    asyncio.run(go())


def test_runtime_error_is_a_result_not_an_exception(fake: list[str]) -> None:
    async def go() -> None:
        async with worker(fake) as w:
            r = await w.measure(f"{URL}/runtime-error", 9333)
            assert r.runtime_error == "NO_FCP: The page did not paint"
            assert r.run_warnings == ("The page loaded too slowly",)
            assert (r.performance_score, r.network_requests, dict(r.audits)) == (None, None, {})

    asyncio.run(go())


def test_values_of_the_wrong_type_become_none(fake: list[str]) -> None:
    async def go() -> None:
        async with worker(fake) as w:
            r = await w.measure(f"{URL}/odd-values", 9333)
            assert (r.benchmark_index, r.network_requests) == (None, None)
            assert r.value("speed-index") is None
            assert "total-blocking-time" not in r.audits
            assert r.value("first-contentful-paint") == 1000.0

    asyncio.run(go())


@pytest.mark.parametrize(("path", "message"), [
    ("fail", "PROTOCOL_TIMEOUT: Waiting for DevTools protocol response"),
    ("malformed", "answered without a result"),
    ("no-version", "no version or fetch time"),
])
def test_a_failed_run_raises_one_line_and_keeps_the_worker(
    fake: list[str], path: str, message: str
) -> None:
    async def go() -> None:
        async with worker(fake) as w:
            with pytest.raises(LighthouseRunFailed) as caught:
                await w.measure(f"{URL}/{path}", 9333)
            assert str(caught.value) == message or message in str(caught.value)
            assert "\n" not in str(caught.value)
            assert (await w.measure(f"{URL}/ok", 9333)).performance_score == 0.93
            assert w.starts == 1

    asyncio.run(go())


def test_garbage_on_stdout_is_skipped(fake: list[str]) -> None:
    async def go() -> None:
        async with worker(fake) as w:
            r = await w.measure(f"{URL}/garbage", 9333)
            assert r.performance_score == 0.93 and r.lhr["request"]["id"] == 1
            assert (await w.measure(f"{URL}/ok", 9333)).lhr["request"]["id"] == 2

    asyncio.run(go())


def test_noise_before_the_hello_is_skipped(fake: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_HELLO", "noisy")

    async def go() -> None:
        async with worker(fake) as w:
            assert (await w.measure(f"{URL}/ok", 9333)).performance_score == 0.93

    asyncio.run(go())


# -- timeouts, crashes, restarts ----------------------------------------------------------------


def test_timeout_kills_the_worker_and_the_next_call_works(fake: list[str]) -> None:
    async def go() -> None:
        async with worker(fake, kill_grace_s=0.3) as w:
            first = (await w.measure(f"{URL}/ok", 9333)).lhr["pid"]
            with pytest.raises(LighthouseRunFailed, match=r"timed out after 0\.5 s on .*/hang"):
                await w.measure(f"{URL}/hang", 9333, timeout_s=0.5)
            assert not w.running and not alive(first)
            r = await w.measure(f"{URL}/ok", 9333)
            assert r.lhr["pid"] != first and w.starts == 2

    asyncio.run(go())


def test_worker_side_timeout_restarts_the_worker(fake: list[str]) -> None:
    async def go() -> None:
        async with worker(fake) as w:
            first = (await w.measure(f"{URL}/ok", 9333)).lhr["pid"]
            with pytest.raises(LighthouseRunFailed, match="timed out after 2 s"):
                await w.measure(f"{URL}/selftimeout", 9333, timeout_s=2)
            assert not alive(first)
            assert (await w.measure(f"{URL}/ok", 9333)).lhr["pid"] != first
            assert w.starts == 2

    asyncio.run(go())


def test_crash_reports_the_last_words_and_the_next_call_works(fake: list[str]) -> None:
    async def go() -> None:
        async with worker(fake) as w:
            with pytest.raises(LighthouseRunFailed) as caught:
                await w.measure(f"{URL}/crash", 9333)
            assert str(caught.value) == ("the Lighthouse worker died during the run: "
                                         "exit code 7: FATAL ERROR: Reached heap limit")
            assert not w.running
            assert (await w.measure(f"{URL}/ok", 9333)).performance_score == 0.93
            assert w.starts == 2

    asyncio.run(go())


def test_a_run_past_the_heap_cap_is_retried_once_without_the_cap(
    fake: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAKE_OOM_MARK", str(tmp_path / "oom-once"))

    async def go() -> None:
        async with worker(fake, heap_mb=256) as w:
            result = await w.measure(f"{URL}/oom", 9333)
            assert result.performance_score == 0.93
            assert w.heap_mb is None and w.starts == 2

    asyncio.run(go())


def test_a_run_past_the_heap_without_a_cap_fails_like_any_crash(
    fake: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAKE_OOM_MARK", str(tmp_path / "oom-once"))

    async def go() -> None:
        async with worker(fake, heap_mb=None) as w:
            with pytest.raises(LighthouseRunFailed, match=r"died during the run: exit code 134"):
                await w.measure(f"{URL}/oom", 9333)
            assert w.starts == 1

    asyncio.run(go())


def test_the_heap_cap_is_passed_to_node(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(client, "find_node", lambda explicit=None: "/usr/bin/node")
    monkeypatch.setattr(client, "find_node_modules", lambda explicit=None: tmp_path / "node_modules")
    argv, _env, _cwd = LighthouseWorker()._argv()
    assert argv[:2] == ["/usr/bin/node", f"--max-old-space-size={client.DEFAULT_HEAP_MB}"]
    argv, _env, _cwd = LighthouseWorker(heap_mb=None)._argv()
    assert argv[1] == str(client.WORKER_SCRIPT)


def test_a_worker_that_died_between_runs_is_replaced(fake: list[str]) -> None:
    async def go() -> None:
        async with worker(fake) as w:
            pid = (await w.measure(f"{URL}/ok", 9333)).lhr["pid"]
            os.kill(pid, 9)
            await asyncio.sleep(0.2)
            # Nothing of a run was lost: the call itself gets a fresh worker.
            assert (await w.measure(f"{URL}/ok", 9333)).lhr["pid"] != pid
            assert w.starts == 2

    asyncio.run(go())


def test_a_worker_that_died_unnoticed_costs_one_run(fake: list[str]) -> None:
    async def go() -> None:
        async with worker(fake) as w:
            pid = (await w.measure(f"{URL}/ok", 9333)).lhr["pid"]
            os.kill(pid, 9)
            # Blocking the loop: asyncio has not reaped it, so only the write notices.
            while alive(pid) and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z":
                time.sleep(0.01)
            assert w.running
            # Indistinguishable from a crash during the run: that run fails, the next works.
            with pytest.raises(LighthouseRunFailed, match=r"died .* exit code -9"):
                await w.measure(f"{URL}/ok", 9333)
            assert (await w.measure(f"{URL}/ok", 9333)).lhr["pid"] != pid
            assert w.starts == 2

    asyncio.run(go())


def test_cancelling_a_run_stops_its_worker(fake: list[str]) -> None:
    async def go() -> None:
        async with worker(fake) as w:
            pid = (await w.measure(f"{URL}/ok", 9333)).lhr["pid"]
            task = asyncio.ensure_future(w.measure(f"{URL}/hang", 9333, timeout_s=30))
            await asyncio.sleep(0.3)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            r = await w.measure(f"{URL}/ok", 9333)
            assert r.lhr["pid"] != pid and not alive(pid)

    asyncio.run(go())


def test_one_run_at_a_time(fake: list[str]) -> None:
    async def go() -> None:
        async with worker(fake) as w:
            results = await asyncio.gather(*(w.measure(f"{URL}/slow", 9333) for _ in range(3)))
            assert [r.lhr["overlapping"] for r in results] == [False, False, False]
            assert sorted(r.lhr["request"]["id"] for r in results) == [1, 2, 3]
            assert w.starts == 1

    asyncio.run(go())


def test_a_worker_closed_in_one_event_loop_serves_the_next(fake: list[str]) -> None:
    w = worker(fake)

    async def once() -> int:
        try:
            pid: int = (await w.measure(f"{URL}/ok", 9333)).lhr["pid"]
        finally:
            await w.close()
        return pid

    first = asyncio.run(once())
    assert not alive(first)
    second = asyncio.run(once())
    assert first != second and w.starts == 2 and not alive(second)


def test_bad_arguments_are_refused_before_starting(fake: list[str]) -> None:
    async def go() -> None:
        w = worker(fake)
        with pytest.raises(ValueError, match="preset"):
            await w.measure(URL, 9333, "tablet")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="port"):
            await w.measure(URL, 0)
        with pytest.raises(ValueError, match="timeout_s"):
            await w.measure(URL, 9333, timeout_s=float("nan"))
        assert w.starts == 0

    asyncio.run(go())


# -- start-up failures ----------------------------------------------------------------------------


@pytest.mark.parametrize(("hello", "message"), [
    ("fail", "cannot load Lighthouse: Cannot find package 'lighthouse'; fix: run `npm ci`"),
    ("exit", "exited at start-up: exit code 9: node: bad option: --frobnicate; fix: run `npm ci`"),
])
def test_a_worker_that_cannot_start_is_unavailable(
    fake: list[str], monkeypatch: pytest.MonkeyPatch, hello: str, message: str
) -> None:
    monkeypatch.setenv("FAKE_HELLO", hello)

    async def go() -> None:
        async with worker(fake) as w:
            with pytest.raises(LighthouseUnavailable) as caught:
                await w.measure(f"{URL}/ok", 9333)
            assert message in str(caught.value) and "\n" not in str(caught.value)
            assert not w.running

    asyncio.run(go())


def test_a_silent_worker_times_out_at_start(fake: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_HELLO", "silent")

    async def go() -> None:
        async with worker(fake, start_timeout_s=0.5, kill_grace_s=0.3) as w:
            with pytest.raises(LighthouseUnavailable, match=r"did not start within 0\.5 s"):
                await w.start()
            assert not w.running

    asyncio.run(go())


def test_missing_node_is_unavailable_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(LighthouseUnavailable, match=r"Node\.js not found on \$PATH; fix: .*npm ci"):
        find_node()
    with pytest.raises(LighthouseUnavailable, match="/no/node is not an executable"):
        asyncio.run(LighthouseWorker(node="/no/node").measure(URL, 9333))


def test_missing_lighthouse_is_unavailable_with_the_fix(tmp_path: Path) -> None:
    w = LighthouseWorker(node=sys.executable, node_modules=tmp_path)
    with pytest.raises(LighthouseUnavailable) as caught:
        asyncio.run(w.measure(URL, 9333))
    assert f"setting `node_modules`={tmp_path} holds no lighthouse/package.json" in str(caught.value)
    assert "npm ci" in str(caught.value)


def test_an_unrunnable_command_is_unavailable(tmp_path: Path) -> None:
    w = LighthouseWorker(command=[str(tmp_path / "no-such-node"), "worker.mjs"])
    with pytest.raises(LighthouseUnavailable, match="cannot start the Lighthouse worker"):
        asyncio.run(w.start())


# -- finding node_modules -------------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A checkout at tmp/repo with node_modules/lighthouse; the package installed elsewhere."""
    (tmp_path / "repo" / "node_modules" / "lighthouse").mkdir(parents=True)
    (tmp_path / "repo" / "node_modules" / "lighthouse" / "package.json").write_text("{}")
    (tmp_path / "repo" / "sub").mkdir()
    site = tmp_path / "site" / "evaluator" / "lighthouse"
    site.mkdir(parents=True)
    monkeypatch.setattr(client, "__file__", str(site / "client.py"))
    monkeypatch.delenv(client.ENV_NODE_MODULES, raising=False)
    yield tmp_path


def test_node_modules_found_above_the_package(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client, "__file__", str(tree / "repo" / "evaluator" / "lighthouse" / "c.py"))
    assert find_node_modules(cwd=tree) == tree / "repo" / "node_modules"


def test_node_modules_found_above_the_working_directory(tree: Path) -> None:
    assert find_node_modules(cwd=tree / "repo" / "sub") == tree / "repo" / "node_modules"
    with pytest.raises(LighthouseUnavailable, match=r"no node_modules/lighthouse above .* fix: run `npm ci`"):
        find_node_modules(cwd=tree / "site")


def test_configured_node_modules_wins(tree: Path) -> None:
    other = tree / "other" / "node_modules" / "lighthouse"
    other.mkdir(parents=True)
    (other / "package.json").write_text("{}")
    cwd = tree / "repo"
    env = {client.ENV_NODE_MODULES: str(tree / "other")}
    assert find_node_modules(env=env, cwd=cwd) == tree / "other" / "node_modules"
    env = {client.ENV_NODE_MODULES: str(tree / "other" / "node_modules")}
    assert find_node_modules(env=env, cwd=cwd) == tree / "other" / "node_modules"
    # The setting beats the environment; a configured path without Lighthouse is an error.
    assert find_node_modules(tree / "repo", env=env, cwd=cwd) == tree / "repo" / "node_modules"
    with pytest.raises(LighthouseUnavailable, match=r"\$PORTAL_EVAL_NODE_MODULES=/nowhere holds no"):
        find_node_modules(env={client.ENV_NODE_MODULES: "/nowhere"}, cwd=cwd)


def test_the_worker_script_ships_inside_the_package() -> None:
    assert client.WORKER_SCRIPT.is_file()
    assert client.WORKER_SCRIPT.parent == Path(client.__file__).resolve().parent
