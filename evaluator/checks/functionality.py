"""Checks of the functionality pillar (chức năng): what a citizen can do on the portal."""

from __future__ import annotations

import re

from pydantic import Field

from evaluator.checks.model import Finding, MissingEvidence, Outcome, Status
from evaluator.checks.registry import Params, register
from evaluator.criteria.schema import Vocabulary
from evaluator.derived import EvidenceView, normalise_url
from evaluator.textnorm import clip, contains_all_words, contains_any


class CatalogueParams(Params):
    min_services: int = Field(20, ge=1)
    min_labelled_share: float = Field(0.9, ge=0, le=1)


@register("catalogue_published", level="site", params=CatalogueParams)
def catalogue_published(view: EvidenceView, params: CatalogueParams) -> Outcome:
    found = view.find_role_link("catalogue")
    if found is None or view.catalogue_page is None:
        labels = ", ".join(view.vocab.labels["catalogue"])
        return Outcome(
            Status.FAIL, 0.0, display_value="no catalogue found",
            expected=f"a menu link ({labels}) to a list of ≥ {params.min_services} services",
            findings=(Finding("No link to a service catalogue on the homepage or one level below",
                              page_url=view.start_page.final_url if view.start_page else None,
                              expected=labels),),
        )
    link, on_page = found
    services = view.services
    labelled = [s for s in services if s.level is not None]
    full = [s for s in services if s.level == "full"]
    share = len(labelled) / len(services) if services else 0.0
    full_share = len(full) / len(labelled) if labelled else 0.0
    findings = [
        Finding(f"Catalogue linked as '{clip(link.text, 60)}'", page_url=on_page.final_url,
                value=link.href),
    ]
    unlabelled = [s for s in services if s.level is None]
    findings += [
        Finding("Service listed without its level (toàn trình / một phần)",
                page_url=s.listed_on, snippet=s.name)
        for s in unlabelled[:10]
    ]
    ok = len(services) >= params.min_services and share >= params.min_labelled_share
    return Outcome(
        Status.PASS if ok else Status.FAIL,
        1.0 if ok else 0.0,
        value=len(services), unit="services",
        display_value=(
            f"{len(services)} services on {len(view.catalogue_pages)} page(s); "
            f"{share:.0%} labelled with their level; {full_share:.0%} toàn trình"
        ),
        expected=f"≥ {params.min_services} services, ≥ {params.min_labelled_share:.0%} labelled",
        findings=tuple(findings),
        pages=tuple(p.final_url for p in view.catalogue_pages),
        data={"services": len(services), "labelled": len(labelled), "full": len(full),
              "partial": len(labelled) - len(full), "full_share": round(full_share, 4)},
    )


class SearchParams(Params):
    top_k: int = Field(5, ge=1)
    min_share: float = Field(1.0, ge=0, le=1)


@register("search_works", level="site", params=SearchParams, evidence="journeys.search")
def search_works(view: EvidenceView, params: SearchParams) -> Outcome:
    journey = view.bundle.journeys.search
    if journey is None:
        raise MissingEvidence("journeys.search", "the search journey did not run")
    expected = f"each query finds a matching service in the top {params.top_k} results"
    if not journey.form_found:
        return Outcome(
            Status.FAIL, 0.0, display_value="no search form found", expected=expected,
            findings=(Finding(journey.error or "No site search form on the homepage or any page",
                              page_url=view.bundle.start_url),),
        )
    findings: list[Finding] = []
    good = 0
    for run in journey.runs:
        top = run.results[: params.top_k]
        hit = next((r for r in top if contains_all_words(r.text, run.query)), None)
        if hit is not None and run.error is None and (run.status or 0) < 400:
            good += 1
            continue
        if run.error or (run.status is not None and run.status >= 400):
            why = run.error or f"HTTP {run.status}"
        elif not run.results:
            why = "no results"
        else:
            why = f"no relevant result in the top {params.top_k}"
        findings.append(Finding(
            f"Search for '{run.query}': {why}", page_url=run.final_url or run.submitted_url,
            value=", ".join(clip(r.text, 40) for r in top[:3]) or None,
            expected=f"a result containing '{run.query}'",
        ))
    total = len(journey.runs)
    share = good / total if total else 0.0
    return Outcome(
        Status.PASS if total and share >= params.min_share else Status.FAIL,
        share, value=round(share, 4), unit="share",
        display_value=f"{good} of {total} queries found a relevant service",
        expected=expected, findings=tuple(findings),
        pages=tuple(r.final_url for r in journey.runs if r.final_url),
        data={"queries": [r.query for r in journey.runs], "relevant": good},
    )


