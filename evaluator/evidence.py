"""The evidence bundle: everything the browser stage saw, written to disk and loadable again.

This is the boundary between gathering (browser) and scoring (pure). Scoring reads only this
bundle and the criteria, so a whole round can be re-scored without a browser (Lighthouse -G/-A).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from evaluator.base.files import write_text_atomic

# The versions recorded here are the ones the result repeats (evaluator/base/result.py).
from evaluator.base.result import Versions as Versions

SCHEMA_VERSION = 1
BUNDLE_FILE = "bundle.json"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Link(_Model):
    href: str
    text: str = ""
    # innerText of the row around the link (the largest ancestor that holds no other link: a
    # list item, a table row, a card, a plain div row): what a user reads next to it (a
    # service's level label, its sector).
    context: str = ""
    # header | nav | footer | main | other: where on the page the link sits (landmarks only;
    # the site's frame is learnt from links repeated across pages, derived.py).
    region: str = "other"
    # How the link was found (issue 16): "href" an <a href>/<area href>; "click" an element
    # that is not a link (a button, an element with onclick, role=link/button, a router link)
    # activated in a confined tab, which asked for a new document at ``href``; "route" the
    # same, but the page's own router changed the address without a request (pushState, a
    # hash route); "popup" it called window.open(``href``); "script" read from the element's
    # onclick source without activating it (its name is a side-effect word, or the cap).
    via: Literal["href", "click", "route", "popup", "script"] = "href"
    # What the element is, for a link that is not an <a href>: "button", "div onclick",
    # "span role=link", "a routerlink"…; empty for an <a href>.
    element: str = ""


class FormInput(_Model):
    # The name attribute only. Bundles gathered before `id` existed stored `name || id` here.
    name: str = ""
    # The id attribute: the journeys type into a box by name, else by id.
    id: str = ""
    type: str = "text"
    # Its accessible label: <label>, aria-label, aria-labelledby, title.
    label: str = ""
    placeholder: str = ""
    # A CSS path from the document (tag:nth-of-type steps) to find the box again in a fresh
    # tab when it has neither name nor id; empty for boxes gathered before it existed.
    selector: str = ""


class Form(_Model):
    """A <form>, or (kind "loose") a text box with no <form> around it, as script-driven portals
    build search and lookup: the box, the words around it and the control beside it."""

    # For a <form>: its position among the document's forms. For a loose box: its position
    # among the page's loose boxes (the two counts are apart: ``kind`` says which).
    index: int
    kind: Literal["form", "loose"] = "form"
    action: str = ""
    method: str = "get"
    role: str = ""
    # The form's text; for a loose box, the text of its nearest container (what a citizen
    # reads around it: "Tra cứu hồ sơ", "Nhập mã hồ sơ").
    text: str = ""
    submit_text: str = ""
    # A CSS path to the control that sends it (a button beside a loose box); empty: Enter.
    submit_selector: str = ""
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


class Settle(_Model):
    """When a page was read (issue 16): after the network went quiet and the DOM stopped
    changing, or at the cap. Lists and blocks filled by XHR after load are then in the read."""

    # From the end of the load (or of the action: a search, a click) to the read, ms.
    waited_ms: float
    # Both conditions held for the quiet window before the cap.
    settled: bool
    network_quiet: bool = True
    dom_stable: bool = True
    # The cap in force (settings.settle_cap_ms) and the quiet window (settle_quiet_ms).
    cap_ms: int = 0
    quiet_ms: int = 0
    # Requests still open at the read when it was not settled: the first few URLs.
    pending: list[str] = Field(default_factory=list)


class Discovery(_Model):
    """What the gatherer did to find where the clickable elements of one page lead (issue 16).

    Elements that are not links (buttons, onclick, role=link/button, router links) were
    activated one at a time in a confined tab: every navigation they asked for was answered by
    the evaluator itself (204, nothing reaches the portal), every request other than GET was
    aborted, and no element whose name holds a side-effect word was activated."""

    candidates: int = 0
    # Activated (clicked), and of those, how many led somewhere on the site.
    activated: int = 0
    led_somewhere: int = 0
    # Known from an earlier page of the crawl (the same element in the site's frame): not
    # activated again.
    remembered: int = 0
    # Names of elements left alone because of a side-effect word (first 20).
    side_effect: list[str] = Field(default_factory=list)
    side_effect_count: int = 0
    # Candidates past the per-page cap (settings.discovery_max_per_page).
    capped: int = 0
    # Requests other than GET the page's scripts tried during discovery: aborted (first 10).
    blocked_requests: list[str] = Field(default_factory=list)
    blocked_request_count: int = 0
    error: str | None = None


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


class ImageAlt(_Model):
    """An image with a non-empty text alternative, and what a citizen reads beside it."""

    alt: str
    # The last segment of the image's address, without its query ("logo-so-tu-phap.png").
    file: str = ""
    # The text around the image: its link's or figure's other text, else its parent's.
    adjacent: str = ""
    selector: str = ""


class MediaPlayback(_Model):
    """An <audio> or <video> element, or an embedded player, as found when the page settled."""

    tag: str
    src: str = ""
    autoplay: bool = False
    muted: bool = False
    # Playing when read (not paused, not ended), and audible (not muted, volume above 0).
    playing: bool = False
    audible: bool = True
    controls: bool = False
    selector: str = ""


class ContentAccess(_Model):
    """What a page's markup says that axe-core does not judge (issue 18): text alternatives
    that say nothing, media that plays by itself, presentational markup HTML made obsolete."""

    # Images with alt text (at most 200); images without alt are axe-core's (image-alt).
    images: list[ImageAlt] = Field(default_factory=list)
    images_total: int = 0
    media: list[MediaPlayback] = Field(default_factory=list)
    # Obsolete presentational elements (HTML Living Standard §16.2) by tag name, with samples.
    obsolete: dict[str, int] = Field(default_factory=dict)
    obsolete_samples: list[str] = Field(default_factory=list)


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
    # axe-core's "incomplete" WCAG results: what it could not decide and a person must check
    # (contrast over a background image, for instance); None when axe did not run.
    axe_incomplete: list[AxeViolation] | None = None
    # axe-core's best-practice rules that failed (headings, landmarks, duplicate names): not
    # WCAG requirements; None when axe did not run or ran without them.
    axe_best_practice: list[AxeViolation] | None = None
    axe_error: str | None = None
    screenshot: str | None = None
    dom: str | None = None
    error: str | None = None
    # Accessibility minimums axe does not cover (TT 32/2017 Đ18); None on bundles gathered
    # before they were read.
    moving_text: MovingText | None = None
    access_aids: AccessAids | None = None
    # None when the page was gathered before issue 18 or its scripts broke the read-out.
    content_access: ContentAccess | None = None
    # When the page was read (None: gathered before settling was measured).
    settle: Settle | None = None
    # How its non-link clickables were followed (None: no discovery on this page).
    discovery: Discovery | None = None


class LighthouseRun(_Model):
    """One Lighthouse run on one key template (serial lane). Every run is kept; scoring takes
    each metric's median (evaluator/checks/performance.py), so a re-score never needs the browser."""

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


