"""The fixture portals behave as their portal.yaml says (no browser: plain HTTP on 127.0.0.1)."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from fixtures.server import FixtureError, FixtureServer, load_site


def fetch(url: str, data: bytes | None = None) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, data=data, timeout=30) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def test_every_portal_on_its_own_loopback_port(fixture_server: Any) -> None:
    assert fixture_server.portal_ids == ["doc-hai", "kem", "mau", "tinh-trung-binh"]
    assert fixture_server.graded_portal_ids == ["kem", "mau", "tinh-trung-binh"]
    origins = {urlsplit(fixture_server.url(p)).netloc for p in fixture_server.portal_ids}
    assert len(origins) == 4
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
    assert fetch(fixture_server.url("kem") + "tim-kiem?q=khai+sinh")[0] == 500


def test_status_lookup_answers_and_escapes_the_code(fixture_server: Any) -> None:
    code = "<script>alert(1)</script>"
    status, body = fetch(fixture_server.url("mau") + "tra-cuu-ho-so/ket-qua?ma-ho-so=" + quote(code))
    assert status == 200
    assert "Không tìm thấy hồ sơ" in body
    assert "<script>alert(1)" not in body and "&lt;script&gt;" in body
    status, body = fetch(fixture_server.url("kem") + "tra-cuu-ho-so/ket-qua?ma-ho-so=1")
    assert status == 200 and "Không tìm thấy" not in body


def test_faq_sizes_and_dead_link(fixture_server: Any) -> None:
    assert fetch(fixture_server.url("mau") + "hoi-dap")[1].count("?</dt>") == 12
    assert fetch(fixture_server.url("tinh-trung-binh") + "hoi-dap")[1].count("?</dt>") == 4
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
    assert fetch(fixture_server.url("kem") + "dang-nhap/vneid")[0] == 404
    assert 'type="password"' in fetch(fixture_server.url("kem") + "dang-nhap")[1]


def test_functionality_features_differ_by_portal(fixture_server: Any) -> None:
    mau, kem = fixture_server.url("mau"), fixture_server.url("kem")
    assert "Dịch vụ công thiết yếu" in fetch(mau)[1]
    for path, text in (("danh-gia-hai-long", "Chưa hài lòng"), ("thong-ke", "đúng hạn"),
                       ("huong-dan/tra-cuu-tieng-mong", 'lang="hmn"'),
                       ("huong-dan/nop-ho-so-truc-tuyen", "<audio"),
                       ("thu-tuc/1.001193", "Căn cứ pháp lý")):
        status, body = fetch(mau + path)
        assert status == 200 and text in body, path
    # kem answers slowly (3.5 s a page): two pages say it lacks them.
    assert "Chưa hài lòng" not in fetch(kem + "danh-gia-hai-long")[1]
    kem_service = fetch(kem + "thu-tuc/1.001193")[1]
    assert "Căn cứ pháp lý" not in kem_service
    assert fetch(mau + "bieu-mau/1.001193.docx")[0] == 200
    assert fetch(kem + "bieu-mau/1.001193.docx")[0] == 404
    assert "/bieu-mau/1.001193.docx" in kem_service
    assert fetch(kem + "sitemap.xml")[0] == 404
    payment = fetch(mau + "thu-tuc/1.004873")[1]
    assert f"http://{fixture_server.national_host}/thanh-toan" in payment
