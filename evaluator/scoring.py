"""Points per criterion → pillar totals → /100 → grade. Pure and deterministic."""

from __future__ import annotations

from evaluator.checks.messages import text_or_none, to_text
from evaluator.checks.model import Status
from evaluator.criteria.loader import LoadedProfile
from evaluator.criteria.schema import Band
from evaluator.derived import EvidenceView
from evaluator.evidence import EvidenceBundle
from evaluator.performance_summary import build_performance_measurements
from evaluator.results import (
    CriterionResult,
    FindingResult,
    PillarResult,
    PortalResult,
    ProfileRef,
)
from evaluator.runner import CriterionOutcome, run_criterion


def grade_for(total: float, bands: list[Band]) -> str:
    """Bands are half-open from the top: A ≥ 90, B ≥ 80, … (QĐ 473/QĐ-BTTTT; RESEARCH.md §2)."""
    for band in bands:
        if total >= band.min:
            return band.grade
    return bands[-1].grade


def earned(outcome: CriterionOutcome) -> float:
    """Binary scoring pays only a pass; ratio scoring pays the check's score, even on a fail
    (8 of 10 pages fine earns 80 %). needs_review and error earn nothing until resolved."""
    criterion, result = outcome.criterion, outcome.outcome
    score = result.score if result.score is not None else 0.0
    if result.status is Status.PASS:
        return criterion.points if criterion.scoring == "binary" else criterion.points * score
    if result.status is Status.FAIL and criterion.scoring == "ratio":
        return criterion.points * score
    return 0.0


def _criterion_result(o: CriterionOutcome) -> CriterionResult:
    c, out = o.criterion, o.outcome
    points = 0.0 if out.status is Status.NOT_APPLICABLE else earned(o)
    return CriterionResult(
        id=c.id, pillar=c.pillar, status=out.status, points=round(points, 4),
        points_possible=c.points, score=out.score, manual=c.manual,
        title=c.title, failure_title=c.failure_title, description=c.description, fix=c.fix,
        source=c.source, check=c.check, scope=c.scope,
        value=out.value, unit=out.unit,
        # Messages become {vi, en} here: the result carries both languages, the report picks one.
        display_value=text_or_none(out.display_value), expected=text_or_none(out.expected),
        pages=list(out.pages),
        findings=[
            FindingResult(message=to_text(f.message), page_url=f.page_url, selector=f.selector,
                          snippet=f.snippet, value=f.value, expected=text_or_none(f.expected),
                          impact=f.impact)
            for f in out.findings
        ],
        findings_total=o.findings_total, error=o.error,
    )


def score_bundle(bundle: EvidenceBundle, profile: LoadedProfile) -> PortalResult:
    ref = ProfileRef(id=profile.profile.id, title=profile.profile.title,
                     digest=profile.digest, bands=profile.profile.bands)
    common = {
        "portal_id": bundle.portal_id, "portal_name": bundle.portal_name,
        "start_url": bundle.start_url, "evaluated_at": bundle.finished_at or bundle.started_at,
        "profile": ref, "versions": bundle.versions, "evidence_errors": bundle.errors,
        "disabled": bundle.disabled, "pages_evaluated": len(bundle.pages),
    }
    if bundle.not_evaluated is not None:
        empty = {
            p.id: PillarResult(id=p.id, title=p.title, points=0.0, points_possible=p.points)
            for p in profile.profile.pillars
        }
        return PortalResult(grade=None, total=None, pillars=empty, criteria=[],
                            not_evaluated=bundle.not_evaluated, **common)

    view = EvidenceView(bundle, profile.vocabulary)
    outcomes = [run_criterion(c, view) for c in profile.criteria]
    criteria = [_criterion_result(o) for o in outcomes]

    pillars: dict[str, PillarResult] = {}
    for pillar in profile.profile.pillars:
        mine = [c for c in criteria if c.pillar == pillar.id]
        na = sum(c.points_possible for c in mine if c.status is Status.NOT_APPLICABLE)
        applicable = sum(c.points_possible for c in mine) - na
        got = sum(c.points for c in mine if c.status is not Status.NOT_APPLICABLE)
        # Not-applicable criteria leave the denominator: the pillar keeps its weight, spread
        # over what could be judged on this portal.
        points = pillar.points * got / applicable if applicable > 0 else 0.0
        pillars[pillar.id] = PillarResult(
            id=pillar.id, title=pillar.title, points=round(points, 2),
            points_possible=pillar.points, points_not_applicable=na,
        )
    total = round(sum(p.points for p in pillars.values()), 2)
    return PortalResult(
        grade=grade_for(total, profile.profile.bands), total=total,
        pillars=pillars, criteria=criteria,
        performance=build_performance_measurements(bundle, profile.criteria, profile.vocabulary),
        **common,
    )