class StatusLookupParams(Params):
    # A page whose visible text is shorter than this is "blank": nothing a citizen can read.
    min_text_chars: int = Field(20, ge=0)


@register("status_lookup_answers", level="site", params=StatusLookupParams,
          evidence="journeys.status_lookup")
def status_lookup_answers(view: EvidenceView, params: StatusLookupParams) -> Outcome:
    journey = view.bundle.journeys.status_lookup
    if journey is None:
        raise MissingEvidence("journeys.status_lookup", "the status-lookup journey did not run")
    expected = "a readable 'not found' answer for a non-existent code"
    if not journey.form_found:
        return Outcome(
            Status.FAIL, 0.0, display_value="no status-lookup form found", expected=expected,
            findings=(Finding(journey.error or "No 'Tra cứu hồ sơ' form on any crawled page",
                              page_url=view.bundle.start_url),),
        )
    where = journey.final_url or journey.submitted_url
    text = journey.text.strip()
    if journey.error:
        verdict, why = Status.FAIL, journey.error
    elif journey.status is None or journey.status >= 400:
        verdict, why = Status.FAIL, f"HTTP {journey.status}"
    elif len(text) < params.min_text_chars:
        verdict, why = Status.FAIL, "blank page"
    elif (phrase := contains_any(text, view.vocab.not_found_phrases)) is not None:
        verdict, why = Status.PASS, f"answered '{phrase}'"
    else:
        verdict, why = Status.NEEDS_REVIEW, "answered, but no known 'not found' wording"
    return Outcome(
        verdict, 1.0 if verdict is Status.PASS else 0.0,
        display_value=f"code {journey.code}: {why}", expected=expected,
        findings=(Finding(f"Lookup of {journey.code}: {why}", page_url=where,
                          snippet=clip(text, 200) or None),),
        pages=tuple(u for u in (journey.form_page, where) if u),
    )


class ClicksParams(Params):
    # TT 32/2017/TT-BTTTT Đ11.2.b: a service is found "sau tối đa 03 lần bấm chuột từ trang chủ".
    max_clicks: int = Field(3, ge=1)
    min_share: float = Field(1.0, ge=0, le=1)


@register("services_within_clicks", level="site", params=ClicksParams)
def services_within_clicks(view: EvidenceView, params: ClicksParams) -> Outcome:
    services = view.services
    expected = f"every service ≤ {params.max_clicks} clicks from the homepage"
    if not services:
        return Outcome(Status.FAIL, 0.0, display_value="no services found to reach",
                       expected=expected,
                       findings=(Finding("The service catalogue was not found, so no service "
                                         "is reachable from the homepage"),))
    depth = view.click_depth
    deep = [(s, depth.get(normalise_url(s.url))) for s in services]
    near = [s for s, d in deep if d is not None and d <= params.max_clicks]
    share = len(near) / len(services)
    findings = tuple(
        Finding(f"'{clip(s.name, 60)}' needs "
                f"{d if d is not None else 'more than ' + str(params.max_clicks)} clicks",
                page_url=s.url, value=str(d) if d is not None else None,
                expected=f"≤ {params.max_clicks}")
        for s, d in deep if d is None or d > params.max_clicks
    )[:15]
    worst = max((d for _s, d in deep if d is not None), default=None)
    return Outcome(
        Status.PASS if share >= params.min_share else Status.FAIL, share,
        value=round(share, 4), unit="share",
        display_value=f"{len(near)} of {len(services)} services within {params.max_clicks} clicks"
        + (f" (deepest: {worst})" if worst is not None else ""),
        expected=expected, findings=findings,
        data={"services": len(services), "within": len(near)},
    )


