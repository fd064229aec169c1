"""Checks of the functionality pillar (chức năng): what a citizen can do on the portal."""

from __future__ import annotations

import calendar
import contextlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from pydantic import Field, model_validator

from evaluator.checks.messages import Msg, Num, http_problem, msg
from evaluator.checks.model import Finding, MissingEvidence, Outcome, Status
from evaluator.checks.registry import Params, register
from evaluator.criteria.schema import TermGroup, Vocabulary

# host_listed lived here before derived.py needed it: re-exported for its callers.
from evaluator.derived import EvidenceView, RoleCandidate, questions
from evaluator.derived import host_listed as host_listed
from evaluator.evidence import FormDownload, GuidePage, Page, ServicePageSample
from evaluator.textnorm import clip, contains_all_words, contains_any, contains_word_phrase, fold


def _journey_missing(view: EvidenceView, journey: str, generic: Msg) -> MissingEvidence:
    """A journey absent from the evidence: the gatherer's own reason (``disabled``) when it
    recorded one, else the generic message."""
    name = f"journeys.{journey}"
    return MissingEvidence(name, view.bundle.disabled.get(name) or generic)


def _percent(share: float) -> Num:
    """A share in [0, 1] as a whole percentage: 0.9 → 90 (the template writes the %)."""
    return Num(share * 100, 0)


def fit_reason(candidate: RoleCandidate) -> Msg | str:
    """Why a role link was taken or refused, from ``RoleCandidate.reason`` (derived.py)."""
    detail = candidate.detail
    count = int(detail) if detail.isdigit() else 0
    match candidate.reason:
        case "catalogue_rows":
            return msg("fit.catalogue_rows", count=count)
        case "catalogue_total":
            return msg("fit.catalogue_total", count=count)
        case "catalogue_walk":
            return msg("fit.catalogue_walk", count=count)
        case "lookup_form":
            return msg("fit.lookup_form")
        case "questions":
            return msg("fit.questions", count=count)
        case "feedback_form":
            return msg("fit.feedback_form")
        case "feedback_words":
            return msg("fit.feedback_words")
        case "mailto":
            return msg("fit.mailto", href=detail)
        case "rating_levels":
            return msg("fit.rating_levels", count=count)
        case "statistics_series":
            return msg("fit.statistics_series", count=count)
        case "guide_links":
            return msg("fit.guide_links", count=count)
        case "guide_words":
            return msg("fit.guide_words")
        case "login_handover":
            return msg("fit.login_handover", host=detail)
        case "login_password":
            return msg("fit.login_password")
        case "login_identity_button":
            return msg("fit.login_identity_button", text=detail)
        case "payment_handover":
            return msg("fit.payment_handover", host=detail)
        case "broken":
            target = candidate.target
            if target is not None and target.error:
                return target.error
            return http_problem(target.status if target is not None else None)
        case "homepage":
            return msg("fit.homepage")
        case "not_a_page":
            return msg("fit.not_a_page")
        case "no_rows":
            return msg("fit.no_rows", count=count)
        case "no_lookup_form":
            return msg("fit.no_lookup_form")
        case "no_questions":
            return msg("fit.no_questions")
        case "no_feedback":
            return msg("fit.no_feedback")
        case "no_levels":
            return msg("fit.no_levels", count=count)
        case "no_series":
            return msg("fit.no_series", count=count)
        case "no_guides":
            return msg("fit.no_guides")
        case "no_login":
            return msg("fit.no_login")
        case "no_payment":
            return msg("fit.no_payment")
        case "not_crawled":
            return msg("fit.not_crawled")
        case _:
            return msg("role_link.loads")


# Candidates refused for a role shown as findings, at most: enough to see why the portal's
# "Thủ tục hành chính" was not taken, without burying the report under a mega-menu.
MAX_REFUSED_FINDINGS = 3


def role_findings(view: EvidenceView, role_name: str) -> list[Finding]:
    """The candidate taken for a role and the first refused ones, each with why."""
    candidates = view.role_candidates(role_name)
    findings: list[Finding] = []
    chosen = candidates[0] if candidates and candidates[0].fit == "fits" else None
    if chosen is not None:
        findings.append(Finding(msg("fit.taken", text=clip(chosen.link.text, 60),
                                    why=fit_reason(chosen)),
                                page_url=chosen.on_page.final_url, value=chosen.link.href))
    refused = [c for c in candidates if c.fit == "refused"]
    findings += [Finding(msg("fit.refused", text=clip(c.link.text, 60), why=fit_reason(c)),
                         page_url=c.on_page.final_url, value=c.link.href)
                 for c in refused[:MAX_REFUSED_FINDINGS]]
    return findings


class CatalogueParams(Params):
    min_services: int = Field(20, ge=1)
    min_labelled_share: float = Field(0.9, ge=0, le=1)


