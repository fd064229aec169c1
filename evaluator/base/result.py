"""The models of result.json, the golden artifact of an evaluation (schema: schemas/).

Stable contract for pipelines (do not rename): top-level ``grade``, ``total``, ``pillars``
(each with ``points`` earned and ``points_possible``) and ``criteria`` (each with ``id``,
``status``, ``points``). Reading and writing the file is evaluator/results.py.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from evaluator.base.performance import PerformanceMeasurements
from evaluator.base.status import Status
from evaluator.base.text import Band, FixedBy, Text

# 2: display_value, expected and findings' message/expected became Text {vi, en}.
# 3: each criterion's fixed_by; the "Fix first" list (fix_first).
RESULT_SCHEMA_VERSION = 3


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# The versions an evaluation ran with: the evidence records them, the result repeats them. (A
# comment, not a docstring: a docstring would become a description in the published schema.)
class Versions(_Model):
    portal_eval: str
    chromium: str | None = None
    playwright: str | None = None
    axe_core: str | None = None
    lighthouse: str | None = None


class FindingResult(_Model):
    # Sentences are in both languages; the other fields are data, shown as found.
    message: Text
    page_url: str | None = None
    selector: str | None = None
    snippet: str | None = None
    value: str | None = None
    expected: Text | None = None
    impact: str | None = None


class AttestationResult(_Model):
    """The auditor's word on a manual criterion (evaluator/criteria/attestations.py)."""

    score: float
    note: str
    evidence: str
    attested_by: str
    attested_on: str


class CriterionResult(_Model):
    id: str
    pillar: str
    # Who usually fixes it: content editors, developers or server/infrastructure staff.
    fixed_by: FixedBy
    status: Status
    # Points earned and possible. Earned = possible when passed (binary scoring), or possible
    # times the check's score (ratio scoring); 0 for fail, needs_review and error.
    points: float
    points_possible: float
    score: float | None = None
    # automated: a check decided; attestation: an auditor did (manual criteria); none: a manual
    # criterion nobody attested yet (needs_review, no points).
    points_source: str = "automated"
    manual: bool = False
    attestation: AttestationResult | None = None
    title: Text
    failure_title: Text
    description: Text
    fix: Text
    source: str
    check: str
    scope: str
    value: float | str | None = None
    unit: str | None = None
    # What was measured and what the criterion asks, in both languages; None when the check
    # has nothing to say (an error's one English line is in ``error``).
    display_value: Text | None = None
    expected: Text | None = None
    pages: list[str] = Field(default_factory=list)
    findings: list[FindingResult] = Field(default_factory=list)
    findings_total: int = 0
    error: str | None = None


class FixItem(_Model):
    """One entry of the "Fix first" list (evaluator/fixfirst.py): a fix, where, who usually
    makes it and the points of the total it would recover."""

    criterion: str
    # The axe-core rule of an accessibility entry (that criterion is split per rule).
    rule: str | None = None
    pillar: str
    title: Text
    fix: Text
    fixed_by: FixedBy
    # Points of the total (0-100) the fix would recover, in hundredths; a pillar rescaled over
    # its applicable criteria counts at that scale.
    points: float
    # pages: page URLs; templates: path patterns (/thu-tuc/*); site: the portal as a whole (a
    # server setting, the DNS zone, a page or feature that is missing).
    where_kind: Literal["pages", "templates", "site"]
    where: list[str] = Field(default_factory=list)
    # Pages the fix concerns (0 for the site as a whole).
    pages: int = 0
    # axe-core's impact of an accessibility rule: critical, serious, moderate or minor.
    impact: str | None = None


class PillarResult(_Model):
    id: str
    title: Text
    points: float
    points_possible: float
    # Points of this pillar's criteria that were not applicable to this portal; the pillar
    # total is rescaled over the applicable ones.
    points_not_applicable: float = 0.0
    # The points the checks earned on their own: attested points left out.
    points_automated: float = 0.0


class ProfileRef(_Model):
    id: str
    title: Text
    digest: str
    bands: list[Band]


class PortalResult(_Model):
    schema_version: int = RESULT_SCHEMA_VERSION
    portal_id: str
    portal_name: str = ""
    start_url: str
    evaluated_at: str
    profile: ProfileRef
    versions: Versions
    # None when the portal could not be evaluated; ``not_evaluated`` then says why.
    grade: str | None
    total: float | None
    total_possible: float = 100.0
    # The total without any auditor attestation: what the automated checks alone earned.
    total_automated: float | None = None
    pillars: dict[str, PillarResult]
    criteria: list[CriterionResult]
    not_evaluated: str | None = None
    pages_evaluated: int = 0
    evidence_errors: list[str] = Field(default_factory=list)
    disabled: dict[str, str] = Field(default_factory=dict)
    # Lighthouse metrics per key template with their thresholds, availability, the persona's
    # journey: what the report's performance section shows (evaluator/performance_summary.py).
    performance: PerformanceMeasurements | None = None
    # What to fix first: failed criteria (accessibility per rule) by the points they would
    # recover, most first.
    fix_first: list[FixItem] = Field(default_factory=list)
