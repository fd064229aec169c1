"""The report's "Fix first" section: the fixes by the points they would recover, where each is and
who usually makes it, and the points that wait for a person or the evaluator (no fix of the
portal). The list itself is computed during scoring (evaluator/fixfirst.py) and read here from
the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evaluator.base.result import FixItem, PortalResult
from evaluator.base.status import Status
from evaluator.report.environment import Translator
from evaluator.report.format import Link, fmt_fix_points, fmt_points, pick, safe_href, short_url

# "Fix first": the first fixes in the open, the rest folded (kem has about 50); where each is,
# up to a few pages or templates in the cell.
FIXES_OPEN = 10
WHERE_SHOWN = 3


@dataclass(frozen=True)
class FixView:
    rank: int
    title: str
    fix: str
    # The criterion's card in the report, "#criterion-<id>".
    href: str
    rule: str | None
    impact: str | None
    fixed_by: str
    fixed_by_kind: str
    points: str
    where_kind: str
    where: list[Link]
    where_more: int
    pages: int


@dataclass(frozen=True)
class WhoView:
    kind: str
    label: str
    count: int
    points: str


def fix_view(rank: int, item: FixItem, start_url: str, lang: str, t: Translator) -> FixView:
    impact = item.impact
    if impact and f"impact.{impact}" in t.strings:
        impact = t(f"impact.{impact}")
    if item.where_kind == "pages":
        where = [Link(short_url(u, start_url), safe_href(u)) for u in item.where[:WHERE_SHOWN]]
    else:
        where = [Link(w, None) for w in item.where[:WHERE_SHOWN]]
    return FixView(
        rank=rank, title=pick(item.title, lang), fix=pick(item.fix, lang),
        href=f"#criterion-{item.criterion}", rule=item.rule, impact=impact,
        fixed_by=t(f"fixed_by.{item.fixed_by}"), fixed_by_kind=item.fixed_by,
        points=fmt_fix_points(item.points), where_kind=item.where_kind, where=where,
        where_more=max(0, len(item.where) - WHERE_SHOWN), pages=item.pages,
    )


def fix_context(result: PortalResult, lang: str, t: Translator) -> dict[str, Any]:
    fixes = [fix_view(i, item, result.start_url, lang, t)
             for i, item in enumerate(result.fix_first, start=1)]
    who: dict[str, list[FixItem]] = {}
    for item in result.fix_first:
        who.setdefault(item.fixed_by, []).append(item)
    lost = {s: sum(c.points_possible - c.points for c in result.criteria if c.status is s)
            for s in (Status.NEEDS_REVIEW, Status.ERROR)}
    return {
        "fixes_open": fixes[:FIXES_OPEN], "fixes_folded": fixes[FIXES_OPEN:],
        "fixes_count": len(fixes),
        "fixes_points": fmt_fix_points(sum(i.points for i in result.fix_first)),
        "fixes_folded_points": fmt_fix_points(sum(i.points for i in result.fix_first[FIXES_OPEN:])),
        "fixes_by_who": [WhoView(kind, t(f"fixed_by.{kind}"), len(items),
                                 fmt_fix_points(sum(i.points for i in items)))
                         for kind in ("content", "development", "infrastructure")
                         if (items := who.get(kind))],
        # Points the list leaves out, because a person or the evaluator owes them.
        "waiting": [t(key, points=fmt_points(lost[s])) for s, key in
                    ((Status.NEEDS_REVIEW, "fix.waiting_review"), (Status.ERROR, "fix.waiting_error"))
                    if lost[s] > 0],
    }