@register("catalogue_published", level="site", params=CatalogueParams)
def catalogue_published(view: EvidenceView, params: CatalogueParams) -> Outcome:
    """A labelled link from the homepage leads to the catalogue of procedures with at
    least ``min_services`` services, most of them labelled with their level (toàn trình / một
    phần). Evidence: the crawled pages and catalogue walks; labels from the vocabulary."""
    labels = ", ".join(view.vocab.labels["catalogue"])
    expected = msg("catalogue.expected", min=params.min_services,
                   share=_percent(params.min_labelled_share))
    best = view.role_page("catalogue")
    if best is None:
        return Outcome(
            Status.FAIL, 0.0, display_value=msg("catalogue.none"),
            expected=msg("catalogue.expected_link", labels=labels, min=params.min_services),
            findings=(Finding(msg("catalogue.none_finding"),
                              page_url=view.start_page.final_url if view.start_page else None,
                              expected=msg("common.link_labelled", labels=labels)),),
        )
    if best.fit != "fits" or view.catalogue_page is None:
        why = fit_reason(best)
        return Outcome(
            Status.FAIL, 0.0,
            display_value=msg("catalogue.not_a_catalogue", text=clip(best.link.text, 60),
                              why=why),
            expected=msg("catalogue.expected_link", labels=labels, min=params.min_services),
            findings=tuple(role_findings(view, "catalogue")) if best.fit == "refused" else (
                Finding(msg("role_link.not_crawled_finding"), page_url=best.on_page.final_url,
                        value=best.link.href),),
            pages=(best.target.final_url,) if best.target is not None else (),
        )
    services = view.services
    full = sum(s.level == "full" for s in services)
    partial = sum(s.level == "partial" for s in services)
    info = sum(s.level == "info" for s in services)
    labelled = full + partial + info
    share = labelled / len(services) if services else 0.0
    full_share = full / labelled if labelled else 0.0
    findings = [
        Finding(msg("catalogue.linked", text=clip(best.link.text, 60)),
                page_url=best.on_page.final_url, value=best.link.href),
    ]
    unlabelled = [s for s in services if s.level is None]
    findings += [
        Finding(msg("catalogue.unlabelled"), page_url=s.listed_on, snippet=s.name,
                value=None if s.page_number is None else str(s.page_number))
        for s in unlabelled[:10]
    ]
    listings = view.catalogue_listings
    walked = sum(lst.number is not None for lst in listings)
    ok = len(services) >= params.min_services and share >= params.min_labelled_share
    return Outcome(
        Status.PASS if ok else Status.FAIL,
        1.0 if ok else 0.0,
        value=len(services), unit="services",
        display_value=msg(
            "catalogue.measured", services=len(services), pages=len(listings),
            labelled=_percent(share), full=full, partial=partial, info=info,
        ),
        expected=expected,
        findings=tuple(findings),
        pages=tuple(dict.fromkeys(lst.url for lst in listings)),
        data={"services": len(services), "labelled": labelled, "full": full,
              "partial": partial, "info": info, "full_share": round(full_share, 4),
              "stated_total": view.stated_total, "list_pages": len(listings),
              "walked_pages": walked},
    )


class SearchParams(Params):
    top_k: int = Field(5, ge=1)
    min_share: float = Field(1.0, ge=0, le=1)


@register("search_works", level="site", params=SearchParams, evidence="journeys.search")
def search_works(view: EvidenceView, params: SearchParams) -> Outcome:
    """The portal's own search, typed into as a citizen would (with and without
    diacritics), answers each query with a relevant service in its first ``top_k`` results.
    Evidence: the search journey (``journeys.search``)."""
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
    error_phrases = view.vocab.error_page_phrases
    for run in journey.runs:
        # Judged wherever the answer came: on a new page its content links, in place the
        # links that appeared (SearchRun.results either way).
        top = run.results[: params.top_k]
        hit = next((r for r in top if contains_all_words(r.text or r.context, run.query)),
                   None)
        error_page = contains_word_phrase(view.folded(run.text), error_phrases, folded=True) \
            if run.text else None
        served = run.error is None and (run.status or 0) < 400 and error_page is None
        if hit is not None and served:
            good += 1
            continue
        why: Msg | str
        if run.error or (run.status is not None and run.status >= 400):
            why = run.error or http_problem(run.status)
        elif error_page is not None:
            why = msg("search.error_page", phrase=error_page)
        elif run.answered == "none" and not run.results:
            why = msg("search.no_answer")
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
        data={"queries": [r.query for r in journey.runs], "relevant": good,
              "answered": [r.answered for r in journey.runs]},
    )


class StatusLookupParams(Params):
    # A page whose visible text is shorter than this is "blank": nothing a citizen can read.
    # An answer drawn in place is blank when nothing appeared (the page around it still reads).
    min_text_chars: int = Field(20, ge=0)


@register("status_lookup_answers", level="site", params=StatusLookupParams,
          evidence="journeys.status_lookup")
def status_lookup_answers(view: EvidenceView, params: StatusLookupParams) -> Outcome:
    """The status lookup, given a well-formed code that does not exist, answers
    gracefully ("không tìm thấy"), not with an error or a blank page. Evidence: the status
    lookup journey (``journeys.status_lookup``)."""
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
    # An answer drawn in place (or by the page's router) is what appeared: a "không tìm thấy"
    # that was on the page before the lookup is not an answer to it. A new page is all answer.
    in_place = journey.answered in ("in_place", "route")
    text = (journey.new_text if in_place else journey.text).strip()
    folded = view.folded(text)
    why: Msg | str
    if journey.error:
        verdict, why = Status.FAIL, journey.error
    elif journey.status is None or journey.status >= 400:
        verdict, why = Status.FAIL, http_problem(journey.status)
    elif journey.answered == "none":
        verdict, why = Status.FAIL, msg("lookup.no_answer")
    # Error pages first: "Không tìm thấy trang" holds "không tìm thấy", yet it answers nothing.
    elif (error := contains_word_phrase(folded, view.vocab.error_page_phrases,
                                        folded=True)) is not None:
        verdict, why = Status.FAIL, msg("lookup.error_page", phrase=error)
    elif not text or (not in_place and len(text) < params.min_text_chars):
        verdict, why = Status.FAIL, msg("lookup.blank")
    elif (phrase := contains_any(folded, view.vocab.not_found_phrases, folded=True)) is not None:
        verdict, why = Status.PASS, msg("lookup.answered", phrase=phrase)
    elif in_place and contains_any(view.folded(journey.text), view.vocab.not_found_phrases,
                                   folded=True) is not None:
        verdict, why = Status.NEEDS_REVIEW, msg("lookup.phrase_was_there")
    else:
        verdict, why = Status.NEEDS_REVIEW, msg("lookup.unknown_wording")
    return Outcome(
        verdict, 1.0 if verdict is Status.PASS else 0.0,
        display_value=msg("lookup.measured", code=journey.code, why=why), expected=expected,
        findings=(Finding(msg("lookup.finding", code=journey.code, why=why), page_url=where,
                          snippet=clip(text, 200) or None),),
        pages=tuple(u for u in (journey.form_page, where) if u),
        data={"answered": journey.answered},
    )


