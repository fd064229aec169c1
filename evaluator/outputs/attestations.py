"""`portal-eval attestations template RESULT`: a ready-to-fill attestations file for a result.

One entry per manual criterion the result left ``needs_review`` (no auditor attested it yet),
each under comments giving its title, points, what to look at and its legal source, in
Vietnamese (English with ``--lang en``). The auditor fills ``score``, ``note``, ``evidence``,
``attested_by`` and ``attested_on``; an entry left unfilled is one line naming the file and the
line when the file is read, so nothing half-done grades a portal. Criteria an automated check
left ``needs_review`` are listed in comments after the entries: a person must look at them too,
but the evidence, not an attestation, decides them (a fix, then a new evaluation).

The result's own text (the portal's name, measured values) only ever lands in comments, each
line of it cleaned of line breaks, and the values the file carries are quoted JSON strings
(valid YAML): nothing of a hostile portal can add a key or an entry.
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

from evaluator.base.status import Status
from evaluator.report.environment import ReportError, Translator, translator
from evaluator.report.format import pick
from evaluator.results import CriterionResult, PortalResult

WIDTH = 96


def _clean(text: str) -> str:
    """One line: no line breaks or other control characters a comment could not hold."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def _comment(text: str, indent: str, first: str = "", rest: str = "") -> list[str]:
    lines = textwrap.wrap(_clean(text), width=WIDTH - len(indent) - 2 - len(first),
                          break_long_words=False, break_on_hyphens=False) or [""]
    return [f"{indent}# {first if i == 0 else rest}{line}".rstrip()
            for i, line in enumerate(lines)]


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _entry(c: CriterionResult, lang: str, t: Translator) -> list[str]:
    out = [""]
    out += _comment(t("template.entry", title=pick(c.title, lang), id=c.id,
                      points=f"{c.points_possible:g}"), "  ")
    look = t("template.look")
    out += _comment(pick(c.description, lang), "  ", f"{look}: ", " " * (len(look) + 2))
    if c.expected is not None:
        asked = t("template.asked")
        out += _comment(pick(c.expected, lang), "  ", f"{asked}: ", " " * (len(asked) + 2))
    source = t("template.source")
    out += _comment(c.source, "  ", f"{source}: ", " " * (len(source) + 2))
    out += [
        f"  - criterion: {c.id}",
        f"    score:              # {t('template.score_hint')}",
        '    note: ""',
        '    evidence: ""',
        '    attested_by: ""',
        f"    attested_on:        # {t('template.date_hint')}",
    ]
    return out


def _automated(c: CriterionResult, lang: str, t: Translator) -> list[str]:
    out = _comment(t("template.entry", title=pick(c.title, lang), id=c.id,
                     points=f"{c.points_possible:g}"), "", "  - ", "    ")
    if c.display_value is not None:
        seen = t("template.seen")
        out += _comment(pick(c.display_value, lang), "", f"    {seen}: ",
                        " " * (len(seen) + 6))
    if c.pages:
        where = t("template.where")
        shown = ", ".join(c.pages[:3]) + (" …" if len(c.pages) > 3 else "")
        out += _comment(shown, "", f"    {where}: ", " " * (len(where) + 6))
    return out


def render_attestations_template(result: PortalResult, lang: str = "vi", source: str = "") -> str:
    """The template's text; loads with ``evaluate/score --attestations`` once filled in."""
    t = translator(lang)
    manual = [c for c in result.criteria if c.status is Status.NEEDS_REVIEW and c.manual
              and c.points_source != "attestation"]
    automated = [c for c in result.criteria if c.status is Status.NEEDS_REVIEW and not c.manual]
    name = result.portal_name or result.portal_id
    lines = _comment(t("template.title", portal=result.portal_id, name=name), "")
    lines += _comment(t("template.result", file=source or "result.json",
                        profile=result.profile.id, at=result.evaluated_at), "")
    lines.append("#")
    for key in ("template.how", "template.levels", "template.leave_out"):
        lines += _comment(t(key), "")
    lines += _comment(t("template.use", portal=result.portal_id), "")
    if result.not_evaluated is not None:
        lines += _comment(t("template.not_evaluated", reason=result.not_evaluated), "")
    lines.append(f"portal: {_quoted(result.portal_id)}")
    if manual:
        lines.append("attestations:")
        for c in manual:
            lines += _entry(c, lang, t)
    else:
        lines.append("attestations: []")
        lines += _comment(t("template.none"), "")
    if automated:
        lines.append("")
        lines += _comment(t("template.automated"), "")
        for c in automated:
            lines += _automated(c, lang, t)
    return "\n".join(lines) + "\n"


def write_new_file(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` unless it exists: an auditor's filled-in file is never
    overwritten by a fresh template."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise ReportError(f"{path}: exists; the template is not written over a file (an "
                          "auditor's attestations may be in it)") from None
    except OSError as exc:
        raise ReportError(f"{path}: cannot write: {exc.strerror or exc}") from None
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    return path
