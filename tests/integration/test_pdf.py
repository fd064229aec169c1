"""`portal-eval render --pdf`: the kem report printed by real Chromium, read back with pypdf.

Printed once per session (~3 s) and asserted on from several angles: what an auditor circulates
must say the grade, the total and every criterion, on numbered A4 pages with a header naming
the portal, its grade and the evaluation date, in Vietnamese that survives as text.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import unicodedata
from pathlib import Path
from typing import Any

import pypdf
import pytest

from evaluator.cli import main
from evaluator.results import PortalResult, load_result
from tests.integration.test_report_in_browser import GOLDEN

pytestmark = pytest.mark.browser

# 210 × 297 mm; Chromium sizes A4 as 8.27 × 11.7 in, less than a point larger.
A4_POINTS = (595.3, 841.9)


def norm(text: str) -> str:
    """One space for every run of whitespace (lines wrap anywhere), composed Unicode."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


@pytest.fixture(scope="module")
def kem_pdf(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("pdf") / "kem"
    folder.mkdir()
    shutil.copy(GOLDEN / "kem.vn-2023.result.json", folder / "result.json")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["render", str(folder), "--pdf"])
    assert code == 0
    assert f"kem: PDF → {folder / 'report.pdf'}" in out.getvalue()
    reader = pypdf.PdfReader(folder / "report.pdf")
    pages = [page.extract_text() for page in reader.pages]
    return {"reader": reader, "pages": pages, "text": norm(" ".join(pages)),
            "result": load_result(folder / "result.json"), "folder": folder}


def test_the_pdf_says_grade_total_and_every_criterion(kem_pdf: dict[str, Any]) -> None:
    result: PortalResult = kem_pdf["result"]
    text = kem_pdf["text"]
    assert result.grade == "E" and result.total is not None
    assert "XẾP LOẠI E" in text.upper() and f"{result.total:.1f} / 100.0" in text
    # Every criterion, passed (collapsed on screen) or not, by its own title; the failed ones
    # by their failure title too, and each with the fix and the measured value.
    missing = [c.id for c in result.criteria if norm(c.title.vi) not in text]
    assert missing == []
    failed = [c for c in result.criteria if c.status.value == "fail"]
    assert [c.id for c in failed if norm(c.failure_title.vi) not in text] == []
    assert [c.id for c in result.criteria if norm(c.fix.vi)[:60] not in text] == []
    # The fix-first list, whole, folded part included.
    assert "Sửa gì trước" in text
    assert all(norm(i.title.vi)[:50] in text for i in result.fix_first)


def test_numbered_a4_pages_with_the_portals_header(kem_pdf: dict[str, Any]) -> None:
    reader: pypdf.PdfReader = kem_pdf["reader"]
    pages: list[str] = kem_pdf["pages"]
    result: PortalResult = kem_pdf["result"]
    total = len(pages)
    assert total > 5
    for number, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        assert float(box.width) == pytest.approx(A4_POINTS[0], abs=1.5)
        assert float(box.height) == pytest.approx(A4_POINTS[1], abs=1.5)
        text = norm(pages[number - 1])
        assert f"Trang {number}/{total}" in text
        assert (f"{result.portal_name} · Xếp loại {result.grade} ({result.total:.1f}/100.0 điểm) · "
                f"đánh giá ngày "
                f"{result.evaluated_at[:10]}") in text, number


def test_vietnamese_is_set_in_embedded_fonts_and_reads_back_as_text(kem_pdf: dict[str, Any]) -> None:
    reader: pypdf.PdfReader = kem_pdf["reader"]
    fonts = set()
    embedded = 0
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            fonts.add(str(font.get("/BaseFont")))
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get(
                "/FontDescriptor")
            if descriptor is not None and any(k in descriptor.get_object()
                                              for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                embedded += 1
    assert fonts and embedded > 0, fonts
    text = kem_pdf["text"]
    # Letters with two diacritics, as the report writes them (no lost or split marks).
    for phrase in ("Sửa gì trước", "Chi tiết tiêu chí", "Cổng Dịch vụ công tỉnh Hà Sơn",
                   "Người sửa thường là: Lập trình viên", "Biên tập nội dung"):
        assert phrase in text, phrase
    # The PDF is tagged (readable by a screen reader) and titled like the page.
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    title = reader.metadata.title if reader.metadata else ""
    assert title and "Hà Sơn" in title


# What sticks out past the page box when laid out for print: an element wider than the page
# whose parent is not (one line per table, not one per cell).
OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const over = el => el.getBoundingClientRect().right > width + 1;
    return Array.from(document.querySelectorAll('body *'))
        .filter(el => over(el) && !over(el.parentElement) && !el.closest('svg'))
        .map(el => `${el.tagName.toLowerCase()}.${el.className}`);
}"""


def test_every_table_fits_between_the_a4_margins(tmp_path: Path) -> None:
    """Chromium prints a page wider than the paper shrunk by at most 1/1.33 and cuts off the
    rest: the round index's leaderboard (1,073 px with its trend column) lost its last columns.
    Laid out for print at the width between the margins, nothing may stick out."""
    import asyncio

    from evaluator.browser import BrowserSession, ContextOptions, find_chromium
    from evaluator.outputs.pdf import MARGINS
    from evaluator.report.index import write_index
    from evaluator.report.portal import write_portal_report
    from evaluator.report.ranking import IndexEntry, RoundPoint
    from evaluator.settings import load_settings

    def mm(value: str) -> float:
        return float(value.removesuffix("mm"))

    width_px = round((210 - mm(MARGINS["left"]) - mm(MARGINS["right"])) / 25.4 * 96)
    pages = []
    entries = []
    for pid, kind in (("kem", "province"), ("kieu-jsp", "ministry"), ("kieu-spa", "province"),
                      ("mau", "ministry"), ("tinh-trung-binh", "province")):
        result = load_result(GOLDEN / f"{pid}.vn-2023.result.json")
        pages.append(write_portal_report(result, tmp_path / pid / "report.html", "vi"))
        history = (RoundPoint("2026-q1", "D", 55.0, {"functionality": 40.0}),
                   RoundPoint("2026-q2", result.grade, result.total,
                              {p.id: p.points for p in result.pillars.values()}))
        entries.append(IndexEntry(result, f"{pid}/report.html", kind, history))
    pages.append(write_index(entries, tmp_path / "index.html", "Đợt 2026-q2", "vi"))

    async def overflowing() -> dict[str, list[str]]:
        seen = {}
        async with BrowserSession(find_chromium(load_settings().chromium or None)) as session:
            context = await session.new_context(ContextOptions(width=width_px, height=1000), "")
            tab = await session.new_tab(context)
            await tab.page.emulate_media(media="print")
            for page in pages:
                await tab.goto(page.resolve().as_uri(), 30_000)
                seen[str(page.relative_to(tmp_path))] = await tab.evaluate(OVERFLOW)
            await context.close()
        return seen

    assert width_px == 688
    assert asyncio.run(overflowing()) == {str(p.relative_to(tmp_path)): [] for p in pages}