class ClicksParams(Params):
    # TT 32/2017/TT-BTTTT Đ11.2.b: a service is found "sau tối đa 03 lần bấm chuột từ trang chủ".
    max_clicks: int = Field(3, ge=1)
    min_share: float = Field(1.0, ge=0, le=1)


@register("services_within_clicks", level="site", params=ClicksParams)
def services_within_clicks(view: EvidenceView, params: ClicksParams) -> Outcome:
    """The share of catalogue services a citizen reaches within ``max_clicks`` clicks of
    the homepage, over the recorded link graph. Evidence: the crawled pages and their links."""
    services = view.services
    expected = msg("clicks.expected", max=params.max_clicks)
    if not services:
        return Outcome(Status.FAIL, 0.0, display_value=msg("clicks.no_services"),
                       expected=expected, findings=(Finding(msg("clicks.no_services_finding")),))
    deep = [(s, view.service_depth(s)) for s in services]
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
    """The homepage shows a support telephone number (a ``tel:`` link, or a number
    matching the params' pattern). Evidence: the homepage's text and links."""
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


# -- helpers of the checks below ------------------------------------------------------------------


def _groups_found(text: str, groups: list[TermGroup]) -> tuple[list[TermGroup], list[TermGroup]]:
    folded = fold(text)
    found: list[TermGroup] = []
    missing: list[TermGroup] = []
    for group in groups:
        (found if contains_any(folded, group.match, folded=True) is not None
         else missing).append(group)
    return found, missing


def _labels(groups: list[TermGroup], lang: str = "vi") -> str:
    return ", ".join(g.label.vi if lang == "vi" else g.label.en for g in groups)


# -- F02: information completeness of service pages ---------------------------------------------


class ServiceInfoParams(Params):
    # Mean share of the mandatory fields (TT 32/2017/TT-BTTTT Đ5.1) a sampled page must carry.
    min_completeness: float = Field(1.0, ge=0, le=1)
    # Share of the score carried by the forms (Đ5.2.b: forms downloadable); the rest by fields.
    forms_weight: float = Field(0.25, ge=0, le=1)


@register("service_information_complete", level="site", params=ServiceInfoParams,
          evidence="journeys.service_sample")
def service_information_complete(view: EvidenceView, params: ServiceInfoParams) -> Outcome:
    """Sampled service pages carry the mandatory fields of a procedure (vocabulary
    ``service_fields``) and offer their forms for download. Evidence: the service sample
    journey (``journeys.service_sample``)."""
    journey = view.bundle.journeys.service_sample
    if journey is None:
        raise _journey_missing(view, "service_sample", msg("missing.service_sample"))
    fields = view.vocab.service_fields
    expected = msg("service_info.expected", share=_percent(params.min_completeness),
                   fields=len(fields))
    read = [p for p in journey.pages if p.error is None and p.status is not None
            and p.status < 400]
    if not read:
        return Outcome(Status.FAIL, 0.0, display_value=msg("service_info.none"),
                       expected=expected,
                       findings=tuple(Finding(msg("service_info.unreadable"), page_url=p.url,
                                              value=p.error or f"HTTP {p.status}")
                                      for p in journey.pages[:10]))
    findings: list[Finding] = []
    shares = []
    # Pages lacking the same fields make one finding (a portal's template lacks them all).
    lacking: dict[tuple[str, ...], list[ServicePageSample]] = {}
    for sample in read:
        found, missing = _groups_found(sample.text, fields)
        shares.append(len(found) / len(fields))
        if missing:
            lacking.setdefault(tuple(g.id for g in missing), []).append(sample)
    by_id = {g.id: g for g in fields}
    for ids, samples in lacking.items():
        first = samples[0]
        findings.append(Finding(
            msg("service_info.missing", service=clip(first.name, 60), pages=len(samples),
                count=len(ids), total=len(fields)),
            page_url=first.final_url or first.url, value=_labels([by_id[i] for i in ids]),
            expected=msg("service_info.all_fields")))
    completeness = sum(shares) / len(shares)
    forms = [f for p in read for f in p.forms]
    extensions = tuple(e.lower() for e in view.vocab.form_extensions)
    good_forms = [f for f in forms if f.error is None and f.status == 200 and f.bytes > 0
                  and _downloaded_as(f, extensions) != "page"]
    broken: dict[str, list[FormDownload]] = {}
    for form in forms:
        if form not in good_forms:
            why = form.error or ("empty" if form.status == 200 and form.bytes <= 0 else
                                 "page" if form.status == 200 else str(form.status))
            broken.setdefault(why, []).append(form)
    for why, group in broken.items():
        form = group[0]
        reason: Msg | str = form.error or (
            msg("service_info.empty_form") if why == "empty" else
            msg("service_info.not_a_document", type=form.content_type or "?") if why == "page"
            else http_problem(form.status))
        findings.append(Finding(msg("service_info.form_broken", why=reason, forms=len(group)),
                                page_url=form.url, value=clip(form.text, 60) or None))
    if not forms:
        findings.append(Finding(msg("service_info.no_forms")))
    forms_share = len(good_forms) / len(forms) if forms else 0.0
    score = (1 - params.forms_weight) * completeness + params.forms_weight * forms_share
    ok = completeness >= params.min_completeness - 1e-9 and forms and forms_share == 1.0
    return Outcome(
        Status.PASS if ok else Status.FAIL, round(score, 6), value=round(completeness, 4),
        unit="share",
        display_value=msg("service_info.measured", pages=len(read), total=journey.services_total,
                          share=_percent(completeness), good=len(good_forms), forms=len(forms)),
        expected=expected, findings=tuple(findings),
        pages=tuple(p.final_url or p.url for p in read),
        data={"sampled": len(journey.pages), "read": len(read), "seed": journey.seed,
              "completeness": round(completeness, 4), "forms": len(forms),
              "forms_ok": len(good_forms)},
    )


# What a download endpoint answers with when it hands over a form (Word, PDF, Excel,
# OpenDocument, RTF, an archive, or the generic binary stream of many `download.jsp?id=`
# endpoints, CONFIG-FACTS §6): a form even without a file extension in its address.
_DOCUMENT_TYPES = ("msword", "officedocument", "pdf", "ms-excel", "opendocument", "rtf",
                   "zip", "x-rar", "octet-stream")


