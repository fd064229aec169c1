"""Which page plays a role, and what the site's frame is (derived.py), on hand-built evidence:
labels by meaning, the frame learnt from repetition, candidates ranked and refused by what
their page holds, links found by activating buttons and router links."""

from __future__ import annotations

import pytest

from evaluator.checks.functionality import (
    EssentialParams,
    RolePageParams,
    catalogue_published,
    essential_services_featured,
    role_page,
)
from evaluator.checks.model import Status
from evaluator.derived import FRAME_SHARE, MIN_FRAME_PAGES
from evaluator.evidence import Form, FormInput, Page
from tests.unit.evidence_factory import (
    CATALOGUE_PATH,
    faq_text,
    framed,
    landmark_free,
    link,
    nav_link,
    page,
    plain_pages,
    service_links,
    shipped_params,
    start_page,
    url,
    view_of,
)

CATALOGUE = shipped_params("service-catalogue")
FEEDBACK = shipped_params("feedback-channel")
FAQ = shipped_params("faq")
ESSENTIAL = shipped_params("essential-services-featured")
assert isinstance(FEEDBACK, RolePageParams) and isinstance(FAQ, RolePageParams)
assert isinstance(ESSENTIAL, EssentialParams)

LOOKUP_FORM = Form(index=0, text="Nhập mã hồ sơ Tra cứu",
                   inputs=[FormInput(name="ma-ho-so", label="Mã hồ sơ")])
LOOSE_LOOKUP = Form(index=0, kind="loose", text="Tra cứu hồ sơ Nhập mã hồ sơ",
                    inputs=[FormInput(placeholder="Nhập mã hồ sơ", selector="div>input")])
FEEDBACK_FORM = Form(index=0, text="Nội dung phản ánh Gửi",
                     inputs=[FormInput(name="noi-dung", type="textarea", label="Nội dung")])


# -- the site frame ---------------------------------------------------------------------------


ESSENTIAL_NAMES = ["Đăng ký khai sinh", "Đăng ký kết hôn", "Đăng ký khai tử",
                   "Đăng ký thường trú", "Cấp phiếu lý lịch tư pháp"]


def _landmark_free_portal(other_pages: int = MIN_FRAME_PAGES) -> list[Page]:
    """A portal drawn with <div>s only: a menu repeated on every page, five featured
    services on the homepage, a catalogue listing them among its 20 rows."""
    featured = [link(f"/thu-tuc/{i}", n, context=f"{n} Toàn trình")
                for i, n in enumerate(ESSENTIAL_NAMES)]
    home = framed(start_page(links=[*featured]), (CATALOGUE_PATH, "Thủ tục hành chính"))
    catalogue = framed(page(CATALOGUE_PATH, text="Có 20 thủ tục",
                            links=[*featured, *service_links(15, start=5)]),
                       (CATALOGUE_PATH, "Thủ tục hành chính"))
    others = plain_pages(other_pages, (CATALOGUE_PATH, "Thủ tục hành chính"))
    return [landmark_free(p) for p in (home, catalogue, *others)]


def test_the_frame_is_learnt_from_links_repeated_across_pages() -> None:
    view = view_of(*_landmark_free_portal())
    frame = view.template_hrefs
    assert url("/lien-he") in frame and url(CATALOGUE_PATH) in frame
    assert url("/thu-tuc/0") not in frame


def test_landmark_free_portals_keep_their_featured_services() -> None:
    pages = _landmark_free_portal()
    view = view_of(*pages)
    assert all(ln.region == "other" for p in pages for ln in p.links)
    assert len(view.services) == 20
    assert catalogue_published(view, CATALOGUE).status is Status.PASS
    outcome = essential_services_featured(view, ESSENTIAL)
    assert outcome.status is Status.PASS and outcome.value == 5


def test_with_too_few_pages_the_landmark_rule_is_used() -> None:
    # The landmark rule counts every start-page link outside <main> as frame: drawn with
    # <div>s only, the featured services vanish (what learning from repetition fixes).
    view = view_of(*_landmark_free_portal(other_pages=MIN_FRAME_PAGES - 2))
    assert url("/thu-tuc/0") in view.template_hrefs
    assert len(view.services) == 15


