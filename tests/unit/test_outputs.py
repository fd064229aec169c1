"""JUnit XML and SARIF outputs: valid against their published schemas, counts that match the
result, exact output for a small hand-made result, escaping, determinism. No browser."""

from __future__ import annotations

import json
import os
import re
import stat
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import xmlschema

from evaluator.checks.model import Status
from evaluator.outputs import render_junit, render_sarif, write_junit, write_sarif
from evaluator.outputs.sarif import scheme_less_uri, uri_reference
from evaluator.results import PortalResult, load_result

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
VENDOR = ROOT / "schemas" / "vendor"
PORTALS = ("mau", "tinh-trung-binh", "kem")
NOT_EVALUATED = "start URL unreachable: net::ERR_CONNECTION_REFUSED"


# --- results ---------------------------------------------------------------------------------

def golden(portal_id: str) -> PortalResult:
    return load_result(GOLDEN / f"{portal_id}.vn-2023.result.json")


def not_evaluated() -> PortalResult:
    """What scoring makes of a bundle whose portal could not be reached."""
    mau = golden("mau")
    pillars = {k: p.model_copy(update={"points": 0.0}) for k, p in mau.pillars.items()}
    return mau.model_copy(update={
        "portal_id": "sap", "portal_name": "Cổng sập", "grade": None, "total": None,
        "criteria": [], "pillars": pillars, "not_evaluated": NOT_EVALUATED,
        "pages_evaluated": 0})


def text(en: str, vi: str) -> dict[str, str]:
    return {"vi": vi, "en": en}


def criterion(cid: str, pillar: str, status: str, points: float, possible: float,
              **extra: Any) -> dict[str, Any]:
    return {
        "id": cid, "pillar": pillar, "fixed_by": "development", "status": status,
        "points": points, "points_possible": possible,
        "title": text(f"{cid.capitalize()} works", f"{cid} hoạt động"),
        "failure_title": text(f"{cid.capitalize()} is broken", f"{cid} hỏng"),
        "description": text(f"Why {cid} matters.", f"Vì sao {cid} quan trọng."),
        "fix": text(f"Repair {cid}.", f"Sửa {cid}."),
        "source": "TT 22/2019/TT-BTTTT Đ6", "check": f"{cid}_check", "scope": "site",
        **extra,
    }


def small(finding_message: str = "No result for 'b'") -> PortalResult:
    """Two pillars, one criterion of each status, one finding with every field set."""
    return PortalResult.model_validate({
        "schema_version": PortalResult.model_fields["schema_version"].default,
        "portal_id": "demo", "portal_name": "Cổng thử", "start_url": "https://dvc.example.vn/",
        "evaluated_at": "2026-01-02T03:04:05+00:00",
        "profile": {"id": "vn-2023", "title": text("Criteria", "Tiêu chí"), "digest": "abc123",
                    "bands": [{"grade": "A", "min": 90}, {"grade": "E", "min": 0}]},
        "versions": {"portal_eval": "0.1.0"},
        "grade": "E", "total": 12.5,
        "pillars": {
            "functionality": {"id": "functionality", "title": text("Functionality", "Chức năng"),
                              "points": 12.5, "points_possible": 70},
            "access": {"id": "access", "title": text("Access", "Truy cập"), "points": 0,
                       "points_possible": 30},
        },
        "criteria": [
            criterion("hotline", "functionality", "pass", 5, 5),
            criterion("search", "functionality", "fail", 7.5, 15,
                      display_value=text("1 of 2 queries", "1/2 truy vấn"),
                      expected=text("every query", "mọi truy vấn"),
                      pages=["https://dvc.example.vn/tim-kiem?q=a"],
                      findings=[
                          {"message": text(finding_message, "Không có kết quả cho 'b'"),
                           "page_url": "https://dvc.example.vn/tìm kiếm?q=b",
                           "selector": "#results", "snippet": "Không tìm thấy", "value": "0",
                           "expected": text("≥ 1 result", "≥ 1 kết quả"), "impact": "serious"},
                          {"message": text("Search box unlabelled", "Ô tìm kiếm không nhãn")},
                      ], findings_total=3),
            criterion("contrast", "access", "error", 0, 10,
                      error="missing evidence 'axe': axe-core did not run"),
            criterion("alt-text", "access", "needs_review", 0, 10,
                      display_value=text("3 images to check", "3 ảnh cần xem")),
            criterion("captcha", "access", "not_applicable", 0, 10,
                      display_value=text("no form needs a captcha", "không có biểu mẫu")),
        ],
    })