def _downloaded_as(form: FormDownload, extensions: tuple[str, ...]) -> str:
    """"document", "page" (a web page answered: a login screen, an error page served with 200)
    or "unknown" (no content type recorded: bundles gathered before it was, judged as then)."""
    kind = form.content_type.split(";")[0].strip().lower()
    if "attachment" in form.disposition.lower() or any(t in kind for t in _DOCUMENT_TYPES):
        return "document"
    if kind in ("text/html", "application/xhtml+xml"):
        return "page"
    if urlsplit(form.url).path.lower().endswith(extensions):
        return "document"
    return "unknown"


# -- F05: discoverable by search engines ------------------------------------------------------------


@register("search_engine_discoverable", level="site", evidence="sitemap")
def search_engine_discoverable(view: EvidenceView, params: Params) -> Outcome:
    """Search engines may find the services: robots.txt blocks none of them and the
    sitemap lists them. Evidence: robots.txt and sitemap.xml as read (``sitemap``) and the
    catalogue's services."""
    bundle = view.bundle
    expected = msg("discoverable.expected")
    services = view.services
    problems: list[Finding] = []
    if not services:
        # Nothing to find: "no service blocked, none missing from the sitemap" is vacuous.
        problems.append(Finding(msg("discoverable.no_services"), page_url=bundle.start_url))
    robots_body = bundle.robots.body if bundle.robots and bundle.robots.status == 200 else ""
    parser = RobotFileParser()
    parser.parse(robots_body.splitlines())
    blocked = [s for s in services if not parser.can_fetch("*", s.url)]
    for s in blocked[:5]:
        problems.append(Finding(msg("discoverable.blocked", service=clip(s.name, 60)),
                                page_url=s.url, value=bundle.robots.url if bundle.robots else None))
    sitemap = bundle.sitemap
    listed: set[str] = set()
    if sitemap is None or sitemap.error or sitemap.url_count == 0:
        why = (sitemap.error if sitemap and sitemap.error else msg("discoverable.no_sitemap"))
        problems.append(Finding(msg("discoverable.sitemap_missing", why=why),
                                page_url=sitemap.url if sitemap else None))
    else:
        listed = {view.normalised(u) for u in sitemap.urls}
        if services and not any(s.url in listed for s in services):
            problems.append(Finding(msg("discoverable.services_not_listed"), page_url=sitemap.url))
    untitled = [p for p in view.html_pages if not p.title.strip()
                and "html" in (p.content_type or "html")]
    for p in untitled[:5]:
        problems.append(Finding(msg("discoverable.untitled"), page_url=p.final_url))
    listed_services = sum(1 for s in services if s.url in listed)
    return Outcome(
        Status.FAIL if problems else Status.PASS, 0.0 if problems else 1.0,
        display_value=msg("discoverable.measured", listed=listed_services, total=len(services),
                          blocked=len(blocked), untitled=len(untitled)),
        expected=expected, findings=tuple(problems),
    )


# -- F06: login hands over to the national identity provider ---------------------------------------


@register("login_national_identity", level="site", evidence="journeys.login")
def login_national_identity(view: EvidenceView, params: Params) -> Outcome:
    """"Đăng nhập" hands over to a national identity provider (VNeID and the hosts the
    vocabulary lists), nothing typed. Evidence: the login journey (``journeys.login``)."""
    journey = view.bundle.journeys.login
    if journey is None:
        raise _journey_missing(view, "login", msg("missing.login_journey"))
    allowed = list(view.vocab.identity_providers)
    extra = view.bundle.settings.get("trusted_identity_hosts") or []
    allowed += [str(h) for h in extra if isinstance(h, str)]
    expected = msg("login.expected", hosts=", ".join(view.vocab.identity_providers))
    start = view.bundle.start_url
    if not journey.link_found:
        return Outcome(Status.FAIL, 0.0, display_value=msg("login.no_link"), expected=expected,
                       findings=(Finding(msg("login.no_link_finding"), page_url=start),))
    pages = tuple(s.final_url or s.url for s in journey.steps)
    if journey.identity_url is None:
        last = journey.steps[-1] if journey.steps else None
        why: Msg | str = journey.error or (last.error if last and last.error else
                                          msg("login.stays_on_portal"))
        return Outcome(
            Status.FAIL, 0.0, display_value=msg("login.no_handover", why=why), expected=expected,
            findings=(Finding(msg("login.no_handover_finding",
                                  password=msg("login.password") if journey.password_form
                                  else msg("login.no_password")),
                              page_url=last.final_url if last else start,
                              value=clip(journey.link_text, 60)),),
            pages=pages)
    host = urlsplit(journey.identity_url).netloc
    entry = host_listed(journey.identity_url, allowed)
    if entry is None:
        return Outcome(Status.FAIL, 0.0, display_value=msg("login.own_idp", host=host),
                       expected=expected,
                       findings=(Finding(msg("login.own_idp_finding", host=host),
                                         page_url=journey.identity_url),), pages=pages,
                       value=host)
    return Outcome(Status.PASS, 1.0, display_value=msg("login.national", host=host),
                   expected=expected, value=host,
                   findings=(Finding(msg("login.national_finding"), page_url=journey.identity_url,
                                     value=host),), pages=pages,
                   data={"identity_host": host, "password_form": journey.password_form})


# -- F09: online payment signs -----------------------------------------------------------------------


