"""Diff of two results: what changed, its text in both languages, the HTML page, the command."""

from __future__ import annotations

import base64
import hashlib
import html as html_lib
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from evaluator.checks.model import Status
from evaluator.criteria.schema import Text
from evaluator.diff import (
    CHANGED,
    DOWN,
    SAME,
    UNKNOWN,
    UP,
    diff_results,
    render_diff_html,
    render_diff_text,
    write_diff_html,
)
from evaluator.report.environment import ReportError, translator
from evaluator.resources import reports_dir
from evaluator.results import CriterionResult, PortalResult, load_result, save_result

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
XSS = "<script>alert(1)</script>"


def golden(name: str) -> PortalResult:
    return load_result(GOLDEN / f"{name}.vn-2023.result.json")


def by_id(result: PortalResult) -> dict[str, CriterionResult]:
    return {c.id: c for c in result.criteria}


def with_criterion(result: PortalResult, cid: str, **update: object) -> PortalResult:
    criteria = [c.model_copy(update=update) if c.id == cid else c for c in result.criteria]
    return result.model_copy(update={"criteria": criteria})


def not_evaluated(result: PortalResult) -> PortalResult:
    return result.model_copy(update={"grade": None, "total": None, "criteria": [],
                                     "not_evaluated": "gathering failed: timeout"})


def full_marks(result: PortalResult) -> PortalResult:
    """The result with every pillar at its full points and a total of 100, whatever the golden
    scored: the small pair does not depend on the frozen portal being perfect."""
    pillars = {pid: p.model_copy(update={"points": p.points_possible})
               for pid, p in result.pillars.items()}
    return result.model_copy(update={"pillars": pillars, "total": 100.0, "grade": "A"})


def failing_after(old: PortalResult, new: PortalResult) -> list[tuple[str, Status, Status, float]]:
    """What passed in ``old`` and fails (or awaits a person, or errs) in ``new``, with the points
    it moved, most first (equal moves in the new profile's order)."""
    before = by_id(old)
    rows = [(c.id, before[c.id].status, c.status, c.points - before[c.id].points)
            for c in new.criteria if c.id in before and before[c.id].status is Status.PASS
            and c.status in (Status.FAIL, Status.ERROR, Status.NEEDS_REVIEW)]
    return sorted(rows, key=lambda r: -abs(r[3]))


def small_pair() -> tuple[PortalResult, PortalResult]:
    """mau with two criteria; then its hotline fails (1 point lost, functionality 69)."""
    mau = full_marks(golden("mau"))
    keep = by_id(mau)
    hotline = keep["hotline"].model_copy(update={
        "title": Text(vi="Có đường dây nóng", en="Hotline is published"), "status": Status.PASS,
        "points": 1.0, "points_possible": 1.0})
    faq = keep["faq"].model_copy(update={"title": Text(vi="Có hỏi đáp", en="FAQ is published")})
    old = mau.model_copy(update={"criteria": [faq, hotline],
                                 "evaluated_at": "2024-05-01T10:00:00+07:00"})
    functionality = mau.pillars["functionality"].model_copy(update={"points": 69.0})
    new = old.model_copy(update={
        "criteria": [faq, hotline.model_copy(update={"status": Status.FAIL, "points": 0.0})],
        "evaluated_at": "2024-06-01T10:00:00+07:00", "total": 99.0,
        "pillars": {**mau.pillars, "functionality": functionality},
    })
    return old, new


# ------------------------------------------------------------------------------------------- diff


def test_identical_results_have_no_changes() -> None:
    diff = diff_results(golden("tinh-trung-binh"), golden("tinh-trung-binh"))
    assert diff.grade_change == SAME and diff.total_delta == 0
    assert diff.same_portal and diff.same_profile and diff.comparable
    assert not diff.criteria_changed
    assert all(p.delta == 0 for p in diff.pillars)
    assert render_diff_text(diff, "en").endswith("No criterion changed.\n")


def test_improvement() -> None:
    old, new = golden("tinh-trung-binh"), golden("mau")
    assert old.total is not None and new.total is not None
    diff = diff_results(old, new)
    assert diff.grade_change == UP and diff.total_delta == round(new.total - old.total, 2) > 0
    assert [(p.id, p.old, p.new, p.delta) for p in diff.pillars] == [
        (pid, old.pillars[pid].points, new.pillars[pid].points,
         round(new.pillars[pid].points - old.pillars[pid].points, 2))
        for pid in ("functionality", "performance", "access")]
    assert diff.newly_failing == ()
    # The model portal passes everything the average one fails: the five of the heaviest first.
    assert [d.id for d in diff.newly_passing][:5] == [
        "prefilled-eforms", "service-information-complete", "faq", "services-within-three-clicks",
        "online-payment-end-to-end"]
    assert [d.id for d in diff.newly_passing] == [cid for cid, *_ in failing_after(new, old)]
    assert diff.added == diff.removed == ()


