"""Self-contained HTML reports: one page per portal and a round index (leaderboard).

The renderer reads only the result model (ARCHITECTURE.md principle 4), never evidence. Output is
deterministic (same result → same bytes) and opens offline: the CSS is inlined, there is no
script, and a Content-Security-Policy forbids every fetch, so even a mistake in escaping the
portal's own text (names, URLs, snippets: all untrusted) could neither run nor phone home.
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote_plus, urlsplit

import jinja2
import yaml
from markupsafe import Markup

from evaluator import __version__
from evaluator.base.status import Status
from evaluator.base.text import Band, Text, band_index
from evaluator.resources import reports_dir
from evaluator.results import CriterionResult, FindingResult, FixItem, PortalResult

LANGUAGES = ("vi", "en")
PORTAL_TEMPLATE = "portal.html.j2"
INDEX_TEMPLATE = "index.html.j2"
INDEX_SCRIPT = "leaderboard.js"
I18N_FILE = "i18n.yaml"
CSS_FILE = Path("assets") / "report.css"
# The round index's trend and history (stored rounds only).
ROUNDS_CSS = Path("assets") / "rounds.css"

# What a reader needs first: what to fix (fail), what could not be judged (error), what a person
# must look at (needs_review), then what is fine.
STATUS_ORDER: dict[Status, int] = {
    Status.FAIL: 0, Status.ERROR: 1, Status.NEEDS_REVIEW: 2, Status.PASS: 3,
    Status.NOT_APPLICABLE: 4,
}
# Findings shown per criterion: the first few in the open, the rest up to MAX_FINDINGS folded in
# a <details>; beyond that only a count (the result itself already caps what it stores).
MAX_FINDINGS = 20
OPEN_FINDINGS = 3
MAX_PAGES = 20
PAGES_OPEN_UP_TO = 3
MAX_SNIPPET = 600
DASH = "—"
# "Fix first": the first fixes in the open, the rest folded (kem has about 50); where each is,
# up to a few pages or templates in the cell.
FIXES_OPEN = 10
WHERE_SHOWN = 3


class ReportError(Exception):
    """A template, the i18n file or the CSS is missing or broken, or a report cannot be written.
    ``str()`` is one line naming the file."""


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


# ---------------------------------------------------------------------------------------- helpers


def safe_href(url: str | None) -> str | None:
    """``url`` if it may become a link: absolute http(s) with a host; None for anything else
    (javascript:, data:, file:, relative, or with control characters browsers would strip)."""
    if not url or any(ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def safe_relative_href(href: str | None) -> str | None:
    """A link from the index to a report: a relative path only (no scheme, no host, not rooted),
    percent-encoded so folder names with spaces or Vietnamese letters still work."""
    if not href or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in href) or "\\" in href:
        return None
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    if parts.scheme or parts.netloc or href.startswith("/"):
        return None
    # A colon in the first segment would read as a scheme once percent-decoding is undone.
    if ":" in href.split("/", 1)[0]:
        return None
    return quote(href, safe="/#?&=%")


def fmt_points(value: float | None) -> str:
    """Points with one decimal and a dot (72.5), whatever the report language."""
    if value is None:
        return DASH
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def fmt_threshold(value: float) -> str:
    """A band's minimum as the rubric writes it: 90, or 72.5 when it has a fraction."""
    return f"{value:.0f}" if float(value).is_integer() else fmt_points(value)


def pick(text: Text, lang: str) -> str:
    """The text in the report language; English falls back to Vietnamese when blank."""
    if lang == "en" and text.en.strip():
        return text.en
    return text.vi


def fmt_time(value: str) -> str:
    """An ISO timestamp as "2024-05-01 10:20:30 (UTC+07:00)"; anything else as given."""
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        return value
    shown = stamp.strftime("%Y-%m-%d %H:%M:%S")
    offset = stamp.utcoffset()
    if offset is None:
        return shown
    if not offset:
        return f"{shown} (UTC)"
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"{shown} (UTC{sign}{hours:02d}:{mins:02d})"


def _clip(text: str | None, limit: int) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[:limit] + "…"


