"""The serial lane: key templates measured one at a time in a 360 px mobile-emulated context,
each then measured by Lighthouse N times in the same browser.

Timings measured beside a parallel crawl grew 2-25x on our machines (ENVIRONMENT.md), so every
performance and mobile figure that scores comes from this lane, never from the crawl. Inside the
lane everything is strictly one at a time: our own load, then each Lighthouse run (two Lighthouse
runs on one browser fail with TRACING_ALREADY_STARTED). The crawl and axe keep running beside
the lane on their own contexts (settings.concurrency): the lane starts as soon as the start page
is in and takes each key template as the crawl finds it (KeyPageLane).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Sequence
from pathlib import Path
from typing import Protocol

from evaluator.browser import Tab
from evaluator.criteria.schema import KEY_PAGE_ROLES
from evaluator.derived import EvidenceView, normalise_url
from evaluator.evidence import Journeys, KeyPageMeasurement, LighthouseRun, MobileRender, Page
from evaluator.gather import coerce, scripts
from evaluator.gather.page import one_line, settle_evidence
from evaluator.lighthouse import (
    LighthouseResult,
    LighthouseRunFailed,
    LighthouseUnavailable,
    Preset,
)

log = logging.getLogger(__name__)

# Templates a citizen's key journey passes through (RESEARCH.md §6.2 "fixed templates"); the
# criteria loader validates `scope: key_page:<role>` against the same tuple.
ROLES = KEY_PAGE_ROLES

NewMobileTab = Callable[[], Awaitable[tuple[Tab, Callable[[], Awaitable[None]]]]]


def key_page_urls(view: EvidenceView) -> list[tuple[str, str]]:
    """(role, url) for each key template found, each URL once, in ROLES order."""
    found = _key_page_targets(view)
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for role in ROLES:
        url = found[role]
        if url and normalise_url(url) not in seen:
            seen.add(normalise_url(url))
            out.append((role, url))
    return out


# Why a key template was not found, by role: the evidence the lane looked in.
_NOT_FOUND = {
    "home": "the start page did not load",
    "catalogue": "no link to the service catalogue on the homepage or one level below",
    "service": "the catalogue listed no service page",
    "search_results": "the search journey reached no results (no search box, or every query "
                      "failed)",
    "status_lookup": "no status-lookup form on any crawled page",
    "faq": "no working page linked as the FAQ",
}


def key_page_absences(view: EvidenceView) -> list[KeyPageMeasurement]:
    """A measurement for each key template the lane looked for and found no page for at all:
    counted as a failure of the performance and mobile criteria, with the reason, never left
    out of their average (issue 16). A template found on a page another role already measured
    (a lookup box on the homepage) is not absent."""
    found = _key_page_targets(view)
    return [KeyPageMeasurement(role=role, url="", not_found=_NOT_FOUND[role])
            for role in ROLES if not found[role]]


def _key_page_targets(view: EvidenceView) -> dict[str, str | None]:
    found: dict[str, str | None] = dict.fromkeys(ROLES)
    start = view.start_page
    found["home"] = start.final_url if start else None
    cat = view.catalogue_page
    found["catalogue"] = cat.final_url if cat else None
    found["service"] = view.services[0].url if view.services else None
    search = view.bundle.journeys.search
    if search is not None:
        found["search_results"] = next(
            (r.final_url for r in search.runs
             if r.final_url and r.status is not None and r.status < 400), None)
    lookup = view.page_with_form("status_lookup")
    found["status_lookup"] = lookup[0].final_url if lookup else None
    faq = view.find_role_link("faq")
    if faq is not None:
        target = view.target_of(faq[0].href)
        if target is not None and target.status is not None and target.status < 400:
            found["faq"] = target.final_url
    return found


async def measure_key_pages(
    targets: list[tuple[str, str]], new_tab: NewMobileTab, evidence_dir: Path, *,
    timeout_ms: float, settle_ms: int, width: int,
) -> list[KeyPageMeasurement]:
    """One measurement per target, in order; a page that cannot be measured is recorded with
    its error and the lane goes on with the next."""
    return [await measure_key_page(role, url, new_tab, evidence_dir, timeout_ms=timeout_ms,
                                   settle_ms=settle_ms, width=width)
            for role, url in targets]


async def measure_key_page(
    role: str, url: str, new_tab: NewMobileTab, evidence_dir: Path, *,
    timeout_ms: float, settle_ms: int, width: int, loaded: asyncio.Event | None = None,
    settle_quiet_ms: int = 300, settle_cap_ms: int = 5000,
) -> KeyPageMeasurement:
    """Our own load of one key page in a fresh mobile context; never raises.

    ``loaded`` is set once the load is over (the load event, or a failure): every timing is
    fixed by then, in the page's own performance entries. What follows, the settle for late
    layout shifts and pop-ups, the read-outs, the screenshots and the 320 px re-layout, times
    nothing, so the lane may start the page's Lighthouse runs beside it (gather/run.py)."""
    done = loaded if loaded is not None else asyncio.Event()
    # A fresh context per page: no warm HTTP cache from the previous key page.
    try:
        tab, close = await new_tab()
    except Exception as exc:
        done.set()
        return KeyPageMeasurement(role=role, url=url, viewport_width=width,
                                  error=f"could not open a tab: {one_line(exc)}")
    try:
        return await _measure(tab, role, url, evidence_dir, timeout_ms,
                              (settle_ms, settle_quiet_ms, settle_cap_ms), width, done)
    except Exception as exc:
        log.warning("key page %s (%s) failed: %s", role, url, one_line(exc))
        return KeyPageMeasurement(
            role=role, url=url, viewport_width=width,
            error=f"measurement failed: {type(exc).__name__}: {one_line(exc)}")
    finally:
        done.set()
        with contextlib.suppress(Exception):
            await close()


