"""The message catalog: complete in both languages, every key used, every message renderable.

Every string a check or the runner writes into a result is a key of
evaluator/checks/messages.yaml; these tests fail when a language, a placeholder or a key is
missing, when a key is dead, or when a check's output does not render in Vietnamese and English.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from evaluator.checks.messages import (
    CATALOG,
    LANGS,
    MessageCatalogError,
    Msg,
    Num,
    catalog,
    format_number,
    load_catalog,
    msg,
    placeholders,
    role,
    to_text,
)
from evaluator.checks.model import Outcome, Status
from evaluator.criteria.schema import KEY_PAGE_ROLES, Text
from evaluator.derived import EvidenceView
from evaluator.evidence import load_bundle
from evaluator.runner import run_criterion
from tests.unit.evidence_factory import shipped_profile

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*sorted((ROOT / "evaluator" / "checks").glob("*.py")), ROOT / "evaluator" / "runner.py"]
FROZEN = ROOT / "fixtures" / "evidence"
BUNDLES = sorted(p.name for p in FROZEN.iterdir() if (p / "bundle.json").is_file())

# A message call: Msg("key", …) or msg("key", …). The key must be a literal so this scan sees it.
_CALL = re.compile(r"(?<![\w.])(?:Msg|msg)\(")
_KEY_CALL = re.compile(r"(?<![\w.])(?:Msg|msg)\(\s*\"([^\"]+)\"")
# Where messages.py itself builds a Msg from a variable (the msg() helper).
_ALLOWED_DYNAMIC = {("messages.py", "Msg(key, params)")}

# Formulas that read the same in both languages; every other message must differ.
LANGUAGE_NEUTRAL = {
    "common.below", "common.at_most", "common.px", "page.role_detail", "role_link.measured",
    "perf.ms", "weight.kib", "lang.expected", "perf.cls",
    "keyboard.measured_all", "keyboard.element", "keyboard.page_finding",
}


def _keys_used() -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    for file in SOURCES:
        for key in _KEY_CALL.findall(file.read_text(encoding="utf-8")):
            used.setdefault(key, set()).add(file.name)
    return used


# -- the catalog ------------------------------------------------------------------------------------


def test_catalog_ships_inside_the_package() -> None:
    assert CATALOG.parent == ROOT / "evaluator" / "checks"
    assert CATALOG.is_file()


def test_every_key_has_both_languages_with_the_same_placeholders() -> None:
    raw = yaml.safe_load(CATALOG.read_text(encoding="utf-8"))
    assert len(raw) >= 100
    for key, entry in raw.items():
        assert set(entry) == set(LANGS), key
        for lang in LANGS:
            assert isinstance(entry[lang], str) and entry[lang].strip(), (key, lang)
        assert placeholders(entry["vi"]) == placeholders(entry["en"]), key
    assert set(catalog()) == set(raw)


def test_vietnamese_is_written_not_copied_from_english() -> None:
    for key, templates in catalog().items():
        if key in LANGUAGE_NEUTRAL:
            assert templates["vi"] == templates["en"], f"{key} is listed as language-neutral"
            continue
        assert templates["vi"] != templates["en"], f"{key}: the vi template is the English one"
        # Vietnamese without diacritics ("khong tim thay") is a typo, not a translation.
        assert not templates["vi"].isascii() or key == "role.other", key


def test_every_key_used_in_the_code_is_in_the_catalog_and_every_catalog_key_is_used() -> None:
    used = _keys_used()
    missing = {k: sorted(files) for k, files in used.items() if k not in catalog()}
    dead = sorted(set(catalog()) - set(used))
    assert not missing, f"keys used but not in {CATALOG.name}: {missing}"
    assert not dead, f"keys in {CATALOG.name} used nowhere: {dead}"


def test_every_message_call_names_its_key_literally() -> None:
    # A computed key (msg(f"role.{name}")) would escape the scan above.
    dynamic = []
    for file in SOURCES:
        text = file.read_text(encoding="utf-8")
        for match in _CALL.finditer(text):
            after = text[match.end():].lstrip()
            if after.startswith('"') or text[match.start() - 4:match.start()] == "def ":
                continue
            call = text[match.start():text.index(")", match.end()) + 1]
            if (file.name, call) not in _ALLOWED_DYNAMIC:
                dynamic.append(f"{file.name}: {call}")
    assert not dynamic


@pytest.mark.parametrize("key", sorted(catalog()))
def test_every_message_renders_in_both_languages(key: str) -> None:
    names = placeholders(catalog()[key]["en"])
    shown = to_text(Msg(key, {name: f"<{name}>" for name in names}))
    for lang in LANGS:
        text = getattr(shown, lang)
        assert text.strip()
        assert all(f"<{name}>" in text for name in names), (key, lang)
        assert not re.search(r"\{[a-z_]+\}", text), (key, lang)


def test_every_key_page_role_has_its_own_name() -> None:
    for name in KEY_PAGE_ROLES:
        assert role(name).key == f"role.{name}"
    assert role("kiosk").key == "role.other"
    assert to_text(role("home")) == Text(vi="trang chủ", en="home")


# -- loading a broken catalog -------------------------------------------------------------------------


@pytest.mark.parametrize(("content", "why"), [
    ("a.b:\n  en: Hello\n", "message 'a.b': 'vi' is missing or empty"),
    ("a.b:\n  vi: Xin chào\n  en: ''\n", "message 'a.b': 'en' is missing or empty"),
    ("a.b:\n  vi: '{x} trang'\n  en: '{y} pages'\n",
     "message 'a.b': placeholders differ: only in vi ['x'], only in en ['y']"),
    ("a.b:\n  vi: '{n:.2f} giây'\n  en: '{n:.2f} s'\n", "message 'a.b': 'vi' has placeholder {n:.2f}"),
    ("a.b:\n  vi: '{n giây'\n  en: '{n} s'\n", "message 'a.b': 'vi' is not a valid template"),
    ("a.b:\n  vi: x\n  en: y\n  fr: z\n", "message 'a.b': unknown language(s) fr"),
    ("Search:\n  vi: x\n  en: y\n", "message 'Search': a key is dotted lower-case words"),
    ("a.b: text\n", "message 'a.b': expected a mapping with 'vi' and 'en'"),
    ("a.b:\n  vi: x\n  en: y\na.b:\n  vi: z\n  en: w\n", ":4: message 'a.b' is written twice"),
    ("- a\n", "expected a mapping of message key"),
    ("a.b: [\n", ":2: unreadable message catalog"),
])
def test_a_broken_catalog_fails_in_one_line_naming_file_and_key(
    tmp_path: Path, content: str, why: str
) -> None:
    file = tmp_path / "messages.yaml"
    file.write_text(content, encoding="utf-8")
    with pytest.raises(MessageCatalogError) as info:
        load_catalog(file)
    assert str(info.value).startswith(str(file))
    assert why in str(info.value)
    assert "\n" not in str(info.value)


def test_a_message_with_an_unknown_key_or_other_params_fails_where_it_is_built() -> None:
    with pytest.raises(KeyError, match=r"no\.such_key"):
        msg("no.such_key")
    with pytest.raises(ValueError, match=r"takes params \['count'\], got \['n'\]"):
        msg("faq.measured", n=3)
    with pytest.raises(TypeError):
        msg("faq.measured", count=True).render("en")


# -- numbers ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "decimals", "en", "vi"), [
    (5303.4, 0, "5,303", "5.303"),
    (1.0123, 2, "1.01", "1,01"),
    (0.405, 3, "0.405", "0,405"),
    (1234567.891, 1, "1,234,567.9", "1.234.567,9"),
    (0.405, None, "0.405", "0,405"),
    (200.0, None, "200", "200"),
    (-0.0000001, None, "0", "0"),
])
def test_numbers_follow_each_languages_convention(
    value: float, decimals: int | None, en: str, vi: str
) -> None:
    assert format_number(value, decimals, "en") == en
    assert format_number(value, decimals, "vi") == vi


def test_number_params_are_formatted_per_language_and_strings_are_left_alone() -> None:
    shown = to_text(msg("weight.shown", kib=Num(5303.4), requests=1024))
    assert shown == Text(vi="5.303 KiB qua 1.024 yêu cầu", en="5,303 KiB in 1,024 requests")
    # A code or a phone number is a string: never regrouped.
    assert msg("hotline.number", number="1900.1234").vi == "số 1900.1234 trên trang chủ"
    assert to_text(msg("perf.seconds", value=Num(1.01, 2))) == Text(vi="1,01 giây", en="1.01 s")


def test_nested_messages_and_lists_render_in_the_same_language() -> None:
    failing = (msg("page.role_detail", role=role("home"), detail=msg("common.http_status", status=404)),
               msg("page.role_detail", role=role("faq"), detail="net::ERR_TIMED_OUT"))
    shown = to_text(msg("fold.summary_failing", passed=4, total=6, failing=failing))
    assert shown.vi == "4/6 trang đạt; trang chủ: lỗi HTTP 404; trang hỏi đáp: net::ERR_TIMED_OUT"
    assert shown.en == "4 of 6 pages pass; home: HTTP 404; FAQ: net::ERR_TIMED_OUT"


def test_messages_read_naturally_in_vietnamese() -> None:
    assert msg("clicks.measured_deepest", near=10, total=25, max=3, deepest=4).vi == (
        "10/25 dịch vụ trong phạm vi 3 lần bấm (sâu nhất: 4)")
    assert msg("catalogue.none_finding").vi.startswith("Không tìm thấy liên kết tới danh mục thủ tục")
    assert msg("perf.http_error", role=role("faq"), status=404).vi == (
        "Máy chủ trả lời HTTP 404 cho trang hỏi đáp, thay vì nội dung trang")
    assert msg("lookup.measured", code="000.00.00.H99-250101-9999", why=msg("lookup.blank")).vi == (
        "mã 000.00.00.H99-250101-9999: trang trắng")


# -- every shipped criterion on every frozen bundle ---------------------------------------------------


def _messages_of(outcome: Outcome) -> list[tuple[str, Msg]]:
    found: list[tuple[str, Msg]] = []
    if outcome.display_value is not None:
        found.append(("display_value", outcome.display_value))
    if outcome.expected is not None:
        found.append(("expected", outcome.expected))
    for f in outcome.findings:
        found.append(("finding", f.message))
        if f.expected is not None:
            found.append(("finding.expected", f.expected))
    return found


@pytest.mark.parametrize("portal_id", BUNDLES)
def test_every_shipped_check_renders_in_both_languages_on_frozen_evidence(portal_id: str) -> None:
    profile = shipped_profile()
    view = EvidenceView(load_bundle(FROZEN / portal_id), profile.vocabulary)
    keys: set[str] = set()
    for criterion in profile.criteria:
        result = run_criterion(criterion, view)
        # A message bug inside a check (unknown key, wrong params) would surface as this error.
        assert not (result.error or "").startswith("check '"), (criterion.id, result.error)
        assert result.outcome.display_value is not None, criterion.id
        for field, message in _messages_of(result.outcome):
            keys.add(message.key)
            shown = to_text(message)  # raises on a missing key or placeholder
            assert shown.vi.strip() and shown.en.strip(), (criterion.id, field)
            if field == "display_value":
                assert shown.vi != shown.en, (criterion.id, shown.en)
    assert len(keys) >= 10


def test_frozen_evidence_exercises_pass_and_fail_messages() -> None:
    assert len(BUNDLES) >= 3
    profile = shipped_profile()
    statuses = set()
    for portal_id in BUNDLES:
        view = EvidenceView(load_bundle(FROZEN / portal_id), profile.vocabulary)
        statuses |= {run_criterion(c, view).outcome.status for c in profile.criteria}
    assert {Status.PASS, Status.FAIL} <= statuses