def all_results() -> dict[str, PortalResult]:
    return {**{p: golden(p) for p in PORTALS}, "not-evaluated": not_evaluated(), "small": small()}


CASES = ("mau", "tinh-trung-binh", "kem", "not-evaluated", "small")


# --- schemas ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def results() -> dict[str, PortalResult]:
    return all_results()


@pytest.fixture(scope="module")
def junit_xsd() -> xmlschema.XMLSchemaBase:
    return xmlschema.XMLSchema10(str(VENDOR / "junit-10.xsd"))


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.protocols.Validator:
    schema = json.loads((VENDOR / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    assert cls is jsonschema.Draft7Validator  # the schema's own "$schema" says draft-07
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_vendored_schemas_are_the_published_ones() -> None:
    sarif = json.loads((VENDOR / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    assert sarif["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert sarif["properties"]["version"]["enum"] == ["2.1.0"]
    assert len(sarif["definitions"]) == 52
    xsd = (VENDOR / "junit-10.xsd").read_text(encoding="utf-8")
    assert "Copyright (c) 2014, Gregory Boissinot" in xsd
    assert "vendor" in (VENDOR / "README.md").read_text(encoding="utf-8").lower()


def test_the_schemas_do_reject_malformed_output(
    junit_xsd: xmlschema.XMLSchemaBase, sarif_validator: jsonschema.protocols.Validator,
) -> None:
    # Guards against a validator that accepts anything (wrong schema file, wrong draft).
    xml = render_junit(small())
    assert junit_xsd.is_valid(xml)
    assert not junit_xsd.is_valid(xml.replace('<testsuite name="access"',
                                              '<testsuite name="access" bogus="1"'))
    assert not junit_xsd.is_valid(xml.replace("<testcase ", "<testcase-x ", 1))
    log = json.loads(render_sarif(small()))
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert list(sarif_validator.iter_errors(log))
    log = json.loads(render_sarif(small()))
    del log["runs"][0]["tool"]["driver"]["name"]
    assert list(sarif_validator.iter_errors(log))


def _validate_sarif(validator: jsonschema.protocols.Validator, log: Any) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


# --- JUnit -----------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES)
def test_junit_is_valid_against_the_jenkins_xsd(
    case: str, results: dict[str, PortalResult], junit_xsd: xmlschema.XMLSchemaBase,
    tmp_path: Path,
) -> None:
    path = write_junit(results[case], tmp_path / "junit.xml")
    junit_xsd.validate(str(path))
    assert path.read_bytes().startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')


@pytest.mark.parametrize("case", ["mau", "tinh-trung-binh", "kem", "small"])
def test_junit_has_one_test_case_per_criterion_and_counts_from_the_result(
    case: str, results: dict[str, PortalResult],
) -> None:
    result = results[case]
    statuses = Counter(c.status for c in result.criteria)
    root = ET.fromstring(render_junit(result))
    assert root.tag == "testsuites"
    assert root.get("tests") == str(len(result.criteria))
    assert root.get("failures") == str(statuses[Status.FAIL])
    assert root.get("errors") == str(statuses[Status.ERROR])

    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == list(result.pillars)
    cases = root.findall("testsuite/testcase")
    assert len(cases) == len(result.criteria)
    assert len(root.findall("testsuite/testcase/failure")) == statuses[Status.FAIL]
    assert len(root.findall("testsuite/testcase/error")) == statuses[Status.ERROR]
    assert len(root.findall("testsuite/testcase/skipped")) == (
        statuses[Status.NEEDS_REVIEW] + statuses[Status.NOT_APPLICABLE])
    for case_el, crit in zip(cases, [c for p in result.pillars for c in result.criteria
                                     if c.pillar == p], strict=True):
        assert case_el.get("classname") == f"portal-eval.{result.portal_id}.{crit.pillar}"
        assert case_el.get("name") == f"{crit.id}: {crit.title.en}"
    for suite in suites:
        mine = [c for c in result.criteria if c.pillar == suite.get("name")]
        assert suite.get("tests") == str(len(mine))
        assert suite.get("failures") == str(sum(c.status is Status.FAIL for c in mine))
        props = {p.get("name"): p.get("value") for p in suite.iter("property")}
        assert props["grade"] == result.grade
        assert props["total"] == f"{result.total:g}"
        assert props["profile"] == "vn-2023"
        assert props["portal"] == result.portal_id


def test_junit_failures_name_the_pages_of_their_findings() -> None:
    result = golden("kem")
    root = ET.fromstring(render_junit(result))
    failures = {case.get("name", "").split(":")[0]: case.find("failure")
                for case in root.iter("testcase")}
    for crit in result.criteria:
        if crit.status is not Status.FAIL:
            assert failures[crit.id] is None
            continue
        failure = failures[crit.id]
        assert failure is not None and failure.text is not None
        assert failure.get("message", "").startswith(crit.failure_title.en)
        for finding in crit.findings:
            if finding.page_url:
                assert finding.page_url in failure.text


def test_junit_for_a_portal_that_could_not_be_evaluated() -> None:
    root = ET.fromstring(render_junit(not_evaluated()))
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("1", "0", "1")
    (case,) = root.iter("testcase")
    assert case.get("name") == "portal-evaluated"
    error = case.find("error")
    assert error is not None and error.get("message") == f"not evaluated: {NOT_EVALUATED}"
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert props["grade"] == "" and props["total"] == ""
    assert props["not_evaluated"] == NOT_EVALUATED


EXPECTED_JUNIT = """\
<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="portal-eval.demo" tests="5" failures="1" errors="1">
  <testsuite name="functionality" package="portal-eval.demo" id="0" tests="2" failures="1" \
errors="0" skipped="0" timestamp="2026-01-02T03:04:05+00:00">
    <properties>
      <property name="portal" value="demo" />
      <property name="portal_name" value="Cổng thử" />
      <property name="start_url" value="https://dvc.example.vn/" />
      <property name="profile" value="vn-2023" />
      <property name="profile_digest" value="abc123" />
      <property name="grade" value="E" />
      <property name="total" value="12.5" />
      <property name="total_possible" value="100" />
      <property name="pillar" value="functionality" />
      <property name="pillar_points" value="12.5" />
      <property name="pillar_points_possible" value="70" />
      <property name="evaluated_at" value="2026-01-02T03:04:05+00:00" />
      <property name="portal_eval_version" value="0.1.0" />
    </properties>
    <testcase classname="portal-eval.demo.functionality" name="hotline: Hotline works" />
    <testcase classname="portal-eval.demo.functionality" name="search: Search works">
      <failure message="Search is broken: 1 of 2 queries (expected every query)" type="fail">\
search: Search works
Measured: 1 of 2 queries
Expected: every query
Points: 7.5/15
Source: TT 22/2019/TT-BTTTT Đ6
Fix: Repair search.
Findings (2 of 3):
- No result for 'b' (value: 0; expected: ≥ 1 result) — https://dvc.example.vn/tìm kiếm?q=b — \
element #results — "Không tìm thấy" — impact serious
- Search box unlabelled
Pages:
- https://dvc.example.vn/tim-kiem?q=a
</failure>
    </testcase>
  </testsuite>
  <testsuite name="access" package="portal-eval.demo" id="1" tests="3" failures="0" errors="1" \
skipped="2" timestamp="2026-01-02T03:04:05+00:00">
    <properties>
      <property name="portal" value="demo" />
      <property name="portal_name" value="Cổng thử" />
      <property name="start_url" value="https://dvc.example.vn/" />
      <property name="profile" value="vn-2023" />
      <property name="profile_digest" value="abc123" />
      <property name="grade" value="E" />
      <property name="total" value="12.5" />
      <property name="total_possible" value="100" />
      <property name="pillar" value="access" />
      <property name="pillar_points" value="0" />
      <property name="pillar_points_possible" value="30" />
      <property name="evaluated_at" value="2026-01-02T03:04:05+00:00" />
      <property name="portal_eval_version" value="0.1.0" />
    </properties>
    <testcase classname="portal-eval.demo.access" name="contrast: Contrast works">
      <error message="Contrast works: the check could not run: missing evidence 'axe': axe-core \
did not run" type="error">contrast: Contrast works
Error: missing evidence 'axe': axe-core did not run
Points: 0/10
Source: TT 22/2019/TT-BTTTT Đ6
Fix: Repair contrast.
</error>
    </testcase>
    <testcase classname="portal-eval.demo.access" name="alt-text: Alt-text works">
      <skipped message="needs review: Alt-text works: 3 images to check" type="needs_review">\
alt-text: Alt-text works
Measured: 3 images to check
Points: 0/10
Source: TT 22/2019/TT-BTTTT Đ6
Fix: Repair alt-text.
</skipped>
    </testcase>
    <testcase classname="portal-eval.demo.access" name="captcha: Captcha works">
      <skipped message="not applicable: no form needs a captcha" type="not_applicable" />
    </testcase>
  </testsuite>
</testsuites>
"""


def test_junit_exact_output() -> None:
    assert render_junit(small()) == EXPECTED_JUNIT


# --- SARIF -----------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES)
def test_sarif_is_valid_against_the_oasis_schema(
    case: str, results: dict[str, PortalResult], sarif_validator: jsonschema.protocols.Validator,
    tmp_path: Path,
) -> None:
    path = write_sarif(results[case], tmp_path / "results.sarif")
    log = json.loads(path.read_text(encoding="utf-8"))
    _validate_sarif(sarif_validator, log)
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1


@pytest.mark.parametrize("case", ["mau", "tinh-trung-binh", "kem", "small"])
def test_sarif_rules_are_the_criteria_and_results_the_findings(
    case: str, results: dict[str, PortalResult],
) -> None:
    result = results[case]
    (run,) = json.loads(render_sarif(result))["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "portal-eval" and driver["version"]
    rules = driver["rules"]
    assert [r["id"] for r in rules] == [c.id for c in result.criteria]
    for rule, crit in zip(rules, result.criteria, strict=True):
        assert rule["shortDescription"]["text"] == crit.title.en
        assert rule["fullDescription"]["text"] == crit.description.en
        assert rule["help"]["text"] == crit.fix.en
        assert rule["properties"]["pillar"] == crit.pillar
        assert rule["properties"]["points"] == crit.points_possible
        assert rule["properties"]["legalSource"] == crit.source

    reported = [c for c in result.criteria
                if c.status in (Status.FAIL, Status.ERROR, Status.NEEDS_REVIEW)]
    assert len(run["results"]) == sum(max(1, len(c.findings)) for c in reported)
    levels = {Status.FAIL: "error", Status.ERROR: "warning", Status.NEEDS_REVIEW: "note"}
    expected_levels = Counter(levels[c.status] for c in reported
                              for _ in range(max(1, len(c.findings))))
    assert Counter(r["level"] for r in run["results"]) == expected_levels
    for entry in run["results"]:
        assert rules[entry["ruleIndex"]]["id"] == entry["ruleId"]
        assert entry["message"]["text"]

    page_urls = [uri_reference(f.page_url) for c in reported for f in c.findings if f.page_url]
    uris = [loc["physicalLocation"]["artifactLocation"]["uri"]
            for r in run["results"] for loc in r.get("locations", []) if "physicalLocation" in loc]
    assert uris == page_urls
    assert run["properties"]["grade"] == result.grade
    assert run["properties"]["total"] == result.total
    assert run["properties"]["profile"] == "vn-2023"
    assert run["invocations"][0]["executionSuccessful"] is True


def test_sarif_failed_criterion_without_findings_still_gets_a_result() -> None:
    base = small()
    bare = base.criteria[1].model_copy(update={"findings": [], "findings_total": 0})
    result = base.model_copy(update={"criteria": [base.criteria[0], bare]})
    (run,) = json.loads(render_sarif(result))["runs"]
    assert run["results"] == [{
        "ruleId": "search", "ruleIndex": 1, "level": "error",
        "message": {"text": "Search is broken: 1 of 2 queries (expected every query)"},
        "properties": {"status": "fail", "points": 7.5, "pointsPossible": 15.0},
    }]


def test_sarif_error_criteria_are_also_tool_notifications() -> None:
    (run,) = json.loads(render_sarif(small()))["runs"]
    assert run["invocations"] == [{
        "executionSuccessful": True,
        "toolExecutionNotifications": [{
            "message": {"text": "contrast: the check could not run: missing evidence 'axe': "
                                "axe-core did not run"},
            "level": "error", "associatedRule": {"id": "contrast", "index": 2}}],
    }]


def test_sarif_for_a_portal_that_could_not_be_evaluated() -> None:
    (run,) = json.loads(render_sarif(not_evaluated()))["runs"]
    assert run["results"] == [] and run["tool"]["driver"]["rules"] == []
    assert run["invocations"] == [{
        "executionSuccessful": False,
        "toolExecutionNotifications": [
            {"message": {"text": f"not evaluated: {NOT_EVALUATED}"}, "level": "error"}],
    }]
    assert run["properties"]["grade"] is None
    assert run["properties"]["notEvaluated"] == NOT_EVALUATED


EXPECTED_SARIF = """\
{
  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
  "version": "2.1.0",
  "runs": [
    {
      "tool": {
        "driver": {
          "name": "portal-eval",
          "version": "0.1.0",
          "semanticVersion": "0.1.0",
          "informationUri": "https://github.com/portal-eval/portal-eval",
          "rules": [
            {
              "id": "search",
              "name": "Search",
              "shortDescription": {
                "text": "Search works"
              },
              "fullDescription": {
                "text": "Why search matters."
              },
              "help": {
                "text": "Repair search."
              },
              "defaultConfiguration": {
                "level": "error"
              },
              "properties": {
                "pillar": "functionality",
                "points": 15.0,
                "legalSource": "TT 22/2019/TT-BTTTT Đ6",
                "check": "search_check",
                "scope": "site",
                "manual": false,
                "tags": [
                  "functionality",
                  "search_check",
                  "site"
                ]
              }
            }
          ]
        }
      },
      "invocations": [
        {
          "executionSuccessful": true
        }
      ],
      "results": [
        {
          "ruleId": "search",
          "ruleIndex": 0,
          "level": "error",
          "message": {
            "text": "No result for 'b' (value: 0; expected: ≥ 1 result)"
          },
          "locations": [
            {
              "physicalLocation": {
                "artifactLocation": {
                  "uri": "https://dvc.example.vn/t%C3%ACm%20ki%E1%BA%BFm?q=b"
                },
                "region": {
                  "snippet": {
                    "text": "Không tìm thấy"
                  }
                }
              },
              "logicalLocations": [
                {
                  "name": "#results",
                  "kind": "element"
                }
              ]
            }
          ],
          "properties": {
            "status": "fail",
            "points": 7.5,
            "pointsPossible": 15.0,
            "impact": "serious"
          }
        },
        {
          "ruleId": "search",
          "ruleIndex": 0,
          "level": "error",
          "message": {
            "text": "Search box unlabelled"
          },
          "properties": {
            "status": "fail",
            "points": 7.5,
            "pointsPossible": 15.0
          }
        }
      ],
      "properties": {
        "portal": "demo",
        "portalName": "Cổng thử",
        "startUrl": "https://dvc.example.vn/",
        "evaluatedAt": "2026-01-02T03:04:05+00:00",
        "profile": "vn-2023",
        "profileDigest": "abc123",
        "grade": "E",
        "total": 12.5,
        "totalPossible": 100.0,
        "pillars": {
          "functionality": {
            "points": 12.5,
            "pointsPossible": 70.0
          },
          "access": {
            "points": 0.0,
            "pointsPossible": 30.0
          }
        },
        "notEvaluated": null
      }
    }
  ]
}
"""


def test_sarif_exact_output() -> None:
    result = small()
    only_search = result.model_copy(update={"criteria": [result.criteria[1]]})
    assert render_sarif(only_search) == EXPECTED_SARIF


def test_sarif_uris_are_valid_uri_references() -> None:
    # RFC 3986 characters only (the format code scanning checks "uri-reference" against).
    allowed = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")
    for case, result in all_results().items():
        for relative in (False, True):
            log = json.loads(render_sarif(result, relative_uris=relative))
            for entry in log["runs"][0]["results"]:
                for loc in entry.get("locations", []):
                    uri = loc.get("physicalLocation", {}).get("artifactLocation", {}).get("uri")
                    if uri is not None:
                        assert allowed.match(uri), (case, uri)


def test_sarif_relative_uris_for_github_code_scanning(
    sarif_validator: jsonschema.protocols.Validator,
) -> None:
    assert scheme_less_uri("http://127.0.0.1:43229/thu-tuc?trang=2") == "127.0.0.1_43229/thu-tuc?trang=2"
    assert scheme_less_uri("https://dvc.example.vn/") == "dvc.example.vn/"
    assert scheme_less_uri("https://dvc.example.vn") == "dvc.example.vn/"
    result = golden("kem")
    log = json.loads(render_sarif(result, relative_uris=True))
    _validate_sarif(sarif_validator, log)
    located = [r for r in log["runs"][0]["results"] if "locations" in r
               and "physicalLocation" in r["locations"][0]]
    assert located
    for entry in located:
        uri = entry["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert "://" not in uri and ":" not in uri.split("/")[0]
        # kem's pages, as frozen: at its (unofficial) name over HTTPS (fixtures/https_demo.py),
        # and its http:// address, which does not redirect.
        assert entry["properties"]["pageUrl"].startswith(("https://cong.kem.vn:",
                                                          "http://cong.kem.vn:"))


# --- escaping and determinism ----------------------------------------------------------------

HOSTILE = 'Bad <script>alert("x")</script> & ]]> \'q\' \x00\x07\x0b\x1b\t\r\nend'


def test_hostile_text_survives_as_data_in_junit(junit_xsd: xmlschema.XMLSchemaBase) -> None:
    xml = render_junit(small(HOSTILE))
    assert "<script>" not in xml and "]]>" not in xml
    junit_xsd.validate(xml)
    root = ET.fromstring(xml)
    failure = root.find(".//failure")
    assert failure is not None and failure.text is not None
    line = next(x for x in failure.text.splitlines() if x.startswith("- Bad"))
    # Markup is data; characters XML 1.0 cannot hold are shown as escapes; tab kept, CR LF → LF.
    assert line == ('- Bad <script>alert("x")</script> & ]]> \'q\' \\x00\\x07\\x0b\\x1b\t')
    assert "end (value: 0; expected: ≥ 1 result)" in failure.text


def test_hostile_text_survives_exactly_in_sarif(
    sarif_validator: jsonschema.protocols.Validator, tmp_path: Path,
) -> None:
    path = write_sarif(small(HOSTILE), tmp_path / "results.sarif")
    log = json.loads(path.read_bytes().decode("utf-8"))
    _validate_sarif(sarif_validator, log)
    assert log["runs"][0]["results"][0]["message"]["text"] == (
        HOSTILE + " (value: 0; expected: ≥ 1 result)")


def test_lone_surrogates_cannot_break_either_file(tmp_path: Path) -> None:
    # Validation refuses them, but a copied model is not re-validated: neither writer may crash.
    base = small()
    crit = base.criteria[1]
    finding = crit.findings[0].model_copy(update={"snippet": "a\ud800b"})
    broken = base.model_copy(update={"criteria": [
        crit.model_copy(update={"findings": [finding]})]})
    xml = write_junit(broken, tmp_path / "junit.xml").read_text(encoding="utf-8")
    assert '"a\\ud800b"' in xml
    log = json.loads(write_sarif(broken, tmp_path / "r.sarif").read_text(encoding="utf-8"))
    region = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region["snippet"]["text"] == "a\ud800b"


@pytest.mark.parametrize("case", CASES)
def test_outputs_are_deterministic(case: str, tmp_path: Path) -> None:
    first, second = all_results()[case], all_results()[case]
    assert render_junit(first) == render_junit(second)
    assert render_sarif(first) == render_sarif(second)
    a = write_junit(first, tmp_path / "a" / "junit.xml").read_bytes()
    b = write_junit(second, tmp_path / "b" / "junit.xml").read_bytes()
    assert a == b
    # The only date-times in either file are the result's own evaluated_at and, as evidence,
    # the TLS certificate's validity ("valid <not before> – <not after>", checked below).
    for out in (render_junit(first), render_sarif(first)):
        validity = r"valid \d{4}-\d\d-\d\dT[\d:]+\+00:00 – \d{4}-\d\d-\d\dT[\d:]+\+00:00"
        rest = re.sub(validity, "", out)
        assert set(re.findall(r"\d{4}-\d\d-\d\dT[\d:]+[^\"<]*", rest)) == {first.evaluated_at}


def test_writers_are_atomic_and_leave_shareable_files(tmp_path: Path) -> None:
    result = golden("kem")
    out = tmp_path / "out" / "kem"
    junit = write_junit(result, out / "junit.xml")
    sarif = write_sarif(result, out / "results.sarif")
    assert junit == out / "junit.xml" and sarif == out / "results.sarif"
    assert junit.read_text(encoding="utf-8") == render_junit(result)
    assert sarif.read_text(encoding="utf-8") == render_sarif(result)
    assert sorted(p.name for p in out.iterdir()) == ["junit.xml", "results.sarif"]  # no temp left
    assert stat.S_IMODE(os.stat(junit).st_mode) == 0o644
    # Overwriting replaces the whole file.
    write_junit(not_evaluated(), junit)
    assert "portal-evaluated" in junit.read_text(encoding="utf-8")


def test_scheme_less_uri_of_an_ipv6_host_has_no_colon() -> None:
    from evaluator.outputs.sarif import scheme_less_uri

    uri = scheme_less_uri("http://[::1]:8080/thu-tuc?trang=2")
    assert ":" not in uri and uri.startswith("__1_8080/thu-tuc")