async def _measure(tab: Tab, role: str, url: str, evidence_dir: Path, timeout_ms: float,
                   settle: tuple[int, int, int], width: int,
                   loaded: asyncio.Event) -> KeyPageMeasurement:
    settle_ms, settle_quiet_ms, settle_cap_ms = settle
    try:
        nav = await tab.goto(url, timeout_ms)
    finally:
        loaded.set()
    if nav.error is not None:
        return KeyPageMeasurement(role=role, url=url, final_url=nav.final_url,
                                  viewport_width=width, error=nav.error)
    # Read once the page has settled (its XHR-filled blocks in: issue 16), and not before
    # ``settle_ms``: late layout shifts and a late largest paint belong to the measure.
    report = await tab.settle_until_quiet(settle_quiet_ms, settle_cap_ms)
    if report.waited_ms < settle_ms:
        await tab.settle(settle_ms - report.waited_ms)
    try:
        timings = await tab.evaluate(scripts.READ_TIMINGS)
        layout = await tab.evaluate(scripts.MOBILE_LAYOUT)
    except Exception as exc:
        return KeyPageMeasurement(role=role, url=url, final_url=nav.final_url, status=nav.status,
                                  viewport_width=width, error=f"could not read: {one_line(exc)}")
    if not isinstance(layout, dict):
        layout = {}
    network = await tab.network()
    shot: str | None = f"key/{role}.jpg"
    try:
        await tab.screenshot(evidence_dir / "key" / f"{role}.jpg")
    except Exception:
        shot = None
    # After the timings and the network read-out, so neither is touched by the narrow render.
    mobile = [await _render(tab, width, shot, None, evidence_dir, role)]
    for narrow in NARROW_WIDTHS:
        if narrow < width:
            mobile.append(await _render(tab, narrow, None, settle_ms, evidence_dir, role))
    return KeyPageMeasurement(
        role=role, url=url, final_url=nav.final_url, status=nav.status,
        # Both read-outs come from the page's own JavaScript realm: coerce, never trust.
        timings=coerce.timings_from(timings),
        transfer_bytes=sum(r["bytes"] for r in network),
        request_count=len(network),
        failed_requests=sum(1 for r in network if r["failure"]),
        viewport_width=width,
        scroll_width=coerce.int_or_none(layout.get("scroll_width")),
        client_width=coerce.int_or_none(layout.get("client_width")),
        viewport_meta=coerce.text_or_none(layout.get("viewport_meta"), 500), screenshot=shot,
        mobile=mobile, settle=settle_evidence(report),
    )


# The narrowest phones still sold and WCAG 1.4.10's reflow width (RESEARCH.md T06): the page
# loaded at 360 px is resized, not loaded again, so the serial lane pays a re-layout (≈0.2 s),
# not a second navigation.
NARROW_WIDTHS = (320,)
RESIZE_SETTLE_MS = 200


