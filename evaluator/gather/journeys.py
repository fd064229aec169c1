"""Read-only journeys: the portal's own search and status lookup, nothing else.

Politeness and safety: these are the only places portal-eval ever submits a form, and only
forms recognised as search or status lookup. It never submits an application, registers an
account or posts feedback.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from evaluator.browser import NavResult, Tab
from evaluator.criteria.schema import Vocabulary
from evaluator.derived import EvidenceView, normalise_url
from evaluator.evidence import (
    Form,
    FormInput,
    Link,
    SearchJourney,
    SearchRun,
    StatusLookupJourney,
)
from evaluator.gather import coerce, scripts
from evaluator.gather.page import LIMITS, one_line
from evaluator.textnorm import contains_any

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


async def _submit(tab: Tab, index: int, box: FormInput | None, value: str,
                  timeout_ms: float) -> NavResult:
    return await tab.submit_form(index, value, timeout_ms, name=box.name if box else "",
                                 input_id=box.id if box else "")


def _content_links(view: EvidenceView, links: list[Link]) -> list[Link]:
    return [
        link for link in links
        if view.same_site(link.href) and normalise_url(link.href) not in view.template_hrefs
        and link.region not in ("header", "nav", "footer") and link.text.strip()
    ]


async def search_journey(
    view: EvidenceView, new_tab: NewTab, queries: list[str], timeout_ms: float
) -> SearchJourney:
    found = view.page_with_form("search")
    if found is None:
        return SearchJourney(form_found=False, error="no search form on any crawled page")
    page, form = found
    index = form.index
    box = _text_field(form)
    runs: list[SearchRun] = []
    for query in queries:
        tab = await new_tab()
        try:
            nav = await tab.goto(page.final_url, timeout_ms)
            if nav.error:
                runs.append(SearchRun(query=query, error=f"form page: {nav.error}"))
                continue
            result = await _submit(tab, index, box, query, timeout_ms)
            data = await tab.evaluate(scripts.EXTRACT_PAGE, LIMITS) if not result.error else {}
            if not isinstance(data, dict):
                data = {}
            links = coerce.links_from(data.get("links"), LIMITS["links"])
            runs.append(SearchRun(
                query=query, submitted_url=page.final_url, status=result.status,
                final_url=result.final_url, results=_content_links(view, links)[:50],
                text=coerce.text(data.get("text"), 3000), error=result.error,
            ))
        except Exception as exc:
            runs.append(SearchRun(query=query, error=one_line(exc)))
        finally:
            await tab.close()
    return SearchJourney(form_found=True, form_page=page.final_url, form_index=index, runs=runs)


async def status_lookup_journey(
    view: EvidenceView, new_tab: NewTab, vocab: Vocabulary, timeout_ms: float,
    evidence_dir: Path,
) -> StatusLookupJourney:
    found = view.page_with_form("status_lookup")
    if found is None:
        return StatusLookupJourney(form_found=False,
                                   error="no status-lookup form on any crawled page")
    page, form = found
    index = form.index
    box = _text_field(form, vocab.status_lookup_inputs)
    code = vocab.status_lookup_code
    tab = await new_tab()
    try:
        nav = await tab.goto(page.final_url, timeout_ms)
        if nav.error:
            return StatusLookupJourney(form_found=True, form_page=page.final_url,
                                       form_index=index, code=code,
                                       error=f"form page: {nav.error}")
        result = await _submit(tab, index, box, code, timeout_ms)
        text = ""
        shot = None
        if not result.error:
            text = coerce.text(await tab.evaluate(
                "() => document.body ? document.body.innerText.slice(0, 5000) : ''"), 5000)
            try:
                await tab.screenshot(evidence_dir / "journeys" / "status_lookup.jpg")
                shot = "journeys/status_lookup.jpg"
            except Exception:
                shot = None
        return StatusLookupJourney(
            form_found=True, form_page=page.final_url, form_index=index, code=code,
            submitted_url=page.final_url, status=result.status, final_url=result.final_url,
            text=text, screenshot=shot, error=result.error,
        )
    except Exception as exc:
        return StatusLookupJourney(form_found=True, form_page=page.final_url, form_index=index,
                                   code=code, error=one_line(exc))
    finally:
        await tab.close()
