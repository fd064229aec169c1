"""The fixture portals behave as their portal.yaml says (no browser: plain HTTP on 127.0.0.1)."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from fixtures.server import FixtureError, FixtureServer, load_site
from tests.golden.template_digest import PORTALS as PORTALS_DIR
from tests.golden.template_digest import TEMPLATE_PORTALS, recorded, template_digest


def fetch(url: str, data: bytes | None = None) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, data=data, timeout=30) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def test_every_portal_on_its_own_loopback_port(fixture_server: Any) -> None:
    assert fixture_server.portal_ids == ["doc-hai", "kem", "kieu-jsp", "kieu-spa", "mau",
                                         "tinh-trung-binh"]
    assert fixture_server.graded_portal_ids == ["kem", "kieu-jsp", "kieu-spa", "mau",
                                                "tinh-trung-binh"]
    origins = {urlsplit(fixture_server.url(p)).netloc for p in fixture_server.portal_ids}
    assert len(origins) == 6
    assert all(o.startswith("127.0.0.1:") for o in origins)


def test_refuses_a_non_loopback_address() -> None:
    with pytest.raises(FixtureError, match="loopback"):
        FixtureServer(host="0.0.0.0")


def test_homepage_is_a_vietnamese_portal_with_menu_and_footer(fixture_server: Any) -> None:
    status, body = fetch(fixture_server.url("mau"))
    assert status == 200
    for text in ('lang="vi"', "<header", "<nav", "<footer", "Thủ tục hành chính", "Tra cứu hồ sơ",
                 "Hỏi đáp", "Phản ánh, kiến nghị", "Ủy ban nhân dân tỉnh Sơn Lâm", 'role="search"'):
        assert text in body


@pytest.mark.parametrize("portal_id", ["mau", "tinh-trung-binh", "kem"])
def test_catalogue_lists_at_least_twenty_procedures(fixture_server: Any, portal_id: str) -> None:
    site = load_site(Path(fixture_server.portals_dir) / portal_id)
    assert len(site.procedures) >= 20
    seen: set[str] = set()
    page = 1
    while True:
        # What the list says, not how fast: without kem's 3.5 s a page.
        with fixture_server.without_delays():
            status, body = fetch(fixture_server.url(portal_id) + f"thu-tuc-hanh-chinh?trang={page}")
        assert status == 200
        codes = {p.code for p in site.procedures if f"/thu-tuc/{p.code}" in body}
        if not codes - seen:
            break
        seen |= codes
        page += 1
    assert seen == {p.code for p in site.procedures}


def test_level_labels_only_where_configured(fixture_server: Any) -> None:
    _, good = fetch(fixture_server.url("mau") + "thu-tuc-hanh-chinh")
    with fixture_server.without_delays():
        _, poor = fetch(fixture_server.url("kem") + "thu-tuc-hanh-chinh")
    assert "Toàn trình" in good and "Một phần" in good
    assert "Toàn trình" not in poor and "Một phần" not in poor


def test_search_modes(fixture_server: Any) -> None:
    def hits(portal: str, q: str) -> int:
        status, body = fetch(fixture_server.url(portal) + "tim-kiem?q=" + quote(q))
        assert status == 200
        return body.count('href="/thu-tuc/')

    assert hits("mau", "đăng ký kết hôn") >= 1
    assert hits("mau", "dang ky ket hon") == hits("mau", "đăng ký kết hôn")
    assert hits("tinh-trung-binh", "đăng ký kết hôn") >= 1
    assert hits("tinh-trung-binh", "dang ky ket hon") == 0  # diacritics must match there
    with fixture_server.without_delays():
        assert fetch(fixture_server.url("kem") + "tim-kiem?q=khai+sinh")[0] == 500


def test_status_lookup_answers_and_escapes_the_code(fixture_server: Any) -> None:
    code = "<script>alert(1)</script>"
    status, body = fetch(fixture_server.url("mau") + "tra-cuu-ho-so/ket-qua?ma-ho-so=" + quote(code))
    assert status == 200
    assert "Không tìm thấy hồ sơ" in body
    assert "<script>alert(1)" not in body and "&lt;script&gt;" in body
    with fixture_server.without_delays():
        status, body = fetch(fixture_server.url("kem") + "tra-cuu-ho-so/ket-qua?ma-ho-so=1")
    assert status == 200 and "Không tìm thấy" not in body


def test_faq_sizes_and_dead_link(fixture_server: Any) -> None:
    assert fetch(fixture_server.url("mau") + "hoi-dap")[1].count("?</dt>") == 12
    assert fetch(fixture_server.url("tinh-trung-binh") + "hoi-dap")[1].count("?</dt>") == 4
    with fixture_server.without_delays():
        assert fetch(fixture_server.url("kem") + "hoi-dap")[0] == 404


def test_robots_and_sitemap_name_this_origin(fixture_server: Any) -> None:
    base = fixture_server.url("mau")
    assert "Sitemap: /sitemap.xml" in fetch(base + "robots.txt")[1]
    _, sitemap = fetch(base + "sitemap.xml")
    assert f"<loc>{base}thu-tuc/1.001193</loc>" in sitemap


def test_submissions_are_recorded_by_kind() -> None:
    with FixtureServer() as server:
        base = server.url("mau")
        fetch(base + "tim-kiem?q=khai+sinh")
        fetch(base + "tra-cuu-ho-so/ket-qua?ma-ho-so=123")
        fetch(base + "tra-cuu-ho-so")  # the form page itself is not a submission
        fetch(base + "phan-anh-kien-nghi", data=b"tieu-de=x")
        kinds = [(s.kind, s.method, s.path) for s in server.submissions]
    assert kinds == [("search", "GET", "/tim-kiem"),
                     ("status_lookup", "GET", "/tra-cuu-ho-so/ket-qua"),
                     ("other", "POST", "/phan-anh-kien-nghi")]


def test_heavy_banner_is_a_real_png_of_the_configured_size(fixture_server: Any) -> None:
    site = load_site(Path(fixture_server.portals_dir) / "kem")
    image = site.heavy_image
    assert image.startswith(b"\x89PNG\r\n\x1a\n")
    assert abs(len(image) / 1024 - site.config.heavy_image_kib) < 50


def test_bad_portal_yaml_is_one_line_naming_the_file(tmp_path: Path) -> None:
    portal = tmp_path / "hong"
    portal.mkdir()
    (portal / "portal.yaml").write_text("name: x\nsearch: sometimes\n", encoding="utf-8")
    with pytest.raises(FixtureError) as info:
        FixtureServer(tmp_path).start()
    message = str(info.value)
    assert str(portal / "portal.yaml") in message and "\n" not in message


def test_hostile_portal_shows_its_payloads_as_text(fixture_server: Any) -> None:
    status, body = fetch(fixture_server.url("doc-hai") + "thu-tuc-hanh-chinh")
    assert status == 200
    assert "<img src=x" not in body and "&lt;img src=x onerror=alert(5)&gt;" in body
    assert 'href="javascript:alert(6)"' in body  # a live javascript: link, on purpose


def test_odd_requests_get_answers_not_tracebacks(fixture_server: Any) -> None:
    base = fixture_server.url("mau")
    assert fetch(base + "thu-tuc-hanh-chinh?trang=%C2%B2")[0] == 200  # "²" is a digit to isdigit
    request = urllib.request.Request(base + "phan-anh-kien-nghi", data=b"x", method="POST",
                                     headers={"Content-Length": "-5"})
    assert fetch_request(request)[0] == 413


def fetch_request(request: urllib.request.Request) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def test_vneid_login_redirects_to_the_loopback_stand_in_never_an_external_host(
    fixture_server: Any,
) -> None:
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(fixture_server.url("mau") + "dang-nhap/vneid", timeout=30)
    location = redirect.value.headers["Location"]
    assert redirect.value.code == 302
    assert urlsplit(location).netloc == fixture_server.national_host
    assert fixture_server.national_host.startswith("127.0.0.1:")
    status, body = fetch(location)
    assert status == 200 and "VNeID" in body
    # kem keeps its own password form and has no hand-over route.
    with fixture_server.without_delays():
        assert fetch(fixture_server.url("kem") + "dang-nhap/vneid")[0] == 404
        assert 'type="password"' in fetch(fixture_server.url("kem") + "dang-nhap")[1]


def test_functionality_features_differ_by_portal(fixture_server: Any) -> None:
    with fixture_server.without_delays():
        _functionality_features_differ_by_portal(fixture_server)


def test_the_slow_portal_is_slow_until_delays_are_switched_off(fixture_server: Any) -> None:
    # The switch the tests above use must not outlive them: kem stays 3.5 s a page.
    started = time.monotonic()
    with fixture_server.without_delays():
        assert fetch(fixture_server.url("kem"))[0] == 200
    quick = time.monotonic() - started
    started = time.monotonic()
    assert fetch(fixture_server.url("kem"))[0] == 200
    assert time.monotonic() - started >= 3.4 > quick


def _functionality_features_differ_by_portal(fixture_server: Any) -> None:
    mau, kem = fixture_server.url("mau"), fixture_server.url("kem")
    assert "Dịch vụ công thiết yếu" in fetch(mau)[1]
    for path, text in (("danh-gia-hai-long", "Chưa hài lòng"), ("thong-ke", "đúng hạn"),
                       ("huong-dan/tra-cuu-tieng-mong", 'lang="hmn"'),
                       ("huong-dan/nop-ho-so-truc-tuyen", "<audio"),
                       ("thu-tuc/1.001193", "Căn cứ pháp lý")):
        status, body = fetch(mau + path)
        assert status == 200 and text in body, path
    # Two of kem's pages say it lacks them.
    assert "Chưa hài lòng" not in fetch(kem + "danh-gia-hai-long")[1]
    kem_service = fetch(kem + "thu-tuc/1.001193")[1]
    assert "Căn cứ pháp lý" not in kem_service
    assert fetch(mau + "bieu-mau/1.001193.docx")[0] == 200
    assert fetch(kem + "bieu-mau/1.001193.docx")[0] == 404
    assert "/bieu-mau/1.001193.docx" in kem_service
    assert fetch(kem + "sitemap.xml")[0] == 404
    payment = fetch(mau + "thu-tuc/1.004873")[1]
    assert f"http://{fixture_server.national_host}/thanh-toan" in payment


# -- the template portals are as they were before the platforms (issue 16) ----------------------

# The golden of what the template portals serve (tests/golden/template_digest.py): first
# measured on the commit before issue 16's platforms (1cfb4bc), so the platforms could not move
# the template portals; since then re-measured by the golden update whenever a fixture page is
# meant to change (mau's privacy policy, issue 18's faults and keyboard cases). An unmeant change
# to the template shows here before it shows in the golden results.
@pytest.mark.parametrize("portal_id", TEMPLATE_PORTALS)
def test_template_portals_serve_what_their_golden_records(portal_id: str) -> None:
    assert list(template_digest(PORTALS_DIR / portal_id)) == recorded()[portal_id]


# -- the big catalogue (issue 16) --------------------------------------------------------------

def test_catalogue_is_the_real_procedures_then_generated_ones_of_three_levels() -> None:
    import re

    import yaml

    from evaluator.criteria.loader import load_profile
    from evaluator.textnorm import fold
    from fixtures.catalogue import CATALOGUE, MAX_PROCEDURES, _generated, load_procedures

    raw = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    real = [p["code"] for p in raw["procedures"]]
    procs = load_procedures()
    assert len(procs) == MAX_PROCEDURES == 2000
    assert [p.code for p in procs[: len(real)]] == real
    assert len({p.code for p in procs}) == len({p.name for p in procs}) == 2000
    generated = procs[len(real):]
    assert all(re.fullmatch(r"[12]\.00\d{4}", p.code) for p in generated)
    levels = [p.level for p in generated]
    assert 0.10 < levels.count("info") / len(levels) < 0.20
    assert levels.count("full") > 500 and levels.count("partial") > 500
    # Seeded: the same list on every run (not a cached object passed off as one).
    again = _generated(raw, [p for p in procs if p.code in real], len(generated))
    assert [(p.code, p.name, p.level) for p in again] == \
        [(p.code, p.name, p.level) for p in generated]
    # The real procedures stay the answers to the evaluator's queries and essential services.
    vocab = load_profile("vn-2023").vocabulary
    phrases = [fold(q) for q in vocab.search_queries]
    phrases += [fold(m) for s in vocab.essential_services for m in s.match]
    clashes = [p.name for p in generated if any(ph in fold(p.name) for ph in phrases)]
    assert clashes == []


def test_extends_takes_another_portals_settings_and_overrides_them(tmp_path: Path) -> None:
    (tmp_path / "goc").mkdir()
    (tmp_path / "goc" / "portal.yaml").write_text(
        "name: Gốc\nagency_name: UBND\naddress: x\nemail: a@b.vn\nservices: 20\n", "utf-8")
    (tmp_path / "con").mkdir()
    (tmp_path / "con" / "portal.yaml").write_text(
        "extends: goc\nname: Con\nplatform: spa\n", "utf-8")
    child = load_site(tmp_path / "con")
    assert (child.config.name, child.config.services, child.config.platform) == ("Con", 20, "spa")
    assert type(child).__name__ == "SpaSite"
    (tmp_path / "goc" / "portal.yaml").write_text("extends: con\nname: Gốc\n", "utf-8")
    with pytest.raises(FixtureError, match="loop"):
        load_site(tmp_path / "con")
    (tmp_path / "con" / "portal.yaml").write_text("extends: khong-co\nname: Con\n", "utf-8")
    with pytest.raises(FixtureError, match="no portal 'khong-co'"):
        load_site(tmp_path / "con")


def test_kieu_spa_is_tinh_trung_binh_as_an_app(fixture_server: Any) -> None:
    spa = load_site(Path(fixture_server.portals_dir) / "kieu-spa").config.model_dump()
    base = load_site(Path(fixture_server.portals_dir) / "tinh-trung-binh").config.model_dump()
    differ = {k for k in spa if spa[k] != base[k]}
    assert differ == {"name", "platform"}
    assert (spa["platform"], spa["spa_routing"]) == ("spa", "hash")


def test_the_parity_pair_expects_the_same_on_functionality_and_access() -> None:
    import yaml

    from evaluator.criteria.loader import load_profile

    portals = Path(__file__).resolve().parents[1] / "fixtures" / "portals"
    spa, base = (yaml.safe_load((portals / p / "expected.yaml").read_text(encoding="utf-8"))
                 for p in ("kieu-spa", "tinh-trung-binh"))
    profile = load_profile("vn-2023")
    judged = [c.id for c in profile.criteria if c.pillar in ("functionality", "access")]
    assert len(judged) > 30
    assert {c: spa["criteria"].get(c) for c in judged} == {c: base["criteria"].get(c) for c in judged}
    assert spa["grade"] == base["grade"]
    for name in ("attestations.yaml", "attestations.vn-2024.yaml"):
        a, b = ((portals / p / name).read_text(encoding="utf-8") for p in ("kieu-spa",
                                                                          "tinh-trung-binh"))
        assert yaml.safe_load(a)["attestations"] == [
            {**x, "evidence": x["evidence"].replace("tinh-trung-binh", "kieu-spa")}
            for x in yaml.safe_load(b)["attestations"]]


# -- kieu-jsp: the classic national portal's way of building pages --------------------------------

JSP_PAGES = ["p/home/dvc-trang-chu.html", "p/home/dvc-thu-tuc-hanh-chinh.html",
             "p/home/dvc-ket-qua-thu-tuc.html?tukhoa=khai+sinh",
             "p/home/dvc-chi-tiet-thu-tuc-hanh-chinh.html?ma_thu_tuc=1.001193",
             "p/home/dvc-tra-cuu-ho-so.html", "p/home/dvc-cau-hoi-pho-bien.html",
             "p/home/dvc-thong-ke.html", "p/home/dvc-danh-gia-hai-long.html",
             "p/home/dvc-huong-dan-cong-dan-doanh-nghiep.html",
             "p/home/dvc-huong-dan-chi-tiet.html?id=huong-dan-tieng-mong",
             "p/home/dvc-thanh-toan-truc-tuyen.html", "p/phananhkiennghi/pakn-gui-pakn.html"]
LANDMARKS = (r"<(main|nav|header|footer|form)\b"
             r'|role="(banner|navigation|main|contentinfo|search|region|form|complementary)"')


def rest(base: str, **params: object) -> tuple[int, Any]:
    import json
    from urllib.parse import urlencode

    status, body = fetch(base + "jsp/rest.jsp",
                         data=urlencode({"params": json.dumps(params)}).encode())
    return status, json.loads(body) if body else None


def test_jsp_pages_are_landmark_free_div_soup_of_three_html_documents(fixture_server: Any) -> None:
    import re

    base = fixture_server.url("kieu-jsp")
    for page in JSP_PAGES:
        status, body = fetch(base + page)
        assert status == 200, page
        assert body.count("<html") == 3 and body.count("</html>") == 3, page
        assert re.search(r"<html[^>]*\blang=", body) is None and ' lang="' not in body, page
        assert re.search(LANDMARKS, body) is None, page
        assert "<title>" in body and "Hôm nay: " in body and "1800 1096" in body, page


def test_jsp_home_is_a_big_portal_page_whose_menu_is_not_links(fixture_server: Any) -> None:
    import re
    from datetime import date

    from fixtures.site import dmy

    status, body = fetch(fixture_server.url("kieu-jsp"))  # 302 to /p/home/dvc-trang-chu.html
    assert status == 200
    assert body.count("<a href") >= 300
    assert len(re.findall(r'<a href="dvc-chi-tiet-tin-tuc\.html\?new_id=\d+">[^<]', body)) >= 200
    assert len(re.findall(r'<a href="[^"]+"><img src="[^"]+banner-\d+\.svg" width="160" '
                          r'height="64"></a>', body)) == 40
    partners = re.findall(r'<a href="http://127\.0\.0\.1:\d+/doi-tac/\d+">', body)
    assert len(partners) == 30
    order = [body.index(s) for s in ("Tin tức - Sự kiện", "banner-1.svg",
                                     "Dịch vụ công thiết yếu", "/doi-tac/1")]
    assert order == sorted(order)
    menu = body[body.index('<div class="menu">'): body.index("</div></div>", body.index(
        '<div class="menu">'))]
    assert "<a " not in menu and "Thủ tục hành chính</button>" in menu
    assert 'role="link" tabindex="0" onclick="goToPage' in menu
    bound = re.findall(r'<div class="menu-item dropdown-item" data-page="[^"]+">(\w[^<]*)</div>',
                       menu)
    assert bound == ["Thống kê", "Hướng dẫn"]
    assert 'onclick="dangNhap()">Đăng nhập</button>' in menu
    assert '<input type="text" id="searchKeyWord" placeholder="Nhập từ khoá tìm kiếm">' in body
    # The icon-only search button: no text, no name.
    assert ('<button class="btn-search" onclick="searchProcedure()"><i class="fa fa-search">'
            "</i></button>") in body
    tiles = re.findall(r"<div class=\"dvc-item\" onclick=\"goToPage\('dvc-chi-tiet-thu-tuc-hanh-"
                       r"chinh\.html\?ma_thu_tuc=([\d.]+)'\)\">", body)
    assert tiles == ["1.001193", "1.000894", "1.000656", "1.003583", "1.001766", "1.002804"]
    assert '<span class="luot-truy-cap" onclick="demLuotTruyCap()">' in body
    assert "Hôm nay: " in body and dmy(date.today()) in body


def test_jsp_serves_the_real_jquery_and_its_page_scripts(fixture_server: Any) -> None:
    import hashlib

    base = fixture_server.url("kieu-jsp")
    with urllib.request.urlopen(base + "p/home/js/jquery.min.js", timeout=30) as resp:
        jquery = resp.read()
    assert jquery.startswith(b"/*! jQuery v3.7.1 | (c) OpenJS Foundation")
    assert hashlib.sha256(jquery).hexdigest() == \
        "fc9a93dd241f6b045cbff0481cf4e1901becd0e12fb45166a8f17f95823f0b1a"
    common = fetch(base + "p/home/js/common.js")[1]
    assert "window.location.href = CONTEXT_PATH + page" in common
    assert "$('.dropdown-item').on('click'" in common
    assert fetch(base + "p/home/js/../../../fixtures/site.py")[0] == 404


def test_jsp_redirects_and_the_sign_in_host(fixture_server: Any) -> None:
    import json
    import re

    opener = urllib.request.build_opener(_NoRedirect)

    def location(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
        try:
            opener.open(urllib.request.Request(url, headers=headers or {}), timeout=30)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Location", "")
        return 200, ""

    base = fixture_server.url("kieu-jsp")
    assert location(base) == (302, "/p/home/dvc-trang-chu.html")
    national = f"http://{fixture_server.national_host}/auth?"
    code, where = location(base + "sso/dang-nhap")
    assert code == 302 and where.startswith(national) and "client_id=kieu-jsp" in where
    # Through the HTTPS front at the official name: the page sends "Đăng nhập" to the portal's
    # own sign-in host, which the same backend answers by its Host header.
    https = {"Host": "dichvucong.kieu-jsp.gov.vn:8443", "X-Forwarded-Proto": "https"}
    page = fetch_request(urllib.request.Request(base + "p/home/dvc-trang-chu.html",
                                                headers=https))[1]
    sso = re.search(r"window\.SSO_LOGIN_URL = (\"[^\"]+\");", page)
    assert sso is not None and json.loads(sso.group(1)) == \
        "https://sso.kieu-jsp.gov.vn:8443/dang-nhap"
    plain = fetch(base + "p/home/dvc-trang-chu.html")[1]
    assert 'window.SSO_LOGIN_URL = "/sso/dang-nhap";' in plain
    sso_host = {"Host": "sso.kieu-jsp.gov.vn:8443", "X-Forwarded-Proto": "https"}
    code, where = location(base + "dang-nhap", sso_host)
    assert code == 302 and where.startswith(national)
    assert "redirect_uri=https%3A%2F%2Fdichvucong.kieu-jsp.gov.vn%3A8443" in where
    assert location(base + "p/home/dvc-trang-chu.html", sso_host)[0] == 404


def test_jsp_reads_and_acts_are_told_apart() -> None:
    """Every kind of request kieu-jsp gets, and how the server files it: the page scripts'
    reads by POST are "read", the search and lookup reads those journeys (with what was typed),
    and every write (counter, feedback, rating, application, the clear-form beacon) "other"."""
    with FixtureServer() as server:
        base = server.url("kieu-jsp")
        fetch(base + "p/home/dvc-tra-cuu-ho-so.html")  # a page: not a submission
        fetch(base + "p/home/js/common.js")
        fetch(base + "p/home/dvc-ket-qua-thu-tuc.html?tukhoa=khai+sinh")
        _, found = rest(base, service="procedure_search_service", keyword="dang ky ket hon",
                        pageIndex=1, pageSize=20)
        _, answer = rest(base, service="dossier_lookup_service",
                         ma_ho_so="000.00.00.H99-250101-9999")
        _, last = rest(base, service="procedure_list_service", pageIndex=60, pageSize=20)
        _, detail = rest(base, service="procedure_detail_service", ma_thu_tuc="1.001193")
        _, faq = rest(base, service="faq_list_service")
        _, stats = rest(base, service="report_tinh_766_service")
        for service in ("visit_counter_service", "pakn_send_service", "rating_send_service",
                        "dossier_submit_service", "login_service"):
            rest(base, service=service)
        fetch(base + "jsp/beacon.jsp?action=xoa")
        fetch(base + "p/phananhkiennghi/pakn-gui-pakn.html", data=b"x=1")
        kinds = [(s.kind, s.method, s.value) for s in server.submissions]
        site = load_site(Path(server.portals_dir) / "kieu-jsp")
    assert kinds == [("search", "GET", "khai sinh"), ("search", "POST", "dang ky ket hon"),
                     ("status_lookup", "POST", "000.00.00.H99-250101-9999"),
                     ("read", "POST", ""), ("read", "POST", ""), ("read", "POST", ""),
                     ("read", "POST", ""), *[("other", "POST", "")] * 5, ("other", "GET", ""),
                     ("other", "POST", "")]
    # What the reads answer: the search ignores diacritics, the lookup says so in a sentence.
    assert found["data"][0]["TEN_TTHC"] == "Đăng ký kết hôn"
    assert answer["found"] is False and answer["message"].startswith(
        "Không tìm thấy hồ sơ có mã “000.00.00.H99-250101-9999”")
    assert (last["pageIndex"], last["total"], len(last["data"])) == (60, 1200, 20)
    assert last["data"][-1]["MA_TTHC"] == site.procedures[1199].code
    assert {p.level for p in site.procedures} == {"full", "partial", "info"}
    headings = [h for h, _ in detail["THONG_TIN_KHAC"]]
    assert headings == ["Cách thức thực hiện", "Đối tượng thực hiện", "Kết quả thực hiện",
                        "Yêu cầu, điều kiện", "Căn cứ pháp lý"]
    assert detail["TRINH_TU"] and detail["THANH_PHAN_HO_SO"] and detail["MUC_DO"] == "Toàn trình"
    assert detail["BIEU_MAU"][0]["URL"] == "/jsp/download.jsp?ma_thu_tuc=1.001193&file=1"
    assert detail["THANH_TOAN"] == ""  # no payment hand-over on service pages
    assert len(faq["data"]) == 15 and all(q["CAU_HOI"].endswith("?") for q in faq["data"])
    assert stats["NGAY_CAP_NHAT"] == site.statistics_day.strftime("%d/%m/%Y")
    assert [s["TEN"] for s in stats["SO_LIEU"]][:2] == ["Số hồ sơ tiếp nhận trực tuyến",
                                                        "Số hồ sơ đã giải quyết"]


def test_jsp_form_downloads_without_an_extension(fixture_server: Any) -> None:
    base = fixture_server.url("kieu-jsp")
    with urllib.request.urlopen(base + "jsp/download.jsp?ma_thu_tuc=1.001193&file=1",
                                timeout=30) as resp:
        assert resp.headers["Content-Type"] == \
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        assert resp.headers["Content-Disposition"] == \
            'attachment; filename="to-khai-1.001193.docx"'
        assert resp.read().startswith(b"PK\x03\x04")
    assert fetch(base + "jsp/download.jsp?ma_thu_tuc=9.999999&file=1")[0] == 404


def test_jsp_pages_before_their_scripts_run(fixture_server: Any) -> None:
    """What a reader that does not wait for the page's scripts gets: shells."""
    base = fixture_server.url("kieu-jsp")
    lookup = fetch(base + "p/home/dvc-tra-cuu-ho-so.html")[1]
    assert "không tìm thấy" not in lookup.lower()
    assert '<input type="text" id="maHoSo" placeholder="Nhập mã hồ sơ">' in lookup
    assert "<label" not in lookup.split('<div class="page-content">')[1]
    catalogue = fetch(base + "p/home/dvc-thu-tuc-hanh-chinh.html")[1]
    assert "Có 1.200 thủ tục hành chính" in catalogue and "ma_thu_tuc=" not in catalogue
    results = fetch(base + "p/home/dvc-ket-qua-thu-tuc.html?tukhoa=khai+sinh")[1]
    assert "Đăng ký khai sinh" not in results
    stats = fetch(base + "p/home/dvc-thong-ke.html")[1]
    assert "Số liệu cập nhật" not in stats
    hmong = fetch(base + "p/home/dvc-huong-dan-chi-tiet.html?id=huong-dan-tieng-mong")[1]
    assert "Hướng dẫn bằng tiếng Mông" in hmong and "đang được biên soạn" in hmong
    payment = fetch(base + "p/home/dvc-thanh-toan-truc-tuyen.html")[1]
    assert "đang được nâng cấp" in payment and "/thanh-toan" not in payment.split(
        '<div class="page-content">')[1].split("</html>")[0]
    sitemap = fetch(base + "sitemap.xml")[1]
    assert sitemap.count("dvc-chi-tiet-thu-tuc-hanh-chinh.html?ma_thu_tuc=") == 1200
    assert f"Sitemap: {base}sitemap.xml" in fetch(base + "robots.txt")[1]


