"""The evidence bundle: everything the browser stage saw, written to disk and loadable again.

This is the boundary between gathering (browser) and scoring (pure). Scoring reads only this
bundle and the criteria, so a whole round can be re-scored without a browser (Lighthouse -G/-A).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

SCHEMA_VERSION = 1
BUNDLE_FILE = "bundle.json"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Versions(_Model):
    portal_eval: str
    chromium: str | None = None
    playwright: str | None = None
    axe_core: str | None = None
    lighthouse: str | None = None


class Link(_Model):
    href: str
    text: str = ""
    # innerText of the nearest list item / table row / card around the link: what a user reads
    # next to it (a service's level label, its sector).
    context: str = ""
    # header | nav | footer | main | other: where on the page the link sits.
    region: str = "other"


class FormInput(_Model):
    # The name attribute only. Bundles gathered before `id` existed stored `name || id` here.
    name: str = ""
    # The id attribute: the journeys type into a box by name, else by id.
    id: str = ""
    type: str = "text"
    label: str = ""
    placeholder: str = ""


class Form(_Model):
    index: int
    action: str = ""
    method: str = "get"
    role: str = ""
    text: str = ""
    submit_text: str = ""
    inputs: list[FormInput] = Field(default_factory=list)


class Request(_Model):
    url: str
    resource_type: str = "other"
    status: int | None = None
    bytes: int = 0
    failure: str | None = None


class Timings(_Model):
    """Navigation and paint timings in ms from navigation start; CLS is unit-less.

    CLS sums every layout shift of the load, as Lighthouse does: under mobile emulation Chromium
    flags every shift with hadRecentInput, so the usual filter would report 0 (ENVIRONMENT.md).
    """

    ttfb_ms: float | None = None
    fcp_ms: float | None = None
    lcp_ms: float | None = None
    cls: float | None = None
    dom_content_loaded_ms: float | None = None
    load_ms: float | None = None


class AxeNode(_Model):
    target: str
    html: str = ""


class AxeViolation(_Model):
    id: str
    impact: str | None = None
    tags: list[str] = Field(default_factory=list)
    help: str = ""
    help_url: str = ""
    nodes: list[AxeNode] = Field(default_factory=list)
    node_count: int = 0


class MovingText(_Model):
    """Blinking or moving text found on a page (TT 32/2017 Đ18.1; WCAG 2.2.2)."""

    # <blink> and <marquee> elements, and elements styled text-decoration: blink.
    blink: int = 0
    marquee: int = 0
    # Text whose CSS animation or transition runs forever or longer than 5 s (WCAG 2.2.2).
    animated: int = 0
    # Text that moved sideways by itself in a short watch without scrolling (a JavaScript ticker).
    moved: int = 0
    # Up to 5 offenders: tag, classes and the first words of the text.
    samples: list[str] = Field(default_factory=list)


class AccessKey(_Model):
    key: str
    href: str = ""
    text: str = ""


class AccessAids(_Model):
    """Accessibility aids of TT 32/2017 Đ18.2 on a page: keyboard shortcuts and a text-size tool."""

    accesskeys: list[AccessKey] = Field(default_factory=list)
    # Labels of controls that look like a text-size tool ("A+", "Cỡ chữ", "font size").
    text_size_controls: list[str] = Field(default_factory=list)


class Page(_Model):
    """One crawled page, seen in the shared desktop browser."""

    id: int
    url: str
    final_url: str
    status: int | None = None
    depth: int | None = None
    found_via: Literal["start", "link", "sitemap"] = "link"
    referrer: str | None = None
    content_type: str = ""
    title: str = ""
    lang: str | None = None
    viewport_meta: str | None = None
    text: str = ""
    links: list[Link] = Field(default_factory=list)
    forms: list[Form] = Field(default_factory=list)
    # http:// sub-resources the markup of an https:// page asks for (gather/scripts.py).
    insecure_subresources: list[str] = Field(default_factory=list)
    requests: list[Request] = Field(default_factory=list)
    timings: Timings = Field(default_factory=Timings)
    axe: list[AxeViolation] | None = None
    axe_error: str | None = None
    screenshot: str | None = None
    dom: str | None = None
    error: str | None = None
    # Accessibility minimums axe does not cover (TT 32/2017 Đ18); None on bundles gathered
    # before they were read.
    moving_text: MovingText | None = None
    access_aids: AccessAids | None = None


class LighthouseRun(_Model):
    """One Lighthouse run on one key template (serial lane). Every run is kept; scoring picks
    the median run (evaluator/checks/performance.py), so a re-score never needs the browser."""

    preset: Literal["mobile", "desktop"] = "mobile"
    fetch_time: str = ""
    # Wall time of the run as the client saw it, seconds.
    duration_s: float | None = None
    # The run did not produce a result at all (timeout, worker crash): one line.
    error: str | None = None
    # Lighthouse measured, but not properly ("NO_FCP: …"): the metrics are then unusable.
    runtime_error: str | None = None
    performance_score: float | None = None
    fcp_ms: float | None = None
    lcp_ms: float | None = None
    speed_index_ms: float | None = None
    tbt_ms: float | None = None
    cls: float | None = None
    # Lighthouse's server-response-time audit: the main document's observed TTFB.
    server_response_ms: float | None = None
    # Time to Interactive: not scored, but Lighthouse's median run is chosen by FCP and TTI.
    tti_ms: float | None = None
    total_byte_weight: int | None = None
    network_requests: int | None = None
    benchmark_index: float | None = None
    warnings: list[str] = Field(default_factory=list)


class MobileRender(_Model):
    """One key page laid out at one phone width (360 px, then the same load resized to 320 px)."""

    width: int
    scroll_width: int | None = None
    client_width: int | None = None
    # Visible interactive elements and those under 24×24 CSS px (WCAG 2.2 SC 2.5.8), links
    # inside a sentence excepted; sizes are scaled by the page's zoom.
    tap_targets: int | None = None
    small_tap_targets: int | None = None
    small_tap_samples: list[str] = Field(default_factory=list)
    # Characters of visible text, and those rendered under 12 px (after the page's zoom).
    text_chars: int | None = None
    small_text_chars: int | None = None
    screenshot: str | None = None
    error: str | None = None


class KeyPageMeasurement(_Model):
    """A key template loaded alone (serial lane) in a 360 px mobile-emulated context.

    Timings here are measured one page at a time: loads timed beside a parallel crawl grew 2-25x
    on our machines (ENVIRONMENT.md), so only these feed the performance criteria.
    """

    role: str
    url: str
    final_url: str = ""
    status: int | None = None
    timings: Timings = Field(default_factory=Timings)
    transfer_bytes: int = 0
    request_count: int = 0
    failed_requests: int = 0
    viewport_width: int = 360
    scroll_width: int | None = None
    client_width: int | None = None
    viewport_meta: str | None = None
    screenshot: str | None = None
    error: str | None = None
    # Lighthouse runs of this template, all of them, in order; None when Lighthouse did not
    # measure this template (not among the `lighthouse_templates`, or Lighthouse unavailable:
    # then EvidenceBundle.disabled["lighthouse"] says why).
    lighthouse: list[LighthouseRun] | None = None
    # The same load laid out at each phone width (360, 320), measured after the timings;
    # None on bundles gathered before it was read.
    mobile: list[MobileRender] | None = None


class PersonaStep(_Model):
    """One step of the persona's journey: open the page and wait until its document is parsed
    (DOMContentLoaded: the page shows its content and its links can be used)."""

    step: str
    url: str
    final_url: str = ""
    status: int | None = None
    elapsed_ms: float | None = None
    error: str | None = None


class PersonaRun(_Model):
    # "slow_3g_cpu4" (throttled through CDP) or "unthrottled".
    profile: str
    download_kbps: float | None = None
    upload_kbps: float | None = None
    latency_ms: float | None = None
    cpu_slowdown: float = 1.0
    steps: list[PersonaStep] = Field(default_factory=list)
    error: str | None = None


class PersonaJourney(_Model):
    """The remote-area citizen's key journey, throttled and unthrottled, in the serial lane."""

    throttled: PersonaRun
    unthrottled: PersonaRun