@pytest.mark.parametrize(("carrying", "in_frame"), [(3, True), (2, False)])
def test_a_frame_link_is_on_a_clear_majority_of_the_other_pages(carrying: int,
                                                                 in_frame: bool) -> None:
    # Five pages besides the homepage: 3/5 = 60 % is the frame share, 2/5 is not.
    assert FRAME_SHARE == 0.6
    home = start_page(links=[link("/su-kien", "Sự kiện")])
    others = [page(f"/tin/{i}", links=[link("/su-kien", "Sự kiện")] if i < carrying else [])
              for i in range(5)]
    assert (url("/su-kien") in view_of(home, *others).template_hrefs) is in_frame


# -- candidates: label, place, fit -------------------------------------------------------------


def test_an_exact_menu_label_beats_a_phrase_in_the_body() -> None:
    home = start_page(links=[
        link("/tin/1", "Hướng dẫn tra cứu hồ sơ đất đai"),
        nav_link("/tra-cuu-ho-so", "Tra cứu hồ sơ"),
    ])
    pages = [home, page("/tra-cuu-ho-so", forms=[LOOKUP_FORM]),
             page("/tin/1", forms=[LOOKUP_FORM])]
    ranked = view_of(*pages).role_candidates("status_lookup")
    assert [c.link.href for c in ranked] == [url("/tra-cuu-ho-so"), url("/tin/1")]
    assert (ranked[0].match, ranked[0].place) == ("exact", "menu")
    assert (ranked[1].match, ranked[1].place) == ("word", "body")


def test_a_candidate_whose_page_does_not_fit_falls_back_to_the_next() -> None:
    # The menu's "Tra cứu hồ sơ" opens a news page; the body's box is the real lookup.
    home = start_page(links=[nav_link("/tin-tuc/tra-cuu", "Tra cứu hồ sơ"),
                             link("/dich-vu/tra-cuu", "Tra cứu tình trạng hồ sơ")])
    news = page("/tin-tuc/tra-cuu", text="Tin: cổng nâng cấp chức năng tra cứu")
    lookup = page("/dich-vu/tra-cuu", forms=[LOOSE_LOOKUP])
    view = view_of(home, news, lookup)
    found = view.find_role_link("status_lookup")
    assert found is not None and found[0].href == url("/dich-vu/tra-cuu")
    ranked = view.role_candidates("status_lookup")
    assert [(c.fit, c.reason) for c in ranked] == [("fits", "lookup_form"),
                                                   ("refused", "no_lookup_form")]


def test_a_link_back_to_the_homepage_is_refused() -> None:
    home = start_page(links=[nav_link("/#", "Thủ tục hành chính")])
    view = view_of(home)
    assert view.find_role_link("catalogue") is None
    assert view.role_candidates("catalogue")[0].reason == "homepage"
    outcome = catalogue_published(view, CATALOGUE)
    assert outcome.status is Status.FAIL
    assert "homepage" in outcome.display_value.en


def test_a_target_not_crawled_is_kept_but_after_one_that_fits() -> None:
    home = start_page(links=[nav_link("/hoi-dap", "Hỏi đáp"),
                             link("/ho-tro/cau-hoi", "Câu hỏi thường gặp")])
    view = view_of(home, page("/ho-tro/cau-hoi", text=faq_text(12)))
    assert [c.fit for c in view.role_candidates("faq")] == ["fits", "unknown"]
    assert role_page(view, FAQ).status is Status.PASS
    alone = view_of(home)
    found = alone.find_role_link("faq")
    assert found is not None and found[0].href == url("/hoi-dap")


def test_a_page_on_the_portal_is_preferred_to_one_elsewhere() -> None:
    home = start_page(links=[nav_link("https://pakn.example.gov.vn/gui", "Phản ánh"),
                             nav_link("/phan-anh", "Phản ánh")])
    view = view_of(home, page("/phan-anh", forms=[FEEDBACK_FORM]),
                   page("https://pakn.example.gov.vn/gui", forms=[FEEDBACK_FORM]))
    assert [c.same_site for c in view.role_candidates("feedback")] == [True, False]


