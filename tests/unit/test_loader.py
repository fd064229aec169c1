"""The criteria loader: the shipped profile loads; every broken profile is one line, file:line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from evaluator.checks import library
from evaluator.criteria.loader import CriteriaError, load_profile
from evaluator.resources import criteria_dir

SHIPPED = criteria_dir() / "vn-2023"


# -- the shipped profile ------------------------------------------------------------------------

def test_shipped_profile_loads_with_points_70_20_10() -> None:
    loaded = load_profile("vn-2023")
    assert loaded.profile.id == "vn-2023"
    assert {p.id: p.points for p in loaded.profile.pillars} == {
        "functionality": 70, "performance": 20, "access": 10}
    per_pillar: dict[str, float] = {}
    for criterion in loaded.criteria:
        per_pillar[criterion.pillar] = per_pillar.get(criterion.pillar, 0) + criterion.points
    assert per_pillar == {"functionality": 70, "performance": 20, "access": 10}
    assert sum(c.points for c in loaded.criteria) == 100


def test_shipped_profile_criteria_are_unique_and_use_registered_checks() -> None:
    loaded = load_profile("vn-2023")
    ids = [c.id for c in loaded.criteria]
    # Every entry of the pillar files' `criteria:` lists is loaded, each once.
    entries = [entry["id"] for path in sorted(SHIPPED.glob("*.yaml"))
               for entry in (yaml.safe_load(path.read_text(encoding="utf-8")) or {})
               .get("criteria", [])]
    assert len(entries) > 40
    assert len(ids) == len(set(ids)) == len(entries) and set(ids) == set(entries)
    assert {c.check for c in loaded.criteria} <= set(library.names())


def test_every_registered_check_is_used_by_the_shipped_profile() -> None:
    used = {c.check for c in load_profile("vn-2023").criteria}
    assert set(library.names()) == used


def test_shipped_bands_descend_to_zero() -> None:
    bands = load_profile("vn-2023").profile.bands
    assert [(b.grade, b.min) for b in bands] == [("A", 90), ("B", 80), ("C", 65), ("D", 50), ("E", 0)]


def test_profile_loads_from_a_path_and_the_digest_tracks_the_files(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    original = load_profile("vn-2023")
    same = load_profile(copy)
    assert same.digest == original.digest
    assert len(same.digest) == 64
    _edit(copy / "access.yaml", "Fix each listed issue", "Fix every listed issue")
    assert load_profile(copy).digest != original.digest


# -- broken profiles ----------------------------------------------------------------------------

def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "broken"
    shutil.copytree(SHIPPED, target)
    return target


def _edit(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file.name}"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(file: Path, needle: str, occurrence: int = 1) -> int:
    hits = [n for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


def _error(directory: Path) -> CriteriaError:
    with pytest.raises(CriteriaError) as info:
        load_profile(directory)
    return info.value


def _assert_one_line_at(error: CriteriaError, file: Path, line: int, message: str) -> None:
    text = str(error)
    assert "\n" not in text
    assert "Traceback" not in text
    assert text.startswith(f"{file}:{line}: "), text
    assert message in text
    assert (error.file, error.line) == (file, line)


def test_unknown_key_names_file_and_line(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    file = profile / "access.yaml"
    _edit(file, "    check: html_lang\n", "    colour: red\n    check: html_lang\n")
    _assert_one_line_at(_error(profile), file, _line_of(file, "colour: red"), "unknown key 'colour'")


def test_duplicate_criterion_id_points_at_the_second_one(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    file = profile / "access.yaml"
    _edit(file, "  - id: page-language-declared\n", "  - id: accessibility-wcag-aa\n")
    error = _error(profile)
    _assert_one_line_at(error, file, _line_of(file, "id: accessibility-wcag-aa", 2),
                        "duplicate criterion id 'accessibility-wcag-aa'")
    assert f"first at access.yaml:{_line_of(file, 'id: accessibility-wcag-aa')}" in str(error)


def test_duplicate_criterion_id_across_files(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    file = profile / "access.yaml"
    _edit(file, "  - id: page-language-declared\n", "  - id: faq\n")
    error = _error(profile)
    _assert_one_line_at(error, file, _line_of(file, "id: faq"), "duplicate criterion id 'faq'")
    assert "first at functionality.yaml:" in str(error)


def test_unknown_check_names_file_and_line(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    file = profile / "access.yaml"
    _edit(file, "    check: html_lang\n", "    check: html_language\n")
    error = _error(profile)
    _assert_one_line_at(error, file, _line_of(file, "check: html_language"),
                        "unknown check 'html_language'")
    assert "html_lang," in str(error)  # the known checks are listed


@pytest.mark.parametrize(("new", "message"), [
    ("{metric: fcp_ms, max: fast}", "params.max: Input should be a valid number"),
    ("{metric: fcp, max: 3000}", "params.metric: Input should be"),
    ("{metric: fcp_ms, max: 3000, percentile: 75}", "unknown key 'percentile'"),
    ("{max: 3000}", "missing key"),
])
def test_bad_params_name_file_and_line(tmp_path: Path, new: str, message: str) -> None:
    profile = _copy(tmp_path)
    file = profile / "performance.yaml"
    _edit(file, "{metric: fcp_ms, max: 3000}", new)
    _assert_one_line_at(_error(profile), file, _line_of(file, new), message)


def test_unknown_param_in_block_style_points_at_its_own_line(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    file = profile / "access.yaml"
    _edit(file, "    params: {tolerance_px: 1}\n", "    params:\n      tolerance_px: 1\n      margin_px: 2\n")
    _assert_one_line_at(_error(profile), file, _line_of(file, "margin_px"), "unknown key 'margin_px'")


def test_criteria_points_not_adding_up_to_the_pillar(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    _edit(profile / "access-layout.yaml", "    points: 1\n", "    points: 2\n")
    pillar_file = profile / "profile.yaml"
    access_points_line = _line_of(pillar_file, "id: access") + 2
    assert "points: 10" in pillar_file.read_text(encoding="utf-8").splitlines()[access_points_line - 1]
    _assert_one_line_at(_error(profile), pillar_file, access_points_line,
                        "criteria of pillar 'access' add up to 11 points, the pillar has 10")


def test_pillar_points_not_adding_up_to_100(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    file = profile / "profile.yaml"
    _edit(file, "    points: 10\n", "    points: 11\n")
    _assert_one_line_at(_error(profile), file, _line_of(file, "pillars:"),
                        "pillar points add up to 101, not 100")


@pytest.mark.parametrize(("old", "new", "needle", "message"), [
    ("    points: 1\n", "    points: 1: 5\n", "points: 1: 5", "mapping values are not allowed here"),
    ("    points: 1\n", "\tpoints: 1\n", "\tpoints: 1", "found character '\\t'"),
])
def test_malformed_yaml_names_file_and_line(
    tmp_path: Path, old: str, new: str, needle: str, message: str
) -> None:
    profile = _copy(tmp_path)
    file = profile / "access-layout.yaml"
    _edit(file, old, new)
    _assert_one_line_at(_error(profile), file, _line_of(file, needle), f"invalid YAML: {message}")


def test_unclosed_bracket_is_reported_near_its_line(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    file = profile / "access-layout.yaml"
    _edit(file, "    points: 1\n", "    points: [1\n")
    error = _error(profile)
    assert "\n" not in str(error) and "invalid YAML" in str(error)
    assert error.file == file
    assert error.line in (_line_of(file, "points: [1"), _line_of(file, "points: [1") + 1)


@pytest.mark.parametrize("tag", [
    "!!python/object/apply:os.system ['touch /tmp/portal-eval-pwned']",
    "!!python/object:evaluator.settings.Settings {}",
    "!!python/name:os.system",
])
def test_python_tags_are_rejected_not_constructed(tmp_path: Path, tag: str) -> None:
    profile = _copy(tmp_path)
    file = profile / "access-layout.yaml"
    _edit(file, "    points: 1\n", f"    points: {tag}\n")
    _assert_one_line_at(_error(profile), file, _line_of(file, "!!python"),
                        "invalid YAML: could not determine a constructor for the tag")


def test_duplicate_yaml_key_names_both_lines(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    file = profile / "access-layout.yaml"
    _edit(file, "    points: 1\n", "    points: 1\n    points: 3\n")
    first = _line_of(file, "points: 1")
    _assert_one_line_at(_error(profile), file, first + 1,
                        f"duplicate key 'points' (first at line {first})")


def test_unknown_pillar_names_file_and_line(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    file = profile / "access.yaml"
    _edit(file, "    pillar: access\n", "    pillar: accessibility\n")
    _assert_one_line_at(_error(profile), file, _line_of(file, "pillar: accessibility"),
                        "unknown pillar 'accessibility'")


def test_scope_the_check_cannot_use_names_file_and_line(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    file = profile / "performance.yaml"
    _edit(file, "    scope: key_pages\n", "    scope: every_page\n")
    _assert_one_line_at(_error(profile), file, _line_of(file, "scope: every_page"),
                        "check 'lighthouse_metric_below' works on scope key_pages or key_page:<role>")


def test_missing_required_key_points_at_the_criterion(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    file = profile / "functionality.yaml"
    _edit(file, "    check: hotline_published\n", "")
    _assert_one_line_at(_error(profile), file, _line_of(file, "- id: hotline"),
                        "missing key 'criteria.18.check'")


def test_every_shipped_criterion_says_who_usually_fixes_it() -> None:
    """The report's "Fix first" list names who fixes each item; no criterion is left to a
    default, in either shipped profile (vn-2024's own security criterion included)."""
    from evaluator.criteria.schema import FIXED_BY

    for name in ("vn-2023", "vn-2024"):
        loaded = load_profile(name)
        assert {c.fixed_by for c in loaded.criteria} == set(FIXED_BY), name
    by_id = {c.id: c.fixed_by for c in load_profile("vn-2024").criteria}
    assert (by_id["faq"], by_id["service-search"], by_id["dnssec-signed"],
            by_id["security-posture"]) == ("content", "development", "infrastructure",
                                           "infrastructure")


def test_criterion_without_fixed_by_is_one_line_at_the_criterion(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    file = profile / "functionality.yaml"
    _edit(file, "    pillar: functionality\n    fixed_by: content\n", "    pillar: functionality\n")
    _assert_one_line_at(_error(profile), file, _line_of(file, "- id: service-catalogue"),
                        "missing key 'criteria.0.fixed_by'")


def test_unknown_fixed_by_is_one_line_at_the_field(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    file = profile / "access.yaml"
    _edit(file, "    fixed_by: development\n", "    fixed_by: everyone\n")
    _assert_one_line_at(_error(profile), file, _line_of(file, "fixed_by: everyone"),
                        "criteria.0.fixed_by: Input should be 'content', 'development' or "
                        "'infrastructure'")


def test_missing_criteria_file_points_at_the_profile(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    (profile / "access.yaml").unlink()
    file = profile / "profile.yaml"
    _assert_one_line_at(_error(profile), file, _line_of(file, "- access.yaml"), "no such file: access.yaml")


def test_invalid_vocabulary_names_file_and_line(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    file = profile / "vocabulary.yaml"
    _edit(file, 'status_lookup_code: "000.00.00.H99-250101-9999"', 'status_lookup_code: ""')
    _assert_one_line_at(_error(profile), file, _line_of(file, "status_lookup_code:"),
                        "status_lookup_code: String should have at least 1 character")


def test_unknown_profile_name_lists_the_known_ones() -> None:
    with pytest.raises(CriteriaError) as info:
        load_profile("vn-1999")
    assert "no criteria profile named 'vn-1999' (known: vn-2023" in str(info.value)
    assert "\n" not in str(info.value)


def test_recursive_yaml_alias_is_a_one_line_error(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    file = profile / "vocabulary.yaml"
    _edit(file, "labels:\n", "loop: &loop [*loop]\nlabels:\n")
    try:
        error = _error(profile)
    except RecursionError:  # keep pytest from formatting a thousand frames
        pytest.fail("RecursionError while loading the profile", pytrace=False)
    assert str(error).startswith(f"{file}:")
    assert "\n" not in str(error)


def test_unknown_key_page_role_is_rejected(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    file = profile / "performance.yaml"
    _edit(file, "    params: {metric: fcp_ms, max: 3000}\n    scope: key_pages\n",
          "    params: {metric: fcp_ms, max: 3000}\n    scope: key_page:hom\n")
    error = _error(profile)
    assert str(error).startswith(f"{file}:{_line_of(file, 'scope: key_page:hom')}: ")


def test_role_without_vocabulary_labels_is_rejected(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    file = profile / "functionality.yaml"
    _edit(file, "role: feedback,", "role: feedbak,")
    error = _error(profile)
    assert str(error).startswith(f"{file}:{_line_of(file, 'role: feedbak')}: ")


def test_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    file = profile / "vocabulary.yaml"
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    _edit(file, "labels:\n", "\n".join(levels) + "\nlabels:\n")
    _assert_one_line_at(_error(profile), file, _line_of(file, "a0: &a0"), "YAML anchor '&a0' is not allowed")


def test_alias_is_named_with_its_own_line(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    file = profile / "performance.yaml"
    _edit(file, "    params: {metric: fcp_ms, max: 3000}\n", "    params: *fcp\n")
    _assert_one_line_at(_error(profile), file, _line_of(file, "params: *fcp"), "YAML alias '*fcp'")


def test_absurdly_deep_nesting_is_a_one_line_error(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    file = profile / "vocabulary.yaml"
    _edit(file, "labels:\n", "deep: " + "[" * 5000 + "]" * 5000 + "\nlabels:\n")
    _assert_one_line_at(_error(profile), file, _line_of(file, "deep: "), "nested more than")


def test_unknown_key_page_role_lists_the_known_roles(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    file = profile / "performance.yaml"
    _edit(file, "    scope: key_pages\n", "    scope: key_page:hom\n")
    error = _error(profile)
    assert "unknown key-page role 'hom'" in str(error)
    assert "home, catalogue, service, search_results, status_lookup, faq" in str(error)
    assert "\n" not in str(error)


def test_every_key_page_role_is_a_valid_scope(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    file = profile / "performance.yaml"
    _edit(file, "    scope: key_pages\n", "    scope: key_page:status_lookup\n")
    assert load_profile(profile).criteria


def test_key_page_roles_match_the_gatherer() -> None:
    from evaluator.criteria.schema import KEY_PAGE_ROLES
    from tests.unit.evidence_factory import browser_modules

    with browser_modules("evaluator.gather.key_pages") as (key_pages,):
        assert key_pages.ROLES == KEY_PAGE_ROLES


def test_role_error_names_the_labelled_roles(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    file = profile / "functionality.yaml"
    _edit(file, "role: feedback,", "role: feedbak,")
    _assert_one_line_at(_error(profile), file, _line_of(file, "role: feedbak"),
                        "params.role: role 'feedbak' has no labels in the vocabulary (labelled: ")


def test_role_with_an_empty_label_list_is_rejected(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    _edit(profile / "vocabulary.yaml", '  feedback: ["Phản ánh", "Kiến nghị", "Góp ý", "PAKN"]\n',
          "  feedback: []\n")
    file = profile / "functionality.yaml"
    _assert_one_line_at(_error(profile), file, _line_of(file, "role: feedback"),
                        "role 'feedback' has no labels")


def test_criterion_text_missing_a_language_names_file_and_line(tmp_path: Path) -> None:
    # Every report string exists in Vietnamese and English: a criterion without its English
    # title does not load.
    profile = _copy(tmp_path)
    file = profile / "functionality.yaml"
    _edit(file, 'title: {vi: "Có số điện thoại hỗ trợ", en: "Support hotline is published"}',
          'title: {vi: "Có số điện thoại hỗ trợ"}')
    error = str(_error(profile))
    assert "\n" not in error and "functionality.yaml:" in error and "title.en" in error


def test_criterion_text_with_an_empty_language_is_refused(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    file = profile / "functionality.yaml"
    _edit(file, 'en: "Support hotline is published"', 'en: ""')
    error = str(_error(profile))
    assert "functionality.yaml:" in error and "title.en" in error


# -- words a criterion brings with it (its entry's `vocabulary:`) --------------------------------


def test_a_criterions_own_words_join_the_vocabulary_of_its_profile_and_of_extending_ones() -> None:
    # privacy-policy keeps its role labels and term groups in its own entry.
    in_file = yaml.safe_load((SHIPPED / "vocabulary.yaml").read_text(encoding="utf-8"))
    assert "privacy" not in in_file["labels"] and "privacy_policy" not in in_file["page_terms"]
    for profile in ("vn-2023", "vn-2024"):
        vocabulary = load_profile(profile).vocabulary
        assert vocabulary.labels["privacy"][0] == "Chính sách bảo vệ dữ liệu cá nhân"
        assert [g.id for g in vocabulary.page_terms["privacy_policy"]] == [
            "du-lieu-ca-nhan", "muc-dich-xu-ly"]
        # The file's own lists are all still there, in their order, before the criterion's.
        assert list(vocabulary.labels)[:3] == ["catalogue", "status_lookup", "faq"]
        assert list(vocabulary.labels)[-1] == "privacy"


def test_a_criterion_redefining_a_vocabulary_list_is_one_line_at_its_key(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    _edit(profile / "vocabulary.yaml", '  login: ["Đăng nhập"]\n',
          '  login: ["Đăng nhập"]\n  privacy: ["Bảo mật"]\n')
    file = profile / "access-transport.yaml"
    _assert_one_line_at(_error(profile), file, _line_of(file, "        privacy: ["),
                        "vocabulary.labels.privacy is already defined in vocabulary.yaml; "
                        "a list of words lives in one place")


def test_two_criteria_defining_one_list_is_one_line_at_the_second(tmp_path: Path) -> None:
    profile = _copy(tmp_path)
    file = profile / "access-layout.yaml"
    _edit(file, "    check: emc_monitoring_code\n",
          "    check: emc_monitoring_code\n    vocabulary:\n      page_terms:\n"
          "        privacy_policy:\n"
          "          - {id: x, label: {vi: x, en: x}, match: [x]}\n")
    _assert_one_line_at(_error(profile), file, _line_of(file, "        privacy_policy:"),
                        "vocabulary.page_terms.privacy_policy is already defined in "
                        "criterion 'privacy-policy'")


def test_a_criterions_params_are_checked_against_the_merged_vocabulary(tmp_path: Path) -> None:
    # The role's labels live only in the entry: take them out and the params name a role the
    # vocabulary no longer has, at the param's line.
    profile = _copy(tmp_path)
    file = profile / "access-transport.yaml"
    text = file.read_text(encoding="utf-8")
    start = text.index("      labels:\n        # The personal-data")
    end = text.index("      page_terms:\n", start)
    file.write_text(text[:start] + text[end:], encoding="utf-8")
    error = _error(profile)
    assert (error.file, error.line) == (file, _line_of(file, "terms: privacy_policy"))
    assert "params.role" in str(error) and "\n" not in str(error)