def test_regression_lists_newly_failing_and_points_moved_by_size() -> None:
    old, new = golden("tinh-trung-binh"), golden("kem")
    assert old.total is not None and new.total is not None
    diff = diff_results(old, new)
    assert diff.grade_change == DOWN and diff.total_delta == round(new.total - old.total, 2) < 0
    assert [(d.id, d.old_status, d.new_status, d.delta) for d in diff.newly_failing] == \
        failing_after(old, new)
    # The heaviest of them, as the two portals are built (RESEARCH weights of vn-2023).
    assert [(d.id, d.old_status, d.new_status, d.delta) for d in diff.newly_failing][:7] == [
        ("login-national-identity", Status.PASS, Status.FAIL, -6.0),
        ("status-lookup", Status.PASS, Status.FAIL, -6.0),
        ("service-catalogue", Status.PASS, Status.FAIL, -4.5),
        ("online-payment-offered", Status.PASS, Status.FAIL, -4.0),
        ("largest-contentful-paint", Status.PASS, Status.FAIL, -4.0),
        ("satisfaction-rating", Status.PASS, Status.FAIL, -3.5),
        ("feedback-channel", Status.PASS, Status.FAIL, -3.5),
    ]
    # 0-point informative criteria still show up when they start failing; a criterion that
    # awaits a person is failing too.
    rows = {d.id: (d.new_status, d.delta) for d in diff.newly_failing}
    assert rows["page-weight"] == rows["remote-area-citizen-journey"] == (Status.FAIL, 0.0)
    assert rows["tls-certificate-valid"][0] is Status.NEEDS_REVIEW
    assert [d.id for d in diff.newly_passing] == ["hotline"]
    deltas = [abs(d.delta) for d in diff.moved]
    assert deltas == sorted(deltas, reverse=True)
    assert [(d.id, d.delta) for d in diff.moved][:4] == [
        ("login-national-identity", -6.0), ("status-lookup", -6.0),
        ("service-catalogue", -4.5), ("online-payment-offered", -4.0)]
    # A fail that lost more points is not "newly failing", but its points moved.
    assert "service-search" not in {d.id for d in diff.newly_failing}


def test_needs_review_and_error_count_as_failing_and_status_only_changes_are_listed() -> None:
    mau = golden("mau")
    new = with_criterion(mau, "faq", status=Status.NEEDS_REVIEW, points=0.0)
    new = with_criterion(new, "hotline", status=Status.ERROR, points=0.0)
    diff = diff_results(mau, new)
    assert [d.id for d in diff.newly_failing] == ["faq", "hotline"]
    assert [d.id for d in diff_results(new, mau).newly_passing] == ["faq", "hotline"]
    # fail → error, both 0 points: not newly failing, but shown as a change with delta 0.
    tinh = golden("tinh-trung-binh")
    errored = with_criterion(tinh, "faq", status=Status.ERROR)
    diff = diff_results(tinh, errored)
    assert diff.newly_failing == diff.newly_passing == ()
    assert [(d.id, d.old_status, d.new_status, d.delta) for d in diff.moved] == [
        ("faq", Status.FAIL, Status.ERROR, 0.0)]


def test_criteria_added_and_removed_between_profiles() -> None:
    old = golden("mau")
    hotline = by_id(old)["hotline"]
    new = old.model_copy(update={
        "profile": old.profile.model_copy(update={"id": "vn-2025"}),
        "criteria": [c for c in old.criteria if c.id != "faq"]
        + [hotline.model_copy(update={"id": "chatbot", "status": Status.FAIL, "points": 0.0})],
    })
    diff = diff_results(old, new)
    assert not diff.same_profile and diff.same_portal
    assert [(d.id, d.old_status, d.new_status) for d in diff.added] == [
        ("chatbot", None, Status.FAIL)]
    assert [(d.id, d.old_status, d.new_status, d.delta) for d in diff.removed] == [
        ("faq", Status.PASS, None, -2.5)]
    text = render_diff_text(diff, "en")
    assert ("! The results were scored on different criteria profiles (vn-2023 and vn-2025): "
            "points may not compare") in text
    assert "Criteria added (1):\n  chatbot · Support hotline is published: — → Fail\n" in text
    assert "Criteria removed (1):\n  faq · Frequently asked questions are published: Pass → —\n" in text


