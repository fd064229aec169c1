"""End to end with real Chromium against the fixture portals served on 127.0.0.1.

Each portal is evaluated once per session (the expensive part); the tests then assert every
entry of its expected.yaml, the grade order, the outputs, and that re-scoring the saved evidence
without a browser gives the identical result.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from evaluator.pipeline import PortalRun
from evaluator.results import dump_result
from fixtures.demo import PORTALS

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
PORTAL_IDS = sorted(p.name for p in PORTALS.iterdir() if (p / "expected.yaml").is_file())
GRADE_ORDER = "ABCDE"


def expected(portal_id: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((PORTALS / portal_id / "expected.yaml").read_text())
    return data


@pytest.mark.parametrize("portal_id", PORTAL_IDS)
def test_every_expected_status_holds(evaluated: dict[str, PortalRun], portal_id: str) -> None:
    result = evaluated[portal_id].result
    got = {c.id: c.status.value for c in result.criteria}
    want = expected(portal_id)["criteria"]
    mismatches = {
        cid: f"expected {status}, got {got.get(cid)}: "
        + next((c.display_value.en if c.display_value else "" for c in result.criteria
                if c.id == cid), "absent")
        for cid, status in want.items() if got.get(cid) != status
    }
    assert not mismatches, mismatches
    # expected.yaml lists the criteria the portal is meant to exercise (tests/test_meta.py).
    assert set(want) <= set(got), "expected.yaml names a criterion the profile does not have"


@pytest.mark.parametrize("portal_id", PORTAL_IDS)
def test_expected_grade(evaluated: dict[str, PortalRun], portal_id: str) -> None:
    result = evaluated[portal_id].result
    assert result.grade == expected(portal_id)["grade"], f"total {result.total}"


def test_grade_order_model_typical_poor(evaluated: dict[str, PortalRun]) -> None:
    totals = {pid: evaluated[pid].result.total for pid in ("mau", "tinh-trung-binh", "kem")}
    assert totals["mau"] > totals["tinh-trung-binh"] > totals["kem"], totals  # type: ignore[operator]


@pytest.mark.parametrize("portal_id", PORTAL_IDS)
def test_outputs_written_and_valid(evaluated: dict[str, PortalRun], portal_id: str) -> None:
    run = evaluated[portal_id]
    data = json.loads((run.folder / "result.json").read_text(encoding="utf-8"))
    schema = json.loads((ROOT / "schemas" / "result.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    for key in ("grade", "total", "pillars", "criteria"):
        assert key in data
    assert all({"points", "points_possible"} <= set(p) for p in data["pillars"].values())
    assert all({"id", "status", "points"} <= set(c) for c in data["criteria"])
    html = (run.folder / "report.html").read_text(encoding="utf-8")
    assert run.result.grade is not None and run.result.grade in html
    bundle = json.loads((run.folder / "evidence" / "bundle.json").read_text(encoding="utf-8"))
    versions = bundle["versions"]
    assert versions["chromium"] and versions["axe_core"] and versions["portal_eval"]
    assert any(p["screenshot"] for p in bundle["pages"])


@pytest.mark.parametrize("portal_id", PORTAL_IDS)
def test_rescore_without_browser_is_identical(
    evaluated: dict[str, PortalRun], portal_id: str, tmp_path: Path
) -> None:
    run = evaluated[portal_id]
    out = tmp_path / "rescored.json"
    attestations = PORTALS / portal_id / "attestations.yaml"
    extra = ["--attestations", str(attestations)] if attestations.is_file() else []
    proc = subprocess.run(
        [sys.executable, "-m", "evaluator", "score", str(run.folder / "evidence"),
         "--out", str(out), *extra], capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8") == dump_result(run.result)


def test_click_depth_recorded_for_every_page(evaluated: dict[str, PortalRun]) -> None:
    bundle = json.loads((evaluated["mau"].folder / "evidence" / "bundle.json").read_text())
    linked = [p for p in bundle["pages"] if p["found_via"] != "sitemap"]
    assert linked and all(isinstance(p["depth"], int) for p in linked)
    assert bundle["sitemap"]["url_count"] > 0 and bundle["robots"]["status"] == 200


def test_only_read_only_forms_were_submitted(
    evaluated: dict[str, PortalRun], fixture_server: Any
) -> None:
    # "read": what the script-built portals' own pages read to fill their lists (by POST on
    # kieu-jsp, as the national portal does); nothing that acts ("other") ever arrived.
    allowed = ("search", "status_lookup", "read")
    kinds = {s.kind for s in fixture_server.submissions}
    assert kinds <= set(allowed), [
        s for s in fixture_server.submissions if s.kind not in allowed
    ]
    assert "status_lookup" in kinds and "search" in kinds


def test_unreachable_portal_reports_not_evaluated(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    # A deep output folder on purpose: Chromium once failed to start when its scratch folder
    # lived there (a Unix socket path over 107 bytes).
    tmp_path = tmp_path / ("dau-ra-rat-sau-" * 6)
    proc = subprocess.run(
        [sys.executable, "-m", "evaluator", "evaluate", url, "--out", str(tmp_path),
         "--id", "unreachable", "--quiet", "--pdf"], capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "not evaluated" in proc.stdout and "ERR_CONNECTION_REFUSED" in proc.stdout
    result = json.loads((tmp_path / "unreachable" / "result.json").read_text())
    assert result["grade"] is None and "unreachable" in result["not_evaluated"]
    html = (tmp_path / "unreachable" / "report.html").read_text(encoding="utf-8")
    assert "ERR_CONNECTION_REFUSED" in html
    # --pdf: the report and the index printed beside their HTML, the reason in the text.
    import pypdf

    for pdf in (tmp_path / "unreachable" / "report.pdf", tmp_path / "index.pdf"):
        text = " ".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
        assert "unreachable" in text and "Trang 1/" in text, pdf
    assert "ERR_CONNECTION_REFUSED" in " ".join(
        page.extract_text() for page in pypdf.PdfReader(tmp_path / "unreachable" / "report.pdf").pages)


# -- the same portal, rendered on the server and by script (issue 16) ------------------------------

# kieu-spa is tinh-trung-binh's portal.yaml (`extends: tinh-trung-binh`) served as a single-page
# app: every view built in the browser from a JSON API, hash routes, no <form>, tiles that are
# not links, answers in place. A citizen sees the same words, links and faults, so every
# functionality and access criterion must come out the same. Justified exceptions, each with
# its reason (none at present: the list stays, so one has to be argued here to be added).
PARITY_EXCEPTIONS: dict[str, str] = {}
PARITY_PILLARS = ("functionality", "access")


def test_server_rendered_and_script_rendered_portals_grade_the_same(
        evaluated: dict[str, PortalRun]) -> None:
    server, app = evaluated["tinh-trung-binh"].result, evaluated["kieu-spa"].result
    statuses = {c.id: (c.status.value, c.pillar) for c in server.criteria}
    differ = {
        c.id: f"server {statuses[c.id][0]}, app {c.status.value}: "
              + (c.display_value.en if c.display_value else "")
        for c in app.criteria
        if c.pillar in PARITY_PILLARS and c.id not in PARITY_EXCEPTIONS
        and statuses[c.id][0] != c.status.value
    }
    assert not differ, differ
    compared = [c for c in app.criteria if c.pillar in PARITY_PILLARS]
    assert len(compared) >= 30  # every criterion of both pillars, not a handful
    assert app.grade == server.grade, (app.total, server.total)


# -- a big portal: 1,200 procedures, 300+ homepage links (issue 16, point 6) ------------------------

ROLE_PAGES = {  # kieu-jsp's pages where the criteria look, by the role they play
    "catalogue": "/p/home/dvc-thu-tuc-hanh-chinh.html",
    "status_lookup": "/p/home/dvc-tra-cuu-ho-so.html",
    "faq": "/p/home/dvc-cau-hoi-pho-bien.html",
    "feedback": "/p/phananhkiennghi/pakn-gui-pakn.html",
    "rating": "/p/home/dvc-danh-gia-hai-long.html",
    "statistics": "/p/home/dvc-thong-ke.html",
    "guides": "/p/home/dvc-huong-dan-cong-dan-doanh-nghiep.html",
}


def test_a_big_portal_spends_its_budget_where_the_criteria_look(
        evaluated: dict[str, PortalRun]) -> None:
    from urllib.parse import urlsplit

    from evaluator.evidence import load_bundle

    bundle = load_bundle(evaluated["kieu-jsp"].folder / "evidence")
    home = bundle.pages[0]
    assert len([ln for ln in home.links if ln.via == "href"]) >= 300
    assert bundle.crawl is not None and bundle.crawl.max_pages == 60 and bundle.crawl.truncated
    order = {urlsplit(p.final_url).path + (f"?{urlsplit(p.final_url).query}"
                                           if urlsplit(p.final_url).query else ""): p.id
             for p in bundle.pages}
    missing = {role: path for role, path in ROLE_PAGES.items() if path not in order}
    assert not missing, f"not crawled within max_pages: {missing}"
    news = [i for path, i in order.items() if "tin-tuc" in path or "new_id" in path]
    assert not news or max(order[p] for p in ROLE_PAGES.values()) < min(news), \
        "a news page was crawled before a page the criteria look at"
    # The search's results page and the lookup's answer were reached by their journeys.
    search, lookup = bundle.journeys.search, bundle.journeys.status_lookup
    assert search is not None and search.form_kind == "loose"
    assert all(run.answered == "new_page" and run.results for run in search.runs)
    assert lookup is not None and lookup.answered == "in_place"
    # The whole catalogue, through its button pager: counts and levels as the portal has them.
    walk = bundle.journeys.catalogue
    assert walk is not None and walk.stated_total == 1200 and len(walk.pages) == 60
    result = evaluated["kieu-jsp"].result
    catalogue = next(c for c in result.criteria if c.id == "service-catalogue")
    assert catalogue.status.value == "pass" and catalogue.display_value is not None
    assert catalogue.display_value.en.startswith("1,200 services")
    assert "cung cấp thông tin trực tuyến" in catalogue.display_value.en
    sample = bundle.journeys.service_sample
    assert sample is not None and sample.services_total == 1200 and len(sample.pages) == 30
    # Pages the sample drew beyond the crawl were read too (the walk's, not the crawl's).
    assert sum(1 for p in sample.pages if bundle.pages and p.final_url not in
               {q.final_url for q in bundle.pages}) > 0