class KeyboardStop(_Model):
    """Where one Tab press put the focus (gather/keyboard.py). Everything here was read from
    the page's own JavaScript realm and coerced."""

    tag: str = ""
    role: str = ""
    # The accessible name as a person would hear it: aria-label, aria-labelledby, the text,
    # alt, title or placeholder, trimmed.
    name: str = ""
    # A short CSS path to the element (tag:nth-of-type steps).
    path: str = ""
    # The element's box in document coordinates (CSS px, scroll included).
    x: float | None = None
    y: float | None = None
    width: float | None = None
    height: float | None = None
    # The tabindex attribute as written (None when absent).
    tabindex: int | None = None
    # True: the element comes before the previous stop in document order (a focus order that
    # goes back in the reading order; the check weighs it with the vertical jump).
    before_previous: bool = False
    # The focused style differs from the same element's unfocused style (recorded before any
    # focus) in outline, box-shadow, border, background, text-decoration or colour; None when
    # no unfocused style was recorded for it or a look-alike (its own or in an iframe).
    focus_visible: bool | None = None
    # Which of those properties changed ("outline", "box-shadow", ...).
    focus_change: list[str] = Field(default_factory=list)


class KeyboardWalk(_Model):
    """A keyboard walk of one key template (issue 18 point 1): Tab pressed up to
    ``max_presses`` times from the top of the loaded page, then a few Shift+Tab presses. Only
    facts; the keyboard-access check judges them."""

    role: str
    url: str
    final_url: str = ""
    max_presses: int = 0
    presses: int = 0
    # Stops in the order Tab reached them, each element once (a revisit ends the walk or is a
    # trap, below).
    stops: list[KeyboardStop] = Field(default_factory=list)
    # How the walk ended: "cycle" (focus left the page or came back to the first stop: every
    # stop was seen), "cap" (max_presses reached), "trap", "navigated", "no_focus" (the first
    # press focused nothing), "error".
    ended: str = ""
    # Focus stayed among these stops' elements (paths) for trap_presses presses in a row while
    # the page had focusable elements outside them.
    trap: list[str] = Field(default_factory=list)
    trap_presses: int = 0
    # The trap is inside an open aria-modal dialog (a modal keeps focus in by design).
    trap_in_dialog: bool = False
    # Focusable elements of the page (tabIndex ≥ 0, shown), counted before the walk.
    focusable: int = 0
    # Elements a mouse can click and the keyboard cannot reach: an onclick, role=button/link/
    # menuitem or their own pointer cursor, shown, not focusable. The first 30, and how many.
    unreachable: list[KeyboardStop] = Field(default_factory=list)
    unreachable_count: int = 0
    # A same-page link among the first 3 stops ("#noi-dung"), and whether its target exists.
    skip_link: str | None = None
    skip_target_exists: bool | None = None
    # Shift+Tab presses after the walk and whether each moved the focus to another element.
    reverse_presses: int = 0
    reverse_moved: int = 0
    # A Tab press that made the page navigate (a focus handler): the new URL; the walk ended.
    navigated_to: str | None = None
    elapsed_s: float | None = None
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
    # Set when the template was looked for and not found (url is then empty): why. Such an
    # entry counts as a failure of the performance and mobile criteria, never as absent.
    not_found: str | None = None
    settle: Settle | None = None
    # Lighthouse runs of this template, all of them, in order; None when Lighthouse did not
    # measure this template (not among the `lighthouse_templates`, or Lighthouse unavailable:
    # then EvidenceBundle.disabled["lighthouse"] says why).
    lighthouse: list[LighthouseRun] | None = None
    # The same load laid out at each phone width (360, 320), measured after the timings;
    # None on bundles gathered before it was read.
    mobile: list[MobileRender] | None = None
    # The keyboard walk of this template (gathered in the crawl's desktop context, not in this
    # lane: it times nothing); None on bundles gathered before it, or when it did not run
    # (EvidenceBundle.disabled["keyboard"] then says why).
    keyboard: KeyboardWalk | None = None


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


