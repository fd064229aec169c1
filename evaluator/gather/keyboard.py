"""The keyboard walk of a key template (issue 18 point 1): Tab through the page as a keyboard
user would and record, per stop, the element, its accessible name and whether its focus is
visible, measured, not guessed.

Read-only like every journey: the only keys ever pressed are Tab and Shift+Tab, which move the
focus and activate nothing (Enter and Space would: they are never pressed, nothing is clicked).
A page whose focus handler navigates is recorded as such and the walk ends there.

Only facts are recorded (KeyboardWalk); the keyboard-access check judges them. Everything read
from the page comes out of its own JavaScript realm and is coerced, never trusted (coerce.py).

How each finding is measured:

- focus visible (WCAG 2.4.7): before any Tab press, the computed outline, box-shadow, border,
  background, text-decoration and colour of the first ``CANDIDATES`` focusable elements in
  document order are recorded; at each stop the focused element's are read again and compared
  with its own record (or, for an element added since, with an unfocused element of the same
  tag and class). Browsers draw their default ring as an outline, so a page that leaves it
  alone passes; ``outline: none`` with nothing in its place does not. A ring that fades in
  (a CSS transition) is read again once its transition is over, 600 ms at most.
- trap (WCAG 2.1.2): focus comes back to an element already visited (not the first stop, which
  is a completed round) and then stays among the elements of that loop for ``TRAP_PRESSES``
  presses in a row while the page has focusable elements outside it.
- unreachable (WCAG 2.1.1): what a mouse can click (an onclick, role=button/link/menuitem, or a
  pointer cursor of its own, i.e. one its parent does not have) that is shown and cannot take
  focus (tabIndex < 0), with no focusable element inside or around it.
- order (WCAG 2.4.3): each stop says whether it comes before the previous stop in document
  order; its box says how far up the page it is (the check weighs the two).
- tabindex > 0: the attribute as written, per stop.
- skip link (WCAG 2.4.1): a same-page link ("#…") among the first 3 stops, and whether its
  target exists.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urldefrag

from evaluator.browser import Tab
from evaluator.evidence import KeyboardStop, KeyboardWalk
from evaluator.gather import coerce, scripts
from evaluator.gather.journeys import JourneyLimits, open_settled

log = logging.getLogger(__name__)

# The templates a citizen's key journey passes through that the issue names for the walk
# (home, catalogue, a service, search results, status lookup); the FAQ is not among them.
KEYBOARD_ROLES = ("home", "catalogue", "service", "search_results", "status_lookup")

# Focusable elements whose unfocused style is recorded before the walk, in document order:
# more than the walk's presses (80), so every stop it can reach has its record.
CANDIDATES = 400
# Presses in a row among the elements of one loop that make a trap: a date picker or a menu
# that cycles through its own 3-7 items has gone round it at least once by then, and a page
# whose widget hands focus on does so within a press or two (WCAG 2.1.2 asks that focus can
# leave "using only an interface", i.e. with Tab as any keyboard user would press it).
TRAP_PRESSES = 10
# Shift+Tab presses after the walk: enough to show that focus moves back, no more.
REVERSE_PRESSES = 3
# Skip link: a same-page link among the first stops; WCAG technique G1 puts it first, and a
# "Trang chủ" logo or a language switch may come before it in real headers.
SKIP_LINK_STOPS = 3
# How long the end of a walk waits for the request of a navigation its last press began.
NAVIGATION_GRACE_S = 0.1
# ... and how long a walk that navigated waits for the new document before its tab may close.
NAVIGATION_WAIT_MS = 10_000
# Mouse-only elements kept in the evidence (they are all counted).
UNREACHABLE_KEPT = 30


@dataclass(frozen=True)
class KeyboardLimits:
    max_presses: int = 80
    timeout_ms: float = 30_000
    settle_quiet_ms: int = 300
    settle_cap_ms: int = 5000


# The helpers shared by both scripts: the walk's state lives in one non-enumerable property of
# the page's window, so the element records survive between evaluate() calls.
_HELPERS = r"""
  const KEY = '__peKeyboardWalk';
  const clip = (s, n) => (s || '').replace(/\s+/g, ' ').trim().slice(0, n);
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width <= 0 || r.height <= 0) return false;
    const st = getComputedStyle(el);
    return st.visibility !== 'hidden' && st.display !== 'none';
  };
  const pathOf = (el) => {
    const parts = [];
    for (let n = el; n && n.nodeType === 1 && n !== document.documentElement; n = n.parentElement) {
      let i = 1;
      for (let s = n.previousElementSibling; s; s = s.previousElementSibling)
        if (s.tagName === n.tagName) i++;
      const id = n.id && /^[A-Za-z][\w-]*$/.test(n.id) ? '#' + n.id : '';
      parts.unshift(id ? `${n.tagName.toLowerCase()}${id}` : `${n.tagName.toLowerCase()}:nth-of-type(${i})`);
      if (id) break;
    }
    return parts.join(' > ');
  };
  const nameOf = (el) => {
    const by = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean)
      .map((id) => { const n = document.getElementById(id); return n ? n.textContent : ''; }).join(' ');
    let labelled = '';
    if (el.labels && el.labels.length) labelled = [...el.labels].map((l) => l.innerText).join(' ');
    const img = el.querySelector ? el.querySelector('img[alt]') : null;
    return clip(el.getAttribute('aria-label') || by || labelled || el.innerText ||
      (el.tagName === 'INPUT' && ['button', 'submit', 'reset'].includes(el.type) ? el.value : '') ||
      el.getAttribute('alt') || (img ? img.alt : '') || el.title || el.getAttribute('placeholder') ||
      '', 120);
  };
  const FOCUSABLE = 'a[href], area[href], button, input, select, textarea, iframe, summary, ' +
      '[tabindex], [contenteditable=""], [contenteditable="true"], audio[controls], video[controls]';
  const focusable = (el) => el.tabIndex >= 0 && !el.disabled &&
      !(el.tagName === 'INPUT' && el.type === 'hidden') && shown(el);
  // The style a focus indicator changes; an outline or a border that is not drawn is 'none'
  // whatever its width and colour say.
  const look = (el) => {
    const st = getComputedStyle(el);
    const side = (s) => {
      const style = st.getPropertyValue(`border-${s}-style`);
      const width = st.getPropertyValue(`border-${s}-width`);
      return style === 'none' || style === 'hidden' || parseFloat(width) === 0 ? 'none'
        : `${style} ${width} ${st.getPropertyValue(`border-${s}-color`)}`;
    };
    return {
      'outline': st.outlineStyle === 'none' || parseFloat(st.outlineWidth) === 0 ? 'none'
        : `${st.outlineStyle} ${st.outlineWidth} ${st.outlineColor} ${st.outlineOffset}`,
      'box-shadow': st.boxShadow,
      'border': ['top', 'right', 'bottom', 'left'].map(side).join(' | '),
      'background': `${st.backgroundColor} ${st.backgroundImage}`,
      'text-decoration': `${st.textDecorationLine} ${st.textDecorationColor}`,
      'color': st.color,
    };
  };
  const TRANSITION_CAP_MS = 600;
  const kindOf = (el) => `${el.tagName} ${typeof el.className === 'string' ? el.className : ''}`;