# -- kieu-spa: a single-page app ---------------------------------------------------------------

def test_spa_answers_one_shell_on_every_route(fixture_server: Any) -> None:
    site = load_site(Path(fixture_server.portals_dir) / "kieu-spa")
    site.national_origin = f"http://{fixture_server.national_host}"  # as the server sets it
    origin = fixture_server.url("kieu-spa").rstrip("/")
    shells = {site.handle_get(p, {}, origin).body
              for p in ("/", "/thu-tuc/1.001193", "/hoi-dap", "/khong-co", "/tim-kiem")}
    assert len(shells) == 1
    shell = shells.pop().decode()
    assert '<div id="app" data-routing="hash"></div>' in shell and "<noscript>" in shell
    assert '<script src="/static/app.js" defer></script>' in shell
    assert "<form" not in shell and "Thủ tục hành chính" not in shell and "<a " not in shell
    app = site.handle_get("/static/app.js", {}, origin).body.decode()
    assert "h('form'" not in app and "'form'" not in app and "innerHTML" not in app
    # The shell and every API answer wait as long as the template's pages do.
    assert site.config.html_delay_ms == 1000
    assert site.handle_get("/", {}, origin).delay_ms == 1000
    assert site.handle_get("/api/hoi-dap", {}, origin).delay_ms == 1000
    # Over plain HTTP, once, as a browser gets it.
    status, body = fetch(fixture_server.url("kieu-spa") + "thu-tuc/1.001193")
    assert status == 200 and body == shell


