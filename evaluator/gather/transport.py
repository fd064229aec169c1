"""Transport and domain evidence (RESEARCH.md §3.3 T01-T04) in pure Python: no browser.

One call per portal, ``gather_transport``. Every probe stands alone and records its own error
(unreachable resolver, refused port, failed handshake) as a reason; nothing here raises. Every
network operation is bounded by ``settings.transport_timeout_s``.

Name resolution goes through the configured resolver (``settings.dns_resolver``), never through
the system's getaddrinfo for a name: the host is resolved to A/AAAA addresses once and the probes
connect to those addresses, sending the host name as SNI and Host header. So a test pointing the
resolver at 127.0.0.1 is sure no outside address is contacted.
"""

from __future__ import annotations

import datetime as dt
import http.client
import ipaddress
import re
import socket
import ssl
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import dns.dnssec
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from cryptography import x509
from cryptography.x509.oid import NameOID

from evaluator.evidence import (
    DnssecProbe,
    Hsts,
    HttpsRedirect,
    Ipv6Probe,
    RedirectHop,
    TlsCertificate,
    TlsProbe,
    TransportEvidence,
)
from evaluator.settings import Settings

_MAX_HOPS = 10


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:300]


# -- DNS ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolver:
    host: str
    port: int

    def label(self) -> str:
        return f"{self.host}:{self.port}"


def parse_resolver(value: str) -> Resolver:
    """"127.0.0.1:5353", "[::1]:53", "::1" or "10.0.0.1"; empty: the first resolv.conf server."""
    value = value.strip()
    if not value:
        return Resolver(_system_nameserver(), 53)
    m = re.fullmatch(r"\[([0-9a-fA-F:.]+)\](?::(\d+))?", value)
    if m:
        return Resolver(m.group(1), int(m.group(2) or 53))
    if value.count(":") == 1:
        host, port = value.split(":")
        return Resolver(host, int(port))
    return Resolver(value, 53)


def _system_nameserver() -> str:
    try:
        for line in Path("/etc/resolv.conf").read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0] == "nameserver":
                return parts[1]
    except OSError:
        pass
    return "127.0.0.1"


def _query(resolver: Resolver, name: str, rdtype: str, timeout: float,
           dnssec: bool = False) -> dns.message.Message:
    """UDP, retried over TCP when truncated (signed answers are large)."""
    q = dns.message.make_query(name, rdtype, want_dnssec=dnssec)
    if dnssec:
        # AD is only meaningful when asked for (RFC 6840 §5.7).
        q.flags |= dns.flags.AD
    r = dns.query.udp(q, resolver.host, port=resolver.port, timeout=timeout)
    if r.flags & dns.flags.TC:
        r = dns.query.tcp(q, resolver.host, port=resolver.port, timeout=timeout)
    return r


def _addresses(resolver: Resolver, host: str, rdtype: str, timeout: float) -> list[str]:
    r = _query(resolver, host, rdtype, timeout)
    want = dns.rdatatype.from_text(rdtype)
    return [rd.to_text() for rrset in r.answer if rrset.rdtype == want for rd in rrset]


# -- HTTP over a chosen address ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: http.client.HTTPMessage


