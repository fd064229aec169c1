"""Criterion → check → Outcome. A check never crashes the run: exceptions become ``error``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from evaluator.checks import library
from evaluator.checks.messages import Msg, msg
from evaluator.checks.model import Finding, MissingEvidence, Outcome, Status
from evaluator.checks.registry import CheckSpec, Params
from evaluator.criteria.schema import Criterion
from evaluator.derived import EvidenceView
from evaluator.evidence import KeyPageMeasurement, Page

log = logging.getLogger(__name__)

# Cap on findings kept per criterion: a 60-page portal failing axe everywhere would otherwise
# bury the report; the total is still recorded.
MAX_FINDINGS = 40


@dataclass(frozen=True)
class CriterionOutcome:
    criterion: Criterion
    outcome: Outcome
    error: str | None = None
    findings_total: int = 0


def run_criterion(criterion: Criterion, view: EvidenceView) -> CriterionOutcome:
    spec = library.get(criterion.check)
    if spec is None:  # the loader rejects this; kept for bundles scored with edited criteria
        return _error(criterion, msg("runner.unknown_check", check=criterion.check))
    try:
        params = spec.params.model_validate(criterion.params)
        outcome = (
            spec.fn(view, params) if spec.level == "site"
            else _run_pages(criterion, spec, view, params)
        )
    except MissingEvidence as exc:
        return _error(criterion, exc.message)
    except Exception as exc:
        # The criterion shows the error; the traceback (a bug in the check) only with --debug.
        log.error("check %s failed on criterion %s: %s: %s", criterion.check, criterion.id,
                  type(exc).__name__, str(exc).splitlines()[0][:200] if str(exc) else "")
        log.debug("check %s failed", criterion.check, exc_info=True)
        return _error(criterion, msg("runner.check_failed", check=criterion.check,
                                     error=f"{type(exc).__name__}: {exc}"))
    total = len(outcome.findings)
    if total > MAX_FINDINGS:
        outcome = replace(outcome, findings=outcome.findings[:MAX_FINDINGS])
    return CriterionOutcome(criterion, outcome, findings_total=total)


def _error(criterion: Criterion, message: Msg) -> CriterionOutcome:
    # ``error`` stays one English line for logs and CI tools; the report shows the message.
    return CriterionOutcome(
        criterion, Outcome(Status.ERROR, None, display_value=msg("runner.error", detail=message)),
        error=message.render("en"),
    )


def _targets(
    criterion: Criterion, spec: CheckSpec, view: EvidenceView
) -> Sequence[Page | KeyPageMeasurement]:
    if spec.level == "page":
        if criterion.scope == "start_page":
            return [view.start_page] if view.start_page else []
        return [p for p in view.html_pages if "html" in p.content_type or not p.content_type]
    key_pages = view.bundle.key_pages
    if key_pages is None:
        reason = view.bundle.disabled.get("key_pages") or msg("missing.key_pages")
        raise MissingEvidence("key_pages", reason)
    if criterion.scope.startswith("key_page:"):
        role = criterion.scope.split(":", 1)[1]
        return [k for k in key_pages if k.role == role]
    return list(key_pages)


def _run_pages(
    criterion: Criterion, spec: CheckSpec, view: EvidenceView, params: Params
) -> Outcome:
    outcomes: list[Outcome] = []
    skipped: list[Finding] = []
    missing: MissingEvidence | None = None
    for target in _targets(criterion, spec, view):
        try:
            outcomes.append(spec.fn(view, target, params))
        except MissingEvidence as exc:
            missing = exc
            skipped.append(Finding(msg("runner.not_checked", reason=exc.message),
                                   page_url=target.url))
    if missing is not None and not outcomes:
        raise missing
    return fold(criterion.aggregate, outcomes, skipped)


def fold(aggregate: str, outcomes: list[Outcome], extra: list[Finding] | None = None) -> Outcome:
    """Fold per-page outcomes into one (the criterion's ``aggregate``: all, any, ratio, worst)."""
    counted = [o for o in outcomes if o.status is not Status.NOT_APPLICABLE]
    findings = tuple(f for o in counted for f in o.findings) + tuple(extra or ())
    pages = tuple(dict.fromkeys(p for o in counted for p in o.pages))
    if not counted:
        return Outcome(Status.NOT_APPLICABLE, None, display_value=msg("fold.no_page"),
                       findings=findings)
    passed = [o for o in counted if o.status is Status.PASS]
    review = [o for o in counted if o.status is Status.NEEDS_REVIEW]
    share = len(passed) / len(counted)
    scores = [o.score if o.score is not None else (1.0 if o.status is Status.PASS else 0.0)
              for o in counted]
    if aggregate == "any":
        status = Status.PASS if passed else (Status.NEEDS_REVIEW if review else Status.FAIL)
        score = 1.0 if passed else 0.0
    else:
        if len(passed) == len(counted):
            status = Status.PASS
        elif len(passed) + len(review) == len(counted):
            status = Status.NEEDS_REVIEW
        else:
            status = Status.FAIL
        if aggregate == "all":
            score = 1.0 if status is Status.PASS else 0.0
        elif aggregate == "worst":
            score = min(scores)
        else:
            score = sum(scores) / len(scores)
    failing = tuple(o.display_value for o in counted
                    if o.status is not Status.PASS and o.display_value is not None)
    if not failing:
        summary = msg("fold.summary", passed=len(passed), total=len(counted))
    elif len(failing) <= 4:
        summary = msg("fold.summary_failing", passed=len(passed), total=len(counted),
                      failing=failing)
    else:
        summary = msg("fold.summary_failing_more", passed=len(passed), total=len(counted),
                      failing=failing[:4])
    expected = next((o.expected for o in counted if o.expected is not None), None)
    return Outcome(
        status, round(score, 6), value=round(share, 4), unit="share of pages",
        display_value=summary, expected=expected, findings=findings, pages=pages,
        data={"pages": len(counted), "passed": len(passed),
              "per_page": [{"page": o.pages[0] if o.pages else None, "status": o.status.value,
                            "value": o.value} for o in counted]},
    )
