"""Read-only journeys: the portal's own search and status lookup, nothing else.

Politeness and safety: these are the only places portal-eval ever submits a form, and only
forms recognised as search or status lookup. It never submits an application, registers an
account or posts feedback.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluator.browser import ActionResult, NavResult, Tab, css_string
from evaluator.criteria.schema import Vocabulary
from evaluator.derived import EvidenceView
from evaluator.evidence import (
    Form,
    FormInput,
    Link,
    SearchJourney,
    SearchRun,
    Settle,
    StatusLookupJourney,
)
from evaluator.gather import coerce, scripts
from evaluator.gather.page import LIMITS, one_line, settle_evidence
from evaluator.textnorm import contains_any, contains_word_phrase

NewTab = Callable[[], Awaitable[Tab]]


def _text_field(form: Form, preferred: list[str] | None = None) -> FormInput | None:
    """The input to type into: one matching ``preferred`` words, else the first text box.

    A box with neither name nor id (or None: no text box recorded) leaves submit_form to type
    into the form's first text box."""
    boxes = [i for i in form.inputs if i.type in ("text", "search", "")]
    if preferred:
        for box in boxes:
            if contains_any(f"{box.name} {box.id} {box.label} {box.placeholder}", preferred):
                return box
    return boxes[0] if boxes else None


@dataclass(frozen=True)
class JourneyLimits:
    """What a search or lookup journey waits for, and the words of controls it never uses."""

    timeout_ms: float
    settle_quiet_ms: int = 300
    settle_cap_ms: int = 5000
    side_effect_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    result: ActionResult
    settle: Settle
    page: dict[str, Any]
    # Links and text lines that were not on the form page before the query was sent.
    new_links: list[Link]
    new_text: str


def _box_selectors(box: FormInput | None) -> list[str]:
    if box is None:
        return []
    out = []
    if box.id:
        out.append(f"[id={css_string(box.id)}]")
    if box.name:
        out.append(f"[name={css_string(box.name)}]")
    if box.selector:
        out.append(box.selector)
    return out


async def _read(tab: Tab) -> dict[str, Any]:
    data = await tab.evaluate(scripts.EXTRACT_PAGE, LIMITS)
    return data if isinstance(data, dict) else {}


async def ask(tab: Tab, form: Form, box: FormInput | None, value: str,
              limits: JourneyLimits) -> Answer:
    """Type ``value`` where a citizen would and send it: a <form> is submitted, a loose box is
    sent with the control beside it (never one named for an act: then Enter), and the answer
    is read once it has settled, wherever it came (Tab.act)."""
    before = await _read(tab)
    before_links = {(ln.href, ln.text) for ln in coerce.links_from(before.get("links"), 2000)}
    before_lines = set(coerce.text(before.get("text"), LIMITS["text"]).splitlines())
    if form.kind == "form":
        result = await tab.submit_form(form.index, value, limits.timeout_ms,
                                       name=box.name if box else "",
                                       input_id=box.id if box else "")
    else:
        control = form.submit_selector
        if control and contains_word_phrase(form.submit_text, list(limits.side_effect_words)):
            control = ""  # a "Xóa"/"Gửi" beside the box is not the way to ask
        result = await tab.send_loose(value, limits.timeout_ms,
                                      box_selectors=_box_selectors(box),
                                      control_selector=control, control_name=form.submit_text)
    settled = settle_evidence(await tab.settle_until_quiet(limits.settle_quiet_ms,
                                                           limits.settle_cap_ms))
    data = await _read(tab) if result.nav.error is None else {}
    links = coerce.links_from(data.get("links"), LIMITS["links"])
    text = coerce.text(data.get("text"), LIMITS["text"])
    if result.answered in ("new_page", "route"):
        # A new document, or the app's router drew another view: all of it is the answer.
        new_links, new_text = links, text
    else:
        new_links = [ln for ln in links if (ln.href, ln.text) not in before_links]
        new_text = "\n".join(line for line in text.splitlines()
                             if line.strip() and line not in before_lines)
    return Answer(result, settled, data, new_links, new_text)


def _content_links(view: EvidenceView, links: list[Link]) -> list[Link]:
    return [link for link in view.content_links(links=links) if link.text.strip()]


async def open_settled(tab: Tab, url: str, limits: JourneyLimits) -> NavResult:
    """Load ``url`` and wait until it has settled: a script-built page (an SPA's view, a
    detail page filled by AJAX) has its content, its box, its links only then."""
    nav = await tab.goto(url, limits.timeout_ms)
    if nav.error is None:
        await tab.settle_until_quiet(limits.settle_quiet_ms, limits.settle_cap_ms)
    return nav


async def search_journey(
    view: EvidenceView, new_tab: NewTab, queries: list[str], limits: JourneyLimits,
) -> SearchJourney:
    found = view.page_with_form("search")
    if found is None:
        return SearchJourney(form_found=False, error="no search form on any crawled page")
    page, form = found
    box = _text_field(form)
    runs: list[SearchRun] = []
    for query in queries:
        tab = await new_tab()
        try:
            nav = await open_settled(tab, page.final_url, limits)
            if nav.error:
                runs.append(SearchRun(query=query, error=f"form page: {nav.error}"))
                continue
            answer = await ask(tab, form, box, query, limits)
            result = answer.result
            status = result.nav.status if result.answered == "new_page" else nav.status
            runs.append(SearchRun(
                query=query, submitted_url=page.final_url, status=status,
                final_url=result.nav.final_url, results=_content_links(view, answer.new_links)[:50],
                text=coerce.text(answer.new_text, 3000), error=result.nav.error,
                answered=result.answered, sent_by=result.sent_by,
                settle=answer.settle,
            ))
        except Exception as exc:
            runs.append(SearchRun(query=query, error=one_line(exc)))
        finally:
            await tab.close()
    return SearchJourney(form_found=True, form_page=page.final_url, form_index=form.index,
                         form_kind=form.kind, runs=runs)


async def status_lookup_journey(
    view: EvidenceView, new_tab: NewTab, vocab: Vocabulary, limits: JourneyLimits,
    evidence_dir: Path,
) -> StatusLookupJourney:
    found = view.page_with_form("status_lookup")
    if found is None:
        return StatusLookupJourney(form_found=False,
                                   error="no status-lookup form on any crawled page")
    page, form = found
    box = _text_field(form, vocab.status_lookup_inputs)
    code = vocab.status_lookup_code
    common: dict[str, Any] = {"form_found": True, "form_page": page.final_url,
                              "form_index": form.index, "form_kind": form.kind, "code": code}
    tab = await new_tab()
    try:
        nav = await open_settled(tab, page.final_url, limits)
        if nav.error:
            return StatusLookupJourney(**common, error=f"form page: {nav.error}")
        answer = await ask(tab, form, box, code, limits)
        result = answer.result
        shot = None
        if not result.nav.error:
            try:
                await tab.screenshot(evidence_dir / "journeys" / "status_lookup.jpg")
                shot = "journeys/status_lookup.jpg"
            except Exception:
                shot = None
        status = result.nav.status if result.answered == "new_page" else nav.status
        return StatusLookupJourney(
            **common, submitted_url=page.final_url, status=status,
            final_url=result.nav.final_url,
            text=coerce.text(answer.page.get("text"), 5000),
            new_text=coerce.text(answer.new_text, 5000), answered=result.answered,
            sent_by=result.sent_by, settle=answer.settle, screenshot=shot,
            error=result.nav.error,
        )
    except Exception as exc:
        return StatusLookupJourney(**common, error=one_line(exc))
    finally:
        await tab.close()
