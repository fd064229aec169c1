"""Bad configuration (issue 7): hostile, mutated and random YAML in every file an auditor
writes — criteria, targets, attestations, settings — gives one line naming the file (and the
line where the parser knows it), exit code 2 from the CLI, never a traceback, never an object
constructed, never a partial write. Hypothesis runs derandomized with bounded examples so CI
sees the same cases every time and the module stays well under 30 s.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluator.cli import main
from evaluator.criteria.attestations import load_attestations
from evaluator.criteria.loader import CriteriaError, LoadedProfile, load_profile
from evaluator.resources import criteria_dir
from evaluator.rounds.targets_file import TargetsFileError, load_targets
from evaluator.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]
FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
PWNED = "/tmp/portal-eval-yaml-fuzz-pwned"

VALID_TARGETS = """targets:
  - id: bo-tu-phap
    name: Bộ Tư pháp
    agency: ministry
    start_url: https://dichvucong.moj.gov.vn/
    allowed_hosts: [moj.gov.vn]
    tags: [bo]
  - id: lai-chau
    name: Tỉnh Lai Châu
    agency: province
    start_url: https://dichvucong.laichau.gov.vn/
"""
VALID_SETTINGS = """max_pages: 30
max_depth: 3
concurrency: 2
nav_timeout_s: 20
lighthouse: false
"""
VALID_ATTESTATIONS = (ROOT / "fixtures" / "portals" / "mau" / "attestations.yaml").read_text(
    encoding="utf-8")

# Hand-written hostile documents: each a known way to crash, hang or exploit a YAML reader.
_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8))
HOSTILE: dict[str, bytes] = {
    "python-object": f'!!python/object/apply:os.system ["touch {PWNED}"]\n'.encode(),
    "python-object-value": f'max_pages: !!python/object/apply:os.system ["touch {PWNED}"]\n'
                           .encode(),
    "python-name": b"targets: !!python/name:os.system\n",
    "billion-laughs": _LAUGHS.encode(),
    "self-alias": b"loop: &loop [*loop]\n",
    "huge-int": b"max_pages: " + b"9" * 5000 + b"\n",
    "huge-float": b"max_pages: 1e99999\n",
    "deep-list": b"x: " + b"[" * 5000 + b"]" * 5000 + b"\n",
    "deep-map": b"x: " + b"{a: " * 3000 + b"1" + b"}" * 3000 + b"\n",
    "invalid-utf8": b"name: \xff\xfe\xc3\x28 bad\n",
    "tab-indent": b"targets:\n\t- id: x\n",
    "wrong-type-list": b"- 1\n- 2\n",
    "wrong-type-scalar": b"42\n",
    "duplicate-key": b"max_pages: 3\nmax_pages: 4\n",
    "bad-timestamp": b"attested_on: 2026-13-45\nx: 2001-02-30\n",
    "unhashable-key": b"? [a, b]\n: 1\n",
    "nul-byte": b"a: b\x00c\n",
    "binary-tag": b"a: !!binary AAAA\nb: !!set {x}\n",
    "unknown-tag": b"a: !custom 1\n",
    "empty-doc": b"",
    "two-docs": b"a: 1\n---\nb: 2\n",
    "bidi": "name: \u202egnp.exe\u202c\n".encode(),
}


def _one_line_error(message: str, file: Path) -> None:
    assert "\n" not in message.strip(), message
    assert "Traceback" not in message, message
    assert str(file) in message, message


def _mutations(valid: str) -> st.SearchStrategy[bytes]:
    """A valid file with a few random edits: characters YAML cares about inserted, deleted or
    replaced anywhere (the mistakes a hand-edited file really has), or raw random bytes."""
    specials = st.sampled_from([*":-[]{}&*!|>'\"#%@`?,\t\n ", "!!python/object:os.system",
                                "&a", "*a", "\xff", "\u202e", "  ", "- ", ": ", "9" * 400])
    edit = st.tuples(st.integers(0, len(valid)), st.integers(0, 3), specials)

    def apply(edits: list[tuple[int, int, str]]) -> bytes:
        text = valid
        for at, delete, insert in edits:
            at = min(at, len(text))
            text = text[:at] + insert + text[at + delete:]
        return text.encode("utf-8", "surrogatepass")

    return st.one_of(
        st.lists(edit, min_size=1, max_size=6).map(apply),
        st.binary(max_size=300),
        st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    )


@pytest.fixture(scope="module")
def profile() -> LoadedProfile:
    return load_profile("vn-2023")


def _check_loader(load: Callable[[Path], object], error: type[Exception], file: Path,
                  data: bytes) -> None:
    file.write_bytes(data)
    try:
        load(file)
    except error as exc:
        _one_line_error(str(exc), file)
    assert not Path(PWNED).exists(), "a YAML tag constructed a Python object"


# --- hypothesis: each loader, random and mutated input -------------------------------------


@FUZZ
@given(data=_mutations(VALID_TARGETS))
def test_targets_fuzz(tmp_path: Path, data: bytes) -> None:
    _check_loader(load_targets, TargetsFileError, tmp_path / "targets.yaml", data)


@FUZZ
@given(data=_mutations(VALID_SETTINGS))
def test_settings_fuzz(tmp_path: Path, data: bytes) -> None:
    _check_loader(lambda f: load_settings(f, env={}), SettingsError, tmp_path / "s.yaml", data)


@FUZZ
@given(data=_mutations(VALID_ATTESTATIONS))
def test_attestations_fuzz(tmp_path: Path, profile: LoadedProfile, data: bytes) -> None:
    _check_loader(lambda f: load_attestations(f, profile), CriteriaError,
                  tmp_path / "attestations.yaml", data)


@pytest.fixture(scope="module")
def profile_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("criteria") / "vn-2023"
    shutil.copytree(criteria_dir() / "vn-2023", folder)
    return folder


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=_mutations((criteria_dir() / "vn-2023" / "access.yaml").read_text(encoding="utf-8")))
def test_criteria_fuzz(profile_copy: Path, data: bytes) -> None:
    file = profile_copy / "access.yaml"
    file.write_bytes(data)
    try:
        load_profile(str(profile_copy))
    except CriteriaError as exc:
        _one_line_error(str(exc), file)
    assert not Path(PWNED).exists()


# --- the CLI: exit code 2, one line on stderr, nothing written -----------------------------


def _cli(*argv: str) -> tuple[int, str]:
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = main(list(argv))
    return code, err.getvalue() + out.getvalue()


def _assert_cli_error(code: int, output: str, file: Path) -> None:
    assert code == 2, output
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("portal-eval: error: "), output
    _one_line_error(lines[0], file)


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_targets_cli(tmp_path: Path, case: str) -> None:
    file = tmp_path / "targets.yaml"
    file.write_bytes(HOSTILE[case])
    out = tmp_path / "out"
    code, output = _cli("batch", str(file), "--out", str(out), "--round", "r1")
    _assert_cli_error(code, output, file)
    assert not out.exists(), "a bad targets file left outputs behind"  # no partial write
    assert not Path(PWNED).exists()


@pytest.mark.parametrize("case", sorted(set(HOSTILE) - {"empty-doc"}))
def test_hostile_settings_cli(tmp_path: Path, case: str) -> None:
    file = tmp_path / "settings.yaml"
    file.write_bytes(HOSTILE[case])
    out = tmp_path / "out"
    code, output = _cli("evaluate", "http://127.0.0.1:9/", "--out", str(out),
                        "--settings", str(file), "--quiet")
    _assert_cli_error(code, output, file)
    assert not out.exists()
    assert not Path(PWNED).exists()


@pytest.mark.parametrize("case", sorted(set(HOSTILE) - {"empty-doc"}))
def test_hostile_attestations_cli(tmp_path: Path, case: str) -> None:
    evidence = tmp_path / "mau" / "evidence"
    shutil.copytree(ROOT / "fixtures" / "evidence" / "mau", evidence)
    before = sorted(p.name for p in (tmp_path / "mau").iterdir())
    file = tmp_path / "attestations.yaml"
    file.write_bytes(HOSTILE[case])
    code, output = _cli("score", str(evidence), "--attestations", str(file))
    _assert_cli_error(code, output, file)
    assert sorted(p.name for p in (tmp_path / "mau").iterdir()) == before  # nothing written
    assert not Path(PWNED).exists()


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_criteria_cli(profile_copy: Path, tmp_path: Path, case: str) -> None:
    folder = tmp_path / "vn-2023"
    shutil.copytree(profile_copy, folder)
    file = folder / "performance.yaml"
    file.write_bytes(HOSTILE[case])
    code, output = _cli("criteria", "check", str(folder))
    _assert_cli_error(code, output, file)
    assert not Path(PWNED).exists()


@pytest.mark.parametrize(("case", "line"), [
    ("tab-indent", 2), ("invalid-utf8", 1), ("duplicate-key", 2), ("billion-laughs", 1),
    ("self-alias", 1), ("deep-list", 1), ("python-object-value", 1),
])
def test_errors_name_the_line(tmp_path: Path, case: str, line: int) -> None:
    file = tmp_path / "settings.yaml"
    file.write_bytes(HOSTILE[case])
    with pytest.raises(SettingsError) as err:
        load_settings(file, env={})
    assert re.search(rf"{re.escape(str(file))}:{line}\b", str(err.value)), str(err.value)


# --- the source: only safe loaders --------------------------------------------------------

_SAFE_LOADERS = {"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"}
_UNSAFE_FUNCS = {"unsafe_load", "full_load", "unsafe_load_all", "full_load_all"}


def _unsafe_yaml_calls(source: str) -> list[int]:
    """Lines calling PyYAML with a loader that can construct objects. A loader is safe when it
    is yaml.SafeLoader / CSafeLoader / BaseLoader, or a class of the same file derived from one."""
    tree = ast.parse(source)
    safe = set(_SAFE_LOADERS)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(
                (isinstance(b, ast.Attribute) and b.attr in _SAFE_LOADERS)
                or (isinstance(b, ast.Name) and b.id in _SAFE_LOADERS) for b in node.bases):
            safe.add(node.name)
    bad = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "yaml"):
            continue
        name = node.func.attr
        if name in _UNSAFE_FUNCS:
            bad.append(node.lineno)
        elif name in ("load", "load_all", "parse", "compose", "compose_all", "scan"):
            loader = next((k.value for k in node.keywords if k.arg == "Loader"),
                          node.args[1] if len(node.args) > 1 else None)
            loader_name = (loader.attr if isinstance(loader, ast.Attribute)
                           else loader.id if isinstance(loader, ast.Name) else None)
            if loader_name not in safe:
                bad.append(node.lineno)
    return bad


def test_source_uses_only_safe_yaml_loaders() -> None:
    offenders = []
    for path in [ROOT / "noxfile.py", *(p for folder in ("evaluator", "fixtures", "tests", "bench")
                                        for p in (ROOT / folder).rglob("*.py"))]:
        offenders += [f"{path.relative_to(ROOT)}:{line}"
                      for line in _unsafe_yaml_calls(path.read_text(encoding="utf-8"))]
    assert offenders == [], f"unsafe YAML loader (use yaml.safe_load / SafeLoader): {offenders}"


@pytest.mark.parametrize(("source", "unsafe"), [
    ("yaml.load(text, Loader=yaml.FullLoader)", True),
    ("yaml.load(text)", True),
    ("yaml.unsafe_load(text)", True),
    ("yaml.load(t, yaml.Loader)", True),
    ("class L(yaml.Loader): pass\nyaml.load(t, Loader=L)", True),
    ("yaml.load(text, Loader=yaml.SafeLoader)", False),
    ("yaml.safe_load(text)", False),
    ("class L(yaml.SafeLoader): pass\nyaml.load(f(x), Loader=L)", False),
])
def test_the_scan_catches_unsafe_loaders(source: str, unsafe: bool) -> None:
    assert bool(_unsafe_yaml_calls(source)) is unsafe
