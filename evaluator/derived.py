"""Memoised, browser-free views over an evidence bundle: roles of pages, link graph, services.

Both the gatherer (to pick the key pages it measures) and the checks (to judge them) use these
views, so "which page is the catalogue" is decided in one place.
"""

from __future__ import annotations

import ipaddress
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urldefrag, urlsplit

from evaluator.criteria.schema import Vocabulary
from evaluator.evidence import EvidenceBundle, Form, Link, Page
from evaluator.textnorm import contains_any, fold


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


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def path_of(url: str) -> str:
    """The page's path: a route's own path for an SPA's hash route (#/thu-tuc/1 → /thu-tuc/1)."""
    route = route_of(url)
    if route:
        return urlsplit(route.lstrip("#!")).path.rstrip("/") or "/"
    return urlsplit(url).path.rstrip("/") or "/"


@dataclass(frozen=True)
class Service:
    url: str
    name: str
    level: str | None  # "full" (toàn trình), "partial" (một phần) or None when unlabelled
    listed_on: str


class EvidenceView:
    def __init__(self, bundle: EvidenceBundle, vocabulary: Vocabulary) -> None:
        self.bundle = bundle
        self.vocab = vocabulary

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
            index.setdefault(normalise_url(page.url), page)
            index.setdefault(normalise_url(page.final_url), page)
        return index

    def page(self, url: str) -> Page | None:
        return self._by_url.get(normalise_url(url))

    @cached_property
    def start_page(self) -> Page | None:
        return next((p for p in self.pages if p.found_via == "start"), None)

    @cached_property
    def site_origin(self) -> str:
        start = self.start_page
        return origin(start.final_url if start else self.bundle.start_url)

    def same_site(self, url: str) -> bool:
        return origin(url) == self.site_origin

    # -- links -------------------------------------------------------------------------------
    @cached_property
    def template_hrefs(self) -> frozenset[str]:
        """Links of the site's frame (header, menu, footer): those on the start page.

        Content links of a page are its links minus these; that is how a catalogue's service
        links are told apart from the menu without knowing the portal's markup.
        """
        start = self.start_page
        if start is None:
            return frozenset()
        return frozenset(
            normalise_url(link.href) for link in start.links if link.region != "main"
        )

    def links_labelled(self, page: Page, role: str) -> list[Link]:
        labels = self.vocab.labels.get(role, [])
        return [
            link for link in page.links
            if link.href.startswith(("http:", "https:", "mailto:", "tel:"))
            and contains_any(link.text, labels)
        ]

    def find_role_link(self, role: str, max_hops: int = 1) -> tuple[Link, Page] | None:
        """The first link labelled for ``role`` on the start page, else on pages it links to.

        Returns the link and the page it stands on. ``max_hops`` 1 looks one level deeper
        than the homepage: some portals put "Danh mục thủ tục" under a "Dịch vụ công" menu.
        """
        start = self.start_page
        if start is None:
            return None
        frontier = [start]
        seen = {normalise_url(start.final_url)}
        for _hop in range(max_hops + 1):
            nxt: list[Page] = []
            for page in frontier:
                links = self.links_labelled(page, role)
                if links:
                    return links[0], page
                for link in page.links:
                    target = self.page(link.href)
                    key = normalise_url(link.href)
                    if target is not None and key not in seen and self.same_site(link.href):
                        seen.add(key)
                        nxt.append(target)
            frontier = nxt
        return None

    # -- click depth ---------------------------------------------------------------------------
    @cached_property
    def click_depth(self) -> dict[str, int]:
        """Fewest clicks from the homepage to each crawled page, over the recorded link graph."""
        start = self.start_page
        if start is None:
            return {}
        depth = {normalise_url(start.final_url): 0, normalise_url(start.url): 0}
        queue = deque([start])
        while queue:
            page = queue.popleft()
            here = depth[normalise_url(page.final_url)]
            for link in page.links:
                key = normalise_url(link.href)
                if key in depth or not self.same_site(link.href):
                    continue
                depth[key] = here + 1
                target = self.page(link.href)
                if target is not None:
                    depth.setdefault(normalise_url(target.final_url), here + 1)
                    queue.append(target)
        return depth

    # -- catalogue and services ----------------------------------------------------------------
    @cached_property
    def catalogue_page(self) -> Page | None:
        found = self.find_role_link("catalogue")
        if found is None:
            return None
        return self.page(found[0].href)

    @cached_property
    def catalogue_pages(self) -> list[Page]:
        """The catalogue page and its pagination: crawled pages on the same path, any query."""
        first = self.catalogue_page
        if first is None:
            return []
        path = path_of(first.final_url)
        return [
            p for p in self.html_pages
            if path_of(p.final_url) == path and origin(p.final_url) == origin(first.final_url)
        ]

    @cached_property
    def services(self) -> list[Service]:
        """Distinct service links listed on the catalogue pages (content links, same site)."""
        pages = self.catalogue_pages
        if not pages:
            return []
        catalogue_path = path_of(pages[0].final_url)
        seen: dict[str, Service] = {}
        for page in pages:
            for link in page.links:
                key = normalise_url(link.href)
                if (
                    key in seen
                    or key in self.template_hrefs
                    or not self.same_site(link.href)
                    or path_of(link.href) == catalogue_path
                    or link.region in ("header", "nav", "footer")
                    or not link.text.strip()
                ):
                    continue
                seen[key] = Service(
                    url=key, name=link.text.strip(),
                    level=self.service_level(link.context), listed_on=page.final_url,
                )
        # A catalogue lists services under a common path (/thu-tuc/…); keep the largest group so
        # stray content links ("Xem thêm tin tức") are not counted as services.
        groups: dict[str, list[Service]] = {}
        for service in seen.values():
            parent = path_of(service.url).rsplit("/", 1)[0]
            groups.setdefault(parent, []).append(service)
        return max(groups.values(), key=len) if groups else []

    def service_level(self, context: str) -> str | None:
        if contains_any(context, self.vocab.level_full):
            return "full"
        if contains_any(context, self.vocab.level_partial):
            return "partial"
        return None

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
