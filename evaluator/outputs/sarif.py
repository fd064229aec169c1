"""SARIF 2.1.0: the criteria as rules, the findings as results.

One run per result. ``tool.driver.rules`` holds every criterion of the result (in result order,
so ``ruleIndex`` is the criterion's position). ``results`` holds one entry per finding of each
criterion that did not pass — ``fail`` → level ``error``, ``error`` (the check could not run) →
``warning``, ``needs_review`` → ``note`` — and one entry without a location for such a criterion
that has no findings. ``pass`` and ``not_applicable`` give no result.

A finding's page is the location's ``artifactLocation.uri`` (percent-encoded into a valid URI
reference), its snippet the ``region.snippet``, its CSS selector a logical location of kind
``element``. A portal that could not be evaluated gives a run with no rules and no results whose
invocation failed, with the reason as a tool execution notification.

Validated in the tests against the OASIS schema (``schemas/vendor/sarif-schema-2.1.0.json``).

Note for GitHub code scanning: it rejects a whole upload whose ``artifactLocation.uri`` has a
scheme other than the checkout's (``SARIF URI scheme "https" did not match the checkout URI
scheme "file"``). ``relative_uris=True`` writes ``host[_port]/path?query`` (no scheme, no colon)
instead and keeps the full page URL in the result's ``properties.pageUrl``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import evaluator
from evaluator.base.files import write_text_atomic
from evaluator.base.status import Status
from evaluator.outputs._text import en, finding_extras, is_evaluated, not_evaluated_reason, summary
from evaluator.results import CriterionResult, FindingResult, PortalResult

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "portal-eval"
TOOL_INFORMATION_URI = "https://github.com/portal-eval/portal-eval"

LEVELS: dict[Status, str] = {
    Status.FAIL: "error",
    Status.ERROR: "warning",
    Status.NEEDS_REVIEW: "note",
}

# RFC 3986 characters a URI reference may carry as they are; "%" keeps existing escapes.
_URI_SAFE = ":/?#[]@!$&'()*+,;=%~"

JSON = dict[str, Any]


def uri_reference(url: str) -> str:
    """``url`` percent-encoded where RFC 3986 needs it (spaces, non-ASCII letters…)."""
    return quote(url, safe=_URI_SAFE)


def scheme_less_uri(url: str) -> str:
    """``http://host:8080/a/b?q`` → ``host_8080/a/b?q``: a relative reference with no scheme."""
    parts = urlsplit(url)
    if not parts.netloc:
        return uri_reference(url.lstrip("/")) or "."
    # An IPv6 literal's colons would read as a scheme separator: "::1" becomes "__1".
    host = (parts.hostname or "").replace(":", "_")
    try:
        port = parts.port
    except ValueError:
        port = None
    path = f"{host}_{port}" if port else host
    path += parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    return uri_reference(path)


def _camel(identifier: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in identifier.replace("_", "-").split("-"))


def _rule(criterion: CriterionResult) -> JSON:
    tags = [criterion.pillar, criterion.check, criterion.scope]
    if criterion.manual:
        tags.append("manual")
    return {
        "id": criterion.id,
        "name": _camel(criterion.id),
        "shortDescription": {"text": criterion.title.en},
        "fullDescription": {"text": criterion.description.en},
        "help": {"text": criterion.fix.en},
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "pillar": criterion.pillar,
            "points": criterion.points_possible,
            "legalSource": criterion.source,
            "check": criterion.check,
            "scope": criterion.scope,
            "manual": criterion.manual,
            "tags": list(dict.fromkeys(t for t in tags if t)),
        },
    }


def _location(finding: FindingResult, relative_uris: bool) -> JSON | None:
    location: JSON = {}
    if finding.page_url:
        uri = scheme_less_uri(finding.page_url) if relative_uris else uri_reference(finding.page_url)
        physical: JSON = {"artifactLocation": {"uri": uri}}
        if finding.snippet:
            physical["region"] = {"snippet": {"text": finding.snippet}}
        location["physicalLocation"] = physical
    if finding.selector:
        location["logicalLocations"] = [{"name": finding.selector, "kind": "element"}]
    return location or None


