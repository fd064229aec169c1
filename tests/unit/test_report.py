"""HTML report renderer: content, order, languages, escaping, self-containment, determinism."""

from __future__ import annotations

import base64
import hashlib
import html as html_lib
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from evaluator.checks.model import Status
from evaluator.criteria.schema import Band, Text
from evaluator.evidence import Versions
from evaluator.report import environment, portal, ranking
from evaluator.report import format as report_format
from evaluator.report.environment import ReportError, translator
from evaluator.report.format import safe_href, safe_relative_href
from evaluator.report.index import render_index, write_index
from evaluator.report.portal import render_portal, write_portal_report
from evaluator.report.ranking import IndexEntry
from evaluator.resources import reports_dir
from evaluator.results import (
    CriterionResult,
    FindingResult,
    PillarResult,
    PortalResult,
    ProfileRef,
)

XSS = "<script>alert(1)</script>"
BANDS = [Band(grade="A", min=90), Band(grade="B", min=80), Band(grade="C", min=65),
         Band(grade="D", min=50), Band(grade="E", min=0)]


def text(en: str, vi: str | None = None) -> Text:
    return Text(vi=vi or f"VI {en}", en=en)


def criterion(cid: str, pillar: str, status: Status, points: float, possible: float,
              **extra: Any) -> CriterionResult:
    fields: dict[str, Any] = {
        "id": cid, "pillar": pillar, "fixed_by": "development", "status": status,
        "points": points, "points_possible": possible,
        "title": text(f"Title {cid}", f"Tiêu đề {cid}"),
        "failure_title": text(f"Failure {cid}", f"Không đạt {cid}"),
        "description": text(f"Description {cid}", f"Mô tả {cid}"),
        "fix": text(f"Fix {cid}", f"Cách sửa {cid}"),
        "source": f"TT 22/2019 Đ6 ({cid})", "check": "generic", "scope": "site",
    }
    fields.update(extra)
    return CriterionResult(**fields)


def make_result(**overrides: Any) -> PortalResult:
    """A small valid result: two pillars, one criterion of each status."""
    criteria = [
        criterion("works-pass", "functionality", Status.PASS, 30, 30,
                  display_value=text("12 services", "12 dịch vụ"),
                  expected=text("≥ 1 service", "≥ 1 dịch vụ")),
        criterion("small-fail", "functionality", Status.FAIL, 0, 5,
                  display_value=text("no search box", "không có ô tìm kiếm"),
                  expected=text("a search box", "một ô tìm kiếm")),
        criterion("big-fail", "functionality", Status.FAIL, 0, 20,
                  display_value=text("3 broken links", "3 liên kết hỏng"),
                  expected=text("0 broken links", "0 liên kết hỏng"), pages=["https://portal.example.vn/a"],
                  findings=[FindingResult(message=text("Broken link", "Liên kết hỏng"),
                                          page_url="https://portal.example.vn/a",
                                          selector="a#x", snippet='<a id="x">x</a>', value="404",
                                          expected=text("HTTP 200", "mã HTTP 200"))],
                  findings_total=1),
        criterion("review-me", "functionality", Status.NEEDS_REVIEW, 0, 15),
        criterion("n-a", "access", Status.NOT_APPLICABLE, 0, 10),
        criterion("crashed", "access", Status.ERROR, 0, 20,
                  error="missing evidence 'lighthouse': not installed"),
    ]
    fields: dict[str, Any] = {
        "portal_id": "portal.example.vn", "portal_name": "Cổng dịch vụ công Ví Dụ",
        "start_url": "https://portal.example.vn/", "evaluated_at": "2024-05-01T10:20:30+07:00",
        "profile": ProfileRef(id="vn-2023", title=text("Criteria 2023", "Bộ tiêu chí 2023"),
                              digest="sha256:0", bands=BANDS),
        "versions": Versions(portal_eval="0.1.0", chromium="126.0", axe_core="4.12.1"),
        "grade": "C", "total": 72.5,
        "pillars": {
            "functionality": PillarResult(id="functionality", title=text("Functionality", "Chức năng"),
                                          points=42.5, points_possible=70),
            "access": PillarResult(id="access", title=text("Access", "Truy cập"), points=30,
                                   points_possible=30, points_not_applicable=10),
        },
        "criteria": criteria, "pages_evaluated": 7,
    }
    fields.update(overrides)
    return PortalResult(**fields)


