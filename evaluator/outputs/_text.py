"""Plain-text pieces shared by the JUnit and SARIF outputs (English: CI logs are read in English)."""

from __future__ import annotations

from evaluator.base.status import Status
from evaluator.base.text import Text
from evaluator.results import CriterionResult, FindingResult, PortalResult


def en(text: Text | str | None) -> str:
    """The English of a bilingual text (Vietnamese when the English is blank); "" for None.

    Plain strings pass through, so results whose measured values are plain text read the same.
    """
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    return text.en if text.en.strip() else text.vi


def num(value: float | None) -> str:
    """A number as the report writes it: 13, 6.33, 0 — no trailing zeros, no exponent."""
    if value is None:
        return ""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def is_evaluated(result: PortalResult) -> bool:
    return result.not_evaluated is None and result.grade is not None


def not_evaluated_reason(result: PortalResult) -> str:
    return result.not_evaluated or "no grade was computed"


def summary(criterion: CriterionResult) -> str:
    """One line: what went wrong (or what needs a look), measured against what was expected."""
    if criterion.status is Status.ERROR:
        return f"{criterion.title.en}: the check could not run: {criterion.error or 'unknown error'}"
    head = criterion.failure_title.en if criterion.status is Status.FAIL else criterion.title.en
    detail, expected = en(criterion.display_value), en(criterion.expected)
    if expected:
        detail = f"{detail} (expected {expected})" if detail else f"expected {expected}"
    return f"{head}: {detail}" if detail else head


def finding_extras(finding: FindingResult) -> str:
    """`` (value: …; expected: …)`` or nothing."""
    extras = [f"{name}: {value}" for name, value in (("value", finding.value),
                                                     ("expected", en(finding.expected))) if value]
    return f" ({'; '.join(extras)})" if extras else ""


def finding_line(finding: FindingResult) -> str:
    parts = [en(finding.message) + finding_extras(finding)]
    if finding.page_url:
        parts.append(finding.page_url)
    if finding.selector:
        parts.append(f"element {finding.selector}")
    if finding.snippet:
        parts.append(f'"{finding.snippet}"')
    if finding.impact:
        parts.append(f"impact {finding.impact}")
    return " — ".join(parts)


def details(criterion: CriterionResult) -> str:
    """The body of a JUnit failure / error: everything a reader needs without the HTML report."""
    lines = [f"{criterion.id}: {criterion.title.en}"]
    if criterion.status is Status.ERROR:
        lines.append(f"Error: {criterion.error or 'unknown error'}")
    if criterion.display_value:
        lines.append(f"Measured: {en(criterion.display_value)}")
    if criterion.expected:
        lines.append(f"Expected: {en(criterion.expected)}")
    lines.append(f"Points: {num(criterion.points)}/{num(criterion.points_possible)}")
    lines.append(f"Source: {criterion.source}")
    lines.append(f"Fix: {criterion.fix.en}")
    if criterion.findings:
        shown = len(criterion.findings)
        total = max(criterion.findings_total, shown)
        lines.append(f"Findings ({shown} of {total}):" if total > shown else f"Findings ({shown}):")
        lines.extend(f"- {finding_line(f)}" for f in criterion.findings)
    if criterion.pages:
        lines.append("Pages:")
        lines.extend(f"- {page}" for page in criterion.pages)
    return "\n".join(lines) + "\n"