@register("online_payment_signs", level="site")
def online_payment_signs(view: EvidenceView, params: Params) -> Outcome:
    """A service page or the payment page hands over to a configured payment platform.

    A hand-over is a link or button of the page's content whose target is a platform (or the
    payment menu item leading straight to one). A partner logo in the site frame, a banner on
    another page or a script the page loads from a platform is no sign that fees can be paid."""
    hosts = view.payment_hosts
    expected = msg("payment.expected", hosts=", ".join(view.vocab.payment_hosts))
    role_page = view.role_page("payment")
    checked: list[Page] = []
    if role_page is not None and role_page.reason == "payment_handover":
        where = role_page.target or role_page.on_page
        handover = (view.payment_handover(role_page.target)
                    if role_page.target is not None else None)
        link = handover[0] if handover is not None else role_page.link
        return Outcome(Status.PASS, 1.0,
                       display_value=msg("payment.linked", host=role_page.detail),
                       expected=expected, value=role_page.detail,
                       findings=(Finding(msg("payment.link_finding", text=clip(link.text, 60)),
                                         page_url=where.final_url, value=link.href),),
                       pages=(where.final_url,))
    if role_page is not None and role_page.target is not None:
        checked.append(role_page.target)
    service_urls = {view.normalised(s.url) for s in view.services}
    checked += [p for p in view.html_pages
                if view.normalised(p.final_url) in service_urls
                and all(p is not c for c in checked)]
    for page in checked:
        found = view.payment_handover(page)
        if found is not None:
            ln, entry = found
            return Outcome(Status.PASS, 1.0, display_value=msg("payment.linked", host=entry),
                           expected=expected, value=entry,
                           findings=(Finding(msg("payment.link_finding", text=clip(ln.text, 60)),
                                             page_url=page.final_url, value=ln.href),),
                           pages=(page.final_url,))
    findings = [Finding(msg("payment.none_finding"), page_url=view.bundle.start_url)]
    if role_page is not None:
        findings.append(Finding(msg("payment.label_only", text=clip(role_page.link.text, 60)),
                                page_url=role_page.on_page.final_url, value=role_page.link.href))
    # What no longer counts, said so a reader sees why a platform's name on the portal is
    # not enough: a logo or banner elsewhere, a resource loaded from the platform.
    elsewhere = next(((p, ln) for p in view.html_pages for ln in p.links
                      if host_listed(ln.href, hosts)), None)
    if elsewhere is not None:
        findings.append(Finding(msg("payment.elsewhere"), page_url=elsewhere[0].final_url,
                                value=elsewhere[1].href))
    loaded = next(((p, r) for p in view.html_pages for r in p.requests
                   if host_listed(r.url, hosts)), None)
    if loaded is not None:
        findings.append(Finding(msg("payment.resource_only"), page_url=loaded[0].final_url,
                                value=loaded[1].url))
    return Outcome(Status.FAIL, 0.0, display_value=msg("payment.none", pages=len(checked)),
                   expected=expected, findings=tuple(findings),
                   pages=tuple(p.final_url for p in checked[:10]))


# -- F13, F14: a role page carrying the expected terms (rating scale, statistics series) -------------


# Dates a statistics page gives its figures: 05/12/2026 (also with . or -), 2026-12-05, "ngày 5
# tháng 12 năm 2026", and a month, 11/2026 or "tháng 11 năm 2026", read as its last day (a
# monthly report covers the month). Matched on folded text, where digits are unchanged.
_DMY = re.compile(r"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?![\d/.-]?\d)")
_YMD = re.compile(r"(?<![\d/.-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d-])")
_WORDS_DMY = re.compile(r"ngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})")
_MY = re.compile(r"(?<![\d/.-])(\d{1,2})/(\d{4})(?![\d/]|[.-]\d)|thang (\d{1,2}) nam (\d{4})")
# How far the block of the series reaches around its first and last line: a heading and the
# "cập nhật đến ngày …" line above a table, a note under it.
_SERIES_BLOCK_LINES = 3


def _dates(folded_line: str) -> list[date]:
    found: list[date] = []
    for d, m, y in _DMY.findall(folded_line) + _WORDS_DMY.findall(folded_line):
        with contextlib.suppress(ValueError):
            found.append(date(int(y), int(m), int(d)))
    for y, m, d in _YMD.findall(folded_line):
        with contextlib.suppress(ValueError):
            found.append(date(int(y), int(m), int(d)))
    for m1, y1, m2, y2 in _MY.findall(_DMY.sub(" ", folded_line)):
        month, year = int(m1 or m2), int(y1 or y2)
        if 1 <= month <= 12:
            found.append(date(year, month, calendar.monthrange(year, month)[1]))
    return found


@dataclass(frozen=True)
class _StatsDate:
    newest: date | None
    # Dates on the page that were not taken: in the site frame (also on the homepage), away
    # from the series and from any statistics-date word, or after the evaluation.
    elsewhere: date | None
    future: date | None


def _statistics_date(view: EvidenceView, page: Page, groups: list[TermGroup]) -> _StatsDate:
    """The newest date that belongs to the statistics: near a `statistics_date_words` phrase
    ("Số liệu cập nhật đến ngày …") or in the block of lines holding the series, never in the
    site frame (a line the homepage carries too: "Hôm nay, 06/12/2026") nor after the day
    of the evaluation."""
    evaluated = datetime.fromisoformat(view.bundle.started_at).date()
    lines = [view.folded(line) for line in page.text.split("\n")]
    framed = {view.folded(ln.text) for ln in page.links if ln.text and view.in_frame(ln)}
    start = view.start_page
    home_lines = set() if start is None or start is page else {
        view.folded(line) for line in start.text.split("\n")}
    needles = [view.folded(m) for g in groups for m in g.match]
    series = [i for i, line in enumerate(lines)
              if line and line not in framed and any(n and n in line for n in needles)]
    low = series[0] - _SERIES_BLOCK_LINES if series else 0
    high = series[-1] + _SERIES_BLOCK_LINES if series else -1
    words = [view.folded(w) for w in view.vocab.statistics_date_words]
    taken: list[date] = []
    other: list[date] = []
    future: list[date] = []
    for i, line in enumerate(lines):
        found = _dates(line) if any(ch.isdigit() for ch in line) else []
        if not found:
            continue
        before = lines[i - 1] if i else ""
        near = any(w and (w in line or w in before) for w in words)
        own = (near or low <= i <= high) and line not in home_lines
        for day in found:
            if day > evaluated:
                future.append(day)
            elif own:
                taken.append(day)
            else:
                other.append(day)
    return _StatsDate(max(taken, default=None), max(other, default=None),
                      max(future, default=None))


