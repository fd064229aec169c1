"""Hand-built evidence for unit tests: bundles, pages, key-page measurements, journeys.

Every builder has defaults that describe a healthy page of a fictional portal, so a test states
only what it is about ("a page without lang", "an FCP of exactly 3000 ms"). Relative paths are
resolved against ``BASE``; nothing here opens a browser or the network.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from types import ModuleType
from typing import Any, Literal
from urllib.parse import urljoin

from evaluator.checks import library
from evaluator.checks.registry import Params, params_of
from evaluator.criteria.loader import LoadedProfile, load_profile
from evaluator.criteria.schema import Criterion, Vocabulary
from evaluator.derived import EvidenceView
from evaluator.evidence import (
    AccessAids,
    AccessKey,
    AxeNode,
    AxeViolation,
    CatalogueWalk,
    ContentAccess,
    CrawlSummary,
    DnssecProbe,
    EvidenceBundle,
    Form,
    Hsts,
    HttpsRedirect,
    Ipv6Probe,
    Journeys,
    KeyPageMeasurement,
    LighthouseRun,
    Link,
    ListingPage,
    MobileRender,
    MovingText,
    Page,
    PersonaJourney,
    PersonaRun,
    PersonaStep,
    RedirectHop,
    SearchJourney,
    SearchRun,
    StatusLookupJourney,
    Timings,
    TlsCertificate,
    TlsProbe,
    TransportEvidence,
    Versions,
)

BASE = "https://dichvucong.example.gov.vn"
Via = Literal["href", "click", "route", "popup", "script"]
CATALOGUE_PATH = "/thu-tuc-hanh-chinh"
HEALTHY_VIEWPORT = "width=device-width, initial-scale=1"
_UNSET: Any = object()


def url(path: str = "/") -> str:
    """An absolute URL on the test portal (absolute URLs pass through unchanged)."""
    return urljoin(BASE + "/", path)


# -- the shipped profile ----------------------------------------------------------------------


@cache
def shipped_profile() -> LoadedProfile:
    return load_profile("vn-2023")


def vocabulary() -> Vocabulary:
    return shipped_profile().vocabulary


def shipped_criterion(criterion_id: str) -> Criterion:
    return next(c for c in shipped_profile().criteria if c.id == criterion_id)


def shipped_params(criterion_id: str) -> Params:
    """The params the shipped vn-2023 profile gives a criterion, parsed by its check's model."""
    criterion = shipped_criterion(criterion_id)
    spec = library.get(criterion.check)
    assert spec is not None
    return params_of(spec, criterion.params)


# -- pages --------------------------------------------------------------------------------------


def link(href: str, text: str = "", *, region: str = "main", context: str = "",
         via: Via = "href", element: str = "") -> Link:
    """A link; ``via`` says how it was found ("click": a button the gatherer activated,
    "route", "popup", "script": read from its onclick source), ``element`` what it is."""
    if not href.startswith(("mailto:", "tel:", "javascript:", "data:", "file:")):
        href = url(href)
    return Link(href=href, text=text, region=region, context=context, via=via, element=element)


def landmark_free(p: Page) -> Page:
    """The same page drawn without <header>, <nav>, <main> or <footer>: every link "other"."""
    return p.model_copy(update={"links": [ln.model_copy(update={"region": "other"})
                                          for ln in p.links]})


# A portal's menu and footer as they repeat on every page (the frame the views learn).
FRAME_LINKS: tuple[tuple[str, str], ...] = (
    ("/", "Trang chủ"), ("/gioi-thieu", "Giới thiệu"), ("/tin-tuc", "Tin tức"),
    ("/lien-he", "Liên hệ"), ("/so-do-cong", "Sơ đồ cổng"),
)


def frame(*extra: tuple[str, str], region: str = "nav") -> list[Link]:
    """The frame's links (``FRAME_LINKS`` and ``extra`` menu items) in ``region``."""
    return [link(h, t, region=region, context=t) for h, t in (*FRAME_LINKS, *extra)]


def framed(p: Page, *extra: tuple[str, str], region: str = "nav") -> Page:
    """``p`` with the frame's links before its own (as a portal's template draws them)."""
    return p.model_copy(update={"links": [*frame(*extra, region=region), *p.links]})


def plain_pages(count: int, *extra: tuple[str, str], region: str = "nav") -> list[Page]:
    """``count`` article pages carrying only the frame: enough pages to learn it from."""
    return [framed(page(f"/tin-tuc/{i}", text=f"Tin số {i}"), *extra, region=region)
            for i in range(count)]


