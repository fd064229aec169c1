"""Points per criterion → pillar totals → /100 → grade. Pure and deterministic."""

from __future__ import annotations

from collections.abc import Mapping

from evaluator.base.status import Status
from evaluator.checks.functionality import attested_outcome
from evaluator.checks.messages import text_or_none, to_text
from evaluator.criteria.attestations import Attestation
from evaluator.criteria.loader import LoadedProfile
from evaluator.criteria.schema import Band
from evaluator.derived import EvidenceView
from evaluator.evidence import EvidenceBundle
from evaluator.fixfirst import build_fix_first
from evaluator.performance_summary import build_performance_measurements
from evaluator.results import (
    AttestationResult,
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


def attest(outcome: CriterionOutcome, attestation: Attestation) -> CriterionOutcome:
    """The auditor's verdict replaces the check's: 1 passes, 0.5 and 0 fail; the criterion
    earns its points times the attested score whatever its scoring."""
    result = attested_outcome(attestation.score, attestation.note, outcome.outcome.expected)
    return CriterionOutcome(outcome.criterion, result)


def _criterion_result(o: CriterionOutcome,
                      attestation: Attestation | None = None) -> CriterionResult:
    c, out = o.criterion, o.outcome
    if attestation is not None:
        points = c.points * attestation.score
        source = "attestation"
    else:
        points = 0.0 if out.status is Status.NOT_APPLICABLE else earned(o)
        source = "none" if c.manual else "automated"
    return CriterionResult(
        id=c.id, pillar=c.pillar, fixed_by=c.fixed_by, status=out.status,
        points=round(points, 4),
        points_possible=c.points, score=out.score, manual=c.manual, points_source=source,
        attestation=None if attestation is None else AttestationResult(
            score=attestation.score, note=attestation.note, evidence=attestation.evidence,
            attested_by=attestation.attested_by,
            attested_on=attestation.attested_on.isoformat()),
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


def score_bundle(bundle: EvidenceBundle, profile: LoadedProfile,
                 attestations: Mapping[str, Attestation] | None = None) -> PortalResult:
    """``attestations``: the auditor's scores of manual criteria, by criterion id
    (criteria/attestations.py validated them against ``profile``)."""
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
    attested = attestations or {}
    criteria = []
    outcomes = []
    for criterion in profile.criteria:
        outcome = run_criterion(criterion, view)
        given = attested.get(criterion.id) if criterion.manual else None
        if given is not None:
            outcome = attest(outcome, given)
        outcomes.append(outcome)
        criteria.append(_criterion_result(outcome, given))

    pillars: dict[str, PillarResult] = {}
    scales: dict[str, float] = {}
    for pillar in profile.profile.pillars:
        mine = [c for c in criteria if c.pillar == pillar.id]
        na = sum(c.points_possible for c in mine if c.status is Status.NOT_APPLICABLE)
        applicable = sum(c.points_possible for c in mine) - na
        got = sum(c.points for c in mine if c.status is not Status.NOT_APPLICABLE)
        got_automated = sum(c.points for c in mine if c.status is not Status.NOT_APPLICABLE
                            and c.points_source == "automated")
        # Not-applicable criteria leave the denominator: the pillar keeps its weight, spread
        # over what could be judged on this portal.
        scale = pillar.points / applicable if applicable > 0 else 0.0
        scales[pillar.id] = scale
        pillars[pillar.id] = PillarResult(
            id=pillar.id, title=pillar.title, points=round(got * scale, 2),
            points_possible=pillar.points, points_not_applicable=na,
            points_automated=round(got_automated * scale, 2),
        )
    total = round(sum(p.points for p in pillars.values()), 2)
    return PortalResult(
        grade=grade_for(total, profile.profile.bands), total=total,
        total_automated=round(sum(p.points_automated for p in pillars.values()), 2),
        pillars=pillars, criteria=criteria,
        performance=build_performance_measurements(bundle, profile.criteria, profile.vocabulary),
        fix_first=build_fix_first(list(zip(outcomes, criteria, strict=True)), scales),
        **common,
    )
