"""Gather one crawled page in a tab: document, links, forms, network, timings, axe, screenshot."""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evaluator.browser import SettleReport, Tab
from evaluator.evidence import (
    AccessAids,
    AccessKey,
    AxeViolation,
    ContentAccess,
    MovingText,
    Page,
    Request,
    Settle,
    Timings,
)
from evaluator.gather import coerce, scripts
from evaluator.gather.coerce import one_line as one_line

if TYPE_CHECKING:
    from evaluator.gather.discover import Discoverer

log = logging.getLogger(__name__)

# WCAG 2.0 and 2.1, levels A and AA (axe tags): what the WCAG criterion judges.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# axe-core's best-practice rules run in the same pass: they are not law, so they are kept apart
# (Page.axe_best_practice) and feed a lower-weight signal of their own (issue 18).
AXE_BEST_PRACTICE = "best-practice"
LIMITS = {"links": 2000, "forms": 50, "text": 20_000}


@functools.cache
def axe_source() -> str:
    """axe-core as shipped inside axe-playwright-python: offline, versioned with the wheel."""
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


@dataclass(frozen=True)
class PageJob:
    id: int
    url: str
    depth: int | None
    found_via: str
    referrer: str | None


def error_page(job: PageJob, error: str) -> Page:
    """The evidence of a page whose gathering failed outright: where it was, and why not."""
    return Page(id=job.id, url=job.url, final_url=job.url, status=None, depth=job.depth,
                found_via=job.found_via, referrer=job.referrer, error=error)


def failed_page(job: PageJob, exc: BaseException) -> Page:
    """``error_page`` for an unexpected exception (a bug, a hostile page, a dying browser)."""
    return error_page(job, f"gathering failed: {type(exc).__name__}: {one_line(exc)}")


def settle_evidence(report: SettleReport) -> Settle:
    return Settle(waited_ms=report.waited_ms, settled=report.settled,
                  network_quiet=report.network_quiet, dom_stable=report.dom_stable,
                  cap_ms=report.cap_ms, quiet_ms=report.quiet_ms, pending=list(report.pending))


async def gather_page(
    tab: Tab, job: PageJob, evidence_dir: Path, *, timeout_ms: float, settle_quiet_ms: int,
    settle_cap_ms: int, run_axe: bool, screenshot: bool, discoverer: Discoverer | None = None,
) -> tuple[Page, str | None]:
    """Returns the page evidence and the axe-core version when axe ran.

    The page is read once it has settled (network quiet and DOM stable, or the cap: issue 16),
    so lists filled by XHR after load are in it. Where its clickables that are not links lead
    is learnt last (``discoverer``), after every read-out, the screenshot and the DOM snapshot:
    activating them may change the page, and the evidence is the page as a citizen found it."""
    tab.reset_network()
    nav = await tab.goto(job.url, timeout_ms)
    base: dict[str, Any] = {
        "id": job.id, "url": job.url, "final_url": nav.final_url or job.url,
        "status": nav.status, "depth": job.depth, "found_via": job.found_via,
        "referrer": job.referrer, "content_type": nav.content_type,
    }
    if nav.error is not None:
        return Page(**base, error=nav.error, requests=_requests(await tab.network())), None
    if "html" not in nav.content_type and nav.content_type:
        return Page(**base, requests=_requests(await tab.network())), None
    settled = settle_evidence(await tab.settle_until_quiet(settle_quiet_ms, settle_cap_ms))
    errors: list[str] = []
    try:
        data = await tab.evaluate(scripts.EXTRACT_PAGE, LIMITS)
    except Exception as exc:
        return Page(**base, error=f"could not read the page: {one_line(exc)}",
                    requests=_requests(await tab.network())), None
    if not isinstance(data, dict):
        return Page(**base, error="could not read the page: the page's scripts broke the read-out",
                    requests=_requests(await tab.network())), None
    timings = await read_timings(tab)
    extras = await start_a11y_extras(tab)
    axe_version: str | None = None
    violations: list[AxeViolation] | None = None
    incomplete: list[AxeViolation] | None = None
    best_practice: list[AxeViolation] | None = None
    axe_error: str | None = None
    if run_axe:
        try:
            # page.evaluate, not add_script_tag: a page's CSP cannot block it (ENVIRONMENT.md).
            await tab.evaluate(axe_source())
            result = await tab.evaluate(scripts.AXE_RUN, [*AXE_TAGS, AXE_BEST_PRACTICE])
            axe_version = result["version"]
            violations, best_practice = _split_wcag(
                [AxeViolation(**v) for v in result["violations"]])
            # What axe could not decide on a WCAG rule is a person's to check; an undecided
            # best practice is nobody's duty and is dropped.
            incomplete, _ = _split_wcag([AxeViolation(**v) for v in result["incomplete"]])
        except Exception as exc:
            axe_error = f"axe failed: {one_line(exc)}"
    moving_text, access_aids = await finish_a11y_extras(tab, extras)
    content_access = await read_content_access(tab)
    shot: str | None = None
    dom: str | None = None
    name = f"p{job.id:04d}"
    if screenshot:
        try:
            await tab.screenshot(evidence_dir / "screenshots" / f"{name}.jpg")
            shot = f"screenshots/{name}.jpg"
        except Exception as exc:
            errors.append(f"screenshot of {job.url}: {one_line(exc)}")
    try:
        html = await tab.content()
        target = evidence_dir / "dom" / f"{name}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html[:5_000_000], encoding="utf-8")
        dom = f"dom/{name}.html"
    except Exception as exc:
        errors.append(f"DOM snapshot of {job.url}: {one_line(exc)}")
    requests = _requests(await tab.network())
    links = coerce.links_from(data.get("links"), LIMITS["links"])
    discovery = None
    if discoverer is not None:
        found, discovery = await discoverer.discover(tab, nav.final_url or job.url)
        known = {(link.href, link.text) for link in links}
        links += [link for link in found if (link.href, link.text) not in known]
    try:
        # Everything in ``data`` came out of the page's own JavaScript realm: coerce, never trust.
        page = Page(
            **base,
            title=coerce.text(data.get("title"), 300),
            lang=coerce.text_or_none(data.get("lang"), 100),
            viewport_meta=coerce.text_or_none(data.get("viewport_meta"), 500),
            text=coerce.text(data.get("text"), LIMITS["text"]),
            links=links[: LIMITS["links"]],
            forms=coerce.forms_from(data.get("forms"), LIMITS["forms"]),
            insecure_subresources=coerce.texts(data.get("insecure"), 50, 500),
            requests=requests,
            timings=timings,
            axe=violations,
            axe_incomplete=incomplete,
            axe_best_practice=best_practice,
            axe_error=axe_error,
            moving_text=moving_text,
            access_aids=access_aids,
            content_access=content_access,
            screenshot=shot,
            dom=dom,
            error=None,
            settle=settled,
            discovery=discovery,
        )
    except Exception as exc:
        page = Page(**base, requests=requests, error=f"could not record the page: {one_line(exc)}")
    for message in errors:
        log.warning(message)
    return page, axe_version


