"""The "Fix first" list: a portal's fixes ranked by the points of the total they would recover.

Pure: scoring calls it with each criterion's outcome and result; the report, ``gate`` and
``result.json`` show what it returns (``PortalResult.fix_first``).

* One entry per failed criterion that lost points: its lost points, on the 100-point total (a
  pillar with not-applicable criteria is rescaled over the rest, so a lost point there is worth
  more than its face value). An attested criterion the auditor scored 0 or 0.5 is a fix too.
* The accessibility criterion (``axe_clean``) is split per axe-core rule: on each template the
  score formula charged every rule ``weight × share of the template's pages it hits``, and the
  template lost ``min(1, Σ charges)``; each rule gets its share of that loss, in proportion to
  its charge. The entries add up to the criterion's lost points exactly. (Fixing one rule
  alone on a template whose charges exceed 1 raises its score less than its share until the
  others are fixed too; the share is what the rule is responsible for.)
* ``needs_review`` (a person must judge) and ``error`` (the evaluator could not measure) are
  not fixes of the portal; the report states their points beside the list.
* Where: the pages the findings name, or, for more than ``WHERE_PAGES_MAX`` of them, their
  templates (path patterns, /thu-tuc/*), or "site" when the fault has no page (the server's
  TLS, the DNS zone, a page that does not exist).

Ties keep the profile's order of criteria, then the order of the rules in the findings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from evaluator.base.status import Status
from evaluator.checks.access import template_of
from evaluator.checks.messages import Msg, to_text
from evaluator.results import CriterionResult, FixItem
from evaluator.runner import CriterionOutcome

# Up to this many pages are named one by one; more are named by their templates (all of them:
# a portal has a few dozen at most, and the report says how many it does not show).
WHERE_PAGES_MAX = 5
# Entries worth less than this (after rounding to hundredths) recover nothing visible.
MIN_POINTS = 0.005


def build_fix_first(scored: Sequence[tuple[CriterionOutcome, CriterionResult]],
                    scales: Mapping[str, float]) -> list[FixItem]:
    """``scored``: every criterion's outcome and result, in the profile's order; ``scales``:
    per pillar, how much one of its criterion points is worth on the total."""
    items: list[tuple[float, int, FixItem]] = []
    for order, (outcome, result) in enumerate(scored):
        if result.status is not Status.FAIL:
            continue
        worth = (result.points_possible - result.points) * scales.get(result.pillar, 0.0)
        if worth < MIN_POINTS:
            continue
        rules = outcome.outcome.data.get("rules") if result.check == "axe_clean" else None
        split = _axe_rules(result, rules, outcome.outcome.data.get("template_scores"), worth) \
            if rules and result.points_source == "automated" else []
        for item in split or [_criterion_item(outcome, result, worth)]:
            items.append((item.points, order, item))
    items.sort(key=lambda entry: (-entry[0], entry[1]))
    return [item for _points, _order, item in items if item.points >= MIN_POINTS]


def _criterion_item(outcome: CriterionOutcome, result: CriterionResult, worth: float) -> FixItem:
    pages = _failing_pages(outcome, result)
    kind, where = _where(pages)
    return FixItem(criterion=result.id, pillar=result.pillar, title=result.failure_title,
                   fix=result.fix, fixed_by=result.fixed_by, points=round(worth, 2),
                   where_kind=kind, where=where, pages=len(pages))


def _failing_pages(outcome: CriterionOutcome, result: CriterionResult) -> list[str]:
    """The pages at fault: the failing pages of a per-page criterion, else the pages its
    findings name (in order, once each)."""
    per_page = outcome.outcome.data.get("per_page")
    if isinstance(per_page, list) and per_page:
        failing = [p.get("page") for p in per_page
                   if isinstance(p, dict) and p.get("status") not in ("pass", "not_applicable")]
        return list(dict.fromkeys(p for p in failing if isinstance(p, str) and p))
    return list(dict.fromkeys(f.page_url for f in result.findings if f.page_url))


def _where(pages: Sequence[str]) -> tuple[str, list[str]]:
    if not pages:
        return "site", []
    if len(pages) <= WHERE_PAGES_MAX:
        return "pages", list(pages)
    counts: dict[str, int] = {}
    for page in pages:
        counts[template_of(page)] = counts.get(template_of(page), 0) + 1
    ranked = sorted(counts, key=lambda t: -counts[t])  # stable: first seen first among equals
    return "templates", ranked


def _axe_rules(result: CriterionResult, rules: Any, template_scores: Any,
               worth: float) -> list[FixItem]:
    """The accessibility criterion's lost points split per rule (module docstring)."""
    if not isinstance(template_scores, dict) or not template_scores:
        return []
    charged: dict[str, float] = {}
    for rule in rules:
        for template, charge in rule["penalty"].items():
            charged[template] = charged.get(template, 0.0) + charge
    lost_share = 1.0 - sum(template_scores.values()) / len(template_scores)
    if lost_share <= 0:
        return []
    out = []
    for rule in rules:
        # This rule's part of the criterion's lost share: on each template, the template's loss
        # split in proportion to the charges.
        part = sum((1.0 - template_scores[t]) * charge / charged[t]
                   for t, charge in rule["penalty"].items() if charged.get(t, 0.0) > 0
                   and t in template_scores) / len(template_scores)
        templates = sorted(rule["penalty"], key=lambda t: -rule["penalty"][t])
        message = rule["message"]
        out.append(FixItem(
            criterion=result.id, rule=str(rule["rule"]), pillar=result.pillar,
            title=to_text(message) if isinstance(message, Msg) else result.failure_title,
            fix=result.fix, fixed_by=result.fixed_by, points=round(worth * part / lost_share, 2),
            where_kind="templates", where=templates, pages=len(rule["pages"]),
            impact=rule.get("impact"),
        ))
    return out
