"""The round index as CSV: same order and numbers as the HTML leaderboard, exact output."""

from __future__ import annotations

from pathlib import Path

from evaluator.report.csv_export import render_index_csv
from evaluator.report.ranking import IndexEntry
from evaluator.results import load_result

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def golden(portal_id: str) -> IndexEntry:
    result = load_result(GOLDEN / f"{portal_id}.vn-2023.result.json")
    return IndexEntry(result, f"{portal_id}/report.html", "province")


def test_exact_output_in_leaderboard_order() -> None:
    entries = [golden("kem"), golden("mau"), golden("tinh-trung-binh")]
    down = golden("mau").result.model_copy(update={
        "portal_id": "sap", "portal_name": "Cổng sập", "grade": None, "total": None,
        "not_evaluated": "start URL unreachable: net::ERR_CONNECTION_REFUSED",
        "pages_evaluated": 0})
    entries.append(IndexEntry(down, "sap/report.html", "ministry"))

    def row(rank: int, portal_id: str, name: str, grade: str) -> str:
        # The numbers as the golden has them: a new criterion moves them, not the format.
        r = golden(portal_id).result
        assert r.total is not None
        points = ",".join(f"{r.pillars[p].points:.2f}"
                          for p in ("functionality", "performance", "access"))
        return (f"{rank},{portal_id},{name},province,{grade},{r.total:.2f},{points},"
                f"{r.pages_evaluated},{portal_id}/report.html,\n")

    assert render_index_csv(entries, "vi") == (
        "rank,portal_id,portal_name,agency,grade,total,functionality,performance,access,pages,"
        "report,not_evaluated\n"
        + row(1, "mau", "Cổng Dịch vụ công tỉnh Sơn Lâm", "A")
        + row(2, "tinh-trung-binh", "Cổng Dịch vụ công tỉnh Bình Nguyên", "C")
        + row(3, "kem", "Cổng Dịch vụ công tỉnh Hà Sơn", "E")
        + ",sap,Cổng sập,ministry,,,,,,0,sap/report.html,"
        "start URL unreachable: net::ERR_CONNECTION_REFUSED\n"
    )


def test_portal_text_cannot_become_a_spreadsheet_formula() -> None:
    entry = golden("mau")
    hostile = entry.result.model_copy(update={"portal_name": '=HYPERLINK("http://x","bấm")'})
    out = render_index_csv([IndexEntry(hostile, "mau/report.html", "province")])
    assert "'=HYPERLINK" in out
    assert ',"=HYPERLINK' not in out and ",=HYPERLINK" not in out


def test_formula_after_leading_spaces_is_neutralised_too() -> None:
    entry = golden("mau")
    hostile = entry.result.model_copy(update={"portal_name": "  =1+1"})
    out = render_index_csv([IndexEntry(hostile, "mau/report.html", " @SUM(A1)")])
    assert "'  =1+1" in out and "' @SUM(A1)" in out
