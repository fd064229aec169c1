"""What changed between two results of a portal: grade, total, pillars, criteria.

``diff_results`` is pure (results in, a frozen :class:`ResultDiff` out); ``render_diff_text``
and ``render_diff_html`` present it in the report languages. The HTML page is self-contained
like the portal report: inlined CSS allowed by its hash in a Content-Security-Policy, no script,
every text that comes from a portal escaped.

Two results of different portals, or scored on different profiles, may be compared: the diff
says so (``same_portal``, ``same_profile``) and criteria only one profile has are listed as
added or removed. When either result was not evaluated, only grades and totals are compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluator.base.status import Status
from evaluator.base.text import Band, Text, band_index
from evaluator.gate import fmt_delta as gate_delta
from evaluator.gate import fmt_num as gate_num

# The portal report's building blocks, so the diff page looks and is locked down exactly like
# it (same stylesheet, same CSP, same Jinja environment and errors, same grade colours, same
# atomic write).
from evaluator.report.environment import (
    Translator,
    load_inline_asset,
    page_context,
    render_template,
    translator,
)
from evaluator.report.environment import write_text_atomic as write_atomic
from evaluator.report.format import DASH, fmt_time, grade_tone, pick
from evaluator.results import CriterionResult, PortalResult

DIFF_TEMPLATE = "diff.html.j2"
DIFF_CSS_FILE = "assets/diff.css"
# Statuses that lose a passing criterion's points.
FAILING = (Status.FAIL, Status.ERROR, Status.NEEDS_REVIEW)
# How a grade moved, by the profile's band order (best first).
UP, DOWN, SAME, CHANGED, UNKNOWN = "up", "down", "same", "changed", "unknown"


@dataclass(frozen=True)
class Side:
    """One of the two results, as much as the diff shows of it."""

    portal_id: str
    portal_name: str
    evaluated_at: str
    profile_id: str
    grade: str | None
    total: float | None
    total_possible: float
    not_evaluated: str | None
    # The profile's bands, best first: the order grades compare in.
    bands: tuple[Band, ...] = ()

    @property
    def evaluated(self) -> bool:
        return self.not_evaluated is None and self.total is not None


@dataclass(frozen=True)
class PillarDelta:
    id: str
    title: Text
    # None when the pillar is not in that result, or that result was not evaluated.
    old: float | None
    new: float | None
    possible: float
    delta: float | None


@dataclass(frozen=True)
class CriterionDelta:
    id: str
    pillar: str
    title: Text
    # None on the side whose profile lacks the criterion.
    old_status: Status | None
    new_status: Status | None
    old_points: float | None
    new_points: float | None
    points_possible: float
    # new − old, a missing side counting 0; rounded to the results' 4 decimals.
    delta: float


@dataclass(frozen=True)
class ResultDiff:
    old: Side
    new: Side
    grade_change: str
    total_delta: float | None
    pillars: tuple[PillarDelta, ...]
    # pass → fail / error / needs_review
    newly_failing: tuple[CriterionDelta, ...]
    # fail / error / needs_review → pass
    newly_passing: tuple[CriterionDelta, ...]
    # Every criterion in both results whose points or status changed, largest |delta| first.
    moved: tuple[CriterionDelta, ...]
    # Criteria only the new (added) or only the old (removed) result has.
    added: tuple[CriterionDelta, ...]
    removed: tuple[CriterionDelta, ...]

    @property
    def same_portal(self) -> bool:
        return self.old.portal_id == self.new.portal_id

    @property
    def same_profile(self) -> bool:
        return self.old.profile_id == self.new.profile_id

    @property
    def comparable(self) -> bool:
        """Both results were evaluated: criteria and pillars can be compared."""
        return self.old.evaluated and self.new.evaluated

    @property
    def criteria_changed(self) -> bool:
        return bool(self.newly_failing or self.newly_passing or self.moved or self.added
                    or self.removed)


# ------------------------------------------------------------------------------------------- diff


def _side(r: PortalResult) -> Side:
    return Side(r.portal_id, r.portal_name, r.evaluated_at, r.profile.id, r.grade, r.total,
                r.total_possible, r.not_evaluated, tuple(r.profile.bands))


def _grade_change(old: PortalResult, new: PortalResult) -> str:
    if not (_side(old).evaluated and _side(new).evaluated) or not old.grade or not new.grade:
        return UNKNOWN
    if old.grade == new.grade:
        return SAME
    for bands in (new.profile.bands, old.profile.bands):
        before, after = band_index(old.grade, bands), band_index(new.grade, bands)
        if before is not None and after is not None:
            return UP if after < before else DOWN
    return CHANGED


def _criterion_delta(old: CriterionResult | None, new: CriterionResult | None) -> CriterionDelta:
    either = new or old
    assert either is not None
    return CriterionDelta(
        id=either.id, pillar=either.pillar, title=either.title,
        old_status=old.status if old else None, new_status=new.status if new else None,
        old_points=old.points if old else None, new_points=new.points if new else None,
        points_possible=either.points_possible,
        delta=round((new.points if new else 0.0) - (old.points if old else 0.0), 4) + 0.0,
    )


def diff_results(old: PortalResult, new: PortalResult) -> ResultDiff:
    """What changed from ``old`` to ``new``."""
    old_side, new_side = _side(old), _side(new)
    comparable = old_side.evaluated and new_side.evaluated

    pillars: list[PillarDelta] = []
    for pid in [*new.pillars, *(p for p in old.pillars if p not in new.pillars)]:
        before, after = old.pillars.get(pid), new.pillars.get(pid)
        either = after or before
        assert either is not None
        o = before.points if before and old_side.evaluated else None
        n = after.points if after and new_side.evaluated else None
        pillars.append(PillarDelta(
            id=pid, title=either.title, old=o, new=n, possible=either.points_possible,
            delta=round(n - o, 2) + 0.0 if o is not None and n is not None else None,
        ))

    failing: list[CriterionDelta] = []
    passing: list[CriterionDelta] = []
    moved: list[CriterionDelta] = []
    added: list[CriterionDelta] = []
    removed: list[CriterionDelta] = []
    if comparable:
        before_by_id = {c.id: c for c in old.criteria}
        after_ids = {c.id for c in new.criteria}
        for c in new.criteria:
            prior = before_by_id.get(c.id)
            d = _criterion_delta(prior, c)
            if prior is None:
                added.append(d)
                continue
            if prior.status is Status.PASS and c.status in FAILING:
                failing.append(d)
            elif prior.status in FAILING and c.status is Status.PASS:
                passing.append(d)
            if d.delta != 0 or prior.status is not c.status:
                moved.append(d)
        removed = [_criterion_delta(c, None) for c in old.criteria if c.id not in after_ids]
        # Stable: equal |delta| keeps the new profile's order.
        for changes in (failing, passing, moved):
            changes.sort(key=lambda d: -abs(d.delta))

    total_delta = None
    if comparable and old.total is not None and new.total is not None:
        total_delta = round(new.total - old.total, 2) + 0.0
    return ResultDiff(
        old=old_side, new=new_side, grade_change=_grade_change(old, new), total_delta=total_delta,
        pillars=tuple(pillars), newly_failing=tuple(failing), newly_passing=tuple(passing),
        moved=tuple(moved), added=tuple(added), removed=tuple(removed),
    )


# ---------------------------------------------------------------------------------------- numbers


def fmt_num(value: float | None) -> str:
    """The gate's number format (70.34, 14); a dash for nothing."""
    return DASH if value is None else gate_num(value)