def test_a_role_one_level_below_the_homepage_is_found() -> None:
    home = start_page(links=[nav_link("/dich-vu-cong", "Dịch vụ công")])
    menu = page("/dich-vu-cong", links=[link(CATALOGUE_PATH, "Danh mục thủ tục hành chính")])
    catalogue = page(CATALOGUE_PATH, links=service_links(20))
    best = view_of(home, menu, catalogue).role_candidates("catalogue")[0]
    assert (best.hop, best.fit, best.reason, best.detail) == (1, "fits", "catalogue_rows", "20")


# -- links found by activation -----------------------------------------------------------------


@pytest.mark.parametrize("via", ["click", "route", "popup", "script"])
def test_links_found_by_activating_elements_are_candidates(via: str) -> None:
    home = start_page(links=[link("/tra-cuu", "Tra cứu hồ sơ", region="other", via=via,  # type: ignore[arg-type]
                                  element="button")])
    view = view_of(home, page("/tra-cuu", forms=[LOOSE_LOOKUP]))
    best = view.role_candidates("status_lookup")[0]
    assert (best.fit, best.link.via) == ("fits", via)


def test_a_hash_route_is_a_page_of_its_own_not_the_homepage() -> None:
    route = "/web/cong-dich-vu-cong/dich-vu-cong#/tra-cuu-ho-so"
    home = start_page("/web/cong-dich-vu-cong/dich-vu-cong",
                      links=[link(route, "Tra cứu hồ sơ", via="route", element="a routerlink")])
    spa = page(route, forms=[LOOSE_LOOKUP])
    assert view_of(home, spa).role_candidates("status_lookup")[0].reason == "lookup_form"
    # Not read at its route: unknown, never the document it is drawn in.
    assert view_of(home).role_candidates("status_lookup")[0].reason == "not_crawled"


# -- fit of each role ----------------------------------------------------------------------------


def _best(role: str, target: Page, label: str) -> tuple[str, str]:
    home = start_page(links=[nav_link(target.url, label)])
    best = view_of(home, target).role_candidates(role)[0]
    return best.fit, best.reason


@pytest.mark.parametrize(("role", "label", "target", "reason"), [
    ("catalogue", "Thủ tục hành chính", page("/a", text="Có 1.200 thủ tục"), "catalogue_total"),
    ("catalogue", "Thủ tục hành chính", page("/a", links=service_links(5, labelled=0)),
     "catalogue_rows"),
    ("catalogue", "Thủ tục hành chính", page("/a", links=service_links(2)), "catalogue_rows"),
    ("status_lookup", "Tra cứu hồ sơ", page("/a", forms=[LOOSE_LOOKUP]), "lookup_form"),
    ("faq", "Hỏi đáp", page("/a", text=faq_text(1)), "questions"),
    ("feedback", "Góp ý", page("/a", forms=[FEEDBACK_FORM]), "feedback_form"),
    ("feedback", "Góp ý", page("/a", links=[link("mailto:gopy@example.gov.vn", "Gửi thư")]),
     "mailto"),
    ("feedback", "Góp ý", page("/a", text="Gửi phản ánh, kiến nghị qua tổng đài 1022"),
     "feedback_words"),
    ("rating", "Đánh giá hài lòng", page("/a", text="Rất hài lòng / Hài lòng"), "rating_levels"),
    ("statistics", "Thống kê",
     page("/a", text="Số hồ sơ tiếp nhận trực tuyến 10\nSố hồ sơ đã giải quyết 9"),
     "statistics_series"),
    ("guides", "Hướng dẫn", page("/a", links=[link("/hd/1", "Hướng dẫn nộp hồ sơ")]),
     "guide_links"),
    ("login", "Đăng nhập", page("/a", forms=[Form(index=0, inputs=[
        FormInput(name="mk", type="password")])]), "login_password"),
    ("login", "Đăng nhập", page("/a", links=[link("/sso", "Đăng nhập bằng VNeID")]),
     "login_identity_button"),
    ("login", "Đăng nhập", page("/a", final_path="https://sso.dancuquocgia.gov.vn/auth"),
     "login_handover"),
    ("login", "Đăng nhập", page("https://xacthuc.dichvucong.gov.vn/oauth2/authorize"),
     "login_handover"),
    ("payment", "Thanh toán trực tuyến",
     page("/a", links=[link("https://thanhtoan.dichvucong.gov.vn/p/x", "Đến nền tảng")]),
     "payment_handover"),
])
def test_each_role_page_fits_by_what_it_holds(role: str, label: str, target: Page,
                                              reason: str) -> None:
    assert _best(role, target, label) == ("fits", reason)