async def read_timings(tab: Tab) -> Timings:
    """The page's timings, each None when it could not be read or is not a sane number."""
    try:
        return coerce.timings_from(await tab.evaluate(scripts.READ_TIMINGS))
    except Exception as exc:
        log.debug("timings unreadable: %s", one_line(exc))
        return Timings()


# How long text is watched for motion of its own: a ticker moves several pixels in 300 ms. The
# watch runs while axe does (axe leaves the page's layout alone), so a page pays only what axe
# did not already take.
MOTION_WATCH_MS = 300


@dataclass(frozen=True)
class _Extras:
    data: dict[str, Any] | None
    started: float


def _split_wcag(rules: list[AxeViolation]) -> tuple[list[AxeViolation], list[AxeViolation]]:
    """(WCAG 2.0/2.1 A or AA rules, the others: best practices and rules beyond AA)."""
    wcag = [r for r in rules if any(t in AXE_TAGS for t in r.tags)]
    return wcag, [r for r in rules if not any(t in AXE_TAGS for t in r.tags)]


async def read_content_access(tab: Tab) -> ContentAccess | None:
    """Alt texts, media and obsolete markup (scripts.CONTENT_ACCESS); None when the page's
    scripts broke the read-out."""
    try:
        data = await tab.evaluate(scripts.CONTENT_ACCESS)
        return coerce.content_access_from(data)
    except Exception as exc:
        log.debug("content read-out unreadable: %s", one_line(exc))
        return None


async def start_a11y_extras(tab: Tab) -> _Extras:
    """The TT 32/2017 Đ18 read-outs axe lacks, and the start of the motion watch."""
    try:
        data = await tab.evaluate(scripts.A11Y_EXTRAS)
    except Exception as exc:
        log.debug("accessibility extras unreadable: %s", one_line(exc))
        data = None
    return _Extras(data if isinstance(data, dict) else None, time.monotonic())


async def finish_a11y_extras(
    tab: Tab, extras: _Extras
) -> tuple[MovingText | None, AccessAids | None]:
    """None each when the page's scripts broke the read-out."""
    if extras.data is None:
        return None, None
    try:
        left_ms = MOTION_WATCH_MS - (time.monotonic() - extras.started) * 1000
        if left_ms > 0:
            await tab.settle(left_ms)
        after = await tab.evaluate(scripts.MOTION_AFTER)
        if not isinstance(after, dict):
            after = {}
        moving, aids = extras.data["moving"], extras.data["aids"]
        return (
            MovingText(
                blink=coerce.int_or_none(moving.get("blink")) or 0,
                marquee=coerce.int_or_none(moving.get("marquee")) or 0,
                animated=coerce.int_or_none(moving.get("animated")) or 0,
                moved=coerce.int_or_none(after.get("moved")) or 0,
                samples=[coerce.text(x, 120) for x in
                         (list(moving.get("samples") or []) + list(after.get("samples") or []))[:5]],
            ),
            AccessAids(
                accesskeys=[AccessKey(key=coerce.text(k.get("key"), 10),
                                      href=coerce.text(k.get("href"), 500),
                                      text=coerce.text(k.get("text"), 100))
                            for k in list(aids.get("accesskeys") or [])[:30] if isinstance(k, dict)],
                text_size_controls=[coerce.text(x, 60)
                                    for x in list(aids.get("text_size_controls") or [])[:10]],
            ),
        )
    except Exception as exc:
        log.debug("accessibility extras unreadable: %s", one_line(exc))
        return None, None


def _requests(records: list[dict[str, Any]]) -> list[Request]:
    return [Request(**r) for r in records[:500]]