def fmt_delta(value: float | None) -> str:
    """The gate's signed change (+5, -0.5, 0); a dash for nothing."""
    return DASH if value is None else gate_delta(value)


def _trend(value: float | None) -> str:
    if value is None or round(value, 2) == 0:
        return "same"
    return "up" if value > 0 else "down"


def _status(value: Status | None, t: Translator) -> str:
    return t(f"status.{value.value}") if value is not None else DASH


# ------------------------------------------------------------------------------------------- text


def _side_line(label: str, side: Side, t: Translator) -> str:
    line = f"{label}: {side.portal_id} · {fmt_time(side.evaluated_at)} · {side.profile_id}"
    if side.not_evaluated is not None:
        line += f" · {t('grade.not_evaluated', reason=side.not_evaluated)}"
    return line


def _criterion_line(d: CriterionDelta, lang: str, t: Translator) -> str:
    """A status change (newly failing or passing, added, removed): id, title, statuses."""
    return f"  {d.id} · {pick(d.title, lang)}: {_status(d.old_status, t)} → {_status(d.new_status, t)}"


def _moved_line(d: CriterionDelta, t: Translator) -> str:
    """Points moved: id, points before → after (change), and the statuses when they changed."""
    line = f"  {d.id}: {fmt_num(d.old_points)} → {fmt_num(d.new_points)} ({fmt_delta(d.delta)})"
    if d.old_status is not d.new_status:
        line += f" · {_status(d.old_status, t)} → {_status(d.new_status, t)}"
    return line


def _warnings(diff: ResultDiff, t: Translator) -> list[str]:
    out = []
    if not diff.same_portal:
        out.append(t("diff.different_portals", old=diff.old.portal_id, new=diff.new.portal_id))
    if not diff.same_profile:
        out.append(t("diff.different_profiles", old=diff.old.profile_id, new=diff.new.profile_id))
    if not diff.comparable:
        out.append(t("diff.not_comparable"))
    return out


