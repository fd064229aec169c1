"""Gather one portal end to end into an evidence bundle on disk (`portal-eval gather`).

Errors become evidence, never crashes: an unreachable portal yields a bundle that says
"not evaluated: <reason>"; a page that fails is recorded with its error; a browser that dies
mid-crawl leaves every page gathered so far in the bundle.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from evaluator import __version__
from evaluator.browser import BrowserSession, ContextOptions, Tab, find_chromium
from evaluator.crawl.crawler import crawl
from evaluator.crawl.frontier import Frontier
from evaluator.criteria.schema import Vocabulary
from evaluator.derived import EvidenceView, origin
from evaluator.evidence import (
    CrawlSummary,
    EvidenceBundle,
    Journeys,
    Page,
    Robots,
    Sitemap,
    Versions,
    save_bundle,
)
from evaluator.gather.journeys import search_journey, status_lookup_journey
from evaluator.gather.key_pages import key_page_urls, measure_key_pages
from evaluator.gather.page import PageJob, gather_page
from evaluator.gather.scripts import TIMING_INIT
from evaluator.settings import Settings
from evaluator.targets import Target

log = logging.getLogger(__name__)

SITEMAP_URL_CAP = 50_000


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def parse_sitemap(body: str) -> list[str]:
    """<loc> entries of a sitemap or sitemap index; [] when it is not XML."""
    try:
        root = ElementTree.fromstring(body.encode("utf-8"))
    except ElementTree.ParseError:
        return []
    return [
        el.text.strip() for el in root.iter()
        if el.tag.rsplit("}", 1)[-1] == "loc" and el.text
    ][:SITEMAP_URL_CAP]


async def gather_portal(
    target: Target, evidence_dir: Path, settings: Settings, vocabulary: Vocabulary,
    progress: Callable[[str], None] | None = None,
) -> EvidenceBundle:
    say = progress or (lambda _msg: None)
    if evidence_dir.exists():
        shutil.rmtree(evidence_dir)
    evidence_dir.mkdir(parents=True)
    started = _now()
    meta: dict[str, Any] = {
        "portal_id": target.id, "portal_name": target.name, "start_url": target.start_url,
        "started_at": started, "settings": {**settings.snapshot(), "vocabulary": vocabulary.model_dump()},
    }
    executable = find_chromium(settings.chromium or None)
    errors: list[str] = []
    disabled: dict[str, str] = {}
    if not settings.axe:
        disabled["axe"] = "switched off by the 'axe' setting"
    timeout_ms = settings.nav_timeout_s * 1000
    session = BrowserSession(executable)
    async with session:
        ua = (await session.default_user_agent()) + " " + settings.user_agent_suffix
        contexts = [await session.new_context(ContextOptions(), ua)
                    for _ in range(max(1, settings.concurrency))]
        tabs = [await session.new_tab(c, TIMING_INIT) for c in contexts]
        axe_versions: set[str] = set()

        async def gather(tab: Tab, job: PageJob) -> Page:
            page, axe_version = await gather_page(
                tab, job, evidence_dir, timeout_ms=timeout_ms, settle_ms=settings.settle_ms,
                run_axe=settings.axe, screenshot=settings.screenshots,
            )
            if axe_version:
                axe_versions.add(axe_version)
            return page

        def versions() -> Versions:
            return Versions(portal_eval=__version__, chromium=session.version,
                            playwright=session.playwright_version,
                            axe_core=",".join(sorted(axe_versions)) or None)

        say(f"{target.id}: start page {target.start_url}")
        start = await gather(tabs[0], PageJob(0, target.start_url, 0, "start", None))
        reason = None
        if start.error is not None:
            reason = f"start URL unreachable: {start.error} ({target.start_url})"
        elif start.status is None or start.status >= 400:
            reason = f"start URL answered HTTP {start.status} ({target.start_url})"
        if reason is not None:
            bundle = EvidenceBundle(**meta, finished_at=_now(), versions=versions(),
                                    not_evaluated=reason, pages=[start], disabled=disabled)
            save_bundle(bundle, evidence_dir)
            return bundle

        site = origin(start.final_url)
        robots_fetch = await session.fetch(contexts[0], f"{site}/robots.txt", timeout_ms)
        robots = Robots(url=f"{site}/robots.txt", status=robots_fetch.status,
                        body=robots_fetch.body[:20_000], error=robots_fetch.error)
        frontier = Frontier(start.final_url, settings.max_pages, settings.max_depth,
                            allowed_hosts=settings.allowed_hosts + target.allowed_hosts)
        frontier.admit(start.url, 0)
        frontier.admit(start.final_url, 0)
        sitemap_candidates = [f"{site}/sitemap.xml"]
        if robots_fetch.status == 200:
            frontier.set_robots(robots_fetch.body)
            sitemap_candidates += [
                line.split(":", 1)[1].strip() for line in robots_fetch.body.splitlines()
                if line.lower().startswith("sitemap:")
            ]
        sitemap = None
        sitemap_urls: list[str] = []
        for candidate in dict.fromkeys(sitemap_candidates):
            if not frontier.in_scope(candidate):
                continue
            fetched = await session.fetch(contexts[0], candidate, timeout_ms)
            urls = parse_sitemap(fetched.body) if fetched.status == 200 else []
            sitemap = Sitemap(url=candidate, status=fetched.status, url_count=len(urls),
                              urls=urls[:1000], error=fetched.error
                              or (None if urls or fetched.status != 200 else "not a sitemap"))
            if urls:
                sitemap_urls = urls
                break

        say(f"{target.id}: crawling (≤ {settings.max_pages} pages, depth ≤ {settings.max_depth})")
        t0 = time.monotonic()
        pages = await crawl(tabs, frontier, gather, start, sitemap_urls,
                            on_page=lambda p: say(f"{target.id}: page {p.id} {p.url}"))
        log.info("%s: %d pages in %.1f s", target.id, len(pages), time.monotonic() - t0)
        if not session.connected:
            errors.append("the browser crashed during the crawl; pages gathered so far are kept")
        crawl_summary = CrawlSummary(
            max_pages=settings.max_pages, max_depth=settings.max_depth, pages_visited=len(pages),
            skipped_robots=frontier.skipped_robots[:200],
            skipped_out_of_scope=frontier.skipped_out_of_scope, truncated=frontier.full,
        )
        provisional = EvidenceBundle(**meta, versions=versions(), pages=pages)
        view = EvidenceView(provisional, vocabulary)

        async def new_tab() -> Tab:
            return await session.new_tab(contexts[0])

        journeys = Journeys()
        if session.connected:
            say(f"{target.id}: search and status-lookup journeys")
            journeys = Journeys(
                search=await search_journey(view, new_tab, vocabulary.search_queries, timeout_ms),
                status_lookup=await status_lookup_journey(view, new_tab, vocabulary, timeout_ms,
                                                          evidence_dir),
            )
        for tab in tabs:
            await tab.close()
        for context in contexts:
            await context.close()

        key_pages = None
        if session.connected:
            view = EvidenceView(provisional.model_copy(update={"journeys": journeys}), vocabulary)
            targets = key_page_urls(view)
            say(f"{target.id}: measuring {len(targets)} key pages at {settings.mobile_width} px")
            mobile = ContextOptions(mobile=True, width=settings.mobile_width,
                                    height=settings.mobile_height)

            async def new_mobile_tab() -> tuple[Tab, Any]:
                context = await session.new_context(mobile, ua)
                tab = await session.new_tab(context, TIMING_INIT)
                return tab, context.close

            key_pages = await measure_key_pages(
                targets, new_mobile_tab, evidence_dir, timeout_ms=timeout_ms,
                settle_ms=settings.key_page_settle_ms, width=settings.mobile_width,
            )
        else:
            disabled["key_pages"] = "the browser crashed before the key-page lane"

        bundle = EvidenceBundle(
            **meta, finished_at=_now(), versions=versions(), errors=errors, disabled=disabled,
            robots=robots, sitemap=sitemap, crawl=crawl_summary, pages=pages,
            key_pages=key_pages, journeys=journeys,
        )
    shutil.rmtree(evidence_dir.parent / "tmp", ignore_errors=True)
    save_bundle(bundle, evidence_dir)
    return bundle