def _http_get(url: str, address: str, timeout: float,
              context: ssl.SSLContext | None) -> _Answer:
    """GET ``url`` on ``address`` (Host header and SNI from the URL); reads headers only."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    sock = socket.create_connection((address, port), timeout=timeout)
    try:
        if parts.scheme == "https":
            ctx = context or ssl.create_default_context()
            sock = ctx.wrap_socket(sock, server_hostname=host)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        host_header = parts.netloc.rsplit("@", 1)[-1]
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: portal-eval\r\n"
            "Accept: */*\r\nConnection: close\r\n\r\n".encode("ascii", "strict"))
        resp = http.client.HTTPResponse(sock)
        resp.begin()
        return _Answer(resp.status, resp.headers)
    finally:
        sock.close()


# -- the probes -------------------------------------------------------------------------------------


def _redirect(http_url: str, resolve: Callable[[str], str], timeout: float,
              context: ssl.SSLContext) -> HttpsRedirect:
    hops: list[RedirectHop] = []
    url = http_url
    for _ in range(_MAX_HOPS):
        try:
            answer = _http_get(url, resolve(urlsplit(url).hostname or ""), timeout, context)
        except (OSError, ssl.SSLError, http.client.HTTPException, LookupError,
                dns.exception.DNSException) as exc:
            return HttpsRedirect(start=http_url, hops=hops, error=f"{url}: {_one_line(exc)}")
        location = answer.headers.get("Location")
        hops.append(RedirectHop(url=url, status=answer.status, location=location))
        if answer.status in (301, 302, 303, 307, 308) and location:
            url = urljoin(url, location)
            continue
        return HttpsRedirect(start=http_url, hops=hops, final_url=url)
    return HttpsRedirect(start=http_url, hops=hops, error=f"more than {_MAX_HOPS} redirects")


def _name_attr(name: x509.Name) -> str:
    cn = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(cn[0].value) if cn else name.rfc4514_string()


def _hostname_match(host: str, san: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(host)
        return any(s == f"IP:{ip}" for s in san)
    except ValueError:
        pass
    host = host.lower().rstrip(".")
    for entry in san:
        if not entry.startswith("DNS:"):
            continue
        pattern = entry[4:].lower().rstrip(".")
        if pattern == host:
            return True
        # RFC 6125 §6.4.3: a wildcard stands for exactly one left-most label.
        if pattern.startswith("*.") and "." in host and host.split(".", 1)[1] == pattern[2:]:
            return True
    return False


def _certificate(der: bytes, host: str) -> TlsCertificate:
    cert = x509.load_der_x509_certificate(der)
    san: list[str] = []
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        san = [f"DNS:{n}" for n in ext.get_values_for_type(x509.DNSName)]
        san += [f"IP:{ip}" for ip in ext.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        pass
    not_after = cert.not_valid_after_utc
    days = (not_after - dt.datetime.now(dt.UTC)).total_seconds() / 86400
    return TlsCertificate(
        subject=_name_attr(cert.subject), issuer=_name_attr(cert.issuer), san=san,
        not_before=cert.not_valid_before_utc.isoformat(), not_after=not_after.isoformat(),
        days_to_expiry=round(days, 2), hostname_match=_hostname_match(host, san),
    )


def _legacy_context(version: ssl.TLSVersion) -> ssl.SSLContext:
    ctx = _lax_context()
    # OpenSSL 3 refuses TLS 1.0/1.1 at its default security level on the client side;
    # level 0 lets us *offer* them, which is the only way to learn whether the server accepts.
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():
        # Python deprecates these versions; offering them on purpose is the point of the probe.
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = version
        ctx.maximum_version = version
    return ctx


def _handshake(address: str, port: int, host: str, ctx: ssl.SSLContext,
               timeout: float) -> tuple[str | None, bytes | None]:
    with socket.create_connection((address, port), timeout=timeout) as raw, \
            ctx.wrap_socket(raw, server_hostname=host) as s:
        return s.version(), s.getpeercert(binary_form=True)


def _tls(host: str, port: int, address: str, ca_file: str | None,
         timeout: float) -> TlsProbe:
    base: dict[str, Any] = {"host": host, "port": port, "address": address, "ca_file": ca_file}
    verified = False
    verify_error: str | None = None
    version: str | None = None
    der: bytes | None = None
    # 1. A verifying handshake: chain to the CA bundle, dates, host name (Python's ssl).
    try:
        ctx = ssl.create_default_context(cafile=ca_file) if ca_file else \
            ssl.create_default_context()
        version, der = _handshake(address, port, host, ctx, timeout)
        verified = True
    except ssl.SSLCertVerificationError as exc:
        verify_error = exc.verify_message or _one_line(exc)
    except (OSError, ssl.SSLError) as exc:
        return TlsProbe(**base, error=_one_line(exc))
    # 2. Not verified: handshake again without verification, to read the certificate anyway.
    if not verified:
        try:
            version, der = _handshake(address, port, host, _lax_context(), timeout)
        except (OSError, ssl.SSLError) as exc:
            return TlsProbe(**base, verify_error=verify_error, error=_one_line(exc))
    # 3. Does the server still accept TLS 1.0 / 1.1? Offer exactly that version.
    accepted: dict[str, bool | None] = {}
    notes: dict[str, str] = {}
    for label, legacy in (("TLSv1", ssl.TLSVersion.TLSv1), ("TLSv1.1", ssl.TLSVersion.TLSv1_1)):
        try:
            lctx = _legacy_context(legacy)
        except (ValueError, ssl.SSLError) as exc:
            accepted[label] = None
            notes[label] = f"this OpenSSL cannot offer {label}: {_one_line(exc)}"
            continue
        try:
            got, _ = _handshake(address, port, host, lctx, timeout)
            accepted[label] = got == label
        except ssl.SSLError as exc:
            accepted[label] = False
            notes[label] = _one_line(exc)
        except OSError as exc:
            accepted[label] = None
            notes[label] = _one_line(exc)
    return TlsProbe(
        **base, verified=verified, verify_error=verify_error, version=version,
        certificate=_certificate(der, host) if der else None,
        legacy_accepted=accepted, legacy_notes=notes,
    )


def _lax_context() -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def parse_hsts(header: str) -> tuple[int | None, bool, bool]:
    """max-age, includeSubDomains, preload of a Strict-Transport-Security value (RFC 6797 §6.1)."""
    max_age: int | None = None
    sub = preload = False
    for part in header.split(";"):
        key, _, val = part.strip().partition("=")
        key = key.strip().lower()
        if key == "max-age":
            try:
                max_age = int(val.strip().strip('"'))
            except ValueError:
                max_age = None
        elif key == "includesubdomains":
            sub = True
        elif key == "preload":
            preload = True
    return max_age, sub, preload


def _hsts(url: str, address: str, timeout: float, context: ssl.SSLContext) -> Hsts:
    try:
        answer = _http_get(url, address, timeout, context)
    except (OSError, ssl.SSLError, http.client.HTTPException) as exc:
        return Hsts(url=url, error=_one_line(exc))
    header = answer.headers.get("Strict-Transport-Security")
    if not header:
        return Hsts(url=url)
    max_age, sub, preload = parse_hsts(header)
    return Hsts(url=url, header=header, max_age=max_age, include_subdomains=sub, preload=preload)


def _ipv6(url: str, aaaa: list[str], timeout: float, context: ssl.SSLContext) -> Ipv6Probe:
    if not aaaa:
        return Ipv6Probe(error="no AAAA record")
    reasons = []
    for address in aaaa:
        try:
            answer = _http_get(url, address, timeout, context)
        except (OSError, ssl.SSLError, http.client.HTTPException) as exc:
            reasons.append(f"[{address}]: {_one_line(exc)}")
            continue
        return Ipv6Probe(aaaa=aaaa, connected=address, status=answer.status)
    return Ipv6Probe(aaaa=aaaa, error="; ".join(reasons))


# -- DNSSEC -----------------------------------------------------------------------------------------


def load_trust_anchors(path: str) -> dict[dns.name.Name, list[dns.rrset.RRset]]:
    """DS or DNSKEY records, zone-file syntax with absolute owner names, one a line ('; ' comments).

    A bad line raises ValueError naming the file and line."""
    anchors: dict[dns.name.Name, list[dns.rrset.RRset]] = {}
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        text = line.split(";", 1)[0].strip()
        if not text:
            continue
        try:
            fields = text.split()
            # owner [ttl] [IN] TYPE rdata...
            owner = fields[0]
            rest = fields[1:]
            ttl = 3600
            if rest and rest[0].isdigit():
                ttl = int(rest.pop(0))
            if rest and rest[0].upper() == "IN":
                rest.pop(0)
            rdtype = rest[0].upper()
            if rdtype not in ("DS", "DNSKEY"):
                raise ValueError(f"type {rdtype} is neither DS nor DNSKEY")
            rrset = dns.rrset.from_text(owner, ttl, "IN", rdtype, " ".join(rest[1:]))
        except (ValueError, IndexError, dns.exception.DNSException) as exc:
            raise ValueError(f"{path}:{n}: bad trust anchor: {exc}") from None
        anchors.setdefault(rrset.name, []).append(rrset)
    return anchors


def _find_zone(resolver: Resolver, host: str, timeout: float) -> dns.name.Name | None:
    """The closest enclosing zone: the longest suffix of ``host`` that has an SOA record."""
    name = dns.name.from_text(host)
    while len(name) > 1:
        r = _query(resolver, name.to_text(), "SOA", timeout)
        if any(rr.rdtype == dns.rdatatype.SOA and rr.name == name for rr in r.answer):
            return name
        name = name.parent()
    return None


def _dnssec(resolver: Resolver, host: str, anchors_file: str, timeout: float) -> DnssecProbe:
    """What is validated, and what is not:

    - recorded: the resolver's AD bit on a DO query for the host's A (else AAAA) rrset;
    - validated here with dnspython, when a trust anchor for the host's zone is configured:
      (1) the zone's DNSKEY rrset is self-signed by a key the anchor names (a DS anchor: the
      DNSKEY's digest must equal it; a DNSKEY anchor: the same key), and its RRSIG verifies;
      (2) the RRSIGs of the A and AAAA rrsets verify against that DNSKEY rrset, inside their
      validity window (dns.dnssec.validate checks inception/expiration).
    - not validated: the chain from the root down to the anchor (the anchor is trusted as
      configured, as a validating resolver trusts its root key) and denial of existence (NSEC/
      NSEC3) for a missing AAAA.
    """
    base: dict[str, Any] = {"resolver": resolver.label(), "trust_anchor": anchors_file or None}
    try:
        zone = _find_zone(resolver, host, timeout)
        if zone is None:
            return DnssecProbe(**base, error=f"no zone (SOA) found above {host}")
        answers: dict[str, dns.message.Message] = {}
        for rdtype in ("A", "AAAA"):
            answers[rdtype] = _query(resolver, host, rdtype, timeout, dnssec=True)
        first = answers["A"] if answers["A"].answer else answers["AAAA"]
        keys_msg = _query(resolver, zone.to_text(), "DNSKEY", timeout, dnssec=True)
    except (OSError, dns.exception.DNSException, ValueError) as exc:
        return DnssecProbe(**base, error=f"resolver {resolver.label()}: {_one_line(exc)}")
    base.update(zone=zone.to_text(), ad_flag=bool(first.flags & dns.flags.AD))
    dnskey = _find(keys_msg, zone, dns.rdatatype.DNSKEY, dns.rdatatype.NONE)
    dnskey_sig = _find(keys_msg, zone, dns.rdatatype.RRSIG, dns.rdatatype.DNSKEY)
    if dnskey is None or dnskey_sig is None:
        return DnssecProbe(**base, signed=False)
    base["signed"] = True
    if not anchors_file:
        return DnssecProbe(**base)
    try:
        anchors = load_trust_anchors(anchors_file).get(zone)
    except (OSError, ValueError) as exc:
        return DnssecProbe(**base, validation_error=_one_line(exc))
    if not anchors:
        return DnssecProbe(**base, validation_error=f"no trust anchor for zone {zone}")
    validated: list[str] = []
    try:
        trusted = _trusted_keys(zone, dnskey, anchors)
        if trusted is None:
            raise _Invalid("no DNSKEY of the zone matches its trust anchor")
        dns.dnssec.validate(dnskey, dnskey_sig, {zone: trusted})
        validated.append(f"{zone} DNSKEY")
        owner = dns.name.from_text(host)
        for rdtype, answer in answers.items():
            code = dns.rdatatype.from_text(rdtype)
            rrset = _find(answer, owner, code, dns.rdatatype.NONE)
            if rrset is None:
                continue
            sig = _find(answer, owner, dns.rdatatype.RRSIG, code)
            if sig is None:
                raise _Invalid(f"{host} {rdtype} has no RRSIG")
            dns.dnssec.validate(rrset, sig, {zone: dnskey})
            validated.append(f"{host} {rdtype}")
    except (_Invalid, dns.exception.DNSException) as exc:
        return DnssecProbe(**base, validated=False, validated_rrsets=validated,
                           validation_error=_one_line(exc))
    return DnssecProbe(**base, validated=True, validated_rrsets=validated)


class _Invalid(Exception):
    """Our own validation found no usable key or signature."""


def _find(msg: dns.message.Message, name: dns.name.Name, rdtype: dns.rdatatype.RdataType,
          covers: dns.rdatatype.RdataType) -> dns.rrset.RRset | None:
    for rrset in msg.answer:
        if rrset.name == name and rrset.rdtype == rdtype and rrset.covers == covers:
            return rrset
    return None


def _trusted_keys(zone: dns.name.Name, dnskey: dns.rrset.RRset,
                  anchors: list[dns.rrset.RRset]) -> dns.rrset.RRset | None:
    """The zone's DNSKEYs that an anchor names (DS digest or the same key)."""
    keep = []
    for key in dnskey:
        for anchor in anchors:
            for rd in anchor:
                if anchor.rdtype == dns.rdatatype.DNSKEY and rd == key:
                    keep.append(key)
                elif anchor.rdtype == dns.rdatatype.DS:
                    ds = dns.dnssec.make_ds(zone, key, rd.digest_type)
                    if ds == rd:
                        keep.append(key)
    if not keep:
        return None
    return dns.rrset.from_rdata_list(zone, dnskey.ttl, keep)