def render_diff_text(diff: ResultDiff, lang: str = "vi") -> str:
    """The diff as plain text, one item a line, in ``lang`` (vi or en)."""
    t = translator(lang)
    name = diff.new.portal_name or diff.new.portal_id
    lines = [f"{t('diff.title')}: {name}",
             _side_line(t("diff.old"), diff.old, t),
             _side_line(t("diff.new"), diff.new, t)]
    lines += [f"! {w}" for w in _warnings(diff, t)]
    grade = f"{t('diff.grade')}: {diff.old.grade or DASH} → {diff.new.grade or DASH}"
    if diff.grade_change != UNKNOWN:
        grade += f" ({t('diff.grade_' + diff.grade_change)})"
    lines.append(grade)
    total = f"{t('diff.total')}: {fmt_num(diff.old.total)} → {fmt_num(diff.new.total)}"
    if diff.total_delta is not None:
        total += f" ({fmt_delta(diff.total_delta)})"
    lines.append(total)
    lines.append(f"{t('diff.pillars')}:")
    for p in diff.pillars:
        line = f"  {pick(p.title, lang)}: {fmt_num(p.old)} → {fmt_num(p.new)} / {fmt_num(p.possible)}"
        if p.delta is not None:
            line += f" ({fmt_delta(p.delta)})"
        lines.append(line)
    for key, items in (("diff.newly_failing", diff.newly_failing),
                       ("diff.newly_passing", diff.newly_passing), ("diff.moved", diff.moved),
                       ("diff.added", diff.added), ("diff.removed", diff.removed)):
        if items:
            lines.append(t(key, count=len(items)) + ":")
            lines += [_moved_line(d, t) if items is diff.moved else _criterion_line(d, lang, t)
                      for d in items]
    if diff.comparable and not diff.criteria_changed:
        lines.append(t("diff.no_changes"))
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------- HTML


@dataclass(frozen=True)
class SideView:
    label: str
    portal_id: str
    name: str
    evaluated_at: str
    evaluated_at_text: str
    profile_id: str
    grade: str
    tone: int
    total: str
    not_evaluated: str | None


@dataclass(frozen=True)
class PillarRow:
    title: str
    old: str
    new: str
    possible: str
    delta: str
    trend: str


@dataclass(frozen=True)
class CriterionRow:
    id: str
    title: str
    old_status: str
    old_label: str
    new_status: str
    new_label: str
    old: str
    new: str
    possible: str
    delta: str
    trend: str


@dataclass(frozen=True)
class SectionView:
    id: str
    heading: str
    rows: list[CriterionRow]


def _side_view(label: str, side: Side) -> SideView:
    return SideView(
        label=label, portal_id=side.portal_id, name=side.portal_name or side.portal_id,
        evaluated_at=side.evaluated_at, evaluated_at_text=fmt_time(side.evaluated_at),
        profile_id=side.profile_id, grade=side.grade if side.evaluated and side.grade else DASH,
        tone=grade_tone(side.grade, side.bands) if side.evaluated else 0,
        total=fmt_num(side.total) if side.evaluated else DASH, not_evaluated=side.not_evaluated,
    )


def _criterion_row(d: CriterionDelta, lang: str, t: Translator) -> CriterionRow:
    return CriterionRow(
        id=d.id, title=pick(d.title, lang),
        old_status=d.old_status.value if d.old_status else "none", old_label=_status(d.old_status, t),
        new_status=d.new_status.value if d.new_status else "none", new_label=_status(d.new_status, t),
        old=fmt_num(d.old_points), new=fmt_num(d.new_points), possible=fmt_num(d.points_possible),
        delta=fmt_delta(d.delta), trend=_trend(d.delta),
    )


def _load_diff_css() -> str:
    return load_inline_asset(DIFF_CSS_FILE)


def _diff_context(diff: ResultDiff, lang: str, t: Translator) -> dict[str, Any]:
    sections = [
        SectionView(key.removeprefix("diff."), t(key, count=len(items)),
                    [_criterion_row(d, lang, t) for d in items])
        for key, items in (("diff.newly_failing", diff.newly_failing),
                           ("diff.newly_passing", diff.newly_passing), ("diff.moved", diff.moved),
                           ("diff.added", diff.added), ("diff.removed", diff.removed))
        if items
    ]
    return {
        "d": {
            "name": diff.new.portal_name or diff.new.portal_id,
            "old": _side_view(t("diff.old"), diff.old),
            "new": _side_view(t("diff.new"), diff.new),
            "warnings": _warnings(diff, t),
            "grade_change": None if diff.grade_change == UNKNOWN
            else t("diff.grade_" + diff.grade_change),
            "total_delta": fmt_delta(diff.total_delta) if diff.total_delta is not None else None,
            "total_trend": _trend(diff.total_delta),
            "pillars": [PillarRow(pick(p.title, lang), fmt_num(p.old), fmt_num(p.new),
                                  fmt_num(p.possible), fmt_delta(p.delta), _trend(p.delta))
                        for p in diff.pillars],
            "sections": sections,
            "no_changes": diff.comparable and not diff.criteria_changed,
        },
    }


def render_diff_html(diff: ResultDiff, lang: str = "vi") -> str:
    """The diff as a self-contained HTML page: opens offline, nothing can load or run."""
    # The portal report's stylesheet plus the diff's own, inlined and allowed by their hash;
    # no script on this page.
    context = page_context(lang, extra_css=_load_diff_css())
    context.update(_diff_context(diff, lang, context["t"]))
    return render_template(DIFF_TEMPLATE, context)


def write_diff_html(diff: ResultDiff, path: Path, lang: str = "vi") -> Path:
    """Write the HTML page atomically (a reader never sees half of it); ReportError if it cannot."""
    return write_atomic(path, render_diff_html(diff, lang))
