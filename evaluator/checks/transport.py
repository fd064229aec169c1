"""Transport and domain checks (RESEARCH.md §3.3 T01-T04), site level, on ``bundle.transport``.

The evidence is gathered without a browser (evaluator/gather/transport.py). A probe that could
not run (resolver unreachable, no address) is the evaluator's problem, not the portal's: the
check raises MissingEvidence with the recorded reason, and the runner reports ``error``. What
the portal does wrong (no redirect, bad certificate, unsigned zone) is ``fail``.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from pydantic import Field

from evaluator.checks.messages import msg
from evaluator.checks.model import Finding, MissingEvidence, Outcome, Status
from evaluator.checks.registry import Params, register
from evaluator.derived import EvidenceView
from evaluator.evidence import TransportEvidence


def _transport(view: EvidenceView, what: str) -> TransportEvidence:
    transport = view.bundle.transport
    if transport is None:
        raise MissingEvidence("transport", view.bundle.disabled.get("transport", ""))
    if getattr(transport, what) is None:
        raise MissingEvidence(f"transport.{what}", "; ".join(transport.errors))
    return transport


# -- T01: HTTPS ------------------------------------------------------------------------------------


@register("https_redirect", level="site", evidence="transport.redirect")
def https_redirect(view: EvidenceView, params: Params) -> Outcome:
    """http:// answers with a redirect to the same portal over https://. Evidence:
    the transport probe's redirect chain (``transport.redirect``)."""
    redirect = _transport(view, "redirect").redirect
    assert redirect is not None
    chain = " → ".join(f"{h.url} ({h.status})" for h in redirect.hops)
    expected = msg("transport.redirect_expected")
    first = redirect.hops[0] if redirect.hops else None
    if redirect.error is not None and first is None:
        return Outcome(Status.FAIL, 0.0, display_value=msg("transport.http_unreachable"),
                       expected=expected,
                       findings=(Finding(msg("transport.http_unreachable"),
                                         page_url=redirect.start, value=redirect.error),))
    final = redirect.final_url or ""
    redirected = first is not None and first.status in (301, 302, 303, 307, 308)
    last_ok = bool(redirect.hops) and (redirect.hops[-1].status or 0) < 400
    if redirected and final.startswith("https://") and last_ok and redirect.error is None:
        return Outcome(Status.PASS, 1.0, value=final, display_value=msg("transport.redirected"),
                       data={"chain": chain})
    return Outcome(Status.FAIL, 0.0, value=final or None,
                   display_value=msg("transport.not_redirected"), expected=expected,
                   findings=(Finding(msg("transport.not_redirected"), page_url=redirect.start,
                                     value=redirect.error or chain),),
                   data={"chain": chain})


class CertificateParams(Params):
    # Fewer days left than this is needs_review, not pass: Let's Encrypt renews certificates
    # at 30 days before expiry (its documented default), so less means renewal is overdue.
    warn_days: int = Field(default=30, ge=0)


@register("tls_certificate_valid", level="site", params=CertificateParams,
          evidence="transport.tls")
def tls_certificate_valid(view: EvidenceView, params: CertificateParams) -> Outcome:
    """The certificate validates for the portal's name and has more than
    ``warn_days`` left (fewer is needs_review). Evidence: the TLS probe (``transport.tls``)."""
    tls = _transport(view, "tls").tls
    assert tls is not None
    expected = msg("transport.cert_expected", days=params.warn_days)
    cert = tls.certificate
    if cert is None:
        return Outcome(Status.FAIL, 0.0, display_value=msg("transport.handshake_failed"),
                       expected=expected,
                       findings=(Finding(msg("transport.handshake_failed"),
                                         page_url=f"https://{tls.host}:{tls.port}/",
                                         value=tls.error or tls.verify_error),))
    facts = (f"subject {cert.subject}; issuer {cert.issuer}; SAN {', '.join(cert.san)}; "
             f"valid {cert.not_before} – {cert.not_after}")
    days = cert.days_to_expiry
    if not tls.verified:
        return Outcome(Status.FAIL, 0.0, value=tls.verify_error,
                       display_value=msg("transport.cert_invalid", reason=tls.verify_error or ""),
                       expected=expected,
                       findings=(Finding(msg("transport.cert_invalid",
                                             reason=tls.verify_error or ""),
                                         page_url=f"https://{tls.host}:{tls.port}/",
                                         value=facts),))
    if days is not None and days < params.warn_days:
        return Outcome(Status.NEEDS_REVIEW, 0.0, value=days, unit="days",
                       display_value=msg("transport.cert_expiring", days=round(days)),
                       expected=expected,
                       findings=(Finding(msg("transport.cert_expiring", days=round(days)),
                                         page_url=f"https://{tls.host}:{tls.port}/",
                                         value=facts),))
    return Outcome(Status.PASS, 1.0, value=days, unit="days",
                   display_value=msg("transport.cert_valid", days=round(days or 0)),
                   data={"certificate": facts})


_MODERN = ("TLSv1.2", "TLSv1.3")


