"""Real Lighthouse (npm, node_modules) attached to the real Chromium that Playwright drives.

A tiny page on 127.0.0.1 is measured through the browser's remote-debugging port, mobile and
desktop, while Playwright keeps using the same browser. About 25 s on 2 cores.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from evaluator.browser import BrowserSession, ContextOptions, find_chromium
from evaluator.lighthouse import (
    METRIC_AUDITS,
    LighthouseRunFailed,
    LighthouseUnavailable,
    LighthouseWorker,
    find_node_modules,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cổng dịch vụ công thử nghiệm</title>
<style>body{font-family:sans-serif;margin:1rem} .hero{height:160px;background:#c00;color:#fff}</style>
</head><body>
<h1>Cổng dịch vụ công</h1>
<div class="hero">Nộp hồ sơ trực tuyến</div>
<p>Tra cứu tình trạng hồ sơ, thanh toán phí, lệ phí.</p>
<script src="/app.js"></script>
</body></html>
""".encode()
SCRIPT = b"document.querySelector('p').textContent += ' (JS)';"


def _lighthouse_installed() -> None:
    try:
        find_node_modules()
    except LighthouseUnavailable as exc:
        pytest.skip(f"npm Lighthouse is not installed (`npm ci` in the repo; the nox tests "
                    f"session installs it): {exc}")


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """The page, its script, and /hang (a server that never answers) on 127.0.0.1."""
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.startswith("/hang"):
                release.wait(60)
                return
            body, kind = {"/app.js": (SCRIPT, "text/javascript")}.get(
                self.path, (PAGE, "text/html; charset=utf-8"))
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        release.set()
        server.shutdown()
        server.server_close()


def _tabs(port: int) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as answer:
        tabs: list[dict[str, Any]] = json.load(answer)
    return [t for t in tabs if t.get("type") == "page"]


def test_mobile_and_desktop_runs_share_playwrights_browser(site: str) -> None:
    _lighthouse_installed()
    url = f"{site}/index.html"

    async def go() -> None:
        async with BrowserSession(find_chromium(), remote_debugging_port=0) as session, \
                LighthouseWorker() as worker:
            port = session.debugging_port
            assert port is not None and port > 0
            # Playwright's own tab stays open through the runs.
            context = await session.new_context(ContextOptions(), "")
            tab = await session.new_tab(context)
            assert (await tab.goto(url, 10_000)).status == 200
            await worker.start()
            assert worker.startup_s is not None and worker.startup_s < 30
            assert worker.lighthouse_version == "12.8.2"
            # Asked at once, run one after the other: two runs on one browser would fail with
            # TRACING_ALREADY_STARTED.
            mobile, desktop = await asyncio.gather(
                worker.measure(url, port, "mobile", timeout_s=60),
                worker.measure(url, port, "desktop", timeout_s=60))
            for result, form in ((mobile, "mobile"), (desktop, "desktop")):
                assert result.runtime_error is None, result.runtime_error
                assert result.lhr["formFactor"] == form
                assert result.lhr["throttlingMethod"] == "simulate"
                assert result.final_url == url and result.lighthouse_version == "12.8.2"
                assert result.performance_score is not None and result.performance_score >= 0.9
                assert set(result.audits) == set(METRIC_AUDITS)
                for audit in result.audits.values():
                    assert audit.numeric_value is not None and audit.score is not None
                    assert audit.display_value is not None
                assert result.network_requests is not None and result.network_requests >= 2
                assert (result.value("total-byte-weight") or 0) > len(PAGE)
                assert 0 < result.duration_s < 60
            # Simulated slow 4G on a mid-range phone is slower than desktop on the same page.
            assert (mobile.value("first-contentful-paint") or 0) > (
                desktop.value("first-contentful-paint") or 0)
            # Lighthouse's tab is gone, Playwright's is still there and still works.
            assert [t["url"] for t in _tabs(port)] == [url]
            assert (await tab.goto(url, 10_000)).status == 200
            assert worker.starts == 1
            print(f"\nLighthouse worker start-up {worker.startup_s:.2f} s; mobile run "
                  f"{mobile.duration_s:.2f} s (score {mobile.performance_score}); desktop run "
                  f"{desktop.duration_s:.2f} s (score {desktop.performance_score})")

    asyncio.run(go())


def test_a_run_that_times_out_leaves_no_tab_and_the_next_run_works(site: str) -> None:
    _lighthouse_installed()

    async def go() -> None:
        async with BrowserSession(find_chromium(), remote_debugging_port=0) as session, \
                LighthouseWorker() as worker:
            port = session.debugging_port
            assert port is not None
            with pytest.raises(LighthouseRunFailed, match=r"timed out after 4 s on .*/hang"):
                await worker.measure(f"{site}/hang", port, timeout_s=4)
            assert not worker.running
            assert _tabs(port) == []
            result = await worker.measure(f"{site}/index.html", port)
            assert result.runtime_error is None and result.performance_score is not None
            assert worker.starts == 2
            assert _tabs(port) == []

    asyncio.run(go())


def test_an_unreachable_debugging_port_fails_the_run_not_the_worker() -> None:
    _lighthouse_installed()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]

    async def go() -> None:
        async with LighthouseWorker() as worker:
            for _ in range(2):
                with pytest.raises(LighthouseRunFailed, match=r"cannot attach to Chromium on "
                                   r"127\.0\.0\.1:\d+: .*ECONNREFUSED") as caught:
                    await worker.measure("http://127.0.0.1:9/", closed, timeout_s=20)
                assert "\n" not in str(caught.value)
            assert worker.starts == 1 and worker.running

    asyncio.run(go())


def test_a_run_past_the_heap_cap_is_retried_on_an_uncapped_worker(site: str) -> None:
    """Real Node, real V8 abort: 48 MiB is enough to load Lighthouse (40 was, here) and too
    little for a run (64 was, here); the run is retried once without the cap and succeeds."""
    _lighthouse_installed()

    async def go() -> None:
        async with BrowserSession(find_chromium(), remote_debugging_port=0) as session, \
                LighthouseWorker(heap_mb=48) as worker:
            port = session.debugging_port
            assert port is not None
            await worker.start()
            assert worker.heap_mb == 48 and worker.starts == 1
            result = await worker.measure(f"{site}/index.html", port)
            assert result.runtime_error is None and result.performance_score is not None
            assert worker.heap_mb is None and worker.starts == 2
            assert _tabs(port) == []

    asyncio.run(go())
