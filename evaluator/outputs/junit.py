"""JUnit XML: one ``<testsuite>`` per pillar, one ``<testcase>`` per criterion.

Status mapping (the one vocabulary of :class:`~evaluator.checks.model.Status`):

- ``pass`` → a bare test case;
- ``fail`` → ``<failure message="…">`` with what was measured, what was expected and the
  findings (with their page URLs) in the text;
- ``error`` → ``<error message="…">`` (the check could not run);
- ``needs_review`` and ``not_applicable`` → ``<skipped message="…">``.

A portal that could not be evaluated gives one suite with one test case, ``portal-evaluated``,
in error with the reason. The output validates against Jenkins' ``junit-10.xsd``
(``schemas/vendor/``); it is built with :mod:`xml.etree.ElementTree`, so every text is escaped,
and characters XML 1.0 cannot carry (NUL, other control characters, lone surrogates) are written
as visible ``\\xNN`` / ``\\uNNNN`` escapes instead of making the file unreadable.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from evaluator.base.files import write_text_atomic
from evaluator.base.status import Status
from evaluator.outputs._text import details, en, is_evaluated, not_evaluated_reason, num, summary
from evaluator.results import CriterionResult, PortalResult

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'

# Everything XML 1.0 (§2.2 Char) does not allow in a document, escapes or not.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def xml_safe(text: str) -> str:
    """``text`` with the characters XML cannot carry made visible, line ends as ``\\n``."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_XML_CHAR.sub(_visible, text)


def _element(parent: ET.Element | None, tag: str, attrs: dict[str, str],
             text: str | None = None) -> ET.Element:
    clean = {name: xml_safe(value) for name, value in attrs.items()}
    element = ET.Element(tag, clean) if parent is None else ET.SubElement(parent, tag, clean)
    if text is not None:
        element.text = xml_safe(text)
    return element


def _suite_properties(suite: ET.Element, result: PortalResult, extra: dict[str, str]) -> None:
    props = _element(suite, "properties", {})
    values = {
        "portal": result.portal_id,
        "portal_name": result.portal_name,
        "start_url": result.start_url,
        "profile": result.profile.id,
        "profile_digest": result.profile.digest,
        "grade": result.grade or "",
        "total": num(result.total),
        "total_possible": num(result.total_possible),
        **extra,
        "evaluated_at": result.evaluated_at,
        "portal_eval_version": result.versions.portal_eval,
    }
    for name, value in values.items():
        _element(props, "property", {"name": name, "value": value})


def _testcase(suite: ET.Element, result: PortalResult, criterion: CriterionResult) -> None:
    case = _element(suite, "testcase", {
        "classname": f"portal-eval.{result.portal_id}.{criterion.pillar}",
        "name": f"{criterion.id}: {criterion.title.en}",
    })
    status = criterion.status
    if status is Status.FAIL:
        _element(case, "failure", {"message": summary(criterion), "type": status.value},
                 details(criterion))
    elif status is Status.ERROR:
        _element(case, "error", {"message": summary(criterion), "type": status.value},
                 details(criterion))
    elif status is Status.NEEDS_REVIEW:
        _element(case, "skipped", {"message": f"needs review: {summary(criterion)}",
                                   "type": status.value}, details(criterion))
    elif status is Status.NOT_APPLICABLE:
        reason = en(criterion.display_value) or "does not apply to this portal"
        _element(case, "skipped", {"message": f"not applicable: {reason}", "type": status.value})


def _counts(criteria: list[CriterionResult]) -> dict[str, str]:
    def count(*statuses: Status) -> str:
        return str(sum(c.status in statuses for c in criteria))

    return {
        "tests": str(len(criteria)),
        "failures": count(Status.FAIL),
        "errors": count(Status.ERROR),
        "skipped": count(Status.NEEDS_REVIEW, Status.NOT_APPLICABLE),
    }


def _pillar_order(result: PortalResult) -> list[str]:
    order = list(result.pillars)
    for criterion in result.criteria:
        if criterion.pillar not in order:
            order.append(criterion.pillar)
    return order


def build_junit(result: PortalResult) -> ET.Element:
    """The ``<testsuites>`` element (for callers that want to merge several portals)."""
    package = f"portal-eval.{result.portal_id}"
    if not is_evaluated(result):
        reason = not_evaluated_reason(result)
        root = _element(None, "testsuites", {"name": package, "tests": "1", "failures": "0",
                                             "errors": "1"})
        suite = _element(root, "testsuite", {
            "name": "evaluation", "package": package, "id": "0", "tests": "1", "failures": "0",
            "errors": "1", "skipped": "0", "timestamp": result.evaluated_at,
        })
        _suite_properties(suite, result, {"not_evaluated": reason})
        case = _element(suite, "testcase", {"classname": package, "name": "portal-evaluated"})
        _element(case, "error", {"message": f"not evaluated: {reason}", "type": "not_evaluated"},
                 f"{result.portal_id} ({result.start_url}) could not be evaluated: {reason}\n")
        return root

    totals = _counts(result.criteria)
    root = _element(None, "testsuites", {"name": package, "tests": totals["tests"],
                                         "failures": totals["failures"],
                                         "errors": totals["errors"]})
    for index, pillar_id in enumerate(_pillar_order(result)):
        criteria = [c for c in result.criteria if c.pillar == pillar_id]
        suite = _element(root, "testsuite", {
            "name": pillar_id, "package": package, "id": str(index), **_counts(criteria),
            "timestamp": result.evaluated_at,
        })
        pillar = result.pillars.get(pillar_id)
        _suite_properties(suite, result, {
            "pillar": pillar_id,
            "pillar_points": num(pillar.points) if pillar else "",
            "pillar_points_possible": num(pillar.points_possible) if pillar else "",
        })
        for criterion in criteria:
            _testcase(suite, result, criterion)
    return root


def render_junit(result: PortalResult) -> str:
    """The JUnit XML document, UTF-8 declaration included, two-space indented."""
    root = build_junit(result)
    ET.indent(root, space="  ")
    return XML_DECLARATION + ET.tostring(root, encoding="unicode") + "\n"


def write_junit(result: PortalResult, path: Path) -> Path:
    """Write :func:`render_junit` to ``path`` atomically (temp file, then rename)."""
    target = Path(path)
    write_text_atomic(target, render_junit(result))  # writes any text: UTF-8, temp + os.replace
    return target