class RoleLinkParams(Params):
    role: str
    accept_mailto: bool = False

    def vocabulary_problem(self, vocabulary: Vocabulary) -> tuple[str, str] | None:
        """The loader's load-time check (NeedsVocabulary): the role must have labels."""
        if vocabulary.labels.get(self.role):
            return None
        known = ", ".join(sorted(r for r, labels in vocabulary.labels.items() if labels))
        return "role", f"role '{self.role}' has no labels in the vocabulary (labelled: {known})"


@register("role_page_linked", level="site", params=RoleLinkParams)
def role_page_linked(view: EvidenceView, params: RoleLinkParams) -> Outcome:
    """A link labelled for ``role`` on the homepage (or one level below) leads to a working page."""
    labels = view.vocab.labels.get(params.role)
    if not labels:
        raise MissingEvidence(f"labels.{params.role}", "no labels for this role in the vocabulary")
    expected = f"a link ({', '.join(labels)}) to a page that loads"
    found = view.find_role_link(params.role)
    if found is None:
        return Outcome(Status.FAIL, 0.0, display_value="no such link", expected=expected,
                       findings=(Finding(f"No link labelled {', '.join(labels)}",
                                         page_url=view.bundle.start_url),))
    link, on_page = found
    if link.href.startswith("mailto:"):
        ok = params.accept_mailto
        return Outcome(Status.PASS if ok else Status.FAIL, 1.0 if ok else 0.0,
                       display_value=f"'{clip(link.text, 50)}' → {link.href}", expected=expected,
                       findings=(Finding("Link is an e-mail address", page_url=on_page.final_url,
                                         value=link.href),), pages=(on_page.final_url,))
    target = view.page(link.href)
    if target is None:
        return Outcome(Status.NEEDS_REVIEW, 0.0, display_value="link found, target not crawled",
                       expected=expected,
                       findings=(Finding("The target was outside the crawl (scope or caps)",
                                         page_url=on_page.final_url, value=link.href),))
    ok = target.error is None and target.status is not None and target.status < 400
    why = "loads" if ok else (target.error or f"HTTP {target.status}")
    return Outcome(
        Status.PASS if ok else Status.FAIL, 1.0 if ok else 0.0,
        display_value=f"'{clip(link.text, 50)}' → {why}", expected=expected,
        findings=(Finding(f"Link '{clip(link.text, 50)}' {why}", page_url=on_page.final_url,
                          value=link.href),),
        pages=(target.final_url,),
    )


class FaqParams(Params):
    # ≥ 10 question-answer pairs: RESEARCH.md F16 [I]; TT 01/2018 Đ16.2.đ asks for
    # "Bộ câu hỏi - trả lời mẫu" without a number.
    min_questions: int = Field(10, ge=1)


_QUESTION = re.compile(r"[^\n?]{8,}\?")


