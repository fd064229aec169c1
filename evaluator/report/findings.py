"""Round findings: for every criterion, how many of the round's portals passed, failed or need
review, in all and by kind of agency; and the grades by kind of agency.

What the ministry publishes after a round (the round index's "Kết quả theo tiêu chí" section and
``criteria.csv``). Pure: results in, tallies out. Portals that could not be evaluated are not
counted (they have no criteria); each share is of the evaluated portals of its group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from evaluator.base.status import Status
from evaluator.base.text import Text
from evaluator.results import PortalResult

# The group of every evaluated portal, before the groups by kind of agency.
ALL = "all"
STATUSES: tuple[Status, ...] = (Status.PASS, Status.FAIL, Status.NEEDS_REVIEW, Status.ERROR,
                                Status.NOT_APPLICABLE)


@dataclass(frozen=True)
class Portal:
    """A portal of the round as the findings need it: its result, kind and report link."""

    result: PortalResult
    agency: str
    report_href: str


@dataclass
class Tally:
    """One criterion in one group of portals."""

    portals: int = 0
    counts: dict[Status, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    # The portals that failed it, in the round's order.
    failing: list[Portal] = field(default_factory=list)

    def share(self, status: Status) -> float | None:
        """The share of the group's evaluated portals with ``status``; None for an empty group."""
        return self.counts[status] / self.portals if self.portals else None


@dataclass(frozen=True)
class CriterionFindings:
    id: str
    pillar: str
    title: Text
    points_possible: float
    # Profile order, for a stable default and for ties.
    position: int
    # ALL first, then each kind of agency, in ``groups`` order.
    tallies: dict[str, Tally]


def evaluated(portals: Sequence[Portal]) -> list[Portal]:
    return [p for p in portals if p.result.not_evaluated is None and p.result.total is not None]


def groups(portals: Sequence[Portal]) -> list[str]:
    """ALL, then the kinds of agency among the evaluated portals, sorted; only ALL when the round
    has fewer than two kinds (a kind's counts would repeat ALL's)."""
    kinds = sorted({p.agency for p in evaluated(portals) if p.agency})
    return [ALL, *kinds] if len(kinds) > 1 else [ALL]


def criterion_findings(portals: Sequence[Portal]) -> list[CriterionFindings]:
    """Every criterion any evaluated portal was scored on, in the order the first result lists
    them (a criterion only later results have comes after)."""
    done = evaluated(portals)
    names = groups(portals)
    found: dict[str, CriterionFindings] = {}
    for portal in done:
        for criterion in portal.result.criteria:
            if criterion.id not in found:
                found[criterion.id] = CriterionFindings(
                    criterion.id, criterion.pillar, criterion.title, criterion.points_possible,
                    len(found), {name: Tally() for name in names})
    for item in found.values():
        for portal in done:
            status = next((c.status for c in portal.result.criteria if c.id == item.id), None)
            for name in names:
                if name != ALL and portal.agency != name:
                    continue
                tally = item.tallies[name]
                # A portal scored on another profile without this criterion is not counted.
                if status is None:
                    continue
                tally.portals += 1
                tally.counts[status] += 1
                if status is Status.FAIL:
                    tally.failing.append(portal)
    return list(found.values())


@dataclass(frozen=True)
class GradeRow:
    """The grades of one group of portals, best band first."""

    group: str
    portals: int
    counts: list[tuple[str, int]]


def grade_distribution(portals: Sequence[Portal]) -> list[GradeRow]:
    done = evaluated(portals)
    bands = [b.grade for b in done[0].result.profile.bands] if done else []
    rows = []
    for name in groups(portals):
        mine = [p for p in done if name == ALL or p.agency == name]
        counts = {grade: 0 for grade in bands}
        for p in mine:
            if p.result.grade is not None:
                counts[p.result.grade] = counts.get(p.result.grade, 0) + 1
        rows.append(GradeRow(name, len(mine), list(counts.items())))
    return rows
