"""Layout and findability checks (T08-T12) on hand-built evidence: no browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from evaluator.checks.layout import (
    EmcParams,
    FrameParams,
    MultilingualParams,
    SimpleParams,
    SitemapParams,
    emc_monitoring_code,
    homepage_header_footer,
    multilingual_interface,
    simple_interface,
    sitemap_page_and_xml,
)
from evaluator.checks.model import MissingEvidence, Status
from evaluator.criteria.schema import CriteriaFile, Vocabulary
from evaluator.derived import EvidenceView
from evaluator.evidence import (
    EvidenceBundle,
    HomepageLayout,
    LanguageAlternate,
    Page,
    Request,
    Sitemap,
)
from evaluator.resources import criteria_dir
from tests.unit.evidence_factory import bundle, link, nav_link, page, start_page, url

# Read directly, not through load_profile: these tests judge access-layout.yaml alone.
VOCAB = Vocabulary.model_validate(yaml.safe_load(
    (criteria_dir() / "vn-2023" / "vocabulary.yaml").read_text(encoding="utf-8")))
LAYOUT = CriteriaFile.model_validate(yaml.safe_load(
    (criteria_dir() / "vn-2023" / "access-layout.yaml").read_text(encoding="utf-8")))

FOOTER = ("Cổng Dịch vụ công tỉnh Sơn Lâm - Cơ quan chủ quản: Ủy ban nhân dân tỉnh Sơn Lâm\n"
          "Chịu trách nhiệm quản lý nội dung: Văn phòng UBND tỉnh Sơn Lâm\n"
          "Địa chỉ: Số 1 đường Trần Hưng Đạo\nĐiện thoại: 0212 3856 789\n"
          "Thư điện tử: dichvucong@sonlam.gov.vn")
HEADER = "Ủy ban nhân dân tỉnh Sơn Lâm\nCổng Dịch vụ công tỉnh Sơn Lâm\n"
MENU = [nav_link(f"/muc-{i}", f"Mục {i}") for i in range(6)]


def _view(pages: list[Page], **changes: Any) -> EvidenceView:
    b: EvidenceBundle = bundle(pages).model_copy(update=changes)
    return EvidenceView(b, VOCAB)


def _home(text: str = HEADER + "Nội dung\n" + FOOTER, links: list[Any] | None = None,
          **kw: Any) -> Page:
    return start_page(text=text, links=MENU if links is None else links, **kw)


def test_shipped_layout_points_add_to_three() -> None:
    # RESEARCH.md T08-T12 suggest 6 of a 20-point pillar; 2023's access pillar is 10: halved.
    points = {c.id: c.points for c in LAYOUT.criteria}
    assert points == {"sitemap-page-and-xml": 0.5, "homepage-header-footer": 1,
                      "simple-interface": 0.5, "multilingual-interface": 0.5,
                      "emc-monitoring-code": 0.5}


# -- sitemap ---------------------------------------------------------------------------------------

SITEMAP = Sitemap(url=url("/sitemap.xml"), status=200, url_count=30)
TREE = page("/so-do-cong", links=[link(f"/muc-{i}", f"Mục {i}") for i in range(10)])


def test_sitemap_both_parts_pass() -> None:
    home = _home(links=[*MENU, link("/so-do-cong", "Sơ đồ cổng", region="footer")])
    out = sitemap_page_and_xml(_view([home, TREE], sitemap=SITEMAP), SitemapParams())
    assert out.status is Status.PASS and out.score == 1.0
    assert out.pages == (url("/so-do-cong"),)


def test_sitemap_xml_only_is_half() -> None:
    # The footer's "Sơ đồ cổng" pointing at the XML file is not a page for people.
    home = _home(links=[*MENU, link("/sitemap.xml", "Sơ đồ cổng", region="footer")])
    out = sitemap_page_and_xml(_view([home], sitemap=SITEMAP), SitemapParams())
    assert out.status is Status.FAIL and out.score == 0.5
    assert len(out.findings) == 1


def test_sitemap_short_page_is_not_a_tree_and_no_xml_fails() -> None:
    home = _home(links=[*MENU, link("/so-do-cong", "Sơ đồ cổng", region="footer")])
    short = page("/so-do-cong", links=[link("/a", "A")])
    empty = Sitemap(url=url("/sitemap.xml"), status=404, error="HTTP 404")
    out = sitemap_page_and_xml(_view([home, short], sitemap=empty), SitemapParams())
    assert out.status is Status.FAIL and out.score == 0.0
    assert len(out.findings) == 2
    assert sitemap_page_and_xml(_view([home, TREE], sitemap=None),
                                SitemapParams()).score == 0.5


# -- header and footer -------------------------------------------------------------------------------


def test_full_header_and_footer_pass() -> None:
    out = homepage_header_footer(_view([_home()]), FrameParams())
    assert out.status is Status.PASS and out.score == 1.0
    assert out.value == 7


def test_missing_responsible_and_phone_cost_their_share() -> None:
    footer = FOOTER.replace("Chịu trách nhiệm", "Quản lý").replace("Điện thoại: 0212 3856 789", "")
    out = homepage_header_footer(_view([_home(HEADER + "Nội dung\n" + footer)]), FrameParams())
    assert out.status is Status.FAIL
    assert out.score == pytest.approx(5 / 7)
    assert out.data["fields"]["responsible"] is False and out.data["fields"]["phone"] is False
    assert out.data["fields"]["email"] is True


def test_no_menu_no_agency() -> None:
    out = homepage_header_footer(_view([_home("Trang web\n", links=[])]), FrameParams())
    assert out.score == 0.0 and len(out.findings) == 7


def test_gathered_header_and_footer_are_preferred() -> None:
    # The page text's tail would pass; the real <footer> lacks the person responsible.
    layout = HomepageLayout(url=url("/"), header_text=HEADER,
                            footer_text=FOOTER.replace("Chịu trách nhiệm", "Biên tập"))
    out = homepage_header_footer(_view([_home()], layout=layout), FrameParams())
    assert out.status is Status.FAIL and out.data["fields"]["responsible"] is False
    assert out.score == pytest.approx(6 / 7)


def test_header_footer_without_homepage_is_missing_evidence() -> None:
    with pytest.raises(MissingEvidence):
        homepage_header_footer(_view([page("/a")]), FrameParams())


# -- simple interface ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("items", "status"), [
    (6, Status.PASS), (7, Status.PASS), (8, Status.NEEDS_REVIEW), (14, Status.NEEDS_REVIEW),
    (15, Status.FAIL), (0, Status.FAIL),
])
def test_menu_size(items: int, status: Status) -> None:
    menu = [nav_link(f"/m-{i}", f"M {i}") for i in range(items)]
    out = simple_interface(_view([_home(links=menu)]), SimpleParams())
    assert out.status is status
    assert out.value == items
    assert out.score == {Status.PASS: 1.0, Status.FAIL: 0.0, Status.NEEDS_REVIEW: None}[status]


def test_gathered_menu_and_popups() -> None:
    # The gathered top-level items win over nav links (a dropdown's links are not top level).
    many = [nav_link(f"/m-{i}", f"M {i}") for i in range(20)]
    six = HomepageLayout(url=url("/"), menu_items=[f"M {i}" for i in range(6)])
    assert simple_interface(_view([_home(links=many)], layout=six),
                            SimpleParams()).status is Status.PASS
    popup = six.model_copy(update={"popups": ["Thông báo bảo trì hệ thống"]})
    out = simple_interface(_view([_home(links=many)], layout=popup), SimpleParams())
    assert out.status is Status.NEEDS_REVIEW and out.score is None
    assert out.data["popups"] == ["Thông báo bảo trì hệ thống"]
    crowded = HomepageLayout(url=url("/"), menu_items=[f"M {i}" for i in range(15)],
                             popups=["x"])
    assert simple_interface(_view([_home()], layout=crowded),
                            SimpleParams()).status is Status.FAIL


def test_duplicate_menu_links_count_once() -> None:
    menu = [nav_link("/a", "A"), nav_link("/a", "A again"), nav_link("/b", "B")]
    assert simple_interface(_view([_home(links=menu)]), SimpleParams()).value == 2


# -- English interface ---------------------------------------------------------------------------------


def test_english_switcher_and_page_pass() -> None:
    home = _home(links=[*MENU, link("/en/", "English", region="header")])
    english = page("/en/", lang="en", text="Public service portal")
    out = multilingual_interface(_view([home, english]), MultilingualParams())
    assert out.status is Status.PASS and out.score == 1.0


def test_e_services_host_is_switcher_and_interface() -> None:
    # TT 01/2018 Đ16.1: the English interface's own host; it is outside the crawl.
    home = _home(links=[*MENU, link("https://e-services.sonlam.gov.vn/", "EN", region="header")])
    out = multilingual_interface(_view([home]), MultilingualParams())
    assert out.score == 1.0 and out.status is Status.PASS


def test_hreflang_declares_the_english_interface() -> None:
    home = _home(links=[*MENU, link("http://127.0.0.1:9/e/", "English", region="header")])
    declared = HomepageLayout(url=url("/"), alternates=[LanguageAlternate(
        lang="en-GB", href="http://127.0.0.1:9/e/")])
    assert multilingual_interface(_view([home], layout=declared),
                                  MultilingualParams()).score == 1.0
    # A switcher alone (no hreflang, no English page, not an e-services host) is half.
    bare = HomepageLayout(url=url("/"))
    out = multilingual_interface(_view([home], layout=bare), MultilingualParams())
    assert out.score == 0.5 and out.status is Status.FAIL


def test_no_english_fails() -> None:
    home = _home(links=[*MENU, link("/engineering", "Kỹ thuật")])
    out = multilingual_interface(_view([home]), MultilingualParams())
    assert out.status is Status.FAIL and out.score == 0.0 and len(out.findings) == 2


# -- EMC -------------------------------------------------------------------------------------------------

TRACKER = "https://f-emc.ngsp.gov.vn/embed/gov-tracking.min.js"


def _with_requests(*urls: str) -> Page:
    return _home().model_copy(update={"requests": [Request(url=u, resource_type="script")
                                                   for u in urls]})


def test_emc_script_from_national_host_passes() -> None:
    beacon = "https://f-emc.ngsp.gov.vn/tracking?idsite=205&rec=1"
    out = emc_monitoring_code(_view([_with_requests(url("/static/site.css"), TRACKER, beacon)]),
                              EmcParams())
    assert out.status is Status.PASS and out.score == 1.0
    assert out.data["script"] == TRACKER


def test_emc_site_id_is_recorded_from_the_beacon() -> None:
    beacon = "https://f-emc.ngsp.gov.vn/tracking?idsite=205&rec=1"
    out = emc_monitoring_code(_view([_with_requests(beacon)]), EmcParams())
    assert out.value == "205"


def test_emc_other_host_or_path_fails() -> None:
    fake = _with_requests("https://evil.example/embed/gov-tracking.min.js",
                          "https://f-emc.ngsp.gov.vn/other.js")
    out = emc_monitoring_code(_view([fake]), EmcParams())
    assert out.status is Status.FAIL and out.score == 0.0 and out.findings


def test_emc_hosts_come_from_the_recorded_settings() -> None:
    # Fixture portals point the snippet at the loopback national stand-in (settings
    # emc_script_hosts), so no outside address is ever contacted.
    stand_in = "http://127.0.0.1:40123/embed/gov-tracking.min.js"
    view = _view([_with_requests(stand_in)], settings={"emc_script_hosts": ["127.0.0.1:40123"]})
    assert emc_monitoring_code(view, EmcParams()).status is Status.PASS
    default = _view([_with_requests(stand_in)])
    assert emc_monitoring_code(default, EmcParams()).status is Status.FAIL


def test_emc_default_host_is_the_national_one() -> None:
    from evaluator.settings import Settings
    assert Settings().emc_script_hosts == ("f-emc.ngsp.gov.vn",)
    assert Settings().emc_queue_name == "_govaq"


def test_layout_yaml_is_in_the_2023_profile() -> None:
    profile = yaml.safe_load(Path(criteria_dir() / "vn-2023" / "profile.yaml")
                             .read_text(encoding="utf-8"))
    assert "access-layout.yaml" in profile["criteria_files"]
