"""The keyboard walk in the HTML report: each template's stops as an ordered list in Tab order,
the stops with a problem marked with their WCAG success criteria, in both languages; the list
comes from the result alone (the check's findings), as every report line does."""

from __future__ import annotations

import re

from evaluator.checks.keyboard import WALK_VALUE, KeyboardParams, keyboard_walk_clean
from evaluator.checks.messages import to_text
from evaluator.checks.model import Status
from evaluator.report.portal import KEYBOARD_WALK, render_portal
from evaluator.results import FindingResult
from tests.unit.evidence_factory import bundle, view
from tests.unit.test_checks_keyboard import skip, stop, walk, walked
from tests.unit.test_report import criterion, make_result


def _rendered(lang: str) -> str:
    stops = [skip(), *(stop(n) for n in range(2, 31))]
    stops[2] = stop(3, name="Hỏi đáp <b>", focus_visible=False)
    outcome = keyboard_walk_clean(view(bundle(key_pages=[walked(walk(stops))])), KeyboardParams())
    findings = [FindingResult(message=to_text(f.message), page_url=f.page_url,
                              selector=f.selector, snippet=f.snippet, value=f.value)
                for f in outcome.findings]
    result = make_result(criteria=[criterion(
        "keyboard-access", "access", Status.FAIL, 0.49, 0.5, findings=findings,
        findings_total=len(findings))])
    return render_portal(result, lang)


def test_the_report_and_the_check_agree_on_the_marker() -> None:
    assert KEYBOARD_WALK == WALK_VALUE


def test_the_walk_is_an_ordered_list_with_problems_marked() -> None:
    html = _rendered("en")
    listing = re.search(r'<ol class="keyboard-walk"[^>]*>(.*?)</ol>', html, re.S)
    assert listing is not None
    items = re.findall(r'<li value="(\d+)"( class="stop-problem")?>(.*?)</li>', listing[1], re.S)
    assert [int(n) for n, _, _ in items] == list(range(1, 26))
    assert items[0][2] == "a “Bỏ qua, đến nội dung chính”"
    marked = [(n, body) for n, problem, body in items if problem]
    # The page's own text stays inert.
    assert marked == [("3", 'a “Hỏi đáp &lt;b&gt;” <span class="stop-mark">⚠ WCAG 2.4.7</span>')]
    assert "and 5 more stops without a problem" in html
    assert "Tab order on the home: 30 stops, 1 of them marked ⚠" in html
    assert "keyboard-walk</strong>" not in html   # the marker is not shown as a value


def test_the_walk_in_vietnamese() -> None:
    html = _rendered("vi")
    assert "Thứ tự phím Tab trên trang chủ: 30 điểm dừng, 1 điểm được đánh dấu ⚠" in html
    assert "và 5 điểm dừng khác không có vấn đề" in html
