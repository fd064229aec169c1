"""The pure parts of the login, service-sample and guides journeys: what they pick to visit."""

from __future__ import annotations

from typing import Any

from tests.unit.evidence_factory import (
    browser_modules,
    link,
    portal_pages,
    view_of,
    vocabulary,
)


def _module() -> Any:
    with browser_modules("evaluator.gather.service_journeys") as (module,):
        return module


def test_service_sample_is_seeded_sorted_and_capped() -> None:
    journeys = _module()
    view = view_of(*portal_pages(22))
    first = journeys.sample_services(view, 5, 2023)
    assert first == journeys.sample_services(view, 5, 2023)
    assert len(first) == 5 and first == sorted(first)
    assert first != journeys.sample_services(view, 5, 7)
    assert len(journeys.sample_services(view, 30, 2023)) == 22


def test_form_links_same_site_by_ending_or_label_at_most_three() -> None:
    journeys = _module()
    links = [link("/mau/to-khai.docx", "Tờ khai"), link("/tai-ve?id=3", "Tải mẫu đơn"),
             link("https://khac.example.org/a.pdf", "Mẫu"), link("/thu-tuc/2", "Xem thêm"),
             link("/b.pdf", "B"), link("/c.doc", "C")]
    chosen = journeys.form_links(links, vocabulary(), "https://dichvucong.example.gov.vn")
    assert [ln.href.rsplit("/", 1)[-1] for ln in chosen] == ["to-khai.docx", "tai-ve?id=3",
                                                            "b.pdf"]


def test_login_page_handover_button_is_the_labelled_one() -> None:
    journeys = _module()
    links = [link("/", "Trang chủ", region="nav"), link("/dang-ky", "Đăng ký tài khoản"),
             link("/dang-nhap/vneid", "Đăng nhập bằng tài khoản định danh điện tử VNeID")]
    chosen = journeys._handover_link(links, vocabulary(), "https://dichvucong.example.gov.vn")
    assert chosen is not None and chosen.href.endswith("/dang-nhap/vneid")
    assert journeys._handover_link(links[:2], vocabulary(), "x") is None


def test_journeys_module_only_follows_links() -> None:
    """Politeness by construction: the new journeys never type into or submit a form."""
    journeys = _module()
    source = __import__("inspect").getsource(journeys)
    assert "submit_form" not in source and ".fill(" not in source
