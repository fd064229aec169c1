"""The serial lane: key templates measured one at a time in a 360 px mobile-emulated context.

Timings measured beside a parallel crawl grew 2-25x on our machines (ENVIRONMENT.md), so every
performance and mobile figure that scores comes from this lane, never from the crawl.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from evaluator.browser import Tab
from evaluator.criteria.schema import KEY_PAGE_ROLES
from evaluator.derived import EvidenceView, normalise_url
from evaluator.evidence import KeyPageMeasurement
from evaluator.gather import coerce, scripts
from evaluator.gather.page import one_line

log = logging.getLogger(__name__)

# Templates a citizen's key journey passes through (RESEARCH.md §6.2 "fixed templates"); the
# criteria loader validates `scope: key_page:<role>` against the same tuple.
ROLES = KEY_PAGE_ROLES

NewMobileTab = Callable[[], Awaitable[tuple[Tab, Callable[[], Awaitable[None]]]]]


def key_page_urls(view: EvidenceView) -> list[tuple[str, str]]:
    """(role, url) for each key template found, each URL once, in ROLES order."""
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
        target = view.page(faq[0].href)
        if target is not None and target.status is not None and target.status < 400:
            found["faq"] = target.final_url
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for role in ROLES:
        url = found[role]
        if url and normalise_url(url) not in seen:
            seen.add(normalise_url(url))
            out.append((role, url))
    return out


async def measure_key_pages(
    targets: list[tuple[str, str]], new_tab: NewMobileTab, evidence_dir: Path, *,
    timeout_ms: float, settle_ms: int, width: int,
) -> list[KeyPageMeasurement]:
    """One measurement per target, in order; a page that cannot be measured is recorded with
    its error and the lane goes on with the next."""
    results: list[KeyPageMeasurement] = []
    for role, url in targets:
        # A fresh context per page: no warm HTTP cache from the previous key page.
        try:
            tab, close = await new_tab()
        except Exception as exc:
            results.append(KeyPageMeasurement(role=role, url=url, viewport_width=width,
                                              error=f"could not open a tab: {one_line(exc)}"))
            continue
        try:
            results.append(await _measure(tab, role, url, evidence_dir, timeout_ms, settle_ms,
                                          width))
        except Exception as exc:
            log.warning("key page %s (%s) failed: %s", role, url, one_line(exc))
            results.append(KeyPageMeasurement(
                role=role, url=url, viewport_width=width,
                error=f"measurement failed: {type(exc).__name__}: {one_line(exc)}"))
        finally:
            with contextlib.suppress(Exception):
                await close()
    return results


async def _measure(tab: Tab, role: str, url: str, evidence_dir: Path, timeout_ms: float,
                   settle_ms: int, width: int) -> KeyPageMeasurement:
    nav = await tab.goto(url, timeout_ms)
    if nav.error is not None:
        return KeyPageMeasurement(role=role, url=url, final_url=nav.final_url,
                                  viewport_width=width, error=nav.error)
    await tab.settle(settle_ms)
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
    )
