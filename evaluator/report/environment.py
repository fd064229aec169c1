"""The environment every report page is rendered in: Jinja, the UI strings (vi/en), the inlined
assets and the Content-Security-Policy that allows exactly them, and writing a page whole.

Output is deterministic (same result → same bytes) and opens offline: the CSS is inlined, there
is no script but the index's own (allowed by its hash), and the CSP forbids every fetch, so even
a mistake in escaping the portal's own text (names, URLs, snippets: all untrusted) could neither
run nor phone home.
"""

from __future__ import annotations

import base64
import hashlib
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import yaml
from markupsafe import Markup

from evaluator import __version__
from evaluator.base.files import write_text_atomic as _write_whole
from evaluator.resources import reports_dir

LANGUAGES = ("vi", "en")
PORTAL_TEMPLATE = "portal.html.j2"
INDEX_TEMPLATE = "index.html.j2"
INDEX_SCRIPT = "leaderboard.js"
I18N_FILE = "i18n.yaml"
CSS_FILE = Path("assets") / "report.css"
# The round index's trend and history (stored rounds only).
ROUNDS_CSS = Path("assets") / "rounds.css"


class ReportError(Exception):
    """A template, the i18n file or the CSS is missing or broken, or a report cannot be written.
    ``str()`` is one line naming the file."""



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


def write_text_atomic(path: Path, text: str) -> Path:
    """Temp file in the same folder, then rename: a reader never sees half a report."""
    try:
        return _write_whole(path, text)
    except OSError as exc:
        raise ReportError(f"{path}: cannot write report: {exc.strerror or exc}") from None
