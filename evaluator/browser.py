"""The ONLY module that imports Playwright: find and launch Chromium, open contexts and tabs.

Everything above this module sees plain data (dicts, dataclasses) and the small ``Tab`` API, so
the gatherers stay testable and the browser can be swapped (ARCHITECTURE.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import shutil
import socket
import tempfile
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urldefrag, urljoin

from playwright.async_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    Response,
    Route,
    async_playwright,
)
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Request as PWRequest
from playwright.async_api import TimeoutError as PlaywrightTimeout

if TYPE_CHECKING:
    from playwright.async_api import Dialog

log = logging.getLogger(__name__)

# Flags measured on our machines (ENVIRONMENT.md): --no-sandbox is required as root; the
# host-resolver rule stops Chromium 156 phoning home dozens of times a minute on a closed network.
LAUNCH_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--host-resolver-rules=MAP accounts.google.com ~NOTFOUND, MAP update.googleapis.com ~NOTFOUND",
)
# Debian's chromium-headless-shell comes first: the standalone build of Chromium's original
# headless mode, the browser Playwright itself launches for headless=True (Playwright 1.49 on),
# with the same Blink, V8 and network stack as the full browser of the same version and no
# browser UI underneath. Measured on `mau` (BENCHMARKS.md, 2026-12-07): its crawl of 46 pages
# with axe costs 24 core-seconds against 45 in the full browser's headless mode (the browser
# process alone 4 s against 12 s), and that CPU is what stretched the Lighthouse runs beside
# the crawl. What the shell lacks (Lighthouse hides its bf-cache audit there, lighthouse#15577)
# no criterion reads. The full browser is the fallback.
HEADLESS_SHELL_CANDIDATES = ("/usr/bin/chromium-headless-shell",
                             "/usr/lib/chromium/chromium-headless-shell")
DEBIAN_CANDIDATES = (*HEADLESS_SHELL_CANDIDATES, "/usr/bin/chromium", "/usr/lib/chromium/chromium",
                     "/usr/bin/chromium-browser")
#: Names looked up on $PATH after the Debian paths, in order.
PATH_NAMES = ("chromium-headless-shell", "chromium")


class BrowserNotFound(Exception):
    """No Chromium found; the message lists what was tried and how to fix it."""


class BrowserCrashed(Exception):
    pass


_ENV_CHROMIUM = "PORTAL_EVAL_CHROMIUM"


def _executable(path: str) -> bool:
    return Path(path).is_file() and os.access(path, os.X_OK)


def find_chromium(explicit: str | None = None) -> str:
    """The ``chromium`` setting, then Debian's chromium-headless-shell or chromium, then $PATH,
    then Playwright's own.

    ``explicit`` is ``Settings.chromium``, already layered by load_settings (settings file <
    $PORTAL_EVAL_CHROMIUM < --chromium). $PORTAL_EVAL_CHROMIUM is also read here, so a caller
    that passes no setting gets the same answer, and so an unusable --chromium or settings-file
    path still falls back to it before the system browsers (with a warning in the log).
    """
    tried: list[str] = []
    configured: list[str] = []
    env = os.environ.get(_ENV_CHROMIUM) or None
    candidates: list[tuple[str, str]] = []
    if explicit:
        # load_settings puts $PORTAL_EVAL_CHROMIUM above the file, so the same path came from it.
        label = (f"${_ENV_CHROMIUM}=" if explicit == env
                 else "setting `chromium` (--chromium or the settings file): ")
        candidates.append((label, explicit))
    if env and env != explicit:
        candidates.append((f"${_ENV_CHROMIUM}=", env))
    for label, candidate in candidates:
        if _executable(candidate):
            return candidate
        tried.append(f"{label}{candidate} (not an executable file)")
        configured.append(candidate)
    found: str | None = None
    for candidate in DEBIAN_CANDIDATES:
        if _executable(candidate):
            found = candidate
            break
        tried.append(f"{candidate} (absent)")
    for name in PATH_NAMES if found is None else ():
        if (found := shutil.which(name)) is not None:
            break
        tried.append(f"`{name}` on $PATH (not found)")
    if found is None:
        root = _playwright_root()
        if (found := _playwright_managed_chromium(root)) is None:
            tried.append(f"Playwright's own browser under {root} (absent)")
    if found is not None:
        if configured:
            log.warning("Chromium %s is not an executable file; using %s",
                        " nor ".join(configured), found)
        return found
    raise BrowserNotFound(
        "no Chromium found; tried: " + "; ".join(tried)
        + ". Fix: `apt-get install chromium-headless-shell` (Debian, as root; or `chromium`), "
        "or set PORTAL_EVAL_CHROMIUM "
        "(or `chromium` in the settings file, or --chromium) to a Chromium binary, or "
        "`playwright install chromium` where the internet is reachable"
    )


def _playwright_root() -> Path:
    """The folder Playwright installs its browsers in, as Playwright itself resolves it."""
    configured = os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
    if configured == "0":
        # "0": browsers live inside the installed playwright package (a hermetic install).
        import playwright

        package = getattr(playwright, "__file__", None)
        if package:
            return Path(package).parent / "driver" / "package" / ".local-browsers"
    elif configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "ms-playwright"


def _playwright_managed_chromium(root: Path) -> str | None:
    for pattern in ("chromium_headless_shell-*/chrome-*/headless_shell", "chromium-*/chrome-linux*/chrome"):
        for hit in sorted(root.glob(pattern), reverse=True):
            if os.access(hit, os.X_OK):
                return str(hit)
    return None


@dataclass(frozen=True)
class NavResult:
    status: int | None
    final_url: str
    content_type: str = ""
    error: str | None = None


@dataclass
class _NetRecord:
    url: str
    resource_type: str
    status: int | None = None
    bytes: int = 0
    failure: str | None = None


# The boxes a search or lookup form types into when the evidence names no input.
TEXT_BOXES = "input[type=search], input[type=text], input:not([type])"
# Typing waits this long at most for the box: the page has loaded, the box is there or never.
FILL_TIMEOUT_MS = 10_000
# After a search or lookup is sent, this long at most for its first sign (a new document on its
# way, a route, a change in place); the answer itself then settles (Tab.settle_until_quiet).
ACTION_WAIT_MS = 5_000
# How long a change in place waits for a navigation request that may still be on its way.
IN_PLACE_GRACE_S = 0.25
_MAX_NOTES = 50  # console errors and dialogs kept per tab
# A full-page screenshot is taken by stretching the viewport to the page, at most this tall.
# Playwright's own full_page capture (CDP captureBeyondViewport) hung past its 15 s timeout on
# Debian's Chromium for a 1280 x 27,104 px report, even clipped to its first 900 px, while a
# 1280 x 30,000 px viewport captured in 2.3 s (measured 2026-12-05). Taller pages are cut here.
FULL_PAGE_MAX_PX = 30_000
# Installed in every frame of a confined context: window.open opens nothing (BrowserSession.confine).
NO_POPUPS = """(() => {
  const refuse = function (url) {
    try { window.__peRefusedPopup(String(url === undefined ? "" : url)); } catch (e) {}
    return null;
  };
  try { Object.defineProperty(window, "open", {value: refuse, writable: false,
                                               configurable: false}); } catch (e) {}
})();"""


# Installed in every tab before any page script runs (BrowserSession.new_tab): watches the
# document for changes of content (nodes added or removed, text changed; not attributes, which
# carousels and tickers change for ever) so Tab.settle_until_quiet can tell "DOM stable", and
# names the document, so an action's answer can be told "new document" from "changed in place".
# Non-writable and closed over its own clock: the page's scripts can neither replace nor fool it.
DOM_WATCH = r"""(() => {
  if (Object.prototype.hasOwnProperty.call(window, "__peDom")) return;
  const now = performance.now.bind(performance);
  let last = now(), changes = 0;
  const doc = Math.random().toString(36).slice(2) + now().toString(36);
  try {
    new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === "childList" || r.type === "characterData") {
          last = now(); changes++; return;
        }
      }
    }).observe(document, {childList: true, subtree: true, characterData: true});
  } catch (e) {}
  try {
    Object.defineProperty(window, "__peDom", {value: Object.freeze({
      quietFor: () => now() - last, changes: () => changes, doc: () => doc}),
      writable: false, configurable: false});
  } catch (e) {}
})();"""
# Read by settle: [ms since the last content change, changes so far, document id]; null when
# the page's realm cannot answer (a closed page, a hostile override of the watcher's frame).
_DOM_STATE = """() => { try { const d = window.__peDom;
  return [d.quietFor(), d.changes(), d.doc()]; } catch (e) { return null; } }"""
# Requests that stay open by design (a video's range requests, a socket, server-sent events):
# they never make the network "busy" for settling.
_LONG_LIVED = frozenset({"media", "websocket", "eventsource", "manifest"})


@dataclass(frozen=True)
class SettleReport:
    """How a read waited (evidence.Settle is built from it by the gatherers)."""

    waited_ms: float
    settled: bool
    network_quiet: bool
    dom_stable: bool
    cap_ms: int
    quiet_ms: int
    pending: tuple[str, ...] = ()


Answered = Literal["new_page", "route", "in_place", "none"]


@dataclass(frozen=True)
class ActionResult:
    """What a search or lookup sent from a page got back (Tab.act)."""

    nav: NavResult
    # Where the answer came (evidence.Answer).
    answered: Answered
    # How it was sent: "submit", "button: <name>", "enter".
    sent_by: str


@dataclass
class SealLog:
    """What a sealed tab (Tab.sealed) kept from leaving: the documents it asked for and the
    requests other than GET/HEAD its scripts tried."""

    navigations: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    blocked_count: int = 0


DRIVER_HOSTS_SCRIPT = Path(__file__).with_name("driver_hosts.cjs")


_RULES = "--host-resolver-rules="


def _merge_resolver_rules(args: list[str]) -> list[str]:
    """One --host-resolver-rules flag: Chromium keeps only the last of several, so a portal's
    name mapping (settings.chromium_host_resolver_rules) would silently drop the rules that keep
    Chromium's own background hosts from being looked up (LAUNCH_FLAGS), or the reverse."""
    rules = [a.removeprefix(_RULES) for a in args if a.startswith(_RULES)]
    if len(rules) < 2:
        return args
    first = next(i for i, a in enumerate(args) if a.startswith(_RULES))
    rest = [a for a in args if not a.startswith(_RULES)]
    return [*rest[:first], _RULES + ", ".join(rules), *rest[first:]]