# -- the whole transport evidence ---------------------------------------------------------------------


def gather_transport(start_url: str, settings: Settings) -> TransportEvidence:
    timeout = settings.transport_timeout_s
    parts = urlsplit(start_url)
    host = (parts.hostname or "").lower()
    https_port = parts.port if parts.scheme == "https" and parts.port else 443
    path = parts.path or "/"
    resolver = parse_resolver(settings.dns_resolver)
    https_url = f"https://{_netloc(host, https_port, 443)}{path}"
    base: dict[str, Any] = {"host": host, "https_url": https_url, "resolver": resolver.label(),
            "official_domain_patterns": list(settings.official_domain_patterns)}
    errors: list[str] = []
    ca_file = settings.tls_ca_file or None
    if ca_file and not Path(ca_file).is_file():
        return TransportEvidence(**base, errors=[f"tls_ca_file {ca_file}: no such file"])
    # Headers are read whatever the certificate says: redirect and HSTS are separate findings.
    lax = _lax_context()

    literal = _ip_literal(host)
    a_records: list[str] = []
    aaaa: list[str] = []
    if literal is not None:
        (aaaa if ":" in literal else a_records).append(literal)
    else:
        for rdtype, bucket in (("A", a_records), ("AAAA", aaaa)):
            try:
                bucket.extend(_addresses(resolver, host, rdtype, timeout))
            except (OSError, dns.exception.DNSException) as exc:
                errors.append(f"{rdtype} {host} via {resolver.label()}: {_one_line(exc)}")
    addresses = a_records + aaaa

    def resolve(name: str) -> str:
        name = name.lower()
        lit = _ip_literal(name)
        if lit is not None:
            return lit
        if name == host and addresses:
            return addresses[0]
        found = _addresses(resolver, name, "A", timeout) or \
            _addresses(resolver, name, "AAAA", timeout)
        if not found:
            raise LookupError(f"{name} does not resolve via {resolver.label()}")
        return found[0]

    http_url = f"http://{_netloc(host, settings.transport_http_port, 80)}{path}"
    redirect = _redirect(http_url, resolve, timeout, lax)
    tls: TlsProbe | None = None
    hsts: Hsts | None = None
    if addresses:
        tls = _tls(host, https_port, addresses[0], ca_file, timeout)
        hsts = _hsts(https_url, addresses[0], timeout, lax)
    else:
        errors.append(f"{host} has no address via {resolver.label()}")
    dnssec = None if literal is not None else \
        _dnssec(resolver, host, settings.dnssec_trust_anchors, timeout)
    return TransportEvidence(
        **base, addresses=addresses, redirect=redirect, tls=tls, hsts=hsts,
        ipv6=_ipv6(https_url, aaaa, timeout, lax), dnssec=dnssec, errors=errors,
    )


def _ip_literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def _netloc(host: str, port: int, default: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return shown if port == default else f"{shown}:{port}"