def nav_link(href: str, text: str) -> Link:
    return link(href, text, region="nav")


def violation(rule: str = "image-alt", impact: str | None = "critical", *,
              nodes: int = 1, tags: Sequence[str] = ("wcag2a", "wcag111")) -> AxeViolation:
    return AxeViolation(
        id=rule, impact=impact, tags=list(tags), help=f"{rule} help",
        help_url=f"https://dequeuniversity.com/rules/axe/4.12/{rule}",
        nodes=[AxeNode(target=f"#el{i}", html=f"<img id='el{i}'>") for i in range(nodes)],
        node_count=nodes,
    )


def page(
    path: str = "/",
    *,
    final_path: str | None = None,
    status: int | None = 200,
    text: str = "Cổng dịch vụ công",
    links: Iterable[Link] = (),
    forms: Iterable[Form] = (),
    lang: str | None = "vi",
    axe: Sequence[AxeViolation] | None = (),
    axe_error: str | None = None,
    content_type: str = "text/html; charset=utf-8",
    found_via: str = "link",
    depth: int | None = 1,
    error: str | None = None,
    timings: Timings | None = None,
    page_id: int = 0,
    title: str = "",
    moving_text: MovingText | None = _UNSET,
    access_aids: AccessAids | None = _UNSET,
    content_access: ContentAccess | None = _UNSET,
    axe_incomplete: Sequence[AxeViolation] | None = _UNSET,
    axe_best_practice: Sequence[AxeViolation] | None = _UNSET,
) -> Page:
    """A crawled page; ids are renumbered by ``bundle`` so callers rarely pass ``page_id``."""
    return Page(
        id=page_id, url=url(path), final_url=url(final_path or path), status=status,
        depth=depth, found_via=found_via, content_type=content_type, title=title,
        lang=lang, viewport_meta=HEALTHY_VIEWPORT, text=text, links=list(links),
        forms=list(forms), timings=timings or Timings(), error=error,
        axe=None if axe is None else list(axe), axe_error=axe_error,
        moving_text=MovingText() if moving_text is _UNSET else moving_text,
        access_aids=full_aids() if access_aids is _UNSET else access_aids,
        content_access=ContentAccess() if content_access is _UNSET else content_access,
        # axe's undecided and best-practice results come with its run: none on a healthy page.
        axe_incomplete=(([] if axe is not None else None) if axe_incomplete is _UNSET
                        else None if axe_incomplete is None else list(axe_incomplete)),
        axe_best_practice=(([] if axe is not None else None) if axe_best_practice is _UNSET
                           else None if axe_best_practice is None else list(axe_best_practice)),
    )


def good_transport(host: str = "dichvucong.example.gov.vn") -> TransportEvidence:
    """Transport evidence every T01-T04 criterion passes: redirect, valid certificate, TLS 1.3
    only, HSTS for a year, IPv6, a validated DNSSEC answer, an official name."""
    https = f"https://{host}/"
    return TransportEvidence(
        host=host, https_url=https, resolver="127.0.0.1:53", addresses=["127.0.0.1", "::1"],
        redirect=HttpsRedirect(start=f"http://{host}/", final_url=https, hops=[
            RedirectHop(url=f"http://{host}/", status=301, location=https),
            RedirectHop(url=https, status=200)]),
        tls=TlsProbe(host=host, port=443, verified=True, version="TLSv1.3",
                     certificate=TlsCertificate(subject=host, issuer="test CA",
                                                san=[f"DNS:{host}"], days_to_expiry=80,
                                                hostname_match=True),
                     legacy_accepted={"TLSv1": False, "TLSv1.1": False}),
        hsts=Hsts(url=https, header="max-age=31536000", max_age=31536000),
        ipv6=Ipv6Probe(aaaa=["::1"], connected="::1", status=200),
        dnssec=DnssecProbe(resolver="127.0.0.1:53", zone="example.gov.vn.", signed=True,
                           ad_flag=True, validated=True),
        official_domain_patterns=[r"dichvucong\.[a-z0-9-]+\.gov\.vn"])


def full_aids(origin: str = "https://dichvucong.example.gov.vn") -> AccessAids:
    """TT 32/2017 Đ18.2 aids as a model portal offers them: three shortcuts and A+/A−."""
    return AccessAids(
        accesskeys=[AccessKey(key="1", href=origin + "/", text="Trang chủ"),
                    AccessKey(key="2", href=origin + "/so-do-cong", text="Sơ đồ cổng"),
                    AccessKey(key="3", text="Tìm kiếm thủ tục")],
        text_size_controls=["A+", "A−"])