def not_evaluated(pid: str = "down.example.vn", reason: str = "gathering failed: timeout") -> PortalResult:
    return make_result(portal_id=pid, portal_name=pid, grade=None, total=None, criteria=[],
                       not_evaluated=reason, pages_evaluated=0)


def assert_self_contained(html: str) -> None:
    """No request, and no script but the round index's own sorting script, allowed by its hash."""
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S | re.I)
    csp = html_lib.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html)[1])
    if 'class="leaderboard-section"' in html:
        shipped = (reports_dir() / "assets" / "leaderboard.js").read_text(encoding="utf-8")
        assert scripts == [shipped]
        digest = base64.b64encode(hashlib.sha256(shipped.encode()).digest()).decode()
        assert f"script-src 'sha256-{digest}'" in csp
        html = html.replace(shipped, "")
    else:
        assert scripts == [] and "script-src 'none'" in csp
    assert html.lower().count("<script") == len(scripts)
    assert not re.search(r"""\bsrc\s*=""", html, re.I)
    for tag in re.findall(r"<link\b[^>]*>", html, re.I):
        assert "http" not in tag.lower(), tag
    assert "@import" not in html and "url(" not in html
    assert 'href="javascript:' not in html.lower()


# -------------------------------------------------------------------------------- portal report


def test_portal_report_shows_grade_total_pillars_and_statuses() -> None:
    html = render_portal(make_result(), "en")
    assert '<html lang="en">' in html
    assert 'class="grade-letter">C<' in html
    assert "72.5" in html and "100.0" in html
    assert "42.5 / 70.0 points" in html and "30.0 / 30.0 points" in html
    assert "<svg" in html and 'width="60.71"' in html  # 42.5 / 70 of the bar
    for label in ("Pass", "Fail", "Needs review", "Error", "Not applicable"):
        assert f">{label}<" in html
    # A failed criterion's line shows its failure title; its own title is in the details, so
    # the printed report names every criterion.
    line = re.search(r'<summary class="criterion-head">(?:(?!</summary>).)*big-fail.*?</summary>',
                     html, re.S)
    assert line is not None and "Failure big-fail" in line[0] and "Title big-fail" not in line[0]
    assert "Criterion:</span> Title big-fail" in html
    assert "Title works-pass" in html
    assert "3 broken links" in html and "0 broken links" in html and "3 liên kết hỏng" not in html
    assert "Broken link" in html and "HTTP 200" in html and "Liên kết hỏng" not in html
    assert "missing evidence &#39;lighthouse&#39;: not installed" in html
    assert "TT 22/2019 Đ6 (big-fail)" in html
    assert "Fix big-fail" in html
    assert 'aria-current="true"' in html  # the current band is marked
    assert "126.0" in html and "4.12.1" in html and "Criteria 2023" in html
    assert "2024-05-01 10:20:30 (UTC+07:00)" in html
    assert_self_contained(html)


def test_criteria_order_failed_first_then_by_points_lost() -> None:
    html = render_portal(make_result(), "en")
    order = ["Failure big-fail", "Failure small-fail", "Title review-me", "Title works-pass"]
    # In the criteria section: "Title review-me" is also listed above it, for an auditor.
    criteria = html.index('<section class="criteria">')
    positions = [html.index(name, criteria) for name in order]
    assert positions == sorted(positions)
    review = html.index('<section class="to-review"')
    assert review < html.index("Title review-me") < criteria
    ordered = portal.criteria_order(make_result().criteria)
    assert [c.status for c in ordered] == [Status.FAIL, Status.FAIL, Status.ERROR,
                                           Status.NEEDS_REVIEW, Status.PASS, Status.NOT_APPLICABLE]


