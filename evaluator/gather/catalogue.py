"""The catalogue walked through its pager (issue 16): what the crawl alone cannot reach.

Catalogues hold 1,000-2,000 procedures (CONFIG-FACTS.md §6) and are often paged by buttons
that refill the list in place by AJAX ("Trang sau ›" calling loadPage(3)), with no address a
crawler could follow. The walk opens the catalogue, reads its list once settled, presses the
pager's "next" control (found by the vocabulary's ``pager_next_labels``, else by the next page
number), and reads again, until there is no next control, the list stops changing, or
``catalogue_walk_max_pages``. A pager made of plain links the crawl already follows is left to
the crawl. Paging is a read: the page's own scripts may read the next list from their own
origin (often by POST); the walk presses nothing but the pager.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from evaluator.browser import ActionResult, Tab
from evaluator.criteria.schema import Vocabulary
from evaluator.derived import EvidenceView
from evaluator.evidence import CatalogueWalk, Link, ListingPage
from evaluator.gather import coerce, scripts
from evaluator.gather.journeys import JourneyLimits
from evaluator.gather.page import LIMITS, one_line, settle_evidence
from evaluator.textnorm import contains_word_phrase, fold

NewTab = Callable[[], Awaitable[Tab]]
# Links kept per list page: a page of 20-50 rows, with room for filters and tags.
MAX_LINKS_PER_PAGE = 200
LISTING_TEXT_CHARS = 3000
# "Có 1.200 thủ tục", "Tổng số: 1200 thủ tục hành chính", "Tìm thấy 1,200 kết quả".
_STATED_TOTAL = re.compile(
    r"(?:co|tong so|tong cong|tim thay|hien co)\s*:?\s*(\d{1,3}(?:[.,\s]\d{3})+|\d+)\s*"
    r"(?:thu tuc|dich vu|ket qua|tthc|ban ghi|ho so)")


@dataclass(frozen=True)
class PagerControl:
    path: str
    name: str
    href: str
    disabled: bool
    current: bool


def stated_total(text: str) -> int | None:
    """The total a catalogue states of itself, or None."""
    match = _STATED_TOTAL.search(fold(text))
    if match is None:
        return None
    digits = re.sub(r"\D", "", match.group(1))
    return int(digits) if digits and len(digits) <= 7 else None


def pager_controls(raw: Any) -> list[PagerControl]:
    out: list[PagerControl] = []
    if not isinstance(raw, list):
        return out
    for item in raw[:400]:
        if not isinstance(item, dict):
            continue
        path = coerce.text(item.get("path"), 2000)
        if path:
            out.append(PagerControl(path, coerce.text(item.get("name"), 20),
                                    coerce.text(item.get("href"), 2000),
                                    item.get("disabled") is True, item.get("current") is True))
    return out


def next_control(controls: list[PagerControl], labels: list[str], number: int,
                 side_effect_words: list[str]) -> PagerControl | None:
    """The control to the list's page ``number + 1``: by its name (the labels in their order:
    "Trang sau" before "›" before "»", which some pagers use for the last page), else the
    control named with that number."""
    usable = [c for c in controls if not c.disabled and not c.current
              and contains_word_phrase(c.name, side_effect_words) is None]
    for label in labels:
        for control in usable:
            if contains_word_phrase(control.name, [label]) is not None:
                return control
    wanted = str(number + 1)
    return next((c for c in usable if c.name.strip() == wanted), None)


def _listing_links(view: EvidenceView, links: list[Link]) -> list[Link]:
    return [ln for ln in view.content_links(links=links) if ln.text.strip()][:MAX_LINKS_PER_PAGE]


async def _read(tab: Tab) -> dict[str, Any]:
    data = await tab.evaluate(scripts.EXTRACT_PAGE, LIMITS)
    return data if isinstance(data, dict) else {}


async def _click_pager(tab: Tab, control: PagerControl, vocab: Vocabulary, number: int,
                       limits: JourneyLimits) -> ActionResult:
    """Click the pager's control to the list's page ``number + 1``, found again by its name just
    before: a control is addressed by its position in the document, and a notice a portal
    inserts above the list after it has looked settled (kieu-spa's maintenance banner, 400 ms
    after its first view) moves every position. If the click finds nothing where the control
    was, the controls are read once more and the click tried once again."""
    result: ActionResult | None = None
    for _attempt in range(2):
        fresh = next_control(pager_controls(await tab.evaluate(scripts.PAGER_CONTROLS)),
                             vocab.pager_next_labels, number, vocab.side_effect_words)
        if fresh is not None and fresh.name == control.name:
            control = fresh
        result = await tab.click(control.path, limits.timeout_ms, f"pager: {control.name}")
        if result.nav.error is None or result.answered != "none":
            break
    assert result is not None
    return result


async def _settled_again(tab: Tab, limits: JourneyLimits) -> bool:
    """Wait one quiet period, then until the page settles again (bounded by the cap); False
    when the tab can no longer be read.

    Not made redundant by Tab._acted_at (settling counts the quiet from the last action): a
    pager script busy for longer than the quiet before it sends its request still looks
    settled, and the first look follows a load, not an action. The script-portal test's pager
    (450 ms on page 3, quiet 300 ms) stops at page 2 without it."""
    try:
        await asyncio.sleep(limits.settle_quiet_ms / 1000)
        await tab.settle_until_quiet(limits.settle_quiet_ms, limits.settle_cap_ms)
    except Exception:
        return False
    return True


async def walk_catalogue(view: EvidenceView, new_tab: NewTab, vocab: Vocabulary,
                         limits: JourneyLimits, max_pages: int,
                         budget_s: float) -> CatalogueWalk | None:
    """The catalogue's list pages through its pager; None when there is no catalogue, no
    pager, or a pager of links the crawl follows itself. No page is started after
    ``budget_s``: the pages read so far are kept."""
    deadline = time.monotonic() + budget_s
    catalogue = view.catalogue_page
    if catalogue is None or max_pages < 2:
        return None
    url = catalogue.final_url
    tab = await new_tab()
    pages: list[ListingPage] = []
    control_name = ""
    total: int | None = None
    try:
        nav = await tab.goto(url, limits.timeout_ms)
        if nav.error is not None:
            return CatalogueWalk(url=url, error=f"catalogue page: {nav.error}")
        settled = settle_evidence(await tab.settle_until_quiet(limits.settle_quiet_ms,
                                                               limits.settle_cap_ms))
        data = await _read(tab)
        text = coerce.text(data.get("text"), LIMITS["text"])
        total = stated_total(text)
        links = _listing_links(view, coerce.links_from(data.get("links"), LIMITS["links"]))
        pages.append(ListingPage(number=1, url=tab.page.url, links=links,
                                 text=text[:LISTING_TEXT_CHARS], settle=settled))
        nxt = next_control(pager_controls(await tab.evaluate(scripts.PAGER_CONTROLS)),
                           vocab.pager_next_labels, 1, vocab.side_effect_words)
        if nxt is None:
            # Looked at once more after a quiet period: a script-built list whose script had not
            # yet started its request when the page first looked settled (a busy machine).
            if await _settled_again(tab, limits):
                data = await _read(tab)
                text = coerce.text(data.get("text"), LIMITS["text"])
                total = stated_total(text)
                links = _listing_links(view, coerce.links_from(data.get("links"),
                                                               LIMITS["links"]))
                pages[0] = ListingPage(number=1, url=tab.page.url, links=links,
                                       text=text[:LISTING_TEXT_CHARS], settle=settled)
                nxt = next_control(pager_controls(await tab.evaluate(scripts.PAGER_CONTROLS)),
                                   vocab.pager_next_labels, 1, vocab.side_effect_words)
            if nxt is None:
                return None
        if nxt.href and view.page(nxt.href) is not None:
            return None  # a pager of plain links, already followed by the crawl
        control_name = nxt.name
        stopped = f"the cap of {max_pages} list pages (catalogue_walk_max_pages)"
        seen = {frozenset(ln.href for ln in links)}
        for number in range(2, max_pages + 1):
            if time.monotonic() >= deadline:
                stopped = f"the walk's time budget ({budget_s:g} s) after page {number - 1}"
                break
            result = await _click_pager(tab, nxt, vocab, number - 1, limits)
            if result.nav.error is not None:
                stopped = f"page {number}: {result.nav.error}"
                break
            settled = settle_evidence(await tab.settle_until_quiet(limits.settle_quiet_ms,
                                                                   limits.settle_cap_ms))
            data = await _read(tab)
            links = _listing_links(view, coerce.links_from(data.get("links"), LIMITS["links"]))
            signature = frozenset(ln.href for ln in links)
            if (not signature or signature in seen) and await _settled_again(tab, limits):
                # Once more after a quiet period before concluding the list stayed as it was:
                # the page's script may not have started its request when the page first
                # looked settled.
                data = await _read(tab)
                links = _listing_links(view, coerce.links_from(data.get("links"),
                                                               LIMITS["links"]))
                signature = frozenset(ln.href for ln in links)
            if not signature or signature in seen:
                stopped = f"the list did not change after page {number - 1}"
                break
            seen.add(signature)
            pages.append(ListingPage(
                number=number, url=tab.page.url, links=links,
                text=coerce.text(data.get("text"), LISTING_TEXT_CHARS), settle=settled))
            nxt = next_control(pager_controls(await tab.evaluate(scripts.PAGER_CONTROLS)),
                               vocab.pager_next_labels, number, vocab.side_effect_words)
            if nxt is None:
                stopped = f"no next-page control after page {number}"
                break
        return CatalogueWalk(url=url, control=control_name, pages=pages, stopped=stopped,
                             stated_total=total)
    except Exception as exc:
        return CatalogueWalk(url=url, control=control_name, pages=pages, stated_total=total,
                             stopped="an error ended the walk", error=one_line(exc))
    finally:
        await tab.close()
