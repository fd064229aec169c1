"""The round index as CSV: the leaderboard's rows and columns, for spreadsheet users."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from evaluator.report.html import IndexEntry, index_order, ranked, translator


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


def _cell(text: str) -> str:
    """Text from portals or configuration: a leading = + - @ (even after spaces) would run as a
    formula in a spreadsheet (OWASP "CSV injection")."""
    first = text.lstrip(" \n")[:1]
    return "'" + text if first in ("=", "+", "-", "@", "\t", "\r") else text
