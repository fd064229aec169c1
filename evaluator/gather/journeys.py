"""Read-only journeys: the portal's own search and status lookup, nothing else.

Politeness and safety: these are the only places portal-eval ever submits a form, and only
forms recognised as search or status lookup. It never submits an application, registers an
account or posts feedback.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from evaluator.browser import Tab
from evaluator.criteria.schema import Vocabulary
from evaluator.derived import EvidenceView, normalise_url
from evaluator.evidence import Form, Link, SearchJourney, SearchRun, StatusLookupJourney
from evaluator.gather import scripts
from evaluator.gather.page import LIMITS
from evaluator.textnorm import contains_any

NewTab = Callable[[], Awaitable[Tab]]


def _text_field(form: Form, preferred: list[str] | None = None) -> str:
    """The input to type into: one matching ``preferred`` words, else the first text box."""
    boxes = [i for i in form.inputs if i.type in ("text", "search", "")]
    if preferred:
        for box in boxes:
            if contains_any(f"{box.name} {box.label} {box.placeholder}", preferred):
                return box.name
    return boxes[0].name if boxes else ""


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
    page, index = found
    form = page.forms[index] if index < len(page.forms) else None
    field = _text_field(form) if form else ""
    runs: list[SearchRun] = []
    for query in queries:
        tab = await new_tab()
        try:
            nav = await tab.goto(page.final_url, timeout_ms)
            if nav.error:
                runs.append(SearchRun(query=query, error=f"form page: {nav.error}"))
                continue
            result = await tab.submit_form(index, field, query, timeout_ms)
            data = await tab.evaluate(scripts.EXTRACT_PAGE, LIMITS) if not result.error else {}
            links = [Link(**link) for link in data.get("links", [])]
            runs.append(SearchRun(
                query=query, submitted_url=page.final_url, status=result.status,
                final_url=result.final_url, results=_content_links(view, links)[:50],
                text=(data.get("text") or "")[:3000], error=result.error,
            ))
        except Exception as exc:
            runs.append(SearchRun(query=query, error=str(exc).splitlines()[0][:200]))
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
    page, index = found
    form = page.forms[index] if index < len(page.forms) else None
    field = _text_field(form, vocab.status_lookup_inputs) if form else ""
    code = vocab.status_lookup_code
    tab = await new_tab()
    try:
        nav = await tab.goto(page.final_url, timeout_ms)
        if nav.error:
            return StatusLookupJourney(form_found=True, form_page=page.final_url,
                                       form_index=index, code=code,
                                       error=f"form page: {nav.error}")
        result = await tab.submit_form(index, field, code, timeout_ms)
        text = ""
        shot = None
        if not result.error:
            text = await tab.evaluate(
                "() => document.body ? document.body.innerText.slice(0, 5000) : ''")
            try:
                await tab.screenshot(evidence_dir / "journeys" / "status_lookup.jpg")
                shot = "journeys/status_lookup.jpg"
            except Exception:
                shot = None
        return StatusLookupJourney(
            form_found=True, form_page=page.final_url, form_index=index, code=code,
            submitted_url=page.final_url, status=result.status, final_url=result.final_url,
            text=text or "", screenshot=shot, error=result.error,
        )
    except Exception as exc:
        return StatusLookupJourney(form_found=True, form_page=page.final_url, form_index=index,
                                   code=code, error=str(exc).splitlines()[0][:200])
    finally:
        await tab.close()