class SearchRun(_Model):
    query: str
    submitted_url: str = ""
    status: int | None = None
    final_url: str = ""
    results: list[Link] = Field(default_factory=list)
    text: str = ""
    error: str | None = None


class SearchJourney(_Model):
    form_found: bool = False
    form_page: str | None = None
    form_index: int | None = None
    runs: list[SearchRun] = Field(default_factory=list)
    error: str | None = None


class StatusLookupJourney(_Model):
    form_found: bool = False
    form_page: str | None = None
    form_index: int | None = None
    code: str = ""
    submitted_url: str = ""
    status: int | None = None
    final_url: str = ""
    text: str = ""
    screenshot: str | None = None
    error: str | None = None


class LoginStep(_Model):
    """One navigation of the login journey: a link followed (GET), where it ended."""

    url: str
    final_url: str = ""
    status: int | None = None
    error: str | None = None


class LoginJourney(_Model):
    """The "Đăng nhập" link followed to the identity provider; no credential is ever typed."""

    link_found: bool = False
    link_text: str = ""
    steps: list[LoginStep] = Field(default_factory=list)
    # The first URL reached on another origin than the portal's: the identity provider.
    identity_url: str | None = None
    # The portal's own login page asks for a password (local accounts still offered).
    password_form: bool = False
    error: str | None = None


