"""Checks of the functionality pillar (chức năng): what a citizen can do on the portal."""

from __future__ import annotations

import re

from pydantic import Field

from evaluator.checks.messages import Msg, Num, http_problem, msg
from evaluator.checks.model import Finding, MissingEvidence, Outcome, Status
from evaluator.checks.registry import Params, register
from evaluator.criteria.schema import Vocabulary
from evaluator.derived import EvidenceView, normalise_url
from evaluator.textnorm import clip, contains_all_words, contains_any


def _percent(share: float) -> Num:
    """A share in [0, 1] as a whole percentage: 0.9 → 90 (the template writes the %)."""
    return Num(share * 100, 0)


class CatalogueParams(Params):
    min_services: int = Field(20, ge=1)
    min_labelled_share: float = Field(0.9, ge=0, le=1)


@register("catalogue_published", level="site", params=CatalogueParams)
def catalogue_published(view: EvidenceView, params: CatalogueParams) -> Outcome:
    found = view.find_role_link("catalogue")
    if found is None or view.catalogue_page is None:
        labels = ", ".join(view.vocab.labels["catalogue"])
        return Outcome(
            Status.FAIL, 0.0, display_value=msg("catalogue.none"),
            expected=msg("catalogue.expected_link", labels=labels, min=params.min_services),
            findings=(Finding(msg("catalogue.none_finding"),
                              page_url=view.start_page.final_url if view.start_page else None,
                              expected=msg("common.link_labelled", labels=labels)),),
        )
    link, on_page = found
    services = view.services
    labelled = [s for s in services if s.level is not None]
    full = [s for s in services if s.level == "full"]
    share = len(labelled) / len(services) if services else 0.0
    full_share = len(full) / len(labelled) if labelled else 0.0
    findings = [
        Finding(msg("catalogue.linked", text=clip(link.text, 60)), page_url=on_page.final_url,
                value=link.href),
    ]
    unlabelled = [s for s in services if s.level is None]
    findings += [
        Finding(msg("catalogue.unlabelled"), page_url=s.listed_on, snippet=s.name)
        for s in unlabelled[:10]
    ]
    ok = len(services) >= params.min_services and share >= params.min_labelled_share
    return Outcome(
        Status.PASS if ok else Status.FAIL,
        1.0 if ok else 0.0,
        value=len(services), unit="services",
        display_value=msg(
            "catalogue.measured", services=len(services), pages=len(view.catalogue_pages),
            labelled=_percent(share), full=_percent(full_share),
        ),
        expected=msg("catalogue.expected", min=params.min_services,
                     share=_percent(params.min_labelled_share)),
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
        raise MissingEvidence("journeys.search", msg("missing.search_journey"))
    expected = msg("search.expected", top_k=params.top_k)
    if not journey.form_found:
        # The gatherer's own reason ("no search form on 12 pages") is evidence: it goes in value.
        return Outcome(
            Status.FAIL, 0.0, display_value=msg("search.no_form"), expected=expected,
            findings=(Finding(msg("search.no_form_finding"), page_url=view.bundle.start_url,
                              value=journey.error),),
        )
    findings: list[Finding] = []
    good = 0
    for run in journey.runs:
        top = run.results[: params.top_k]
        hit = next((r for r in top if contains_all_words(r.text, run.query)), None)
        if hit is not None and run.error is None and (run.status or 0) < 400:
            good += 1
            continue
        why: Msg | str
        if run.error or (run.status is not None and run.status >= 400):
            why = run.error or http_problem(run.status)
        elif not run.results:
            why = msg("search.no_results")
        else:
            why = msg("search.no_relevant", top_k=params.top_k)
        findings.append(Finding(
            msg("search.query_failed", query=run.query, why=why),
            page_url=run.final_url or run.submitted_url,
            value=", ".join(clip(r.text, 40) for r in top[:3]) or None,
            expected=msg("search.expected_result", query=run.query),
        ))
    total = len(journey.runs)
    share = good / total if total else 0.0
    return Outcome(
        Status.PASS if total and share >= params.min_share else Status.FAIL,
        share, value=round(share, 4), unit="share",
        display_value=msg("search.measured", good=good, total=total),
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
        raise MissingEvidence("journeys.status_lookup", msg("missing.lookup_journey"))
    expected = msg("lookup.expected")
    if not journey.form_found:
        return Outcome(
            Status.FAIL, 0.0, display_value=msg("lookup.no_form"), expected=expected,
            findings=(Finding(msg("lookup.no_form_finding"), page_url=view.bundle.start_url,
                              value=journey.error),),
        )
    where = journey.final_url or journey.submitted_url
    text = journey.text.strip()
    why: Msg | str
    if journey.error:
        verdict, why = Status.FAIL, journey.error
    elif journey.status is None or journey.status >= 400:
        verdict, why = Status.FAIL, http_problem(journey.status)
    elif len(text) < params.min_text_chars:
        verdict, why = Status.FAIL, msg("lookup.blank")
    elif (phrase := contains_any(text, view.vocab.not_found_phrases)) is not None:
        verdict, why = Status.PASS, msg("lookup.answered", phrase=phrase)
    else:
        verdict, why = Status.NEEDS_REVIEW, msg("lookup.unknown_wording")
    return Outcome(
        verdict, 1.0 if verdict is Status.PASS else 0.0,
        display_value=msg("lookup.measured", code=journey.code, why=why), expected=expected,
        findings=(Finding(msg("lookup.finding", code=journey.code, why=why), page_url=where,
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
    expected = msg("clicks.expected", max=params.max_clicks)
    if not services:
        return Outcome(Status.FAIL, 0.0, display_value=msg("clicks.no_services"),
                       expected=expected, findings=(Finding(msg("clicks.no_services_finding")),))
    depth = view.click_depth
    deep = [(s, depth.get(normalise_url(s.url))) for s in services]
    near = [s for s, d in deep if d is not None and d <= params.max_clicks]
    share = len(near) / len(services)
    findings = tuple(
        Finding(msg("clicks.too_deep", service=clip(s.name, 60), clicks=d) if d is not None
                else msg("clicks.unreachable", service=clip(s.name, 60), max=params.max_clicks),
                page_url=s.url, value=str(d) if d is not None else None,
                expected=msg("clicks.at_most", max=params.max_clicks))
        for s, d in deep if d is None or d > params.max_clicks
    )[:15]
    worst = max((d for _s, d in deep if d is not None), default=None)
    return Outcome(
        Status.PASS if share >= params.min_share else Status.FAIL, share,
        value=round(share, 4), unit="share",
        display_value=(
            msg("clicks.measured", near=len(near), total=len(services), max=params.max_clicks)
            if worst is None else
            msg("clicks.measured_deepest", near=len(near), total=len(services),
                max=params.max_clicks, deepest=worst)
        ),
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
        raise MissingEvidence(f"labels.{params.role}", msg("missing.role_labels"))
    expected = msg("role_link.expected", labels=", ".join(labels))
    found = view.find_role_link(params.role)
    if found is None:
        return Outcome(Status.FAIL, 0.0, display_value=msg("role_link.none"), expected=expected,
                       findings=(Finding(msg("role_link.none_finding", labels=", ".join(labels)),
                                         page_url=view.bundle.start_url),))
    link, on_page = found
    if link.href.startswith("mailto:"):
        ok = params.accept_mailto
        return Outcome(Status.PASS if ok else Status.FAIL, 1.0 if ok else 0.0,
                       display_value=msg("role_link.mailto", text=clip(link.text, 50),
                                         href=link.href),
                       expected=expected,
                       findings=(Finding(msg("role_link.mailto_finding"),
                                         page_url=on_page.final_url, value=link.href),),
                       pages=(on_page.final_url,))
    target = view.page(link.href)
    if target is None:
        return Outcome(Status.NEEDS_REVIEW, 0.0, display_value=msg("role_link.not_crawled"),
                       expected=expected,
                       findings=(Finding(msg("role_link.not_crawled_finding"),
                                         page_url=on_page.final_url, value=link.href),))
    ok = target.error is None and target.status is not None and target.status < 400
    why: Msg | str = msg("role_link.loads") if ok else (target.error or http_problem(target.status))
    text = clip(link.text, 50)
    return Outcome(
        Status.PASS if ok else Status.FAIL, 1.0 if ok else 0.0,
        display_value=msg("role_link.measured", text=text, why=why), expected=expected,
        findings=(Finding(msg("role_link.finding", text=text, why=why),
                          page_url=on_page.final_url, value=link.href),),
        pages=(target.final_url,),
    )


class FaqParams(Params):
    # ≥ 10 question-answer pairs: RESEARCH.md F16 [I]; TT 01/2018 Đ16.2.đ asks for
    # "Bộ câu hỏi - trả lời mẫu" without a number.
    min_questions: int = Field(10, ge=1)


_QUESTION = re.compile(r"[^\n?]{8,}\?")


@register("faq_published", level="site", params=FaqParams)
def faq_published(view: EvidenceView, params: FaqParams) -> Outcome:
    expected = msg("faq.expected", min=params.min_questions)
    found = view.find_role_link("faq")
    if found is None:
        return Outcome(Status.FAIL, 0.0, display_value=msg("faq.none"), expected=expected,
                       findings=(Finding(msg("faq.none_finding"), page_url=view.bundle.start_url),))
    link, on_page = found
    target = view.page(link.href)
    if target is None:
        return Outcome(Status.NEEDS_REVIEW, 0.0, display_value=msg("faq.not_crawled"),
                       expected=expected,
                       findings=(Finding(msg("faq.not_crawled_finding"), page_url=on_page.final_url,
                                         value=link.href),))
    if target.error or target.status is None or target.status >= 400:
        why = target.error or http_problem(target.status)
        return Outcome(Status.FAIL, 0.0, display_value=msg("faq.broken", why=why), expected=expected,
                       findings=(Finding(msg("faq.broken_finding", why=why),
                                         page_url=on_page.final_url, value=link.href),),
                       pages=(target.final_url,))
    questions = list(dict.fromkeys(q.strip() for q in _QUESTION.findall(target.text)))
    ok = len(questions) >= params.min_questions
    return Outcome(
        Status.PASS if ok else Status.FAIL, 1.0 if ok else 0.0,
        value=len(questions), unit="questions",
        display_value=msg("faq.measured", count=len(questions)), expected=expected,
        findings=tuple(Finding(msg("faq.question"), page_url=target.final_url, snippet=clip(q, 120))
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
    expected = msg("hotline.expected")
    if start is None:
        raise MissingEvidence("pages", msg("missing.homepage"))
    tel = next((link for link in start.links if link.href.startswith("tel:")), None)
    if tel is not None:
        return Outcome(Status.PASS, 1.0, display_value=msg("hotline.tel", text=clip(tel.text, 40)),
                       expected=expected, value=tel.href,
                       findings=(Finding(msg("hotline.tel_finding"), page_url=start.final_url,
                                         value=tel.href),),
                       pages=(start.final_url,))
    match = re.search(params.pattern, start.text)
    if match:
        return Outcome(Status.PASS, 1.0, display_value=msg("hotline.number", number=match.group(0)),
                       expected=expected, value=match.group(0),
                       findings=(Finding(msg("hotline.number_finding"), page_url=start.final_url,
                                         value=match.group(0)),), pages=(start.final_url,))
    return Outcome(Status.FAIL, 0.0, display_value=msg("hotline.none"),
                   expected=expected,
                   findings=(Finding(msg("hotline.none_finding"), page_url=start.final_url),),
                   pages=(start.final_url,))