# Where a search or a lookup answered (issue 16): a new document, the same document changed in
# place by script, or the page's router moved to another address (hash or history route);
# "none": nothing changed.
Answer = Literal["new_page", "in_place", "route", "none"]


class SearchRun(_Model):
    query: str
    submitted_url: str = ""
    status: int | None = None
    final_url: str = ""
    # Content links of the answer: on a new page, its links outside the site's frame; in
    # place, the links that were not on the page before the query.
    results: list[Link] = Field(default_factory=list)
    text: str = ""
    error: str | None = None
    answered: Answer | None = None
    # How the query was sent: "submit" (a <form>), "button: <its name>", "enter".
    sent_by: str = ""
    settle: Settle | None = None


class SearchJourney(_Model):
    form_found: bool = False
    form_page: str | None = None
    form_index: int | None = None
    form_kind: Literal["form", "loose"] = "form"
    runs: list[SearchRun] = Field(default_factory=list)
    error: str | None = None


class StatusLookupJourney(_Model):
    form_found: bool = False
    form_page: str | None = None
    form_index: int | None = None
    form_kind: Literal["form", "loose"] = "form"
    code: str = ""
    submitted_url: str = ""
    status: int | None = None
    final_url: str = ""
    text: str = ""
    # The text that was not on the page before the lookup (the answer, when it came in place).
    new_text: str = ""
    answered: Answer | None = None
    sent_by: str = ""
    settle: Settle | None = None
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
    # The answer's Content-Type and Content-Disposition: a download endpoint without a file
    # extension (/jsp/download.jsp?id=…) is a form when it answers with a document.
    content_type: str = ""
    disposition: str = ""
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


class ListingPage(_Model):
    """One page of a catalogue's list, reached by its pager (issue 16)."""

    number: int
    # The address after the pager moved: the same as the catalogue's when it pages in place.
    url: str
    links: list[Link] = Field(default_factory=list)
    # The list's text (first characters): level labels and counts a citizen reads.
    text: str = ""
    settle: Settle | None = None
    error: str | None = None


class CatalogueWalk(_Model):
    """The catalogue's pages followed through its pager when the pager is not plain links
    (buttons, script, in-place AJAX): what the crawl alone cannot reach (issue 16)."""

    url: str
    # The pager control followed ("Trang sau", "›", "2"…), and how (click or link).
    control: str = ""
    pages: list[ListingPage] = Field(default_factory=list)
    # Why the walk ended: no next control, the list stopped changing, the cap.
    stopped: str = ""
    # The total the catalogue states of itself ("Có 1.200 thủ tục"), when it says one.
    stated_total: int | None = None
    error: str | None = None


class Journeys(_Model):
    search: SearchJourney | None = None
    status_lookup: StatusLookupJourney | None = None
    login: LoginJourney | None = None
    service_sample: ServiceSampleJourney | None = None
    guides: GuidesJourney | None = None
    catalogue: CatalogueWalk | None = None


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
    #: Settling (issue 16): the cap and quiet window in force, and pages read at the cap.
    settle_cap_ms: int = 0
    settle_quiet_ms: int = 0
    pages_unsettled: int = 0
    #: Clickable elements that are not links, over the whole crawl (see Discovery).
    clickables_activated: int = 0
    clickable_links_found: int = 0
    side_effect_skipped: int = 0
    non_get_blocked: int = 0


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


def save_bundle(bundle: EvidenceBundle, evidence_dir: Path) -> Path:
    path = evidence_dir / BUNDLE_FILE
    write_text_atomic(path, bundle.model_dump_json(indent=1))
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