def render(width: int = 360, *, scroll_width: int | None = None, client_width: int | None = None,
           tap_targets: int | None = 40, small_tap_targets: int | None = 0,
           text_chars: int | None = 2000, small_text_chars: int | None = 0,
           error: str | None = None) -> MobileRender:
    """One phone width's layout; defaults fit the width with big targets and legible text."""
    return MobileRender(
        width=width, scroll_width=width if scroll_width is None else scroll_width,
        client_width=width if client_width is None else client_width, tap_targets=tap_targets,
        small_tap_targets=small_tap_targets, text_chars=text_chars,
        small_text_chars=small_text_chars, screenshot=f"key/x-{width}.jpg", error=error)


def start_page(path: str = "/", **kw: Any) -> Page:
    kw.setdefault("text", "Cổng dịch vụ công tỉnh. Tổng đài hỗ trợ: 1900 1234")
    return page(path, found_via="start", depth=0, **kw)


def key_page(
    role: str = "home",
    path: str = "/",
    *,
    fcp_ms: float | None = 1200.0,
    lcp_ms: float | None = 2000.0,
    cls: float | None = 0.01,
    ttfb_ms: float | None = 150.0,
    load_ms: float | None = 2500.0,
    transfer_bytes: int = 600 * 1024,
    request_count: int = 20,
    viewport_meta: str | None = HEALTHY_VIEWPORT,
    scroll_width: int | None = 360,
    client_width: int | None = 360,
    status: int | None = 200,
    error: str | None = None,
    lighthouse: Sequence[LighthouseRun] | None = _UNSET,
    mobile: Sequence[MobileRender] | None = _UNSET,
) -> KeyPageMeasurement:
    """A key template measured alone in the 360 px mobile lane; defaults pass every criterion.

    ``lighthouse`` defaults to three identical runs that report the same metrics as the lane's
    own timings (Speed Index = FCP, TBT 100 ms), so a test sets a metric in one place.
    """
    if lighthouse is _UNSET:
        lighthouse = [lighthouse_run(fcp_ms=fcp_ms, lcp_ms=lcp_ms, speed_index_ms=fcp_ms, cls=cls,
                                     server_response_ms=ttfb_ms, total_byte_weight=transfer_bytes,
                                     network_requests=request_count)] * 3
    return KeyPageMeasurement(
        role=role, url=url(path), final_url=url(path), status=status,
        timings=Timings(ttfb_ms=ttfb_ms, fcp_ms=fcp_ms, lcp_ms=lcp_ms, cls=cls, load_ms=load_ms),
        transfer_bytes=transfer_bytes, request_count=request_count, viewport_width=360,
        scroll_width=scroll_width, client_width=client_width, viewport_meta=viewport_meta,
        error=error, lighthouse=None if lighthouse is None else list(lighthouse),
        # By default both widths see what the 360 px fields say, the 320 px one 40 px narrower.
        mobile=([render(360, scroll_width=scroll_width, client_width=client_width),
                 render(320, scroll_width=scroll_width - 40, client_width=client_width - 40)]
                if scroll_width is not None and client_width is not None else
                [render(360).model_copy(update={"scroll_width": scroll_width,
                                                "client_width": client_width})])
        if mobile is _UNSET else None if mobile is None else list(mobile),
    )


def key_page_not_found(role: str, reason: str = "no link labelled for it on the homepage or one "
                       "level below") -> KeyPageMeasurement:
    """A key template the gatherer looked for and did not find (url empty, the reason kept)."""
    return KeyPageMeasurement(role=role, url="", not_found=reason)


def lighthouse_run(**kw: Any) -> LighthouseRun:
    """One healthy Lighthouse mobile run; ``kw`` overrides its fields."""
    fields: dict[str, Any] = {
        "preset": "mobile", "fetch_time": "2025-01-01T00:01:00.000Z", "duration_s": 3.3,
        "performance_score": 0.95, "fcp_ms": 1200.0, "lcp_ms": 2000.0, "speed_index_ms": 1500.0,
        "tbt_ms": 100.0, "cls": 0.01, "server_response_ms": 150.0, "tti_ms": 2500.0,
        "total_byte_weight": 600 * 1024, "network_requests": 20}
    fields.update(kw)
    return LighthouseRun(**fields)


