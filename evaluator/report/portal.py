"""The report of one portal: its views (grade, pillars, "Fix first", every criterion) and the page.

The renderer reads only the result model (ARCHITECTURE.md principle 4), never evidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluator.base.result import CriterionResult, FindingResult, PortalResult
from evaluator.base.status import Status
from evaluator.report.environment import (
    PORTAL_TEMPLATE,
    Translator,
    page_context,
    render_template,
    write_text_atomic,
)
from evaluator.report.fix_first import fix_context
from evaluator.report.format import (
    DASH,
    Link,
    clip,
    fmt_points,
    fmt_threshold,
    fmt_time,
    grade_tone,
    is_evaluated,
    percent,
    pick,
    safe_href,
    score_tone,
    tone,
)

# What a reader needs first: what to fix (fail), what could not be judged (error), what a person
# must look at (needs_review), then what is fine.
STATUS_ORDER: dict[Status, int] = {
    Status.FAIL: 0, Status.ERROR: 1, Status.NEEDS_REVIEW: 2, Status.PASS: 3,
    Status.NOT_APPLICABLE: 4,
}
# Findings shown per criterion: the first few in the open, the rest up to MAX_FINDINGS folded in
# a <details>; beyond that only a count (the result itself already caps what it stores).
MAX_FINDINGS = 20
OPEN_FINDINGS = 3
MAX_PAGES = 20
PAGES_OPEN_UP_TO = 3
MAX_SNIPPET = 600
# What a person must look at, per criterion, in the list at the top; the rest is in its details.
REVIEW_FINDINGS = 5


@dataclass(frozen=True)
class BandView:
    grade: str
    min: str
    tone: int
    current: bool


@dataclass(frozen=True)
class PillarView:
    id: str
    title: str
    points: str
    possible: str
    percent: str
    tone: int
    not_applicable: str | None
    # Whether the criteria section has a group to jump to.
    anchor: bool


@dataclass(frozen=True)
class FindingView:
    message: str
    page: Link | None
    selector: str | None
    snippet: str | None
    value: str | None
    expected: str | None
    impact: str | None
    # A keyboard walk (KEYBOARD_WALK below): its stops in Tab order, shown as a list.
    stops: tuple[StopView, ...] = ()
    stops_more: int = 0


@dataclass(frozen=True)
class StopView:
    """One stop of a keyboard walk: its number in Tab order, the element, and the WCAG success
    criteria it fails (empty when it is fine)."""

    number: int
    element: str
    problems: str


# A finding whose value is this carries one template's keyboard walk in its snippet, a stop a
# line ("3. a “Hỏi đáp” ⚠ 2.4.7", then "… +12" for stops left out), written by the
# keyboard-access check (checks/keyboard.py WALK_VALUE; the report never imports checks).
KEYBOARD_WALK = "keyboard-walk"
_STOP_LINE = re.compile(r"^(\d+)\. (.*?)(?: ⚠ (.*))?$")
_MORE_LINE = re.compile(r"^… \+(\d+)$")


def _walk_stops(snippet: str) -> tuple[tuple[StopView, ...], int]:
    stops: list[StopView] = []
    more = 0
    for line in snippet.splitlines():
        if (m := _STOP_LINE.match(line)) is not None:
            stops.append(StopView(int(m[1]), m[2], m[3] or ""))
        elif (m := _MORE_LINE.match(line)) is not None:
            more = int(m[1])
    return tuple(stops), more


@dataclass(frozen=True)
class AttestationView:
    score: str
    note: str
    by: str
    on: str
    evidence: Link


@dataclass(frozen=True)
class CriterionView:
    id: str
    check: str
    status: str
    status_label: str
    title: str
    # The criterion's own title when ``title`` is its failure title (printed with the details,
    # so a printed report names every criterion).
    name: str | None
    # What was measured, on the collapsed line of a criterion that did not pass.
    summary_value: str
    fixed_by: str
    fixed_by_kind: str
    points: str
    possible: str
    display_value: str
    expected: str
    description: str
    fix: str
    source: str
    error: str | None
    manual: bool
    attested: bool
    # manual and nobody attested it yet: its points wait for an auditor.
    awaiting: bool
    attestation: AttestationView | None
    findings_open: list[FindingView]
    findings_folded: list[FindingView]
    findings_total: int
    findings_unlisted: int
    pages: list[Link]
    pages_unlisted: int
    pages_open: bool


@dataclass(frozen=True)
class ReviewView:
    """A criterion a person must look at (needs_review), with what to look at: listed apart from
    the failures, at the top of the report (issue 18)."""

    id: str
    title: str
    summary: str
    manual: bool
    points_possible: str
    findings: list[FindingView]
    findings_more: int


@dataclass(frozen=True)
class GroupView:
    id: str
    title: str
    points: str
    possible: str
    criteria: list[CriterionView]


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


def criteria_order(criteria: Sequence[CriterionResult]) -> list[CriterionResult]:
    """fail → error → needs_review → pass → not_applicable; within a status, most points lost
    first; ties keep the profile's order (the sort is stable)."""
    return sorted(criteria, key=lambda c: (STATUS_ORDER.get(c.status, len(STATUS_ORDER)),
                                           -(c.points_possible - c.points)))