class FormDownload(_Model):
    """A downloadable form (mẫu đơn, tờ khai) of a service page, fetched with GET."""

    url: str
    text: str = ""
    status: int | None = None
    bytes: int = 0
    error: str | None = None


class ServicePageSample(_Model):
    url: str
    name: str = ""
    final_url: str = ""
    status: int | None = None
    text: str = ""
    forms: list[FormDownload] = Field(default_factory=list)
    error: str | None = None


class ServiceSampleJourney(_Model):
    """A seeded random sample of the catalogue's service pages, read for their mandatory fields."""

    sample_size: int
    seed: int
    services_total: int = 0
    pages: list[ServicePageSample] = Field(default_factory=list)
    error: str | None = None


class GuidePage(_Model):
    url: str
    final_url: str = ""
    status: int | None = None
    title: str = ""
    videos: int = 0
    audios: int = 0
    # <iframe>s of known video players (YouTube, Vimeo…).
    video_embeds: int = 0
    # Distinct `lang` attributes below <html> (a guide section in tiếng Mông: lang="hmn").
    langs: list[str] = Field(default_factory=list)
    text: str = ""
    error: str | None = None


class GuidesJourney(_Model):
    found: bool = False
    index_url: str | None = None
    pages: list[GuidePage] = Field(default_factory=list)
    error: str | None = None


class Journeys(_Model):
    search: SearchJourney | None = None
    status_lookup: StatusLookupJourney | None = None
    login: LoginJourney | None = None
    service_sample: ServiceSampleJourney | None = None
    guides: GuidesJourney | None = None


class Robots(_Model):
    url: str
    status: int | None = None
    body: str = ""
    error: str | None = None


class Sitemap(_Model):
    url: str
    status: int | None = None
    url_count: int = 0
    urls: list[str] = Field(default_factory=list)
    # For a sitemap index: the child sitemaps read (a bounded number), in order.
    children: list[str] = Field(default_factory=list)
    error: str | None = None


class CrawlSummary(_Model):
    max_pages: int
    max_depth: int
    pages_visited: int = 0
    skipped_robots: list[str] = Field(default_factory=list)
    skipped_out_of_scope: int = 0
    truncated: bool = False
    # Hostile portals (issue 7): what the evaluator refused or cut short, so a report can say so.
    #: Top-level navigations to hosts outside the crawl's scope, refused (first 200 URLs).
    blocked_navigations: list[str] = Field(default_factory=list)
    blocked_navigation_count: int = 0
    #: Windows a portal page opened (window.open), closed on sight.
    popups_closed: int = 0
    #: window.open calls refused in the crawl's tabs (no window opened at all).
    popups_refused: int = 0
    #: alert/confirm/prompt/beforeunload dialogs the crawl's tabs answered.
    dialogs_dismissed: int = 0
    #: Pages past page_budget_s: their tab was replaced.
    pages_over_budget: int = 0
    #: The crawl stopped starting pages at 60 % of portal_budget_s.
    stopped_by_budget: bool = False


# -- transport and domain (issue 4, RESEARCH.md T01-T04): gathered in pure Python, no browser ----


class RedirectHop(_Model):
    url: str
    status: int | None = None
    location: str | None = None


class HttpsRedirect(_Model):
    """The start URL's http:// form followed hop by hop (GET, no body read beyond headers)."""

    start: str
    hops: list[RedirectHop] = Field(default_factory=list)
    final_url: str | None = None
    error: str | None = None


class TlsCertificate(_Model):
    subject: str = ""
    issuer: str = ""
    san: list[str] = Field(default_factory=list)
    not_before: str = ""
    not_after: str = ""
    # Whole days from the handshake to not_after (negative: expired).
    days_to_expiry: float | None = None
    # The leaf names the host (SAN DNS/IP entries; wildcards as RFC 6125 allows).
    hostname_match: bool = False


class TlsProbe(_Model):
    host: str
    port: int
    address: str | None = None
    # Verified against ca_file (or the system store when it is None): chain, dates and name.
    ca_file: str | None = None
    verified: bool = False
    verify_error: str | None = None
    version: str | None = None
    certificate: TlsCertificate | None = None
    # "TLSv1", "TLSv1.1" -> True accepted, False refused, None not testable (reason below).
    legacy_accepted: dict[str, bool | None] = Field(default_factory=dict)
    legacy_notes: dict[str, str] = Field(default_factory=dict)
    error: str | None = None