def driver_env_for(host_resolver_rules: str, ca_file: str) -> dict[str, str]:
    """Environment for Playwright's Node driver that matches what Chromium is told by flags.

    The driver makes some requests itself, outside Chromium's network stack: ``route.fetch()``
    in :meth:`BrowserSession.confine` and :meth:`BrowserSession.fetch` (robots.txt,
    sitemap.xml). Chromium's ``--host-resolver-rules`` and ``--ignore-certificate-errors-spki-
    list`` do not reach them, so without this a portal served at a mapped name (a staging
    portal at its official name, the HTTPS fixture portals) could be browsed but every one of
    its navigations would fail in the confinement. ``MAP host address`` rules go to
    driver_hosts.cjs (preloaded), the CA file to ``NODE_EXTRA_CA_CERTS``: Node then trusts the
    same CA the transport probes verify against (``tls_ca_file``).
    """
    env: dict[str, str] = {}
    if host_resolver_rules:
        preload = f'--require "{DRIVER_HOSTS_SCRIPT}"'
        env["NODE_OPTIONS"] = " ".join(filter(None, (os.environ.get("NODE_OPTIONS"), preload)))
        env["PORTAL_EVAL_HOST_MAP"] = host_resolver_rules
    if ca_file:
        env["NODE_EXTRA_CA_CERTS"] = ca_file
    return env


