"""The round index: the leaderboard (with each portal's trend as a small inline SVG), the history
of stored rounds, and the round's findings per criterion and kind of agency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluator.base.status import Status
from evaluator.base.text import Band, band_index
from evaluator.report.csv_export import render_criteria_csv, render_index_csv
from evaluator.report.environment import (
    INDEX_SCRIPT,
    INDEX_TEMPLATE,
    ROUNDS_CSS,
    Translator,
    load_inline_asset,
    page_context,
    render_template,
    translator,
    write_text_atomic,
)
from evaluator.report.findings import (
    ALL,
    Portal,
    criterion_findings,
    evaluated,
    grade_distribution,
    groups,
)
from evaluator.report.format import (
    DASH,
    Link,
    fmt_points,
    grade_tone,
    is_evaluated,
    pick,
    safe_relative_href,
    tone,
)
from evaluator.report.ranking import IndexEntry, RoundPoint, index_order, ranked


@dataclass(frozen=True)
class RowView:
    rank: str
    name: Link
    portal_id: str
    agency: str
    # The raw kind (province, ministry) the filter matches on.
    agency_kind: str
    grade: str
    tone: int
    total: str
    pillars: list[str]
    pages: int
    reason: str | None
    # Machine values the sorting script reads (data-* attributes): plain numbers, "" when none.
    sort_values: dict[str, str]
    # Totals over the stored rounds as a small inline SVG; None outside rounds.
    trend: SparklineView | None = None


@dataclass(frozen=True)
class SparklineView:
    """A polyline of totals (0-100 scale) drawn in an inline <svg>: no asset, no script."""

    width: int
    height: int
    points: str
    last_x: str
    last_y: str
    tone: int
    # What the line shows, in words (the SVG's <title> and the screen-reader text).
    label: str


@dataclass(frozen=True)
class HistoryView:
    """One portal's rows in the round index's history section, oldest round first."""

    portal_id: str
    name: str
    rows: list[tuple[str, str, int, str, list[str]]]  # round, grade, tone, total, pillar points


SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 96, 24, 3


def sparkline(points: Sequence[RoundPoint], possible: float, bands: Sequence[Band],
              lang: str) -> SparklineView | None:
    """Totals over rounds on a fixed 0..possible scale (so two portals' lines compare); a round
    where the portal was not evaluated is a gap in words, not a zero on the line."""
    if not points:
        return None
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(1, len(points) - 1)
    coords = []
    for i, point in enumerate(points):
        if point.total is None:
            continue
        x = SPARK_PAD + i * step if len(points) > 1 else SPARK_WIDTH / 2
        share = max(0.0, min(1.0, point.total / possible)) if possible > 0 else 0.0
        y = SPARK_HEIGHT - SPARK_PAD - share * (SPARK_HEIGHT - 2 * SPARK_PAD)
        coords.append((x, y))
    words = ", ".join(f"{p.round_id}: {fmt_points(p.total)} ({p.grade or DASH})"
                      if p.total is not None else f"{p.round_id}: {DASH}" for p in points)
    last = next((p for p in reversed(points) if p.total is not None), None)
    return SparklineView(
        width=SPARK_WIDTH, height=SPARK_HEIGHT,
        points=" ".join(f"{x:.1f},{y:.1f}" for x, y in coords),
        last_x=f"{coords[-1][0]:.1f}" if coords else "", last_y=f"{coords[-1][1]:.1f}" if coords else "",
        tone=grade_tone(last.grade, bands) if last is not None else 0, label=words,
    )


@dataclass(frozen=True)
class ColumnView:
    id: str
    title: str
    possible: str


@dataclass(frozen=True)
class GradeCount:
    grade: str
    tone: int
    count: int


def agency_label(agency: str, t: Translator) -> str:
    """Known agency kinds (province, ministry) in the report's language; anything else as given."""
    key = f"agency.{agency}"
    return t(key) if key in t.strings else agency


@dataclass(frozen=True)
class FindingsGroupView:
    id: str
    title: str
    # Evaluated portals in the group: what the shares are of.
    portals: int


@dataclass(frozen=True)
class FindingsRowView:
    id: str
    title: str
    points: str
    # Per group, then pass, fail, needs review: (count, share as "40%", or "—").
    cells: list[tuple[int, str]]
    failing: list[Link]
    sort_values: dict[str, str]


@dataclass(frozen=True)
class GradeBarView:
    title: str
    portals: int
    # (grade, tone, count, x, width) of each band's segment, on a 0-100 scale.
    segments: list[tuple[str, int, int, str, str]]
    label: str


FINDINGS_STATUSES = (Status.PASS, Status.FAIL, Status.NEEDS_REVIEW)


def _group_title(group: str, t: Translator) -> str:
    return t("index.group_all") if group == ALL else agency_label(group, t)


def _findings_context(entries: Sequence[IndexEntry], lang: str, t: Translator) -> dict[str, Any]:
    """The round findings: per criterion, portals that passed, failed, need review, by kind of
    agency (evaluator/report/findings.py); the grades per kind of agency as stacked bars."""
    portals = [Portal(e.result, e.agency, e.report_href) for e in index_order(entries)]
    names = groups(portals)
    done = evaluated(portals)
    rows = []
    for item in criterion_findings(portals):
        cells: list[tuple[int, str]] = []
        sort_values = {"order": str(item.position), "criterion": pick(item.title, lang).casefold(),
                       "points": f"{item.points_possible:.2f}"}
        for name in names:
            tally = item.tallies[name]
            for status in FINDINGS_STATUSES:
                share = tally.share(status)
                cells.append((tally.counts[status], DASH if share is None else f"{share:.0%}"))
                sort_values[f"{status.value}-{name}"] = "" if share is None else f"{share:.4f}"
        failing = [Link(p.result.portal_name or p.result.portal_id,
                        safe_relative_href(f"{p.report_href}#criterion-{item.id}"))
                   for p in item.tallies[names[0]].failing]
        rows.append((-(item.tallies[names[0]].share(Status.FAIL) or 0.0), item.position,
                     FindingsRowView(item.id, pick(item.title, lang),
                                     fmt_points(item.points_possible), cells, failing,
                                     sort_values)))
    rows.sort(key=lambda r: (r[0], r[1]))
    bars = []
    for row in grade_distribution(portals):
        x = 0.0
        segments = []
        bands = next((e.result.profile.bands for e in entries), [])
        for grade, count in row.counts:
            width = 100.0 * count / row.portals if row.portals else 0.0
            segments.append((grade, grade_tone(grade, bands), count, f"{x:.2f}", f"{width:.2f}"))
            x += width
        words = ", ".join(f"{grade} {count}" for grade, count in row.counts)
        bars.append(GradeBarView(_group_title(row.group, t), row.portals, segments,
                                 f"{_group_title(row.group, t)}: {words}"))
    return {
        "findings_groups": [
            FindingsGroupView(n, _group_title(n, t),
                              sum(1 for p in done if n == ALL or p.agency == n))
            for n in names],
        "findings_rows": [row for _fail, _pos, row in rows],
        "grade_bars": bars,
    }


def _index_context(entries: Sequence[IndexEntry], title: str, lang: str) -> dict[str, Any]:
    t = translator(lang)
    ordered = index_order(entries)
    columns: dict[str, ColumnView] = {}
    for e in ordered:
        for p in e.result.pillars.values():
            columns.setdefault(p.id, ColumnView(p.id, pick(p.title, lang),
                                                fmt_points(p.points_possible)))
    rows: list[RowView] = []
    for position, (rank, e) in enumerate(ranked(ordered), start=1):
        r = e.result
        evaluated = is_evaluated(r)
        band_pos = band_index(r.grade, r.profile.bands)
        sort_values = {
            "rank": str(position),
            "name": (r.portal_name or r.portal_id).casefold(),
            "grade": str(band_pos) if evaluated and band_pos is not None else "",
            "total": f"{r.total:.2f}" if evaluated and r.total is not None else "",
            **{f"pillar-{c}": f"{r.pillars[c].points:.2f}" if evaluated and c in r.pillars else ""
               for c in columns},
            "pages": str(r.pages_evaluated),
        }
        rows.append(RowView(
            rank=str(rank) if evaluated else DASH,
            name=Link(r.portal_name or r.portal_id, safe_relative_href(e.report_href)),
            portal_id=r.portal_id, agency=agency_label(e.agency, t), agency_kind=e.agency,
            grade=(r.grade or DASH) if evaluated else DASH,
            tone=grade_tone(r.grade, r.profile.bands) if evaluated else 0,
            total=fmt_points(r.total) if evaluated else DASH,
            pillars=[fmt_points(r.pillars[c].points) if evaluated and c in r.pillars else DASH
                     for c in columns],
            pages=r.pages_evaluated,
            reason=r.not_evaluated or (None if evaluated else DASH),
            sort_values=sort_values,
            trend=sparkline(e.history, r.total_possible, r.profile.bands, lang)
            if e.history else None,
        ))
    grades: dict[str, GradeCount] = {}
    first_bands = next((e.result.profile.bands for e in ordered), [])
    for i, band in enumerate(first_bands):
        grades[band.grade] = GradeCount(band.grade, tone(i, len(first_bands)), 0)
    for e in ordered:
        r = e.result
        if is_evaluated(r) and r.grade:
            seen = grades.get(r.grade) or GradeCount(r.grade, grade_tone(r.grade, r.profile.bands), 0)
            grades[r.grade] = GradeCount(seen.grade, seen.tone, seen.count + 1)
    evaluated_count = sum(1 for e in ordered if is_evaluated(e.result))
    kinds = sorted({e.agency for e in ordered if e.agency})
    histories = [
        HistoryView(e.result.portal_id, e.result.portal_name or e.result.portal_id, [
            (p.round_id, p.grade or DASH,
             grade_tone(p.grade, e.result.profile.bands) if p.grade else 0,
             fmt_points(p.total),
             [fmt_points(p.pillars[c]) if c in p.pillars and p.total is not None else DASH
              for c in columns])
            for p in e.history])
        for e in sorted(ordered, key=lambda e: e.result.portal_id) if e.history
    ]
    return {
        "trend": any(e.history for e in ordered),
        "histories": histories,
        "title": title,
        "agency_kinds": [(kind, agency_label(kind, t)) for kind in kinds],
        "rows": rows,
        "columns": list(columns.values()),
        "grades": list(grades.values()),
        "total_possible": fmt_points(ordered[0].result.total_possible if ordered else 100.0),
        "evaluated_count": evaluated_count,
        "not_evaluated_count": len(ordered) - evaluated_count,
        **_findings_context(entries, lang, t),
    }


def render_index(entries: Sequence[IndexEntry], title: str, lang: str = "vi",
                 csv_href: str | None = None, criteria_csv_href: str | None = None) -> str:
    """The round overview: a leaderboard linking each portal's report.

    Sorting and the agency filter are a small inlined script (allowed by its hash); without it
    the table is still complete, ranked by total.
    """
    extra_css = load_inline_asset(ROUNDS_CSS) if any(e.history for e in entries) else ""
    context = page_context(lang, load_inline_asset(Path("assets") / INDEX_SCRIPT), extra_css)
    context.update(_index_context(entries, title, lang))
    context["csv_href"] = safe_relative_href(csv_href) if csv_href else None
    context["criteria_csv_href"] = (safe_relative_href(criteria_csv_href) if criteria_csv_href
                                    else None)
    return render_template(INDEX_TEMPLATE, context)



CRITERIA_CSV = "criteria.csv"


def write_index(entries: Sequence[IndexEntry], path: Path, title: str, lang: str = "vi") -> Path:
    """index.html plus, beside it, index.csv (the same leaderboard, for spreadsheets) and
    criteria.csv (the round findings per criterion and kind of agency)."""
    csv_path = path.with_suffix(".csv")
    criteria_path = path.with_name(CRITERIA_CSV)
    # Render all before writing any: a broken template must not leave a new CSV beside an
    # old index.html.
    csv_text = render_index_csv(entries, lang)
    criteria_text = render_criteria_csv(entries, lang)
    html_text = render_index(entries, title, lang, csv_path.name, criteria_path.name)
    write_text_atomic(csv_path, csv_text)
    write_text_atomic(criteria_path, criteria_text)
    return write_text_atomic(path, html_text)
