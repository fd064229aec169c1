"""CI gate: does a result meet a pipeline's thresholds? Pure: results in, an outcome out.

Rules (each one that is set must hold):

* ``min_grade``: the grade is the minimum or better, in the profile's band order (its
  ``bands``, best first), never alphabetically;
* ``min_pillars``: each named pillar earned at least that many points;
* ``max_drop`` (with a ``baseline``): the total fell by at most that many points;
* a portal that could not be evaluated never passes (``GateOutcome.not_evaluated``).

A gate that fails prints the result's "Fix first" list (what to fix, by the points it would
recover); one that passes lists the criteria that lost points.

Thresholds that cannot apply to the result (a grade the profile does not have, a pillar it does
not have, a baseline scored on another profile, a negative or impossible threshold) raise
:class:`GateInputError`: a one-line message for the user, not a failed gate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from evaluator.base.status import Status
from evaluator.results import CriterionResult, FixItem, PortalResult

# The summary lists at most this many failed criteria (or fixes); the rest is a count.
MAX_FAILED_SHOWN = 10
WHO = {"content": "content editors", "development": "developers",
       "infrastructure": "infrastructure"}
# Kinds of GateFailure.
GRADE, PILLAR, DROP, NOT_EVALUATED = "grade", "pillar", "drop", "not_evaluated"
# Statuses whose points count as lost (a not-applicable criterion is not scored at all).
LOST = (Status.FAIL, Status.ERROR, Status.NEEDS_REVIEW)


class GateInputError(Exception):
    """A threshold or baseline that does not fit the result; ``str()`` is one line."""


@dataclass(frozen=True)
class GateFailure:
    kind: str
    message: str


@dataclass(frozen=True)
class GateOutcome:
    passed: bool
    reasons: tuple[GateFailure, ...]
    # What the command prints: one screen, the last line PASSED / FAILED / NOT EVALUATED.
    summary: tuple[str, ...]

    @property
    def not_evaluated(self) -> bool:
        return any(r.kind == NOT_EVALUATED for r in self.reasons)


def fmt_num(value: float) -> str:
    """Points as the rubric prints them: at most two decimals, no trailing zeros (70.34, 14)."""
    text = f"{round(value, 2) + 0.0:g}"
    return "0" if text == "-0" else text


def fmt_delta(value: float) -> str:
    """A signed change: +5, -0.5; no change is 0."""
    text = fmt_num(value)
    return text if text == "0" or text.startswith("-") else f"+{text}"


def band_rank(grade: str, result: PortalResult) -> int:
    """0 for the profile's best band, 1 for the next… ; GateInputError for an unknown grade."""
    grades = [b.grade for b in result.profile.bands]
    if grade in grades:
        return grades.index(grade)
    folded = [g for g in grades if g.casefold() == grade.casefold()]
    if len(folded) == 1:
        return grades.index(folded[0])
    raise GateInputError(f"unknown grade {grade!r}: profile {result.profile.id} has "
                         f"{', '.join(grades)} (best first)")


def points_lost(c: CriterionResult) -> float:
    return c.points_possible - c.points


def failed_criteria(result: PortalResult) -> list[CriterionResult]:
    """Criteria that lost points (fail, error, needs_review), most points lost first; ties keep
    the profile's order."""
    return sorted((c for c in result.criteria if c.status in LOST), key=lambda c: -points_lost(c))


def _check_inputs(result: PortalResult, min_grade: str | None, min_pillars: Mapping[str, float],
                  baseline: PortalResult | None, max_drop: float | None) -> str | None:
    """Raise GateInputError for thresholds that cannot apply; return the canonical min grade."""
    grade = None
    if min_grade is not None:
        grade = result.profile.bands[band_rank(min_grade, result)].grade
    for name, points in min_pillars.items():
        pillar = result.pillars.get(name)
        if pillar is None:
            raise GateInputError(f"unknown pillar {name!r}: profile {result.profile.id} has "
                                 f"{', '.join(result.pillars) or 'none'}")
        if points < 0 or points > pillar.points_possible:
            raise GateInputError(f"minimum for pillar {name} must be within 0–"
                                 f"{fmt_num(pillar.points_possible)}, got {fmt_num(points)}")
    if max_drop is not None:
        if baseline is None:
            raise GateInputError("a maximum drop needs a baseline result to compare with")
        if max_drop < 0:
            raise GateInputError(f"maximum drop must not be negative, got {fmt_num(max_drop)}")
    if baseline is not None and baseline.profile.id != result.profile.id:
        raise GateInputError(f"baseline was scored on profile {baseline.profile.id}, the result on "
                             f"{result.profile.id}: totals are not comparable")
    return grade


