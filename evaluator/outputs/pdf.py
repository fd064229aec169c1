"""report.pdf and index.pdf: the HTML reports printed by Chromium, for auditors who circulate
documents rather than folders.

A4, the report's own print stylesheet (every collapsed criterion printed whole, see report.css
``@media print``), a header on every page naming the portal, its grade and the evaluation date
(the round's title on an index), and "page N / M" with the tool's version in the footer. The
text is real text (a PDF reader can search and copy it; Vietnamese is set in the system's fonts,
which Chromium embeds), the PDF is tagged and carries an outline of the headings.

Printing reads only the HTML the renderer wrote from the result; Chromium opens it from a
file:// URL under the report's own Content-Security-Policy, so it fetches nothing. One browser
prints every file of a call (a round's reports and index). The browser is reached through
evaluator/browser.py, the one module that speaks to Playwright.
"""

from __future__ import annotations

import asyncio
import html
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from evaluator import __version__
from evaluator.report.environment import ReportError, translator
from evaluator.report.format import fmt_points
from evaluator.results import PortalResult

PDF_NAME = "report.pdf"
INDEX_PDF_NAME = "index.pdf"
# The page box: room at the top for the header, at the bottom for the page number. report.css
# asks the same of a browser's own print dialog (@page), so both print alike.
MARGINS = {"top": "18mm", "bottom": "16mm", "left": "14mm", "right": "14mm"}
# The header and footer are drawn outside the page's stylesheet: they name their own fonts
# (DejaVu Sans and Liberation Sans carry every Vietnamese letter).
_FONT = ("font-family: 'DejaVu Sans', 'Liberation Sans', 'Noto Sans', Arial, sans-serif; "
         "font-size: 8pt; color: #444;")
PRINT_TIMEOUT_MS = 60_000


@dataclass(frozen=True)
class PrintJob:
    """One HTML file to print into ``pdf``, with the plain text of its page header."""

    html: Path
    pdf: Path
    header: str
    lang: str = "vi"


def portal_job(result: PortalResult, report_html: Path, lang: str = "vi") -> PrintJob:
    """``report.pdf`` beside ``report.html``: header "portal · grade (total) · date"."""
    t = translator(lang)
    name = result.portal_name or result.portal_id
    if result.not_evaluated is None and result.grade is not None:
        grade = t("pdf.grade", grade=result.grade, total=fmt_points(result.total),
                  possible=fmt_points(result.total_possible))
    else:
        grade = t("pdf.not_evaluated")
    date = t("pdf.evaluated_on", date=result.evaluated_at[:10])
    return PrintJob(report_html, report_html.with_name(PDF_NAME), f"{name} · {grade} · {date}",
                    lang)


def index_job(index_html: Path, title: str, portals: int | None = None,
              lang: str = "vi") -> PrintJob:
    """``index.pdf`` beside ``index.html``: header "round title · N portals evaluated" (the
    title alone when the count is not known)."""
    t = translator(lang)
    header = title if portals is None else f"{title} · {t('index.portals', count=portals)}"
    return PrintJob(index_html, index_html.with_name(INDEX_PDF_NAME), header, lang)


def print_reports(reports: Sequence[tuple[PortalResult, Path]], lang: str = "vi",
                  chromium: str | None = None, index: tuple[Path, str] | None = None) -> list[Path]:
    """``report.pdf`` beside each ``report.html`` (with its result), and ``index.pdf`` beside
    ``index`` (its html and title) when given: all with one Chromium."""
    jobs = [portal_job(result, html_file, lang) for result, html_file in reports]
    if index is not None:
        evaluated = (sum(1 for result, _ in reports if result.not_evaluated is None)
                     if reports else None)
        jobs.append(index_job(index[0], index[1], evaluated, lang))
    return print_pdfs(jobs, chromium)


def discard_stale(pdf: Path) -> bool:
    """Remove ``pdf`` before the HTML it was printed from is written again: left beside the new
    report it would still show the earlier grade (a round re-graded in place with other
    attestations, evidence scored again). True when there was one; ``--pdf`` prints it anew."""
    try:
        pdf.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise ReportError(f"{pdf}: cannot remove the PDF of the earlier report: "
                          f"{exc.strerror or exc}") from None
    return True


def pdfs_in(folder: Path) -> set[Path]:
    """The PDFs printed into ``folder``: its index.pdf or report.pdf, and each portal's."""
    return {p for pattern in (INDEX_PDF_NAME, PDF_NAME, f"*/{PDF_NAME}")
            for p in folder.glob(pattern)}


def say_stale(before: set[Path]) -> None:
    """One line on standard error naming the PDFs of ``before`` that are gone: discarded with
    the reports they were printed from, and the new reports were not printed."""
    gone = sorted(p for p in before if not p.exists())
    if gone:
        what = str(gone[0]) if len(gone) == 1 else f"{len(gone)} PDFs ({gone[0]}, …)"
        print(f"note: removed {what}: printed from the earlier reports, they showed the "
              "earlier grades; give --pdf to print the new ones", file=sys.stderr)


def header_template(text: str) -> str:
    # Escaped: the portal's name is the portal's own text (fixtures/portals/doc-hai).
    return (f'<div style="{_FONT} width: 100%; margin: 0 14mm; white-space: nowrap; '
            f'overflow: hidden; text-overflow: ellipsis;">{html.escape(text)}</div>')


def footer_template(lang: str) -> str:
    t = translator(lang)
    page = t("pdf.page", page='<span class="pageNumber"></span>',
             pages='<span class="totalPages"></span>')
    return (f'<div style="{_FONT} width: 100%; margin: 0 14mm; display: flex; '
            f'justify-content: space-between;"><span>portal-eval {html.escape(__version__)}</span>'
            f"<span>{page}</span></div>")


def print_pdfs(jobs: Sequence[PrintJob], chromium: str | None = None) -> list[Path]:
    """Print every job with one Chromium; each PDF is written whole (temp file + rename).
    BrowserNotFound when there is no Chromium; ReportError (one line) when a file cannot be
    printed or written."""
    from evaluator.browser import find_chromium

    if not jobs:
        return []
    executable = find_chromium(chromium)
    return asyncio.run(_print_all(jobs, executable))


async def _print_all(jobs: Sequence[PrintJob], executable: str) -> list[Path]:
    from evaluator.browser import BrowserSession, ContextOptions

    written = []
    async with BrowserSession(executable) as session:
        # A4 at 96 dpi is 794 px wide: the report lays out as it will print.
        context = await session.new_context(ContextOptions(width=794, height=1123), "")
        tab = await session.new_tab(context)
        for job in jobs:
            if not job.html.is_file():
                raise ReportError(f"{job.html}: no such report to print")
            try:
                nav = await tab.goto(job.html.resolve().as_uri(), PRINT_TIMEOUT_MS)
                if nav.error is not None:
                    raise ReportError(f"{job.html}: cannot open to print: {nav.error}")
                data = await tab.pdf(header_template=header_template(job.header),
                                     footer_template=footer_template(job.lang), margins=MARGINS)
            except ReportError:
                raise
            except Exception as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                raise ReportError(f"{job.pdf}: cannot print: {type(exc).__name__}: "
                                  f"{first[:200]}") from None
            written.append(_write_bytes_atomic(job.pdf, data))
        await context.close()
    return written


def _write_bytes_atomic(path: Path, data: bytes) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise ReportError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ReportError(f"{path}: cannot write: {exc.strerror or exc}") from None
        raise
    return path