def _tone(index: int, count: int) -> int:
    """Colour step 1 (best, green) … 5 (worst, red) for band ``index`` of ``count``."""
    if count <= 1:
        return 1
    return 1 + round(index * 4 / (count - 1))


def grade_tone(grade: str | None, bands: Sequence[Band]) -> int:
    index = band_index(grade, bands)
    return 0 if index is None else _tone(index, len(bands))


def _score_tone(percent: float, bands: Sequence[Band]) -> int:
    """Colour a share of points (0–100) as the band it would earn as a total."""
    for i, band in enumerate(bands):
        if percent >= band.min:
            return _tone(i, len(bands))
    return _tone(len(bands) - 1, len(bands)) if bands else 0


def _percent(points: float | None, possible: float) -> float:
    if points is None or possible <= 0:
        return 0.0
    return max(0.0, min(100.0, 100.0 * points / possible))


def _is_evaluated(result: PortalResult) -> bool:
    return result.not_evaluated is None and result.total is not None


# ---------------------------------------------------------------------------------- i18n and files


@dataclass(frozen=True)
class Translator:
    """``t(key, **values)``: the UI string for ``key`` in one language, ``{name}``s filled in."""

    lang: str
    strings: Mapping[str, str]
    source: Path

    def __call__(self, key: str, **values: Any) -> str:
        try:
            text = self.strings[key]
        except KeyError:
            raise ReportError(f"{self.source}: no string {key!r}") from None
        if not values:
            return text
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError) as exc:
            raise ReportError(f"{self.source}: string {key!r} ({self.lang}) does not format: "
                              f"{type(exc).__name__}: {exc}") from None