"""

# Before the first press: record the unfocused look of the focusable elements and find what a
# mouse can click and the keyboard cannot reach.
PREPARE = r"""
([candidates, unreachableKept]) => {
""" + _HELPERS + scripts.CLICKABLE_CANDIDATES + r"""
  const state = {looks: new Map(), kinds: new Map(), ids: new Map(), prev: null, next: 1};
  Object.defineProperty(window, KEY, {value: state, configurable: true, enumerable: false});
  const all = [...document.querySelectorAll(FOCUSABLE)].filter(focusable);
  const active = document.activeElement;
  for (const el of all.slice(0, candidates)) {
    if (el === active) continue;  // already focused (autofocus): its unfocused look is unknown
    const l = look(el);
    state.looks.set(el, l);
    const kind = kindOf(el);
    if (!state.kinds.has(kind)) state.kinds.set(kind, l);
  }
  const SEL = '[onclick], [role=button], [role=link], [role=menuitem], [role=tab], [role=option]';
  const candidatesMouse = clickableCandidates(SEL).all;
  const unreachable = [];
  let count = 0;
  for (const el of candidatesMouse) {
    const tag = el.tagName.toLowerCase();
    if (['body', 'html', 'label', 'option'].includes(tag)) continue;
    if (el.tabIndex >= 0 || el.disabled || !shown(el)) continue;
    // A focusable ancestor or descendant is the keyboard's way to the same action (a <li
    // onclick> around its link, a <span> inside a button).
    const around = el.parentElement && el.parentElement.closest(FOCUSABLE);
    if (around && focusable(around)) continue;
    if ([...el.querySelectorAll(FOCUSABLE)].some(focusable)) continue;
    // A roving tabindex (WAI-ARIA APG: tabs, menus, listboxes, toolbars): one member takes Tab,
    // the arrow keys move among the rest, so a member with tabindex=-1 is reachable.
    const group = el.closest('[role=tablist], [role=menu], [role=menubar], [role=listbox], ' +
      '[role=radiogroup], [role=tree], [role=grid], [role=toolbar]');
    if (group && [...group.querySelectorAll(FOCUSABLE)].some(focusable)) continue;
    if (!clip(el.innerText, 2) && !el.querySelector('img, svg') && !el.getAttribute('aria-label')
        && !el.title) continue;
    count++;
    if (unreachable.length < unreachableKept) {
      const r = el.getBoundingClientRect();
      unreachable.push({tag, role: el.getAttribute('role') || '', name: nameOf(el),
        path: pathOf(el), x: r.left + scrollX, y: r.top + scrollY, width: r.width,
        height: r.height, how: el.hasAttribute('onclick') ? 'onclick'
          : el.getAttribute('role') ? 'role' : 'pointer'});
    }
  }
  return {focusable: all.length, unreachable, unreachable_count: count};
}
"""

# After each press: where the focus is.
STOP = r"""
async () => {
""" + _HELPERS + r"""
  const state = window[KEY];
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  // No state: another document has replaced the walked one (a focus handler navigated).
  if (!state) return {none: true, lost: true};
  if (!el || el === document.body || el === document.documentElement) return {none: true};
  if (!state.ids.has(el)) state.ids.set(el, state.next++);
  const before = !!state.prev && state.prev !== el && state.prev.isConnected &&
    !!(el.compareDocumentPosition(state.prev) & Node.DOCUMENT_POSITION_FOLLOWING);
  state.prev = el;
  let visible = null;
  const change = [];
  if (el.tagName !== 'IFRAME') {
    const base = state.looks.get(el) || state.kinds.get(kindOf(el));
    if (base) {
      const differ = () => { const now = look(el);
        return Object.keys(now).filter((k) => now[k] !== base[k]); };
      change.push(...differ());
      if (!change.length) {
        // A ring that fades in (transition: box-shadow .15s) reads as its unfocused value at
        // first: read again once the longest transition is over (capped).
        const st = getComputedStyle(el);
        const secs = (v) => v.split(',').map((x) => parseFloat(x) * (/ms\s*$/.test(x) ? 0.001 : 1) || 0);
        const dur = secs(st.transitionDuration), delay = secs(st.transitionDelay);
        const longest = Math.max(0, ...dur.map((d, i) => d + (delay[i % delay.length] || 0)));
        if (longest > 0) {
          await new Promise((r) => setTimeout(r, Math.min(longest * 1000 + 20, TRANSITION_CAP_MS)));
          change.push(...differ());
        }
      }
      visible = change.length > 0;
    }
  }
  const r = el.getBoundingClientRect();
  const ti = el.getAttribute('tabindex');
  const dialog = el.closest('[aria-modal="true"], dialog[open]');
  return {id: state.ids.get(el), tag: el.tagName.toLowerCase(), role: el.getAttribute('role') || '',
    name: nameOf(el), path: pathOf(el), x: r.left + scrollX, y: r.top + scrollY, width: r.width,
    height: r.height, tabindex: ti === null || ti.trim() === '' || isNaN(+ti) ? null : parseInt(ti, 10),
    before_previous: before, focus_visible: visible, focus_change: change, in_dialog: !!dialog,
    href: el.tagName === 'A' ? (el.getAttribute('href') || '') : ''};
}
"""

# Whether a same-page link's target exists (an id, or a named anchor).
SKIP_TARGET = r"""
(href) => {
  let id = '';
  try { id = decodeURIComponent(href.slice(1)); } catch (e) { id = href.slice(1); }
  return !!(document.getElementById(id) || document.getElementsByName(id).length);
}
"""


def _num(value: Any) -> float | None:
    """A finite number (negative too: a skip link waits off-screen at left: -9999px)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return round(float(value), 1)


def _stop(raw: dict[str, Any]) -> KeyboardStop:
    visible = raw.get("focus_visible")
    return KeyboardStop(
        tag=coerce.text(raw.get("tag"), 40), role=coerce.text(raw.get("role"), 40),
        name=coerce.text(raw.get("name"), 120), path=coerce.text(raw.get("path"), 300),
        x=_num(raw.get("x")), y=_num(raw.get("y")), width=_num(raw.get("width")),
        height=_num(raw.get("height")), tabindex=coerce.int_or_none(raw.get("tabindex")),
        before_previous=raw.get("before_previous") is True,
        focus_visible=visible if isinstance(visible, bool) else None,
        focus_change=coerce.texts(raw.get("focus_change"), 6, 20),
    )


def _same_document(a: str, b: str) -> bool:
    return urldefrag(a)[0] == urldefrag(b)[0]


async def keyboard_walk(tab: Tab, url: str, limits: KeyboardLimits, role: str = "") -> KeyboardWalk:
    """Load ``url`` in ``tab`` and walk it with Tab (then Shift+Tab); never raises."""
    started = time.monotonic()
    walk = KeyboardWalk(role=role, url=url, max_presses=limits.max_presses)
    try:
        walk = await _walk(tab, url, limits, walk)
    except Exception as exc:
        log.warning("keyboard walk of %s (%s) failed: %s", role, url, coerce.one_line(exc))
        walk = walk.model_copy(update={
            "ended": "error", "error": f"{type(exc).__name__}: {coerce.one_line(exc)}"})
    return walk.model_copy(update={"elapsed_s": round(time.monotonic() - started, 2)})