@register("tls_version_modern", level="site", evidence="transport.tls")
def tls_version_modern(view: EvidenceView, params: Params) -> Outcome:
    """TLS 1.2 or 1.3 is negotiated and no legacy version (1.0, 1.1) is still
    accepted. Evidence: the TLS probe (``transport.tls``)."""
    tls = _transport(view, "tls").tls
    assert tls is not None
    expected = msg("transport.tls_expected")
    if tls.version is None:
        return Outcome(Status.FAIL, 0.0, display_value=msg("transport.handshake_failed"),
                       expected=expected,
                       findings=(Finding(msg("transport.handshake_failed"),
                                         value=tls.error or tls.verify_error),))
    legacy = sorted(v for v, ok in tls.legacy_accepted.items() if ok)
    if tls.version not in _MODERN or legacy:
        shown = ", ".join(legacy) or tls.version
        return Outcome(Status.FAIL, 0.0, value=shown,
                       display_value=msg("transport.tls_legacy", versions=shown),
                       expected=expected,
                       findings=(Finding(msg("transport.tls_legacy", versions=shown),
                                         page_url=f"https://{tls.host}:{tls.port}/"),))
    untested = sorted(v for v, ok in tls.legacy_accepted.items() if ok is None)
    if untested or not tls.legacy_accepted:
        notes = "; ".join(tls.legacy_notes.get(v, "") for v in untested)
        return Outcome(Status.NEEDS_REVIEW, 0.0, value=tls.version,
                       display_value=msg("transport.tls_untested", versions=", ".join(untested)),
                       expected=expected,
                       findings=(Finding(msg("transport.tls_untested",
                                             versions=", ".join(untested)), value=notes),))
    return Outcome(Status.PASS, 1.0, value=tls.version,
                   display_value=msg("transport.tls_modern", version=tls.version))