# -- F13-F16 and more: a page a labelled link leads to, holding what its role asks ------------------


class RolePageParams(Params):
    """Which role's page (a key of the vocabulary's ``labels``), what it must hold, how much.

    ``measure``: ``link``, the page is what its label says (derived.py judges the fit: a
    feedback form or address, a page that loads); ``questions``, at least ``min``
    question-answer pairs; ``terms``, at least the share ``min`` of the term groups ``terms``
    names (a list of the vocabulary: ``rating_levels``, ``statistics_series`` or one of its
    ``page_terms``), dated within ``max_age_days`` when that is given.
    """

    role: str
    measure: Literal["link", "questions", "terms"] = "link"
    terms: str | None = None
    min: float | None = Field(None, ge=0)
    # A mailto: link counts as the page (TT 32/2017 Đ11.2.g accepts an e-mail address for
    # comments); only for measure: link.
    accept_mailto: bool = False
    # The newest date that belongs to the figures (near a `statistics_date_words` phrase or in
    # the block of the series; never the site frame's date, never a future one) must be at most
    # this many days before the evaluation; None: no freshness check.
    max_age_days: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _fits_the_measure(self) -> RolePageParams:
        if self.measure == "link":
            if self.terms is not None or self.min is not None or self.max_age_days is not None:
                raise ValueError("measure 'link' takes no terms, min or max_age_days")
        elif self.accept_mailto:
            raise ValueError("accept_mailto is for measure 'link' only")
        if self.measure == "questions" and (self.min is None or self.min < 1
                                            or not float(self.min).is_integer()):
            raise ValueError("measure 'questions' needs min: a whole number of questions ≥ 1")
        if self.measure == "terms" and (self.terms is None or self.min is None or self.min > 1):
            raise ValueError("measure 'terms' needs terms and min: a share from 0 to 1")
        if self.max_age_days is not None and self.measure != "terms":
            raise ValueError("max_age_days is for measure 'terms' only")
        return self

    def vocabulary_problem(self, vocabulary: Vocabulary) -> tuple[str, str] | None:
        """The loader's load-time check (NeedsVocabulary): the role must have labels, and the
        term groups must exist."""
        if not vocabulary.labels.get(self.role):
            known = ", ".join(sorted(r for r, labels in vocabulary.labels.items() if labels))
            return "role", f"role '{self.role}' has no labels in the vocabulary (labelled: {known})"
        if self.terms is not None and not term_groups(vocabulary, self.terms):
            named = ", ".join(["rating_levels", "statistics_series", *sorted(vocabulary.page_terms)])
            return "terms", f"no term groups '{self.terms}' in the vocabulary (named: {named})"
        return None


def term_groups(vocabulary: Vocabulary, name: str) -> list[TermGroup]:
    """The term groups ``name`` names: a built-in list of the vocabulary or one of its
    ``page_terms``; empty when there is none."""
    if name in ("rating_levels", "statistics_series"):
        groups: list[TermGroup] = getattr(vocabulary, name)
        return groups
    return vocabulary.page_terms.get(name, [])


@register("role_page", level="site", params=RolePageParams)
def role_page(view: EvidenceView, params: RolePageParams) -> Outcome:
    """A page a citizen reaches from the homepage by its label (FAQ, feedback, rating,
    statistics, a privacy policy…) and what it holds: that it is what its label says, its
    question-answer pairs, or its share of the term groups (with a date, for figures).

    Why: each criterion's legal source is in its YAML. Evidence: the crawled pages (links of
    the homepage and one level below, with their targets), the vocabulary's labels and terms.
    """
    labels = view.vocab.labels.get(params.role)
    if not labels:
        raise MissingEvidence(f"labels.{params.role}", msg("missing.role_labels"))
    questions_wanted = params.measure == "questions"
    groups = term_groups(view.vocab, params.terms) if params.terms is not None else []
    if questions_wanted:
        expected = msg("faq.expected", min=int(params.min or 0))
    elif params.measure == "terms":
        expected = msg("terms.expected", labels=_labels(groups),
                       share=_percent(params.min or 0.0))
    else:
        expected = msg("role_link.expected", labels=", ".join(labels))
    best = view.role_page(params.role)
    if best is None:
        none, finding = ((msg("faq.none"), msg("faq.none_finding")) if questions_wanted else
                         (msg("role_link.none"),
                          msg("role_link.none_finding", labels=", ".join(labels))))
        return Outcome(Status.FAIL, 0.0, display_value=none, expected=expected,
                       findings=(Finding(finding, page_url=view.bundle.start_url),))
    link, on_page, target = best.link, best.on_page, best.target
    text = clip(link.text, 50)
    if params.measure == "link" and link.href.startswith("mailto:"):
        ok = params.accept_mailto and best.fit == "fits"
        return Outcome(Status.PASS if ok else Status.FAIL, 1.0 if ok else 0.0,
                       display_value=msg("role_link.mailto", text=text, href=link.href),
                       expected=expected,
                       findings=(Finding(msg("role_link.mailto_finding"),
                                         page_url=on_page.final_url, value=link.href),),
                       pages=(on_page.final_url,))
    if best.fit == "unknown":
        shown, said = ((msg("faq.not_crawled"), msg("faq.not_crawled_finding"))
                       if questions_wanted else
                       (msg("role_link.not_crawled"), msg("role_link.not_crawled_finding")))
        return Outcome(Status.NEEDS_REVIEW, 0.0, display_value=shown, expected=expected,
                       findings=(Finding(said, page_url=on_page.final_url, value=link.href),))
    others = [f for f in role_findings(view, params.role) if f.value != link.href]
    why = fit_reason(best)
    if params.measure == "link":
        # The page must be what its label says (a feedback form, an address, its words), not
        # merely load: a "Góp ý" that opens the homepage or an empty page is no channel.
        ok = best.fit == "fits"
        return Outcome(
            Status.PASS if ok else Status.FAIL, 1.0 if ok else 0.0,
            display_value=msg("role_link.measured", text=text, why=why), expected=expected,
            findings=(Finding(msg("role_link.finding", text=text, why=why),
                              page_url=on_page.final_url, value=link.href), *others),
            pages=(best.target.final_url,) if best.target is not None else (),
            data={"reason": best.reason, "via": link.via},
        )
    if target is None or best.reason in ("broken", "homepage"):
        pages = (target.final_url,) if target is not None else ()
        if questions_wanted:
            return Outcome(Status.FAIL, 0.0, display_value=msg("faq.broken", why=why),
                           expected=expected,
                           findings=(Finding(msg("faq.broken_finding", why=why),
                                             page_url=on_page.final_url, value=link.href),
                                     *others), pages=pages)
        return Outcome(Status.FAIL, 0.0, display_value=msg("role_link.measured", text=text, why=why),
                       expected=expected,
                       findings=(Finding(msg("role_link.finding", text=text, why=why),
                                         page_url=on_page.final_url, value=link.href),),
                       pages=pages)
    if questions_wanted:
        return _questions_outcome(target, params, expected, others)
    return _terms_outcome(view, target, link.text, groups, params, expected, others)