def load_i18n(path: Path | None = None) -> dict[str, dict[str, str]]:
    """All UI strings, ``{key: {"vi": …, "en": …}}``; every key must have every language."""
    path = path or reports_dir() / I18N_FILE
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReportError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ReportError(f"{path}: not UTF-8 text: {exc.reason}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ReportError(f"{where}: invalid YAML: {problem}") from None
    if not isinstance(data, dict) or not data:
        raise ReportError(f"{path}: expected a mapping of key → {{vi, en}}")
    strings: dict[str, dict[str, str]] = {}
    for key, entry in data.items():
        if not isinstance(entry, dict):
            raise ReportError(f"{path}: {key!r} must map each language to a string")
        missing = [lang for lang in LANGUAGES
                   if not isinstance(entry.get(lang), str) or not entry[lang].strip()]
        if missing:
            raise ReportError(f"{path}: {key!r} lacks a {'/'.join(missing)} string")
        unknown = sorted(str(k) for k in entry if k not in LANGUAGES)
        if unknown:
            raise ReportError(f"{path}: {key!r} has unknown language(s) {', '.join(unknown)}")
        strings[str(key)] = {lang: entry[lang] for lang in LANGUAGES}
    return strings


def translator(lang: str) -> Translator:
    """The ``t`` function for ``lang``; an unknown language is a ReportError."""
    if lang not in LANGUAGES:
        raise ReportError(f"unknown report language {lang!r}: use one of {', '.join(LANGUAGES)}")
    path = reports_dir() / I18N_FILE
    strings = load_i18n(path)
    return Translator(lang, {key: entry[lang] for key, entry in strings.items()}, path)


def load_inline_asset(relative: str | Path) -> str:
    """A file of reports/ inlined verbatim into <style> or <script>: UTF-8 text in which a "</"
    could close the element early, so it may not contain one."""
    path = reports_dir() / relative
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ReportError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ReportError(f"{path}: not UTF-8 text: {exc.reason}") from None
    if "</" in text:
        raise ReportError(f"{path}: must not contain '</' (it is inlined into the page)")
    return text


def load_css() -> str:
    return load_inline_asset(CSS_FILE)


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def content_security_policy(css: str, script: str | None = None) -> str:
    """Nothing may load or run: only this exact stylesheet (by hash), the blank favicon and, on
    the round index, its one sorting/filtering script (by hash)."""
    scripts = f"'sha256-{_sha256(script)}'" if script is not None else "'none'"
    return (f"default-src 'none'; style-src 'sha256-{_sha256(css)}'; script-src {scripts}; "
            "img-src data:; base-uri 'none'; form-action 'none'")


@lru_cache(maxsize=8)
def _environment(templates: str) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _template_line(exc: BaseException) -> str | None:
    """file:line of the innermost template frame (Jinja maps its frames to template lines)."""
    where = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        name = frame.f_code.co_filename
        if name.endswith(".j2"):
            where = f"{name}:{lineno}"
    return where


def render_template(name: str, context: dict[str, Any]) -> str:
    templates = reports_dir() / "templates"
    env = _environment(str(templates))
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateNotFound as exc:
        raise ReportError(f"{templates / str(exc.name)}: template not found") from None
    except jinja2.TemplateSyntaxError as exc:
        where = f"{exc.filename or templates / name}:{exc.lineno}"
        raise ReportError(f"{where}: template syntax error: {exc.message}") from None
    except jinja2.TemplateError as exc:
        where = _template_line(exc) or str(templates / name)
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ReportError(f"{where}: template error: {first}") from None


def page_context(lang: str, script: str | None = None, extra_css: str = "") -> dict[str, Any]:
    """What every page built on base.html.j2 needs: language, strings, the inlined stylesheet
    (the report's, plus ``extra_css``) and a CSP that allows exactly it and ``script``."""
    t = translator(lang)
    css = load_css() + ("\n" + extra_css if extra_css else "")
    return {"lang": lang, "t": t, "css": Markup(css), "csp": content_security_policy(css, script),
            "script": Markup(script) if script is not None else None, "version": __version__}


# ------------------------------------------------------------------------------------ view models


@dataclass(frozen=True)
class Link:
    text: str
    href: str | None


@dataclass(frozen=True)
class BandView:
    grade: str
    min: str
    tone: int
    current: bool


@dataclass(frozen=True)
class PillarView:
    id: str
    title: str
    points: str
    possible: str
    percent: str
    tone: int
    not_applicable: str | None
    # Whether the criteria section has a group to jump to.
    anchor: bool


@dataclass(frozen=True)
class FindingView:
    message: str
    page: Link | None
    selector: str | None
    snippet: str | None
    value: str | None
    expected: str | None
    impact: str | None


@dataclass(frozen=True)
class AttestationView:
    score: str
    note: str
    by: str
    on: str
    evidence: Link


@dataclass(frozen=True)
class CriterionView:
    id: str
    check: str
    status: str
    status_label: str
    title: str
    # The criterion's own title when ``title`` is its failure title (printed with the details,
    # so a printed report names every criterion).
    name: str | None
    # What was measured, on the collapsed line of a criterion that did not pass.
    summary_value: str
    fixed_by: str
    fixed_by_kind: str
    points: str
    possible: str
    display_value: str
    expected: str
    description: str
    fix: str
    source: str
    error: str | None
    manual: bool
    attested: bool
    # manual and nobody attested it yet: its points wait for an auditor.
    awaiting: bool
    attestation: AttestationView | None
    findings_open: list[FindingView]
    findings_folded: list[FindingView]
    findings_total: int
    findings_unlisted: int
    pages: list[Link]
    pages_unlisted: int
    pages_open: bool


@dataclass(frozen=True)
class GroupView:
    id: str
    title: str
    points: str
    possible: str
    criteria: list[CriterionView]


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


def criteria_order(criteria: Sequence[CriterionResult]) -> list[CriterionResult]:
    """fail → error → needs_review → pass → not_applicable; within a status, most points lost
    first; ties keep the profile's order (the sort is stable)."""
    return sorted(criteria, key=lambda c: (STATUS_ORDER.get(c.status, len(STATUS_ORDER)),
                                           -(c.points_possible - c.points)))


def _finding_view(f: FindingResult, lang: str, t: Translator) -> FindingView:
    page = Link(f.page_url, safe_href(f.page_url)) if f.page_url else None
    # axe-core's impact scale (critical, serious, moderate, minor) in the report's language.
    impact = f.impact
    if impact and f"impact.{impact}" in t.strings:
        impact = t(f"impact.{impact}")
    return FindingView(
        message=pick(f.message, lang), page=page, selector=f.selector,
        snippet=_clip(f.snippet, MAX_SNIPPET), value=f.value,
        expected=pick(f.expected, lang) if f.expected is not None else None, impact=impact,
    )


def _criterion_view(c: CriterionResult, lang: str, t: Translator) -> CriterionView:
    shown = [_finding_view(f, lang, t) for f in c.findings[:MAX_FINDINGS]]
    total = max(c.findings_total, len(c.findings))
    pages = [Link(p, safe_href(p)) for p in c.pages[:MAX_PAGES]]
    failed = c.status is Status.FAIL
    display_value = pick(c.display_value, lang) if c.display_value is not None else ""
    return CriterionView(
        id=c.id, check=c.check, status=c.status.value, status_label=t(f"status.{c.status.value}"),
        title=pick(c.failure_title if failed else c.title, lang),
        name=pick(c.title, lang) if failed else None,
        summary_value=display_value if c.status not in (Status.PASS, Status.NOT_APPLICABLE)
        else "",
        fixed_by=t(f"fixed_by.{c.fixed_by}"), fixed_by_kind=c.fixed_by,
        # A not-applicable criterion is not scored at all: "0.0" would read as points lost.
        points=DASH if c.status is Status.NOT_APPLICABLE else fmt_points(c.points),
        possible=fmt_points(c.points_possible),
        display_value=display_value,
        expected=pick(c.expected, lang) if c.expected is not None else "",
        description=pick(c.description, lang), fix=pick(c.fix, lang), source=c.source,
        error=c.error,
        manual=c.manual, attested=c.points_source == "attestation",
        awaiting=c.manual and c.points_source != "attestation",
        attestation=None if c.attestation is None else AttestationView(
            score=fmt_points(c.attestation.score), note=c.attestation.note,
            by=c.attestation.attested_by, on=c.attestation.attested_on,
            evidence=Link(c.attestation.evidence, safe_href(c.attestation.evidence))),
        findings_open=shown[:OPEN_FINDINGS], findings_folded=shown[OPEN_FINDINGS:],
        findings_total=total, findings_unlisted=total - len(shown),
        pages=pages, pages_unlisted=len(c.pages) - len(pages),
        pages_open=len(c.pages) <= PAGES_OPEN_UP_TO,
    )


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


def fmt_fix_points(value: float) -> str:
    """A fix's points with two decimals: an accessibility rule may be worth 0.04."""
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def short_url(url: str, start_url: str) -> str:
    """A page of the portal as its path (and query); a page elsewhere as its full URL."""
    try:
        page, start = urlsplit(url), urlsplit(start_url)
    except ValueError:
        return url
    if page.netloc and page.netloc != start.netloc:
        return url
    # Shown as a person reads it (tìm-kiếm?q=đăng ký), linked as it was requested.
    return unquote_plus((page.path or "/") + (f"?{page.query}" if page.query else ""))


def _fix_view(rank: int, item: FixItem, start_url: str, lang: str, t: Translator) -> FixView:
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


def _fix_context(result: PortalResult, lang: str, t: Translator) -> dict[str, Any]:
    fixes = [_fix_view(i, item, result.start_url, lang, t)
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


def _portal_context(result: PortalResult, lang: str, t: Translator) -> dict[str, Any]:
    bands = result.profile.bands
    evaluated = _is_evaluated(result)
    pillars = [
        PillarView(
            id=p.id, title=pick(p.title, lang),
            points=fmt_points(p.points) if evaluated else DASH,
            possible=fmt_points(p.points_possible),
            percent=f"{_percent(p.points, p.points_possible) if evaluated else 0.0:.2f}",
            tone=_score_tone(_percent(p.points, p.points_possible), bands) if evaluated else 0,
            not_applicable=fmt_points(p.points_not_applicable)
            if evaluated and p.points_not_applicable > 0 else None,
            anchor=evaluated and any(c.pillar == p.id for c in result.criteria),
        )
        for p in result.pillars.values()
    ]
    groups: list[GroupView] = []
    known = set(result.pillars)
    for p in result.pillars.values():
        mine = [c for c in result.criteria if c.pillar == p.id]
        if mine:
            groups.append(GroupView(
                id=p.id, title=pick(p.title, lang),
                points=fmt_points(p.points) if evaluated else DASH,
                possible=fmt_points(p.points_possible),
                criteria=[_criterion_view(c, lang, t) for c in criteria_order(mine)],
            ))
    strays = [c for c in result.criteria if c.pillar not in known]
    if strays:
        groups.append(GroupView(
            id="other", title=t("criteria.other_pillar"),
            points=fmt_points(sum(c.points for c in strays)),
            possible=fmt_points(sum(c.points_possible for c in strays)),
            criteria=[_criterion_view(c, lang, t) for c in criteria_order(strays)],
        ))
    counts = [
        StatusCount(s.value, t(f"status.{s.value}"), n)
        for s in STATUS_ORDER
        if (n := sum(1 for c in result.criteria if c.status is s))
    ]
    versions = [
        ("portal-eval", result.versions.portal_eval),
        ("Chromium", result.versions.chromium or t("meta.unknown")),
        ("axe-core", result.versions.axe_core or t("meta.unknown")),
    ]
    if result.versions.lighthouse:
        versions.append(("Lighthouse", result.versions.lighthouse))
    if result.versions.playwright:
        versions.append(("Playwright", result.versions.playwright))
    return {
        "r": {
            "id": result.portal_id,
            "name": result.portal_name or result.portal_id,
            "start": Link(result.start_url, safe_href(result.start_url)),
            "evaluated_at": result.evaluated_at,
            "evaluated_at_text": fmt_time(result.evaluated_at),
            "profile_id": result.profile.id,
            "profile_title": pick(result.profile.title, lang),
            "versions": versions,
            "pages_evaluated": result.pages_evaluated,
            "not_evaluated": result.not_evaluated,
            "grade": result.grade if evaluated and result.grade else DASH,
            "tone": grade_tone(result.grade, bands) if evaluated else 0,
            "total": fmt_points(result.total) if evaluated else DASH,
            "total_possible": fmt_points(result.total_possible),
            "total_percent": f"{_percent(result.total, result.total_possible):.2f}",
            # Automated-only vs full score: which points a check earned, which an auditor's
            # attestation gave, and which wait for one (manual criteria without attestation).
            "automated_points": fmt_points(sum(c.points for c in result.criteria
                                               if c.points_source != "attestation")),
            "attested_points": fmt_points(sum(c.points for c in result.criteria
                                              if c.points_source == "attestation")),
            "pending_points": fmt_points(sum(c.points_possible for c in result.criteria
                                             if c.manual and c.points_source != "attestation")),
            "has_manual": any(c.manual for c in result.criteria),
            "total_automated": (fmt_points(result.total_automated)
                                if evaluated and result.total_automated is not None else DASH),
            "bands": [
                BandView(b.grade, fmt_threshold(b.min), _tone(i, len(bands)),
                         evaluated and b.grade == result.grade)
                for i, b in enumerate(bands)
            ],
            "pillars": pillars,
            "groups": groups,
            "counts": counts,
            "evidence_errors": result.evidence_errors,
            "disabled": sorted(result.disabled.items()),
            **_fix_context(result, lang, t),
        },
    }


@dataclass(frozen=True)
class RowView:
    rank: str
    name: Link
    portal_id: str
    agency: str
    # The raw kind (province, ministry) the filter matches on.
    agency_kind: str
    grade: str
    tone: int
    total: str
    pillars: list[str]
    pages: int
    reason: str | None
    # Machine values the sorting script reads (data-* attributes): plain numbers, "" when none.
    sort_values: dict[str, str]
    # Totals over the stored rounds as a small inline SVG; None outside rounds.
    trend: SparklineView | None = None


@dataclass(frozen=True)
class SparklineView:
    """A polyline of totals (0-100 scale) drawn in an inline <svg>: no asset, no script."""

    width: int
    height: int
    points: str
    last_x: str
    last_y: str
    tone: int
    # What the line shows, in words (the SVG's <title> and the screen-reader text).
    label: str


@dataclass(frozen=True)
class HistoryView:
    """One portal's rows in the round index's history section, oldest round first."""

    portal_id: str
    name: str
    rows: list[tuple[str, str, int, str, list[str]]]  # round, grade, tone, total, pillar points


SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 96, 24, 3


def sparkline(points: Sequence[RoundPoint], possible: float, bands: Sequence[Band],
              lang: str) -> SparklineView | None:
    """Totals over rounds on a fixed 0..possible scale (so two portals' lines compare); a round
    where the portal was not evaluated is a gap in words, not a zero on the line."""
    if not points:
        return None
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(1, len(points) - 1)
    coords = []
    for i, point in enumerate(points):
        if point.total is None:
            continue
        x = SPARK_PAD + i * step if len(points) > 1 else SPARK_WIDTH / 2
        share = max(0.0, min(1.0, point.total / possible)) if possible > 0 else 0.0
        y = SPARK_HEIGHT - SPARK_PAD - share * (SPARK_HEIGHT - 2 * SPARK_PAD)
        coords.append((x, y))
    words = ", ".join(f"{p.round_id}: {fmt_points(p.total)} ({p.grade or DASH})"
                      if p.total is not None else f"{p.round_id}: {DASH}" for p in points)
    last = next((p for p in reversed(points) if p.total is not None), None)
    return SparklineView(
        width=SPARK_WIDTH, height=SPARK_HEIGHT,
        points=" ".join(f"{x:.1f},{y:.1f}" for x, y in coords),
        last_x=f"{coords[-1][0]:.1f}" if coords else "", last_y=f"{coords[-1][1]:.1f}" if coords else "",
        tone=grade_tone(last.grade, bands) if last is not None else 0, label=words,
    )


@dataclass(frozen=True)
class ColumnView:
    id: str
    title: str
    possible: str


@dataclass(frozen=True)
class GradeCount:
    grade: str
    tone: int
    count: int


def index_order(entries: Sequence[IndexEntry]) -> list[IndexEntry]:
    """Evaluated portals by total, highest first (ties by name, then id); the rest last, by id."""
    done = [e for e in entries if _is_evaluated(e.result)]
    rest = [e for e in entries if not _is_evaluated(e.result)]
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
        if not _is_evaluated(entry.result):
            out.append((None, entry))
            continue
        if entry.result.total != previous:
            rank, previous = position, entry.result.total
        out.append((rank, entry))
    return out


def _agency_label(agency: str, t: Translator) -> str:
    """Known agency kinds (province, ministry) in the report's language; anything else as given."""
    key = f"agency.{agency}"
    return t(key) if key in t.strings else agency


@dataclass(frozen=True)
class FindingsGroupView:
    id: str
    title: str
    # Evaluated portals in the group: what the shares are of.
    portals: int


@dataclass(frozen=True)
class FindingsRowView:
    id: str
    title: str
    points: str
    # Per group, then pass, fail, needs review: (count, share as "40%", or "—").
    cells: list[tuple[int, str]]
    failing: list[Link]
    sort_values: dict[str, str]


@dataclass(frozen=True)
class GradeBarView:
    title: str
    portals: int
    # (grade, tone, count, x, width) of each band's segment, on a 0-100 scale.
    segments: list[tuple[str, int, int, str, str]]
    label: str


FINDINGS_STATUSES = (Status.PASS, Status.FAIL, Status.NEEDS_REVIEW)


def _group_title(group: str, t: Translator) -> str:
    from evaluator.report.findings import ALL

    return t("index.group_all") if group == ALL else _agency_label(group, t)


def _findings_context(entries: Sequence[IndexEntry], lang: str, t: Translator) -> dict[str, Any]:
    """The round findings: per criterion, portals that passed, failed, need review, by kind of
    agency (evaluator/report/findings.py); the grades per kind of agency as stacked bars."""
    from evaluator.report.findings import (
        ALL,
        Portal,
        criterion_findings,
        evaluated,
        grade_distribution,
        groups,
    )

    portals = [Portal(e.result, e.agency, e.report_href) for e in index_order(entries)]
    names = groups(portals)
    done = evaluated(portals)
    rows = []
    for item in criterion_findings(portals):
        cells: list[tuple[int, str]] = []
        sort_values = {"order": str(item.position), "criterion": pick(item.title, lang).casefold(),
                       "points": f"{item.points_possible:.2f}"}
        for name in names:
            tally = item.tallies[name]
            for status in FINDINGS_STATUSES:
                share = tally.share(status)
                cells.append((tally.counts[status], DASH if share is None else f"{share:.0%}"))
                sort_values[f"{status.value}-{name}"] = "" if share is None else f"{share:.4f}"
        failing = [Link(p.result.portal_name or p.result.portal_id,
                        safe_relative_href(f"{p.report_href}#criterion-{item.id}"))
                   for p in item.tallies[names[0]].failing]
        rows.append((-(item.tallies[names[0]].share(Status.FAIL) or 0.0), item.position,
                     FindingsRowView(item.id, pick(item.title, lang),
                                     fmt_points(item.points_possible), cells, failing,
                                     sort_values)))
    rows.sort(key=lambda r: (r[0], r[1]))
    bars = []
    for row in grade_distribution(portals):
        x = 0.0
        segments = []
        bands = next((e.result.profile.bands for e in entries), [])
        for grade, count in row.counts:
            width = 100.0 * count / row.portals if row.portals else 0.0
            segments.append((grade, grade_tone(grade, bands), count, f"{x:.2f}", f"{width:.2f}"))
            x += width
        words = ", ".join(f"{grade} {count}" for grade, count in row.counts)
        bars.append(GradeBarView(_group_title(row.group, t), row.portals, segments,
                                 f"{_group_title(row.group, t)}: {words}"))
    return {
        "findings_groups": [
            FindingsGroupView(n, _group_title(n, t),
                              sum(1 for p in done if n == ALL or p.agency == n))
            for n in names],
        "findings_rows": [row for _fail, _pos, row in rows],
        "grade_bars": bars,
    }


def _index_context(entries: Sequence[IndexEntry], title: str, lang: str) -> dict[str, Any]:
    t = translator(lang)
    ordered = index_order(entries)
    columns: dict[str, ColumnView] = {}
    for e in ordered:
        for p in e.result.pillars.values():
            columns.setdefault(p.id, ColumnView(p.id, pick(p.title, lang),
                                                fmt_points(p.points_possible)))
    rows: list[RowView] = []
    for position, (rank, e) in enumerate(ranked(ordered), start=1):
        r = e.result
        evaluated = _is_evaluated(r)
        band_pos = band_index(r.grade, r.profile.bands)
        sort_values = {
            "rank": str(position),
            "name": (r.portal_name or r.portal_id).casefold(),
            "grade": str(band_pos) if evaluated and band_pos is not None else "",
            "total": f"{r.total:.2f}" if evaluated and r.total is not None else "",
            **{f"pillar-{c}": f"{r.pillars[c].points:.2f}" if evaluated and c in r.pillars else ""
               for c in columns},
            "pages": str(r.pages_evaluated),
        }
        rows.append(RowView(
            rank=str(rank) if evaluated else DASH,
            name=Link(r.portal_name or r.portal_id, safe_relative_href(e.report_href)),
            portal_id=r.portal_id, agency=_agency_label(e.agency, t), agency_kind=e.agency,
            grade=(r.grade or DASH) if evaluated else DASH,
            tone=grade_tone(r.grade, r.profile.bands) if evaluated else 0,
            total=fmt_points(r.total) if evaluated else DASH,
            pillars=[fmt_points(r.pillars[c].points) if evaluated and c in r.pillars else DASH
                     for c in columns],
            pages=r.pages_evaluated,
            reason=r.not_evaluated or (None if evaluated else DASH),
            sort_values=sort_values,
            trend=sparkline(e.history, r.total_possible, r.profile.bands, lang)
            if e.history else None,
        ))
    grades: dict[str, GradeCount] = {}
    first_bands = next((e.result.profile.bands for e in ordered), [])
    for i, band in enumerate(first_bands):
        grades[band.grade] = GradeCount(band.grade, _tone(i, len(first_bands)), 0)
    for e in ordered:
        r = e.result
        if _is_evaluated(r) and r.grade:
            seen = grades.get(r.grade) or GradeCount(r.grade, grade_tone(r.grade, r.profile.bands), 0)
            grades[r.grade] = GradeCount(seen.grade, seen.tone, seen.count + 1)
    evaluated_count = sum(1 for e in ordered if _is_evaluated(e.result))
    kinds = sorted({e.agency for e in ordered if e.agency})
    histories = [
        HistoryView(e.result.portal_id, e.result.portal_name or e.result.portal_id, [
            (p.round_id, p.grade or DASH,
             grade_tone(p.grade, e.result.profile.bands) if p.grade else 0,
             fmt_points(p.total),
             [fmt_points(p.pillars[c]) if c in p.pillars and p.total is not None else DASH
              for c in columns])
            for p in e.history])
        for e in sorted(ordered, key=lambda e: e.result.portal_id) if e.history
    ]
    return {
        "trend": any(e.history for e in ordered),
        "histories": histories,
        "title": title,
        "agency_kinds": [(kind, _agency_label(kind, t)) for kind in kinds],
        "rows": rows,
        "columns": list(columns.values()),
        "grades": list(grades.values()),
        "total_possible": fmt_points(ordered[0].result.total_possible if ordered else 100.0),
        "evaluated_count": evaluated_count,
        "not_evaluated_count": len(ordered) - evaluated_count,
        **_findings_context(entries, lang, t),
    }


# --------------------------------------------------------------------------------------- public API


def render_portal(result: PortalResult, lang: str = "vi") -> str:
    """The report of one portal as a self-contained HTML document."""
    context = page_context(lang)
    context.update(_portal_context(result, lang, context["t"]))
    context["performance"] = result.performance
    return render_template(PORTAL_TEMPLATE, context)


def render_index(entries: Sequence[IndexEntry], title: str, lang: str = "vi",
                 csv_href: str | None = None, criteria_csv_href: str | None = None) -> str:
    """The round overview: a leaderboard linking each portal's report.

    Sorting and the agency filter are a small inlined script (allowed by its hash); without it
    the table is still complete, ranked by total.
    """
    extra_css = load_inline_asset(ROUNDS_CSS) if any(e.history for e in entries) else ""
    context = page_context(lang, load_inline_asset(Path("assets") / INDEX_SCRIPT), extra_css)
    context.update(_index_context(entries, title, lang))
    context["csv_href"] = safe_relative_href(csv_href) if csv_href else None
    context["criteria_csv_href"] = (safe_relative_href(criteria_csv_href) if criteria_csv_href
                                    else None)
    return render_template(INDEX_TEMPLATE, context)


def write_text_atomic(path: Path, text: str) -> Path:
    """Temp file in the same folder, then rename: a reader never sees half a report."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise ReportError(f"{path}: cannot write report: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        # mkstemp makes the file private (0600); a report is meant to be read and served.
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ReportError(f"{path}: cannot write report: {exc.strerror or exc}") from None
        raise
    return path


def write_portal_report(result: PortalResult, path: Path, lang: str = "vi") -> Path:
    return write_text_atomic(path, render_portal(result, lang))


CRITERIA_CSV = "criteria.csv"


def write_index(entries: Sequence[IndexEntry], path: Path, title: str, lang: str = "vi") -> Path:
    """index.html plus, beside it, index.csv (the same leaderboard, for spreadsheets) and
    criteria.csv (the round findings per criterion and kind of agency)."""
    from evaluator.report.csv_export import render_criteria_csv, render_index_csv

    csv_path = path.with_suffix(".csv")
    criteria_path = path.with_name(CRITERIA_CSV)
    # Render all before writing any: a broken template must not leave a new CSV beside an
    # old index.html.
    csv_text = render_index_csv(entries, lang)
    criteria_text = render_criteria_csv(entries, lang)
    html_text = render_index(entries, title, lang, csv_path.name, criteria_path.name)
    write_text_atomic(csv_path, csv_text)
    write_text_atomic(criteria_path, criteria_text)
    return write_text_atomic(path, html_text)
