"""The round's ranking: the portals of an index in leaderboard order, with competition ranks.

The HTML index (index.py) and the CSV (csv_export.py) both rank by it, so they never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from evaluator.base.result import PortalResult
from evaluator.report.format import is_evaluated


@dataclass(frozen=True)
class RoundPoint:
    """A portal's result in one round of a series (the round index's history and trend)."""

    round_id: str
    grade: str | None
    total: float | None
    # Points per pillar id; empty when the portal was not evaluated in that round.
    pillars: Mapping[str, float]


@dataclass(frozen=True)
class IndexEntry:
    result: PortalResult
    # Relative link from the index to the portal's report, e.g. "dichvucong.x.gov.vn/report.html".
    report_href: str
    # The agency (ministry or province) from the target, when the caller has it.
    agency: str = ""
    # Stored rounds (portal-eval batch): the portal's results in every round so far, oldest
    # first, this round included. Empty outside rounds: no trend column, no history section.
    history: tuple[RoundPoint, ...] = ()


def index_order(entries: Sequence[IndexEntry]) -> list[IndexEntry]:
    """Evaluated portals by total, highest first (ties by name, then id); the rest last, by id."""
    done = [e for e in entries if is_evaluated(e.result)]
    rest = [e for e in entries if not is_evaluated(e.result)]
    done.sort(key=lambda e: (-(e.result.total or 0.0),
                             (e.result.portal_name or e.result.portal_id).casefold(),
                             e.result.portal_id))
    rest.sort(key=lambda e: e.result.portal_id)
    return done + rest


def ranked(ordered: Sequence[IndexEntry]) -> list[tuple[int | None, IndexEntry]]:
    """Standard competition ranking of entries already in index_order: equal totals share a
    rank (1, 2, 2, 4); portals not evaluated have none. The HTML index and the CSV use it."""
    out: list[tuple[int | None, IndexEntry]] = []
    rank, previous = 0, None
    for position, entry in enumerate(ordered, start=1):
        if not is_evaluated(entry.result):
            out.append((None, entry))
            continue
        if entry.result.total != previous:
            rank, previous = position, entry.result.total
        out.append((rank, entry))
    return out

