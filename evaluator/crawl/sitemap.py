"""Sitemaps: where robots.txt points, what a sitemap or sitemap index lists. Pure apart from the
``fetch`` callable it is given, so it is unit-tested without a browser or a network.

A sitemap index (<sitemapindex>) lists child sitemaps, not pages: its <loc> entries are .xml
files, so they are fetched (a bounded number) and their page URLs used, never crawled as pages.
Bounds, because a portal's sitemap is data we do not control: at most MAX_CHILD_SITEMAPS
children, MAX_SITEMAP_BYTES read of each sitemap, SITEMAP_URL_CAP page URLs in all; the crawl
visits at most ``max_pages`` of them anyway.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urldefrag, urljoin, urlsplit
from xml.etree import ElementTree

from evaluator.evidence import Sitemap

MAX_CHILD_SITEMAPS = 5
MAX_SITEMAP_BYTES = 2_000_000
SITEMAP_URL_CAP = 5_000
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class SitemapDoc:
    """What one sitemap file holds: page URLs (``urlset``) or child sitemaps (``index``)."""

    kind: Literal["urlset", "index", "other"]
    locs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Fetched:
    status: int | None
    body: str
    error: str | None = None


# (url, max_bytes) → the response; BrowserSession.fetch in the gatherer, a dict in the tests.
Fetch = Callable[[str, int], Awaitable[Fetched]]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_sitemap(body: str, base: str = "", limit: int = SITEMAP_URL_CAP) -> SitemapDoc:
    """The root kind and up to ``limit`` <loc> entries (resolved against ``base``) of a sitemap.

    Parsed incrementally, so a body cut off at the byte cap still yields the entries before the
    cut, and a malformed tail keeps the entries before it. Not XML, or another root (an HTML
    "not found" page answered with 200): kind "other", no entries.
    """
    parser: ElementTree.XMLPullParser[ElementTree.Element] = ElementTree.XMLPullParser(
        events=("start", "end"))
    kind: Literal["urlset", "index", "other"] | None = None
    locs: list[str] = []
    try:
        for at in range(0, len(body), _CHUNK):
            parser.feed(body[at:at + _CHUNK])
            for item in parser.read_events():
                event, element = item[0], item[-1]
                if not isinstance(element, ElementTree.Element):
                    continue  # start/end events only carry elements
                name = _local(element.tag)
                if kind is None:  # the first event is the root's start
                    kind = ("urlset" if name == "urlset" else "index" if name == "sitemapindex"
                            else "other")
                    if kind == "other":
                        return SitemapDoc("other")
                elif event == "end" and name == "loc":
                    loc = (element.text or "").strip()
                    if loc:
                        locs.append(urljoin(base, loc) if base else loc)
                        if len(locs) >= limit:
                            return SitemapDoc(kind, locs)
                elif event == "end" and name in ("url", "sitemap"):
                    element.clear()  # keep memory flat on a big sitemap
    except ElementTree.ParseError:
        pass
    return SitemapDoc(kind or "other", locs)


def robots_sitemaps(robots_body: str, robots_url: str) -> list[str]:
    """The ``Sitemap:`` lines of a robots.txt, resolved against its URL: the fixture portals, like
    many real ones, publish ``Sitemap: /sitemap.xml``."""
    out: list[str] = []
    for line in robots_body.splitlines():
        key, sep, value = line.partition(":")
        if not sep or key.strip().lower() != "sitemap":
            continue
        value = value.split("#", 1)[0].strip()
        if value:
            out.append(urldefrag(urljoin(robots_url, value))[0])
    return out


def _http(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https")


async def discover_sitemap(
    candidates: Iterable[str], fetch: Fetch, in_scope: Callable[[str], bool],
) -> tuple[Sitemap | None, list[str]]:
    """Try ``candidates`` in order; the first that lists page URLs wins.

    Returns the evidence of the last sitemap tried (None when none was in scope) and its page
    URLs (at most SITEMAP_URL_CAP).
    """
    evidence: Sitemap | None = None
    for candidate in dict.fromkeys(candidates):
        if not _http(candidate) or not in_scope(candidate):
            continue
        fetched = await fetch(candidate, MAX_SITEMAP_BYTES)
        doc = parse_sitemap(fetched.body, candidate) if fetched.status == 200 else SitemapDoc("other")
        children: list[str] = []
        notes: list[str] = []
        if doc.kind == "index":
            urls, children, notes = await _read_children(candidate, doc.locs, fetch, in_scope)
        else:
            urls = [u for u in doc.locs if _http(u)]
        if fetched.error:
            error: str | None = fetched.error
        elif fetched.status != 200:
            error = None
        elif doc.kind == "other":
            error = "not a sitemap"
        elif not urls:
            error = "; ".join(notes) or "no URLs listed"
        else:
            error = "; ".join(notes) or None
        evidence = Sitemap(url=candidate, status=fetched.status, url_count=len(urls),
                           urls=urls[:1000], children=children, error=error)
        if urls:
            return evidence, urls
    return evidence, []


async def _read_children(
    index_url: str, locs: list[str], fetch: Fetch, in_scope: Callable[[str], bool],
) -> tuple[list[str], list[str], list[str]]:
    """Page URLs of an index's first MAX_CHILD_SITEMAPS in-scope children; the children read;
    one note per child that failed or was left out."""
    wanted = [c for c in dict.fromkeys(locs)
              if c != index_url and _http(c) and in_scope(c)]
    skipped = len(wanted) - MAX_CHILD_SITEMAPS
    urls: list[str] = []
    read: list[str] = []
    notes: list[str] = []
    for child in wanted[:MAX_CHILD_SITEMAPS]:
        if len(urls) >= SITEMAP_URL_CAP:
            break
        read.append(child)
        fetched = await fetch(child, MAX_SITEMAP_BYTES)
        if fetched.status != 200:
            notes.append(f"{child}: {fetched.error or f'HTTP {fetched.status}'}")
            continue
        doc = parse_sitemap(fetched.body, child, SITEMAP_URL_CAP - len(urls))
        if doc.kind != "urlset":
            # The protocol forbids an index inside an index: not followed.
            notes.append(f"{child}: not a urlset sitemap")
            continue
        urls += [u for u in doc.locs if _http(u)]
    if skipped > 0:
        notes.append(f"{skipped} more child sitemaps not read (at most {MAX_CHILD_SITEMAPS})")
    return urls, read, notes