def _questions_outcome(target: Page, params: RolePageParams, expected: Msg,
                       others: list[Finding]) -> Outcome:
    found = questions(target.text)
    ok = len(found) >= (params.min or 0)
    return Outcome(
        Status.PASS if ok else Status.FAIL, 1.0 if ok else 0.0,
        value=len(found), unit="questions",
        display_value=msg("faq.measured", count=len(found)), expected=expected,
        findings=tuple(Finding(msg("faq.question"), page_url=target.final_url, snippet=clip(q, 120))
                       for q in found[:3]) + tuple(others),
        pages=(target.final_url,),
    )


def _terms_outcome(view: EvidenceView, target: Page, link_text: str, groups: list[TermGroup],
                   params: RolePageParams, expected: Msg, others: list[Finding]) -> Outcome:
    # The terms count where the page carries them beyond its menu (derived.py): the menu item
    # "Đánh giá sự hài lòng" on every page is not the satisfaction scale.
    found = view.groups_in_content(target, groups)
    missing = [g for g in groups if g not in found]
    share = len(found) / len(groups)
    findings = [Finding(msg("terms.missing"), page_url=target.final_url,
                        value=f"{g.label.vi} / {g.label.en}") for g in missing]
    findings += others
    fresh = True
    newest: date | None = None
    if params.max_age_days is not None:
        evaluated = datetime.fromisoformat(view.bundle.started_at).date()
        dated = _statistics_date(view, target, groups)
        newest = dated.newest
        if dated.future is not None:
            findings.append(Finding(msg("terms.future_date"), page_url=target.final_url,
                                    value=dated.future.isoformat()))
        if newest is None:
            fresh = False
            findings.append(Finding(msg("terms.undated"), page_url=target.final_url))
            if dated.elsewhere is not None:
                findings.append(Finding(msg("terms.date_not_theirs"), page_url=target.final_url,
                                        value=dated.elsewhere.isoformat()))
        elif (evaluated - newest).days > params.max_age_days:
            fresh = False
            findings.append(Finding(msg("terms.stale", days=(evaluated - newest).days,
                                        max=params.max_age_days),
                                    page_url=target.final_url, value=newest.isoformat()))
    ok = share >= (params.min or 0.0) - 1e-9 and fresh
    text = clip(link_text, 50)
    return Outcome(
        Status.PASS if ok else Status.FAIL, 1.0 if ok else round(share * (1 if fresh else 0.5), 6),
        value=round(share, 4), unit="share",
        display_value=(msg("terms.measured", text=text, found=len(found), total=len(groups))
                       if fresh else
                       msg("terms.measured_stale", text=text, found=len(found),
                           total=len(groups))),
        expected=expected, findings=tuple(findings), pages=(target.final_url,),
        data={"found": [g.id for g in found], "newest_date": newest.isoformat() if newest else None},
    )


# -- F17: guides with video, audio and an ethnic-minority language ----------------------------------


class GuidesParams(Params):
    # A guide is in a minority language when it holds that language, not when it names it
    # ("Hướng dẫn bằng tiếng Mông" is Vietnamese): a `lang` attribute of a minority code, at
    # least `min_script_chars` letters of a minority script (Khmer, Cham, Tai Viet: a stray
    # symbol is not a text), or at least `min_minority_words` distinct common words of one
    # Latin-written minority language (vocabulary `minority_language_words`; a single word
    # such as "kev" can be a name, three make a sentence) [I: RESEARCH.md F17].
    min_minority_words: int = Field(3, ge=1)
    min_script_chars: int = Field(10, ge=1)


# Scripts of Vietnam's minority languages that are not Latin: Khmer (Khmer Krom, U+1780-17FF
# and its symbols U+19E0-19FF), Cham (U+AA00-AA5F), Tai Viet (Tai Dam, Tai Don, U+AA80-AADF).
_MINORITY_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("km", re.compile("[\u1780-\u17ff\u19e0-\u19ff]")),
    ("cjm", re.compile("[\uaa00-\uaa5f]")),
    ("blt", re.compile("[\uaa80-\uaadf]")),
)
# Words with their diacritics kept: folded, the Tày "bản" would be Vietnamese "ban", "bán".
_TOKEN = re.compile(r"[\w\u0300-\u036f]+")


def minority_language(page: GuidePage, vocab: Vocabulary, params: GuidesParams) -> str | None:
    """The minority language a guide page is written in (a code), or None."""
    codes = {c.lower() for c in vocab.minority_language_codes}
    lang = next((lang.split("-")[0].lower() for lang in page.langs
                 if lang.split("-")[0].lower() in codes), None)
    if lang is not None:
        return lang
    text = f"{page.title}\n{page.text}"
    for code, script in _MINORITY_SCRIPTS:
        if len(script.findall(text)) >= params.min_script_chars:
            return code
    tokens = set(_TOKEN.findall(unicodedata.normalize("NFC", text.lower())))
    for code, words in vocab.minority_language_words.items():
        wanted = {unicodedata.normalize("NFC", w.lower()) for w in words}
        if len(wanted & tokens) >= params.min_minority_words:
            return code
    return None


