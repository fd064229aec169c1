"""The targets file of a round: YAML and CSV, and one-line errors naming file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluator.rounds.targets_file import TargetsFileError, load_targets

YAML = """\
targets:
  - id: bo-tu-phap
    name: Bộ Tư pháp
    agency: ministry
    start_url: https://dichvucong.moj.gov.vn/
    allowed_hosts: [moj.gov.vn]
    tags: [bo, 2025]
  - id: lai-chau
    name: Tỉnh Lai Châu
    agency: province
    start_url: https://dichvucong.laichau.gov.vn/
"""


def test_yaml_targets(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(YAML, encoding="utf-8")
    first, second = load_targets(path)
    assert (first.id, first.name, first.agency) == ("bo-tu-phap", "Bộ Tư pháp", "ministry")
    assert first.allowed_hosts == ("moj.gov.vn",) and first.tags == ("bo", "2025")
    assert second.start_url == "https://dichvucong.laichau.gov.vn/" and second.tags == ()


def test_bare_list_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "t.yml"
    path.write_text(YAML.replace("targets:\n", "").replace("\n  ", "\n").lstrip(" "),
                    encoding="utf-8")
    assert [t.id for t in load_targets(path)] == ["bo-tu-phap", "lai-chau"]


def test_csv_targets_with_bom_and_semicolon_lists(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("\ufeffid,name,agency,start_url,allowed_hosts,tags\n"
                    "lai-chau,Tỉnh Lai Châu,province,https://dichvucong.laichau.gov.vn/,"
                    "www.laichau.gov.vn;laichau.gov.vn,tinh;mien-nui\n"
                    ",,,,,\n", encoding="utf-8")
    (target,) = load_targets(path)
    assert target.allowed_hosts == ("www.laichau.gov.vn", "laichau.gov.vn")
    assert target.tags == ("tinh", "mien-nui")


@pytest.mark.parametrize(("text", "expected"), [
    (YAML.replace("agency: province", "agency: city"),
     "t.yaml:8: agency: must be one of ministry, province, not 'city'"),
    (YAML.replace("https://dichvucong.laichau.gov.vn/", "ftp://x"),
     "t.yaml:8: start_url: not an http(s) URL: 'ftp://x'"),
    (YAML.replace("    tags: [bo, 2025]\n", "    colour: red\n"),
     "t.yaml:2: colour: unknown field (known: id, name, agency, start_url, allowed_hosts, tags)"),
    (YAML.replace("id: lai-chau", "id: ../etc"), "t.yaml:8: id: invalid portal id '../etc'"),
    (YAML.replace("id: lai-chau", "id: bo-tu-phap"), "t.yaml:8: portal id 'bo-tu-phap' appears twice"),
    (YAML.replace("    name: Tỉnh Lai Châu\n", ""), "t.yaml:8: name: Field required"),
    ("targets: [\n", "t.yaml:2: invalid YAML"),
    ("targets: []\n", "t.yaml: no targets"),
])
def test_yaml_errors_name_file_line_and_field(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TargetsFileError) as err:
        load_targets(path)
    message = str(err.value)
    assert message.startswith(str(tmp_path) + "/")
    assert expected in message, message
    assert "\n" not in message


def test_csv_errors_name_the_row(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("id,name,agency,start_url\n"
                    "a,A,province,https://a.gov.vn/\n"
                    "b,B,ministry,not a url\n", encoding="utf-8")
    with pytest.raises(TargetsFileError, match=r"t\.csv:3: start_url: not an http\(s\) URL"):
        load_targets(path)
    path.write_text("id,name,kind,start_url\n", encoding="utf-8")
    with pytest.raises(TargetsFileError, match=r"t\.csv:1: unknown column 'kind'"):
        load_targets(path)


def test_other_file_kinds_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(TargetsFileError, match=r"must end in \.yaml, \.yml or \.csv"):
        (tmp_path / "t.json").write_text("[]")
        load_targets(tmp_path / "t.json")
    with pytest.raises(TargetsFileError, match="cannot read targets"):
        load_targets(tmp_path / "none.yaml")