def test_grade_change_follows_the_band_order() -> None:
    tinh = golden("tinh-trung-binh")
    bands = list(reversed(tinh.profile.bands))  # E best … A worst
    profile = tinh.profile.model_copy(update={"bands": bands})
    old = tinh.model_copy(update={"profile": profile, "grade": "B"})
    new = tinh.model_copy(update={"profile": profile, "grade": "C"})
    assert diff_results(old, new).grade_change == UP
    assert diff_results(new, old).grade_change == DOWN
    odd = new.model_copy(update={"grade": "Z"})
    assert diff_results(old, odd).grade_change == CHANGED


def test_not_evaluated_side_compares_only_grades_and_totals() -> None:
    mau = golden("mau")
    diff = diff_results(not_evaluated(mau), mau)
    assert not diff.comparable and diff.grade_change == UNKNOWN and diff.total_delta is None
    assert not diff.criteria_changed
    assert [(p.old, p.new, p.delta) for p in diff.pillars] == [
        (None, p.points, None) for p in mau.pillars.values()]
    text = render_diff_text(diff, "en")
    assert "\nBefore: mau · " in text and "Not evaluated: gathering failed: timeout" in text
    assert "! One of the results was not evaluated: only grades and totals are compared" in text
    assert "Grade: — → A\n" in text and "Total: — → 100\n" in text
    assert "No criterion changed." not in text


def test_diff_is_frozen() -> None:
    diff = diff_results(*small_pair())
    with pytest.raises(AttributeError):
        diff.total_delta = 1.0  # type: ignore[misc]


# ------------------------------------------------------------------------------------------- text


def test_small_diff_text_in_english() -> None:
    assert render_diff_text(diff_results(*small_pair()), "en") == (
        "Comparison of two evaluations: Cổng Dịch vụ công tỉnh Sơn Lâm\n"
        "Before: mau · 2024-05-01 10:00:00 (UTC+07:00) · vn-2023\n"
        "After: mau · 2024-06-01 10:00:00 (UTC+07:00) · vn-2023\n"
        "Grade: A → A (unchanged)\n"
        "Total: 100 → 99 (-1)\n"
        "Pillars:\n"
        "  Functionality: 70 → 69 / 70 (-1)\n"
        "  Performance: 20 → 20 / 20 (0)\n"
        "  Convenient access to information: 10 → 10 / 10 (0)\n"
        "Newly failing (1):\n"
        "  hotline · Hotline is published: Pass → Fail\n"
        "Points moved per criterion (1):\n"
        "  hotline: 1 → 0 (-1) · Pass → Fail\n"
    )


def test_small_diff_text_in_vietnamese() -> None:
    assert render_diff_text(diff_results(*small_pair()), "vi") == (
        "So sánh hai lần đánh giá: Cổng Dịch vụ công tỉnh Sơn Lâm\n"
        "Trước: mau · 2024-05-01 10:00:00 (UTC+07:00) · vn-2023\n"
        "Sau: mau · 2024-06-01 10:00:00 (UTC+07:00) · vn-2023\n"
        "Xếp loại: A → A (không đổi)\n"
        "Tổng điểm: 100 → 99 (-1)\n"
        "Điểm theo nhóm tiêu chí:\n"
        "  Chức năng: 70 → 69 / 70 (-1)\n"
        "  Hiệu năng: 20 → 20 / 20 (0)\n"
        "  Khả năng truy cập thông tin thuận tiện: 10 → 10 / 10 (0)\n"
        "Tiêu chí chuyển sang không đạt (1):\n"
        "  hotline · Có đường dây nóng: Đạt → Không đạt\n"
        "Điểm thay đổi theo tiêu chí (1):\n"
        "  hotline: 1 → 0 (-1) · Đạt → Không đạt\n"
    )


def test_different_portals_are_warned_in_both_languages() -> None:
    diff = diff_results(golden("kem"), golden("mau"))
    assert not diff.same_portal
    assert "! Warning: the results are of different portals (kem and mau)\n" in \
        render_diff_text(diff, "en")
    assert "! Cảnh báo: hai kết quả thuộc hai cổng khác nhau (kem và mau)\n" in \
        render_diff_text(diff, "vi")


def test_unknown_language_is_a_report_error() -> None:
    with pytest.raises(ReportError, match="unknown report language 'fr'"):
        render_diff_text(diff_results(*small_pair()), "fr")


# ------------------------------------------------------------------------------------------- HTML


def test_html_escapes_portal_text_and_runs_nothing() -> None:
    old, new = small_pair()
    new = new.model_copy(update={"portal_name": XSS, "portal_id": "<b>id</b>"})
    old = not_evaluated(old).model_copy(update={"not_evaluated": f"gathering failed: {XSS}"})
    for lang in ("vi", "en"):
        page = render_diff_html(diff_results(old, new), lang)
        assert "<script" not in page.lower()
        assert "<b>id</b>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "&lt;b&gt;id&lt;/b&gt;" in page
        assert f'<html lang="{lang}">' in page


