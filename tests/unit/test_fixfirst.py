"""The "Fix first" list: what a portal's team should fix first, by the points each fix recovers."""

from __future__ import annotations

from typing import Any

import pytest

from evaluator.checks.messages import msg
from evaluator.checks.model import Finding, Outcome, Status
from evaluator.criteria.schema import Text
from evaluator.fixfirst import WHERE_PAGES_MAX, build_fix_first
from evaluator.results import CriterionResult, FindingResult, PortalResult, load_result
from evaluator.runner import CriterionOutcome
from evaluator.scoring import score_bundle
from tests.unit.evidence_factory import (
    bundle,
    page,
    shipped_criterion,
    shipped_profile,
    start_page,
    url,
    violation,
)
from tests.unit.test_rounds_report import GOLDEN


def text(en: str) -> Text:
    return Text(vi=f"VI {en}", en=en)


def scored(cid: str, status: Status, points: float, possible: float, *, pillar: str = "functionality",
           findings: tuple[str, ...] = (), data: dict[str, Any] | None = None,
           fixed_by: str = "content") -> tuple[CriterionOutcome, CriterionResult]:
    outcome = Outcome(status, None, findings=tuple(Finding(msg("axe.clean"), page_url=u)
                                                   for u in findings), data=data or {})
    result = CriterionResult(
        id=cid, pillar=pillar, fixed_by=fixed_by, status=status, points=points,  # type: ignore[arg-type]
        points_possible=possible, title=text(f"{cid} works"), failure_title=text(f"{cid} broken"),
        description=text("why"), fix=text(f"repair {cid}"), source="TT", check="x", scope="site",
        findings=[FindingResult(message=text("seen"), page_url=u) for u in findings])
    return CriterionOutcome(shipped_criterion("hotline"), outcome), result


def test_only_failed_criteria_that_lost_points_are_fixes_most_points_first() -> None:
    items = build_fix_first([
        scored("small", Status.FAIL, 1, 2),
        scored("review", Status.NEEDS_REVIEW, 0, 5),      # a person judges: not a fix
        scored("broken-tool", Status.ERROR, 0, 5),         # not measured: not a fix
        scored("fine", Status.PASS, 4, 4),
        scored("none-here", Status.NOT_APPLICABLE, 0, 3),
        scored("informative", Status.FAIL, 0, 0),          # 0 points: recovers nothing
        scored("big", Status.FAIL, 0, 4, fixed_by="infrastructure"),
        scored("tie", Status.FAIL, 0, 1),
    ], {"functionality": 1.0})
    assert [(i.criterion, i.points, i.fixed_by) for i in items] == [
        ("big", 4.0, "infrastructure"), ("small", 1.0, "content"), ("tie", 1.0, "content")]
    assert items[0].title.en == "big broken" and items[0].fix.en == "repair big"


def test_points_are_on_the_total_after_the_pillars_rescaling() -> None:
    # A 10-point pillar with 4 points not applicable: each applicable point is worth 10/6.
    (item,) = build_fix_first([scored("a", Status.FAIL, 0, 3, pillar="access")],
                              {"access": 10 / 6})
    assert item.points == 5.0


@pytest.mark.parametrize(("pages", "kind", "where"), [
    ((), "site", []),
    (("/a", "/b", "/a"), "pages", [url("/a"), url("/b")]),
    ((*tuple(f"/thu-tuc/{n}" for n in range(7)), "/", "/lien-he"), "templates",
     ["/thu-tuc/*", "/", "/lien-he"]),
])
def test_where_names_pages_or_their_templates_or_the_site(
        pages: tuple[str, ...], kind: str, where: list[str]) -> None:
    (item,) = build_fix_first([scored("a", Status.FAIL, 0, 1, findings=tuple(url(p) for p in pages))],
                              {"functionality": 1.0})
    assert (item.where_kind, item.where, item.pages) == (kind, where, len(set(pages)))
    assert len(where) <= WHERE_PAGES_MAX or kind == "templates"


def test_a_per_page_criterion_names_its_failing_pages_not_every_page() -> None:
    per_page = [{"page": url("/"), "status": "pass"}, {"page": url("/a"), "status": "fail"},
                {"page": url("/b"), "status": "needs_review"}]
    (item,) = build_fix_first([scored("lang", Status.FAIL, 0.5, 1, findings=(url("/a"),),
                                      data={"per_page": per_page})], {"functionality": 1.0})
    assert item.where == [url("/a"), url("/b")]


def axe_result(pages: list[Any]) -> PortalResult:
    return score_bundle(bundle(pages), shipped_profile())


