"""The async crawl engine: best-first over a few tabs of one browser.

Links wait in one queue ordered by (class, depth, order found): the class says where the
criteria look (crawl/priority.py), depth keeps the crawl breadth-first within a class. A
page's recorded depth is the fewest clicks known when it is started: a queued link found again
nearer the homepage is moved up before it is visited. Pages that only the sitemap knows come
last, with no click depth.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from evaluator.browser import Tab
from evaluator.crawl.frontier import Frontier
from evaluator.crawl.priority import FRAME, OTHER, ROLE_LINK, LinkRanker, Rank
from evaluator.derived import normalise_url, page_address
from evaluator.evidence import Page
from evaluator.gather.page import PageJob, failed_page, one_line

log = logging.getLogger(__name__)

GatherFn = Callable[[Tab, PageJob], Awaitable[Page]]
# Without a ranker every link is alike: breadth-first in the order found.
BREADTH = Rank(OTHER, None)
# Pages a role may take in the role class: its menu entry and one more candidate (a second
# "Hỏi đáp" in the footer, or the real one when a headline came first).
ROLE_PAGES = 2


@dataclass(order=True)
class _Item:
    priority: int
    closeness: int
    depth: int
    seq: int
    url: str = field(compare=False)
    key: str = field(compare=False)
    referrer: str = field(compare=False)
    role: str | None = field(compare=False)


@dataclass
class _Queue:
    heap: list[_Item] = field(default_factory=list)
    # The live entry of each queued key: an entry moved up leaves a stale copy in the heap.
    live: dict[str, _Item] = field(default_factory=dict)
    order: itertools.count[int] = field(default_factory=itertools.count)

    def push(self, item: _Item) -> None:
        self.live[item.key] = item
        heapq.heappush(self.heap, item)

    def improve(self, key: str, rank: Rank, depth: int, referrer: str) -> None:
        """A link already queued, found again: keep the better (class, closeness, depth)."""
        old = self.live.get(key)
        if old is not None and (rank.priority, rank.closeness, depth) < (
                old.priority, old.closeness, old.depth):
            self.push(_Item(rank.priority, rank.closeness, depth, next(self.order), old.url,
                            key, referrer, rank.role if rank.priority < old.priority
                            else old.role))

    def best(self) -> _Item | None:
        while self.heap:
            item = self.heap[0]
            if self.live.get(item.key) is item:
                return item
            heapq.heappop(self.heap)
        return None

    def pop(self) -> _Item:
        item = heapq.heappop(self.heap)
        del self.live[item.key]
        return item


async def crawl(
    tabs: list[Tab], frontier: Frontier, gather: GatherFn, start_page: Page,
    sitemap_urls: list[str], on_page: Callable[[Page], None] | None = None,
    deadline: float | None = None, ranker: LinkRanker | None = None,
) -> list[Page]:
    """Crawl from an already gathered start page; returns every page gathered, start first.

    ``deadline`` (time.monotonic()): no page is started after it; the pages gathered so far are
    the crawl (a portal that is slow everywhere still gets judged on what was seen).
    ``ranker``: the order of links (crawl/priority.py); None: breadth-first in document order."""
    queue = _Queue()
    pages = [start_page]
    next_id = itertools.count(start_page.id + 1)
    in_flight: dict[int, int] = {}  # job id → the class of the page being gathered
    role_pages: dict[str, int] = {}  # role → pages started for it in the role class
    changed = asyncio.Condition()

    def offer(page: Page, depth: int, role: str | None) -> None:
        if page.error is not None or not frontier.in_scope(page.final_url):
            return  # a redirect off-site: its links are someone else's site
        for link in page.links:
            if link.via == "script":
                continue  # read from an onclick never activated: evidence, not a way in
            rank = ranker.rank(link, role, page.final_url) if ranker is not None else BREADTH
            key = frontier.admit(link.href, depth)
            if key is None:
                with contextlib.suppress(ValueError):  # an href Python cannot split
                    queue.improve(normalise_url(link.href), rank, depth, page.final_url)
                continue
            queue.push(_Item(rank.priority, rank.closeness, depth, next(queue.order),
                             page_address(link.href), key, page.final_url, rank.role))

    offer(start_page, 1, "home")

    def blocked_by_better(item: _Item) -> bool:
        # Frame and other links wait while a role page or a catalogue page is being read: its
        # links may be better (the catalogue's services before the homepage's news).
        return item.priority >= FRAME and any(p < FRAME for p in in_flight.values())

    async def worker(tab: Tab) -> None:
        while True:
            async with changed:
                while True:
                    if _past(deadline) or frontier.full:
                        return
                    item = queue.best()
                    if item is None and not in_flight:
                        return
                    if item is not None and not blocked_by_better(item):
                        break
                    await changed.wait()
                queue.pop()
                if item.priority == ROLE_LINK and item.role is not None:
                    if role_pages.get(item.role, 0) >= ROLE_PAGES:
                        # This role has had its pages: the rest of its names wait with the frame.
                        queue.push(_Item(FRAME, item.closeness, item.depth, next(queue.order),
                                         item.url, item.key, item.referrer, None))
                        continue
                    role_pages[item.role] = role_pages.get(item.role, 0) + 1
                if not frontier.take():
                    return
                job = PageJob(next(next_id), item.url, item.depth, "link", item.referrer)
                in_flight[job.id] = item.priority
            page = await _gather_one(tab, job, gather)
            async with changed:
                del in_flight[job.id]
                pages.append(page)
                offer(page, item.depth + 1, item.role)
                changed.notify_all()
            if on_page is not None:
                on_page(page)

    await asyncio.gather(*(worker(tab) for tab in tabs))
    # Pages only the sitemap knows: visited after the link graph, with no click depth, so a
    # service no menu leads to is still judged (and shown as unreachable by clicking).
    extra = []
    for url in sitemap_urls:
        if frontier.admit(url, 0) is not None and frontier.take():
            extra.append(PageJob(next(next_id), page_address(url), None, "sitemap", None))
    if extra and not _past(deadline):
        pages += await _run(tabs, extra, gather, on_page, deadline)
    return sorted(pages, key=lambda p: p.id)


async def _gather_one(tab: Tab, job: PageJob, gather: GatherFn) -> Page:
    try:
        return await gather(tab, job)
    except Exception as exc:
        # One page that breaks the gatherer (a hostile script, a bug) is recorded as a failed
        # page; the other pages of the crawl, and the other workers, carry on.
        log.warning("page %s (%s) failed: %s", job.id, job.url, one_line(exc))
        return failed_page(job, exc)


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
            page = await _gather_one(tab, job, gather)
            results[job.id] = page
            if on_page is not None:
                on_page(page)

    await asyncio.gather(*(worker(tab) for tab in tabs))
    return [results[job.id] for job in jobs if job.id in results]


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline
