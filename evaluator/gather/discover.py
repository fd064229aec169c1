"""Where the clickable elements that are not links lead (issue 16): buttons, onclick elements,
role=link/button, router links, and elements a script made clickable.

Real portals navigate with ``<button onclick="goToPage('dvc-….html')">``, ``<div onclick>``,
jQuery-bound list items and an SPA's router; a crawler of ``<a href>`` alone sees a homepage of
news and banners. Each such element is activated once, in its crawl tab *sealed* (Tab.sealed):
a new document it asks for is answered by the evaluator with 204 (the browser stays on the
page and nothing reaches the portal), a route change is read from the address bar, a
window.open from the refused-pop-up hook, and every request other than GET and HEAD is aborted.
An element whose name, id, class or onclick holds a side-effect word (vocabulary.yaml
``side_effect_words``: nộp, gửi, đăng ký, thanh toán, xóa, hủy, đăng xuất…) is never activated
and nothing it names is requested: where it leads is read from the URL its onclick navigates
to, recorded as "script" and never crawled. An element past the per-page cap is read the same
way.

What an element led to is remembered for the crawl (the site's frame repeats on every page), so
a menu of twelve buttons costs twelve clicks per crawl, not per page.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from evaluator.browser import Tab
from evaluator.evidence import Discovery, Link
from evaluator.gather import coerce, scripts
from evaluator.gather.coerce import one_line
from evaluator.textnorm import contains_word_phrase, fold

log = logging.getLogger(__name__)

# How long a route change is given to come back (history.back) before the page is reloaded.
RESTORE_WAIT_MS = 1500
POLL_MS = 25


@dataclass(frozen=True)
class DiscoveryLimits:
    max_per_page: int = 40
    click_wait_ms: int = 400
    budget_s: float = 20.0
    settle_quiet_ms: int = 300
    settle_cap_ms: int = 5000
    nav_timeout_ms: float = 30_000


@dataclass(frozen=True)
class Candidate:
    path: str
    name: str
    region: str
    element: str
    onclick: str
    # The onclick without the address it navigates to: what the handler does.
    code: str
    ident: str
    context: str
    literal: str

    def key(self, page_url: str) -> tuple[str, ...]:
        """Same element, same place: same name, markup and handler, and, for a handler that
        names a relative address, the same folder (it resolves against the page)."""
        folder = page_url.rsplit("/", 1)[0] if self.literal or self.onclick else ""
        return (self.element, self.name, self.onclick, self.ident, self.region, folder)


@dataclass(frozen=True)
class Found:
    href: str
    via: Literal["click", "route", "popup", "script"]


@dataclass
class DiscoveryMemory:
    """What elements led to, for one crawl (shared by its tabs). ``None``: led nowhere."""

    results: dict[tuple[str, ...], Found | None] = field(default_factory=dict)


def _joined(text: str) -> str:
    """Folded, letters and digits only: "guiPhanAnh", "btn-xoa", "nop_ho_so" → one run."""
    return "".join(ch for ch in fold(text) if ch.isalnum())


def side_effect_word(candidate: Candidate, words: list[str]) -> str | None:
    """The side-effect word an element is named or coded with, or None.

    Its visible name is matched as whole words ("gửi" is not in "người"); its id, classes,
    data attributes and onclick handler as identifiers, where words run together
    ("guiPhanAnh", "btnXoa"). The address a handler navigates to is left out
    ("goToPage('pakn-gui-pakn.html')" goes to the feedback page: the sealed tab answers that
    navigation itself, nothing is sent). The identifier match may refuse a harmless element
    ("guide" holds "gui"): refusing costs a link, activating a "Gửi" would cost the portal a
    submission."""
    hit = contains_word_phrase(candidate.name, words)
    if hit is not None:
        return hit
    code = _joined(f"{candidate.ident} {candidate.code}")
    for word in words:
        joined = _joined(word)
        if len(joined) >= 3 and joined in code:
            return word
    return None


def _candidates(raw: Any, limit: int) -> list[Candidate]:
    out: list[Candidate] = []
    if not isinstance(raw, list):
        return out
    for item in raw[: limit * 2]:
        if not isinstance(item, dict):
            continue
        path = coerce.text(item.get("path"), 2000)
        if not path:
            continue
        out.append(Candidate(
            path=path, name=coerce.text(item.get("name"), 200),
            region=coerce.text(item.get("region"), 20) or "other",
            element=coerce.text(item.get("element"), 60),
            onclick=coerce.text(item.get("onclick"), 300),
            code=coerce.text(item.get("code"), 300),
            ident=coerce.text(item.get("ident"), 200),
            context=coerce.text(item.get("context"), 300),
            literal=coerce.text(item.get("literal"), 2000)))
    return out


def _web(url: str) -> bool:
    try:
        return urlsplit(url).scheme in ("http", "https")
    except ValueError:
        return False


class Discoverer:
    """Discovery for one crawl: the vocabulary's side-effect words, the limits, the memory."""

    def __init__(self, side_effect_words: list[str], limits: DiscoveryLimits) -> None:
        self.words = side_effect_words
        self.limits = limits
        self.memory = DiscoveryMemory()

    async def discover(self, tab: Tab, page_url: str) -> tuple[list[Link], Discovery]:
        """Links found behind the page's clickables, and what was done; never raises (a page
        that breaks discovery keeps its other evidence, with the reason in ``error``)."""
        report = Discovery()
        links: list[Link] = []
        try:
            raw = await tab.evaluate(scripts.CLICKABLES, self.limits.max_per_page)
        except Exception as exc:
            return links, report.model_copy(update={"error": f"unreadable: {one_line(exc)}"})
        candidates = _candidates(raw, self.limits.max_per_page)
        counts = {"activated": 0, "led": 0, "remembered": 0, "capped": 0}
        side_effect: list[str] = []
        to_click: list[Candidate] = []
        to_read: list[Candidate] = []
        for cand in candidates:
            key = cand.key(page_url)
            if key in self.memory.results:
                counts["remembered"] += 1
                found = self.memory.results[key]
                if found is not None:
                    links.append(self._link(cand, found))
                continue
            if side_effect_word(cand, self.words) is not None:
                side_effect.append(cand.name or cand.ident or cand.element)
                to_read.append(cand)
            elif len(to_click) < self.limits.max_per_page:
                to_click.append(cand)
            else:
                counts["capped"] += 1
                to_read.append(cand)
        error: str | None = None
        blocked: list[str] = []
        blocked_count = 0
        deadline = time.monotonic() + self.limits.budget_s
        if to_click:
            try:
                async with tab.sealed() as seal:
                    for cand in to_click:
                        if time.monotonic() >= deadline:
                            counts["capped"] += 1
                            to_read.append(cand)
                            continue
                        clicked, found = await self._activate(tab, cand, seal.navigations)
                        if not clicked:
                            continue
                        counts["activated"] += 1
                        self.memory.results[cand.key(page_url)] = found
                        if found is not None:
                            counts["led"] += 1
                            links.append(self._link(cand, found))
                    blocked, blocked_count = list(seal.blocked), seal.blocked_count
            except Exception as exc:
                error = f"discovery stopped: {one_line(exc)}"
                log.warning("discovery on %s stopped: %s", page_url, one_line(exc))
        for cand in to_read:
            found = self._read_literal(cand)
            self.memory.results[cand.key(page_url)] = found
            if found is not None:
                links.append(self._link(cand, found))
        report = Discovery(
            candidates=len(candidates), activated=counts["activated"], led_somewhere=counts["led"],
            remembered=counts["remembered"], side_effect=side_effect[:20],
            side_effect_count=len(side_effect), capped=counts["capped"],
            blocked_requests=blocked, blocked_request_count=blocked_count, error=error)
        return _dedupe(links), report

    def _link(self, cand: Candidate, found: Found) -> Link:
        return Link(href=found.href, text=cand.name, context=cand.context, region=cand.region,
                    via=found.via, element=cand.element)

    @staticmethod
    def _read_literal(cand: Candidate) -> Found | None:
        """Where an element not activated leads, by the URL its onclick navigates to.

        Nothing is requested: the target of an element named for an act could be the act
        itself ("/xoa?id=5"). The link is kept as what the page's source says ("script"),
        for a role or a service a citizen sees named; the crawl does not follow it."""
        url = cand.literal
        return Found(url, "script") if url and _web(url) else None

    async def _activate(self, tab: Tab, cand: Candidate,
                        navigations: list[str]) -> tuple[bool, Found | None]:
        """(activated, where it led). Not activated: the element is gone or is no longer the
        one recorded (the page changed under the list)."""
        before_url = tab.page.url
        asked = len(navigations)
        opened = len(tab.refused_popups)
        state = await tab.evaluate(scripts.CLICK_ONE, [cand.path, cand.name])
        if state != "clicked":
            return False, None
        waited = 0.0
        while waited < self.limits.click_wait_ms:
            await asyncio.sleep(POLL_MS / 1000)
            waited += POLL_MS
            if len(navigations) > asked:
                target = navigations[asked]
                return True, Found(target, "click") if _web(target) else None
            if len(tab.refused_popups) > opened:
                # window.open's argument as the page wrote it: relative to the page.
                target = urljoin(tab.page.url, tab.refused_popups[opened])
                return True, Found(target, "popup") if _web(target) else None
            if tab.page.url != before_url:
                target = tab.page.url
                await self._restore(tab, before_url)
                return True, Found(target, "route") if _web(target) else None
        return True, None

    async def _restore(self, tab: Tab, url: str) -> None:
        """Back to ``url`` after a route change: the page's own history first (an SPA
        re-renders the view), a fresh load when that does not bring it back."""
        try:
            await tab.evaluate("() => history.back()")
        except Exception as exc:
            log.debug("history.back failed: %s", one_line(exc))
        waited = 0
        while tab.page.url != url and waited < RESTORE_WAIT_MS:
            await asyncio.sleep(POLL_MS / 1000)
            waited += POLL_MS
        if tab.page.url != url:
            await tab.goto(url, self.limits.nav_timeout_ms)
        await tab.settle_until_quiet(self.limits.settle_quiet_ms, self.limits.settle_cap_ms)


def _dedupe(links: list[Link]) -> list[Link]:
    seen: set[tuple[str, str]] = set()
    out = []
    for link in links:
        key = (link.href, link.text)
        if key not in seen:
            seen.add(key)
            out.append(link)
    return out