async def _walk(tab: Tab, url: str, limits: KeyboardLimits, walk: KeyboardWalk) -> KeyboardWalk:
    nav = await open_settled(tab, url, JourneyLimits(
        timeout_ms=limits.timeout_ms, settle_quiet_ms=limits.settle_quiet_ms,
        settle_cap_ms=limits.settle_cap_ms))
    if nav.error is not None:
        return walk.model_copy(update={"final_url": nav.final_url, "ended": "error",
                                       "error": nav.error})
    page_url = tab.page.url
    # A navigation a focus handler starts is known by its request before the new document
    # replaces the page (by then the old one may already read as focus on <body>).
    leaving: list[str] = []

    def on_request(request: Any) -> None:
        with contextlib.suppress(Exception):
            if (request.is_navigation_request() and request.frame == tab.page.main_frame
                    and not _same_document(request.url, page_url)):
                leaving.append(request.url)

    tab.page.on("request", on_request)
    try:
        walked = await _presses(tab, limits, walk, nav.final_url, page_url, leaving)
    finally:
        tab.page.remove_listener("request", on_request)
    if walked.navigated_to is not None:
        # Closing a page whose navigation is under way hung Chromium's page.close() in 2 of 8
        # runs (the fixture's onfocus navigation): let the new document load first (it is
        # never read), bounded.
        with contextlib.suppress(Exception):
            await tab.page.wait_for_url(lambda u: not _same_document(u, page_url),
                                        wait_until="load",
                                        timeout=min(limits.timeout_ms, NAVIGATION_WAIT_MS))
    return walked


