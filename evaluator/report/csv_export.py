"""The round index as CSV for spreadsheet users: the leaderboard (index.csv) and the round
findings per criterion and kind of agency (criteria.csv)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from evaluator.base.status import Status
from evaluator.report.environment import translator
from evaluator.report.findings import Portal, criterion_findings
from evaluator.report.format import pick
from evaluator.report.ranking import IndexEntry, index_order, ranked

CRITERIA_COLUMNS = ["criterion_id", "pillar", "title", "points_possible", "agency", "portals",
                    "pass", "fail", "needs_review", "error", "not_applicable", "pass_share",
                    "fail_share", "needs_review_share", "failing_portals"]


def render_index_csv(entries: Sequence[IndexEntry], lang: str = "vi") -> str:
    """One row per portal in leaderboard order; numbers with a dot, empty when not evaluated.

    Column headers are stable machine names (a spreadsheet formula or a script can rely on
    them); pillar columns carry the pillar id, and a second header row would break most tools,
    so the localized pillar title goes into no cell: the HTML index shows it.
    """
    translator(lang)  # an unknown language is the same ReportError as for the HTML index
    ordered = index_order(entries)
    pillars: list[str] = []
    for entry in ordered:
        for pillar_id in entry.result.pillars:
            if pillar_id not in pillars:
                pillars.append(pillar_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["rank", "portal_id", "portal_name", "agency", "grade", "total",
                     *pillars, "pages", "report", "not_evaluated"])
    for rank, entry in ranked(ordered):
        r = entry.result
        evaluated = rank is not None
        writer.writerow([
            rank if rank is not None else "",
            _cell(r.portal_id),
            _cell(r.portal_name),
            _cell(entry.agency),
            r.grade or "",
            f"{r.total:.2f}" if evaluated and r.total is not None else "",
            *[f"{r.pillars[p].points:.2f}" if evaluated and p in r.pillars else "" for p in pillars],
            r.pages_evaluated,
            _cell(entry.report_href),
            _cell(r.not_evaluated or ""),
        ])
    return out.getvalue()


def render_criteria_csv(entries: Sequence[IndexEntry], lang: str = "vi") -> str:
    """One row per criterion and group of portals ("all", then each kind of agency when the
    round has two or more): the counts of each status among the group's evaluated portals, the
    shares (0-1, four decimals; empty for a group without portals) and the failing portals' ids
    separated by ";". Criteria in the profile's order, groups in the index's order (long format:
    a spreadsheet pivots it)."""
    translator(lang)
    portals = [Portal(e.result, e.agency, e.report_href) for e in index_order(entries)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CRITERIA_COLUMNS)
    for item in criterion_findings(portals):
        for group, tally in item.tallies.items():
            shares = [tally.share(s) for s in (Status.PASS, Status.FAIL, Status.NEEDS_REVIEW)]
            writer.writerow([
                item.id, item.pillar, _cell(pick(item.title, lang)), f"{item.points_possible:g}",
                _cell(group), tally.portals,
                *(tally.counts[s] for s in (Status.PASS, Status.FAIL, Status.NEEDS_REVIEW,
                                            Status.ERROR, Status.NOT_APPLICABLE)),
                *("" if v is None else f"{v:.4f}" for v in shares),
                _cell(";".join(p.result.portal_id for p in tally.failing)),
            ])
    return out.getvalue()


def _cell(text: str) -> str:
    """Text from portals or configuration: a leading = + - @ (even after spaces) would run as a
    formula in a spreadsheet (OWASP "CSV injection")."""
    first = text.lstrip(" \n")[:1]
    return "'" + text if first in ("=", "+", "-", "@", "\t", "\r") else text