def test_vietnamese_is_the_default() -> None:
    html = render_portal(make_result())
    assert '<html lang="vi">' in html
    assert "Không đạt big-fail" in html and "Chức năng" in html
    for label in ("Đạt", "Không đạt", "Cần xem xét", "Lỗi", "Không áp dụng"):
        assert f">{label}<" in html
    assert "Xếp loại" in html
    # Measurements and findings are in the report language too, never the other one.
    assert "3 liên kết hỏng" in html and "0 liên kết hỏng" in html and "3 broken links" not in html
    assert "Liên kết hỏng" in html and "mã HTTP 200" in html and "Broken link" not in html
    assert_self_contained(html)


def test_not_evaluated_banner_and_no_grade() -> None:
    for lang, prefix in (("vi", "Không đánh giá được"), ("en", "Not evaluated")):
        html = render_portal(not_evaluated(reason="browser died"), lang)
        assert f"{prefix}: browser died" in html
        assert 'role="alert"' in html
        assert 'class="grade-letter">—<' in html
        assert 'aria-current="true"' not in html


def test_findings_are_capped_with_a_count_of_the_rest() -> None:
    findings = [FindingResult(message=text(f"finding {i}")) for i in range(25)]
    result = make_result(criteria=[criterion("many", "functionality", Status.FAIL, 0, 10,
                                             findings=findings, findings_total=40)])
    html = render_portal(result, "en")
    assert "finding 19" in html and "finding 20" not in html
    assert "Findings (40)" in html
    assert "and 20 more not listed" in html
    assert "<details" in html


def test_gathering_notes_only_when_present() -> None:
    assert "Gathering notes" not in render_portal(make_result(), "en")
    html = render_portal(make_result(evidence_errors=["page /x: timeout"],
                                     disabled={"lighthouse": "binary not found"}), "en")
    assert "Gathering notes" in html and "page /x: timeout" in html
    assert "lighthouse" in html and "binary not found" in html


def test_english_falls_back_to_vietnamese_when_blank() -> None:
    blank = Text.model_construct(vi="Chỉ tiếng Việt", en="  ")
    assert report_format.pick(blank, "en") == "Chỉ tiếng Việt"
    assert report_format.pick(Text(vi="vi", en="en"), "en") == "en"
    assert report_format.pick(Text(vi="vi", en="en"), "vi") == "vi"


def test_numbers_have_one_decimal_and_a_dot() -> None:
    assert report_format.fmt_points(72.45) in ("72.5", "72.4")  # binary float rounding, either way a dot
    assert report_format.fmt_points(80) == "80.0"
    assert report_format.fmt_points(-0.0) == "0.0"
    assert report_format.fmt_points(None) == "—"


# -------------------------------------------------------------------------------------- escaping


def test_untrusted_text_and_urls_render_inert() -> None:
    finding = FindingResult(message=text(XSS, XSS), page_url=f"https://x.vn/{XSS}", selector=XSS,
                            snippet=XSS, value=XSS, expected=text(XSS, XSS))
    result = make_result(
        portal_name=XSS, portal_id="evil", start_url="javascript:alert(1)",
        criteria=[criterion("x", "functionality", Status.FAIL, 0, 5, display_value=text(XSS, XSS),
                            pages=["javascript:alert(1)", "data:text/html,<b>", XSS],
                            findings=[finding], findings_total=1,
                            error=XSS, source=XSS)],
        evidence_errors=[XSS], disabled={XSS: XSS}, not_evaluated=None,
    )
    for lang in ("vi", "en"):
        html = render_portal(result, lang)
        assert_self_contained(html)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "href=\"data:text" not in html
        assert "javascript:alert(1)" in html  # shown as text, never as a link


def test_not_evaluated_reason_is_escaped() -> None:
    html = render_portal(not_evaluated(reason=XSS), "en")
    assert_self_contained(html)
    assert "Not evaluated: &lt;script&gt;" in html


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "data:text/html,x", "file:///etc/passwd", "vbscript:x", "//evil.example/x", "/relative",
    "https://", "http://a b.vn/", "", None,
])
def test_safe_href_refuses_anything_but_http(url: str | None) -> None:
    assert safe_href(url) is None


