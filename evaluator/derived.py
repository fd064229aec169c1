"""Memoised, browser-free views over an evidence bundle: roles of pages, link graph, services.

Both the gatherer (to pick the key pages it measures) and the checks (to judge them) use these
views, so "which page is the catalogue" is decided in one place.

Everything here works from what a citizen sees, never from one portal's markup: the site's
frame (header, menu, footer) is learnt from the links repeated across the crawled pages; a
page is taken for a role (catalogue, FAQ, feedback…) by its label, where the label sits, and
what the page it leads to actually holds; a catalogue's services are the largest family of
links of one URL shape in its rows, whatever element draws the rows.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal
from urllib.parse import parse_qsl, urldefrag, urlsplit

from evaluator.criteria.schema import TermGroup, Vocabulary
from evaluator.evidence import CatalogueWalk, EvidenceBundle, Form, Link, Page
from evaluator.settings import Settings
from evaluator.textnorm import clip, contains_any, fold


def route_of(url: str) -> str:
    """The client-side route a fragment holds ("#/tra-cuu-ho-so", "#!/thu-tuc/1"), without a
    trailing slash; "" for an ordinary fragment (an anchor on the page) or none.

    Single-page apps with hash routing (OpenCPS's Vue portals: CONFIG-FACTS.md §6.3) show a
    different page for each route of one document: those routes are pages, anchors are not."""
    fragment = urldefrag(url)[1]
    if not fragment.startswith(("/", "!/")):
        return ""
    route = fragment.rstrip("/")
    return f"#{route}" if route not in ("", "!") else ""


def page_address(url: str) -> str:
    """``url`` without its fragment, unless the fragment is a route (route_of)."""
    return urldefrag(url)[0] + route_of(url)


def normalise_url(url: str) -> str:
    """Drop an anchor fragment and a trailing slash on the path, so /a/ and /a#x are one page;
    a route fragment (#/x) stays: it is another page of a single-page app."""
    route = route_of(url)
    parts = urlsplit(urldefrag(url)[0])
    path = parts.path.rstrip("/") or "/"
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme}://{parts.netloc}{path}{query}{route}"


# Second-level names under which a registrable domain takes three labels (VNNIC's list of
# .vn second-level domains): dichvucong.hanoi.gov.vn belongs to hanoi.gov.vn, not gov.vn.
_VN_SECOND_LEVEL = frozenset({
    "gov.vn", "com.vn", "edu.vn", "org.vn", "net.vn", "ac.vn", "int.vn", "info.vn", "pro.vn",
    "biz.vn", "name.vn", "health.vn", "id.vn", "io.vn"})


def registrable_domain(host: str) -> str:
    """The domain a host's owner registered: "sso.hanoi.gov.vn" → "hanoi.gov.vn".

    A portal's own sign-in subdomain (sso.<tỉnh>.gov.vn) is the portal's, not an identity
    provider's. Without a public-suffix list this knows .vn's second-level names and takes
    the last two labels elsewhere; an IP address or a single label is itself."""
    host = host.lower().rstrip(".")
    labels = host.split(".")
    if len(labels) < 2 or host.replace(".", "").isdigit() or ":" in host:
        return host
    if ".".join(labels[-2:]) in _VN_SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def same_owner(url: str, site: str) -> bool:
    """``url`` is on ``site``'s host or a sibling host of its registrable domain, on the same
    port, over http(s). Addresses have no siblings: 127.0.0.1:8001 and :8002 are two hosts."""
    try:
        a, b = urlsplit(url), urlsplit(site)
        ports = (a.port or _DEFAULT_PORTS.get(a.scheme), b.port or _DEFAULT_PORTS.get(b.scheme))
    except ValueError:
        return False
    host_a, host_b = (a.hostname or "").lower(), (b.hostname or "").lower()
    if not host_a or not host_b or a.scheme not in _DEFAULT_PORTS or ports[0] != ports[1]:
        return False
    if host_a == host_b:
        return True
    if _is_address(host_a) or _is_address(host_b):
        return False
    return registrable_domain(host_a) == registrable_domain(host_b)


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def on_hosts(url: str, hosts: Sequence[str]) -> bool:
    """``url`` is on one of ``hosts`` (host or host:port; subdomains count), over http(s)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https"):
        return False
    netloc, host = parts.netloc.lower(), (parts.hostname or "").lower()
    return any(netloc == h.lower() or host == h.lower() or host.endswith("." + h.lower())
               for h in hosts if h)


def route_key(url: str) -> str:
    """``normalise_url``, but a hash route (``#/tra-cuu-ho-so``, ``#!/thu-tuc/1``) is kept.

    Script-driven portals (OpenCPS ``/web/cong-dich-vu-cong/dich-vu-cong#/…``, the inter-agency
    ``lienthong.dichvucong.gov.vn/#/tra-cuu-ho-so``: CONFIG-FACTS §6) put whole pages behind
    the fragment; an in-page anchor (``#noi-dung``) still names the same page. The same key
    as the frontier's (normalise_url keeps routes too), so a page is one page everywhere."""
    return normalise_url(url)


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def path_of(url: str) -> str:
    """The page's path: a route's own path for an SPA's hash route (#/thu-tuc/1 → /thu-tuc/1)."""
    route = route_of(url)
    if route:
        return urlsplit(route.lstrip("#!")).path.rstrip("/") or "/"
    return urlsplit(url).path.rstrip("/") or "/"


def host_listed(url: str, hosts: Iterable[str]) -> str | None:
    """The entry of ``hosts`` that ``url``'s host is (or is a subdomain of), else None.

    An entry with a port (127.0.0.1:8123, a test stand-in) matches host and port exactly."""
    try:
        parts = urlsplit(url)
        hostname = (parts.hostname or "").lower()
        netloc = parts.netloc.lower().rsplit("@", 1)[-1]
    except ValueError:
        return None
    for entry in hosts:
        e = entry.strip().lower()
        if not e:
            continue
        if ":" in e and netloc == e:
            return entry
        if hostname == e or hostname.endswith("." + e):
            return entry
    return None


# -- pagination and URL shapes -------------------------------------------------------------------

# Query parameters that only page a list (or size its pages): two addresses on one path whose
# other parameters are equal are pages of one list. Seen on Vietnamese portals: "trang" (our
# fixtures, many CMSs), "page_index" + "record_per_page" (DVCQG's PAKN JSP), "pageIndex" +
# "pageSize" (DVCQG's rest.jsp), "page" + "size" (VNPT iGate `/vi/procedure/search`), all in
# CONFIG-FACTS §6; "paged" and "p" (WordPress), "start"/"offset" + "rows"/"limit" (Solr, REST
# APIs), "pg", "pageNumber", "currentPage". Compared case-insensitively.
PAGING_PARAMS = frozenset({
    "page", "trang", "p", "pg", "paged", "pageindex", "page_index", "pagenumber", "page_number",
    "pageno", "page_no", "pagenum", "currentpage", "current_page", "sotrang", "so_trang",
    "start", "offset", "startindex", "start_index",
    "size", "pagesize", "page_size", "limit", "rows", "per_page", "perpage", "record_per_page",
})

# A file a service row may link (its form): never a service page itself.
_WEB_EXTENSIONS = re.compile(r"\.(?:html?|aspx?|php|jsp|do|action|xhtml)$", re.I)
# Path segments that name one record rather than a place in the site: numbers (746, 2024),
# procedure codes (1.001193, 2.000986: TT 01/2018 and the national database), UUIDs (DVCQG's
# 2026 `/thu-tuc-hanh-chinh/{uuid}`), hex ids (iGate's 24-hex `/vi/procedure/detail/<id>`), and
# slugs carrying such a number (`thu-tuc-12345`).
_ID_SEGMENT = re.compile(
    r"^(?:\d+(?:[._-]\d+)*"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|(?=[0-9a-f]*\d)[0-9a-f]{8,}"
    r"|.*\d{3,}.*|.*\d+\.\d+.*)$", re.I)


def _split_query(query: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(paging params, other params) of a query string, keys lower-cased."""
    paging: list[tuple[str, str]] = []
    other: list[tuple[str, str]] = []
    for key, value in parse_qsl(query, keep_blank_values=True):
        (paging if key.lower() in PAGING_PARAMS else other).append((key.lower(), value))
    return paging, other


def pagination_key(url: str) -> str:
    """What every page of one list shares: origin, path (and hash route) and the query
    parameters that are not paging ones. ``/thu-tuc?trang=2`` and ``/thu-tuc`` share it;
    ``?ma_thu_tuc=1.001193``, ``?id=7`` and DNN's ``Default.aspx?tabid=119&ItemId=5`` do not
    share it with their list: they are pages of their own."""
    base, fragment = urldefrag(url)
    parts = urlsplit(base)
    _paging, other = _split_query(parts.query)
    route = f"#{fragment}" if fragment.startswith(("/", "!/")) else ""
    query = "&".join(f"{k}={v}" for k, v in sorted(other))
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/') or '/'}{route}?{query}"


def url_shape(url: str) -> str:
    """The family a link belongs to: its path with record ids and the last segment replaced
    by ``*``, and the names (not the values) of its non-paging query parameters.

    ``/thu-tuc/1.001193`` and ``/thu-tuc/dang-ky-khai-sinh`` → ``/thu-tuc/*``;
    ``/p/home/dvc-chi-tiet-thu-tuc-hanh-chinh.html?ma_thu_tuc=X`` → ``/p/home/*?ma_thu_tuc``;
    ``/Bo-thu-tuc-hanh-chinh/moduleId/746/ItemId/5/controller/…/action/Edit`` keeps its words
    and wildcards 746 and 5. The last segment is always a wildcard: a service named by a slug
    is one of its siblings, like one named by a code."""
    base, fragment = urldefrag(url)
    parts = urlsplit(base)
    path = parts.path
    if fragment.startswith(("/", "!/")):
        path = f"{path.rstrip('/')}/#{fragment}"
    segments = [s for s in path.split("/") if s]
    shaped = ["*" if _ID_SEGMENT.match(_WEB_EXTENSIONS.sub("", s)) else s for s in segments]
    if shaped:
        shaped[-1] = "*"
    _paging, other = _split_query(parts.query)
    keys = ",".join(sorted({k for k, _v in other}))
    return f"{parts.netloc}/{'/'.join(shaped)}?{keys}"


# -- what the views return -------------------------------------------------------------------------

ServiceLevel = Literal["full", "partial", "info"]


@dataclass(frozen=True)
class Service:
    url: str
    name: str
    # "full" (toàn trình), "partial" (một phần), "info" (cung cấp thông tin trực tuyến, the third
    # level of NĐ 42/2022/NĐ-CP Đ11) or None when the row states no level.
    level: ServiceLevel | None
    # The list page that shows it: a crawled page's address, or the catalogue walk's.
    listed_on: str
    # The walk's page number when the row was read through the pager (None: a crawled page).
    page_number: int | None = None
    # How its link was found (Link.via): a button or router link counts like an <a href>.
    via: str = "href"


@dataclass(frozen=True)
class Listing:
    """One page of the catalogue's list: a crawled page, or a page the catalogue walk reached
    through a pager that is not plain links (buttons, script, in-place AJAX)."""

    url: str
    number: int | None
    links: Sequence[Link]
    text: str
    page: Page | None


Fit = Literal["fits", "refused", "unknown"]
MatchKind = Literal["exact", "word", "substring"]
_MATCH_KINDS: tuple[MatchKind, MatchKind, MatchKind] = ("exact", "word", "substring")


@dataclass(frozen=True)
class RoleCandidate:
    """A link labelled for a role, and what it was found to lead to.

    ``reason`` is a code (see ``FIT_REASONS``) and ``detail`` the figure behind it ("12" for
    the questions counted, "HTTP 404", a host): the checks turn them into bilingual findings.
    """

    role: str
    link: Link
    on_page: Page
    hop: int
    # exact: the link's text is the label; word: the label is a phrase of whole words in it;
    # substring: only inside a longer word once diacritics are folded.
    match: MatchKind
    # menu: in the header or menu (landmark, or a link of the learnt site frame); body; footer.
    place: Literal["menu", "body", "footer"]
    same_site: bool
    target: Page | None
    fit: Fit
    reason: str
    detail: str = ""


# Why a candidate was taken (fits), refused, or could not be judged (unknown).
FIT_REASONS: dict[str, Fit] = {
    "catalogue_rows": "fits", "catalogue_total": "fits", "catalogue_walk": "fits",
    "lookup_form": "fits", "questions": "fits", "feedback_form": "fits",
    "feedback_words": "fits", "mailto": "fits", "rating_levels": "fits",
    "statistics_series": "fits", "guide_links": "fits", "guide_words": "fits",
    "login_handover": "fits", "login_password": "fits", "login_identity_button": "fits",
    "payment_handover": "fits", "loads": "fits",
    "broken": "refused", "homepage": "refused", "not_a_page": "refused",
    "no_rows": "refused", "no_lookup_form": "refused", "no_questions": "refused",
    "no_feedback": "refused", "no_levels": "refused", "no_series": "refused",
    "no_guides": "refused", "no_login": "refused", "no_payment": "refused",
    "not_crawled": "unknown",
}

# The site frame is learnt from at least this many crawled pages besides the homepage; with
# fewer, a "majority" is one or two pages, which a block the homepage shares with the
# catalogue's first page could reach, and the landmark rule (everything outside <main>) is
# used instead.
MIN_FRAME_PAGES = 4
# A frame link is on (nearly) every page; pages built on another template (a login page with a
# slim frame, a print view) cost it a few pages, never 40 % of them, while a content link
# (a featured service) reappears only on a handful of list pages.
FRAME_SHARE = 0.6
# A page listing at least this many links of one family in its rows is a catalogue: real
# portals show 10-20 procedures per list page (iGate `size=10`, DVCQG `record_per_page`,
# CONFIG-FACTS §6); 5 leaves room for a short last page.
MIN_CATALOGUE_ROWS = 5
# A shorter list is a catalogue all the same when most of its rows state a service level
# ("Toàn trình", "Một phần"): no other list on a portal carries those words.
MIN_LABELLED_ROWS = 2
# Another family of links joins the largest one when it has at least this many rows and its
# rows read like the largest family's (a row around the link, levels where the largest has
# them): a catalogue whose detail pages come in two address forms (path ids and
# ?ma_thu_tuc=) is one catalogue; a pager, a sector filter or "Xem thêm tin tức" is not.
MIN_JOINING_ROWS = 5
# The frame's words that are no link are read off this many other pages of the site (the
# fewest occurrences among them): three, so one page that happens to speak of the same thing
# (an FAQ answer about satisfaction) does not hide the frame's share.
FRAME_TEXT_PAGES = 3
# A role page holds "the levels" / "the series" when at least this many of them are on it
# beyond its menu; the checks then judge whether all are.
MIN_ROLE_TERMS = 2

_QUESTION = re.compile(r"[^\n?]{8,}\?")
# "Có 1.200 thủ tục", "Tổng số: 345 dịch vụ", "Hiển thị 1-20 của 1200 TTHC" (folded text).
_STATED_TOTAL = re.compile(
    r"\b(?:co|tong so|tong cong|tong|gom|tim thay|hien thi|cua|tren)\b[^0-9]{0,20}?"
    r"(\d{1,3}(?:[.,]\d{3})+|\d+)\s+(?:thu tuc|dich vu|tthc)\b")
_WEB = ("http:", "https:")
_LANDMARK_FRAME = ("header", "nav", "footer")


def questions(text: str) -> list[str]:
    """Distinct question sentences of a text (8 characters at least before the "?")."""
    return list(dict.fromkeys(q.strip() for q in _QUESTION.findall(text)))


def stated_total(folded_text: str) -> int | None:
    """The number of procedures a list says it holds ("Có 1.200 thủ tục"), from folded text."""
    found = _STATED_TOTAL.search(folded_text)
    if found is None:
        return None
    return int(re.sub(r"[.,]", "", found.group(1)))


@dataclass
class _Row:
    key: str
    link: Link
    text: str
    context: str
    level: ServiceLevel | None
    rich: bool
    listing: Listing
    seen: int


def _has(folded_text: str, needles: Sequence[str]) -> bool:
    """Any of the folded ``needles`` in the folded text: ``contains_any`` without folding
    again (a 1,200-row catalogue would fold every level phrase 1,200 times)."""
    return any(n and n in folded_text for n in needles)


def _label_match(folded_text: str, labels: Sequence[str]) -> tuple[int, int] | None:
    """(0 exact / 1 whole-word phrase / 2 substring, index of the label), best first."""
    bare = folded_text.strip(" \t.,:;!?-–—»›>|*·()[]")
    best: tuple[int, int] | None = None
    for index, label in enumerate(labels):
        if not label or label not in folded_text:
            continue
        if bare == label:
            kind = 0
        elif re.search(rf"(?<![0-9a-z]){re.escape(label)}(?![0-9a-z])", folded_text):
            kind = 1
        else:
            kind = 2
        if best is None or kind < best[0]:
            best = (kind, index)
    return best


def _largest_family(rows: list[_Row],
                    shape: Callable[[str], str] = url_shape) -> list[_Row]:
    """The rows of the largest URL family (``shape``: url_shape, memoised by the caller), and
    of families whose rows read like it."""
    families: dict[str, list[_Row]] = {}
    for row in rows:
        families.setdefault(shape(row.key), []).append(row)
    if not families:
        return []

    def labelled(members: list[_Row]) -> float:
        return sum(r.level is not None for r in members) / len(members)

    def rich(members: list[_Row]) -> float:
        return sum(r.rich for r in members) / len(members)

    ordered = sorted(families.values(), key=lambda m: (
        -len(m), -labelled(m), -rich(m), m[0].seen))
    winner = ordered[0]
    chosen = list(winner)
    for family in ordered[1:]:
        if (len(family) >= MIN_JOINING_ROWS and rich(winner) >= 0.5 and rich(family) >= 0.5
                and labelled(family) >= labelled(winner) / 2):
            chosen += family
    return sorted(chosen, key=lambda r: r.seen)


def _row_name(text: str, context: str) -> str:
    """The service's name: its link's text, or its row's when the link says only "Chi tiết"."""
    if len(text.split()) <= 2 and len(context.split()) > len(text.split()) + 1:
        return clip(context, 120)
    return text


def _memo(cache: dict[str, str], key: str, compute: Callable[[str], str]) -> str:
    """``compute(key)``, kept in ``cache``: the view's memoised text and address forms."""
    got = cache.get(key)
    if got is None:
        got = cache[key] = compute(key)
    return got


class EvidenceView:
    def __init__(self, bundle: EvidenceBundle, vocabulary: Vocabulary) -> None:
        self.bundle = bundle
        self.vocab = vocabulary
        self._folded: dict[str, str] = {}
        self._keys: dict[str, str] = {}
        self._normal: dict[str, str] = {}
        self._pagination: dict[str, str] = {}
        self._origins: dict[str, str] = {}
        self._paths: dict[str, str] = {}
        self._shapes: dict[str, str] = {}
        self._candidates: dict[tuple[str, int], list[RoleCandidate]] = {}
        self._rows: dict[str, list[Service]] = {}
        self._walked: dict[int, list[tuple[int, Page, Link, str]]] = {}

    # -- settings ------------------------------------------------------------------------------
    def setting(self, name: str, usable: Callable[[object], bool]) -> object:
        """The setting ``name`` as the evidence recorded it (the settings the portal was gathered
        with) when ``usable`` accepts it, else the default this portal-eval ships (bundles that
        predate the setting). Never the scoring machine's own settings file or environment.

        Checks read settings here: what they judge by is in the evidence, so a re-score judges
        the same way wherever it runs, and no check constructs settings of its own.
        """
        recorded = self.bundle.settings.get(name)
        if usable(recorded):
            return recorded
        default: object = getattr(Settings, name)
        return default

    # -- memoised text and address forms -------------------------------------------------------
    def folded(self, text: str) -> str:
        """``fold(text)``, once per distinct text: the frame's links repeat on every page."""
        return _memo(self._folded, text, fold)

    def normalised(self, url: str) -> str:
        """``normalise_url(url)``, once per distinct address: a portal's frame repeats the
        same few hundred links on every page, and re-scoring must stay quick (BENCHMARKS.md)."""
        return _memo(self._normal, url, normalise_url)

    def lower_path(self, url: str) -> str:
        """The path of ``url``, lower-cased, once per distinct address."""
        return _memo(self._paths, url, lambda u: urlsplit(u).path.lower())

    def shape(self, url: str) -> str:
        """``url_shape(url)``, once per distinct address."""
        return _memo(self._shapes, url, url_shape)

    def pagination(self, url: str) -> str:
        """``pagination_key(url)``, once per distinct address."""
        return _memo(self._pagination, url, pagination_key)

    def key(self, href: str) -> str:
        """``route_key(href)``, once per distinct address."""
        return _memo(self._keys, href, route_key)

    # -- pages -------------------------------------------------------------------------------
    @cached_property
    def pages(self) -> list[Page]:
        return list(self.bundle.pages)

    @cached_property
    def html_pages(self) -> list[Page]:
        """Pages that loaded as documents (status < 400, no load error)."""
        return [
            p for p in self.pages
            if p.error is None and p.status is not None and p.status < 400
        ]

    @cached_property
    def _by_url(self) -> dict[str, Page]:
        index: dict[str, Page] = {}
        for page in self.pages:
            index.setdefault(self.normalised(page.url), page)
            index.setdefault(self.normalised(page.final_url), page)
        return index

    @cached_property
    def _by_route(self) -> dict[str, Page]:
        index: dict[str, Page] = {}
        for page in self.pages:
            for url in (page.url, page.final_url):
                if "#/" in url or "#!/" in url:
                    index.setdefault(self.key(url), page)
        return index

    def page(self, url: str) -> Page | None:
        return self._by_url.get(self.normalised(url))

    def target_of(self, href: str) -> Page | None:
        """The crawled page a link leads to; a hash route only to the page read at that route
        (never to the document it is drawn in)."""
        key = self.key(href)
        if "#" in key:
            return self._by_route.get(key)
        return self._by_url.get(key)

    @cached_property
    def start_page(self) -> Page | None:
        return next((p for p in self.pages if p.found_via == "start"), None)

    @cached_property
    def site_origin(self) -> str:
        start = self.start_page
        return origin(start.final_url if start else self.bundle.start_url)

    def same_site(self, url: str) -> bool:
        got = self._origins.get(url)
        if got is None:
            got = self._origins[url] = origin(url)
        return got == self.site_origin

    def is_home(self, href: str) -> bool:
        start = self.start_page
        key = self.key(href)
        return start is not None and key in (self.key(start.url), self.key(start.final_url))

    @cached_property
    def payment_hosts(self) -> list[str]:
        """The vocabulary's payment platforms and the hosts the settings trust as such."""
        extra = self.bundle.settings.get("trusted_payment_hosts") or []
        return [*self.vocab.payment_hosts, *(str(h) for h in extra if isinstance(h, str))]

    @cached_property
    def identity_hosts(self) -> list[str]:
        """The national identity providers and the hosts the settings trust as such."""
        extra = self.bundle.settings.get("trusted_identity_hosts") or []
        return [*self.vocab.identity_providers, *(str(h) for h in extra if isinstance(h, str))]

    # -- the site frame ----------------------------------------------------------------------
    @cached_property
    def template_hrefs(self) -> frozenset[str]:
        """Links of the site's frame (header, menu, footer), by ``route_key``.

        Learnt from repetition: a link of the start page that is also on at least
        ``FRAME_SHARE`` of the other crawled HTML pages of the site, whatever element holds
        it. A landmark-free portal (every link's region "other") keeps its featured services
        this way. With fewer than ``MIN_FRAME_PAGES`` other pages (the gatherer's first look,
        a tiny crawl), the landmark rule: every start-page link outside <main>.

        Content links of a page are its links minus these; that is how a catalogue's service
        links are told apart from the menu without knowing the portal's markup.
        """
        start = self.start_page
        if start is None:
            return frozenset()
        start_keys = {self.key(link.href) for link in start.links}
        others = self._frame_sample
        if not self.frame_learnt:
            return frozenset(self.key(link.href) for link in start.links if link.region != "main")
        counts: Counter[str] = Counter()
        for other in others:
            counts.update({self.key(link.href) for link in other.links} & start_keys)
        need = FRAME_SHARE * len(others)
        return frozenset(k for k in start_keys if counts[k] >= need)

    @cached_property
    def _frame_sample(self) -> list[Page]:
        """The site's other HTML pages, the frame is learnt from."""
        start = self.start_page
        if start is None:
            return []
        home = (self.key(start.url), self.key(start.final_url))
        return [
            p for p in self.html_pages
            if p is not start and self.same_site(p.final_url)
            and ("html" in p.content_type or not p.content_type)
            and self.key(p.final_url) not in home
        ]

    @cached_property
    def frame_learnt(self) -> bool:
        """The frame was learnt from repetition (enough pages), not guessed from landmarks."""
        return len(self._frame_sample) >= MIN_FRAME_PAGES

    def in_frame(self, link: Link) -> bool:
        """The link belongs to the site's frame: learnt (``template_hrefs``) or a header, menu
        or footer landmark."""
        return link.region in _LANDMARK_FRAME or self.key(link.href) in self.template_hrefs

    def content_links(self, page: Page | None = None, links: Iterable[Link] | None = None
                      ) -> list[Link]:
        """Same-site links with a text of their own outside the site's frame: a page's
        content (``page``), or the content among ``links`` (an answer that came in place)."""
        chosen = links if links is not None else (page.links if page is not None else ())
        return [ln for ln in chosen
                if ln.href.startswith(_WEB) and self.same_site(ln.href)
                and not self.in_frame(ln) and (ln.text.strip() or ln.context.strip())]

    def _frame_text_counts(self, page: Page, needles: Sequence[str]) -> Counter[str]:
        """How often each folded needle occurs in the page's frame: in the texts of its frame
        links, or, when more, in every one of a few other pages of the site (the frame's
        words that are no link: a slogan "Sự hài lòng của người dân là thước đo" in the
        header of every page)."""
        counts: Counter[str] = Counter()
        for ln in page.links:
            if ln.text and self.in_frame(ln):
                text = self.folded(ln.text)
                for needle in needles:
                    if needle in text:
                        counts[needle] += text.count(needle)
        others = [p for p in self._frame_sample if p is not page][:FRAME_TEXT_PAGES]
        if others:
            texts = [self.folded(p.text) for p in others]
            for needle in needles:
                counts[needle] = max(counts[needle], min(t.count(needle) for t in texts))
        return counts

    def groups_in_content(self, page: Page, groups: Sequence[TermGroup]) -> list[TermGroup]:
        """The term groups the page carries beyond its frame: a phrase counts where it occurs
        more often in the page's text than in its frame ("Đánh giá sự hài lòng" in the menu
        of every page is not a satisfaction scale)."""
        text = self.folded(page.text)
        needles = [self.folded(m) for g in groups for m in g.match]
        framed = self._frame_text_counts(page, needles)
        found = []
        for group in groups:
            for phrase in group.match:
                needle = self.folded(phrase)
                if needle and text.count(needle) > framed[needle]:
                    found.append(group)
                    break
        return found

    def mentions_in_content(self, page: Page, phrases: Sequence[str]) -> bool:
        """Any of the phrases more often in the page's text than in its frame."""
        text = self.folded(page.text)
        needles = [self.folded(p) for p in phrases if p.strip()]
        framed = self._frame_text_counts(page, needles)
        return any(text.count(n) > framed[n] for n in needles)

    # -- links -------------------------------------------------------------------------------
    def links_labelled(self, page: Page, role: str) -> list[Link]:
        labels = [self.folded(label) for label in self.vocab.labels.get(role, [])]
        return [
            link for link in page.links
            if link.href.startswith(("http:", "https:", "mailto:", "tel:"))
            and _has(self.folded(link.text), labels)
        ]

    def role_candidates(self, role: str, max_hops: int = 1) -> list[RoleCandidate]:
        """Every link labelled for ``role`` on the start page and on the pages it links to
        (``max_hops`` levels below), one per target, best first.

        Best: a target that fits the role (``fits``) before one not crawled (``unknown``)
        before one refused; then an exact label before a phrase before a substring, the
        header or menu before the body, a page before an e-mail address, the portal's own
        site before another, nearer the homepage, the vocabulary's earlier label, and the
        order on the page. Links found by activating buttons and router links (``via``) are
        candidates like any <a href>.
        """
        cached = self._candidates.get((role, max_hops))
        if cached is not None:
            return cached
        start = self.start_page
        labels = [self.folded(label) for label in self.vocab.labels.get(role, [])]
        if start is None or not labels:
            self._candidates[(role, max_hops)] = []
            return []
        found: dict[str, tuple[tuple[int, ...], RoleCandidate]] = {}
        matches: dict[str, tuple[int, int] | None] = {}
        for seq, (hop, page, ln, text) in enumerate(self._links_within(max_hops)):
            if text not in matches:
                matches[text] = _label_match(text, labels)
            match = matches[text]
            if match is not None:
                self._consider(found, role, ln, page, hop, match, seq)
        ranked = [c for _k, c in sorted(found.values(), key=lambda kc: kc[0])]
        self._candidates[(role, max_hops)] = ranked
        return ranked

    def _links_within(self, max_hops: int) -> list[tuple[int, Page, Link, str]]:
        """(hop, page, link, folded text) of the web and mailto links on the start page and on
        the crawled same-site pages ``max_hops`` clicks below, in page order; the same for
        every role, so it is walked once."""
        cached = self._walked.get(max_hops)
        if cached is not None:
            return cached
        start = self.start_page
        out: list[tuple[int, Page, Link, str]] = []
        frontier = [start] if start is not None else []
        seen = {self.key(start.final_url), self.key(start.url)} if start is not None else set()
        for hop in range(max_hops + 1):
            nxt: list[Page] = []
            for page in frontier:
                for ln in page.links:
                    web = ln.href.startswith(_WEB)
                    if web or ln.href.startswith("mailto:"):
                        out.append((hop, page, ln, self.folded(ln.text)))
                    if hop < max_hops and web and self.same_site(ln.href):
                        key = self.key(ln.href)
                        if key not in seen:
                            target = self.target_of(ln.href)
                            if target is not None:
                                seen.add(key)
                                nxt.append(target)
            frontier = nxt
        self._walked[max_hops] = out
        return out

    def _consider(self, found: dict[str, tuple[tuple[int, ...], RoleCandidate]], role: str,
                  ln: Link, page: Page, hop: int, match: tuple[int, int], seq: int) -> None:
        key = self.key(ln.href)
        place: Literal["menu", "body", "footer"] = (
            "menu" if ln.region in ("header", "nav") else
            "footer" if ln.region == "footer" else
            "menu" if key in self.template_hrefs else "body")
        same = ln.href.startswith(_WEB) and self.same_site(ln.href)
        quality = (match[0], {"menu": 0, "body": 1, "footer": 1}[place],
                   0 if ln.href.startswith(_WEB) else 1, 0 if same else 1, hop, match[1], seq)
        known = found.get(key)
        if known is not None and known[0][1:] <= quality:
            return
        target, reason, detail = self._fit(role, ln)
        fit = FIT_REASONS[reason]
        candidate = RoleCandidate(
            role=role, link=ln, on_page=page, hop=hop,
            match=_MATCH_KINDS[match[0]], place=place,
            same_site=same, target=target, fit=fit, reason=reason, detail=detail)
        rank = {"fits": 0, "unknown": 1, "refused": 2}[fit]
        found[key] = ((rank, *quality), candidate)

    def find_role_link(self, role: str, max_hops: int = 1) -> tuple[Link, Page] | None:
        """The best link for ``role`` whose target fits it, else the best one whose target was
        not crawled (the gatherer may still visit it), and the page it stands on; None when
        every candidate was refused (it leads nowhere, back home, or to a page that is not
        what its label says) or there is none. ``role_candidates`` says why."""
        for candidate in self.role_candidates(role, max_hops):
            if candidate.fit != "refused":
                return candidate.link, candidate.on_page
        return None

    def role_page(self, role: str) -> RoleCandidate | None:
        """The candidate a check judges: the best one, refused or not (a broken "Hỏi đáp" is
        the portal's FAQ link, and its failure is the finding)."""
        candidates = self.role_candidates(role)
        return candidates[0] if candidates else None

    # -- fit: the target is what its label says ------------------------------------------------
    def _fit(self, role: str, ln: Link) -> tuple[Page | None, str, str]:
        if ln.href.startswith("mailto:"):
            # TT 32/2017 Đ11.2.g: an e-mail address for comments is a feedback channel.
            return None, ("mailto" if role == "feedback" else "not_a_page"), ln.href
        if role == "payment" and (host := host_listed(ln.href, self.payment_hosts)):
            return None, "payment_handover", host
        if role == "login" and (host := host_listed(ln.href, self.identity_hosts)):
            return None, "login_handover", host
        if self.is_home(ln.href):
            return self.start_page, "homepage", ""
        target = self.target_of(ln.href)
        if role == "catalogue" and target is None:
            walk = self._walk_for(self.key(ln.href))
            if walk is not None:
                return None, "catalogue_walk", str(len(walk.pages))
        if target is None:
            return None, "not_crawled", ""
        if target.error or target.status is None or target.status >= 400:
            return target, "broken", target.error or (
                f"HTTP {target.status}" if target.status is not None else "")
        if self.key(target.final_url) in (self.key(p) for p in self._home_urls):
            return target, "homepage", ""
        reason, detail = self._page_fits(role, target)
        return target, reason, detail

    @cached_property
    def _home_urls(self) -> tuple[str, ...]:
        start = self.start_page
        return (start.url, start.final_url) if start is not None else ()

    def _page_fits(self, role: str, page: Page) -> tuple[str, str]:
        if role == "catalogue":
            rows = self.catalogue_services(page)
            labelled = sum(s.level is not None for s in rows)
            if len(rows) >= MIN_CATALOGUE_ROWS or (
                    len(rows) >= MIN_LABELLED_ROWS and 2 * labelled >= len(rows)):
                return "catalogue_rows", str(len(rows))
            total = stated_total(self.folded(page.text))
            if total:
                return "catalogue_total", str(total)
            walk = self._walk_for(self.key(page.final_url)) or self._walk_for(self.key(page.url))
            if walk is not None:
                return "catalogue_walk", str(len(walk.pages))
            return "no_rows", str(len(rows))
        if role == "status_lookup":
            if any(form_role(f, self.vocab) == "status_lookup" for f in page.forms):
                return "lookup_form", ""
            return "no_lookup_form", ""
        if role == "faq":
            count = len(questions(page.text))
            return ("questions", str(count)) if count else ("no_questions", "0")
        if role == "feedback":
            labels = self.vocab.labels.get("feedback", [])
            for form in page.forms:
                text = self.folded(form_text(form))
                if any(i.type == "textarea" for i in form.inputs) or contains_any(
                        text, labels, folded=True):
                    return "feedback_form", ""
            mail = next((ln.href for ln in page.links if ln.href.startswith("mailto:")
                         and not self.in_frame(ln)), None)
            if mail is not None:
                return "mailto", mail
            if self.mentions_in_content(page, labels):
                return "feedback_words", ""
            return "no_feedback", ""
        if role == "rating":
            found = self.groups_in_content(page, self.vocab.rating_levels)
            if len(found) >= min(MIN_ROLE_TERMS, len(self.vocab.rating_levels)):
                return "rating_levels", str(len(found))
            return "no_levels", str(len(found))
        if role == "statistics":
            found = self.groups_in_content(page, self.vocab.statistics_series)
            if len(found) >= min(MIN_ROLE_TERMS, len(self.vocab.statistics_series)):
                return "statistics_series", str(len(found))
            return "no_series", str(len(found))
        if role == "guides":
            labels = self.vocab.labels.get("guides", [])
            guides = [ln for ln in self.content_links(page)
                      if contains_any(self.folded(f"{ln.text} {ln.context}"), labels,
                                      folded=True)]
            if guides:
                return "guide_links", str(len(guides))
            if self.mentions_in_content(page, labels):
                return "guide_words", ""
            return "no_guides", ""
        if role == "login":
            if not self.same_site(page.final_url):
                return "login_handover", urlsplit(page.final_url).netloc
            if any(i.type == "password" for f in page.forms for i in f.inputs):
                return "login_password", ""
            button = next((ln for ln in page.links if not self.in_frame(ln) and (
                host_listed(ln.href, self.identity_hosts) or contains_any(
                    self.folded(ln.text), self.vocab.identity_link_labels, folded=True))), None)
            if button is not None:
                return "login_identity_button", clip(button.text, 60)
            return "no_login", ""
        if role == "payment":
            if host := host_listed(page.final_url, self.payment_hosts):
                return "payment_handover", host
            handover = self.payment_handover(page)
            if handover is not None:
                return "payment_handover", handover[1]
            return "no_payment", ""
        return "loads", ""

    def payment_handover(self, page: Page) -> tuple[Link, str] | None:
        """A link or button of the page's content whose target is a payment platform, with the
        platform: a hand-over, not a partner logo in the frame."""
        for ln in page.links:
            if ln.region in _LANDMARK_FRAME or self.key(ln.href) in self.template_hrefs:
                continue
            host = host_listed(ln.href, self.payment_hosts)
            if host is not None:
                return ln, host
        return None

    # -- click depth ---------------------------------------------------------------------------
    @cached_property
    def click_depth(self) -> dict[str, int]:
        """Fewest clicks from the homepage to each crawled page, over the recorded link graph."""
        start = self.start_page
        if start is None:
            return {}
        depth = {self.normalised(start.final_url): 0, self.normalised(start.url): 0}
        queue = deque([start])
        while queue:
            page = queue.popleft()
            here = depth[self.normalised(page.final_url)]
            for link in page.links:
                key = self.normalised(link.href)
                if key in depth or not self.same_site(link.href):
                    continue
                depth[key] = here + 1
                target = self.page(link.href)
                if target is not None:
                    depth.setdefault(self.normalised(target.final_url), here + 1)
                    queue.append(target)
        return depth

    def service_depth(self, service: Service) -> int | None:
        """Clicks from the homepage to a service: over the link graph, or, for a service read
        through the catalogue's pager, the catalogue's depth, one click per pager step and one
        into the service."""
        best = self.click_depth.get(self.normalised(service.url))
        if service.page_number is not None and self.catalogue_page is not None:
            at = self.click_depth.get(self.normalised(self.catalogue_page.final_url))
            if at is not None:
                walked = at + (service.page_number - 1) + 1
                best = walked if best is None else min(best, walked)
        return best

    # -- catalogue and services ----------------------------------------------------------------
    @cached_property
    def catalogue_page(self) -> Page | None:
        """The page of the best catalogue candidate that fits; None when none fits."""
        best = self.role_page("catalogue")
        if best is None or best.fit != "fits":
            return None
        return best.target

    @cached_property
    def _lists(self) -> dict[str, list[Page]]:
        """Crawled pages by ``pagination_key``: the pages of each list."""
        index: dict[str, list[Page]] = {}
        for p in self.html_pages:
            for key in {self.pagination(p.final_url), self.pagination(p.url)}:
                index.setdefault(key, []).append(p)
        return index

    def _pagination_of(self, page: Page) -> list[Page]:
        """The page and its crawled pagination (same path and non-paging parameters)."""
        found = {id(page): page}
        for key in (self.pagination(page.final_url), self.pagination(page.url)):
            for p in self._lists.get(key, []):
                found.setdefault(id(p), p)
        return list(found.values())

    @cached_property
    def catalogue_pages(self) -> list[Page]:
        """The catalogue page and its pagination: crawled pages on the same path whose only
        differing query parameters are paging ones (``PAGING_PARAMS``)."""
        first = self.catalogue_page
        return self._pagination_of(first) if first is not None else []

    def _walk_for(self, key: str) -> CatalogueWalk | None:
        """The catalogue walk, when it walked the list at ``key`` (or a page of it)."""
        walk = self.bundle.journeys.catalogue
        if walk is None or not walk.pages:
            return None
        if self.pagination(walk.url) == self.pagination(key):
            return walk
        return None

    def listings(self, page: Page) -> list[Listing]:
        """Every page of the list ``page`` heads: its crawled pagination, then the pages the
        catalogue walk read through the pager."""
        out = [Listing(p.final_url, None, p.links, p.text, p) for p in self._pagination_of(page)]
        walk = self._walk_for(self.key(page.final_url)) or self._walk_for(self.key(page.url))
        if walk is not None:
            out += [Listing(lp.url, lp.number, lp.links, lp.text, None)
                    for lp in walk.pages if lp.error is None]
        return out

    @cached_property
    def catalogue_listings(self) -> list[Listing]:
        """The catalogue's list pages: crawled ones and those of the catalogue walk."""
        first = self.catalogue_page
        return self.listings(first) if first is not None else []

    @cached_property
    def services(self) -> list[Service]:
        """Distinct services listed on the catalogue's list pages."""
        first = self.catalogue_page
        return self.catalogue_services(first) if first is not None else []

    @cached_property
    def stated_total(self) -> int | None:
        """What the catalogue says it holds ("Có 1.200 thủ tục"): the walk's reading, else the
        first list page's text."""
        walk = self.bundle.journeys.catalogue
        first = self.catalogue_page
        if first is None:
            return None
        if walk is not None and walk.stated_total and self.catalogue_listings and any(
                lst.number is not None for lst in self.catalogue_listings):
            return walk.stated_total
        return stated_total(self.folded(first.text))

    def catalogue_services(self, page: Page) -> list[Service]:
        """The services the list headed by ``page`` shows: its rows' links outside the site
        frame, grouped by ``url_shape``; the largest family, joined by families whose rows read
        alike (see ``MIN_JOINING_ROWS``)."""
        cache_key = self.key(page.final_url)
        cached = self._rows.get(cache_key)
        if cached is not None:
            return cached
        listings = self.listings(page)
        list_keys = {self.pagination(lst.url) for lst in listings}
        list_keys |= {self.pagination(page.url), self.pagination(page.final_url)}
        files = tuple(e.lower() for e in self.vocab.form_extensions)
        rows: dict[str, _Row] = {}
        seen = 0
        for listing in listings:
            for ln in listing.links:
                href = ln.href
                if (not href.startswith(_WEB) or ln.region in _LANDMARK_FRAME
                        or not self.same_site(href)):
                    continue
                key = self.key(href)
                if (key in self.template_hrefs or self.is_home(href)
                        or self.pagination(key) in list_keys
                        or self.lower_path(key).endswith(files)):
                    continue
                text, context = ln.text.strip(), ln.context.strip()
                if not text and not context:
                    continue
                row = rows.get(key)
                if row is None:
                    seen += 1
                    folded_text, folded_context = self.folded(text), self.folded(context)
                    rows[key] = _Row(
                        key=key, link=ln, text=text, context=context,
                        level=self._level_folded(folded_context or folded_text),
                        rich=len(folded_context.split()) >= len(folded_text.split()) + 2,
                        listing=listing, seen=seen)
                    continue
                if len(text) > len(row.text):
                    row.text = text
                if row.level is None and context:
                    row.level = self._level_folded(self.folded(context))
        chosen = _largest_family(list(rows.values()), self.shape)
        services = [Service(
            url=row.key, name=_row_name(row.text, row.context), level=row.level,
            listed_on=row.listing.url, page_number=row.listing.number, via=row.link.via)
            for row in chosen]
        self._rows[cache_key] = services
        return services

    def service_level(self, context: str) -> ServiceLevel | None:
        return self._level_folded(self.folded(context))

    def _level_folded(self, folded: str) -> ServiceLevel | None:
        # Full first: "Dịch vụ công trực tuyến toàn trình" also says "trực tuyến".
        if _has(folded, self._level_full):
            return "full"
        if _has(folded, self._level_partial):
            return "partial"
        if _has(folded, self._level_info):
            return "info"
        return None

    @cached_property
    def _level_full(self) -> list[str]:
        return [self.folded(p) for p in self.vocab.level_full]

    @cached_property
    def _level_partial(self) -> list[str]:
        return [self.folded(p) for p in self.vocab.level_partial]

    @cached_property
    def _level_info(self) -> list[str]:
        return [self.folded(p) for p in self.vocab.level_info]

    # -- forms ---------------------------------------------------------------------------------
    def page_with_form(self, role: str) -> tuple[Page, Form] | None:
        """The first crawled page holding a form for ``role`` ("search" or "status_lookup"): a
        <form>, or a loose box (a text box and its button without a <form>, as script-driven
        portals build them). The start page is looked at first for search."""
        candidates = [self.start_page] if role == "search" and self.start_page else []
        candidates += [p for p in self.html_pages if p not in candidates]
        for page in candidates:
            for form in page.forms:
                if form_role(form, self.vocab) == role:
                    return page, form
        return None


def form_text(form: Form) -> str:
    """Every word of a form: its own, its inputs' and those around it."""
    parts = [form.role, form.text, form.submit_text, form.action]
    for field in form.inputs:
        parts += [field.name, field.id, field.label, field.placeholder, field.type]
    return " ".join(parts)


def form_role(form: Form, vocab: Vocabulary) -> str | None:
    """"status_lookup", "search" or None, by meaning: first the box's own words (name, id,
    label, placeholder, its button), then, when they are silent, the words around it.

    A box's own words decide before its surroundings: a search box in a header that also
    carries a "Tra cứu hồ sơ" menu entry is still the search box, and a lookup box under a
    heading "Tìm kiếm hồ sơ" is still the lookup."""
    own = [form.role, form.submit_text, form.action]
    for field in form.inputs:
        own += [field.name, field.id, field.label, field.placeholder, field.type]
    for text in (" ".join(own), form.text):
        folded = fold(text)
        if contains_any(folded, vocab.status_lookup_inputs, folded=True) is not None:
            return "status_lookup"
        if contains_any(folded, vocab.search_inputs, folded=True) is not None:
            return "search"
    return None
