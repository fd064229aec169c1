"""What a template portal serves, digested: the golden that guards the server-rendered fixture
template (tests/test_fixture_server.py), written with the other goldens by `tests.golden.update`.

Every page a template portal links (and its search, lookup, 404 and hand-over) is asked of the
site itself (no server, no delay) and digested. A change to what the template portals serve
moves their golden results too: when it is meant (a new fixture page), re-freeze that portal's
evidence and run the golden update, which re-measures these.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

from fixtures.server import load_site

ROOT = Path(__file__).resolve().parents[2]
PORTALS = ROOT / "fixtures" / "portals"
DIGESTS = Path(__file__).parent / "template-digests.json"
# The portals built by the server-rendered template alone (issue 16 added other ways of
# building a site beside it: kieu-jsp, kieu-spa).
TEMPLATE_PORTALS = ("kem", "mau", "tinh-trung-binh")


def template_digest(portal_dir: Path) -> tuple[int, str]:
    """Every page a template portal links (and its search, lookup, 404 and hand-over), asked of
    the site itself (no server, no delay), digested: (pages, sha256). Today's date and the
    statistics' date are replaced by DATE, so the digest holds on any day."""
    origin, national = "http://127.0.0.1:1", "http://127.0.0.1:2"
    site = load_site(portal_dir)
    site.national_origin = national
    queue = ["/", "/robots.txt", "/sitemap.xml", "/khong-co",
             "/tra-cuu-ho-so/ket-qua?ma-ho-so=000.00.00.H99-250101-9999",
             "/tra-cuu-ho-so/ket-qua?ma-ho-so=%3Cb%3E", "/tim-kiem?q=khai+sinh",
             "/tim-kiem?q=dang+ky+ket+hon",
             "/tim-kiem?q=%C4%91%C4%83ng+k%C3%BD+k%E1%BA%BFt+h%C3%B4n",
             "/thu-tuc-hanh-chinh?trang=99", "/dang-nhap/vneid", "/bieu-mau/1.001193.docx"]
    seen: set[str] = set()
    digest = hashlib.sha256()
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        parts = urlsplit(path)
        response = site.handle_get(parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)),
                                   origin)
        text = (hashlib.sha256(response.body).hexdigest() if "image" in response.content_type
                else response.body.decode("utf-8", "replace"))
        for day in (date.today(), date.today() - timedelta(days=730)):
            text = text.replace(f"{day.day:02d}/{day.month:02d}/{day.year}", "DATE")
            text = text.replace(f"Năm {day.year}", "Năm YEAR")
        digest.update(f"== {path} {response.status} {response.content_type} {response.delay_ms} "
                      f"{response.headers}\n{text}\n".encode())
        if "html" in response.content_type or "xml" in response.content_type:
            for href, loc in re.findall(r'(?:href|src)="([^"]+)"|<loc>([^<]+)</loc>', text):
                target = urlsplit(urljoin(origin + path, (href or loc).replace("&amp;", "&")))
                if f"{target.scheme}://{target.netloc}" == origin:
                    queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return len(seen), digest.hexdigest()


def measured() -> dict[str, list[int | str]]:
    """``{portal: [pages, sha256]}`` of every template portal, as the golden file holds it."""
    return {p: list(template_digest(PORTALS / p)) for p in TEMPLATE_PORTALS}


def digests_text() -> str:
    return json.dumps(measured(), indent=2) + "\n"


def recorded() -> dict[str, list[int | str]]:
    data: dict[str, list[int | str]] = json.loads(DIGESTS.read_text(encoding="utf-8"))
    return data