def test_spa_api_gives_the_templates_content(fixture_server: Any) -> None:
    import json

    spa = load_site(Path(fixture_server.portals_dir) / "kieu-spa")
    base = load_site(Path(fixture_server.portals_dir) / "tinh-trung-binh")
    origin = "http://127.0.0.1:1"

    def api(path: str, **query: str) -> tuple[int, Any]:
        answer = spa.handle_get("/api" + path, query, origin)
        return answer.status, json.loads(answer.body) if answer.body else None

    frame = api("/cau-hinh")[1]
    assert frame["menu"] == [list(m) for m in base.menu_entries()]
    assert frame["loi_truy_cap"] == sorted(base.config.a11y_faults)
    page3 = api("/thu-tuc", trang="3")[1]
    assert (page3["trang"], page3["so_trang"], len(page3["thu_tuc"])) == (3, 3, 5)
    assert api("/thu-tuc/1.001193")[1]["nhan"] == "Toàn trình"
    assert api("/thu-tuc/9.999999")[0] == 404
    # Search as the template's: diacritics must match on this portal.
    assert [p["ma"] for p in api("/tim-kiem", q="đăng ký kết hôn")[1]["ket_qua"]] == \
        [p.code for p in base.matching("đăng ký kết hôn")]
    assert api("/tim-kiem", q="dang ky ket hon")[1]["ket_qua"] == []
    code = "000.00.00.H99-250101-9999"
    assert api("/tra-cuu-ho-so", **{"ma-ho-so": code})[1]["thong_bao"] == \
        base.lookup_not_found(code)
    assert len(api("/hoi-dap")[1]["cau_hoi"]) == 4
    assert api("/thong-ke")[1]["ngay"] == base.statistics_day.strftime("%d/%m/%Y")
    assert api("/trang/dich-vu-cong")[0] == 200 and api("/trang/gop-y")[0] == 404
    sitemap = spa.handle_get("/sitemap.xml", {}, origin).body.decode()
    assert f"<loc>{origin}/#/thu-tuc/1.001193</loc>" in sitemap