def persona_run(profile: str = "slow_3g_cpu4", step_ms: Sequence[float | None] = (2000, 2100,
                                                                                   2200, 2300),
                **kw: Any) -> PersonaRun:
    """A walk of home → catalogue → service → status lookup, ``step_ms`` per step."""
    roles = ("home", "catalogue", "service", "status_lookup")
    paths = ("/", CATALOGUE_PATH, "/thu-tuc/1", "/tra-cuu-ho-so")
    steps = [PersonaStep(step=r, url=url(p), final_url=url(p), status=200, elapsed_ms=ms)
             for r, p, ms in zip(roles, paths, step_ms, strict=False)]
    return PersonaRun(profile=profile, steps=steps, **kw)


def persona(throttled_ms: Sequence[float | None] = (2000, 2100, 2200, 2300),
            unthrottled_ms: Sequence[float | None] = (150, 80, 90, 120)) -> PersonaJourney:
    return PersonaJourney(
        throttled=persona_run("slow_3g_cpu4", throttled_ms, download_kbps=400, upload_kbps=400,
                              latency_ms=2000, cpu_slowdown=4),
        unthrottled=persona_run("unthrottled", unthrottled_ms))


# -- journeys ---------------------------------------------------------------------------------


def search_run(query: str, results: Sequence[str] = (), *, status: int | None = 200,
               error: str | None = None) -> SearchRun:
    slug = query.replace(" ", "+")
    return SearchRun(
        query=query, submitted_url=url(f"/tim-kiem?q={slug}"), status=status,
        final_url=url(f"/tim-kiem?q={slug}"),
        results=[link(f"/thu-tuc/kq-{i}", text) for i, text in enumerate(results)],
        error=error,
    )


def catalogue_walk(walk_url: str, pages: Sequence[ListingPage], *,
                   stated_total: int | None = None, control: str = "Trang sau") -> CatalogueWalk:
    """The catalogue's list read through a pager that is not plain links."""
    return CatalogueWalk(url=url(walk_url), control=control, pages=list(pages),
                         stopped="no next control", stated_total=stated_total)


def listing_page(number: int, links: Sequence[Link], *, at: str = CATALOGUE_PATH,
                 text: str = "") -> ListingPage:
    """Page ``number`` of the catalogue's list, at ``at`` (in place: the catalogue's address)."""
    return ListingPage(number=number, url=url(at), links=list(links), text=text)


def search_journey(*runs: SearchRun, form_found: bool = True, error: str | None = None) -> Journeys:
    return Journeys(search=SearchJourney(
        form_found=form_found, form_page=url("/") if form_found else None,
        form_index=0 if form_found else None, runs=list(runs), error=error,
    ))


def status_lookup(text: str = "Không tìm thấy hồ sơ với mã đã nhập. Vui lòng kiểm tra lại.", *,
                  status: int | None = 200, error: str | None = None,
                  form_found: bool = True) -> Journeys:
    return Journeys(status_lookup=StatusLookupJourney(
        form_found=form_found, form_page=url("/tra-cuu-ho-so") if form_found else None,
        form_index=0 if form_found else None, code="000.00.00.H99-250101-9999",
        submitted_url=url("/tra-cuu-ho-so?ma=000.00.00.H99-250101-9999"), status=status,
        final_url=url("/tra-cuu-ho-so?ma=000.00.00.H99-250101-9999"), text=text, error=error,
    ))


# -- bundles ----------------------------------------------------------------------------------


def bundle(
    pages: Sequence[Page] = (),
    *,
    key_pages: Sequence[KeyPageMeasurement] | None = _UNSET,
    journeys: Journeys | None = None,
    not_evaluated: str | None = None,
    disabled: dict[str, str] | None = None,
    portal_id: str = "test-portal",
    persona_journey: PersonaJourney | None = _UNSET,
    settings: dict[str, Any] | None = None,
) -> EvidenceBundle:
    """A bundle of ``pages`` (renumbered 0..n-1); ``key_pages`` defaults to one healthy home,
    ``persona_journey`` to a healthy walk."""
    if key_pages is _UNSET:
        key_pages = [key_page()]
    if persona_journey is _UNSET:
        persona_journey = persona()
    numbered = [p.model_copy(update={"id": i}) for i, p in enumerate(pages)]
    return EvidenceBundle(
        portal_id=portal_id, portal_name="Cổng dịch vụ công thử nghiệm", start_url=url("/"),
        started_at="2025-01-01T00:00:00+00:00", finished_at="2025-01-01T00:05:00+00:00",
        versions=Versions(portal_eval="0.1.0", chromium="140.0", axe_core="4.12.1"),
        not_evaluated=not_evaluated, disabled=disabled or {}, settings=settings or {},
        crawl=CrawlSummary(max_pages=60, max_depth=4, pages_visited=len(numbered)),
        pages=numbered, key_pages=None if key_pages is None else list(key_pages),
        journeys=journeys or Journeys(), persona=persona_journey,
    )