@contextlib.contextmanager
def _environ(values: Mapping[str, str]) -> Iterator[None]:
    """``os.environ`` with ``values`` set while the driver starts (it copies the environment
    then, and async_playwright() offers no other way in); restored afterwards."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def css_string(value: str) -> str:
    """``value`` as a double-quoted CSS string, for ``[name=…]`` selectors built from page data.

    Quotes and backslashes are escaped, control characters become hex escapes (CSS Syntax §4.3.7
    reads ``\\a `` as a newline), NUL becomes U+FFFD as CSS does: a hostile attribute can
    neither end the string nor change the selector.
    """
    out: list[str] = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\0":
            out.append("\ufffd")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _retrieve(task: asyncio.Task[Any]) -> None:
    """Done-callback of fire-and-forget tasks: fetch the exception so asyncio never warns
    "exception was never retrieved"; a closed page or context is routine here."""
    if not task.cancelled() and (exc := task.exception()) is not None:
        log.debug("background browser task failed: %s", _one_line(exc))


@dataclass
class Tab:
    """One browser tab. Records its network traffic, script errors and dialogs; dismisses
    dialogs; never downloads."""

    page: Page
    # Console errors and uncaught exceptions, first 200 characters each, at most 50.
    console_errors: list[str] = field(default_factory=list)
    # Each alert/confirm/prompt/beforeunload the page raised: "<type>: <first 200 characters of
    # its message>", at most 50. Dismissed at once either way.
    dialogs: list[str] = field(default_factory=list)
    # Keyed by the Request object itself: Playwright hands out one object per request, and an
    # id() could be reused by a later request once an earlier object is collected.
    _records: dict[PWRequest, _NetRecord] = field(default_factory=dict)
    _pending: set[asyncio.Task[None]] = field(default_factory=set)
    # The CDP session of throttle(): held so the emulation lives as long as the tab.
    _cdp: Any = None
    # The init script the tab was opened with: renew() puts it on the fresh page too.
    init_script: str = ""
    # Dialogs dismissed in all (``dialogs`` keeps only the first 50).
    dialogs_dismissed: int = 0
    # URLs the page asked window.open for in a confined context (refused: BrowserSession.confine).
    refused_popups: list[str] = field(default_factory=list)
    # Requests open now (settling) and when the network last changed (time.monotonic()).
    _inflight: dict[PWRequest, str] = field(default_factory=dict)
    _last_net: float = field(default_factory=time.monotonic)
    # When the last action (Tab.act: a submit, a click, Enter) was done to the page: quiet is
    # counted from then at the earliest (settle_until_quiet).
    _acted_at: float = 0.0
    # Set while the tab is sealed (Tab.sealed): what it kept in.
    _seal: SealLog | None = None
    # dialogs_dismissed when the current page was asked for (goto).
    _dialogs_at_goto: int = 0

    def __post_init__(self) -> None:
        self._listen()

    def _listen(self) -> None:
        self.page.on("console", lambda msg: self._console_error(msg.text)
                     if msg.type == "error" else None)
        self.page.on("pageerror", lambda exc: self._console_error(f"uncaught: {exc}"))
        self.page.on("request", self._on_request)
        self.page.on("requestfinished", self._on_finished)
        self.page.on("requestfailed", self._on_failed)
        # A portal's alert/confirm/beforeunload would block the tab forever: dismiss them.
        self.page.on("dialog", self._on_dialog)

    def _console_error(self, text: str) -> None:
        if len(self.console_errors) < _MAX_NOTES:
            self.console_errors.append(text[:200])

    def _on_dialog(self, dialog: Dialog) -> None:
        self.dialogs_dismissed += 1
        if len(self.dialogs) < _MAX_NOTES:
            self.dialogs.append(f"{dialog.type}: {(dialog.message or '')[:200]}")
        # "Leave this page?" is answered yes: dismissing it would keep a hostile page loaded and
        # stop the crawl's next navigation. Every other dialog is dismissed (Cancel).
        self._spawn(dialog.accept() if dialog.type == "beforeunload" else dialog.dismiss())

    async def renew(self) -> None:
        """Replace the page with a fresh one in the same context (and the same init script).

        For a page that never gives its main thread back (``for(;;){}``): evaluate() and
        content() would wait for ever, and the tab would hang every page the crawl gives it
        after. Closing without beforeunload lets Chromium kill the hung renderer.
        """
        context = self.page.context
        with contextlib.suppress(PlaywrightError, asyncio.TimeoutError):
            await asyncio.wait_for(self.page.close(run_before_unload=False), 15)
        self.page = await context.new_page()
        if self.init_script:
            await self.page.add_init_script(self.init_script)
        self._records.clear()
        self._cdp = None
        self._listen()

    def _spawn(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._pending.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._pending.discard(task)
        _retrieve(task)

    def _on_request(self, request: PWRequest) -> None:
        self._records[request] = _NetRecord(request.url[:2000], request.resource_type)
        if request.resource_type not in _LONG_LIVED:
            self._inflight[request] = request.url[:300]
            self._last_net = time.monotonic()

    def _settled_request(self, request: PWRequest) -> None:
        if self._inflight.pop(request, None) is not None:
            self._last_net = time.monotonic()

    def _on_finished(self, request: PWRequest) -> None:
        self._settled_request(request)
        self._spawn(self._finish(request))

    async def _finish(self, request: PWRequest) -> None:
        record = self._records.get(request)
        if record is None:
            return
        try:
            response = await request.response()
            record.status = response.status if response else None
            sizes = await request.sizes()
            record.bytes = int(sizes["responseBodySize"]) + int(sizes["responseHeadersSize"])
        except PlaywrightError:
            pass

    def _on_failed(self, request: PWRequest) -> None:
        self._settled_request(request)
        record = self._records.get(request)
        if record is not None:
            record.failure = request.failure or "failed"

    def reset_network(self) -> None:
        self._records.clear()
        self._inflight.clear()
        self._last_net = time.monotonic()

    async def dom_state(self) -> tuple[float, int, str] | None:
        """(ms since the document's content last changed, changes so far, document id), or
        None when the page cannot say (no watcher: a page opened before it, or a hostile one)."""
        try:
            raw = await self.page.evaluate(_DOM_STATE)
        except PlaywrightError:
            return None
        if (not isinstance(raw, list) or len(raw) != 3 or not isinstance(raw[0], int | float)
                or isinstance(raw[0], bool) or not isinstance(raw[1], int)
                or not isinstance(raw[2], str)):
            return None
        return float(raw[0]), raw[1], raw[2][:40]

    async def settle_until_quiet(self, quiet_ms: float, cap_ms: float) -> SettleReport:
        """Wait until the network has been quiet (no request open, none started or ended) and
        the document's content unchanged for ``quiet_ms``, or until ``cap_ms`` has passed.

        Lists and blocks a portal fills by XHR after load arrive before the read; a page that
        never settles (polling, a live counter) is read at the cap and says so (``settled``
        False, with the requests still open).

        After an action the quiet is counted from the action at the earliest: what it set off
        may not have shown yet when the wait begins. A router changes the address at once and
        its view may ask for the answer later (a debounced handler), or the request's event
        may reach us after the first look; the old view, quiet for long, was then read as the
        answer (kieu-spa's unaccented search once found the home page's services that way)."""
        started = time.monotonic()
        quiet = max(0.0, quiet_ms)
        while True:
            now = time.monotonic()
            waited = (now - started) * 1000
            since_action = (now - self._acted_at) * 1000
            net_quiet_for = 0.0 if self._inflight else (
                min(now - self._last_net, now - self._acted_at) * 1000)
            dom_quiet_for: float | None = None
            if net_quiet_for >= quiet:
                state = await self.dom_state()
                dom_quiet_for = min(state[0], since_action) if state is not None else math.inf
                if dom_quiet_for >= quiet:
                    return SettleReport(round(waited, 1), True, True, True, int(cap_ms), int(quiet))
            if waited >= cap_ms:
                if dom_quiet_for is None:
                    state = await self.dom_state()
                    dom_quiet_for = state[0] if state is not None else math.inf
                return SettleReport(
                    round(waited, 1), False, net_quiet_for >= quiet, dom_quiet_for >= quiet,
                    int(cap_ms), int(quiet), tuple(list(self._inflight.values())[:5]))
            lacking = quiet - (net_quiet_for if dom_quiet_for is None else
                               min(net_quiet_for, dom_quiet_for))
            await asyncio.sleep(min(max(lacking, 25.0), 100.0, max(cap_ms - waited, 1.0)) / 1000)

    @contextlib.asynccontextmanager
    async def sealed(self) -> AsyncIterator[SealLog]:
        """While inside, nothing the page does reaches the portal except GET and HEAD: a new
        document it asks for is answered here with 204 No Content (the browser then stays on
        the page, as for any 204) and recorded; any other method is aborted and recorded.

        For learning where a clickable leads without letting it act (gather/discover.py)."""
        log = SealLog()

        async def handle(route: Route) -> None:
            request = route.request
            try:
                top = request.is_navigation_request() and request.frame.parent_frame is None
            except PlaywrightError:
                top = False
            with contextlib.suppress(PlaywrightError):
                if top:
                    log.navigations.append(request.url[:2000])
                    await route.fulfill(status=204, body="")
                elif request.method not in ("GET", "HEAD"):
                    log.blocked_count += 1
                    if len(log.blocked) < 10:
                        log.blocked.append(f"{request.method} {request.url[:300]}")
                    await route.abort("blockedbyclient")
                else:
                    await route.fallback()

        self._seal = log
        await self.page.route("**/*", handle)
        try:
            yield log
        finally:
            self._seal = None
            with contextlib.suppress(PlaywrightError):
                await self.page.unroute("**/*", handle)

    async def network(self) -> list[dict[str, Any]]:
        if self._pending:
            await asyncio.wait(list(self._pending), timeout=5)
        return [r.__dict__.copy() for r in self._records.values()]

    async def goto(self, url: str, timeout_ms: float, wait_until: str = "load") -> NavResult:
        if _same_document(self.page.url, url):
            # Another route of the same document (an SPA's #/route): Chromium would only change
            # the fragment, with no response to read. A page is always read from a fresh load.
            with contextlib.suppress(PlaywrightError):
                await self.page.goto("about:blank")
        if self.page.url.startswith("chrome-error://"):
            # Leaving Chromium's error page (a refused or failed navigation) for a routed site
            # swaps renderer processes, and the intercepted navigation restarts: Playwright then
            # reports it "interrupted by another navigation" to the same URL. A fresh page does
            # not have that problem.
            await self.renew()
        elif self.dialogs_dismissed > self._dialogs_at_goto:
            # The page being left raised dialogs: one that keeps raising them (an alert every
            # 200 ms) can hold the next navigation until it times out (the hostile 'dialogs'
            # portal, 2 in 12 runs). Closed without beforeunload, it raises no more.
            await self.renew()
        self._dialogs_at_goto = self.dialogs_dismissed
        try:
            try:
                response = await self.page.goto(url, timeout=timeout_ms, wait_until=wait_until)  # type: ignore[arg-type]
            except PlaywrightError as exc:
                # The previous page's load, given up on (a 50 MB page, a drip), can fail late and
                # put Chromium's error page over this navigation: once, that is not this URL's
                # fault, so it is asked again.
                if "interrupted by another navigation" not in str(exc) or isinstance(
                        exc, PlaywrightTimeout):
                    raise
                # Asked again from a fresh page: the interrupted one may still be mid-restart.
                log.debug("navigation to %s interrupted; retrying once in a fresh page", url)
                await self.renew()
                response = await self.page.goto(url, timeout=timeout_ms, wait_until=wait_until)  # type: ignore[arg-type]
        except PlaywrightTimeout:
            return NavResult(None, self.page.url, error=f"timed out after {timeout_ms / 1000:g} s")
        except PlaywrightError as exc:
            return NavResult(None, self.page.url or url, error=_one_line(exc))
        if response is None:
            return NavResult(None, self.page.url, error="no response")
        return await self._nav_result(response)

    async def _nav_result(self, response: Response) -> NavResult:
        try:
            headers = await response.all_headers()
        except PlaywrightError:
            # The page navigated on or closed meanwhile: the provisional headers still say
            # what the document was.
            try:
                headers = response.headers
            except PlaywrightError:
                headers = {}
        return NavResult(response.status, self.page.url, headers.get("content-type", ""))

    async def settle(self, ms: float) -> None:
        await self.page.wait_for_timeout(ms)

    async def evaluate(self, script: str, arg: Any = None) -> Any:
        return await self.page.evaluate(script, arg)

    async def content(self) -> str:
        return await self.page.content()

    async def screenshot(self, path: Path, full_page: bool = False) -> None:
        """JPEG of the viewport, or of the whole page up to ``FULL_PAGE_MAX_PX`` tall."""
        path.parent.mkdir(parents=True, exist_ok=True)
        viewport = self.page.viewport_size
        if not full_page or viewport is None:
            await self.page.screenshot(path=str(path), type="jpeg", quality=60, timeout=15_000)
            return
        height = await self.page.evaluate("() => document.documentElement.scrollHeight")
        tall = min(max(int(height), viewport["height"]), FULL_PAGE_MAX_PX)
        await self.page.set_viewport_size({"width": viewport["width"], "height": tall})
        try:
            await self.page.screenshot(path=str(path), type="jpeg", quality=60, timeout=15_000)
        finally:
            await self.page.set_viewport_size(viewport)

    async def submit_form(
        self, form_index: int, value: str, timeout_ms: float, *, name: str = "",
        input_id: str = "",
    ) -> ActionResult:
        """Type ``value`` into an input of form number ``form_index`` and submit it.

        The input is the one named ``name``, else the one with id ``input_id``, else the form's
        first text box. Only the read-only journeys (search, status lookup) call this. The
        answer is watched for wherever it comes (``act``). A box that cannot be typed into is
        an error: reading the unchanged form page as "results" would judge the wrong page.
        """
        form = self.page.locator("form").nth(form_index)
        if name:
            box, what = form.locator(f"[name={css_string(name)}]"), f"name={name[:80]!r}"
        elif input_id:
            box, what = form.locator(f"[id={css_string(input_id)}]"), f"id={input_id[:80]!r}"
        else:
            box, what = form.locator(TEXT_BOXES), "the first text box"
        try:
            await box.first.fill(value, timeout=min(timeout_ms, FILL_TIMEOUT_MS))
        except PlaywrightError as exc:  # a timeout included: no such box, hidden, read-only
            return ActionResult(NavResult(None, self.page.url,
                                          error=f"could not type into {what}: {_one_line(exc)}"),
                                "none", "")

        async def submit() -> None:
            # Bounded: a form a script replaced after the typing fails here in seconds, not in
            # Playwright's default 30 s.
            await form.evaluate("f => (f.requestSubmit ? f.requestSubmit() : f.submit())",
                                timeout=5_000)

        return await self.act(submit, timeout_ms, "submit")

    async def send_loose(
        self, value: str, timeout_ms: float, *, box_selectors: Sequence[str],
        control_selector: str = "", control_name: str = "",
    ) -> ActionResult:
        """Type ``value`` into a text box that has no <form> and send it as a citizen does: the
        control beside it (``control_selector``), or Enter when there is none.

        ``box_selectors`` are tried in order (its id, its name, its path in the document). Only
        the read-only journeys (search, status lookup) call this, and only with a control
        they have checked is not named for an act (gather/journeys.py)."""
        box = None
        for selector in box_selectors:
            if not selector:
                continue
            candidate = self.page.locator(selector).first
            with contextlib.suppress(PlaywrightError):
                if await candidate.count():
                    box = candidate
                    break
        if box is None:
            return ActionResult(NavResult(None, self.page.url,
                                          error="could not find the text box again"), "none", "")
        try:
            await box.fill(value, timeout=min(timeout_ms, FILL_TIMEOUT_MS))
        except PlaywrightError as exc:
            return ActionResult(NavResult(None, self.page.url,
                                          error=f"could not type into the box: {_one_line(exc)}"),
                                "none", "")
        control = self.page.locator(control_selector).first if control_selector else None
        if control is not None:
            with contextlib.suppress(PlaywrightError):
                if not await control.count():
                    control = None

        sent_by = f"button: {control_name[:60]}" if control is not None else "enter"
        fell_back_to_enter = False

        async def send() -> None:
            nonlocal fell_back_to_enter
            if control is None:
                await box.press("Enter")
                return
            try:
                await control.click(timeout=5_000)
                return
            except PlaywrightError:
                pass
            try:
                # Covered or off-screen for Playwright's checks, yet it is the page's button:
                # a script click is what the page's handler answers.
                await control.evaluate("el => el.click()", timeout=5_000)
                return
            except PlaywrightError:
                pass
            # The button is no longer where the crawl saw it (a widget rebuilt after load, the
            # view re-rendered): Enter in the box, as a citizen would. Without a timeout here
            # the script click waited Playwright's 30 s for it and the query was lost
            # (kieu-spa's demo, 2026-12-07).
            fell_back_to_enter = True
            await box.press("Enter", timeout=5_000)

        result = await self.act(send, timeout_ms, sent_by)
        return replace(result, sent_by="enter") if fell_back_to_enter else result

    async def click(self, selector: str, timeout_ms: float, sent_by: str) -> ActionResult:
        """Click the element at ``selector`` as a person would (a script click when Playwright's
        checks refuse it) and wait for the answer (``act``). For controls a journey has
        checked: a pager's "next" (gather/catalogue.py)."""
        control = self.page.locator(selector).first

        async def press() -> None:
            try:
                await control.click(timeout=5_000)
            except PlaywrightTimeout:
                # Playwright's checks refused it (covered, moving): a script click. An element
                # that is no longer at ``selector`` fails here too, quickly, for the caller to
                # look for it again.
                await control.evaluate("el => el.click()", timeout=5_000)

        return await self.act(press, timeout_ms, sent_by)

    async def act(self, action: Callable[[], Awaitable[None]], timeout_ms: float,
                  sent_by: str) -> ActionResult:
        """Run ``action`` (a submit, a click, Enter) and wait for its answer, wherever it comes:
        a new document (its load awaited, its status kept), the page's router moving to another
        address, or the page changed in place by script. Up to ACTION_WAIT_MS for the first
        sign; a new document then has ``timeout_ms`` to load. The caller settles and reads."""
        before = await self.dom_state()
        url_before = self.page.url
        main = self.page.main_frame
        responses: list[Response] = []
        asked: list[PWRequest] = []

        def on_response(response: Response) -> None:
            with contextlib.suppress(PlaywrightError):
                if response.request.is_navigation_request() and response.frame == main:
                    responses.append(response)

        def on_request(request: PWRequest) -> None:
            with contextlib.suppress(PlaywrightError):
                if request.is_navigation_request() and request.frame == main:
                    asked.append(request)

        self.page.on("response", on_response)
        self.page.on("request", on_request)
        try:
            try:
                await action()
            except PlaywrightError as exc:
                return ActionResult(NavResult(None, self.page.url, error=_one_line(exc)),
                                    "none", sent_by)
            self._acted_at = time.monotonic()
            answered: Answered = "none"
            started = time.monotonic()

            def navigation_pending() -> bool:
                # A new document was asked for and has neither answered nor failed: a slow
                # server (kem's 3.5 s) keeps the old document up meanwhile.
                with contextlib.suppress(PlaywrightError):
                    return bool(asked) and not responses and asked[-1].failure is None
                return False

            while True:
                limit = timeout_ms if navigation_pending() else ACTION_WAIT_MS
                if (time.monotonic() - started) * 1000 >= limit:
                    break
                state = await self.dom_state()
                if before is not None and state is not None and state[2] != before[2]:
                    answered = "new_page"
                    break
                if state is None or navigation_pending():
                    await asyncio.sleep(0.05)  # between documents
                    continue
                if responses:
                    answered = "new_page"  # answered; its document is committing
                    break
                if self.page.url != url_before:
                    answered = "route"
                    break
                if before is not None and state[1] > before[1]:
                    # A script's own change can show before the navigation a submit asks for
                    # does (tinh-trung-binh's banner, injected 400 ms after load, once made a
                    # lookup that loads a new page read as a blank in-place answer): the
                    # request gets a moment to appear before the change counts as the answer.
                    await asyncio.sleep(IN_PLACE_GRACE_S)
                    if asked or responses:
                        continue
                    answered = "in_place"
                    break
                await asyncio.sleep(0.05)
            if answered == "new_page":
                try:
                    await self.page.wait_for_load_state("load", timeout=timeout_ms)
                except PlaywrightTimeout:
                    return ActionResult(NavResult(None, self.page.url, error=(
                        f"the answer did not load within {timeout_ms / 1000:g} s")),
                        "new_page", sent_by)
                except PlaywrightError as exc:
                    return ActionResult(NavResult(None, self.page.url, error=_one_line(exc)),
                                        "new_page", sent_by)
                after = await self.dom_state()
                if before is not None and after is not None and after[2] == before[2]:
                    # Answered without a new document (a 204, a download): judged as it is.
                    answered = ("route" if self.page.url != url_before else
                                "in_place" if after[1] > before[1] else "none")
            elif navigation_pending():
                return ActionResult(NavResult(None, self.page.url, error=(
                    f"timed out after {timeout_ms / 1000:g} s")), "none", sent_by)
        finally:
            self.page.remove_listener("response", on_response)
            self.page.remove_listener("request", on_request)
        if answered == "new_page" and responses:
            return ActionResult(await self._nav_result(responses[-1]), "new_page", sent_by)
        return ActionResult(NavResult(None, self.page.url), answered, sent_by)

    async def pdf(self, *, header_template: str, footer_template: str,
                  margins: Mapping[str, str]) -> bytes:
        """The page printed by Chromium: A4, backgrounds, a header and a footer on every page
        (the templates' ``pageNumber``/``totalPages`` classes), tagged, with an outline."""
        data: bytes = await self.page.pdf(
            format="A4", print_background=True, display_header_footer=True,
            header_template=header_template, footer_template=footer_template,
            margin={"top": margins.get("top", "0"), "right": margins.get("right", "0"),
                    "bottom": margins.get("bottom", "0"), "left": margins.get("left", "0")},
            tagged=True, outline=True)
        return data

    async def throttle(self, *, download_bytes_per_s: float, upload_bytes_per_s: float,
                       latency_ms: float, cpu_slowdown: float) -> None:
        """Emulate a slow network and a slow CPU in this tab, through CDP (Chromium only).

        ``Network.emulateNetworkConditions`` adds ``latency_ms`` to every request and caps the
        throughput; ``Emulation.setCPUThrottlingRate`` slows the renderer's main thread by
        ``cpu_slowdown`` (4 = a cheap phone, as Lighthouse's mobile preset assumes).
        """
        cdp = await self.page.context.new_cdp_session(self.page)
        await cdp.send("Network.enable")
        await cdp.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": latency_ms,
            "downloadThroughput": download_bytes_per_s, "uploadThroughput": upload_bytes_per_s,
        })
        await cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu_slowdown})
        self._cdp = cdp

    async def close(self) -> None:
        with contextlib.suppress(PlaywrightError):
            await self.page.close()


