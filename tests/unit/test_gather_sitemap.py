"""Sitemaps and sitemap indexes, and the Sitemap: lines of robots.txt (no browser, no network)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

import pytest

from evaluator.crawl import sitemap as sm
from evaluator.crawl.frontier import Frontier
from evaluator.evidence import Sitemap
from tests.unit.evidence_factory import url

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def urlset(*locs: str) -> str:
    entries = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {NS}>{entries}</urlset>\n'


def index(*locs: str) -> str:
    entries = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex {NS}>{entries}</sitemapindex>\n'


# -- parse_sitemap --------------------------------------------------------------------------------


def test_urlset_lists_its_pages() -> None:
    doc = sm.parse_sitemap(urlset(url("/a"), url("/b")))
    assert (doc.kind, doc.locs) == ("urlset", [url("/a"), url("/b")])


def test_index_is_recognised_by_its_root() -> None:
    doc = sm.parse_sitemap(index(url("/sitemap-1.xml"), url("/sitemap-2.xml")))
    assert (doc.kind, doc.locs) == ("index", [url("/sitemap-1.xml"), url("/sitemap-2.xml")])


@pytest.mark.parametrize("body", [
    "", "not xml at all", "<!doctype html><html><body>Không tìm thấy</body></html>",
    '<feed xmlns="http://www.w3.org/2005/Atom"><loc>https://x/</loc></feed>',
])
def test_anything_else_lists_nothing(body: str) -> None:
    assert sm.parse_sitemap(body) == sm.SitemapDoc("other", [])


def test_a_body_cut_at_the_byte_cap_keeps_the_entries_before_the_cut() -> None:
    body = urlset(*(url(f"/p{i}") for i in range(10)))
    doc = sm.parse_sitemap(body[: body.index("/p7")])
    assert doc.kind == "urlset" and doc.locs == [url(f"/p{i}") for i in range(7)]


def test_relative_locs_are_resolved_and_the_limit_holds() -> None:
    doc = sm.parse_sitemap(urlset("/a", " /b ", "/c"), base=url("/sitemap.xml"), limit=2)
    assert doc.locs == [url("/a"), url("/b")]


# -- robots.txt -----------------------------------------------------------------------------------


def test_robots_sitemap_lines_are_resolved_against_robots_url() -> None:
    body = ("User-agent: *\nDisallow: /quan-tri/\nSitemap: /sitemap.xml\n"
            "  sitemap:https://cdn.example.gov.vn/sm.xml # the CDN copy\nSITEMAP: \n"
            "Disallow: /sitemap: not a sitemap line\n")
    assert sm.robots_sitemaps(body, url("/robots.txt")) == [
        url("/sitemap.xml"), "https://cdn.example.gov.vn/sm.xml",
    ]


# -- discover_sitemap ------------------------------------------------------------------------------


class FakeSite:
    def __init__(self, files: Mapping[str, str]) -> None:
        self.files = files
        self.fetched: list[tuple[str, int]] = []

    async def fetch(self, target: str, max_bytes: int) -> sm.Fetched:
        self.fetched.append((target, max_bytes))
        if target not in self.files:
            return sm.Fetched(404, "Not found")
        return sm.Fetched(200, self.files[target][:max_bytes])


def discover(site: FakeSite, candidates: Sequence[str]) -> tuple[Sitemap | None, list[str]]:
    scope = Frontier(url("/"), 60, 4)
    return asyncio.run(sm.discover_sitemap(candidates, site.fetch, scope.in_scope))


def test_index_children_are_read_not_crawled() -> None:
    site = FakeSite({
        url("/sitemap.xml"): index(url("/sm-1.xml"), url("/sm-2.xml")),
        url("/sm-1.xml"): urlset(url("/a"), url("/b")),
        url("/sm-2.xml"): urlset(url("/c")),
    })
    evidence, urls = discover(site, [url("/sitemap.xml")])
    assert urls == [url("/a"), url("/b"), url("/c")]
    assert evidence is not None
    assert (evidence.url, evidence.url_count, evidence.error) == (url("/sitemap.xml"), 3, None)
    assert evidence.children == [url("/sm-1.xml"), url("/sm-2.xml")]
    assert not any(u.endswith(".xml") for u in urls)


def test_at_most_five_children_each_fetched_with_the_byte_cap() -> None:
    children = [url(f"/sm-{i}.xml") for i in range(8)]
    site = FakeSite({url("/sitemap.xml"): index(*children),
                     **{c: urlset(url(f"/p{i}")) for i, c in enumerate(children)}})
    evidence, urls = discover(site, [url("/sitemap.xml")])
    assert urls == [url(f"/p{i}") for i in range(sm.MAX_CHILD_SITEMAPS)]
    assert site.fetched == [(url("/sitemap.xml"), sm.MAX_SITEMAP_BYTES)] + [
        (c, sm.MAX_SITEMAP_BYTES) for c in children[: sm.MAX_CHILD_SITEMAPS]]
    assert evidence is not None and evidence.error == "3 more child sitemaps not read (at most 5)"


def test_page_urls_are_capped_over_all_children() -> None:
    big = [urlset(*(url(f"/s{s}/p{i}") for i in range(4000))) for s in range(3)]
    site = FakeSite({url("/sitemap.xml"): index(url("/sm-0.xml"), url("/sm-1.xml"), url("/sm-2.xml")),
                     url("/sm-0.xml"): big[0], url("/sm-1.xml"): big[1], url("/sm-2.xml"): big[2]})
    evidence, urls = discover(site, [url("/sitemap.xml")])
    assert len(urls) == sm.SITEMAP_URL_CAP == 5000
    assert urls[-1] == url("/s1/p999")
    assert [u for u, _ in site.fetched] == [url("/sitemap.xml"), url("/sm-0.xml"), url("/sm-1.xml")]
    assert evidence is not None and evidence.url_count == 5000 and len(evidence.urls) == 1000


def test_out_of_scope_missing_and_nested_children_are_skipped_with_a_note() -> None:
    site = FakeSite({
        url("/sitemap.xml"): index("https://other.gov.vn/sm.xml", url("/gone.xml"),
                                   url("/nested.xml"), url("/ok.xml")),
        url("/nested.xml"): index(url("/deeper.xml")),
        url("/ok.xml"): urlset(url("/a")),
    })
    evidence, urls = discover(site, [url("/sitemap.xml")])
    assert urls == [url("/a")]
    assert "https://other.gov.vn/sm.xml" not in [u for u, _ in site.fetched]
    assert url("/deeper.xml") not in [u for u, _ in site.fetched]
    assert evidence is not None
    assert evidence.children == [url("/gone.xml"), url("/nested.xml"), url("/ok.xml")]
    assert evidence.error == (f"{url('/gone.xml')}: HTTP 404; {url('/nested.xml')}: not a urlset sitemap")


def test_relative_robots_line_finds_the_sitemap_when_the_default_is_missing() -> None:
    site = FakeSite({url("/robots.txt"): "Sitemap: /sm/main.xml\n",
                     url("/sm/main.xml"): urlset(url("/a"))})
    candidates = [url("/sitemap.xml"), *sm.robots_sitemaps(site.files[url("/robots.txt")],
                                                          url("/robots.txt"))]
    evidence, urls = discover(site, candidates)
    assert urls == [url("/a")]
    assert evidence is not None and (evidence.url, evidence.status) == (url("/sm/main.xml"), 200)


def test_no_sitemap_is_evidence_of_the_last_try() -> None:
    evidence, urls = discover(FakeSite({url("/sitemap.xml"): "<html>Trang chủ</html>"}),
                              [url("/sitemap.xml"), "https://other.gov.vn/sitemap.xml"])
    assert urls == []
    assert evidence is not None
    assert (evidence.url, evidence.status, evidence.error) == (url("/sitemap.xml"), 200, "not a sitemap")
    assert discover(FakeSite({}), ["https://other.gov.vn/sitemap.xml"]) == (None, [])
