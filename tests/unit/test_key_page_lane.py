"""The serial lane without a browser: templates taken as the crawl finds them, Lighthouse runs
one at a time with failures recorded, and the persona's walk."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from types import ModuleType
from typing import Any

import pytest

from evaluator.evidence import Journeys, KeyPageMeasurement, Page
from tests.unit.evidence_factory import browser_modules, start_page, url


@pytest.fixture(scope="module")
def mods() -> Iterator[list[ModuleType]]:
    with browser_modules("evaluator.gather.key_pages", "evaluator.gather.persona",
                         "evaluator.browser") as modules:
        yield modules


def test_the_lane_measures_each_role_once_as_soon_as_it_is_found(mods: list[ModuleType]) -> None:
    key_pages = mods[0]
    measured: list[tuple[str, str]] = []
    found: list[list[tuple[str, str]]] = [
        [("home", url("/"))],
        [("home", url("/")), ("catalogue", url("/tt"))],
        # The same URL under a second role is measured once.
        [("home", url("/")), ("catalogue", url("/tt")), ("faq", url("/tt"))],
    ]

    def discover(pages: Sequence[Page], journeys: Journeys | None) -> list[tuple[str, str]]:
        if journeys is not None:
            return [("search_results", url("/tim-kiem?q=a")), ("home", url("/"))]
        return found[min(len(pages), len(found)) - 1]

    async def measure(role: str, where: str) -> KeyPageMeasurement:
        measured.append((role, where))
        await asyncio.sleep(0)
        return KeyPageMeasurement(role=role, url=where)

    async def go() -> list[KeyPageMeasurement] | None:
        lane = key_pages.KeyPageLane(measure, discover)
        for i in range(3):
            lane.page_gathered(start_page(f"/{i}"))
            await asyncio.sleep(0.01)
        # Measured beside the "crawl", before it ends.
        assert [r for r, _ in measured] == ["home", "catalogue"]
        return await lane.finish([start_page()], Journeys())  # type: ignore[no-any-return]

    result = asyncio.run(go())
    assert result is not None
    assert [m.role for m in result] == ["home", "catalogue", "search_results"]
    assert measured == [("home", url("/")), ("catalogue", url("/tt")),
                        ("search_results", url("/tim-kiem?q=a"))]


def test_a_discovery_that_breaks_fails_the_lane_alone(mods: list[ModuleType]) -> None:
    key_pages = mods[0]

    def discover(pages: Sequence[Page], journeys: Journeys | None) -> list[tuple[str, str]]:
        raise RuntimeError("lane broke")

    async def measure(role: str, where: str) -> KeyPageMeasurement:
        raise AssertionError("nothing to measure")

    async def go() -> Any:
        lane = key_pages.KeyPageLane(measure, discover)
        lane.page_gathered(start_page())
        return lane, await lane.finish([], None)

    lane, result = asyncio.run(go())
    assert result is None
    assert str(lane.failure) == "lane broke"


def test_roles_offered_wakes_once_every_role_has_its_url_or_the_lane_fails(
        mods: list[ModuleType]) -> None:
    # The persona's slow walk starts on it (gather/run.py): it must not wake before the last of
    # its four URLs is known, and must not hang when the lane breaks.
    key_pages = mods[0]
    found: list[list[tuple[str, str]]] = [
        [("home", url("/"))],
        [("home", url("/")), ("catalogue", url("/tt")), ("service", url("/tt/1"))],
        [("home", url("/")), ("catalogue", url("/tt")), ("service", url("/tt/1")),
         ("status_lookup", url("/tra-cuu"))],
    ]

    def discover(pages: Sequence[Page], journeys: Journeys | None) -> list[tuple[str, str]]:
        return found[len(pages) - 1]

    def breaks(pages: Sequence[Page], journeys: Journeys | None) -> list[tuple[str, str]]:
        if len(pages) > 1:
            raise RuntimeError("lane broke")
        return found[0]

    async def measure(role: str, where: str) -> KeyPageMeasurement:
        return KeyPageMeasurement(role=role, url=where)

    journey = ("home", "catalogue", "service", "status_lookup")

    async def go() -> None:
        lane = key_pages.KeyPageLane(measure, discover)
        waiting = asyncio.ensure_future(lane.roles_offered(journey))
        for i in range(2):
            lane.page_gathered(start_page(f"/{i}"))
            await asyncio.sleep(0.01)
            assert not waiting.done(), i
        lane.page_gathered(start_page("/2"))
        await asyncio.wait_for(waiting, 1)
        assert lane.urls["status_lookup"] == url("/tra-cuu")
        # Known already: returns at once.
        await asyncio.wait_for(lane.roles_offered(("home",)), 1)
        await lane.finish([], None)

        broken = key_pages.KeyPageLane(measure, breaks)
        never = asyncio.ensure_future(broken.roles_offered(journey))
        broken.page_gathered(start_page("/0"))
        await asyncio.sleep(0.01)
        assert not never.done()
        broken.page_gathered(start_page("/1"))
        await asyncio.wait_for(never, 1)
        assert str(broken.failure) == "lane broke"
        await broken.cancel()

    asyncio.run(go())


class FakeWorker:
    lighthouse_version = "12.8.2"

    def __init__(self, outcomes: list[Any]) -> None:
        self.outcomes = outcomes
        self.calls: list[tuple[str, int, str, float]] = []
        self.starts = 0

    async def start(self) -> None:
        self.starts += 1
        # By name: the browser_modules fixture may have re-imported evaluator.lighthouse.
        if self.outcomes and type(self.outcomes[0]).__name__ == "LighthouseUnavailable":
            raise self.outcomes.pop(0)

    async def measure(self, url: str, port: int, preset: str = "mobile", *,
                      timeout_s: float = 60.0) -> Any:
        self.calls.append((url, port, preset, timeout_s))
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def _result(fcp: float) -> Any:
    from evaluator.lighthouse import AuditValue, LighthouseResult

    audits = {"first-contentful-paint": AuditValue(fcp, "millisecond", 0.9, f"{fcp} ms"),
              "total-byte-weight": AuditValue(5123.6, "byte", 1.0, "5 KiB")}
    return LighthouseResult(
        requested_url=url("/"), final_url=url("/"), preset="mobile", lighthouse_version="12.8.2",
        fetch_time="2026-11-23T00:00:00.000Z", runtime_error=None, performance_score=0.97,
        audits=audits, network_requests=3, run_warnings=(), benchmark_index=1500.0,
        duration_s=3.31, lhr={})


def test_lighthouse_runs_n_times_and_a_failed_run_is_recorded(mods: list[ModuleType]) -> None:
    key_pages = mods[0]
    from evaluator.lighthouse import LighthouseRunFailed

    worker = FakeWorker([_result(900), LighthouseRunFailed("the Lighthouse worker died during "
                                                           "the run: exit code -9"), _result(950)])
    lane = key_pages.LighthouseLane(worker, 9222, preset="mobile", runs=3, timeout_s=45)
    runs = asyncio.run(lane.measure(url("/")))
    assert [(r.fcp_ms, r.error) for r in runs] == [
        (900, None), (None, "the Lighthouse worker died during the run: exit code -9"),
        (950, None)]
    assert runs[0].total_byte_weight == 5124 and runs[0].network_requests == 3
    assert worker.calls == [(url("/"), 9222, "mobile", 45)] * 3
    assert lane.unavailable is None


def test_lighthouse_that_cannot_start_is_switched_off_for_the_rest(mods: list[ModuleType]) -> None:
    key_pages = mods[0]
    from evaluator.lighthouse import LighthouseUnavailable

    worker = FakeWorker([LighthouseUnavailable("Node.js not found: /nope is not an executable "
                                               "file")])
    lane = key_pages.LighthouseLane(worker, 9222, preset="mobile", runs=3, timeout_s=45)
    assert asyncio.run(lane.measure(url("/"))) is None
    assert asyncio.run(lane.measure(url("/tt"))) is None
    assert len(worker.calls) == 1
    assert lane.unavailable == "Node.js not found: /nope is not an executable file"
    portless = key_pages.LighthouseLane(worker, None, preset="mobile", runs=3, timeout_s=45)
    assert portless.unavailable == "the browser has no remote-debugging port for Lighthouse"


def test_warm_up_starts_the_worker_once_before_the_first_run(mods: list[ModuleType]) -> None:
    key_pages = mods[0]
    worker = FakeWorker([_result(900)])
    lane = key_pages.LighthouseLane(worker, 9222, preset="mobile", runs=1, timeout_s=45)

    async def go() -> Any:
        lane.warm_up()
        lane.warm_up()
        return await lane.measure(url("/"))

    runs = asyncio.run(go())
    assert worker.starts == 1 and [r.fcp_ms for r in runs] == [900]


def test_a_worker_that_cannot_start_early_switches_lighthouse_off(mods: list[ModuleType]) -> None:
    key_pages = mods[0]
    from evaluator.lighthouse import LighthouseUnavailable

    worker = FakeWorker([LighthouseUnavailable("Node.js not found: /nope is not an executable "
                                               "file")])
    lane = key_pages.LighthouseLane(worker, 9222, preset="mobile", runs=3, timeout_s=45)

    async def go() -> Any:
        lane.warm_up()
        return await lane.measure(url("/"))

    assert asyncio.run(go()) is None
    assert worker.calls == [] and worker.starts == 1
    assert lane.unavailable == "Node.js not found: /nope is not an executable file"


class PersonaTab:
    def __init__(self, log: list[Any]) -> None:
        self.log = log

    async def throttle(self, **kw: Any) -> None:
        self.log.append(("throttle", kw))

    async def goto(self, target: str, timeout_ms: float, wait_until: str = "load") -> Any:
        from evaluator.browser import NavResult

        self.log.append(("goto", target, wait_until))
        if target.endswith("/tra-cuu"):
            return NavResult(500, target, "text/html")
        return NavResult(200, target, "text/html")


def test_persona_walks_the_journey_throttled_and_unthrottled(mods: list[ModuleType]) -> None:
    persona = mods[1]
    log: list[Any] = []
    closed: list[int] = []

    async def new_tab() -> Any:
        async def close() -> None:
            closed.append(1)
        return PersonaTab(log), close

    urls = {"home": url("/"), "catalogue": url("/tt"), "status_lookup": url("/tra-cuu")}
    journey = asyncio.run(persona.persona_journey(urls, new_tab, step_timeout_ms=30_000))
    assert log[0] == ("goto", url("/"), "domcontentloaded")
    throttle = next(entry for entry in log if entry[0] == "throttle")[1]
    assert throttle == {"download_bytes_per_s": 50_000.0, "upload_bytes_per_s": 50_000.0,
                        "latency_ms": 2000, "cpu_slowdown": 4.0}
    for run in (journey.throttled, journey.unthrottled):
        assert [s.step for s in run.steps] == ["home", "catalogue", "service", "status_lookup"]
        assert [s.error for s in run.steps] == [None, None, "not found on the portal", "HTTP 500"]
        assert all(s.elapsed_ms is not None for s in run.steps if s.url)
    assert journey.throttled.profile == "slow_3g_cpu4"
    assert (journey.throttled.download_kbps, journey.throttled.latency_ms) == (400, 2000)
    assert journey.unthrottled.cpu_slowdown == 1.0
    assert len(closed) == 2