def _trustworthy(url: str) -> bool:
    """A loopback http:// URL, which browsers do not treat as mixed content."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@register("no_mixed_content", level="site", evidence="pages")
def no_mixed_content(view: EvidenceView, params: Params) -> Outcome:
    """An http:// sub-resource on an https:// page: asked for in the markup (the DOM read-out;
    Chromium upgrades or blocks most of them before a request exists) or requested (by script).
    Loopback URLs are not mixed content (W3C Mixed Content §4.3: "potentially trustworthy")."""
    https_pages = [p for p in view.html_pages if p.final_url.startswith("https://")]
    if not https_pages:
        return Outcome(Status.NOT_APPLICABLE, display_value=msg("transport.no_https_pages"))
    findings = []
    dirty = []
    for page in https_pages:
        asked = [*page.insecure_subresources,
                 *(r.url for r in page.requests if r.url != page.final_url)]
        insecure = list(dict.fromkeys(u for u in asked
                                      if u.startswith("http://") and not _trustworthy(u)))
        if insecure:
            dirty.append(page.final_url)
            findings.append(Finding(msg("transport.mixed_found", count=len(insecure)),
                                    page_url=page.final_url, value=insecure[0]))
    if not dirty:
        return Outcome(Status.PASS, 1.0, value=len(https_pages), unit="pages",
                       display_value=msg("transport.mixed_none", pages=len(https_pages)))
    return Outcome(Status.FAIL, 0.0, value=len(dirty), unit="pages",
                   display_value=msg("transport.mixed_pages", count=len(dirty),
                                     pages=len(https_pages)),
                   expected=msg("transport.mixed_expected"), findings=tuple(findings[:20]),
                   pages=tuple(dirty))


class HstsParams(Params):
    # 15768000 s (six months): Mozilla Observatory's minimum for its HSTS test to pass.
    min_max_age: int = Field(default=15768000, ge=0)


@register("hsts_enabled", level="site", params=HstsParams, evidence="transport.hsts")
def hsts_enabled(view: EvidenceView, params: HstsParams) -> Outcome:
    """The https:// answer sends Strict-Transport-Security with a max-age of at least
    ``min_max_age``. Evidence: the HSTS probe (``transport.hsts``)."""
    hsts = _transport(view, "hsts").hsts
    assert hsts is not None
    expected = msg("transport.hsts_expected", seconds=params.min_max_age)
    if hsts.error is not None:
        raise MissingEvidence("transport.hsts", hsts.error)
    if hsts.header is None:
        return Outcome(Status.FAIL, 0.0, display_value=msg("transport.hsts_none"),
                       expected=expected,
                       findings=(Finding(msg("transport.hsts_none"), page_url=hsts.url),))
    if hsts.max_age is None or hsts.max_age < params.min_max_age:
        return Outcome(Status.FAIL, 0.0, value=hsts.header,
                       display_value=msg("transport.hsts_short", seconds=hsts.max_age or 0),
                       expected=expected,
                       findings=(Finding(msg("transport.hsts_short", seconds=hsts.max_age or 0),
                                         page_url=hsts.url, value=hsts.header),))
    return Outcome(Status.PASS, 1.0, value=hsts.header,
                   display_value=msg("transport.hsts_ok", seconds=hsts.max_age),
                   data={"include_subdomains": hsts.include_subdomains})


# -- T02: IPv6 ---------------------------------------------------------------------------------------


@register("ipv6_reachable", level="site", evidence="transport.ipv6")
def ipv6_reachable(view: EvidenceView, params: Params) -> Outcome:
    """The portal's name has an AAAA record and answers over IPv6. Evidence: the IPv6
    probe (``transport.ipv6``)."""
    transport = _transport(view, "ipv6")
    ipv6 = transport.ipv6
    assert ipv6 is not None
    expected = msg("transport.ipv6_expected")
    if not ipv6.aaaa:
        return Outcome(Status.FAIL, 0.0, display_value=msg("transport.ipv6_no_aaaa"),
                       expected=expected,
                       findings=(Finding(msg("transport.ipv6_no_aaaa"), value=transport.host),))
    if ipv6.connected is None:
        return Outcome(Status.FAIL, 0.0, value=", ".join(ipv6.aaaa),
                       display_value=msg("transport.ipv6_unreachable"), expected=expected,
                       findings=(Finding(msg("transport.ipv6_unreachable"),
                                         value=ipv6.error),))
    return Outcome(Status.PASS, 1.0, value=ipv6.connected,
                   display_value=msg("transport.ipv6_ok", address=ipv6.connected))


# -- T03: DNSSEC --------------------------------------------------------------------------------------


@register("dnssec_signed", level="site", evidence="transport.dnssec")
def dnssec_signed(view: EvidenceView, params: Params) -> Outcome:
    """The portal's DNS zone is signed and its answer validates (DNSSEC). Evidence:
    the DNSSEC probe (``transport.dnssec``)."""
    transport = view.bundle.transport
    if transport is None:
        raise MissingEvidence("transport", view.bundle.disabled.get("transport", ""))
    expected = msg("transport.dnssec_expected")
    dnssec = transport.dnssec
    if dnssec is None:
        # Only an IP-literal start URL skips DNSSEC: no domain name, nothing can be signed.
        return Outcome(Status.FAIL, 0.0, display_value=msg("transport.no_domain"),
                       expected=expected,
                       findings=(Finding(msg("transport.no_domain"), value=transport.host),))
    if dnssec.error is not None:
        raise MissingEvidence("transport.dnssec", dnssec.error)
    zone = dnssec.zone or transport.host
    data = {"ad_flag": dnssec.ad_flag, "validated_rrsets": list(dnssec.validated_rrsets),
            "resolver": dnssec.resolver}
    if dnssec.validated is False:
        return Outcome(Status.FAIL, 0.0, value=zone,
                       display_value=msg("transport.dnssec_bogus"), expected=expected,
                       findings=(Finding(msg("transport.dnssec_bogus"), value=dnssec.validation_error),),
                       data=data)
    if not dnssec.signed:
        return Outcome(Status.FAIL, 0.0, value=zone,
                       display_value=msg("transport.dnssec_unsigned", zone=zone),
                       expected=expected,
                       findings=(Finding(msg("transport.dnssec_unsigned", zone=zone)),), data=data)
    if dnssec.validated:
        return Outcome(Status.PASS, 1.0, value=zone,
                       display_value=msg("transport.dnssec_validated", zone=zone), data=data)
    if dnssec.ad_flag:
        # No trust anchor of our own: the configured validating resolver's AD bit is the answer
        # (RESEARCH.md T03: "dig +dnssec, AD flag").
        return Outcome(Status.PASS, 1.0, value=zone,
                       display_value=msg("transport.dnssec_ad", zone=zone), data=data)
    return Outcome(Status.NEEDS_REVIEW, 0.0, value=zone,
                   display_value=msg("transport.dnssec_unvalidated", zone=zone),
                   expected=expected,
                   findings=(Finding(msg("transport.dnssec_unvalidated", zone=zone),
                                     value=dnssec.validation_error),), data=data)


# -- T04: official domain name -------------------------------------------------------------------------


@register("official_domain_name", level="site", evidence="transport")
def official_domain_name(view: EvidenceView, params: Params) -> Outcome:
    """Where citizens end up (the name after redirects) matches an official domain
    pattern (``dichvucong.<name>.gov.vn``…). Evidence: the transport probe and the start
    page."""
    transport = view.bundle.transport
    if transport is None:
        raise MissingEvidence("transport", view.bundle.disabled.get("transport", ""))
    # RESEARCH.md T04: the name after redirects, i.e. where citizens end up.
    start = view.start_page
    host = (urlsplit(start.final_url).hostname if start is not None else None) or transport.host
    patterns = transport.official_domain_patterns
    expected = msg("transport.domain_expected", patterns=", ".join(patterns))
    for pattern in patterns:
        if re.fullmatch(pattern, host, flags=re.IGNORECASE):
            return Outcome(Status.PASS, 1.0, value=host,
                           display_value=msg("transport.domain_ok", host=host))
    return Outcome(Status.FAIL, 0.0, value=host,
                   display_value=msg("transport.domain_other", host=host), expected=expected,
                   findings=(Finding(msg("transport.domain_other", host=host),
                                     value=host),))
