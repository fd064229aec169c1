"""Gather one portal end to end into an evidence bundle on disk (`portal-eval gather`).

Errors become evidence, never crashes: an unreachable portal yields a bundle that says
"not evaluated: <reason>"; a page that fails is recorded with its error; a browser that dies
mid-crawl leaves every page gathered so far in the bundle.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evaluator import __version__
from evaluator.browser import BrowserSession, ContextOptions, Tab, driver_env_for, find_chromium
from evaluator.crawl.crawler import crawl
from evaluator.crawl.frontier import Frontier
from evaluator.crawl.priority import LinkRanker
from evaluator.crawl.sitemap import Fetched, discover_sitemap, robots_sitemaps
from evaluator.criteria.schema import Vocabulary
from evaluator.derived import EvidenceView, on_hosts, origin, same_owner
from evaluator.evidence import (
    CatalogueWalk,
    CrawlSummary,
    EvidenceBundle,
    HomepageLayout,
    Journeys,
    KeyboardWalk,
    KeyPageMeasurement,
    Link,
    Page,
    PersonaJourney,
    PersonaRun,
    Robots,
    SearchJourney,
    StatusLookupJourney,
    TransportEvidence,
    Versions,
    save_bundle,
)
from evaluator.gather import priority
from evaluator.gather.catalogue import walk_catalogue
from evaluator.gather.discover import Discoverer, DiscoveryLimits
from evaluator.gather.journeys import JourneyLimits, search_journey, status_lookup_journey
from evaluator.gather.key_pages import (
    KeyPageLane,
    LighthouseLane,
    key_page_absences,
    key_page_urls,
    measure_key_page,
)
from evaluator.gather.keyboard import KEYBOARD_ROLES, KeyboardLimits, keyboard_walk
from evaluator.gather.layout import gather_layout
from evaluator.gather.page import PageJob, error_page, failed_page, gather_page, one_line
from evaluator.gather.persona import JOURNEY, SLOW_3G_CHEAP_PHONE, persona_journey, walk
from evaluator.gather.scripts import TIMING_INIT
from evaluator.gather.service_journeys import (
    Download,
    guides_journey,
    login_journey,
    service_sample_journey,
)
from evaluator.gather.transport import gather_transport
from evaluator.lighthouse import LighthouseWorker, Preset
from evaluator.settings import Settings
from evaluator.targets import Target

log = logging.getLogger(__name__)

def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _journey_budget(settings: Settings, pages: int) -> float:
    """A journey's hard limit: ``page_budget_s`` for each page it may open. Past it the journey
    is recorded as failed (``disabled``, with the reason) and the evaluation goes on: a portal
    hung the journeys once in the hostile fixtures (issue 7), and without a limit that cost the
    whole portal budget."""
    return settings.page_budget_s * pages


_hands_over_to = on_hosts  # the crawl's name for it


@dataclass
class _Scope:
    """Where a crawl tab may be sent (BrowserSession.confine). Until the start page has
    loaded, anywhere: it may redirect to another host (http:// → https://www.). From then on
    (``frontier`` set), the portal (the frontier's scope and its own sibling hosts: its sign-in
    subdomain sso.<tỉnh>.gov.vn, which the frontier never crawls) and the identity providers
    and payment platforms the login and service journeys hand over to."""

    hand_over: tuple[str, ...]
    frontier: Frontier | None = None
    site: str = ""

    def enforcing(self) -> bool:
        return self.frontier is not None

    def allows(self, url: str) -> bool:
        if self.frontier is None:
            return True
        return (self.frontier.in_scope(url) or same_owner(url, self.site)
                or _hands_over_to(url, self.hand_over))


async def _no_lane() -> None:
    """One portal alone on the machine: the lane needs no lock."""


def entered_once(hook: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
    """``hook`` awaited at most once, however many callers ask at the same time: the lane's
    first measurement and the persona's walk both wait for the machine's lane, and a round's
    lock (rounds/child.py, an exclusive flock) taken twice by one process would wait for itself.
    A hook that fails is tried again by the next caller."""
    lock = asyncio.Lock()
    entered = False

    async def enter() -> None:
        nonlocal entered
        async with lock:
            if not entered:
                await hook()
                entered = True

    return enter


def _failure(what: str, exc: BaseException) -> str:
    if isinstance(exc, TimeoutError) and not str(exc):
        return f"{what} failed: it ran past its time limit (page_budget_s per page it may open)"
    return f"{what} failed: {type(exc).__name__}: {one_line(exc)}"


async def gather_portal(
    target: Target, evidence_dir: Path, settings: Settings, vocabulary: Vocabulary,
    progress: Callable[[str], None] | None = None,
    serial_lane: Callable[[], Awaitable[None]] | None = None,
) -> EvidenceBundle:
    """``serial_lane``, when given, is awaited once, before the lane's first measurement or the
    persona's walk, whichever comes first (both wait for it): timings taken beside another
    portal's crawl grew 2-25x (ENVIRONMENT.md), so a round with several portals on one machine
    passes a machine-wide lock here."""
    say = progress or (lambda _msg: None)
    budget_start = time.monotonic()
    enter_lane = entered_once(serial_lane or _no_lane)
    # Before anything is deleted: no browser must not cost the evidence of the previous run.
    executable = find_chromium(settings.chromium or None)
    if evidence_dir.exists():
        shutil.rmtree(evidence_dir)
    evidence_dir.mkdir(parents=True)
    started = _now()
    meta: dict[str, Any] = {
        "portal_id": target.id, "portal_name": target.name, "start_url": target.start_url,
        "started_at": started, "settings": {**settings.snapshot(), "vocabulary": vocabulary.model_dump()},
    }
    errors: list[str] = []
    disabled: dict[str, str] = {}
    if not settings.axe:
        disabled["axe"] = "switched off by the 'axe' setting"
    if not settings.lighthouse:
        disabled["lighthouse"] = "switched off by the 'lighthouse' setting"
    # Lighthouse attaches over a debugging port and runs in the default context: a persistent
    # one, so it would see a logged-in session's cookies (ENVIRONMENT.md).
    session = BrowserSession(executable, chromium_transport_args(settings),
                             remote_debugging_port=0 if settings.lighthouse else None,
                             persistent=settings.lighthouse,
                             driver_env=driver_env_for(settings.chromium_host_resolver_rules,
                                                       settings.tls_ca_file))
    worker = LighthouseWorker(node=settings.node or None)
    async with session:
        lighthouse = _lighthouse_lane(session, worker, settings)
        try:
            bundle = await _gather_in_session(
                target, evidence_dir, settings, vocabulary, say, enter_lane, budget_start, meta,
                errors, disabled, session, worker, lighthouse)
        finally:
            if lighthouse is not None:
                await lighthouse.cancel_warm_up()
            await worker.close()
    save_bundle(bundle, evidence_dir)
    return bundle


async def _gather_in_session(
    target: Target, evidence_dir: Path, settings: Settings, vocabulary: Vocabulary,
    say: Callable[[str], None], enter_lane: Callable[[], Awaitable[None]], budget_start: float,
    meta: dict[str, Any], errors: list[str], disabled: dict[str, str], session: BrowserSession,
    worker: LighthouseWorker, lighthouse: LighthouseLane | None,
) -> EvidenceBundle:
    """gather_portal inside the browser session; the bundle it returns is saved by the caller."""
    timeout_ms = settings.nav_timeout_s * 1000
    ua = (await session.default_user_agent()) + " " + settings.user_agent_suffix
    contexts = [await session.new_context(ContextOptions(), ua)
                for _ in range(settings.concurrency)]
    tabs = [await session.new_tab(c, TIMING_INIT) for c in contexts]
    axe_versions: set[str] = set()

    over_budget = 0

    discoverer = Discoverer(
        vocabulary.side_effect_words,
        DiscoveryLimits(max_per_page=settings.discovery_max_per_page,
                        click_wait_ms=settings.discovery_click_wait_ms,
                        budget_s=settings.discovery_budget_s,
                        settle_quiet_ms=settings.settle_quiet_ms,
                        settle_cap_ms=settings.settle_cap_ms, nav_timeout_ms=timeout_ms),
    ) if settings.discovery else None
    if discoverer is None:
        disabled["discovery"] = "switched off by the 'discovery' setting"

    async def gather(tab: Tab, job: PageJob) -> Page:
        nonlocal over_budget
        try:
            page, axe_version = await asyncio.wait_for(gather_page(
                tab, job, evidence_dir, timeout_ms=timeout_ms,
                settle_quiet_ms=settings.settle_quiet_ms, settle_cap_ms=settings.settle_cap_ms,
                run_axe=settings.axe, screenshot=settings.screenshots, discoverer=discoverer,
            ), settings.page_budget_s)
        except TimeoutError:
            # A page that never yields its main thread (a busy loop) holds evaluate() and
            # content() for ever: give the tab a fresh page and record why this one is empty.
            over_budget += 1
            log.warning("page %s (%s) took over page_budget_s=%g s; its tab is replaced",
                        job.id, job.url, settings.page_budget_s)
            await tab.renew()
            return error_page(job, f"gave up after page_budget_s={settings.page_budget_s:g} s"
                                   " (the page never finished: a hung script?)")
        except Exception as exc:
            # The crawl's workers catch this too; the start page has no worker around it.
            log.warning("page %s (%s) failed: %s", job.id, job.url, one_line(exc))
            return failed_page(job, exc)
        if axe_version:
            axe_versions.add(axe_version)
        return page

    def versions() -> Versions:
        return Versions(portal_eval=__version__, chromium=session.version,
                        playwright=session.playwright_version,
                        axe_core=",".join(sorted(axe_versions)) or None,
                        lighthouse=worker.lighthouse_version)

    # Confined from the start page on (window.open refused and recorded, so discovery on the
    # start page sees where a pop-up would go); where to, is known once it has loaded.
    scope = _Scope(hand_over=(*vocabulary.identity_providers, *vocabulary.payment_hosts,
                              *settings.trusted_identity_hosts, *settings.trusted_payment_hosts))
    for context in contexts:
        await session.confine(context, scope.allows, timeout_ms, scope.enforcing)
    say(f"{target.id}: start page {target.start_url}")
    start = await gather(tabs[0], PageJob(0, target.start_url, 0, "start", None))
    reason = None
    if start.error is not None:
        reason = f"start URL unreachable: {start.error} ({target.start_url})"
    elif start.status is None or start.status >= 400:
        reason = f"start URL answered HTTP {start.status} ({target.start_url})"
    if reason is not None:
        return EvidenceBundle(**meta, finished_at=_now(), versions=versions(),
                              not_evaluated=reason, pages=[start], disabled=disabled)

    # The transport probes need no browser and measure no time: they run in a thread from now
    # on, beside everything else, instead of after it (issue 8: 3-9 s of wall time).
    transport_task = asyncio.ensure_future(_transport_hook(target.start_url, settings, errors,
                                                           disabled, say, target.id))
    # The serial lane (our own timings, then Lighthouse) starts with the start page and runs
    # beside robots.txt, the sitemap and the crawl.
    lane = _start_key_page_lane(session, lighthouse, meta, versions, vocabulary, settings, ua,
                                evidence_dir, timeout_ms, say, target.id, enter_lane)
    lane.page_gathered(start)
    # Work begun beside the crawl (the early search journey, the persona's slow walk): cancelled
    # if the evaluation ends before it is collected.
    beside: list[asyncio.Future[Any]] = []
    try:
        site = origin(start.final_url)
        robots_url = f"{site}/robots.txt"
        robots_fetch = await session.fetch(contexts[0], robots_url, timeout_ms)
        robots = Robots(url=robots_url, status=robots_fetch.status,
                        body=robots_fetch.body[:20_000], error=robots_fetch.error)
        frontier = Frontier(start.final_url, settings.max_pages, settings.max_depth,
                            allowed_hosts=settings.allowed_hosts + target.allowed_hosts)
        frontier.admit_start(start.url, start.final_url)
        # From here on no crawl tab may be sent off the portal (scope.allows).
        scope.frontier, scope.site = frontier, site

        async def new_tab() -> Tab:
            return await session.new_tab(contexts[0])

        journey_limits = JourneyLimits(
            timeout_ms=timeout_ms, settle_quiet_ms=settings.settle_quiet_ms,
            settle_cap_ms=settings.settle_cap_ms,
            side_effect_words=tuple(vocabulary.side_effect_words))

        async def run_search(view: EvidenceView) -> SearchJourney | None:
            try:
                return await asyncio.wait_for(
                    search_journey(view, new_tab, vocabulary.search_queries, journey_limits),
                    _journey_budget(settings, len(vocabulary.search_queries) + 1))
            except Exception as exc:
                errors.append(_failure("the search journey", exc))
                disabled["journeys.search"] = errors[-1]
                return None

        # The search journey picks the start page's search form first and judges results
        # against the start page's frame (EvidenceView.page_with_form, template_hrefs): when the
        # start page has one, the journey needs nothing from the crawl and runs beside it, and
        # the lane gets the results page early instead of after the whole crawl.
        early_view = EvidenceView(EvidenceBundle.model_construct(
            **meta, versions=versions(), pages=[start]), vocabulary)
        async def search_beside_the_crawl() -> SearchJourney | None:
            found = await run_search(early_view)
            lane.journeys_found(Journeys(search=found))
            return found

        early_search: asyncio.Future[SearchJourney | None] | None = None
        if early_view.page_with_form("search") is not None:
            early_search = asyncio.ensure_future(search_beside_the_crawl())
            beside.append(early_search)
        sitemap_candidates = [f"{site}/sitemap.xml"]
        if robots_fetch.status == 200:
            frontier.set_robots(robots_fetch.body)
            sitemap_candidates += robots_sitemaps(robots_fetch.body, robots_url)

        async def fetch(url: str, max_bytes: int) -> Fetched:
            got = await session.fetch(contexts[0], url, timeout_ms, max_bytes=max_bytes)
            return Fetched(got.status, got.body, got.error)

        try:
            sitemap, sitemap_urls = await discover_sitemap(sitemap_candidates, fetch,
                                                           frontier.in_scope)
        except Exception as exc:
            errors.append(_failure("reading the sitemap", exc))
            sitemap, sitemap_urls = None, []

        def on_page(p: Page) -> None:
            say(f"{target.id}: page {p.id} {p.url}")
            lane.page_gathered(p)

        # The persona's slow-3G walk needs only the four URLs of its journey: it starts as soon
        # as the lane has them (each role's URL is set once, so the walk sees the URLs it would
        # see at the end), or when the crawl ends, and runs beside the rest (why that is sound:
        # gather/persona.py). On the slow fixture portal the URLs are known 30 s into a 130 s
        # crawl, and its 110 s walk no longer follows the crawl.
        crawl_ended = asyncio.Event()
        throttled: asyncio.Future[PersonaRun] | None = None
        if settings.persona and session.connected:
            throttled = asyncio.ensure_future(_slow_walk_when_ready(
                lane, crawl_ended, enter_lane, _mobile_tab_opener(session, settings, ua),
                timeout_ms))
            beside.append(throttled)

        say(f"{target.id}: crawling (≤ {settings.max_pages} pages, depth ≤ {settings.max_depth})")
        t0 = time.monotonic()
        # The crawl stops starting pages at 60 % of the portal's budget: the journeys and the
        # key-page lane get the rest, so a portal slow everywhere is judged on what was seen.
        crawl_deadline = budget_start + 0.6 * settings.portal_budget_s
        pages = await crawl(tabs, frontier, gather, start, sitemap_urls, on_page=on_page,
                            deadline=crawl_deadline, ranker=LinkRanker(vocabulary.labels))
        log.info("%s: %d pages in %.1f s", target.id, len(pages), time.monotonic() - t0)
        if not session.connected:
            errors.append("the browser crashed during the crawl; pages gathered so far are kept")
        stopped = time.monotonic() >= crawl_deadline
        if stopped:
            errors.append(f"the crawl stopped at 60 % of portal_budget_s="
                          f"{settings.portal_budget_s:g} s after {len(pages)} pages")
            log.warning("%s: %s", target.id, errors[-1])
        if session.popups_closed:
            log.info("%s: closed %d pop-up windows", target.id, session.popups_closed)
        if session.blocked_navigation_count:
            log.info("%s: refused %d navigations off the portal", target.id,
                     session.blocked_navigation_count)
        crawl_summary = CrawlSummary(
            max_pages=settings.max_pages, max_depth=settings.max_depth, pages_visited=len(pages),
            skipped_robots=frontier.skipped_robots[:200],
            skipped_out_of_scope=frontier.skipped_out_of_scope, truncated=frontier.full,
            blocked_navigations=session.blocked_navigations[:200],
            blocked_navigation_count=session.blocked_navigation_count,
            popups_closed=session.popups_closed, popups_refused=session.popups_refused,
            dialogs_dismissed=sum(t.dialogs_dismissed for t in tabs),
            pages_over_budget=over_budget, stopped_by_budget=stopped,
            settle_cap_ms=settings.settle_cap_ms, settle_quiet_ms=settings.settle_quiet_ms,
            pages_unsettled=sum(1 for p in pages if p.settle is not None and not p.settle.settled),
            clickables_activated=sum(p.discovery.activated for p in pages if p.discovery),
            clickable_links_found=sum(1 for p in pages for ln in p.links if ln.via != "href"),
            side_effect_skipped=sum(p.discovery.side_effect_count for p in pages if p.discovery),
            non_get_blocked=sum(p.discovery.blocked_request_count for p in pages if p.discovery),
        )
        crawl_ended.set()
        provisional = EvidenceBundle(**meta, versions=versions(), pages=pages)
        view = EvidenceView(provisional, vocabulary)

        # Each journey and the key-page lane stand alone: one that breaks is recorded in
        # `errors` and `disabled` (under the evidence name its checks report as missing), and
        # the rest of the evaluation completes.
        search: SearchJourney | None = None
        lookup: StatusLookupJourney | None = None
        if session.connected:
            say(f"{target.id}: search and status-lookup journeys")
            search = await (early_search if early_search is not None else run_search(view))
            try:
                lookup = await asyncio.wait_for(
                    status_lookup_journey(view, new_tab, vocabulary, journey_limits, evidence_dir),
                    _journey_budget(settings, 4))
            except Exception as exc:
                errors.append(_failure("the status-lookup journey", exc))
                disabled["journeys.status_lookup"] = errors[-1]
        else:
            if early_search is not None:
                search = await early_search  # a failure of its own is recorded by run_search
            else:
                disabled["journeys.search"] = "the browser crashed before the journeys"
            disabled["journeys.status_lookup"] = "the browser crashed before the journeys"
        catalogue = await _catalogue_walk(session, view, new_tab, vocabulary, journey_limits,
                                          settings, errors, disabled, say, target.id)
        if catalogue is not None:
            # The services the walk read are the sample's to draw from (derived.services).
            view = EvidenceView(EvidenceBundle(**meta, versions=versions(), pages=pages,
                                               journeys=Journeys(catalogue=catalogue)),
                                vocabulary)
        extra = await _functionality_journeys(session, contexts[0], view, new_tab, vocabulary,
                                              settings, journey_limits, errors, disabled, say,
                                              target.id, discoverer)
        journeys = Journeys(search=search, status_lookup=lookup, catalogue=catalogue, **extra)
        # The keyboard walks run beside the lane's drain (not in it: they time nothing) in the
        # crawl's first context, which stays open until they are done.
        keyboard = asyncio.ensure_future(_keyboard_walks(
            session, new_tab, EvidenceView(EvidenceBundle.model_construct(
                **meta, versions=versions(), pages=pages, journeys=journeys), vocabulary),
            settings, timeout_ms, errors, disabled, say, target.id))
        beside.append(keyboard)
        layout = await _homepage_layout(session, new_tab, start.final_url, settings, timeout_ms,
                                        errors, disabled)
        for tab in tabs:
            await tab.close()
        for context in contexts[1:]:
            await session.close_context(context)

        key_pages, persona = await _finish_key_page_lane(
            lane, lighthouse, session, pages, journeys, settings, ua, timeout_ms, errors,
            disabled, say, target.id, enter_lane, throttled)
        walks = await keyboard
        await session.close_context(contexts[0])
        if key_pages is not None:
            key_pages += key_page_absences(EvidenceView(EvidenceBundle.model_construct(
                **meta, versions=versions(), pages=pages, journeys=journeys), vocabulary))
            key_pages = _with_keyboard(key_pages, walks, disabled)
        elif walks:
            disabled["keyboard"] = "the key-page lane did not run: the walks had nowhere to go"
        transport = await transport_task
        return EvidenceBundle(
            **meta, finished_at=_now(), versions=versions(), errors=errors, disabled=disabled,
            robots=robots, sitemap=sitemap, crawl=crawl_summary, pages=pages,
            key_pages=key_pages, journeys=journeys, persona=persona, transport=transport,
            layout=layout,
        )
    finally:
        await lane.cancel()
        for task in (*beside, transport_task):
            if not task.done():
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task


async def _keyboard_walks(
    session: BrowserSession, new_tab: Callable[[], Awaitable[Tab]], view: EvidenceView,
    settings: Settings, timeout_ms: float, errors: list[str], disabled: dict[str, str],
    say: Callable[[str], None], target_id: str,
) -> dict[str, KeyboardWalk]:
    """The keyboard walk of each key template (gather/keyboard.py), one after another in one
    tab each: by role, for the key-page measurements of the same templates. Stands alone like
    the journeys: a walk that fails is recorded in its own evidence."""
    if not settings.keyboard_walk:
        disabled["keyboard"] = "switched off by the 'keyboard_walk' setting"
        return {}
    if not session.connected:
        disabled["keyboard"] = "the browser crashed before the keyboard walks"
        return {}
    limits = KeyboardLimits(max_presses=settings.keyboard_max_presses, timeout_ms=timeout_ms,
                            settle_quiet_ms=settings.settle_quiet_ms,
                            settle_cap_ms=settings.settle_cap_ms)
    walks: dict[str, KeyboardWalk] = {}
    try:
        targets = [(role, url) for role, url in key_page_urls(view) if role in KEYBOARD_ROLES]
    except Exception as exc:
        # The lane finds its templates with the same function and records the failure in
        # `errors` once; here it only says why there is no walk.
        disabled["keyboard"] = _failure("finding the key templates for the keyboard walks", exc)
        return {}
    for role, url in targets:
        say(f"{target_id}: keyboard walk of {role} (≤ {limits.max_presses} Tab presses): {url}")
        tab = await new_tab()
        try:
            walks[role] = await asyncio.wait_for(keyboard_walk(tab, url, limits, role),
                                                 _journey_budget(settings, 1))
        except Exception as exc:
            errors.append(_failure(f"the keyboard walk of {role}", exc))
            walks[role] = KeyboardWalk(role=role, url=url, ended="error", error=errors[-1])
        finally:
            # Bounded: a page closed mid-navigation once held page.close() (gather/keyboard.py).
            with contextlib.suppress(Exception):
                await asyncio.wait_for(tab.close(), 10)
    return walks


def _with_keyboard(key_pages: list[KeyPageMeasurement], walks: dict[str, KeyboardWalk],
                   disabled: dict[str, str]) -> list[KeyPageMeasurement]:
    """Each walk on the measurement of its template (by role)."""
    out = [k.model_copy(update={"keyboard": walks[k.role]}) if k.role in walks else k
           for k in key_pages]
    if walks and not any(k.keyboard is not None for k in out):
        disabled["keyboard"] = "no key-page measurement to attach the keyboard walks to"
    return out


async def _catalogue_walk(
    session: BrowserSession, view: EvidenceView, new_tab: Callable[[], Awaitable[Tab]],
    vocabulary: Vocabulary, limits: JourneyLimits, settings: Settings, errors: list[str],
    disabled: dict[str, str], say: Callable[[str], None], target_id: str,
) -> CatalogueWalk | None:
    """The catalogue through its pager when the crawl cannot follow it (gather/catalogue.py);
    stands alone like the journeys."""
    if not session.connected:
        disabled["journeys.catalogue"] = "the browser crashed before the catalogue walk"
        return None
    say(f"{target_id}: catalogue walk (≤ {settings.catalogue_walk_max_pages} list pages)")
    # Its own time budget inside: it stops starting pages then and keeps what it read; the
    # outer limit only ends a walk that hangs on one page.
    budget = _journey_budget(settings, 4)
    try:
        return await asyncio.wait_for(
            walk_catalogue(view, new_tab, vocabulary, limits, settings.catalogue_walk_max_pages,
                           budget),
            budget + _journey_budget(settings, 1))
    except Exception as exc:
        errors.append(_failure("the catalogue walk", exc))
        disabled["journeys.catalogue"] = errors[-1]
        return None


async def _homepage_layout(
    session: BrowserSession, new_tab: Callable[[], Awaitable[Tab]], url: str, settings: Settings,
    timeout_ms: float, errors: list[str], disabled: dict[str, str],
) -> HomepageLayout | None:
    """The homepage's frame for the layout criteria; stands alone like the journeys."""
    if not session.connected:
        disabled["layout"] = "the browser crashed before the homepage layout was read"
        return None
    try:
        # key_page_settle_ms: pop-ups and cookie banners open a moment after load. One page,
        # so one page's budget (issue 7): a homepage that never yields cannot hold the portal.
        return await asyncio.wait_for(
            gather_layout(new_tab, url, timeout_ms, settings.key_page_settle_ms,
                          settings.settle_quiet_ms, settings.settle_cap_ms),
            _journey_budget(settings, 1))
    except Exception as exc:
        errors.append(_failure("reading the homepage layout", exc))
        disabled["layout"] = errors[-1]
        return None


async def _functionality_journeys(
    session: BrowserSession, context: Any, view: EvidenceView,
    new_tab: Callable[[], Awaitable[Tab]], vocabulary: Vocabulary, settings: Settings,
    limits: JourneyLimits, errors: list[str], disabled: dict[str, str],
    say: Callable[[str], None], target_id: str, discoverer: Discoverer | None,
) -> dict[str, Any]:
    """Login hand-over, service sample and guides: each stands alone like the journeys above."""
    if not session.connected:
        for name in ("login", "service_sample", "guides"):
            disabled[f"journeys.{name}"] = "the browser crashed before the journeys"
        return {}

    async def fetch(url: str) -> Download:
        got = await session.fetch(context, url, limits.timeout_ms, max_bytes=2_000_000)
        return Download(got.status, len(got.body.encode("utf-8")), got.error, got.content_type,
                        got.disposition)

    say(f"{target_id}: login, service-sample and guides journeys")
    async def discover(tab: Tab, url: str) -> list[Link]:
        return (await discoverer.discover(tab, url))[0] if discoverer is not None else []

    identity_hosts = (*vocabulary.identity_providers, *settings.trusted_identity_hosts)
    runs: dict[str, Callable[[], Awaitable[Any]]] = {
        "login": lambda: login_journey(view, new_tab, vocabulary, limits, identity_hosts,
                                       discover),
        "service_sample": lambda: service_sample_journey(
            view, new_tab, fetch, vocabulary, limits, settings.service_sample_size,
            settings.service_sample_seed, settings.concurrency),
        "guides": lambda: guides_journey(view, new_tab, vocabulary, limits),
    }
    out: dict[str, Any] = {}

    async def journey(name: str, run: Callable[[], Awaitable[Any]]) -> None:
        try:
            pages = settings.service_sample_size + 2 if name == "service_sample" else 6
            out[name] = await asyncio.wait_for(run(), _journey_budget(settings, pages))
        except Exception as exc:
            errors.append(_failure(f"the {name.replace('_', '-')} journey", exc))
            disabled[f"journeys.{name}"] = errors[-1]

    # The three read different pages and share nothing but the browser: side by side, a slow
    # portal's journeys take as long as the longest (the service sample), not the sum (kem:
    # 105 s one after another). Each keeps its own budget and its own failure.
    await asyncio.gather(*(journey(name, run) for name, run in runs.items()))
    return {name: out[name] for name in runs if name in out}


# -- the serial lane: key pages, Lighthouse, the persona --------------------------------------------


def _mobile_tab_opener(session: BrowserSession, settings: Settings, ua: str,
                       ) -> Callable[[], Awaitable[tuple[Tab, Callable[[], Awaitable[None]]]]]:
    mobile = ContextOptions(mobile=True, width=settings.mobile_width,
                            height=settings.mobile_height)

    async def new_mobile_tab() -> tuple[Tab, Callable[[], Awaitable[None]]]:
        context = await session.new_context(mobile, ua)
        try:
            tab = await session.new_tab(context, TIMING_INIT)
        except BaseException:
            # No tab, so nobody else will ever close this context.
            await session.close_context(context)
            raise

        async def close() -> None:
            await session.close_context(context)

        return tab, close

    return new_mobile_tab


async def _slow_walk_when_ready(
    lane: KeyPageLane, crawl_ended: asyncio.Event, enter_lane: Callable[[], Awaitable[None]],
    new_mobile_tab: Callable[[], Awaitable[tuple[Tab, Callable[[], Awaitable[None]]]]],
    timeout_ms: float,
) -> PersonaRun:
    """The persona's slow-3G walk, begun once the lane knows its journey's URLs or the crawl has
    ended, whichever comes first (a step whose URL is still unknown then is "not found")."""
    known = asyncio.ensure_future(lane.roles_offered(JOURNEY))
    ended = asyncio.ensure_future(crawl_ended.wait())
    try:
        await asyncio.wait({known, ended}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in (known, ended):
            waiting.cancel()
    if lane.failure is not None:
        # Nothing will take the walk (no key pages, no persona): do not load the portal for it.
        return PersonaRun(profile=SLOW_3G_CHEAP_PHONE.name, error="the key-page lane failed")
    await enter_lane()
    return await walk(lane.urls, new_mobile_tab, SLOW_3G_CHEAP_PHONE, step_timeout_ms=timeout_ms)


def _lighthouse_lane(session: BrowserSession, worker: LighthouseWorker,
                     settings: Settings) -> LighthouseLane | None:
    """Lighthouse's part of the lane, its worker warming up (None when switched off)."""
    if not settings.lighthouse:
        return None
    preset: Preset = "desktop" if settings.lighthouse_preset == "desktop" else "mobile"
    # Before each run, every renderer already working beside the lane (the crawl's, the
    # journeys', the persona's) yields the CPU to the one Lighthouse is about to start.
    off = priority.available()
    if off is not None:
        log.info("the crawl's renderers keep their CPU priority beside Lighthouse: %s", off)
    lighthouse = LighthouseLane(worker, session.debugging_port, preset=preset,
                                runs=settings.lighthouse_runs,
                                timeout_s=settings.lighthouse_timeout_s,
                                before_run=priority.background_renderers if off is None else None)
    lighthouse.warm_up()
    return lighthouse


def _start_key_page_lane(
    session: BrowserSession, lighthouse: LighthouseLane | None, meta: dict[str, Any],
    versions: Callable[[], Versions], vocabulary: Vocabulary, settings: Settings, ua: str,
    evidence_dir: Path, timeout_ms: float, say: Callable[[str], None], target_id: str,
    enter_lane: Callable[[], Awaitable[None]],
) -> KeyPageLane:
    """The lane, started: it measures each key template as soon as the crawl finds it."""
    new_mobile_tab = _mobile_tab_opener(session, settings, ua)
    templates = set(settings.lighthouse_templates)

    def discover(pages: Sequence[Page], journeys: Journeys | None) -> list[tuple[str, str]]:
        # model_construct: the pages are validated already; this runs after every crawled page.
        provisional = EvidenceBundle.model_construct(
            **meta, versions=versions(), pages=list(pages), journeys=journeys or Journeys())
        return key_page_urls(EvidenceView(provisional, vocabulary))

    async def measure(role: str, url: str) -> KeyPageMeasurement:
        await enter_lane()
        say(f"{target_id}: key page {role} at {settings.mobile_width} px: {url}")
        # Our own load has the lane to itself until the load event; its settle and read-outs
        # (no timing among them: measure_key_page) run beside the page's Lighthouse runs.
        loaded = asyncio.Event()
        own = asyncio.ensure_future(measure_key_page(
            role, url, new_mobile_tab, evidence_dir, timeout_ms=timeout_ms,
            settle_ms=settings.key_page_settle_ms, width=settings.mobile_width, loaded=loaded,
            settle_quiet_ms=settings.settle_quiet_ms, settle_cap_ms=settings.settle_cap_ms))
        try:
            await loaded.wait()
            runs = None
            if lighthouse is not None and role in templates and session.connected:
                say(f"{target_id}: Lighthouse {lighthouse.preset} × {lighthouse.runs} on {role}")
                runs = await lighthouse.measure(url)
            measured = await own
        except BaseException:
            own.cancel()
            raise
        if runs is not None:
            measured = measured.model_copy(update={"lighthouse": runs})
        return measured

    return KeyPageLane(measure, discover)


async def _finish_key_page_lane(
    lane: KeyPageLane, lighthouse: LighthouseLane | None, session: BrowserSession,
    pages: list[Page], journeys: Journeys, settings: Settings, ua: str, timeout_ms: float,
    errors: list[str], disabled: dict[str, str], say: Callable[[str], None], target_id: str,
    enter_lane: Callable[[], Awaitable[None]], throttled: asyncio.Future[PersonaRun] | None,
) -> tuple[list[KeyPageMeasurement] | None, PersonaJourney | None]:
    """Offer what the whole crawl and the journeys found, drain the lane, walk the persona.

    ``throttled`` is the persona's slow-3G walk, begun when its URLs were known or the crawl
    ended (cancelled by the caller if unused); its unthrottled walk runs in the lane once it drains."""
    if not session.connected:
        await lane.cancel()
        disabled["key_pages"] = "the browser crashed before the key-page lane"
        return None, None
    new_mobile_tab = _mobile_tab_opener(session, settings, ua)
    key_pages = await lane.finish(pages, journeys)
    if lane.failure is not None:
        errors.append(_failure("the key-page lane", lane.failure))
        disabled["key_pages"] = errors[-1]

    if lighthouse is not None and lighthouse.unavailable is not None:
        disabled["lighthouse"] = f"Lighthouse could not run: {lighthouse.unavailable}"
    persona: PersonaJourney | None = None
    if not settings.persona:
        disabled["persona"] = "switched off by the 'persona' setting"
    elif throttled is None or key_pages is None or not session.connected:
        disabled["persona"] = "the key-page lane did not run"
    else:
        say(f"{target_id}: remote-area citizen journey: unthrottled in the lane, the slow-3G "
            "walk begun beside it")
        try:
            await enter_lane()
            persona = await persona_journey(lane.urls, new_mobile_tab,
                                            step_timeout_ms=timeout_ms, throttled=throttled)
        except Exception as exc:
            errors.append(_failure("the persona journey", exc))
            disabled["persona"] = errors[-1]
    return key_pages, persona


# -- transport and domain (issue 4 T01-T04): pure Python, in a thread so the loop stays free ------


async def _transport_hook(start_url: str, settings: Settings, errors: list[str],
                          disabled: dict[str, str], say: Callable[[str], None],
                          target_id: str) -> TransportEvidence | None:
    say(f"{target_id}: transport and domain probes")
    try:
        return await asyncio.to_thread(gather_transport, start_url, settings)
    except Exception as exc:  # a bug in a probe must not cost the rest of the evidence
        errors.append(_failure("the transport probes", exc))
        disabled["transport"] = errors[-1]
        return None


def chromium_transport_args(settings: Settings) -> list[str]:
    """Name mapping and test-CA trust for a portal served over HTTPS at its official name."""
    args = []
    if settings.chromium_host_resolver_rules:
        args.append(f"--host-resolver-rules={settings.chromium_host_resolver_rules}")
    if settings.chromium_trusted_spki:
        args.append("--ignore-certificate-errors-spki-list="
                    + ",".join(settings.chromium_trusted_spki))
    return args