class Hsts(_Model):
    url: str
    header: str | None = None
    max_age: int | None = None
    include_subdomains: bool = False
    preload: bool = False
    error: str | None = None


class Ipv6Probe(_Model):
    aaaa: list[str] = Field(default_factory=list)
    # The v6 address an HTTP(S) GET was actually answered on, with its status.
    connected: str | None = None
    status: int | None = None
    error: str | None = None


class DnssecProbe(_Model):
    resolver: str
    zone: str | None = None
    # The resolver's AD bit on the A/AAAA answer to a DO query.
    ad_flag: bool | None = None
    # DNSKEY and RRSIGs were served for the zone.
    signed: bool = False
    trust_anchor: str | None = None
    # Our own validation (see gather/transport.py): True, False, or None when not attempted.
    validated: bool | None = None
    validated_rrsets: list[str] = Field(default_factory=list)
    validation_error: str | None = None
    error: str | None = None


class TransportEvidence(_Model):
    host: str
    https_url: str
    resolver: str
    addresses: list[str] = Field(default_factory=list)
    redirect: HttpsRedirect | None = None
    tls: TlsProbe | None = None
    hsts: Hsts | None = None
    ipv6: Ipv6Probe | None = None
    dnssec: DnssecProbe | None = None
    # Regexes of official portal host names (settings.official_domain_patterns), as used.
    official_domain_patterns: list[str] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)


class LanguageAlternate(_Model):
    """A ``<link rel="alternate" hreflang>`` or ``<a hreflang>`` of the homepage."""

    lang: str
    href: str = ""


class HomepageLayout(_Model):
    """The homepage's frame after load (gather/layout.py): what checks/layout.py judges."""

    url: str
    final_url: str = ""
    status: int | None = None
    # innerText of the header (banner) and of the last footer (contentinfo); None: no element.
    header_text: str | None = None
    footer_text: str | None = None
    # Visible direct items of the first menu list; None: no <nav> found.
    menu_items: list[str] | None = None
    alternates: list[LanguageAlternate] = Field(default_factory=list)
    # Dialogs, modals and fixed overlays (> 30 % of the viewport) visible after load: their text.
    popups: list[str] = Field(default_factory=list)
    error: str | None = None


class EvidenceBundle(_Model):
    schema_version: int = SCHEMA_VERSION
    portal_id: str
    portal_name: str = ""
    start_url: str
    started_at: str
    finished_at: str = ""
    versions: Versions
    settings: dict[str, Any] = Field(default_factory=dict)
    # Set when the portal could not be evaluated at all (unreachable start URL, browser crash
    # before the first page): the reason, in one line.
    not_evaluated: str | None = None
    errors: list[str] = Field(default_factory=list)
    # Gatherers that switched themselves off, with the reason (Scrapy's NotConfigured).
    disabled: dict[str, str] = Field(default_factory=dict)
    robots: Robots | None = None
    sitemap: Sitemap | None = None
    crawl: CrawlSummary | None = None
    pages: list[Page] = Field(default_factory=list)
    key_pages: list[KeyPageMeasurement] | None = None
    journeys: Journeys = Field(default_factory=Journeys)
    persona: PersonaJourney | None = None
    # Transport and domain evidence (issue 4 T01-T04); None when not gathered.
    transport: TransportEvidence | None = None
    # The homepage's header, footer, menu, hreflang and pop-ups (layout criteria, T09-T11).
    layout: HomepageLayout | None = None


class EvidenceError(Exception):
    """A bundle on disk is missing or unreadable; the message names the file."""


def write_json_atomic(path: Path, data: str) -> None:
    """Write via a temp file and rename, so a killed process never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
        # mkstemp makes the file 0600; evidence and results are meant to be shared and served.
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_bundle(bundle: EvidenceBundle, evidence_dir: Path) -> Path:
    path = evidence_dir / BUNDLE_FILE
    write_json_atomic(path, bundle.model_dump_json(indent=1))
    return path


def load_bundle(path: Path) -> EvidenceBundle:
    """Load ``path`` (an evidence folder, or its bundle.json)."""
    file = path / BUNDLE_FILE if path.is_dir() else path
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvidenceError(f"{file}: no evidence bundle here") from None
    except (OSError, ValueError) as exc:
        raise EvidenceError(f"{file}: unreadable evidence bundle: {exc}") from None
    version = raw.get("schema_version") if isinstance(raw, dict) else None
    if version != SCHEMA_VERSION:
        raise EvidenceError(
            f"{file}: evidence schema version {version!r}, this portal-eval reads {SCHEMA_VERSION}"
        )
    try:
        return EvidenceBundle.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise EvidenceError(f"{file}: invalid evidence at {where}: {first['msg']}") from None
