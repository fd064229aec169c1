"""What `--pdf` prints, decided without a browser: file names, the page header and footer."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from evaluator.outputs.pdf import (
    MARGINS,
    footer_template,
    header_template,
    index_job,
    portal_job,
)
from evaluator.report.environment import load_css
from evaluator.results import load_result
from tests.unit.conftest import Ran
from tests.unit.test_rounds_report import GOLDEN


def test_a_portal_is_printed_beside_its_report_with_name_grade_and_date() -> None:
    result = load_result(GOLDEN / "tinh-trung-binh.vn-2023.result.json")
    day = result.evaluated_at[:10]  # the day the frozen evidence was gathered
    job = portal_job(result, Path("out/tinh-trung-binh/report.html"))
    assert job.pdf == Path("out/tinh-trung-binh/report.pdf")
    assert result.total is not None
    total = f"{result.total:.1f}"  # as the golden has it: a new criterion moves it
    assert job.header == (f"Cổng Dịch vụ công tỉnh Bình Nguyên · Xếp loại C ({total}/100.0 điểm) · "
                          f"đánh giá ngày {day}")
    english = portal_job(result, Path("r/report.html"), "en")
    assert english.header.endswith(f"· Grade C ({total}/100.0 points) · evaluated on {day}")
    down = result.model_copy(update={"grade": None, "total": None, "not_evaluated": "DNS"})
    assert "· không đánh giá được ·" in portal_job(down, Path("r/report.html")).header


def test_the_index_is_printed_beside_itself() -> None:
    job = index_job(Path("out/r1/index.html"), "portal-eval · r1", 3, "en")
    assert job.pdf == Path("out/r1/index.pdf") and job.header == "portal-eval · r1 · 3 portals evaluated"
    assert index_job(Path("i/index.html"), "Đợt 4").header == "Đợt 4"


def test_header_and_footer_carry_the_portals_text_inert_and_number_the_pages() -> None:
    header = header_template('Cổng <script>alert("x")</script> & <img src=x>')
    assert "<script>" not in header and "<img" not in header
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x&gt;" in header
    footer = footer_template("vi")
    assert 'Trang <span class="pageNumber"></span>/<span class="totalPages"></span>' in footer
    assert "Page <span class=\"pageNumber\"></span> of" in footer_template("en")


def test_the_browsers_own_print_uses_the_same_page_box() -> None:
    css = load_css()
    margins = f"{MARGINS['top']} {MARGINS['right']} {MARGINS['bottom']}"
    assert MARGINS["left"] == MARGINS["right"]
    assert f"@page {{ size: A4; margin: {margins}; }}" in css


def test_a_report_written_again_takes_the_pdf_printed_from_the_earlier_one_with_it(
        tmp_path: Path, cli: Callable[..., Ran]) -> None:
    result = tmp_path / "kem" / "result.json"
    result.parent.mkdir()
    shutil.copy(GOLDEN / "kem.vn-2023.result.json", result)
    earlier = tmp_path / "kem" / "report.pdf"
    earlier.write_bytes(b"%PDF-1.7 the earlier grade")
    proc = cli("render", str(result))
    assert proc.returncode == 0, proc.stderr
    assert not earlier.exists()
    assert proc.stderr.startswith(f"note: removed {earlier}: printed from the earlier reports")
    # Nothing printed before, nothing to say.
    again = cli("render", str(result), "--out", str(tmp_path / "kem" / "bao-cao.html"))
    assert again.returncode == 0 and again.stderr == ""
