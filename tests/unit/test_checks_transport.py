"""Transport and domain checks (T01-T04) on hand-made evidence; parsers of the gatherer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from evaluator.checks import library
from evaluator.checks.model import MissingEvidence, Status
from evaluator.checks.registry import Params, params_of
from evaluator.checks.transport import (
    CertificateParams,
    HstsParams,
    dnssec_signed,
    hsts_enabled,
    https_redirect,
    ipv6_reachable,
    no_mixed_content,
    official_domain_name,
    tls_certificate_valid,
    tls_version_modern,
)
from evaluator.criteria.schema import CriteriaFile
from evaluator.derived import EvidenceView
from evaluator.evidence import (
    DnssecProbe,
    Hsts,
    HttpsRedirect,
    Ipv6Probe,
    RedirectHop,
    Request,
    TlsCertificate,
    TlsProbe,
    TransportEvidence,
)
from evaluator.gather.transport import (
    _hostname_match,
    load_trust_anchors,
    parse_hsts,
    parse_resolver,
)
from evaluator.settings import Settings
from tests.unit.evidence_factory import bundle, page, view

HOST = "dichvucong.mau.gov.vn"
P = Params()


def transport(**kw: Any) -> TransportEvidence:
    base: dict[str, Any] = {
        "host": HOST, "https_url": f"https://{HOST}/", "resolver": "127.0.0.1:53",
        "official_domain_patterns": list(Settings().official_domain_patterns),
    }
    return TransportEvidence(**(base | kw))


def view_with(t: TransportEvidence | None, *pages: Any) -> EvidenceView:
    return view(bundle(pages).model_copy(update={"transport": t}))


def cert(days: float = 80, match: bool = True) -> TlsCertificate:
    return TlsCertificate(subject=HOST, issuer="test CA", san=[f"DNS:{HOST}"],
                          not_before="2026-01-01T00:00:00+00:00",
                          not_after="2027-01-01T00:00:00+00:00", days_to_expiry=days,
                          hostname_match=match)


def tls(**kw: Any) -> TlsProbe:
    base: dict[str, Any] = {"host": HOST, "port": 443, "verified": True, "version": "TLSv1.3",
                            "certificate": cert(),
                            "legacy_accepted": {"TLSv1": False, "TLSv1.1": False}}
    return TlsProbe(**(base | kw))


# -- https-redirect ----------------------------------------------------------------------------


def test_redirect_to_https_passes() -> None:
    r = HttpsRedirect(start=f"http://{HOST}/", final_url=f"https://{HOST}/", hops=[
        RedirectHop(url=f"http://{HOST}/", status=301, location=f"https://{HOST}/"),
        RedirectHop(url=f"https://{HOST}/", status=200)])
    assert https_redirect(view_with(transport(redirect=r)), P).status is Status.PASS


def test_http_served_without_redirect_fails() -> None:
    r = HttpsRedirect(start=f"http://{HOST}/", final_url=f"http://{HOST}/",
                      hops=[RedirectHop(url=f"http://{HOST}/", status=200)])
    out = https_redirect(view_with(transport(redirect=r)), P)
    assert out.status is Status.FAIL and out.score == 0.0


def test_redirect_to_another_http_page_fails() -> None:
    r = HttpsRedirect(start=f"http://{HOST}/", final_url=f"http://{HOST}/home", hops=[
        RedirectHop(url=f"http://{HOST}/", status=302, location="/home"),
        RedirectHop(url=f"http://{HOST}/home", status=200)])
    assert https_redirect(view_with(transport(redirect=r)), P).status is Status.FAIL


def test_http_port_closed_fails_with_reason() -> None:
    r = HttpsRedirect(start=f"http://{HOST}/", error="ConnectionRefusedError: refused")
    out = https_redirect(view_with(transport(redirect=r)), P)
    assert out.status is Status.FAIL
    assert out.findings[0].value == "ConnectionRefusedError: refused"


def test_no_transport_evidence_is_missing_evidence() -> None:
    with pytest.raises(MissingEvidence):
        https_redirect(view_with(None), P)


# -- tls-certificate-valid ------------------------------------------------------------------------


def test_verified_certificate_passes() -> None:
    out = tls_certificate_valid(view_with(transport(tls=tls())), CertificateParams())
    assert out.status is Status.PASS and out.value == 80


def test_expired_certificate_fails_with_openssl_reason() -> None:
    t = tls(verified=False, verify_error="certificate has expired", certificate=cert(days=-3))
    out = tls_certificate_valid(view_with(transport(tls=t)), CertificateParams())
    assert out.status is Status.FAIL
    assert out.value == "certificate has expired"


def test_certificate_expiring_within_warn_days_needs_review() -> None:
    t = tls(certificate=cert(days=12.4))
    out = tls_certificate_valid(view_with(transport(tls=t)), CertificateParams(warn_days=30))
    assert out.status is Status.NEEDS_REVIEW and out.value == 12.4
    assert tls_certificate_valid(view_with(transport(tls=t)),
                                 CertificateParams(warn_days=10)).status is Status.PASS


def test_failed_handshake_fails() -> None:
    t = TlsProbe(host=HOST, port=443, error="SSLError: handshake failure")
    assert tls_certificate_valid(view_with(transport(tls=t)),
                                 CertificateParams()).status is Status.FAIL


# -- tls-version-modern ----------------------------------------------------------------------------


def test_tls13_without_legacy_passes() -> None:
    assert tls_version_modern(view_with(transport(tls=tls())), P).status is Status.PASS


def test_server_accepting_tls10_fails() -> None:
    t = tls(legacy_accepted={"TLSv1": True, "TLSv1.1": True})
    out = tls_version_modern(view_with(transport(tls=t)), P)
    assert out.status is Status.FAIL and out.value == "TLSv1, TLSv1.1"


def test_untestable_legacy_versions_need_review() -> None:
    t = tls(legacy_accepted={"TLSv1": None, "TLSv1.1": False},
            legacy_notes={"TLSv1": "this OpenSSL cannot offer TLSv1"})
    assert tls_version_modern(view_with(transport(tls=t)), P).status is Status.NEEDS_REVIEW


# -- no-mixed-content ------------------------------------------------------------------------------


def _page(scheme: str, *request_urls: str) -> Any:
    p = page("/")
    where = f"{scheme}://{HOST}/"
    return p.model_copy(update={"url": where, "final_url": where, "requests": [
        Request(url=u) for u in request_urls]})


def _https_page(*request_urls: str) -> Any:
    return _page("https", *request_urls)


def test_https_pages_with_https_resources_pass() -> None:
    v = view_with(transport(), _https_page("https://x.gov.vn/a.js"))
    assert no_mixed_content(v, P).status is Status.PASS


def test_http_image_on_https_page_fails() -> None:
    v = view_with(transport(), _https_page("http://x.gov.vn/logo.png"))
    out = no_mixed_content(v, P)
    assert out.status is Status.FAIL and out.findings[0].value == "http://x.gov.vn/logo.png"


def test_no_https_page_is_not_applicable() -> None:
    assert no_mixed_content(view_with(transport(), _page("http")), P).status is \
        Status.NOT_APPLICABLE


# -- hsts-enabled ------------------------------------------------------------------------------------


def test_hsts_one_year_passes() -> None:
    h = Hsts(url=f"https://{HOST}/", header="max-age=31536000; includeSubDomains",
             max_age=31536000, include_subdomains=True)
    assert hsts_enabled(view_with(transport(hsts=h)), HstsParams()).status is Status.PASS


def test_hsts_missing_or_short_fails() -> None:
    none = Hsts(url=f"https://{HOST}/")
    short = Hsts(url=f"https://{HOST}/", header="max-age=300", max_age=300)
    assert hsts_enabled(view_with(transport(hsts=none)), HstsParams()).status is Status.FAIL
    assert hsts_enabled(view_with(transport(hsts=short)), HstsParams()).status is Status.FAIL


# -- ipv6-reachable ----------------------------------------------------------------------------------


def test_ipv6_connected_passes() -> None:
    v6 = Ipv6Probe(aaaa=["2001:db8::1"], connected="2001:db8::1", status=200)
    assert ipv6_reachable(view_with(transport(ipv6=v6)), P).status is Status.PASS


def test_no_aaaa_or_no_connect_fails() -> None:
    assert ipv6_reachable(view_with(transport(ipv6=Ipv6Probe(error="no AAAA record"))),
                          P).status is Status.FAIL
    dead = Ipv6Probe(aaaa=["2001:db8::1"], error="[2001:db8::1]: refused")
    assert ipv6_reachable(view_with(transport(ipv6=dead)), P).status is Status.FAIL


# -- dnssec-signed -------------------------------------------------------------------------------------


def _dnssec(**kw: Any) -> DnssecProbe:
    return DnssecProbe(**({"resolver": "127.0.0.1:53", "zone": "mau.gov.vn."} | kw))


@pytest.mark.parametrize(("probe", "status"), [
    (_dnssec(signed=True, ad_flag=True, validated=True), Status.PASS),
    (_dnssec(signed=True, ad_flag=True), Status.PASS),
    (_dnssec(signed=True, ad_flag=False), Status.NEEDS_REVIEW),
    (_dnssec(signed=True, ad_flag=True, validated=False, validation_error="bad sig"), Status.FAIL),
    (_dnssec(signed=False, ad_flag=False), Status.FAIL),
])
def test_dnssec_outcomes(probe: DnssecProbe, status: Status) -> None:
    assert dnssec_signed(view_with(transport(dnssec=probe)), P).status is status


def test_unreachable_resolver_is_an_error_not_a_fail() -> None:
    probe = _dnssec(error="resolver 127.0.0.1:9: Timeout")
    with pytest.raises(MissingEvidence):
        dnssec_signed(view_with(transport(dnssec=probe)), P)


def test_ip_literal_portal_has_no_dnssec() -> None:
    t = transport(host="127.0.0.1", https_url="https://127.0.0.1/")
    assert dnssec_signed(view_with(t), P).status is Status.FAIL


# -- official-domain-name -------------------------------------------------------------------------------


@pytest.mark.parametrize(("host", "status"), [
    ("dichvucong.mau.gov.vn", Status.PASS),
    ("DichVuCong.Ha-Noi.gov.vn", Status.PASS),
    ("dichvucong.gov.vn", Status.PASS),
    ("e-services.hanoi.gov.vn", Status.PASS),
    ("dvc.mau.gov.vn", Status.FAIL),
    ("dichvucong.mau.gov.vn.evil.com", Status.FAIL),
    ("dichvucong.mau.vn", Status.FAIL),
])
def test_official_domain(host: str, status: Status) -> None:
    assert official_domain_name(view_with(transport(host=host)), P).status is status


def test_official_domain_judges_the_start_page_after_redirects() -> None:
    moved = _page("https").model_copy(update={
        "url": f"https://{HOST}/", "final_url": "https://portal.example.com/",
        "found_via": "start"})
    out = official_domain_name(view_with(transport(), moved), P)
    assert out.status is Status.FAIL and out.value == "portal.example.com"


# -- gatherer parsers ------------------------------------------------------------------------------------


def test_parse_hsts() -> None:
    assert parse_hsts("max-age=31536000; includeSubDomains; preload") == (31536000, True, True)
    assert parse_hsts('max-age="60"') == (60, False, False)
    assert parse_hsts("max-age=abc") == (None, False, False)


def test_parse_resolver_forms() -> None:
    assert parse_resolver("127.0.0.1:5353").label() == "127.0.0.1:5353"
    assert parse_resolver("[::1]:5353").label() == "::1:5353"
    assert parse_resolver("::1").port == 53
    assert parse_resolver("10.0.0.1").port == 53


def test_hostname_match_wildcard_one_label_only() -> None:
    assert _hostname_match("dichvucong.mau.gov.vn", ["DNS:*.mau.gov.vn"])
    assert not _hostname_match("a.dichvucong.mau.gov.vn", ["DNS:*.mau.gov.vn"])
    assert _hostname_match("::1", ["IP:::1"])
    assert not _hostname_match("dichvucong.mau.gov.vn", ["DNS:wrong.invalid"])


def test_bad_trust_anchor_line_names_file_and_line(tmp_path: Path) -> None:
    f = tmp_path / "anchors"
    f.write_text("; comment\nmau.gov.vn. IN A 127.0.0.1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"anchors:2: bad trust anchor"):
        load_trust_anchors(str(f))


# -- the criteria file -----------------------------------------------------------------------------------


def test_transport_criteria_file_is_valid_and_worth_three_points() -> None:
    path = Path(__file__).parents[2] / "criteria" / "vn-2023" / "access-transport.yaml"
    data = CriteriaFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    # The file's share of the 10-point access pillar: T01-T04 halved (1.5 + 0.5 + 0.5 + 0.5).
    # How it is split is the YAML's to say, with its reasons; the goldens show every weight.
    assert sum(c.points for c in data.criteria) == pytest.approx(3.0)
    assert {"https-redirect", "tls-certificate-valid", "tls-version-modern", "no-mixed-content",
            "hsts-enabled", "ipv6-reachable", "dnssec-signed",
            "official-domain-name"} <= {c.id for c in data.criteria}
    for c in data.criteria:
        spec = library.get(c.check)
        assert spec is not None and spec.scope_problem(c.scope) is None, c.id
        params_of(spec, c.params)


def test_chromium_args_for_an_https_demo() -> None:
    from evaluator.gather.run import chromium_transport_args

    assert chromium_transport_args(Settings()) == []
    args = chromium_transport_args(Settings(
        chromium_host_resolver_rules="MAP dichvucong.mau.gov.vn 127.0.0.1",
        chromium_trusted_spki=("AAAA=", "BBBB=")))
    assert args == ["--host-resolver-rules=MAP dichvucong.mau.gov.vn 127.0.0.1",
                    "--ignore-certificate-errors-spki-list=AAAA=,BBBB="]