async def _render(tab: Tab, width: int, shot: str | None, resize_settle_ms: int | None,
                  evidence_dir: Path, role: str) -> MobileRender:
    """The page's layout at ``width``: resized first when ``resize_settle_ms`` is given."""
    try:
        if resize_settle_ms is not None:
            size = tab.page.viewport_size
            height = size["height"] if size else 800
            await tab.page.set_viewport_size({"width": width, "height": height})
            await tab.settle(min(resize_settle_ms, RESIZE_SETTLE_MS))
            shot = f"key/{role}-{width}.jpg"
            try:
                await tab.screenshot(evidence_dir / "key" / f"{role}-{width}.jpg")
            except Exception:
                shot = None
        data = await tab.evaluate(scripts.MOBILE_RENDER)
        if not isinstance(data, dict):
            raise ValueError("the page's scripts broke the read-out")
    except Exception as exc:
        return MobileRender(width=width, screenshot=shot, error=f"could not read: {one_line(exc)}")
    # From the page's own JavaScript realm: coerce, never trust.
    return MobileRender(
        width=width, screenshot=shot,
        scroll_width=coerce.int_or_none(data.get("scroll_width")),
        client_width=coerce.int_or_none(data.get("client_width")),
        tap_targets=coerce.int_or_none(data.get("tap_targets")),
        small_tap_targets=coerce.int_or_none(data.get("small_tap_targets")),
        small_tap_samples=[coerce.text(x, 80) for x in list(data.get("small_tap_samples") or [])[:5]],
        text_chars=coerce.int_or_none(data.get("text_chars")),
        small_text_chars=coerce.int_or_none(data.get("small_text_chars")),
    )


# -- Lighthouse in the lane ------------------------------------------------------------------------


class LighthouseMeasurer(Protocol):
    """LighthouseWorker's surface the lane uses (a fake in unit tests)."""

    lighthouse_version: str | None

    async def start(self) -> None: ...

    async def measure(self, url: str, port: int, preset: Preset = "mobile", *,
                      timeout_s: float = 60.0) -> LighthouseResult: ...


def lighthouse_run(result: LighthouseResult) -> LighthouseRun:
    """The evidence of one run: the metrics the criteria read, nothing else."""
    return LighthouseRun(
        preset=result.preset, fetch_time=result.fetch_time,
        duration_s=round(result.duration_s, 3), runtime_error=result.runtime_error,
        performance_score=result.performance_score,
        fcp_ms=result.value("first-contentful-paint"),
        lcp_ms=result.value("largest-contentful-paint"),
        speed_index_ms=result.value("speed-index"),
        tbt_ms=result.value("total-blocking-time"),
        cls=result.value("cumulative-layout-shift"),
        server_response_ms=result.value("server-response-time"),
        tti_ms=result.value("interactive"),
        total_byte_weight=(round(v) if (v := result.value("total-byte-weight")) is not None
                           else None),
        network_requests=result.network_requests, benchmark_index=result.benchmark_index,
        warnings=list(result.run_warnings)[:10],
    )


class LighthouseLane:
    """N Lighthouse runs per template through one long-lived worker.

    A worker that cannot start at all (no Node, no npm Lighthouse) switches Lighthouse off for
    the rest of the evaluation (``unavailable`` says why); a run that fails (timeout, crash) is
    recorded with its error and the worker is restarted by the next run.
    """

    def __init__(self, worker: LighthouseMeasurer, port: int | None, *, preset: Preset,
                 runs: int, timeout_s: float, unavailable: str | None = None,
                 before_run: Callable[[], object] | None = None) -> None:
        self.worker = worker
        self.port = port
        self.preset: Preset = preset
        self.runs = runs
        self.timeout_s = timeout_s
        self.unavailable = unavailable
        if port is None and unavailable is None:
            self.unavailable = "the browser has no remote-debugging port for Lighthouse"
        self._warming: asyncio.Future[None] | None = None
        #: Called before each run (gather/priority.py: the renderers beside it yield the CPU).
        self._before_run = before_run

    def warm_up(self) -> None:
        """Start the worker now, while the browser loads the start page: Node and Lighthouse
        take 1-3 s to load, and the lane's first template would otherwise wait for them."""
        if self.unavailable is None and self._warming is None:
            self._warming = asyncio.ensure_future(self._start())

    async def _start(self) -> None:
        try:
            await self.worker.start()
        except LighthouseUnavailable as exc:
            self.unavailable = one_line(exc)
            log.warning("Lighthouse unavailable: %s", self.unavailable)
        except Exception as exc:  # the first run retries the start and records what fails
            log.warning("Lighthouse worker did not start early: %s", one_line(exc))

    async def cancel_warm_up(self) -> None:
        if self._warming is not None and not self._warming.done():
            self._warming.cancel()
            with contextlib.suppress(BaseException):
                await self._warming

    async def measure(self, url: str) -> list[LighthouseRun] | None:
        if self._warming is not None:
            await self._warming
        if self.unavailable is not None or self.port is None:
            return None
        return await self._measure(url, self.port)

    async def _measure(self, url: str, port: int) -> list[LighthouseRun] | None:
        runs: list[LighthouseRun] = []
        for _ in range(self.runs):
            if self._before_run is not None:
                self._before_run()
            started = time.monotonic()
            try:
                result = await self.worker.measure(url, port, self.preset,
                                                   timeout_s=self.timeout_s)
            except LighthouseUnavailable as exc:
                self.unavailable = one_line(exc)
                log.warning("Lighthouse unavailable: %s", self.unavailable)
                return None
            except LighthouseRunFailed as exc:
                log.warning("Lighthouse run on %s failed: %s", url, one_line(exc))
                runs.append(LighthouseRun(preset=self.preset, error=one_line(exc),
                                          duration_s=round(time.monotonic() - started, 3)))
                continue
            runs.append(lighthouse_run(result))
        return runs