@pytest.mark.parametrize("url", ["http://x.vn/", "https://dichvucong.gov.vn/p/home/dvc-trang-chu.html?a=1&b=2"])
def test_safe_href_keeps_http_urls(url: str) -> None:
    assert safe_href(url) == url


@pytest.mark.parametrize("href", [
    "javascript:alert(1)", "https://evil.vn/r.html", "//evil.vn/r.html", "/abs/report.html",
    "c:\\x", "a\\b", "data:,x", "", "x\ny",
])
def test_relative_href_refuses_non_relative(href: str) -> None:
    assert safe_relative_href(href) is None


def test_relative_href_keeps_and_encodes_relative_paths() -> None:
    assert safe_relative_href("portal.vn/report.html") == "portal.vn/report.html"
    assert safe_relative_href("a b/report.html") == "a%20b/report.html"
    assert safe_relative_href("../r/report.html") == "../r/report.html"


# ---------------------------------------------------------------------------------- determinism


def test_rendering_is_deterministic() -> None:
    result = make_result()
    assert render_portal(result) == render_portal(result)
    assert render_portal(result, "en") == render_portal(make_result(), "en")
    entries = [IndexEntry(make_result(), "a/report.html"), IndexEntry(not_evaluated(), "b/report.html")]
    assert render_index(entries, "Round") == render_index(list(entries), "Round")


def test_css_is_inlined_and_allowed_by_the_content_security_policy() -> None:
    html = render_portal(make_result())
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert len(styles) == 1 and ".grade-letter" in styles[0]
    digest = base64.b64encode(hashlib.sha256(styles[0].encode("utf-8")).digest()).decode("ascii")
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', html)
    assert csp is not None
    policy = csp.group(1).replace("&#39;", "'")
    assert "default-src 'none'" in policy and f"style-src 'sha256-{digest}'" in policy


def test_portal_id_stands_in_for_a_missing_name() -> None:
    html = render_portal(make_result(portal_name=""), "en")
    assert "<h1>portal.example.vn</h1>" in html


# ------------------------------------------------------------------------------------------- i18n


def test_every_i18n_key_has_both_languages() -> None:
    raw = yaml.safe_load((reports_dir() / "i18n.yaml").read_text(encoding="utf-8"))
    missing = [f"{key}.{lang}" for key, entry in raw.items() for lang in ("vi", "en")
               if not isinstance(entry, dict) or not str(entry.get(lang) or "").strip()]
    assert not missing, f"i18n.yaml lacks: {', '.join(missing)}"
    vi, en = translator("vi"), translator("en")
    assert set(vi.strings) == set(en.strings) == set(raw)


def test_every_key_the_templates_use_exists() -> None:
    keys = set(translator("vi").strings)
    used: set[str] = set()
    for template in (reports_dir() / "templates").glob("*.j2"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_.]+)["']""", template.read_text(encoding="utf-8")))
    used |= {f"status.{s.value}" for s in Status}
    assert used, "no t(...) call found in the templates"
    assert not used - keys, f"keys used but not in i18n.yaml: {sorted(used - keys)}"


def test_unknown_language_is_a_report_error() -> None:
    with pytest.raises(ReportError, match="unknown report language 'fr'"):
        render_portal(make_result(), "fr")


def _copy_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "reports"
    shutil.copytree(reports_dir(), copy)
    monkeypatch.setattr(environment, "reports_dir", lambda: copy)
    return copy


def test_missing_translation_is_a_report_error_naming_the_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = _copy_reports(tmp_path, monkeypatch)
    i18n = copy / "i18n.yaml"
    data = yaml.safe_load(i18n.read_text(encoding="utf-8"))
    del data["status.pass"]["en"]
    i18n.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ReportError, match=r"i18n\.yaml: 'status\.pass' lacks a en string"):
        render_portal(make_result(), "vi")