@dataclass(frozen=True)
class FetchResult:
    status: int | None
    body: str
    error: str | None = None
    # The answer's Content-Type and Content-Disposition headers ("" when absent).
    content_type: str = ""
    disposition: str = ""


@dataclass(frozen=True)
class ContextOptions:
    mobile: bool = False
    width: int = 1366
    height: int = 900
    user_agent_suffix: str = ""


def _short_scratch_dir() -> Path:
    """A fresh folder with a short path: the system temp folder if its path is short, else /tmp."""
    base = tempfile.gettempdir()
    if len(base) > 40 and os.path.isdir("/tmp"):
        base = "/tmp"
    return Path(tempfile.mkdtemp(prefix="pe-chromium-", dir=base))


def _free_loopback_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the OS picks it; Chromium binds it moments later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class BrowserSession:
    """One shared Chromium for a whole evaluation; contexts are cheap, browsers are not.

    ``remote_debugging_port``: None (the default) opens no debugging port; 0 picks a free port on
    127.0.0.1; any other number is used as given. Lighthouse attaches to the same browser through
    it (ENVIRONMENT.md, "Sharing one browser"); ``debugging_port`` says which port it is.

    ``persistent``: launch with a persistent profile (``launch_persistent_context``), whose
    context is the browser's default context. Lighthouse opens its tab in the default context,
    so it sees that context's cookies only then (a page behind a login); ``default_context``
    is it. Other contexts (``new_context``) stay isolated either way.
    """

    def __init__(self, executable: str, extra_args: Sequence[str] = (), *,
                 remote_debugging_port: int | None = None, persistent: bool = False,
                 driver_env: Mapping[str, str] | None = None) -> None:
        self.executable = executable
        self.extra_args = tuple(extra_args)
        # Environment of Playwright's Node driver (driver_env_for): name mapping and CA trust
        # for the requests the driver makes itself.
        self.driver_env = dict(driver_env or {})
        self._requested_port = remote_debugging_port
        self._persistent = persistent
        self._default_context: BrowserContext | None = None
        self._debugging_port: int | None = None
        self.tmp_dir: Path | None = None
        self._pw: Playwright | None = None
        self._browser: Browser | None = None
        self.version: str = ""
        self.playwright_version: str = ""
        # Pop-up closing tasks: referenced until done, so none is garbage-collected mid-way.
        self._background: set[asyncio.Task[None]] = set()
        #: Pop-ups (window.open, target=_blank from a script) closed on sight, in all contexts.
        self.popups_closed = 0
        #: window.open calls refused in confined contexts (NO_POPUPS).
        self.popups_refused = 0
        #: Navigations refused by confine(): "<url> (from <page url>)", the first 200.
        self.blocked_navigations: list[str] = []
        self.blocked_navigation_count = 0
        # Every tab opened here, to hand a refused window.open to the tab that called it.
        self._tabs: weakref.WeakValueDictionary[int, Tab] = weakref.WeakValueDictionary()

    async def __aenter__(self) -> BrowserSession:
        # Chromium litters TMPDIR and ~/.config otherwise (ENVIRONMENT.md), so it gets a scratch
        # folder of its own, removed on exit. It must have a short path: Chromium puts its
        # SingletonSocket under TMPDIR, and a Unix socket path over 107 bytes makes the launch
        # fail with nothing but "browser has been closed" (seen with deep --out folders).
        self.tmp_dir = _short_scratch_dir()
        env = {**os.environ, "TMPDIR": str(self.tmp_dir), "HOME": str(self.tmp_dir),
               "XDG_CONFIG_HOME": str(self.tmp_dir / "config"),
               "XDG_CACHE_HOME": str(self.tmp_dir / "cache")}
        debugging: list[str] = []
        if self._requested_port is not None:
            self._debugging_port = self._requested_port or _free_loopback_port()
            # Loopback only: anyone who reaches this port controls the browser.
            debugging = [f"--remote-debugging-port={self._debugging_port}",
                         "--remote-debugging-address=127.0.0.1"]
        with _environ(self.driver_env):
            self._pw = await async_playwright().start()
        args = _merge_resolver_rules([*LAUNCH_FLAGS, *debugging, *self.extra_args])
        try:
            if self._persistent:
                self._default_context = await self._pw.chromium.launch_persistent_context(
                    str(self.tmp_dir / "profile"), executable_path=self.executable,
                    headless=True, args=args, env=env,  # type: ignore[arg-type]
                    accept_downloads=False, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                )
                self._default_context.on("page", self._on_new_page)
                self._browser = self._default_context.browser
                if self._browser is None:
                    raise BrowserCrashed("the persistent context has no browser")
            else:
                self._browser = await self._pw.chromium.launch(
                    executable_path=self.executable, headless=True,
                    args=args, env=env,  # type: ignore[arg-type]
                )
        except PlaywrightError as exc:
            await self._pw.stop()
            shutil.rmtree(self.tmp_dir, ignore_errors=True)
            raise BrowserCrashed(
                f"Chromium at {self.executable} did not start: {_one_line(exc)}"
            ) from None
        self.version = self._browser.version
        from importlib.metadata import version

        self.playwright_version = version("playwright")
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            if self._default_context is not None:
                await self._default_context.close()
            if self._browser is not None:
                await self._browser.close()
        except PlaywrightError:
            pass
        finally:
            if self._pw is not None:
                await self._pw.stop()
            if self.tmp_dir is not None:
                shutil.rmtree(self.tmp_dir, ignore_errors=True)

    @property
    def debugging_port(self) -> int | None:
        """The remote-debugging port on 127.0.0.1 once launched; None when none was asked for."""
        return self._debugging_port

    @property
    def default_context(self) -> BrowserContext | None:
        """The persistent (default) context Lighthouse runs in; None unless ``persistent``."""
        return self._default_context

    @property
    def connected(self) -> bool:
        return self._browser is not None and self._browser.is_connected()

    async def new_context(self, options: ContextOptions, user_agent: str) -> BrowserContext:
        if self._browser is None or not self._browser.is_connected():
            raise BrowserCrashed("the browser is no longer running")
        context = await self._browser.new_context(
            viewport={"width": options.width, "height": options.height},
            is_mobile=options.mobile, has_touch=options.mobile,
            device_scale_factor=1, user_agent=user_agent or None,
            accept_downloads=False, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
            service_workers="block",
        )
        # Pop-ups and window.open from a portal page would pile up: close them on sight.
        context.on("page", self._on_new_page)
        return context

    def _on_new_page(self, page: Page) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(self._close_popup(page))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        task.add_done_callback(_retrieve)

    async def _close_popup(self, page: Page) -> None:
        # The context's first page is ours (opened via new_page); later ones are portal pop-ups.
        with contextlib.suppress(PlaywrightError):
            if await page.opener() is not None:
                self.popups_closed += 1
                await page.close()

    def _refuse(self, url: str) -> None:
        self.blocked_navigation_count += 1
        if len(self.blocked_navigations) < 200:
            self.blocked_navigations.append(url[:500])

    async def confine(self, context: BrowserContext, allowed: Callable[[str], bool],
                      timeout_ms: float, enforcing: Callable[[], bool] = lambda: True) -> None:
        """Refuse every top-level navigation of ``context`` to a URL ``allowed`` rejects, and
        every ``window.open``.

        A portal page can send the browser away by script (``location = …``), meta refresh, a
        302 or ``window.open``; the crawl must never leave the allowed hosts (issue 7), so such
        a navigation request is aborted before it leaves the machine and recorded in
        ``blocked_navigations``. Playwright hands a route only a redirect chain's first request,
        so a top-level navigation is fetched here without following redirects, and a redirect
        off the allowed hosts is refused before the browser follows it. Sub-resources (scripts,
        images, fonts from a CDN) are not touched: they are part of the page a citizen loads
        and of its measured weight. window.open returns null (a popup's first request can
        escape a route: seen with 1 of 100 windows); pop-ups that still appear are closed.
        ``enforcing`` False lets navigations through untouched (the start page, before the
        crawl knows its scope); window.open is refused either way.
        """

        async def handle(route: Route) -> None:
            request = route.request
            try:
                top = request.is_navigation_request() and request.frame.parent_frame is None
            except PlaywrightError:
                top = False  # the frame is gone: no navigation to speak of
            if not top or not enforcing():
                with contextlib.suppress(PlaywrightError):
                    await route.continue_()
                return
            if not allowed(request.url):
                self._refuse(request.url)
                with contextlib.suppress(PlaywrightError):
                    await route.abort("blockedbyclient")
                return
            try:
                response = await route.fetch(max_redirects=0, timeout=timeout_ms)
            except PlaywrightError:
                with contextlib.suppress(PlaywrightError):
                    await route.abort("failed")
                return
            location = response.headers.get("location")
            if 300 <= response.status < 400 and location:
                target = urljoin(request.url, location)
                if not allowed(target):
                    self._refuse(target)
                    with contextlib.suppress(PlaywrightError):
                        await route.abort("blockedbyclient")
                    return
            with contextlib.suppress(PlaywrightError):
                await route.fulfill(response=response)

        def refused_popup(source: Any, url: Any) -> None:
            self.popups_refused += 1
            page = source.get("page") if isinstance(source, dict) else None
            for tab in list(self._tabs.values()):
                if tab.page is page and len(tab.refused_popups) < 50:
                    tab.refused_popups.append(str(url)[:2000])

        # A navigation answered by route.fulfill() has no remote address, so Chromium's Local
        # Network Access takes the document for a public one and refuses its requests to
        # private and loopback addresses ("Permission was denied … to access the `loopback`
        # address space"): a staging portal on 10.x loading its own scripts from 10.x, or the
        # fixtures' EMC stand-in, would lose them in the crawl though a citizen's browser,
        # which fetched the page itself, loads them. The permission restores what the page
        # would get unconfined.
        with contextlib.suppress(PlaywrightError):
            await context.grant_permissions(["local-network-access"])
        await context.expose_binding("__peRefusedPopup", refused_popup)
        await context.add_init_script(NO_POPUPS)
        await context.route("**/*", handle)

    async def close_context(self, context: BrowserContext) -> None:
        """Close ``context``; a context the browser already lost is closed enough."""
        with contextlib.suppress(PlaywrightError):
            await context.close()

    async def new_tab(self, context: BrowserContext, init_script: str = "") -> Tab:
        page = await context.new_page()
        script = DOM_WATCH + "\n" + init_script if init_script else DOM_WATCH
        await page.add_init_script(script)
        tab = Tab(page, init_script=script)
        self._tabs[id(tab)] = tab
        return tab

    async def default_user_agent(self) -> str:
        context = await self.new_context(ContextOptions(), "")
        try:
            page = await context.new_page()
            ua: str = await page.evaluate("navigator.userAgent")
            return ua.replace("HeadlessChrome", "Chrome")
        finally:
            await context.close()

    async def fetch(self, context: BrowserContext, url: str, timeout_ms: float,
                    max_bytes: int = 5_000_000) -> FetchResult:
        """GET a resource outside a page (robots.txt, sitemap.xml) with the context's stack."""
        try:
            response = await context.request.get(url, timeout=timeout_ms, max_redirects=5)
            body = await response.body()
            text = body[:max_bytes].decode("utf-8", errors="replace")
            status = response.status
            headers = response.headers
            await response.dispose()
            return FetchResult(status, text, None, headers.get("content-type", "")[:200],
                               headers.get("content-disposition", "")[:300])
        except PlaywrightError as exc:
            return FetchResult(None, "", _one_line(exc))


def _same_document(current: str, target: str) -> bool:
    """``target`` differs from ``current`` at most by its fragment (both http(s))."""
    if not current.startswith(("http:", "https:")):
        return False
    return urldefrag(current)[0] == urldefrag(target)[0]


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    return first[:300]