def test_spa_requests_are_told_apart() -> None:
    with FixtureServer() as server:
        base = server.url("kieu-spa")
        fetch(base + "api/tim-kiem?q=khai+sinh")
        fetch(base + "api/phan-anh-kien-nghi", data=b'{"tieu_de": "x"}')
        kinds = [(s.kind, s.method, s.path, s.value) for s in server.submissions]
        site = load_site(Path(server.portals_dir) / "kieu-spa")
    assert kinds == [("search", "GET", "/api/tim-kiem", "khai sinh"),
                     ("other", "POST", "/api/phan-anh-kien-nghi", "")]
    code = "000.00.00.H99-250101-9999"
    filed = {path: site.classify(method, path, query, "")
             for method, path, query in (
                 ("GET", "/api/tra-cuu-ho-so", {"ma-ho-so": code}), ("GET", "/api/thu-tuc", {}),
                 ("GET", "/api/cau-hinh", {}), ("GET", "/", {}), ("GET", "/static/app.js", {}),
                 ("POST", "/api/danh-gia-hai-long", {}), ("POST", "/api/nop-ho-so/1.001193", {}))}
    assert {p: (c.kind, c.value) if c else None for p, c in filed.items()} == {
        "/api/tra-cuu-ho-so": ("status_lookup", code), "/api/thu-tuc": ("read", ""),
        "/api/cau-hinh": ("read", ""), "/": None, "/static/app.js": None,
        "/api/danh-gia-hai-long": ("other", ""), "/api/nop-ho-so/1.001193": ("other", "")}