def test_broken_or_missing_files_are_report_errors(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = _copy_reports(tmp_path, monkeypatch)
    (copy / "i18n.yaml").write_text("a: [unclosed\n", encoding="utf-8")
    with pytest.raises(ReportError, match=r"i18n\.yaml:\d+: invalid YAML"):
        render_portal(make_result())

    copy = _copy_reports(tmp_path / "2", monkeypatch)
    (copy / "templates" / "portal.html.j2").write_text("{% if %}\n", encoding="utf-8")
    with pytest.raises(ReportError, match=r"portal\.html\.j2:1: template syntax error"):
        render_portal(make_result())

    copy = _copy_reports(tmp_path / "3", monkeypatch)
    (copy / "templates" / "index.html.j2").unlink()
    with pytest.raises(ReportError, match=r"index\.html\.j2: template not found"):
        render_index([], "x")

    copy = _copy_reports(tmp_path / "4", monkeypatch)
    (copy / "templates" / "portal.html.j2").write_text("{{ nope.x }}\n", encoding="utf-8")
    with pytest.raises(ReportError, match=r"portal\.html\.j2:1: template error: 'nope' is undefined"):
        render_portal(make_result())

    copy = _copy_reports(tmp_path / "5", monkeypatch)
    (copy / "assets" / "report.css").unlink()
    with pytest.raises(ReportError, match=r"report\.css: cannot read"):
        render_portal(make_result())


# ---------------------------------------------------------------------------------------- writing


def test_write_portal_report_is_atomic_and_creates_folders(tmp_path: Path) -> None:
    path = tmp_path / "round" / "portal" / "report.html"
    assert write_portal_report(make_result(), path, "en") == path
    assert path.read_text(encoding="utf-8") == render_portal(make_result(), "en")
    assert sorted(p.name for p in path.parent.iterdir()) == ["report.html"]  # no temp file left
    assert path.stat().st_mode & 0o644 == 0o644


def test_write_replaces_an_existing_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "report.html"
    path.write_text("old", encoding="utf-8")
    calls: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy(src: Any, dst: Any) -> None:
        calls.append((str(src), str(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    write_portal_report(make_result(), path)
    assert len(calls) == 1 and calls[0][1] == str(path) and calls[0][0] != str(path)
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_failed_write_leaves_the_old_file_and_no_temp(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "report.html"
    path.write_text("old", encoding="utf-8")

    def boom(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(ReportError, match=r"report\.html: cannot write report: No space left"):
        write_portal_report(make_result(), path)
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_unwritable_path_is_a_report_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(ReportError, match="cannot write report"):
        write_portal_report(make_result(), blocker / "sub" / "report.html")
    folder = tmp_path / "dir"
    folder.mkdir()
    with pytest.raises(ReportError, match="cannot write report"):
        write_portal_report(make_result(), folder)  # a directory is in the way
    with pytest.raises(ReportError, match="cannot write report"):
        write_index([], blocker / "index.html", "x")


# ------------------------------------------------------------------------------------------ index


def test_index_sorts_by_total_and_puts_not_evaluated_last() -> None:
    low = make_result(portal_id="low", portal_name="Low portal", grade="E", total=40.0)
    high = make_result(portal_id="high", portal_name="High portal", grade="A", total=95.5)
    tie = make_result(portal_id="tie", portal_name="Another high", grade="A", total=95.5)
    down = not_evaluated("down", reason="DNS failure")
    entries = [IndexEntry(down, "down/report.html"), IndexEntry(low, "low/report.html"),
               IndexEntry(high, "high/report.html", agency="Bộ Ví dụ"), IndexEntry(tie, "tie/report.html")]
    html = render_index(entries, "Round 2024", "en")
    order = [html.index(f'href="{pid}/report.html"') for pid in ("tie", "high", "low", "down")]
    assert order == sorted(order)
    assert [e.result.portal_id for e in ranking.index_order(entries)] == ["tie", "high", "low", "down"]
    assert "Not evaluated: DNS failure" in html
    assert "Bộ Ví dụ" in html and "Round 2024" in html
    assert "95.5" in html and "40.0" in html and "42.5" in html  # totals and pillar points
    ranks = re.findall(r'<td class="num">(\d+|—)</td>\n<th scope="row"', html)
    assert ranks == ["1", "1", "3", "—"]  # equal totals share a rank
    assert_self_contained(html)


def test_index_links_only_relative_paths_and_escapes_names() -> None:
    evil = make_result(portal_id="evil", portal_name=XSS)
    entries = [IndexEntry(evil, "javascript:alert(1)"),
               IndexEntry(make_result(portal_id="ext"), "https://evil.vn/x.html")]
    html = render_index(entries, XSS, "vi")
    assert_self_contained(html)
    assert "&lt;script&gt;" in html
    assert "evil.vn/x.html" not in html


def test_empty_index_renders() -> None:
    html = render_index([], "Empty round")
    assert "Chưa có cổng nào được đánh giá." in html
    assert_self_contained(html)


def test_write_index(tmp_path: Path) -> None:
    entries = [IndexEntry(make_result(), "portal.example.vn/report.html")]
    path = write_index(entries, tmp_path / "out" / "index.html", "Round", "en")
    assert path.read_text(encoding="utf-8") == render_index(entries, "Round", "en", "index.csv",
                                                            "criteria.csv")
    assert (tmp_path / "out" / "index.csv").read_text(encoding="utf-8").startswith("rank,portal_id,")
    assert (tmp_path / "out" / "criteria.csv").read_text(encoding="utf-8").startswith(
        "criterion_id,pillar,title,points_possible,agency,portals,pass,fail,needs_review,")


def test_score_sources_automated_attested_and_pending() -> None:
    base = make_result()
    attested = criterion("signed", "functionality", Status.PASS, 4, 4, manual=True,
                         points_source="attestation")
    waiting = criterion("pay-online", "functionality", Status.NEEDS_REVIEW, 0, 6, manual=True)
    html = render_portal(base.model_copy(update={"criteria": [*base.criteria, attested, waiting]}),
                         "en")
    # 30 automated points (works-pass), 4 attested, 6 awaiting an auditor.
    assert ("Points from automated checks: 30.0 · from auditor attestations: 4.0 · "
            "awaiting an auditor: 6.0") in html
    assert "All 30.0 points come from automated checks" in render_portal(base, "en")
    assert "Cả 30.0 điểm đều do kiểm tra tự động chấm" in render_portal(base, "vi")


def test_report_shows_the_automated_only_score_and_each_attestation() -> None:
    from evaluator.results import load_result

    golden = Path(__file__).resolve().parents[1] / "golden"
    result = load_result(golden / "tinh-trung-binh.vn-2023.result.json")
    assert result.total_automated is not None and result.total is not None
    assert result.total_automated < result.total
    page = render_portal(result, "en")
    automated = report_format.fmt_points(result.total_automated)
    assert f"Automated-only score: {automated} / 100" in page
    attested = next(c for c in result.criteria if c.points_source == "attestation")
    assert attested.attestation is not None
    assert html_lib.escape(attested.attestation.note, quote=False) in page
    assert html_lib.escape(attested.attestation.attested_by, quote=False) in page
    # Unattested manual criterion: needs review, marked as waiting for an auditor.
    waiting = next(c for c in result.criteria if c.manual and c.points_source == "none")
    assert waiting.status is Status.NEEDS_REVIEW and waiting.points == 0
    assert "Awaiting an auditor&#39;s attestation" in page or "Awaiting an auditor's attestation" in page
    assert "Scored automatically" in page


# ----------------------------------------------------------------------------- "Fix first" list

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def golden_result(portal_id: str) -> PortalResult:
    from evaluator.results import load_result

    return load_result(GOLDEN / f"{portal_id}.vn-2023.result.json")


def esc(text: str) -> str:
    """As Jinja escapes text (an apostrophe is &#39;)."""
    return html_lib.escape(text, quote=True).replace("&#x27;", "&#39;")


def fix_section(html: str) -> str:
    found = re.search(r'<section class="fix-first" id="fix-first">.*?</section>', html, re.S)
    assert found is not None
    return found[0]


def test_fix_first_comes_before_the_pillars_ranked_with_where_and_who() -> None:
    result = golden_result("tinh-trung-binh")
    html = render_portal(result, "en")
    assert html.index('id="fix-first"') < html.index('class="pillars"') < html.index(
        'class="criteria"')
    section = fix_section(html)
    fixes = result.fix_first
    assert len(fixes) > 10  # some folded
    # The sums as the golden has them (a new criterion moves them), in hundredths.
    assert f"All {len(fixes)} fixes recover {sum(i.points for i in fixes):.2f} points" in section
    rows = re.findall(r'<td class="num">(\d+)</td>\s*<td class="fix-what"><a href="#criterion-'
                      r'([a-z0-9-]+)"', section)
    assert [int(n) for n, _ in rows] == list(range(1, len(result.fix_first) + 1))
    assert [cid for _, cid in rows] == [i.criterion for i in result.fix_first]
    first = result.fix_first[0]
    assert esc(first.title.en) in section and esc(first.fix.en) in section
    # Pages as the portal's paths, linked; templates as patterns; the site as a whole.
    assert '>/hoi-dap</a>' in section and 'href="https://dichvucong.tinh-trung-binh.gov.vn' in section
    assert "<code>/thu-tuc/*</code>" in section and "15 page(s)" in section
    assert "and 11 more" in section  # image-alt hits 14 templates: 3 shown
    assert "Whole portal" in section
    assert "axe-core rule <code>image-alt</code>, critical" in section
    for label in ("Content editors", "Developers", "Server, infrastructure"):
        assert label in section
    developers = [i for i in fixes if i.fixed_by == "development"]
    assert f"Developers: {len(developers)} fixes, {sum(i.points for i in developers):.2f} points" \
        in section
    # The first ten in the open, the rest folded; the points a person owes are named apart.
    assert section.count('<td class="num">') == len(result.fix_first)
    assert f"Show {len(fixes) - 10} more fixes ({sum(i.points for i in fixes[10:]):.2f} points)" \
        in section
    review = sum(c.points_possible - c.points for c in result.criteria
                 if c.status is Status.NEEDS_REVIEW)
    assert review > 0 and f"{review:.1f} points wait for a person&#39;s review" in section
    assert "could not be measured" not in section  # no evaluation error on this portal


def test_fix_first_in_vietnamese_and_for_a_portal_with_nothing_to_fix() -> None:
    vi = fix_section(render_portal(golden_result("tinh-trung-binh")))
    assert "Sửa gì trước" in vi and "Biên tập nội dung" in vi and "Toàn cổng" in vi
    # A search query is shown as a person reads it, linked as it was requested.
    assert ">/tim-kiem?q=dang ky ket hon</a>" in vi and "q=dang+ky+ket+hon" in vi
    mau = fix_section(render_portal(golden_result("mau"), "en"))
    assert "Nothing to fix: every scored criterion passed." in mau and "<table" not in mau
    assert 'id="fix-first"' not in render_portal(not_evaluated(), "en")


def test_every_criterion_is_one_collapsed_line_that_says_what_was_measured_when_not_passed() -> None:
    result = golden_result("kem")
    html = render_portal(result, "en")
    cards = re.findall(r'<details class="criterion status-([a-z_]+)" id="criterion-([a-z0-9-]+)"'
                       r'([^>]*)>\s*<summary class="criterion-head">(.*?)</summary>', html, re.S)
    assert len(cards) == len(result.criteria)
    assert all(extra == "" for _s, _id, extra, _summary in cards)  # none open by default
    by_id = {c.id: c for c in result.criteria}
    for status, cid, _extra, summary in cards:
        c = by_id[cid]
        measured = 'class="criterion-measured"' in summary
        assert measured == (status not in ("pass", "not_applicable")), cid
        if measured and c.display_value is not None:
            assert esc(c.display_value.en)[:40] in summary
    # Who usually fixes it, in each criterion's details.
    assert "Usually fixed by: Server, infrastructure" in html
    css = (reports_dir() / "assets" / "report.css").read_text(encoding="utf-8")
    print_rules = css[css.index("@media print"):]
    assert "details::details-content { content-visibility: visible; display: contents; }" \
        in print_rules
