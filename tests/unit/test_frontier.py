"""The crawl frontier (scope, dedup, caps, robots) and the breadth-first order of the crawl."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping, Sequence
from types import ModuleType
from typing import Any

import pytest

from evaluator.crawl.frontier import Frontier
from evaluator.derived import normalise_url
from evaluator.evidence import Link, Page
from tests.unit.evidence_factory import BASE, browser_modules, link, url, vocabulary

START = url("/")


def frontier(max_pages: int = 60, max_depth: int = 4, **kw: Any) -> Frontier:
    f = Frontier(START, max_pages, max_depth, **kw)
    f.admit_start(START, START)  # the start page is admitted first, as the gatherer does
    assert f.scheduled == 1
    return f


# -- admit: scope, dedup, caps ------------------------------------------------------------------

def test_same_host_link_is_admitted_normalised() -> None:
    assert frontier().admit(url("/thu-tuc/?page=2#list"), 1) == url("/thu-tuc?page=2")


@pytest.mark.parametrize("variant", [
    "/thu-tuc", "/thu-tuc/", "/thu-tuc#top", "/thu-tuc/#top",
])
def test_fragment_and_trailing_slash_variants_are_one_url(variant: str) -> None:
    f = frontier()
    assert f.admit(url("/thu-tuc"), 1) is not None
    assert f.admit(url(variant), 1) is None
    assert f.seen == {START, url("/thu-tuc")}


@pytest.mark.parametrize(("a", "b"), [
    ("/#/thu-tuc-hanh-chinh", "/#/tra-cuu-ho-so"),
    ("/#!/hoi-dap", "/#!/thong-ke"),
    ("/app#/thu-tuc/1.001193", "/app#/thu-tuc/1.000894"),
])
def test_hash_routes_of_one_document_are_pages_of_their_own(a: str, b: str) -> None:
    # An SPA with hash routing (OpenCPS's Vue portals) shows one page per route.
    f = frontier()
    assert f.admit(url(a), 1) == url(a)
    assert f.admit(url(b), 1) == url(b)
    assert f.admit(url(a + "/"), 1) is None  # a trailing slash of a route is the same route


def test_query_strings_stay_distinct() -> None:
    f = frontier()
    assert f.admit(url("/thu-tuc?page=2"), 1) is not None
    assert f.admit(url("/thu-tuc?page=3"), 1) is not None


def test_start_url_is_not_admitted_twice() -> None:
    f = frontier()
    assert f.admit(url("/#main"), 1) is None
    assert f.admit(url(""), 1) is None


@pytest.mark.parametrize("href", [
    "https://other.gov.vn/thu-tuc",
    "https://sub.dichvucong.example.gov.vn/thu-tuc",
    "http://dichvucong.example.gov.vn.evil.com/",
])
def test_off_host_links_are_refused_and_counted(href: str) -> None:
    f = frontier()
    assert f.admit(href, 1) is None
    assert f.skipped_out_of_scope == 1


@pytest.mark.parametrize("href", [
    "javascript:void(0)",
    "mailto:gopy@example.gov.vn",
    "tel:19001234",
    "file:///etc/passwd",
    "data:text/html,<h1>x</h1>",
    "ftp://dichvucong.example.gov.vn/bieu-mau.txt",
])
def test_non_http_schemes_are_refused(href: str) -> None:
    f = frontier()
    assert f.admit(href, 1) is None


def test_http_and_https_of_the_same_host_are_in_scope() -> None:
    f = frontier()
    assert f.admit("http://dichvucong.example.gov.vn/tin-tuc", 1) is not None


def test_host_match_ignores_case() -> None:
    assert frontier().admit("https://DichVuCong.Example.gov.vn/tin-tuc", 1) is not None


def test_allowed_hosts_widen_the_scope() -> None:
    f = frontier(allowed_hosts=("www.example.gov.vn",))
    assert f.admit("https://www.example.gov.vn/gioi-thieu", 1) is not None
    assert f.admit("https://example.gov.vn/gioi-thieu", 1) is None


@pytest.mark.parametrize("path", ["/bieu-mau/to-khai.pdf", "/files/DANH-MUC.XLSX", "/anh/banner.jpg"])
def test_downloads_are_not_crawled_as_pages(path: str) -> None:
    f = frontier()
    assert f.admit(url(path), 1) is None
    assert f.skipped_out_of_scope == 0


def test_depth_cap() -> None:
    f = frontier(max_depth=2)
    assert f.admit(url("/a"), 2) is not None
    assert f.admit(url("/b"), 3) is None


def test_too_deep_a_link_is_not_marked_seen() -> None:
    f = frontier(max_depth=2)
    assert f.admit(url("/b"), 3) is None
    assert f.admit(url("/b"), 2) is not None


def test_page_cap_counts_the_start_page_and_admitting_costs_nothing() -> None:
    f = frontier(max_pages=3)
    # A homepage's hundreds of links are all candidates: admitting spends no budget.
    for i in range(300):
        assert f.admit(url(f"/tin-tuc/{i}"), 1) is not None
    assert not f.full and f.scheduled == 1
    assert f.take() and f.take()
    assert f.full and not f.take()
    assert f.scheduled == 3


# -- robots.txt -----------------------------------------------------------------------------------

ROBOTS = "User-agent: *\nDisallow: /admin\nDisallow: /tim-kiem\n"


def test_robots_disallow_is_honoured_and_recorded() -> None:
    f = frontier()
    f.set_robots(ROBOTS)
    assert f.admit(url("/admin/users"), 1) is None
    assert f.admit(url("/tim-kiem?q=khai+sinh"), 1) is None
    assert f.admit(url("/thu-tuc"), 1) is not None
    assert f.skipped_robots == [url("/admin/users"), url("/tim-kiem?q=khai+sinh")]


def test_robots_rules_for_our_agent_apply() -> None:
    f = frontier()
    f.set_robots("User-agent: portal-eval\nDisallow: /thu-tuc\n\nUser-agent: *\nDisallow:\n")
    assert f.admit(url("/thu-tuc/1"), 1) is None
    assert f.admit(url("/tin-tuc/1"), 1) is not None


def test_start_url_is_exempt_from_robots_disallow_all() -> None:
    # The gatherer admits the start URL before it reads robots.txt: an evaluation is asked for.
    f = frontier()
    f.set_robots("User-agent: *\nDisallow: /\n")
    assert START in f.seen
    assert f.admit(url("/thu-tuc"), 1) is None
    assert f.skipped_robots == [url("/thu-tuc")]


def test_empty_robots_allows_everything() -> None:
    f = frontier()
    f.set_robots("")
    assert f.admit(url("/thu-tuc"), 1) is not None


# -- breadth-first crawl over a fake site (no browser) ----------------------------------------------

SITE: Mapping[str, Sequence[str]] = {
    "/": ["/a", "/b", "https://other.gov.vn/x", "mailto:x@example.gov.vn"],
    "/a": ["/c", "/a2", "/b#again", "/"],
    "/b": ["/d"],
    "/c": ["/e"],
    "/a2": [],
    "/d": ["/c/"],
    "/e": ["/f"],
    "/f": [],
    "/sitemap-only": [],
}


@pytest.fixture(scope="module")
def crawler() -> Iterator[ModuleType]:
    with browser_modules("evaluator.crawl.crawler", "evaluator.gather.page") as (module, _page):
        yield module


def _page(job: Any) -> Page:
    path = normalise_url(job.url).removeprefix(url("/").rstrip("/")) or "/"
    return Page(id=job.id, url=job.url, final_url=job.url, status=200, depth=job.depth,
                found_via=job.found_via, referrer=job.referrer, content_type="text/html",
                links=[link(href) for href in SITE[path]])


def crawl(crawler: ModuleType, f: Frontier, sitemap: Sequence[str] = ()) -> list[Page]:
    async def gather(tab: object, job: Any) -> Page:
        return _page(job)

    start = Page(id=0, url=START, final_url=START, status=200, depth=0, found_via="start",
                 links=[link(h) for h in SITE["/"]])
    return asyncio.run(crawler.crawl([object(), object()], f, gather, start, list(sitemap)))


def _visits(pages: list[Page]) -> list[tuple[str, int | None]]:
    return [(p.url.removeprefix(url("/").rstrip("/")), p.depth) for p in pages]


def test_crawl_is_breadth_first_with_fewest_click_depths(crawler: ModuleType) -> None:
    pages = crawl(crawler, frontier())
    assert _visits(pages) == [("/", 0), ("/a", 1), ("/b", 1), ("/c", 2), ("/a2", 2), ("/d", 2),
                              ("/e", 3), ("/f", 4)]
    assert [p.id for p in pages] == list(range(8))
    assert pages[3].referrer == url("/a")


def test_crawl_stops_at_the_depth_cap(crawler: ModuleType) -> None:
    assert _visits(crawl(crawler, frontier(max_depth=2)))[-1] == ("/d", 2)


def test_crawl_stops_at_the_page_cap(crawler: ModuleType) -> None:
    pages = crawl(crawler, frontier(max_pages=4))
    assert _visits(pages) == [("/", 0), ("/a", 1), ("/b", 1), ("/c", 2)]


def test_crawl_counts_refused_links(crawler: ModuleType) -> None:
    f = frontier()
    crawl(crawler, f)
    assert f.skipped_out_of_scope == 2  # the other host and the mailto:


def test_crawl_visits_sitemap_only_pages_last_without_depth(crawler: ModuleType) -> None:
    pages = crawl(crawler, frontier(), sitemap=[url("/sitemap-only"), url("/a"), "https://other.gov.vn/"])
    assert (pages[-1].url, pages[-1].depth, pages[-1].found_via) == (url("/sitemap-only"), None, "sitemap")
    assert len(pages) == 9


def test_crawl_honours_robots(crawler: ModuleType) -> None:
    f = frontier()
    f.set_robots("User-agent: *\nDisallow: /c\n")
    assert "/c" not in [path for path, _ in _visits(crawl(crawler, f))]
    assert f.skipped_robots == [url("/c")]


# -- the start page, unparseable links, a page that breaks the gatherer ------------------------------


def test_start_page_after_a_redirect_takes_one_slot() -> None:
    f = Frontier(url("/portal/home"), 3, 4)
    f.admit_start(url("/"), url("/portal/home"))
    assert f.scheduled == 1
    # Neither the URL asked for nor the one landed on is visited again...
    assert f.admit(url("/"), 1) is None
    assert f.admit(url("/portal/home/"), 1) is None
    # ...and the two other slots are still free.
    assert f.take() and f.take()
    assert f.full and f.scheduled == 3


def test_start_page_without_a_redirect_takes_one_slot() -> None:
    f = Frontier(START, 2, 4)
    f.admit_start(START, START)
    assert f.scheduled == 1
    assert f.take() and f.full


def test_mark_seen_costs_no_slot() -> None:
    f = frontier(max_pages=2)
    f.mark_seen(url("/da-xem"))
    assert f.scheduled == 1
    assert f.admit(url("/da-xem"), 1) is None
    assert f.admit(url("/moi"), 1) is not None and f.take()


@pytest.mark.parametrize("href", ["http://[::1", "http://[zz]/x", "https://dichvucong.example.gov.vn]/"])
def test_a_href_python_cannot_split_is_refused_not_raised(href: str) -> None:
    f = frontier()
    assert f.admit(href, 1) is None
    assert not f.in_scope(href)
    f.mark_seen(href)  # no exception either
    assert f.seen == {START}


def test_one_page_that_breaks_the_gatherer_does_not_lose_the_crawl(crawler: ModuleType) -> None:
    async def gather(tab: object, job: Any) -> Page:
        if job.url == url("/a"):
            raise ValueError("1 validation error for Timings\nfcp_ms: not a number")
        return _page(job)

    start = Page(id=0, url=START, final_url=START, status=200, depth=0, found_via="start",
                 links=[link(h) for h in SITE["/"]])
    pages = asyncio.run(crawler.crawl([object(), object()], frontier(), gather, start, []))
    failed = next(p for p in pages if p.url == url("/a"))
    assert (failed.status, failed.depth, failed.found_via) == (None, 1, "link")
    assert failed.error == "gathering failed: ValueError: 1 validation error for Timings"
    # The crawl went on: /b and what it leads to; /c is still found, through /d.
    visited = [path for path, _ in _visits(pages)]
    assert visited[:3] == ["/", "/a", "/b"]
    assert {"/d", "/c/"} <= set(visited)
    assert [p.id for p in pages] == list(range(len(pages)))


def test_hand_over_hosts_match_host_port_and_subdomains_over_http_only() -> None:
    from evaluator.gather.run import _hands_over_to

    hosts = ("vneid.gov.vn", "127.0.0.1:9100")
    assert _hands_over_to("https://vneid.gov.vn/login", hosts)
    assert _hands_over_to("https://sso.vneid.gov.vn/", hosts)
    assert _hands_over_to("http://127.0.0.1:9100/dang-nhap", hosts)
    assert not _hands_over_to("http://127.0.0.1:9200/", hosts)  # another port is another host
    assert not _hands_over_to("https://notvneid.gov.vn/", hosts)
    assert not _hands_over_to("file:///etc/passwd", hosts)
    assert not _hands_over_to("javascript:alert(1)", hosts)
    assert not _hands_over_to("http://[::1", hosts)


def test_crawl_starts_no_page_after_its_deadline(crawler: ModuleType) -> None:
    import time

    clock = {"gathered": 0}

    async def gather(tab: object, job: Any) -> Page:
        clock["gathered"] += 1
        return _page(job)

    start = Page(id=0, url=START, final_url=START, status=200, depth=0, found_via="start",
                 links=[link(h) for h in SITE["/"]])
    # A deadline already past: the start page is the crawl; nothing else is even started.
    pages = asyncio.run(crawler.crawl([object()], frontier(), gather, start, [url("/sitemap-only")],
                                      deadline=time.monotonic() - 1))
    assert _visits(pages) == [("/", 0)] and clock["gathered"] == 0
    # A deadline far away changes nothing.
    far = asyncio.run(crawler.crawl([object()], frontier(), gather, start, [],
                                    deadline=time.monotonic() + 3600))
    assert len(far) == 8


# -- where the budget goes: a big portal's homepage (issue 16) --------------------------------------

ROLE_MENU = [("/p/home/dvc-thu-tuc-hanh-chinh.html", "Thủ tục hành chính"),
             ("/p/home/dvc-tra-cuu-ho-so.html", "Tra cứu hồ sơ"),
             ("/p/home/dvc-cau-hoi-pho-bien.html", "Hỏi đáp"),
             ("/p/phananhkiennghi/pakn-gui-pakn.html", "Phản ánh kiến nghị"),
             ("/p/home/dvc-danh-gia.html", "Đánh giá sự hài lòng"),
             ("/p/home/dvc-thong-ke.html", "Thống kê"),
             ("/p/home/dvc-huong-dan.html", "Hướng dẫn")]


def _big_site() -> dict[str, list[Link]]:
    """A homepage whose 300 news links and 40 banners come before its menu (found behind
    buttons, like the national portal's), a catalogue of 1,200 services 20 to a page."""
    news = [link(f"/p/home/dvc-chi-tiet-tin-tuc.html?new_id={i}",
                 f"Hướng dẫn thực hiện thủ tục hành chính năm 2026, bản tin số {i} của tỉnh")
            for i in range(300)]
    banners = [link(f"/p/home/dvc-chi-tiet-tin-tuc.html?new_id={1000 + i}") for i in range(40)]
    menu = [Link(href=url(h), text=t, region="other", via="click", element="button onclick")
            for h, t in ROLE_MENU]
    site: dict[str, list[Link]] = {"/": news + banners + menu}
    catalogue = "/p/home/dvc-thu-tuc-hanh-chinh.html"
    site[catalogue] = [link(f"/p/home/dvc-chi-tiet-thu-tuc.html?ma_thu_tuc=1.{i:06d}",
                            f"Thủ tục số {i}") for i in range(20)] + [
        link(f"{catalogue}?page={n}", str(n)) for n in range(2, 6)]
    return site


def test_a_big_homepage_spends_the_budget_on_the_criteria_pages_before_news(
        crawler: ModuleType) -> None:
    from evaluator.crawl.priority import LinkRanker

    site = _big_site()

    async def gather(tab: object, job: Any) -> Page:
        path = job.url.removeprefix(BASE)
        return Page(id=job.id, url=job.url, final_url=job.url, status=200, depth=job.depth,
                    found_via=job.found_via, content_type="text/html",
                    links=site.get(path, []))

    start = Page(id=0, url=START, final_url=START, status=200, depth=0, found_via="start",
                 links=site["/"])
    pages = asyncio.run(crawler.crawl([object(), object()], frontier(max_pages=30), gather,
                                      start, [], ranker=LinkRanker(vocabulary().labels)))
    visited = [p.url.removeprefix(BASE) for p in pages]
    assert len(visited) == 30
    # Every role page, then the catalogue's pages and services; news only with what is left.
    assert {h for h, _ in ROLE_MENU} <= set(visited[1:8])
    catalogue_items = [v for v in visited if "ma_thu_tuc" in v or "?page=" in v]
    assert len(catalogue_items) == 22  # 30 - home - 7 roles: the news got nothing
    assert not any("new_id" in v for v in visited)


def test_a_link_found_again_nearer_home_or_in_a_better_class_is_moved_up(
        crawler: ModuleType) -> None:
    from evaluator.crawl.priority import LinkRanker

    faq = "/hoi-dap"
    site = {"/": [link("/tin/1", "Tin 1"), link("/tin/2", "Tin 2")],
            "/tin/1": [link("/tin/3", "Tin 3"), link(faq, "Xem câu hỏi")], "/tin/2": [],
            "/tin/3": [], faq: []}

    async def gather(tab: object, job: Any) -> Page:
        path = job.url.removeprefix(BASE)
        links = list(site.get(path, []))
        if path == "/tin/2":  # a later page names it by its menu label
            links.append(link(faq, "Hỏi đáp"))
        return Page(id=job.id, url=job.url, final_url=job.url, status=200, depth=job.depth,
                    found_via=job.found_via, content_type="text/html", links=links)

    start = Page(id=0, url=START, final_url=START, status=200, depth=0, found_via="start",
                 links=site["/"])
    pages = asyncio.run(crawler.crawl([object()], frontier(), gather, start, [],
                                      ranker=LinkRanker(vocabulary().labels)))
    # Without the move, /tin/3 (queued first, same class) would come before the FAQ.
    assert [p.url.removeprefix(BASE) for p in pages] == ["/", "/tin/1", "/tin/2", faq, "/tin/3"]
    assert pages[3].depth == 2