# -- the lane beside the crawl ---------------------------------------------------------------------

Discover = Callable[[Sequence[Page], Journeys | None], list[tuple[str, str]]]
MeasureKeyPage = Callable[[str, str], Awaitable[KeyPageMeasurement]]


class KeyPageLane:
    """Measures key templates one at a time, as the crawl finds them.

    ``page_gathered`` (the crawl's on_page) re-runs ``discover`` on the pages so far and queues
    each role the first time a URL is found for it; ``finish`` adds what only the whole crawl
    and the journeys reveal (the search results page), then waits for the lane to drain. A
    failure anywhere (discovery included) fails the lane alone: ``failure`` says why and the
    crawl goes on.
    """

    def __init__(self, measure: MeasureKeyPage, discover: Discover) -> None:
        self._measure = measure
        self._discover = discover
        self._pages: list[Page] = []
        self._offered_roles: set[str] = set()
        self._offered_urls: set[str] = set()
        self._queue: asyncio.Queue[tuple[str, str] | None] = asyncio.Queue()
        self._results: dict[str, KeyPageMeasurement] = {}
        self.failure: BaseException | None = None
        #: Role → URL as offered, for the persona's journey.
        self.urls: dict[str, str] = {}
        self._waiters: list[tuple[frozenset[str], asyncio.Event]] = []
        self._task = asyncio.ensure_future(self._run())

    async def roles_offered(self, roles: Collection[str]) -> None:
        """Return once every role in ``roles`` has its URL in ``urls`` (a role's URL is set once
        and never changes), or once the lane has failed."""
        wanted = frozenset(roles)
        if self.failure is not None or wanted <= self.urls.keys():
            return
        event = asyncio.Event()
        self._waiters.append((wanted, event))
        await event.wait()

    def _wake(self) -> None:
        for wanted, event in self._waiters:
            if self.failure is not None or wanted <= self.urls.keys():
                event.set()
        self._waiters = [(w, e) for w, e in self._waiters if not e.is_set()]

    def page_gathered(self, page: Page) -> None:
        self._pages.append(page)
        if self._offered_roles >= set(ROLES) - {"search_results"}:
            return
        self._discover_and_offer(None)

    def journeys_found(self, journeys: Journeys) -> None:
        """A journey finished before the crawl did (the search beside it): offer what it
        reveals (the search results page) now, not at ``finish``."""
        self._discover_and_offer(journeys)

    def _discover_and_offer(self, journeys: Journeys | None) -> None:
        if self.failure is not None:
            return
        try:
            found = self._discover(self._pages, journeys)
        except Exception as exc:
            self._fail(exc)
            return
        self._offer(found)

    def _offer(self, found: list[tuple[str, str]]) -> None:
        for role, url in found:
            key = normalise_url(url)
            if role in self._offered_roles or key in self._offered_urls:
                continue
            self._offered_roles.add(role)
            self._offered_urls.add(key)
            self.urls[role] = url
            self._queue.put_nowait((role, url))
        self._wake()

    def _fail(self, exc: BaseException) -> None:
        if self.failure is None:
            self.failure = exc
            self._queue.put_nowait(None)
            self._wake()

    async def _run(self) -> None:
        while (item := await self._queue.get()) is not None:
            role, url = item
            self._results[role] = await self._measure(role, url)

    async def finish(self, pages: Sequence[Page], journeys: Journeys | None,
                     ) -> list[KeyPageMeasurement] | None:
        """Measurements in ROLES order once the lane drains; None when the lane failed."""
        if self.failure is None:
            try:
                self._offer(self._discover(pages, journeys))
            except Exception as exc:
                self._fail(exc)
        self._queue.put_nowait(None)
        try:
            await self._task
        except Exception as exc:
            self._fail(exc)
        if self.failure is not None:
            return None
        return [self._results[r] for r in ROLES if r in self._results]

    async def cancel(self) -> None:
        self._task.cancel()
        with contextlib.suppress(BaseException):
            await self._task