async def _presses(tab: Tab, limits: KeyboardLimits, walk: KeyboardWalk, final_url: str,
                   page_url: str, leaving: list[str]) -> KeyboardWalk:
    prepared = await tab.evaluate(PREPARE, [CANDIDATES, UNREACHABLE_KEPT])
    if not isinstance(prepared, dict):
        prepared = {}
    unreachable = [_stop(u) for u in list(prepared.get("unreachable") or [])[:UNREACHABLE_KEPT]
                   if isinstance(u, dict)]
    focusable = coerce.int_or_none(prepared.get("focusable")) or 0
    facts: dict[str, Any] = {
        "final_url": final_url, "focusable": focusable, "unreachable": unreachable,
        "unreachable_count": max(coerce.int_or_none(prepared.get("unreachable_count")) or 0,
                                 len(unreachable)),
    }
    stops: list[KeyboardStop] = []
    ids: list[int] = []
    hrefs: list[str] = []
    dialogs: list[bool] = []
    loop: set[int] | None = None   # the elements of a loop focus came back into
    in_loop = 0
    presses = 0
    ended = "cap"
    last: int | None = None
    while presses < limits.max_presses:
        presses += 1
        await tab.page.keyboard.press("Tab")
        if leaving or not _same_document(tab.page.url, page_url):
            facts["navigated_to"] = (leaving[0] if leaving else tab.page.url)[:2000]
            ended = "navigated"
            break
        try:
            raw = await tab.evaluate(STOP)
        except Exception:
            if not _same_document(tab.page.url, page_url):
                facts["navigated_to"] = tab.page.url[:2000]
                ended = "navigated"
                break
            raise
        if isinstance(raw, dict) and raw.get("lost"):
            facts["navigated_to"] = tab.page.url[:2000]
            ended = "navigated"
            break
        if not isinstance(raw, dict) or raw.get("none"):
            # Focus left the document after its last element: Shift+Tab starts from outside.
            ended, last = ("cycle" if stops else "no_focus"), None
            break
        ident = coerce.int_or_none(raw.get("id"))
        if ident is None:
            continue
        last = ident
        if ids and ident == ids[0]:
            ended = "cycle"
            break
        if ident in ids:
            if loop is None or ident not in loop:
                # Back to an element seen before: the loop is what was visited since.
                loop = set(ids[ids.index(ident):])
                in_loop = 0
            in_loop += 1
            if in_loop >= TRAP_PRESSES and focusable > len(loop):
                ended = "trap"
                members = [i for i in ids if i in loop]
                facts["trap"] = [stops[ids.index(i)].path for i in members][:20]
                facts["trap_presses"] = in_loop
                facts["trap_in_dialog"] = all(dialogs[ids.index(i)] for i in members)
                break
            continue
        loop, in_loop = None, 0
        ids.append(ident)
        stops.append(_stop(raw))
        hrefs.append(coerce.text(raw.get("href"), 500))
        dialogs.append(raw.get("in_dialog") is True)
    if ended != "navigated":
        # The request of a navigation begun by the last press may still be on its way.
        await asyncio.sleep(NAVIGATION_GRACE_S)
        if leaving:
            facts["navigated_to"] = leaving[0][:2000]
            ended = "navigated"
    facts.update(stops=stops, presses=presses, ended=ended)
    for stop, href in list(zip(stops, hrefs, strict=True))[:SKIP_LINK_STOPS]:
        # "#/…" and "#!…" are a single-page app's routes, not places in this page.
        if stop.tag == "a" and href.startswith("#") and len(href) > 1 \
                and not href.startswith(("#/", "#!")):
            facts["skip_link"] = href[:200]
            # Asked of the walked document only (another one may have replaced it).
            facts["skip_target_exists"] = (None if ended == "navigated"
                                           else await tab.evaluate(SKIP_TARGET, href) is True)
            break
    if ended in ("cycle", "cap") and stops:
        reverse, moved = 0, 0
        for _ in range(REVERSE_PRESSES):
            reverse += 1
            await tab.page.keyboard.press("Shift+Tab")
            if leaving or not _same_document(tab.page.url, page_url):
                facts["navigated_to"] = (leaving[0] if leaving else tab.page.url)[:2000]
                break
            raw = await tab.evaluate(STOP)
            now = coerce.int_or_none(raw.get("id")) if isinstance(raw, dict) else None
            if now is not None and now != last:
                moved += 1
            last = now
        facts.update(reverse_presses=reverse, reverse_moved=moved)
    # Validated whole (model_copy would not check the facts' types).
    return KeyboardWalk.model_validate({**walk.model_dump(), **facts})