# -- the HTTPS world: a portal's own sign-in host -------------------------------------------------

def test_https_world_serves_the_sign_in_host_of_a_portal_that_has_one(
    fixture_server: Any, tmp_path: Path,
) -> None:
    import socket
    import ssl

    import dns.message
    import dns.query

    from fixtures.https_demo import configured_faults, https_portals

    class Only:
        """The running server, with kieu-jsp alone as its graded portal."""

        graded_portal_ids = ("kieu-jsp",)
        portals_dir = fixture_server.portals_dir

        def url(self, portal_id: str) -> str:
            return str(fixture_server.url(portal_id))

    with https_portals(Only(), tmp_path, configured_faults(Only())) as world:
        url = world.urls["kieu-jsp"]
        port = urlsplit(url).port
        assert url == f"https://dichvucong.kieu-jsp.gov.vn:{port}/"
        assert "MAP sso.kieu-jsp.gov.vn 127.0.0.1" in world.settings["chromium_host_resolver_rules"]
        host, dns_port = world.settings["dns_resolver"].rsplit(":", 1)
        for rdtype, address in (("A", "127.0.0.1"), ("AAAA", "::1")):
            reply = dns.query.udp(dns.message.make_query("sso.kieu-jsp.gov.vn", rdtype), host,
                                  port=int(dns_port), timeout=5)
            assert [r.to_text() for rrset in reply.answer for r in rrset] == [address]
        context = ssl.create_default_context(cafile=world.settings["tls_ca_file"])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw, \
                context.wrap_socket(raw, server_hostname="sso.kieu-jsp.gov.vn") as tls:
            tls.sendall(f"GET /dang-nhap HTTP/1.1\r\nHost: sso.kieu-jsp.gov.vn:{port}\r\n"
                        "Connection: close\r\n\r\n".encode())
            reply_text = b""
            while chunk := tls.recv(65536):
                reply_text += chunk
        head = reply_text.decode("latin-1").split("\r\n\r\n")[0]
        assert head.startswith("HTTP/1.1 302")
        assert f"Location: http://{fixture_server.national_host}/auth?" in head
