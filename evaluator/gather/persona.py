"""The "remote-area citizen" persona: the key journey on slow 3G and a 4x slower CPU.

The persona walks homepage → catalogue (find a service) → the service's detail page → status
lookup in one tab, as a citizen would (the HTTP cache stays warm between steps), once
unthrottled and once throttled through CDP. Each step's time runs from the navigation to
DOMContentLoaded: the page's content is there and its links can be used.

The unthrottled walk runs in the serial lane, after the key templates: its steps take 0.1-0.3 s
and timings that short measured beside other work are not comparable. The throttled walk starts
as soon as the lane knows the journey's four URLs (else once the crawl is over) and runs beside
the crawl, the journeys and the lane's templates (gather/run.py):
each of its steps waits on the emulated network (2 s per request at slow 3G) for ~95 % of its
4-30 s, so the lane's CPU barely moves it, and its tab, asleep on the emulated network most of the
time, barely moves Lighthouse (BENCHMARKS.md: the same walk in the lane and beside it).
Overlapped, it no longer adds its 17 s (model portal) to 2 min (slow portal) to the evaluation's
wall time.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from evaluator.browser import Tab
from evaluator.evidence import PersonaJourney, PersonaRun, PersonaStep
from evaluator.gather.page import one_line

log = logging.getLogger(__name__)

#: The journey's steps, as key-page roles, in the order a citizen takes them.
JOURNEY: tuple[str, ...] = ("home", "catalogue", "service", "status_lookup")


@dataclass(frozen=True)
class DeviceProfile:
    name: str
    download_bytes_per_s: float
    upload_bytes_per_s: float
    latency_ms: float
    cpu_slowdown: float


# Chrome DevTools' "Slow 3G" preset, as puppeteer-core's PredefinedNetworkConditions copies it
# ("Generally aligned with DevTools", NetworkManager.ts): ~500 kbps × 0.8 down and up, and a
# 400 ms RTT applied per request as 400 × 5 = 2000 ms of latency (CDP throttles per request, not
# per packet, hence the factor). CPU 4x is Lighthouse's mobile cpuSlowdownMultiplier (a cheap
# phone; lighthouse core/config/constants.js throttling.mobileSlow4G).
SLOW_3G_CHEAP_PHONE = DeviceProfile(
    name="slow_3g_cpu4",
    download_bytes_per_s=500 * 1000 / 8 * 0.8,
    upload_bytes_per_s=500 * 1000 / 8 * 0.8,
    latency_ms=400 * 5,
    cpu_slowdown=4.0,
)

NewTab = Callable[[], Awaitable[tuple[Tab, Callable[[], Awaitable[None]]]]]


async def walk(urls: Mapping[str, str], new_tab: NewTab, profile: DeviceProfile | None, *,
               step_timeout_ms: float) -> PersonaRun:
    """One walk of the journey; never raises (a failure is recorded in the run)."""
    run = PersonaRun(profile=profile.name if profile else "unthrottled")
    if profile is not None:
        run = run.model_copy(update={
            "download_kbps": profile.download_bytes_per_s * 8 / 1000,
            "upload_kbps": profile.upload_bytes_per_s * 8 / 1000,
            "latency_ms": profile.latency_ms, "cpu_slowdown": profile.cpu_slowdown})
    try:
        tab, close = await new_tab()
    except Exception as exc:
        return run.model_copy(update={"error": f"could not open a tab: {one_line(exc)}"})
    steps: list[PersonaStep] = []
    try:
        if profile is not None:
            await tab.throttle(download_bytes_per_s=profile.download_bytes_per_s,
                               upload_bytes_per_s=profile.upload_bytes_per_s,
                               latency_ms=profile.latency_ms, cpu_slowdown=profile.cpu_slowdown)
        for step in JOURNEY:
            url = urls.get(step)
            if not url:
                steps.append(PersonaStep(step=step, url="", error="not found on the portal"))
                continue
            started = time.monotonic()
            nav = await tab.goto(url, step_timeout_ms, wait_until="domcontentloaded")
            elapsed = (time.monotonic() - started) * 1000
            error = nav.error
            if error is None and nav.status is not None and nav.status >= 400:
                error = f"HTTP {nav.status}"
            steps.append(PersonaStep(step=step, url=url, final_url=nav.final_url,
                                     status=nav.status, elapsed_ms=round(elapsed, 1),
                                     error=error))
    except Exception as exc:
        log.warning("persona journey (%s) failed: %s", run.profile, one_line(exc))
        return run.model_copy(update={
            "steps": steps, "error": f"{type(exc).__name__}: {one_line(exc)}"})
    finally:
        with contextlib.suppress(Exception):
            await close()
    return run.model_copy(update={"steps": steps})


async def persona_journey(urls: Mapping[str, str], new_tab: NewTab, *,
                          step_timeout_ms: float,
                          throttled: Awaitable[PersonaRun] | None = None) -> PersonaJourney:
    """The journey unthrottled, then as the remote-area citizen, each in a fresh context.

    ``throttled``: the citizen's walk already under way (``walk`` with SLOW_3G_CHEAP_PHONE),
    awaited instead of walked again after the unthrottled one."""
    unthrottled = await walk(urls, new_tab, None, step_timeout_ms=step_timeout_ms)
    if throttled is None:
        throttled = walk(urls, new_tab, SLOW_3G_CHEAP_PHONE, step_timeout_ms=step_timeout_ms)
    return PersonaJourney(throttled=await throttled, unthrottled=unthrottled)