def _finding_view(f: FindingResult, lang: str, t: Translator) -> FindingView:
    page = Link(f.page_url, safe_href(f.page_url)) if f.page_url else None
    # axe-core's impact scale (critical, serious, moderate, minor) in the report's language.
    impact = f.impact
    if impact and f"impact.{impact}" in t.strings:
        impact = t(f"impact.{impact}")
    if f.value == KEYBOARD_WALK and f.snippet:
        stops, more = _walk_stops(f.snippet)
        return FindingView(message=pick(f.message, lang), page=page, selector=None,
                           snippet=None, value=None, expected=None, impact=None,
                           stops=stops, stops_more=more)
    return FindingView(
        message=pick(f.message, lang), page=page, selector=f.selector,
        snippet=clip(f.snippet, MAX_SNIPPET), value=f.value,
        expected=pick(f.expected, lang) if f.expected is not None else None, impact=impact,
    )


def _criterion_view(c: CriterionResult, lang: str, t: Translator) -> CriterionView:
    shown = [_finding_view(f, lang, t) for f in c.findings[:MAX_FINDINGS]]
    total = max(c.findings_total, len(c.findings))
    pages = [Link(p, safe_href(p)) for p in c.pages[:MAX_PAGES]]
    failed = c.status is Status.FAIL
    display_value = pick(c.display_value, lang) if c.display_value is not None else ""
    return CriterionView(
        id=c.id, check=c.check, status=c.status.value, status_label=t(f"status.{c.status.value}"),
        title=pick(c.failure_title if failed else c.title, lang),
        name=pick(c.title, lang) if failed else None,
        summary_value=display_value if c.status not in (Status.PASS, Status.NOT_APPLICABLE)
        else "",
        fixed_by=t(f"fixed_by.{c.fixed_by}"), fixed_by_kind=c.fixed_by,
        # A not-applicable criterion is not scored at all: "0.0" would read as points lost.
        points=DASH if c.status is Status.NOT_APPLICABLE else fmt_points(c.points),
        possible=fmt_points(c.points_possible),
        display_value=display_value,
        expected=pick(c.expected, lang) if c.expected is not None else "",
        description=pick(c.description, lang), fix=pick(c.fix, lang), source=c.source,
        error=c.error,
        manual=c.manual, attested=c.points_source == "attestation",
        awaiting=c.manual and c.points_source != "attestation",
        attestation=None if c.attestation is None else AttestationView(
            score=fmt_points(c.attestation.score), note=c.attestation.note,
            by=c.attestation.attested_by, on=c.attestation.attested_on,
            evidence=Link(c.attestation.evidence, safe_href(c.attestation.evidence))),
        findings_open=shown[:OPEN_FINDINGS], findings_folded=shown[OPEN_FINDINGS:],
        findings_total=total, findings_unlisted=total - len(shown),
        pages=pages, pages_unlisted=len(c.pages) - len(pages),
        pages_open=len(c.pages) <= PAGES_OPEN_UP_TO,
    )