def test_html_is_self_contained_with_its_css_allowed_by_hash() -> None:
    page = render_diff_html(diff_results(golden("tinh-trung-binh"), golden("kem")), "en")
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert len(styles) == 1
    css = styles[0]  # inlined verbatim, not escaped
    report_css = (reports_dir() / "assets" / "report.css").read_text(encoding="utf-8")
    diff_css = (reports_dir() / "assets" / "diff.css").read_text(encoding="utf-8")
    assert css == report_css + "\n" + diff_css
    meta = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert meta is not None
    csp = html_lib.unescape(meta[1])
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert "default-src 'none'" in csp and f"style-src 'sha256-{digest}'" in csp
    assert "script-src" not in csp or "script-src 'none'" in csp
    # Nothing to fetch: no external src/href (only the blank favicon).
    assert not re.search(r'\s(?:src|href)="(?!data:)', page)
    assert "<section class=\"diff-criteria\" id=\"newly_failing\">" in page
    old, new = golden("tinh-trung-binh"), golden("kem")
    assert old.total is not None and new.total is not None
    assert f"{new.total - old.total:.2f}" in page
    assert f"Newly failing ({len(failing_after(old, new))})" in page


def test_html_is_deterministic_and_written_atomically(tmp_path: Path) -> None:
    diff = diff_results(*small_pair())
    assert render_diff_html(diff, "vi") == render_diff_html(diff, "vi")
    out = write_diff_html(diff, tmp_path / "sub" / "diff.html", "vi")
    assert out.read_text(encoding="utf-8") == render_diff_html(diff, "vi")
    assert [p.name for p in out.parent.iterdir()] == ["diff.html"]


def test_html_without_changes_says_so() -> None:
    page = render_diff_html(diff_results(golden("mau"), golden("mau")), "en")
    assert "No criterion changed." in page


# ------------------------------------------------------------------------------------------- i18n


def diff_keys_used() -> set[str]:
    used: set[str] = set()
    for path in (reports_dir() / "templates" / "diff.html.j2", ROOT / "evaluator" / "diff.py"):
        used |= set(re.findall(r"""["'](diff\.[a-z_]*[a-z])["']""", path.read_text(encoding="utf-8")))
    used |= {f"diff.grade_{change}" for change in (UP, DOWN, SAME, CHANGED)}
    return used


def test_diff_i18n_keys_exist_in_both_languages() -> None:
    raw = yaml.safe_load((reports_dir() / "i18n.yaml").read_text(encoding="utf-8"))
    used = diff_keys_used()
    assert len(used) > 15
    for key in sorted(used):
        assert key in raw, key
        assert str(raw[key].get("vi") or "").strip() and str(raw[key].get("en") or "").strip(), key
    vi, en = translator("vi"), translator("en")
    assert used <= set(vi.strings) and used <= set(en.strings)
    # And no diff key is left unused.
    assert {k for k in raw if k.startswith("diff.")} == used


# ---------------------------------------------------------------------------------------- command


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "evaluator", "diff", *args], capture_output=True,
                          text=True, check=False, cwd=ROOT)


def test_command_prints_the_text_and_writes_html(tmp_path: Path) -> None:
    old, new = small_pair()
    old_path = save_result(old, tmp_path / "old" / "result.json")
    new_path = save_result(new, tmp_path / "new.json")
    out = tmp_path / "diff.html"
    proc = run(str(old_path.parent), str(new_path), "--lang", "en", "--html", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == render_diff_text(diff_results(old, new), "en") + f"HTML → {out}\n"
    assert out.read_text(encoding="utf-8") == render_diff_html(diff_results(old, new), "en")


def test_command_allows_different_portals_with_a_warning() -> None:
    proc = run(str(GOLDEN / "kem.vn-2023.result.json"), str(GOLDEN / "mau.vn-2023.result.json"))
    assert proc.returncode == 0, proc.stderr
    assert "! Cảnh báo: hai kết quả thuộc hai cổng khác nhau (kem và mau)" in proc.stdout


def test_command_exit_2_on_bad_input(tmp_path: Path) -> None:
    proc = run(str(tmp_path / "nope.json"), str(GOLDEN / "mau.vn-2023.result.json"))
    assert proc.returncode == 2 and "no result.json here" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run(str(GOLDEN / "kem.vn-2023.result.json"), str(GOLDEN / "mau.vn-2023.result.json"),
               "--lang", "fr")
    assert proc.returncode == 2
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    proc = run(str(GOLDEN / "kem.vn-2023.result.json"), str(GOLDEN / "mau.vn-2023.result.json"),
               "--html", str(blocker / "diff.html"))
    assert proc.returncode == 2 and "cannot write report" in proc.stderr