def access_scale(result: PortalResult) -> float:
    mine = [c for c in result.criteria if c.pillar == "access"]
    applicable = sum(c.points_possible for c in mine if c.status is not Status.NOT_APPLICABLE)
    return result.pillars["access"].points_possible / applicable


def test_accessibility_is_split_per_rule_and_adds_up_to_its_lost_points() -> None:
    result = axe_result([
        start_page(axe=[violation("image-alt", "critical"), violation("color-contrast", "serious")]),
        page("/thu-tuc/1", axe=[violation("image-alt", "critical"), violation("label", "critical")]),
        page("/thu-tuc/2", axe=[violation("image-alt", "critical")]),
    ])
    (axe,) = [c for c in result.criteria if c.id == "accessibility-wcag-aa"]
    # Charges: template / 0.5 + 0.25 = 0.75; /thu-tuc/* 0.5 × 2/2 + 0.5 × 1/2 = 0.75; each
    # template scores 2^(−0.75/0.5).
    kept = 2 ** -1.5
    assert axe.score == pytest.approx(kept, abs=1e-6)
    rules = {i.rule: i for i in result.fix_first if i.criterion == "accessibility-wcag-aa"}
    assert set(rules) == {"image-alt", "color-contrast", "label"}
    scale = access_scale(result)
    # Each template lost 1 − kept, shared in proportion to the charges: image-alt carries 0.5 of
    # 0.75 on both templates, color-contrast and label 0.25 of 0.75 on one each.
    lost = axe.points_possible * (1 - kept) * scale
    assert rules["image-alt"].points == round(lost * 2 / 3, 2)
    assert rules["color-contrast"].points == rules["label"].points == round(lost / 6, 2)
    total = sum(i.points for i in rules.values())
    assert total == pytest.approx((axe.points_possible - axe.points) * scale, abs=0.011)
    image = rules["image-alt"]
    assert (image.where_kind, image.where, image.pages) == ("templates", ["/", "/thu-tuc/*"], 3)
    assert image.impact == "critical" and image.fixed_by == "development"
    assert image.title.en.startswith("image-alt: image-alt help (WCAG")
    assert rules["label"].where == ["/thu-tuc/*"]
    # Ranked among the other fixes by points, the biggest rule first.
    ranked = [i.rule for i in result.fix_first if i.rule]
    assert ranked[0] == "image-alt"


def test_equal_charges_share_a_templates_loss_equally() -> None:
    result = axe_result([start_page(axe=[violation(r, "critical") for r in ("a1", "a2", "a3")])])
    rules = [i for i in result.fix_first if i.criterion == "accessibility-wcag-aa"]
    assert len(rules) == 3
    scale = access_scale(result)
    (axe,) = [c for c in result.criteria if c.id == "accessibility-wcag-aa"]
    # Three critical barriers: the template keeps 2^−3 of its share; each rule carries a third
    # of the loss.
    assert [i.points for i in rules] == [round(axe.points_possible * (1 - 0.125) * scale / 3,
                                               2)] * 3


def test_an_attested_partial_score_is_a_fix_a_missing_attestation_is_not() -> None:
    result = load_result(GOLDEN / "tinh-trung-binh.vn-2023.result.json")
    by_id = {i.criterion: i for i in result.fix_first if i.rule is None}
    attested = {c.id: c for c in result.criteria if c.points_source == "attestation"}
    assert attested["prefilled-eforms"].attestation is not None
    assert attested["prefilled-eforms"].attestation.score == 0.5
    assert by_id["prefilled-eforms"].points == 3.0 and by_id["prefilled-eforms"].where_kind == "site"
    assert "digital-signature" not in by_id  # needs_review: waiting for an auditor


@pytest.mark.parametrize("portal_id", ["mau", "tinh-trung-binh", "kem"])
def test_the_list_accounts_for_every_lost_point_but_those_awaiting_a_person(portal_id: str) -> None:
    result = load_result(GOLDEN / f"{portal_id}.vn-2023.result.json")
    assert result.total is not None
    waiting = sum(c.points_possible - c.points for c in result.criteria
                  if c.status in (Status.NEEDS_REVIEW, Status.ERROR))
    fixes = sum(i.points for i in result.fix_first)
    # Each entry is rounded to hundredths.
    assert fixes + waiting == pytest.approx(100 - result.total, abs=0.01 * len(result.fix_first) + 0.01)
    assert [i.points for i in result.fix_first] == sorted((i.points for i in result.fix_first),
                                                          reverse=True)
    assert (result.fix_first == []) == (portal_id == "mau")