@register("guides_multimedia", level="site", params=GuidesParams, evidence="journeys.guides")
def guides_multimedia(view: EvidenceView, params: GuidesParams) -> Outcome:
    """The guides offer text, video, audio and a guide written in an ethnic-minority
    language (held, not only named). Evidence: the guides journey (``journeys.guides``); codes
    and words from the vocabulary."""
    journey = view.bundle.journeys.guides
    if journey is None:
        raise _journey_missing(view, "guides", msg("missing.guides_journey"))
    expected = msg("guides.expected")
    if not journey.found:
        return Outcome(Status.FAIL, 0.0, display_value=msg("guides.none"), expected=expected,
                       findings=(Finding(msg("guides.none_finding"),
                                         page_url=view.bundle.start_url),))
    read = [p for p in journey.pages if p.error is None and p.status is not None
            and p.status < 400]
    video = next((p for p in read if p.videos or p.video_embeds), None)
    audio = next((p for p in read if p.audios), None)
    written = next(((p, lang) for p in read
                    if (lang := minority_language(p, view.vocab, params)) is not None), None)
    minority = written[0] if written is not None else None
    # Named but not written: said, so a reader sees why "tiếng Mông" in a title did not count.
    named = next((p for p in read if contains_any(f"{p.title} {p.text}",
                                                  view.vocab.minority_language_keywords)),
                 None) if minority is None else None
    parts = {"text": bool(read), "video": video is not None, "audio": audio is not None,
             "minority": minority is not None}
    lacks = {"text": msg("guides.lacks_text"), "video": msg("guides.lacks_video"),
             "audio": msg("guides.lacks_audio"), "minority": msg("guides.lacks_minority")}
    missing = tuple(lacks[name] for name, ok in parts.items() if not ok)
    findings = [Finding(msg("guides.lacking", parts=missing), page_url=journey.index_url)
                ] if missing else []
    findings += [Finding(message, page_url=p.final_url or p.url)
                 for message, p in ((msg("guides.has_video"), video),
                                    (msg("guides.has_audio"), audio))
                 if p is not None]
    if written is not None:
        findings.append(Finding(msg("guides.has_minority"), page_url=written[0].final_url
                                or written[0].url, value=written[1]))
    if named is not None:
        findings.append(Finding(msg("guides.minority_named_only"),
                                page_url=named.final_url or named.url,
                                snippet=clip(named.title, 120) or None))
    score = sum(parts.values()) / len(parts)
    return Outcome(
        Status.PASS if score == 1.0 else Status.FAIL, score, value=round(score, 4), unit="share",
        display_value=msg("guides.measured", pages=len(read), met=sum(parts.values()),
                          total=len(parts)),
        expected=expected, findings=tuple(findings),
        pages=tuple(p.final_url or p.url for p in read), data=parts,
    )


# -- F19: essential services featured on the homepage -----------------------------------------------


class EssentialParams(Params):
    # How many of the configured essential services the homepage must link by name. 5: a
    # provincial portal offers about a dozen of the 25 (the rest are Bộ Công an's) [I].
    min_present: int = Field(5, ge=1)


@register("essential_services_featured", level="site", params=EssentialParams)
def essential_services_featured(view: EvidenceView, params: EssentialParams) -> Outcome:
    """The homepage features at least ``min_present`` of the vocabulary's essential
    services by name, outside its menu and footer. Evidence: the homepage's links."""
    start = view.start_page
    if start is None:
        raise MissingEvidence("pages", msg("missing.homepage"))
    expected = msg("essential.expected", min=params.min_present)
    present: list[tuple[str, str, str]] = []
    # The homepage's own links outside its menu and footer (landmarks, or the frame learnt
    # from the other pages: not the landmark guess, which on a page drawn without landmarks
    # takes every link for the frame), whatever found them: an <a href>, a button or card
    # activated, a router link, or one read from its onclick source (Link.via).
    featured = [ln for ln in start.links
                if ln.region not in ("nav", "footer") and not (
                    view.frame_learnt and ln.region != "main"
                    and view.key(ln.href) in view.template_hrefs)]
    for service in view.vocab.essential_services:
        names = [view.folded(m) for m in service.match]
        hit = next((ln for ln in featured
                    if any(n in view.folded(ln.text or ln.context) for n in names)), None)
        if hit is not None:
            present.append((service.name, hit.href, hit.via))
    score = min(1.0, len(present) / params.min_present)
    return Outcome(
        Status.PASS if len(present) >= params.min_present else Status.FAIL, score,
        value=len(present), unit="services",
        display_value=msg("essential.measured", count=len(present),
                          total=len(view.vocab.essential_services)),
        expected=expected,
        findings=tuple(Finding(msg("essential.found", name=name), page_url=start.final_url,
                               value=href if via == "href" else f"{href} ({via})")
                       for name, href, via in present),
        pages=(start.final_url,),
    )


# -- manual criteria -----------------------------------------------------------------------------------


@register("auditor_attestation", level="site", evidence="attestations")
def auditor_attestation(view: EvidenceView, params: Params) -> Outcome:
    """A criterion no browser can judge (a test account, a real payment, agency knowledge).

    Without an attestation it stays needs_review: never a silent 0 nor full marks. scoring.py
    replaces this outcome with the auditor's attestation when one is given."""
    return Outcome(Status.NEEDS_REVIEW, None, display_value=msg("manual.needs_attestation"),
                   expected=msg("manual.expected"))


def attested_outcome(score: float, note: str, expected: Msg | None) -> Outcome:
    """The outcome of a manual criterion an auditor attested: 1 passes, 0.5 and 0 fail; the
    criterion earns its points times ``score`` (scoring.py)."""
    return Outcome(Status.PASS if score == 1 else Status.FAIL, score, value=score,
                   unit="attested score",
                   display_value=msg("manual.attested", score=score, note=note),
                   expected=expected,
                   # No finding: the note is the measure, and the report shows the evidence link
                   # with the attestation (it is the auditor's, not a page of the portal).
                   )
