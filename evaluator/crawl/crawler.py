"""The async crawl engine: breadth-first, level by level, over a few tabs of one browser.

Level by level keeps the recorded depth exact (fewest clicks from the homepage) even though the
pages of one level load concurrently.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urldefrag

from evaluator.browser import Tab
from evaluator.crawl.frontier import Frontier
from evaluator.evidence import Page
from evaluator.gather.page import PageJob, failed_page, one_line

log = logging.getLogger(__name__)

GatherFn = Callable[[Tab, PageJob], Awaitable[Page]]


async def crawl(
    tabs: list[Tab], frontier: Frontier, gather: GatherFn, start_page: Page,
    sitemap_urls: list[str], on_page: Callable[[Page], None] | None = None,
    deadline: float | None = None,
) -> list[Page]:
    """Crawl from an already gathered start page; returns every page gathered, start first.

    ``deadline`` (time.monotonic()): no page is started after it; the pages gathered so far are
    the crawl (a portal that is slow everywhere still gets judged on what was seen)."""
    pages = [start_page]
    next_id = start_page.id + 1
    level = _expand(frontier, [start_page], 1)
    depth = 1
    while level:
        jobs = []
        for url, referrer in level:
            jobs.append(PageJob(next_id, url, depth, "link", referrer))
            next_id += 1
        gathered = await _run(tabs, jobs, gather, on_page, deadline)
        pages += gathered
        if _past(deadline):
            return pages
        depth += 1
        level = _expand(frontier, gathered, depth)  # admit() refuses links past max_depth
    # Pages only the sitemap knows: visited after the link graph, with no click depth, so a
    # service no menu leads to is still judged (and shown as unreachable by clicking).
    extra = []
    for url in sitemap_urls:
        key = frontier.admit(url, 0)
        if key is not None:
            extra.append(PageJob(next_id, urldefrag(url)[0], None, "sitemap", None))
            next_id += 1
    if extra and not _past(deadline):
        pages += await _run(tabs, extra, gather, on_page, deadline)
    return pages


def _expand(frontier: Frontier, pages: list[Page], depth: int) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for page in pages:
        if page.error is not None or not frontier.in_scope(page.final_url):
            continue  # a redirect off-site: its links are someone else's site
        for link in page.links:
            if frontier.admit(link.href, depth) is not None:
                out.append((urldefrag(link.href)[0], page.final_url))
    return out


async def _run(
    tabs: list[Tab], jobs: list[PageJob], gather: GatherFn,
    on_page: Callable[[Page], None] | None, deadline: float | None = None,
) -> list[Page]:
    queue: asyncio.Queue[PageJob] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    results: dict[int, Page] = {}

    async def worker(tab: Tab) -> None:
        while not _past(deadline):
            try:
                job = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            try:
                page = await gather(tab, job)
            except Exception as exc:
                # One page that breaks the gatherer (a hostile script, a bug) is recorded as a
                # failed page; the other pages of the crawl, and the other workers, carry on.
                log.warning("page %s (%s) failed: %s", job.id, job.url, one_line(exc))
                page = failed_page(job, exc)
            results[job.id] = page
            if on_page is not None:
                on_page(page)

    await asyncio.gather(*(worker(tab) for tab in tabs))
    return [results[job.id] for job in jobs if job.id in results]


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline
