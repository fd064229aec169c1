"""Attestations in rounds: `batch --attestations DIR` and `rescore --attestations DIR` check every
file before touching the round, record which file (and its digest) graded each portal, and a
re-score reproduces the last one. `history` shows the automated and the full total."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from evaluator.criteria.loader import CriteriaError, load_profile
from evaluator.results import load_result
from evaluator.rounds.attestations import read_attestations_dir
from evaluator.rounds.store import RoundStore
from tests.unit.conftest import Ran
from tests.unit.test_rounds_report import GOLDEN, ROOT, stored_round

PORTALS = ROOT / "fixtures" / "portals"
# As the goldens have them (scored with the fixtures' attestations): a new criterion moves them.
GOLDENS = {pid: load_result(GOLDEN / f"{pid}.vn-2023.result.json")
           for pid in ("mau", "tinh-trung-binh")}
GOLDEN_TOTALS = {pid: r.total for pid, r in GOLDENS.items()}
AUTOMATED = {pid: r.total_automated for pid, r in GOLDENS.items()}


def attestation_dir(tmp_path: Path, portals: tuple[str, ...] = ("mau", "tinh-trung-binh"),
                    name: str = "att") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for pid in portals:
        shutil.copy(PORTALS / pid / "attestations.yaml", folder / f"{pid}.yaml")
    return folder


def snapshot(url: str) -> tuple[object, ...]:
    with RoundStore(url) as store:
        info = store.round("r1")
        return (info.settings, [(r.portal_id, r.profile, r.total, r.result_json)
                                for r in store.results("r1")],
                store.attestations("r1", "vn-2023"))


# ------------------------------------------------------------------------ the folder of files


def test_one_file_per_portal_each_checked_whole(tmp_path: Path) -> None:
    profile = load_profile("vn-2023")
    folder = attestation_dir(tmp_path)
    (folder / "README.txt").write_text("not an attestation file")  # other files are ignored
    found = read_attestations_dir(folder, {"mau", "tinh-trung-binh", "kem"}, profile, "round r1")
    assert sorted(found) == ["mau", "tinh-trung-binh"]
    raw = (folder / "mau.yaml").read_bytes()
    assert found["mau"].sha256 == hashlib.sha256(raw).hexdigest()
    assert found["mau"].file == str((folder / "mau.yaml").resolve())
    assert set(found["mau"].parse(profile)) == {"prefilled-eforms", "form-assistance",
                                                "online-payment-end-to-end", "digital-signature",
                                                "status-notifications"}


@pytest.mark.parametrize(("setup", "where", "message"), [
    (lambda d: (d / "ha-noi.yaml").write_text("attestations: []\n"), "ha-noi.yaml:1",
     "no portal 'ha-noi' in round r1 (the file's name must be a portal id: mau, tinh-trung-binh)"),
    (lambda d: (d / "mau.yaml").write_text(
        "attestations:\n  - criterion: faq\n    score: 1\n    note: n\n    evidence: e\n"
        "    attested_by: a\n    attested_on: 2026-12-06\n"),
     "mau.yaml:2", "criterion 'faq' is automated"),
    (lambda d: (d / "mau.yaml").write_text("portal: kem\nattestations: []\n"), "mau.yaml:1",
     "attestations are for portal 'kem', not 'mau'"),
    (lambda d: (d / "mau.yml").write_text("attestations: []\n"), "mau.yml:1",
     "portal 'mau' has two attestation files: mau.yaml and mau.yml"),
])
def test_a_bad_file_is_one_line_with_file_and_line(tmp_path: Path, setup: object, where: str,
                                                  message: str) -> None:
    folder = attestation_dir(tmp_path)
    setup(folder)  # type: ignore[operator]
    with pytest.raises(CriteriaError) as info:
        read_attestations_dir(folder, {"mau", "tinh-trung-binh"}, load_profile("vn-2023"),
                              "round r1")
    text = str(info.value)
    assert "\n" not in text and text.startswith(f"{folder / where.split(':')[0]}:"), text
    assert text.startswith(f"{folder}/{where}: ") and message in text, text


def test_a_missing_or_empty_folder_is_an_error(tmp_path: Path) -> None:
    profile = load_profile("vn-2023")
    with pytest.raises(CriteriaError, match="no such folder"):
        read_attestations_dir(tmp_path / "none", {"mau"}, profile, "round r1")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CriteriaError, match="no attestation file in it"):
        read_attestations_dir(tmp_path / "empty", {"mau"}, profile, "round r1")


# ----------------------------------------------------------------------------------- rescore


def test_rescore_in_place_gives_the_round_its_attestations_reproducibly(
        tmp_path: Path, cli: Callable[..., Ran]) -> None:
    url = stored_round(tmp_path)
    with RoundStore(url) as store:
        assert {r.portal_id: r.total for r in store.results("r1")} == AUTOMATED
    # The round's own profile without attestations: nothing to re-grade.
    refused = cli("rescore", "r1", "--profile", "vn-2023", "--store", url, "--out", str(tmp_path))
    assert refused.returncode == 2 and "give --attestations DIR" in refused.stderr

    folder = attestation_dir(tmp_path)
    proc = cli("rescore", "r1", "--profile", "vn-2023", "--store", url, "--out", str(tmp_path),
               "--attestations", str(folder))
    assert proc.returncode == 0, proc.stderr
    for pid, grade in (("mau", "A"), ("tinh-trung-binh", "C")):
        assert (f"{pid}: grade {grade}, {GOLDEN_TOTALS[pid]:g}/100 "
                f"(automated {AUTOMATED[pid]:g})") in proc.stdout
    sha = hashlib.sha256((folder / "mau.yaml").read_bytes()).hexdigest()
    assert f"mau: attestations {(folder / 'mau.yaml').resolve()} (sha256 {sha[:16]}…)" in proc.stdout
    assert "re-graded in place" in proc.stdout
    with RoundStore(url) as store:
        info = store.round("r1")
        assert {r.portal_id: r.total for r in store.results("r1")} == GOLDEN_TOTALS
        # The round's settings say which file graded each portal, with its digest.
        assert info.settings["attestations"]["vn-2023"]["mau"] == {
            "file": str((folder / "mau.yaml").resolve()), "sha256": sha}
        assert store.evidence("r1", "mau") is not None  # the evidence stays
    # The round's own folder is re-written from the re-graded results.
    result = load_result(tmp_path / "r1" / "mau")
    assert (result.total, result.total_automated) == (GOLDEN_TOTALS["mau"], AUTOMATED["mau"])
    assert "prefilled-eforms" in (tmp_path / "r1" / "mau" / "report.html").read_text("utf-8")

    # The file changes or goes away: a re-score with another profile and the recorded ones...
    (folder / "mau.yaml").write_text("attestations: []\n", encoding="utf-8")
    again = cli("rescore", "r1", "--profile", "vn-2024", "--store", url, "--out", str(tmp_path))
    assert again.returncode == 0, again.stderr
    assert "note: round r1's attestations were recorded for vn-2023" in again.stderr
    # ...and the history shows both totals, and which rounds had attestations.
    hist = cli("history", "mau", "--store", url)
    assert hist.returncode == 0, hist.stderr
    header, row = hist.stdout.splitlines()[1:3]
    assert header.split()[:5] == ["round", "evaluated", "grade", "automated", "total"]
    assert row.split()[3:6] == ["A", f"{AUTOMATED['mau']:g}", f"{GOLDEN_TOTALS['mau']:g}"]
    assert row.split()[-1] == "yes"


def test_a_rescore_with_another_profile_records_its_attestations_and_reuses_them(
        tmp_path: Path, cli: Callable[..., Ran]) -> None:
    url = stored_round(tmp_path)
    folder = attestation_dir(tmp_path)
    first = cli("rescore", "r1", "--profile", "vn-2024", "--store", url, "--out", str(tmp_path),
                "--attestations", str(folder))
    assert first.returncode == 0, first.stderr
    shutil.rmtree(folder)  # gone: the round kept its copy
    second = cli("rescore", "r1", "--profile", "vn-2024", "--store", url, "--out", str(tmp_path))
    assert second.returncode == 0, second.stderr
    grades = [ln for ln in first.stdout.splitlines() if ": grade " in ln]
    assert grades == [ln for ln in second.stdout.splitlines() if ": grade " in ln]
    assert any("mau: attestations" in ln for ln in second.stdout.splitlines())
    with RoundStore(url) as store:
        own = {r.portal_id: r.total for r in store.results("r1")}
        settings = store.round("r1").settings
    assert own == AUTOMATED  # the round's own results are untouched
    assert set(settings["attestations"]) == {"vn-2024"}
    result = json.loads((tmp_path / "r1" / "rescore-vn-2024" / "mau" / "result.json").read_text())
    assert [c["id"] for c in result["criteria"] if c["status"] == "needs_review"] == [
        "security-posture"]  # vn-2024's own manual criterion: not in the vn-2023 file


def test_a_regrade_drops_the_earlier_pdfs_and_says_which_portal_lost_its_attestations(
        tmp_path: Path, cli: Callable[..., Ran]) -> None:
    url = stored_round(tmp_path)
    first = cli("rescore", "r1", "--profile", "vn-2023", "--store", url, "--out", str(tmp_path),
                "--attestations", str(attestation_dir(tmp_path)))
    assert first.returncode == 0 and "note:" not in first.stderr, first.stderr
    # What `batch --pdf` printed: each showing the grade of its day.
    round_dir = tmp_path / "r1"
    earlier = [round_dir / "index.pdf", round_dir / "mau" / "report.pdf",
               round_dir / "tinh-trung-binh" / "report.pdf"]
    for pdf in earlier:
        pdf.write_bytes(b"%PDF-1.7 the earlier grade")
    only_mau = attestation_dir(tmp_path, ("mau",), name="att2")
    proc = cli("rescore", "r1", "--profile", "vn-2023", "--store", url, "--out", str(tmp_path),
               "--attestations", str(only_mau))
    assert proc.returncode == 0, proc.stderr
    assert [pdf for pdf in earlier if pdf.exists()] == []
    assert (f"note: removed 3 PDFs ({earlier[0]}, …): printed from the earlier reports, they "
            "showed the earlier grades; give --pdf to print the new ones") in proc.stderr
    assert (f"note: no file for tinh-trung-binh in {only_mau}: graded without the attestations "
            "the round had for them") in proc.stderr
    assert load_result(round_dir / "tinh-trung-binh").total == AUTOMATED["tinh-trung-binh"]


def test_a_bad_attestations_folder_leaves_the_round_untouched(
        tmp_path: Path, cli: Callable[..., Ran]) -> None:
    url = stored_round(tmp_path)
    folder = attestation_dir(tmp_path)
    (folder / "tinh-trung-binh.yaml").write_text("attestations:\n  - criterion: digital-signature\n"
                                                 "    score: 2\n", encoding="utf-8")
    before = snapshot(url)
    proc = cli("rescore", "r1", "--profile", "vn-2023", "--store", url, "--out", str(tmp_path),
               "--attestations", str(folder))
    assert proc.returncode == 2
    assert proc.stderr.strip() == (f"portal-eval: error: {folder / 'tinh-trung-binh.yaml'}:3: "
                                   "attestations.0.score: Value error, score must be 0, 0.5 or 1")
    assert snapshot(url) == before
    assert not (tmp_path / "r1").exists()


# ------------------------------------------------------------------------------------- batch


def test_batch_checks_attestations_before_it_creates_anything(
        tmp_path: Path, cli: Callable[..., Ran]) -> None:
    targets = tmp_path / "targets.csv"
    targets.write_text("id,name,agency,start_url\nmau,Mẫu,province,http://127.0.0.1:9/\n",
                       encoding="utf-8")
    folder = attestation_dir(tmp_path, ("mau", "tinh-trung-binh"))
    proc = cli("batch", str(targets), "--out", str(tmp_path / "out"), "--attestations",
               str(folder))
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f"portal-eval: error: {folder / 'tinh-trung-binh.yaml'}:1: no portal 'tinh-trung-binh' "
        f"in the targets file {targets} (the file's name must be a portal id: mau)")
    assert not (tmp_path / "out").exists()  # no store, no folder
    resumed = cli("batch", "--resume", "r1", "--out", str(tmp_path / "out"), "--attestations",
                  str(folder))
    assert resumed.returncode == 2 and "--resume grades with the attestations the round " \
        "recorded" in resumed.stderr


def test_rescore_pdf_prints_every_regraded_report_and_the_index(
        tmp_path: Path, cli: Callable[..., Ran], monkeypatch: pytest.MonkeyPatch) -> None:
    """--pdf hands the re-graded round to the printer (printing itself, in Chromium, is tested
    in tests/integration/test_pdf.py and with `batch --pdf` in the round tests)."""
    import evaluator.outputs.pdf as pdf

    printed: list[tuple[list[tuple[str, float | None, Path]], tuple[Path, str] | None]] = []

    def fake(reports: list[tuple[object, Path]], lang: str, chromium: str | None,
             index: tuple[Path, str] | None = None) -> list[Path]:
        printed.append(([(r.portal_id, r.total, html) for r, html in reports], index))  # type: ignore[attr-defined]
        return []

    monkeypatch.setattr(pdf, "print_reports", fake)
    url = stored_round(tmp_path)
    proc = cli("rescore", "r1", "--profile", "vn-2023", "--store", url, "--out", str(tmp_path),
               "--attestations", str(attestation_dir(tmp_path)), "--pdf")
    assert proc.returncode == 0, proc.stderr
    ((reports, index),) = printed
    assert reports == [(pid, GOLDEN_TOTALS[pid], tmp_path / "r1" / pid / "report.html")
                       for pid in ("mau", "tinh-trung-binh")]
    assert index == (tmp_path / "r1" / "index.html", "portal-eval · r1")
    assert f"PDF → {tmp_path / 'r1' / 'index.pdf'} and each portal's report.pdf" in proc.stdout