@register("faq_published", level="site", params=FaqParams)
def faq_published(view: EvidenceView, params: FaqParams) -> Outcome:
    expected = f"an FAQ page with ≥ {params.min_questions} questions"
    found = view.find_role_link("faq")
    if found is None:
        return Outcome(Status.FAIL, 0.0, display_value="no FAQ link", expected=expected,
                       findings=(Finding("No 'Hỏi đáp' / 'Câu hỏi thường gặp' link",
                                         page_url=view.bundle.start_url),))
    link, on_page = found
    target = view.page(link.href)
    if target is None:
        return Outcome(Status.NEEDS_REVIEW, 0.0, display_value="FAQ link not crawled",
                       expected=expected,
                       findings=(Finding("FAQ target outside the crawl", page_url=on_page.final_url,
                                         value=link.href),))
    if target.error or target.status is None or target.status >= 400:
        why = target.error or f"HTTP {target.status}"
        return Outcome(Status.FAIL, 0.0, display_value=f"FAQ page: {why}", expected=expected,
                       findings=(Finding(f"FAQ link leads to {why}", page_url=on_page.final_url,
                                         value=link.href),), pages=(target.final_url,))
    questions = list(dict.fromkeys(q.strip() for q in _QUESTION.findall(target.text)))
    ok = len(questions) >= params.min_questions
    return Outcome(
        Status.PASS if ok else Status.FAIL, 1.0 if ok else 0.0,
        value=len(questions), unit="questions",
        display_value=f"{len(questions)} questions on the FAQ page", expected=expected,
        findings=tuple(Finding("Question", page_url=target.final_url, snippet=clip(q, 120))
                       for q in questions[:3]),
        pages=(target.final_url,),
    )


class PhoneParams(Params):
    # Vietnamese numbers, grouped with spaces, dots or hyphens: 1900/1800 hotlines (1900 1234,
    # 1900-6789-12), landlines and mobiles from 0 (024 3823 4567, 0912 345 678), an area code in
    # parentheses ((0236) 3822 555) and +84 (+84 24 3823 4567). Since 2017-2018 every area code
    # and mobile prefix starts 02-09, so a leading 00/01 is a code (000.00.00.H99-…, a Hà Nội tax
    # number 0100109106), not a phone. Not glued to a word, "/", "." or "-" on the left, nor to a
    # word or ".digit"/"-digit" on the right, so dates (23/11/2026, 2024-03-05, 05.03.2024),
    # years, postal codes (100000) and document numbers (1033/QĐ-BTTTT) do not match.
    pattern: str = (
        r"(?<![\w/.+-])(?:"
        r"(?:1900|1800)[\s.-]?\d{3,4}(?:[\s.-]?\d{2,4})?"
        r"|(?:0[2-9]\d{1,2}|\(0[2-9]\d{0,2}\))[\s.-]?\d{3,4}[\s.-]?\d{3,4}"
        r"|\(?\+84\)?[\s.-]?(?:\(0\)[\s.-]?)?[2-9]\d{0,2}[\s.-]?\d{3,4}[\s.-]?\d{3,4}"
        r")(?!\w|[.-]\d)"
    )


@register("hotline_published", level="site", params=PhoneParams)
def hotline_published(view: EvidenceView, params: PhoneParams) -> Outcome:
    start = view.start_page
    expected = "a hotline number (tel: link or phone number) on the homepage"
    if start is None:
        raise MissingEvidence("pages", "the homepage was not gathered")
    tel = next((link for link in start.links if link.href.startswith("tel:")), None)
    if tel is not None:
        return Outcome(Status.PASS, 1.0, display_value=f"tel: link '{clip(tel.text, 40)}'",
                       expected=expected, value=tel.href,
                       findings=(Finding("Phone link", page_url=start.final_url, value=tel.href),),
                       pages=(start.final_url,))
    match = re.search(params.pattern, start.text)
    if match:
        return Outcome(Status.PASS, 1.0, display_value=f"number {match.group(0)} on the homepage",
                       expected=expected, value=match.group(0),
                       findings=(Finding("Phone number in the page text", page_url=start.final_url,
                                         value=match.group(0)),), pages=(start.final_url,))
    return Outcome(Status.FAIL, 0.0, display_value="no phone number on the homepage",
                   expected=expected,
                   findings=(Finding("No tel: link and no phone number in the homepage text",
                                     page_url=start.final_url),), pages=(start.final_url,))