@pytest.mark.parametrize(("role", "label", "reason"), [
    ("catalogue", "Thủ tục hành chính", "no_rows"),
    ("status_lookup", "Tra cứu hồ sơ", "no_lookup_form"),
    ("faq", "Hỏi đáp", "no_questions"),
    ("feedback", "Góp ý", "no_feedback"),
    ("rating", "Đánh giá hài lòng", "no_levels"),
    ("statistics", "Thống kê", "no_series"),
    ("guides", "Hướng dẫn", "no_guides"),
    ("login", "Đăng nhập", "no_login"),
    ("payment", "Thanh toán trực tuyến", "no_payment"),
])
def test_a_page_that_does_not_hold_its_role_is_refused(role: str, label: str,
                                                       reason: str) -> None:
    empty = page("/a", text="Trang đang được cập nhật.")
    assert _best(role, empty, label) == ("refused", reason)


def test_the_menu_item_itself_is_not_the_terms_it_names() -> None:
    # Every page's menu says "Đánh giá sự hài lòng": that is not the satisfaction scale.
    label = ("/danh-gia", "Đánh giá sự hài lòng")
    home = framed(start_page(), label)
    rating = framed(page("/danh-gia", text="Đánh giá sự hài lòng\nTrang đang xây dựng"), label)
    view = view_of(home, rating, *plain_pages(MIN_FRAME_PAGES, label))
    assert view.role_candidates("rating")[0].reason == "no_levels"


def test_a_mailto_is_a_feedback_channel_but_not_a_faq() -> None:
    home = start_page(links=[link("mailto:hoidap@example.gov.vn", "Hỏi đáp qua thư")])
    outcome = role_page(view_of(home), FAQ)
    assert outcome.status is Status.FAIL
    assert view_of(home).role_candidates("faq")[0].reason == "not_a_page"


# -- the checks judge by fit (deliberate tightening) ----------------------------------------------


def test_feedback_link_to_a_page_without_a_channel_fails() -> None:
    # The loose rule passed any page that loads; a "Góp ý" page with no form, no address and
    # nothing about feedback is no channel.
    home = start_page(links=[nav_link("/gop-y", "Góp ý")])
    empty = role_page(view_of(home, page("/gop-y", text="Trang đang cập nhật")), FEEDBACK)
    assert empty.status is Status.FAIL and empty.data["reason"] == "no_feedback"
    real = role_page(view_of(home, page("/gop-y", forms=[FEEDBACK_FORM])), FEEDBACK)
    assert real.status is Status.PASS and real.data["reason"] == "feedback_form"


def test_refused_candidates_are_findings_with_their_reason() -> None:
    home = start_page(links=[nav_link("/gop-y", "Góp ý"), link("/pakn", "Phản ánh kiến nghị")])
    view = view_of(home, page("/gop-y", status=404), page("/pakn", forms=[FEEDBACK_FORM]))
    outcome = role_page(view, FEEDBACK)
    assert outcome.status is Status.PASS
    refused = [f for f in outcome.findings if "not taken" in f.message.en]
    assert [(f.value, f.message.en) for f in refused] == [
        (url("/gop-y"), "Link “Góp ý” not taken: HTTP 404")]
    assert "không chọn" in refused[0].message.vi.lower()


def test_words_of_the_frame_that_are_no_link_are_not_content() -> None:
    # A header slogan on every page says "hài lòng": it is not the satisfaction series; the
    # link-text rule alone would take it for one.
    slogan = "Sự hài lòng của người dân là thước đo chất lượng phục vụ"
    item = ("/thong-ke", "Thống kê")
    home = framed(start_page(text=slogan), item)
    stats = framed(page("/thong-ke", text=f"{slogan}\nSố hồ sơ tiếp nhận trực tuyến 10\n"
                                          "Số hồ sơ đã giải quyết 9"), item)
    others = [p.model_copy(update={"text": f"{slogan}\n{p.text}"})
              for p in plain_pages(MIN_FRAME_PAGES, item)]
    view = view_of(home, stats, *others)
    found = view.groups_in_content(stats, view.vocab.statistics_series)
    assert [g.id for g in found] == ["tiep-nhan-truc-tuyen", "da-giai-quyet"]
