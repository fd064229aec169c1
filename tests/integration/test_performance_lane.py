"""The performance pillar end to end with real Chromium, Lighthouse and the fixture portals.

The graded portals come from the session's `evaluated` fixture (no extra browser time); the
failure cases (no Node, a worker killed mid-run) run their own small evaluations.
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from evaluator.browser import BrowserSession, find_chromium
from evaluator.checks.model import Status
from evaluator.criteria.loader import load_profile
from evaluator.evidence import load_bundle
from evaluator.lighthouse import LighthouseUnavailable, LighthouseWorker, find_node_modules
from evaluator.pipeline import PortalRun, evaluate_portal
from evaluator.settings import load_settings
from fixtures.demo import portal_target

pytestmark = [pytest.mark.browser]

LIGHTHOUSE_CRITERIA = ("first-contentful-paint", "largest-contentful-paint", "speed-index",
                       "total-blocking-time", "cumulative-layout-shift", "server-response-time",
                       "page-weight")


def _lighthouse_installed() -> None:
    try:
        find_node_modules()
    except LighthouseUnavailable as exc:
        pytest.skip(f"npm Lighthouse is not installed (`npm ci`): {exc}")


def test_every_template_keeps_all_its_runs_and_the_report_shows_them(
    evaluated: dict[str, PortalRun],
) -> None:
    _lighthouse_installed()
    run = evaluated["mau"]
    bundle = load_bundle(run.folder / "evidence")
    measured = {k.role: k.lighthouse for k in bundle.key_pages or [] if k.lighthouse is not None}
    assert set(measured) == {"home", "catalogue", "service", "search_results", "status_lookup"}
    for runs in measured.values():
        assert runs is not None and len(runs) == 3
        assert all(r.error is None and r.preset == "mobile" for r in runs)
    assert bundle.versions.lighthouse == "12.8.2"
    performance = run.result.performance
    assert performance is not None and len(performance.templates) == 5
    report = (run.folder / "report.html").read_text(encoding="utf-8")
    assert 'id="performance-measurements"' in report
    assert "&lt; 3,00 giây" in report  # the FCP threshold beside the values (vi report)


def test_the_slow_portal_fails_the_lighthouse_thresholds_the_model_passes(
    evaluated: dict[str, PortalRun],
) -> None:
    _lighthouse_installed()
    status = {pid: {c.id: c.status for c in evaluated[pid].result.criteria}
              for pid in ("mau", "kem")}
    for cid in LIGHTHOUSE_CRITERIA:
        assert status["mau"][cid] is Status.PASS, cid
        assert status["kem"][cid] is Status.FAIL, cid


def test_the_model_portal_clearly_beats_the_slow_one_for_the_remote_citizen(
    evaluated: dict[str, PortalRun],
) -> None:
    totals: dict[str, Any] = {}
    for pid in ("mau", "kem"):
        persona = evaluated[pid].result.performance.persona  # type: ignore[union-attr]
        assert persona is not None
        totals[pid] = (persona.throttled_total_ms, persona.unthrottled_total_ms)
        # Throttling costs time on both.
        assert persona.throttled_total_ms > persona.unthrottled_total_ms  # type: ignore[operator]
    assert totals["kem"][0] > 2 * totals["mau"][0], totals


def test_without_node_the_performance_criteria_say_lighthouse_is_missing(
    fixture_server: Any, tmp_path: Path,
) -> None:
    settings = load_settings(env={}).with_overrides(
        node="/nonexistent/node", max_pages=8, persona=False)
    # The serial-lane hook (what a round's machine-wide lock plugs into) is awaited before the
    # lane's first measurement.
    events: list[str] = []

    async def serial_lane() -> None:
        events.append("lane")

    run = evaluate_portal(portal_target(fixture_server, "mau"), tmp_path, settings,
                          load_profile("vn-2023"), progress=events.append,
                          serial_lane=serial_lane)
    first_key_page = next(i for i, e in enumerate(events) if ": key page " in e)
    assert "lane" in events[:first_key_page], events[:first_key_page]
    result = run.result
    assert result.grade is not None
    by_id = {c.id: c for c in result.criteria}
    for cid in LIGHTHOUSE_CRITERIA:
        assert by_id[cid].status is Status.ERROR
        assert by_id[cid].error is not None
        assert by_id[cid].error.startswith("missing evidence 'lighthouse': Lighthouse could not "
                                           "run: Node.js not found: /nonexistent/node"), cid
    # The rest of the evaluation completed.
    assert by_id["status-lookup"].status is Status.PASS
    assert by_id["availability-during-evaluation"].status is Status.PASS
    assert by_id["mobile-viewport"].status is Status.PASS
    assert result.performance is not None
    assert result.performance.lighthouse_unavailable is not None


def test_a_worker_killed_mid_run_is_restarted_for_the_next_page(fixture_server: Any) -> None:
    _lighthouse_installed()
    from evaluator.gather.key_pages import LighthouseLane

    home = fixture_server.url("mau")

    async def go() -> None:
        async with BrowserSession(find_chromium(), remote_debugging_port=0,
                                  persistent=True) as session, LighthouseWorker() as worker:
            lane = LighthouseLane(worker, session.debugging_port, preset="mobile", runs=1,
                                  timeout_s=60)
            await worker.start()
            first_pid = worker.pid
            assert first_pid is not None
            measuring = asyncio.ensure_future(lane.measure(home))
            await asyncio.sleep(1.0)
            os.kill(first_pid, signal.SIGKILL)
            (crashed,) = await measuring  # type: ignore[misc]
            assert crashed.error is not None
            assert "worker died" in crashed.error
            # The next page is measured by a fresh worker.
            (next_run,) = await lane.measure(home.rstrip("/") + "/tra-cuu-ho-so")  # type: ignore[misc]
            assert next_run.error is None and next_run.fcp_ms is not None
            assert worker.starts == 2 and worker.pid not in (None, first_pid)
            assert lane.unavailable is None

    asyncio.run(go())