def evaluate_gate(result: PortalResult, *, min_grade: str | None,
                  min_pillars: Mapping[str, float], baseline: PortalResult | None,
                  max_drop: float | None) -> GateOutcome:
    """Check ``result`` against the thresholds; GateInputError when one cannot apply."""
    minimum = _check_inputs(result, min_grade, min_pillars, baseline, max_drop)
    name = f" ({result.portal_name})" if result.portal_name else ""
    lines = [f"portal: {result.portal_id}{name} · profile {result.profile.id}"]

    if result.not_evaluated is not None or result.total is None or result.grade is None:
        why = result.not_evaluated or "no grade or total in the result"
        lines += [f"not evaluated: {why}", "NOT EVALUATED: the gate cannot pass"]
        return GateOutcome(False, (GateFailure(NOT_EVALUATED, f"not evaluated: {why}"),),
                           tuple(lines))

    reasons: list[GateFailure] = []

    # Grade, in band order.
    if minimum is None:
        lines.append(f"grade: {result.grade} (no minimum)")
    else:
        ok = band_rank(result.grade, result) <= band_rank(minimum, result)
        lines.append(f"grade: {result.grade} (minimum {minimum}) {'ok' if ok else 'FAIL'}")
        if not ok:
            reasons.append(GateFailure(GRADE, f"grade {result.grade} is below the minimum {minimum}"))

    # Total, and the drop from the baseline.
    total = f"total: {fmt_num(result.total)}/{fmt_num(result.total_possible)}"
    if baseline is None:
        lines.append(total)
    elif baseline.total is None or baseline.not_evaluated is not None:
        lines.append(f"{total} (baseline not evaluated: drop not checked)")
    else:
        delta = round(result.total - baseline.total, 2)
        versus = f"{total} ({fmt_delta(delta)} vs baseline {fmt_num(baseline.total)}"
        if max_drop is None:
            lines.append(versus + ")")
        else:
            ok = -delta <= max_drop
            lines.append(f"{versus}; max drop {fmt_num(max_drop)}) {'ok' if ok else 'FAIL'}")
            if not ok:
                reasons.append(GateFailure(DROP, f"total dropped {fmt_num(-delta)} points since the "
                                                 f"baseline (max {fmt_num(max_drop)})"))

    # Pillars, in the profile's order.
    lines.append("pillars:")
    width = max((len(p) for p in result.pillars), default=0)
    for pid, pillar in result.pillars.items():
        shown = f"  {pid:<{width}}  {fmt_num(pillar.points)}/{fmt_num(pillar.points_possible)}"
        if pid not in min_pillars:
            lines.append(shown)
            continue
        floor = min_pillars[pid]
        ok = pillar.points >= floor
        lines.append(f"{shown} (minimum {fmt_num(floor)}) {'ok' if ok else 'FAIL'}")
        if not ok:
            reasons.append(GateFailure(PILLAR, f"pillar {pid} has {fmt_num(pillar.points)} points, "
                                               f"below the minimum {fmt_num(floor)}"))

    # What lost points, most first; when the gate failed, as the fixes that recover them.
    failed = failed_criteria(result)
    if reasons:
        lines += fix_first_lines(result)
    elif failed:
        lines.append(f"failed criteria ({len(failed)}, most points lost first):")
        width = max(len(c.id) for c in failed[:MAX_FAILED_SHOWN])
        for c in failed[:MAX_FAILED_SHOWN]:
            lines.append(f"  {c.id:<{width}}  {c.status.value:<12}  "
                         f"{fmt_num(c.points)}/{fmt_num(c.points_possible)}")
        if len(failed) > MAX_FAILED_SHOWN:
            lines.append(f"  … and {len(failed) - MAX_FAILED_SHOWN} more")
    else:
        lines.append("failed criteria: none")

    if reasons:
        lines.append("FAILED: " + "; ".join(r.message for r in reasons))
    else:
        lines.append("PASSED")
    return GateOutcome(not reasons, tuple(reasons), tuple(lines))


def _where(item: FixItem) -> str:
    if item.where_kind == "site" or not item.where:
        return "whole portal"
    first = item.where[0]
    if item.where_kind == "pages":
        first = urlsplit(first).path + (f"?{urlsplit(first).query}" if urlsplit(first).query
                                        else "") or first
    more = len(item.where) - 1
    return first + (f" +{more}" if more else "") + (
        f" ({item.pages} page{'s' if item.pages != 1 else ''})"
        if item.where_kind == "templates" else "")


def fix_first_lines(result: PortalResult) -> list[str]:
    """The result's "Fix first" list for one screen: the first fixes, then a count; then, in
    one line, the lost points that are no fix of the portal (needs review, errors)."""
    items = result.fix_first
    lines: list[str] = []
    if items:
        total = sum(i.points for i in items)
        lines.append(f"fix first ({len(items)} fixes recover {fmt_num(total)} points, "
                     "most first):")
        shown = items[:MAX_FAILED_SHOWN]
        width = max(len(i.criterion + (f"/{i.rule}" if i.rule else "")) for i in shown)
        for n, i in enumerate(shown, start=1):
            name = i.criterion + (f"/{i.rule}" if i.rule else "")
            lines.append(f"  {n:>2}. {i.points:5.2f}  {WHO[i.fixed_by]:<15}  {name:<{width}}  "
                         f"{_where(i)}")
        if len(items) > MAX_FAILED_SHOWN:
            rest = sum(i.points for i in items[MAX_FAILED_SHOWN:])
            lines.append(f"  … and {len(items) - MAX_FAILED_SHOWN} more ({fmt_num(rest)} points): "
                         "the report's \"Fix first\" lists them all")
    else:
        lines.append("fix first: nothing to fix, every scored criterion passed")
    owed = []
    for status, label in ((Status.NEEDS_REVIEW, "needs review"), (Status.ERROR, "error")):
        mine = [c for c in result.criteria if c.status is status and points_lost(c) > 0]
        if mine:
            owed.append(f"{label}: {', '.join(c.id for c in mine)} "
                        f"({fmt_num(sum(points_lost(c) for c in mine))} points)")
    if owed:
        lines.append("not fixes of the portal: " + "; ".join(owed))
    return lines


def parse_min_pillars(specs: Sequence[str]) -> dict[str, float]:
    """``["functionality=50", …]`` → ``{"functionality": 50.0}``; GateInputError on bad syntax
    or a pillar named twice."""
    out: dict[str, float] = {}
    for spec in specs:
        name, sep, value = spec.partition("=")
        name = name.strip()
        try:
            points = float(value)
        except ValueError:
            points = math.nan
        if not sep or not name or not math.isfinite(points):
            raise GateInputError(f"--min-pillar {spec!r}: expected NAME=POINTS, e.g. functionality=50")
        if name in out:
            raise GateInputError(f"--min-pillar {name} given twice")
        out[name] = points
    return out
