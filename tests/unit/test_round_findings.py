"""Round findings: per criterion, portals that passed, failed, need review, by kind of agency; the
grades by kind of agency; the same as criteria.csv."""

from __future__ import annotations

import csv
import io
import re

from evaluator.checks.model import Status
from evaluator.report.csv_export import CRITERIA_COLUMNS, render_criteria_csv
from evaluator.report.findings import ALL, Portal, criterion_findings, grade_distribution, groups
from evaluator.report.index import render_index
from evaluator.report.ranking import IndexEntry
from evaluator.results import PortalResult, load_result
from tests.unit.test_rounds_report import GOLDEN

KINDS = {"mau": "province", "tinh-trung-binh": "province", "kem": "ministry"}


def golden(portal_id: str) -> PortalResult:
    return load_result(GOLDEN / f"{portal_id}.vn-2023.result.json")


def round_entries(**extra: PortalResult) -> list[IndexEntry]:
    entries = [IndexEntry(golden(p), f"{p}/report.html", kind) for p, kind in KINDS.items()]
    for pid, result in extra.items():
        entries.append(IndexEntry(result, f"{pid}/report.html", "ministry"))
    return entries


def down(portal_id: str) -> PortalResult:
    return golden("mau").model_copy(update={"portal_id": portal_id, "grade": None, "total": None,
                                            "criteria": [], "not_evaluated": "DNS failed"})


def test_each_criterion_is_counted_over_the_evaluated_portals_of_each_group() -> None:
    portals = [Portal(e.result, e.agency, e.report_href) for e in round_entries(gone=down("gone"))]
    assert groups(portals) == [ALL, "ministry", "province"]
    found = {f.id: f for f in criterion_findings(portals)}
    assert len(found) == len(golden("mau").criteria) and next(iter(found)) == "service-catalogue"
    faq = found["faq"].tallies
    # mau passes, tinh-trung-binh and kem fail; "gone" was not evaluated and is not counted.
    assert (faq[ALL].portals, faq[ALL].counts[Status.PASS], faq[ALL].counts[Status.FAIL]) == (3, 1, 2)
    assert [p.result.portal_id for p in faq[ALL].failing] == ["tinh-trung-binh", "kem"]
    assert faq["ministry"].portals == 1 and faq["ministry"].share(Status.FAIL) == 1.0
    assert faq["province"].share(Status.FAIL) == 0.5
    review = found["simple-interface"].tallies[ALL]
    assert review.counts[Status.NEEDS_REVIEW] == 1  # tinh-trung-binh: a person judges its menu
    # Every evaluated portal is counted once per criterion in every group it belongs to.
    for item in found.values():
        assert sum(item.tallies[ALL].counts.values()) == 3
        assert item.tallies["ministry"].portals + item.tallies["province"].portals == 3


def test_one_kind_of_agency_means_one_group() -> None:
    portals = [Portal(golden(p), "province", f"{p}/report.html") for p in KINDS]
    assert groups(portals) == [ALL]
    assert [row.group for row in grade_distribution(portals)] == [ALL]


def test_grades_by_kind_of_agency_in_band_order() -> None:
    portals = [Portal(e.result, e.agency, e.report_href) for e in round_entries()]
    rows = {row.group: row for row in grade_distribution(portals)}
    assert rows[ALL].counts == [("A", 1), ("B", 0), ("C", 1), ("D", 0), ("E", 1)]
    assert rows["province"].portals == 2 and dict(rows["province"].counts)["E"] == 0
    assert dict(rows["ministry"].counts) == {"A": 0, "B": 0, "C": 0, "D": 0, "E": 1}


def test_the_index_section_most_failed_first_with_links_to_the_failing_reports() -> None:
    html = render_index(round_entries(gone=down("gone")), "Đợt 4", "en")
    section = re.search(r'<section class="findings-section" id="findings">.*?</section>', html,
                        re.S)
    assert section is not None
    body = section[0]
    rows = re.findall(r'<tr data-sort-order="(\d+)"', body)
    assert len(rows) == len(golden("mau").criteria)
    first = re.search(r"<tbody>\s*<tr[^>]*>\s*<th scope=\"row\">(.*?)<br><code>([a-z0-9-]+)",
                      body, re.S)
    assert first is not None
    # Three criteria fail on 2 of 3 portals ... none fails on all 3 (mau passes everything):
    # the first row fails on 67 %.
    assert 'data-sort-fail-all="0.6667"' in body.split("<tbody>")[1].split("</tr>")[0]
    assert ('<a href="kem/report.html#criterion-faq">' in body
            and '<a href="tinh-trung-binh/report.html#criterion-faq">' in body)
    for text in ("Findings by criterion", "Grades by kind of agency", "All<br>",
                 "Ministry or agency<br>", "3 portals evaluated", 'data-sort="fail-ministry"',
                 'aria-sort="descending"', '2 <span class="share">(67%)</span>',
                 "Failing portals"):
        assert text in body, text
    assert 'class="grade-bar"' in body and 'role="img"' in body
    assert 'aria-label="Province or city: A 1, B 0, C 1, D 0, E 0"' in body


def test_criteria_csv_long_format_by_criterion_and_group() -> None:
    text = render_criteria_csv(round_entries(gone=down("gone")), "vi")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == CRITERIA_COLUMNS
    assert len(rows) == len(golden("mau").criteria) * 3
    faq = [r for r in rows if r["criterion_id"] == "faq"]
    assert [r["agency"] for r in faq] == ["all", "ministry", "province"]
    assert faq[0] == {
        "criterion_id": "faq", "pillar": "functionality", "title": "Có câu hỏi thường gặp",
        "points_possible": "2.5", "agency": "all", "portals": "3", "pass": "1", "fail": "2",
        "needs_review": "0", "error": "0", "not_applicable": "0", "pass_share": "0.3333",
        "fail_share": "0.6667", "needs_review_share": "0.0000",
        "failing_portals": "tinh-trung-binh;kem"}


def test_criteria_csv_cells_cannot_run_as_formulas() -> None:
    evil = golden("kem").model_copy(update={"portal_id": "=HYPERLINK(\"x\")"})
    text = render_criteria_csv([IndexEntry(evil, "e/report.html", "=cmd")], "en")
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "@")]
    assert "'=HYPERLINK(\"x\")" in cells


def test_no_evaluated_portal_no_findings_section() -> None:
    html = render_index([IndexEntry(down("gone"), "gone/report.html", "province")], "r", "en")
    assert 'id="findings"' not in html
    assert render_criteria_csv([], "en").splitlines() == [",".join(CRITERIA_COLUMNS)]
