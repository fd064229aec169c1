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
    assert render_index_csv(entries, "vi") == (
        "rank,portal_id,portal_name,agency,grade,total,functionality,performance,access,pages,"
        "report,not_evaluated\n"
        "1,mau,Cổng Dịch vụ công tỉnh Sơn Lâm,province,A,100.00,70.00,20.00,10.00,45,"
        "mau/report.html,\n"
        "2,tinh-trung-binh,Cổng Dịch vụ công tỉnh Bình Nguyên,province,C,71.32,49.04,16.00,6.28,45,"
        "tinh-trung-binh/report.html,\n"
        "3,kem,Cổng Dịch vụ công tỉnh Hà Sơn,province,E,6.29,5.43,0.00,0.86,32,kem/report.html,\n"
        ",sap,Cổng sập,ministry,,,,,,0,sap/report.html,"
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