def _result(criterion: CriterionResult, index: int, text: str,
            finding: FindingResult | None, relative_uris: bool) -> JSON:
    entry: JSON = {
        "ruleId": criterion.id,
        "ruleIndex": index,
        "level": LEVELS[criterion.status],
        "message": {"text": text},
    }
    location = _location(finding, relative_uris) if finding else None
    if location:
        entry["locations"] = [location]
    properties: JSON = {
        "status": criterion.status.value,
        "points": criterion.points,
        "pointsPossible": criterion.points_possible,
    }
    if finding and finding.impact:
        properties["impact"] = finding.impact
    if finding and finding.page_url and relative_uris:
        properties["pageUrl"] = finding.page_url
    entry["properties"] = properties
    return entry


def _results(result: PortalResult, relative_uris: bool) -> list[JSON]:
    results: list[JSON] = []
    for index, criterion in enumerate(result.criteria):
        if criterion.status not in LEVELS:
            continue
        if not criterion.findings:
            results.append(_result(criterion, index, summary(criterion), None, relative_uris))
            continue
        for finding in criterion.findings:
            text = en(finding.message) + finding_extras(finding)
            results.append(_result(criterion, index, text, finding, relative_uris))
    return results


def _notification(text: str, level: str, rule: tuple[str, int] | None = None) -> JSON:
    note: JSON = {"message": {"text": text}, "level": level}
    if rule:
        note["associatedRule"] = {"id": rule[0], "index": rule[1]}
    return note


def _invocation(result: PortalResult) -> JSON:
    if not is_evaluated(result):
        return {
            "executionSuccessful": False,
            "toolExecutionNotifications": [
                _notification(f"not evaluated: {not_evaluated_reason(result)}", "error")],
        }
    notes = [
        _notification(f"{c.id}: the check could not run: {c.error or 'unknown error'}", "error",
                      (c.id, index))
        for index, c in enumerate(result.criteria) if c.status is Status.ERROR
    ]
    notes += [_notification(f"evidence: {error}", "warning") for error in result.evidence_errors]
    invocation: JSON = {"executionSuccessful": True}
    if notes:
        invocation["toolExecutionNotifications"] = notes
    return invocation


def _run_properties(result: PortalResult) -> JSON:
    return {
        "portal": result.portal_id,
        "portalName": result.portal_name,
        "startUrl": result.start_url,
        "evaluatedAt": result.evaluated_at,
        "profile": result.profile.id,
        "profileDigest": result.profile.digest,
        "grade": result.grade,
        "total": result.total,
        "totalPossible": result.total_possible,
        "pillars": {
            p.id: {"points": p.points, "pointsPossible": p.points_possible}
            for p in result.pillars.values()
        },
        "notEvaluated": None if is_evaluated(result) else not_evaluated_reason(result),
    }


def build_sarif(result: PortalResult, *, relative_uris: bool = False) -> JSON:
    """The SARIF log as a JSON-ready dict."""
    evaluated = is_evaluated(result)
    run: JSON = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": evaluator.__version__,
                "semanticVersion": evaluator.__version__,
                "informationUri": TOOL_INFORMATION_URI,
                "rules": [_rule(c) for c in result.criteria] if evaluated else [],
            }
        },
        "invocations": [_invocation(result)],
        "results": _results(result, relative_uris) if evaluated else [],
        "properties": _run_properties(result),
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(result: PortalResult, *, relative_uris: bool = False) -> str:
    """The SARIF log as UTF-8 JSON text, two-space indented, with a final newline."""
    text = json.dumps(build_sarif(result, relative_uris=relative_uris), ensure_ascii=False,
                      indent=2) + "\n"
    # A lone surrogate (broken page text) cannot be written as UTF-8; as a \\uXXXX escape it is
    # still valid JSON and decodes to the same string.
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def write_sarif(result: PortalResult, path: Path, *, relative_uris: bool = False) -> Path:
    """Write :func:`render_sarif` to ``path`` atomically (temp file, then rename)."""
    target = Path(path)
    write_text_atomic(target, render_sarif(result, relative_uris=relative_uris))
    return target
