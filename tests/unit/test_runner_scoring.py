"""Runner (criterion → Outcome, errors, folding) and scoring (points, pillars, grades, bundles)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from evaluator import scoring
from evaluator.checks.functionality import term_groups
from evaluator.checks.messages import msg
from evaluator.checks.model import Finding, Outcome, Status
from evaluator.criteria.loader import LoadedProfile
from evaluator.criteria.schema import Criterion, Pillar, Text
from evaluator.derived import EvidenceView
from evaluator.evidence import (
    EvidenceBundle,
    EvidenceError,
    FormDownload,
    GuidePage,
    GuidesJourney,
    Link,
    LoginJourney,
    Page,
    Robots,
    ServicePageSample,
    ServiceSampleJourney,
    Sitemap,
    load_bundle,
    save_bundle,
)
from evaluator.runner import MAX_FINDINGS, CriterionOutcome, fold, run_criterion
from evaluator.scoring import earned, grade_for, score_bundle
from tests.unit.evidence_factory import (
    CATALOGUE_PATH,
    bundle,
    faq_text,
    good_transport,
    key_page,
    link,
    nav_link,
    page,
    portal_pages,
    search_journey,
    search_run,
    shipped_criterion,
    shipped_profile,
    start_page,
    status_lookup,
    url,
    view_of,
    violation,
)

BANDS = shipped_profile().profile.bands


# -- helpers ------------------------------------------------------------------------------------

def crit(cid: str, pillar: str, points: float, scoring: str = "binary") -> Criterion:
    """A criterion of ``pillar``; its check never runs (tests fake the runner)."""
    return shipped_criterion("hotline").model_copy(
        update={"id": cid, "pillar": pillar, "points": points, "scoring": scoring})


def profile_of(*criteria: Criterion, pillars: Mapping[str, float] | None = None) -> LoadedProfile:
    shipped = shipped_profile()
    pillars = pillars or {"functionality": 70, "performance": 20, "access": 10}
    return LoadedProfile(
        profile=shipped.profile.model_copy(update={"pillars": [
            Pillar(id=pid, title=Text(vi=pid, en=pid), points=pts) for pid, pts in pillars.items()
        ]}),
        criteria=criteria, vocabulary=shipped.vocabulary, directory=shipped.directory,
        digest="0" * 64,
    )


def out(status: Status, score: float | None = None, **kw: Any) -> Outcome:
    if score is None and status in (Status.PASS, Status.FAIL):
        score = 1.0 if status is Status.PASS else 0.0
    return Outcome(status, score, **kw)


@pytest.fixture
def fake_runner(monkeypatch: pytest.MonkeyPatch) -> dict[str, Outcome]:
    """Score with fixed outcomes per criterion id instead of running the checks."""
    outcomes: dict[str, Outcome] = {}

    def run(criterion: Criterion, _view: EvidenceView) -> CriterionOutcome:
        result = outcomes[criterion.id]
        shown = result.display_value
        error = shown.en if result.status is Status.ERROR and shown is not None else None
        return CriterionOutcome(criterion, result, error=error)

    monkeypatch.setattr(scoring, "run_criterion", run)
    return outcomes


def score(profile: LoadedProfile) -> Any:
    return score_bundle(bundle([start_page()]), profile)


# -- grade bands ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("total", "grade"), [
    (100, "A"), (90, "A"), (89.99, "B"), (80, "B"), (79.99, "C"), (65, "C"), (64.99, "D"),
    (50, "D"), (49.99, "E"), (0, "E"),
])
def test_grade_bands_are_half_open_from_the_top(total: float, grade: str) -> None:
    assert grade_for(total, BANDS) == grade


# -- earned points --------------------------------------------------------------------------------

@pytest.mark.parametrize(("scoring_mode", "outcome", "points"), [
    ("binary", out(Status.PASS), 10.0),
    ("binary", out(Status.FAIL, 0.8), 0.0),
    ("ratio", out(Status.PASS, 1.0), 10.0),
    ("ratio", out(Status.FAIL, 0.75), 7.5),
    ("ratio", out(Status.NEEDS_REVIEW, 0.5), 0.0),
    ("binary", out(Status.NEEDS_REVIEW, 1.0), 0.0),
    ("ratio", out(Status.ERROR), 0.0),
    ("binary", out(Status.ERROR), 0.0),
])
def test_earned_points(scoring_mode: str, outcome: Outcome, points: float) -> None:
    assert earned(CriterionOutcome(crit("x", "access", 10, scoring_mode), outcome)) == points


# -- pillars and totals -----------------------------------------------------------------------

def test_pillar_sums_binary_and_ratio_points(fake_runner: dict[str, Outcome]) -> None:
    fake_runner.update({"a": out(Status.PASS), "b": out(Status.FAIL, 0.5), "c": out(Status.PASS),
                        "d": out(Status.FAIL, 0.25)})
    result = score(profile_of(crit("a", "functionality", 40), crit("b", "functionality", 30, "ratio"),
                              crit("c", "performance", 20, "ratio"), crit("d", "access", 10)))
    assert {p: r.points for p, r in result.pillars.items()} == {
        "functionality": 55.0, "performance": 20.0, "access": 0.0}
    assert result.total == 75.0
    assert result.grade == "C"
    assert [c.points for c in result.criteria] == [40.0, 15.0, 20.0, 0.0]


def test_not_applicable_leaves_the_pillar_denominator(fake_runner: dict[str, Outcome]) -> None:
    fake_runner.update({"a": out(Status.PASS), "b": out(Status.NOT_APPLICABLE),
                        "c": out(Status.PASS), "d": out(Status.FAIL), "e": out(Status.PASS)})
    result = score(profile_of(
        crit("a", "functionality", 40), crit("b", "functionality", 30),
        crit("c", "performance", 10), crit("d", "performance", 10), crit("e", "access", 10)))
    functionality = result.pillars["functionality"]
    # 40 of the 40 applicable points: the pillar keeps its full weight of 70.
    assert functionality.points == 70.0
    assert functionality.points_not_applicable == 30.0
    assert result.pillars["performance"].points == 10.0
    assert result.total == 90.0
    assert result.grade == "A"
    assert next(c for c in result.criteria if c.id == "b").points == 0.0


def test_not_applicable_rescaling_is_proportional(fake_runner: dict[str, Outcome]) -> None:
    fake_runner.update({"a": out(Status.PASS), "b": out(Status.FAIL), "c": out(Status.NOT_APPLICABLE)})
    result = score(profile_of(crit("a", "functionality", 30), crit("b", "functionality", 10),
                              crit("c", "functionality", 30), pillars={"functionality": 100}))
    # 30 of 40 applicable points → 75 % of the pillar's 100.
    assert result.pillars["functionality"].points == 75.0


def test_pillar_with_only_not_applicable_criteria_earns_nothing(fake_runner: dict[str, Outcome]) -> None:
    fake_runner.update({"a": out(Status.PASS), "b": out(Status.NOT_APPLICABLE)})
    result = score(profile_of(crit("a", "functionality", 80), crit("b", "performance", 20),
                              pillars={"functionality": 80, "performance": 20}))
    assert result.pillars["performance"].points == 0.0
    assert result.pillars["performance"].points_not_applicable == 20.0
    assert result.total == 80.0


@pytest.mark.parametrize("status", [Status.ERROR, Status.NEEDS_REVIEW])
def test_error_and_needs_review_earn_zero_and_stay_in_the_denominator(
    fake_runner: dict[str, Outcome], status: Status
) -> None:
    fake_runner.update({"a": out(Status.PASS),
                        "b": out(status, display_value=msg("runner.error", detail="boom"))})
    result = score(profile_of(crit("a", "access", 5), crit("b", "access", 5, "ratio"),
                              pillars={"access": 100}))
    assert result.pillars["access"].points == 50.0
    assert result.pillars["access"].points_not_applicable == 0.0
    assert next(c for c in result.criteria if c.id == "b").points == 0.0


@pytest.mark.parametrize(("earned_points", "grade"), [(90, "A"), (80, "B"), (65, "C"), (50, "D"), (49, "E")])
def test_grade_at_exact_band_boundaries(
    fake_runner: dict[str, Outcome], earned_points: int, grade: str
) -> None:
    fake_runner.update({"won": out(Status.PASS), "lost": out(Status.FAIL)})
    result = score(profile_of(crit("won", "functionality", earned_points),
                              crit("lost", "functionality", 100 - earned_points),
                              pillars={"functionality": 100}))
    assert result.total == float(earned_points)
    assert result.grade == grade


def test_ratio_points_are_rounded_in_results(fake_runner: dict[str, Outcome]) -> None:
    fake_runner.update({"a": out(Status.FAIL, 2 / 3)})
    result = score(profile_of(crit("a", "access", 100, "ratio"), pillars={"access": 100}))
    assert result.criteria[0].points == 66.6667
    assert result.total == 66.67
    assert result.grade == "C"


def test_not_evaluated_bundle_has_no_grade_and_no_total() -> None:
    b = bundle([start_page(status=None, error="net::ERR_CONNECTION_REFUSED")],
               not_evaluated="start URL unreachable: net::ERR_CONNECTION_REFUSED")
    result = score_bundle(b, shipped_profile())
    assert result.grade is None
    assert result.total is None
    assert result.criteria == []
    assert result.not_evaluated == "start URL unreachable: net::ERR_CONNECTION_REFUSED"
    assert {p: (r.points, r.points_possible) for p, r in result.pillars.items()} == {
        "functionality": (0.0, 70.0), "performance": (0.0, 20.0), "access": (0.0, 10.0)}


# -- the shipped profile on realistic bundles ------------------------------------------------

MANUAL_POINTS = 6 + 2 + 2 + 1 + 2.5  # prefilled-eforms, form-assistance, payment e2e,
# digital-signature, status-notifications: needs_review until an auditor attests them.
ESSENTIAL = ["Đăng ký khai sinh", "Đăng ký kết hôn", "Đăng ký khai tử", "Đăng ký thường trú",
             "Cấp phiếu lý lịch tư pháp"]
STATS = ("Cập nhật 20/12/2024. Hồ sơ tiếp nhận trực tuyến 10; đã giải quyết 9; đúng hạn 98%; "
         "tổng số hồ sơ 20; hài lòng 95%")


def other_role_pages(linked: set[str]) -> tuple[list[Page], list[Link]]:
    """For each role judged by a shipped `role_page` criterion none of whose labels is among
    ``linked``: a footer link with the role's first label, to a page carrying the first phrase
    of every term group any criterion of that role asks for. A new criterion that reuses the
    role-page check (a privacy policy, or a second criterion on the same page) is met here as
    the profile defines it, without editing the perfect portal."""
    profile = shipped_profile()
    phrases: dict[str, list[str]] = {}
    for c in profile.criteria:
        role = c.params.get("role")
        labels = profile.vocabulary.labels.get(role or "", [])
        if c.check != "role_page" or not labels or linked & set(labels):
            continue
        groups = term_groups(profile.vocabulary, c.params["terms"]) if c.params.get("terms") else []
        phrases.setdefault(role, [labels[0]]).extend(g.match[0] for g in groups)
    pages: list[Page] = []
    links: list[Link] = []
    for role, text in phrases.items():
        pages.append(page(f"/trang/{role}", text=" · ".join(text)))
        links.append(link(f"/trang/{role}", text[0], region="footer"))
    return pages, links


def perfect_bundle(**overrides: Any) -> EvidenceBundle:
    """A portal that meets every automated vn-2023 criterion."""
    extra = [page("/phan-anh", text="Gửi phản ánh, kiến nghị"),
             page("/hoi-dap", text=faq_text(12)),
             page("/danh-gia", text="Rất hài lòng · Hài lòng · Chưa hài lòng"),
             page("/thong-ke", text=STATS),
             page("/thanh-toan", links=[link("https://thanhtoan.dichvucong.gov.vn/p", "Trả phí")])]
    home_links = [
        nav_link("/phan-anh", "Phản ánh, kiến nghị"), nav_link("/hoi-dap", "Hỏi đáp"),
        nav_link("/danh-gia", "Đánh giá sự hài lòng"), nav_link("/thong-ke", "Thống kê"),
        nav_link("/thanh-toan", "Thanh toán trực tuyến")]
    role_pages, role_links = other_role_pages({lk.text for lk in home_links})
    pages = portal_pages(22, extra_pages=[*extra, *role_pages], home_extra=[
        *home_links, *role_links, *(link(f"/thu-tuc/{i}", n) for i, n in enumerate(ESSENTIAL))])
    pages = [p.model_copy(update={"title": "Cổng dịch vụ công"}) for p in pages]
    journeys = search_journey(search_run("khai sinh", ["Đăng ký khai sinh"]),
                              search_run("đăng ký kết hôn", ["Đăng ký kết hôn"]),
                              search_run("dang ky ket hon", ["Đăng ký kết hôn"]))
    fields = " ".join(f.match[0] for f in shipped_profile().vocabulary.service_fields)
    journeys = journeys.model_copy(update={
        "status_lookup": status_lookup().status_lookup,
        "login": LoginJourney(link_found=True, link_text="Đăng nhập",
                              identity_url="https://sso.dancuquocgia.gov.vn/auth"),
        "service_sample": ServiceSampleJourney(sample_size=30, seed=2023, services_total=22, pages=[
            ServicePageSample(url=url("/thu-tuc/0"), status=200, text=fields, forms=[
                FormDownload(url=url("/mau/0.docx"), status=200, bytes=900)])]),
        "guides": GuidesJourney(found=True, index_url=url("/huong-dan"), pages=[
            GuidePage(url=url("/huong-dan/1"), status=200, videos=1, audios=1, langs=["hmn"])]),
    })
    # Each key template walked with Tab without a problem (keyboard-access).
    from tests.unit.test_checks_keyboard import walk as keyboard_walk
    from tests.unit.test_checks_keyboard import walked
    kw: dict[str, Any] = {"journeys": journeys,
                          "key_pages": [walked(keyboard_walk()),
                                        walked(keyboard_walk(), "catalogue", CATALOGUE_PATH)]}
    kw.update(overrides)
    b = bundle(pages, **kw)
    return _layout_ok(b.model_copy(update={
        "robots": Robots(url=url("/robots.txt"), status=200, body="User-agent: *\nDisallow:\n"),
        "sitemap": Sitemap(url=url("/sitemap.xml"), status=200, url_count=22,
                           urls=[url(f"/thu-tuc/{i}") for i in range(22)])}))


def _layout_ok(b: EvidenceBundle) -> EvidenceBundle:
    """What the layout criteria (access-layout.yaml) want: a site-map page, a full footer, a
    short menu, an English interface and the EMC tracker."""
    from evaluator.evidence import HomepageLayout, LanguageAlternate, Request

    home = b.pages[0]
    english = "https://e-services.example.gov.vn/"
    home = home.model_copy(update={
        "links": [*home.links, link("/so-do-cong", "Sơ đồ cổng", region="footer"),
                  link(english, "English", region="header")],
        "requests": [Request(url="https://f-emc.ngsp.gov.vn/embed/gov-tracking.min.js")]})
    tree = page("/so-do-cong", title="Cổng dịch vụ công",
                links=[link(f"/thu-tuc/{i}", f"Thủ tục {i}") for i in range(10)])
    layout = HomepageLayout(
        url=home.url, header_text="Ủy ban nhân dân tỉnh", menu_items=["Trang chủ", "Thủ tục"],
        footer_text=("Ủy ban nhân dân tỉnh. Chịu trách nhiệm: Văn phòng. Địa chỉ: Số 1. "
                     "Điện thoại: 0212 3856 789. Thư điện tử: a@b.gov.vn"),
        alternates=[LanguageAlternate(lang="en", href=english)])
    pages = [home, *b.pages[1:], tree.model_copy(update={"id": len(b.pages)})]
    return b.model_copy(update={"pages": pages, "layout": layout, "transport": good_transport()})


def test_perfect_portal_scores_100_and_grade_a_once_attested() -> None:
    from evaluator.criteria.attestations import Attestation

    result = score_bundle(perfect_bundle(), shipped_profile())
    manual = {c.id for c in shipped_profile().criteria if c.manual}
    assert {c.id: c.status for c in result.criteria if c.status is not Status.PASS} == dict.fromkeys(
        manual, Status.NEEDS_REVIEW)
    assert result.total == result.total_automated == 100.0 - MANUAL_POINTS
    attested = {cid: Attestation(criterion=cid, score=1, note="ok", evidence="https://x.invalid/",
                                 attested_by="A", attested_on="2026-11-20")  # type: ignore[arg-type]
                for cid in manual}
    full = score_bundle(perfect_bundle(), shipped_profile(), attested)
    assert full.total == 100.0 and full.grade == "A"
    assert full.total_automated == 100.0 - MANUAL_POINTS
    assert sum(c.points for c in full.criteria) == 100.0


def test_one_slow_key_page_costs_half_the_fcp_points() -> None:
    slow = perfect_bundle(key_pages=[key_page("home"), key_page("catalogue", CATALOGUE_PATH, fcp_ms=3000)])
    result = score_bundle(slow, shipped_profile())
    fcp = next(c for c in result.criteria if c.id == "first-contentful-paint")
    assert (fcp.status, fcp.points, fcp.points_possible) == (Status.FAIL, 1.5, 3.0)
    assert result.pillars["performance"].points == 18.5
    assert result.total == 98.5 - MANUAL_POINTS


def test_missing_journeys_are_errors_that_cost_their_points() -> None:
    result = score_bundle(perfect_bundle(journeys=None), shipped_profile())
    errors = {c.id: c.error for c in result.criteria if c.status is Status.ERROR}
    assert set(errors) == {"service-search", "status-lookup", "login-national-identity",
                           "service-information-complete", "guides-multimedia"}
    assert all(e and e.startswith("missing evidence") for e in errors.values())
    lost = 4.5 + 6 + 6 + 7 + 3.5
    assert result.pillars["functionality"].points == 70 - MANUAL_POINTS - lost


def test_rescoring_the_same_bundle_gives_identical_results() -> None:
    b = perfect_bundle(key_pages=[key_page("home", fcp_ms=4100, cls=0.3)])
    first = score_bundle(b, shipped_profile()).model_dump(mode="json")
    second = score_bundle(b, shipped_profile()).model_dump(mode="json")
    assert first == second


def test_saved_bundle_round_trips(tmp_path: Path) -> None:
    b = perfect_bundle(disabled={"lighthouse": "no lighthouse binary"})
    path = save_bundle(b, tmp_path / "evidence")
    assert path == tmp_path / "evidence" / "bundle.json"
    assert load_bundle(tmp_path / "evidence") == b
    assert load_bundle(path) == b
    assert score_bundle(load_bundle(path), shipped_profile()) == score_bundle(b, shipped_profile())


def test_loading_a_missing_bundle_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(EvidenceError, match="no evidence bundle here") as info:
        load_bundle(tmp_path)
    assert str(tmp_path / "bundle.json") in str(info.value)


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "unreadable evidence bundle"),
    (json.dumps({"schema_version": 99}), "evidence schema version 99"),
    (json.dumps({"schema_version": 1, "portal_id": "x"}), "invalid evidence at start_url"),
])
def test_loading_a_bad_bundle_is_one_line_with_the_file(tmp_path: Path, content: str, message: str) -> None:
    file = tmp_path / "bundle.json"
    file.write_text(content, encoding="utf-8")
    with pytest.raises(EvidenceError) as info:
        load_bundle(file)
    assert str(info.value).startswith(f"{file}: ")
    assert message in str(info.value)
    assert "\n" not in str(info.value)


# -- runner: errors are outcomes, never exceptions ------------------------------------------------

def test_unknown_check_is_an_error() -> None:
    criterion = crit("x", "access", 1).model_copy(update={"check": "no_such_check"})
    result = run_criterion(criterion, view_of(start_page()))
    assert result.outcome.status is Status.ERROR
    assert result.error == "unknown check 'no_such_check'"


def test_params_that_do_not_validate_are_an_error() -> None:
    criterion = shipped_criterion("faq").model_copy(update={"params": {"min_questions": "many"}})
    result = run_criterion(criterion, view_of(start_page()))
    assert result.outcome.status is Status.ERROR
    assert result.error is not None and "ValidationError" in result.error


def test_a_check_that_raises_becomes_an_error() -> None:
    criterion = shipped_criterion("hotline").model_copy(update={"params": {"pattern": "(unclosed"}})
    result = run_criterion(criterion, view_of(start_page()))
    assert result.outcome.status is Status.ERROR
    assert result.outcome.score is None
    assert result.error is not None and result.error.startswith("check 'hotline_published' failed: ")
    assert result.outcome.display_value is not None
    assert result.outcome.display_value.en == f"error: {result.error}"


def test_findings_are_capped_but_counted() -> None:
    axe = [violation(f"rule-{i}", "minor") for i in range(50)]
    result = run_criterion(shipped_criterion("accessibility-wcag-aa"), view_of(start_page(axe=axe)))
    assert len(result.outcome.findings) == MAX_FINDINGS
    assert result.findings_total == 50


# -- fold: per-page outcomes → one ---------------------------------------------------------------

PASS1 = out(Status.PASS, 1.0, pages=("p1",))
FAIL_HALF = out(Status.FAIL, 0.5, pages=("p2",),
                display_value=msg("page.role_detail", role="p2", detail="half"),
                findings=(Finding(msg("search.no_results"), page_url="p2"),))
FAIL0 = out(Status.FAIL, 0.0, pages=("p3",))
REVIEW = out(Status.NEEDS_REVIEW, 0.0, pages=("p4",))
NA = out(Status.NOT_APPLICABLE, None, pages=("p5",))


@pytest.mark.parametrize(("aggregate", "outcomes", "status", "score"), [
    ("all", [PASS1, PASS1], Status.PASS, 1.0),
    ("all", [PASS1, FAIL_HALF], Status.FAIL, 0.0),
    ("any", [FAIL0, PASS1], Status.PASS, 1.0),
    ("any", [FAIL0, REVIEW], Status.NEEDS_REVIEW, 0.0),
    ("any", [FAIL0, FAIL_HALF], Status.FAIL, 0.0),
    ("ratio", [PASS1, FAIL_HALF, FAIL0], Status.FAIL, 0.5),
    ("ratio", [PASS1, REVIEW], Status.NEEDS_REVIEW, 0.5),
    ("worst", [PASS1, FAIL_HALF], Status.FAIL, 0.5),
    ("ratio", [PASS1, NA], Status.PASS, 1.0),
])
def test_fold(aggregate: str, outcomes: list[Outcome], status: Status, score: float) -> None:
    folded = fold(aggregate, outcomes)
    assert folded.status is status
    assert folded.score == score


def test_fold_of_nothing_applicable_is_not_applicable() -> None:
    assert fold("ratio", []).status is Status.NOT_APPLICABLE
    folded = fold("all", [NA, NA])
    assert folded.status is Status.NOT_APPLICABLE
    assert folded.score is None


def test_fold_keeps_findings_pages_and_a_summary() -> None:
    skipped = Finding(msg("runner.not_checked", reason="x"), page_url="p9")
    folded = fold("ratio", [PASS1, FAIL_HALF, NA], [skipped])
    assert folded.pages == ("p1", "p2")
    assert [f.message.en for f in folded.findings] == ["no results", "Not checked: x"]
    assert folded.display_value is not None
    assert folded.display_value.en == "1 of 2 pages pass; p2: half"
    assert folded.display_value.vi == "1/2 trang đạt; p2: half"
    assert folded.value == 0.5
    assert folded.data["pages"] == 2 and folded.data["passed"] == 1


def test_fold_summary_lists_four_failing_pages_then_an_ellipsis() -> None:
    failing = [out(Status.FAIL, 0.0, pages=(f"p{i}",),
                   display_value=msg("page.role_detail", role=f"p{i}", detail="x"))
               for i in range(6)]
    folded = fold("ratio", [PASS1, *failing])
    assert folded.display_value is not None
    assert folded.display_value.en == "1 of 7 pages pass; p0: x; p1: x; p2: x; p3: x; …"
    assert folded.display_value.vi == "1/7 trang đạt; p0: x; p1: x; p2: x; p3: x; …"


def test_fold_of_passing_pages_keeps_the_first_expected() -> None:
    expected = msg("common.at_most", value=msg("common.px", px=360))
    folded = fold("all", [PASS1, out(Status.PASS, pages=("p2",), expected=expected)])
    assert folded.display_value is not None and folded.display_value.en == "2 of 2 pages pass"
    assert folded.expected == expected


# -- results carry both languages -------------------------------------------------------------------

def test_scored_results_hold_every_message_in_both_languages(fake_runner: dict[str, Outcome]) -> None:
    fake_runner.update({
        "a": out(Status.FAIL, display_value=msg("faq.measured", count=1234),
                 expected=msg("faq.expected", min=10),
                 findings=(Finding(msg("faq.question"), page_url="p", value="Hỏi?",
                                   expected=msg("clicks.at_most", max=3)),)),
        "b": out(Status.PASS),
    })
    result = score(profile_of(crit("a", "functionality", 50), crit("b", "functionality", 50),
                              pillars={"functionality": 100}))
    a, b = result.criteria
    assert a.display_value == Text(vi="1.234 câu hỏi trên trang hỏi đáp",
                                   en="1,234 questions on the FAQ page")
    assert a.expected == Text(vi="một trang hỏi đáp có ≥ 10 câu hỏi", en="an FAQ page with ≥ 10 questions")
    (finding,) = a.findings
    assert finding.message == Text(vi="Câu hỏi", en="Question")
    assert finding.expected == Text(vi="≤ 3 lần bấm", en="≤ 3 clicks")
    assert finding.value == "Hỏi?"
    assert b.display_value is None and b.expected is None


def test_an_error_is_shown_in_both_languages_and_logged_in_english() -> None:
    criterion = shipped_criterion("service-search")
    result = score_bundle(bundle([start_page()]), profile_of(criterion, pillars={"functionality": 100}))
    (c,) = result.criteria
    assert c.status is Status.ERROR
    assert c.error == "missing evidence 'journeys.search': the search journey did not run"
    assert c.display_value == Text(
        vi="lỗi: thiếu dữ liệu thu thập 'journeys.search': hành trình tìm kiếm đã không chạy",
        en=f"error: {c.error}",
    )


def test_a_result_of_another_schema_version_is_refused_in_one_line(tmp_path: Path) -> None:
    from evaluator.results import RESULT_SCHEMA_VERSION, ResultError, load_result

    file = tmp_path / "result.json"
    file.write_text(json.dumps({"schema_version": 2, "portal_id": "x"}), encoding="utf-8")
    with pytest.raises(ResultError) as info:
        load_result(file)
    assert RESULT_SCHEMA_VERSION == 3
    assert str(info.value).startswith(f"{file}: result schema version 2, this portal-eval reads 3")
    assert "\n" not in str(info.value)