def _portal_context(result: PortalResult, lang: str, t: Translator) -> dict[str, Any]:
    bands = result.profile.bands
    evaluated = is_evaluated(result)
    pillars = [
        PillarView(
            id=p.id, title=pick(p.title, lang),
            points=fmt_points(p.points) if evaluated else DASH,
            possible=fmt_points(p.points_possible),
            percent=f"{percent(p.points, p.points_possible) if evaluated else 0.0:.2f}",
            tone=score_tone(percent(p.points, p.points_possible), bands) if evaluated else 0,
            not_applicable=fmt_points(p.points_not_applicable)
            if evaluated and p.points_not_applicable > 0 else None,
            anchor=evaluated and any(c.pillar == p.id for c in result.criteria),
        )
        for p in result.pillars.values()
    ]
    groups: list[GroupView] = []
    known = set(result.pillars)
    for p in result.pillars.values():
        mine = [c for c in result.criteria if c.pillar == p.id]
        if mine:
            groups.append(GroupView(
                id=p.id, title=pick(p.title, lang),
                points=fmt_points(p.points) if evaluated else DASH,
                possible=fmt_points(p.points_possible),
                criteria=[_criterion_view(c, lang, t) for c in criteria_order(mine)],
            ))
    strays = [c for c in result.criteria if c.pillar not in known]
    if strays:
        groups.append(GroupView(
            id="other", title=t("criteria.other_pillar"),
            points=fmt_points(sum(c.points for c in strays)),
            possible=fmt_points(sum(c.points_possible for c in strays)),
            criteria=[_criterion_view(c, lang, t) for c in criteria_order(strays)],
        ))
    review: list[ReviewView] = []
    for c in result.criteria:
        if c.status is not Status.NEEDS_REVIEW or not evaluated:
            continue
        view = _criterion_view(c, lang, t)
        shown = (view.findings_open + view.findings_folded)[:REVIEW_FINDINGS]
        review.append(ReviewView(id=c.id, title=pick(c.title, lang), summary=view.display_value,
                                 manual=c.manual, points_possible=fmt_points(c.points_possible),
                                 findings=shown,
                                 findings_more=max(0, view.findings_total - len(shown))))
    counts = [
        StatusCount(s.value, t(f"status.{s.value}"), n)
        for s in STATUS_ORDER
        if (n := sum(1 for c in result.criteria if c.status is s))
    ]
    versions = [
        ("portal-eval", result.versions.portal_eval),
        ("Chromium", result.versions.chromium or t("meta.unknown")),
        ("axe-core", result.versions.axe_core or t("meta.unknown")),
    ]
    if result.versions.lighthouse:
        versions.append(("Lighthouse", result.versions.lighthouse))
    if result.versions.playwright:
        versions.append(("Playwright", result.versions.playwright))
    return {
        "r": {
            "id": result.portal_id,
            "name": result.portal_name or result.portal_id,
            "start": Link(result.start_url, safe_href(result.start_url)),
            "evaluated_at": result.evaluated_at,
            "evaluated_at_text": fmt_time(result.evaluated_at),
            "profile_id": result.profile.id,
            "profile_title": pick(result.profile.title, lang),
            "versions": versions,
            "pages_evaluated": result.pages_evaluated,
            "not_evaluated": result.not_evaluated,
            "grade": result.grade if evaluated and result.grade else DASH,
            "tone": grade_tone(result.grade, bands) if evaluated else 0,
            "total": fmt_points(result.total) if evaluated else DASH,
            "total_possible": fmt_points(result.total_possible),
            "total_percent": f"{percent(result.total, result.total_possible):.2f}",
            # Automated-only vs full score: which points a check earned, which an auditor's
            # attestation gave, and which wait for one (manual criteria without attestation).
            "automated_points": fmt_points(sum(c.points for c in result.criteria
                                               if c.points_source != "attestation")),
            "attested_points": fmt_points(sum(c.points for c in result.criteria
                                              if c.points_source == "attestation")),
            "pending_points": fmt_points(sum(c.points_possible for c in result.criteria
                                             if c.manual and c.points_source != "attestation")),
            "has_manual": any(c.manual for c in result.criteria),
            "total_automated": (fmt_points(result.total_automated)
                                if evaluated and result.total_automated is not None else DASH),
            "bands": [
                BandView(b.grade, fmt_threshold(b.min), tone(i, len(bands)),
                         evaluated and b.grade == result.grade)
                for i, b in enumerate(bands)
            ],
            "pillars": pillars,
            "groups": groups,
            "review": review,
            "counts": counts,
            "evidence_errors": result.evidence_errors,
            "disabled": sorted(result.disabled.items()),
            **fix_context(result, lang, t),
        },
    }


def render_portal(result: PortalResult, lang: str = "vi") -> str:
    """The report of one portal as a self-contained HTML document."""
    context = page_context(lang)
    context.update(_portal_context(result, lang, context["t"]))
    context["performance"] = result.performance
    return render_template(PORTAL_TEMPLATE, context)



def write_portal_report(result: PortalResult, path: Path, lang: str = "vi") -> Path:
    return write_text_atomic(path, render_portal(result, lang))