def view(b: EvidenceBundle) -> EvidenceView:
    return EvidenceView(b, vocabulary())


def view_of(*pages: Page, **kw: Any) -> EvidenceView:
    return view(bundle(pages, **kw))


# -- a whole small portal ---------------------------------------------------------------------



def service_links(count: int, *, start: int = 0, labelled: int | None = None,
                  full: int | None = None) -> list[Link]:
    """``count`` catalogue rows linking /thu-tuc/<n>; the first ``labelled`` rows carry a level
    (the first ``full`` of those "Toàn trình", the rest "Một phần")."""
    labelled = count if labelled is None else labelled
    full = labelled if full is None else full
    rows = []
    for i in range(count):
        n = start + i
        level = "" if i >= labelled else ("Toàn trình" if i < full else "Một phần")
        rows.append(link(f"/thu-tuc/{n}", f"Thủ tục số {n}",
                         context=f"Thủ tục số {n} | Lĩnh vực Hộ tịch | {level}".strip(" |")))
    return rows


def portal_pages(
    services: int = 22,
    *,
    labelled: int | None = None,
    per_catalogue_page: int | None = None,
    home_extra: Sequence[Link] = (),
    extra_pages: Sequence[Page] = (),
    catalogue_label: str = "Thủ tục hành chính",
) -> list[Page]:
    """A homepage whose menu links the catalogue; the catalogue lists ``services`` services,
    split into pages of ``per_catalogue_page`` chained by "Trang sau" links (page n+1 is one
    click deeper than page n)."""
    per = per_catalogue_page or max(services, 1)
    rows = service_links(services, labelled=labelled)
    chunks = [rows[i:i + per] for i in range(0, len(rows), per)] or [[]]
    home = start_page(links=[
        nav_link("/", "Trang chủ"),
        nav_link(CATALOGUE_PATH, catalogue_label),
        *home_extra,
    ])
    pages = [home]
    for n, chunk in enumerate(chunks, 1):
        path = CATALOGUE_PATH if n == 1 else f"{CATALOGUE_PATH}?page={n}"
        nxt = [link(f"{CATALOGUE_PATH}?page={n + 1}", "Trang sau")] if n < len(chunks) else []
        pages.append(page(path, text="Danh mục thủ tục hành chính", depth=n,
                          links=[nav_link("/", "Trang chủ"), *chunk, *nxt]))
    return [*pages, *extra_pages]


def faq_text(questions: int) -> str:
    return "\n".join(
        f"Câu hỏi {i}: Làm thế nào để nộp hồ sơ loại {i} trực tuyến?\nTrả lời: Truy cập cổng."
        for i in range(1, questions + 1)
    )


# -- importing browser-side modules without Playwright ---------------------------------------


@contextmanager
def browser_modules(*names: str) -> Iterator[list[ModuleType]]:
    """Import ``names`` (evaluator.browser, evaluator.crawl.crawler, …) for pure unit tests.

    With Playwright installed they import as usual. Without it, a stub ``playwright.async_api``
    (bare names, nothing that can launch) stands in while they import, and every module imported
    against the stub is dropped again on exit, so no later test sees it.
    """
    try:
        importlib.import_module("playwright.async_api")
    except ImportError:
        pass
    else:
        yield [importlib.import_module(n) for n in names]
        return
    before = set(sys.modules)
    api = types.ModuleType("playwright.async_api")
    for name in ("Browser", "BrowserContext", "Page", "Playwright", "Request", "Response", "Route"):
        setattr(api, name, type(name, (), {}))
    api.Error = type("Error", (Exception,), {})  # type: ignore[attr-defined]
    api.TimeoutError = type("TimeoutError", (api.Error,), {})  # type: ignore[attr-defined]

    def async_playwright() -> None:
        raise RuntimeError("unit tests never launch a browser")

    api.async_playwright = async_playwright  # type: ignore[attr-defined]
    package = types.ModuleType("playwright")
    package.__path__ = []
    package.async_api = api  # type: ignore[attr-defined]
    sys.modules["playwright"] = package
    sys.modules["playwright.async_api"] = api
    try:
        yield [importlib.import_module(n) for n in names]
    finally:
        for name in set(sys.modules) - before:
            if not name.startswith(("evaluator.", "playwright")):
                continue  # the standard library stays imported
            del sys.modules[name]
            parent, _, child = name.rpartition(".")
            if parent in sys.modules and getattr(sys.modules[parent], child, None) is not None:
                delattr(sys.modules[parent], child)
