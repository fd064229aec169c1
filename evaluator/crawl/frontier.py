"""The crawl frontier: what to visit next. Pure: no browser, no network, unit-testable."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from evaluator.derived import normalise_url

# Documents the crawler never opens as pages: downloads a citizen would save, not read.
SKIP_EXTENSIONS = (
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".zip", ".rar", ".7z",
    ".jpg", ".jpeg", ".png", ".gif", ".svg", ".webp", ".mp4", ".mp3", ".avi", ".exe", ".apk",
)
ROBOTS_AGENT = "portal-eval"


@dataclass
class Frontier:
    start_url: str
    max_pages: int
    max_depth: int
    allowed_hosts: tuple[str, ...] = ()
    robots: RobotFileParser | None = None
    seen: set[str] = field(default_factory=set)
    skipped_robots: list[str] = field(default_factory=list)
    skipped_out_of_scope: int = 0
    #: Pages the crawl has started (the start page included): the ``max_pages`` budget.
    scheduled: int = 0

    def __post_init__(self) -> None:
        parts = urlsplit(self.start_url)
        self._netlocs = {parts.netloc.lower(), *(h.lower() for h in self.allowed_hosts)}
        self._schemes = {"http", "https"}

    def set_robots(self, body: str) -> None:
        parser = RobotFileParser()
        parser.parse(body.splitlines())
        self.robots = parser

    def in_scope(self, url: str) -> bool:
        try:
            parts = urlsplit(url)
        except ValueError:  # "http://[::1": a.href hands back what it cannot parse, as written
            return False
        return parts.scheme in self._schemes and parts.netloc.lower() in self._netlocs

    def is_document(self, url: str) -> bool:
        return not urlsplit(url).path.lower().endswith(SKIP_EXTENSIONS)

    @property
    def full(self) -> bool:
        return self.scheduled >= self.max_pages

    def mark_seen(self, url: str) -> None:
        """Never visit ``url``, without spending a page of the ``max_pages`` budget on it."""
        with contextlib.suppress(ValueError):
            self.seen.add(normalise_url(url))

    def admit_start(self, url: str, final_url: str) -> None:
        """Seed with the start page, already gathered: the page it landed on takes one slot; the
        URL asked for, when a redirect differs, is only marked seen (one page, one slot)."""
        if self.admit(final_url, 0) is not None:
            self.take()
        self.mark_seen(url)

    def take(self) -> bool:
        """Spend one page of the budget on a page about to be gathered; False when spent.

        Admitting a link costs nothing: a homepage's 300 links are all candidates, and the
        crawl picks which of them the budget goes to (crawl/priority.py)."""
        if self.full:
            return False
        self.scheduled += 1
        return True

    def admit(self, url: str, depth: int) -> str | None:
        """The normalised URL if it may be visited at ``depth``, else None (and why is kept).

        Each URL is admitted once; the budget is spent later, by ``take``."""
        if depth > self.max_depth:
            return None
        try:
            key = normalise_url(url)
        except ValueError:  # not a URL at all (a page's href is whatever its author wrote)
            self.skipped_out_of_scope += 1
            return None
        if key in self.seen:
            return None
        self.seen.add(key)
        if not self.in_scope(url):
            self.skipped_out_of_scope += 1
            return None
        if not self.is_document(url):
            return None
        if self.robots is not None and not self.robots.can_fetch(ROBOTS_AGENT, url):
            self.skipped_robots.append(key)
            return None
        return key
