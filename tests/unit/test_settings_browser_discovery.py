"""Settings layering (defaults < file < environment < CLI) and finding Chromium without launching it."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from evaluator.settings import Settings, SettingsError, load_settings
from tests.unit.evidence_factory import browser_modules

# -- settings -----------------------------------------------------------------------------------


def _settings_file(tmp_path: Path, text: str) -> Path:
    file = tmp_path / "settings.yaml"
    file.write_text(text, encoding="utf-8")
    return file


def test_documented_defaults() -> None:
    s = load_settings(env={})
    assert s == Settings()
    assert (s.profile, s.max_pages, s.max_depth, s.mobile_width) == ("vn-2023", 60, 4, 360)
    assert s.chromium == ""


def test_file_overrides_defaults(tmp_path: Path) -> None:
    file = _settings_file(tmp_path, "max_pages: 20\naxe: false\nallowed_hosts: [www.a.gov.vn]\n")
    s = load_settings(file, env={})
    assert (s.max_pages, s.axe, s.allowed_hosts) == (20, False, ("www.a.gov.vn",))
    assert s.max_depth == 4


def test_environment_overrides_file_and_cli_overrides_environment(tmp_path: Path) -> None:
    file = _settings_file(tmp_path, "max_pages: 20\nmax_depth: 2\nconcurrency: 3\n")
    env = {"PORTAL_EVAL_MAX_PAGES": "30", "PORTAL_EVAL_MAX_DEPTH": "3"}
    s = load_settings(file, env=env, max_pages=40, concurrency=None)
    assert (s.max_pages, s.max_depth, s.concurrency) == (40, 3, 3)


@pytest.mark.parametrize(("name", "raw", "value"), [
    ("PORTAL_EVAL_NAV_TIMEOUT_S", "12.5", ("nav_timeout_s", 12.5)),
    ("PORTAL_EVAL_AXE", "off", ("axe", False)),
    ("PORTAL_EVAL_SCREENSHOTS", "YES", ("screenshots", True)),
    ("PORTAL_EVAL_ALLOWED_HOSTS", "a.gov.vn, b.gov.vn,", ("allowed_hosts", ("a.gov.vn", "b.gov.vn"))),
    ("PORTAL_EVAL_PROFILE", "vn-2024", ("profile", "vn-2024")),
])
def test_environment_values_are_coerced(name: str, raw: str, value: tuple[str, object]) -> None:
    s = load_settings(env={name: raw})
    assert getattr(s, value[0]) == value[1]


@pytest.mark.parametrize(("name", "raw"), [
    ("PORTAL_EVAL_MAX_PAGES", "lots"), ("PORTAL_EVAL_AXE", "maybe"), ("PORTAL_EVAL_SETTLE_QUIET_MS", "1.5"),
])
def test_bad_environment_value_names_the_variable(name: str, raw: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(env={name: raw})
    assert str(info.value).startswith(f"${name}: setting ")
    assert repr(raw) in str(info.value)


@pytest.mark.parametrize(("text", "message"), [
    ("max_pagez: 10\n", "unknown setting 'max_pagez'"),
    ("- 1\n- 2\n", "settings must be a mapping"),
    ("max_pages: [1\n", "cannot read settings"),
    ("max_pages: many\n", "setting 'max_pages' has an invalid value 'many'"),
])
def test_bad_settings_file_is_one_line_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    file = _settings_file(tmp_path, text)
    with pytest.raises(SettingsError) as info:
        load_settings(file, env={})
    assert str(info.value).startswith(str(file))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_chromium_env_var_is_a_setting_like_any_other(tmp_path: Path) -> None:
    # The settings loader owns the layering of `chromium` too: file < environment < CLI.
    env = {"PORTAL_EVAL_CHROMIUM": "/opt/chromium"}
    assert load_settings(env=env).chromium == "/opt/chromium"
    file = _settings_file(tmp_path, "chromium: /srv/chromium\n")
    assert load_settings(file, env={}).chromium == "/srv/chromium"
    assert load_settings(file, env=env).chromium == "/opt/chromium"
    assert load_settings(file, env=env, chromium="/cli/chromium").chromium == "/cli/chromium"


def test_with_overrides_skips_none_and_snapshot_is_plain_json() -> None:
    s = Settings(allowed_hosts=("a.gov.vn",)).with_overrides(max_pages=5, max_depth=None)
    assert (s.max_pages, s.max_depth) == (5, 4)
    snap = s.snapshot()
    assert snap["allowed_hosts"] == ["a.gov.vn"]
    assert json.loads(json.dumps(snap)) == snap


# -- ranges: a value that parses but means something else is an error --------------------------


@pytest.mark.parametrize(("name", "raw", "rule"), [
    ("MAX_PAGES", "0", "≥ 1"),
    ("MAX_PAGES", "-3", "≥ 1"),
    ("MAX_DEPTH", "-1", "≥ 0"),
    ("CONCURRENCY", "0", "from 1 to 16"),
    ("CONCURRENCY", "17", "from 1 to 16"),
    ("NAV_TIMEOUT_S", "0", "> 0"),
    ("NAV_TIMEOUT_S", "-5", "> 0"),
    ("NAV_TIMEOUT_S", "nan", "> 0"),
    ("NAV_TIMEOUT_S", "inf", "> 0"),
    ("SETTLE_CAP_MS", "-1", "from 0 to 60000"),
    ("KEY_PAGE_SETTLE_MS", "-100", "≥ 0"),
    ("MOBILE_WIDTH", "199", "≥ 200"),
    ("MOBILE_HEIGHT", "0", "≥ 200"),
])
def test_out_of_range_environment_value_names_variable_setting_and_range(
    name: str, raw: str, rule: str
) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(env={f"PORTAL_EVAL_{name}": raw})
    message = str(info.value)
    assert message.startswith(f"$PORTAL_EVAL_{name}: setting '{name.lower()}' must be ")
    assert rule in message and "\n" not in message


@pytest.mark.parametrize(("name", "value"), [
    ("max_pages", 1), ("max_depth", 0), ("concurrency", 1), ("concurrency", 16),
    ("nav_timeout_s", 0.5), ("settle_quiet_ms", 0), ("settle_cap_ms", 0), ("key_page_settle_ms", 0),
    ("mobile_width", 200), ("mobile_height", 200),
])
def test_edges_of_the_ranges_are_accepted(name: str, value: object) -> None:
    assert getattr(load_settings(env={f"PORTAL_EVAL_{name.upper()}": str(value)}), name) == value


def test_out_of_range_file_value_names_file_line_and_setting(tmp_path: Path) -> None:
    file = _settings_file(tmp_path, "axe: true\n# the crawl\nmax_pages: 0\n")
    with pytest.raises(SettingsError) as info:
        load_settings(file, env={})
    assert str(info.value) == f"{file}:3: setting 'max_pages' must be a whole number ≥ 1, not 0"


def test_unknown_file_setting_names_its_line(tmp_path: Path) -> None:
    file = _settings_file(tmp_path, "max_pages: 5\nmax_pagez: 10\n")
    with pytest.raises(SettingsError) as info:
        load_settings(file, env={})
    assert str(info.value) == f"{file}:2: unknown setting 'max_pagez'"


def test_out_of_range_cli_value_names_the_option() -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(env={}, concurrency=0)
    assert str(info.value).startswith("--concurrency: setting 'concurrency' must be ")


def test_null_means_the_default_only_where_the_default_is_empty(tmp_path: Path) -> None:
    s = load_settings(_settings_file(tmp_path, "chromium: null\nallowed_hosts: null\n"), env={})
    assert (s.chromium, s.allowed_hosts) == ("", ())
    for text in ("max_pages: null\n", "user_agent_suffix:\n", "profile: null\n", "axe: null\n"):
        file = _settings_file(tmp_path, text)
        with pytest.raises(SettingsError) as info:
            load_settings(file, env={})
        assert str(info.value).startswith(f"{file}:1: setting '{text.split(':')[0]}' cannot be null")


@pytest.mark.parametrize("text", [
    "max_pages: true\n", "max_pages: 2.5\n", "max_pages: [1]\n", "nav_timeout_s: no\n",
    "profile: ''\n", "profile: [a, b]\n", "allowed_hosts: [{a: 1}]\n", "chromium: {path: x}\n",
])
def test_wrong_kinds_of_value_are_refused(tmp_path: Path, text: str) -> None:
    file = _settings_file(tmp_path, text)
    with pytest.raises(SettingsError) as info:
        load_settings(file, env={})
    assert str(info.value).startswith(f"{file}:1: setting '{text.split(':')[0]}' ")


def test_a_whole_float_is_a_whole_number(tmp_path: Path) -> None:
    assert load_settings(_settings_file(tmp_path, "max_pages: 20.0\n"), env={}).max_pages == 20


def test_settings_built_in_code_obey_the_same_ranges() -> None:
    with pytest.raises(SettingsError, match="setting 'concurrency' must be"):
        Settings(concurrency=0)
    with pytest.raises(SettingsError, match="setting 'nav_timeout_s' must be"):
        Settings().with_overrides(nav_timeout_s=0)
    with pytest.raises(SettingsError, match="setting 'max_pages' has an invalid value"):
        Settings(max_pages="60")  # type: ignore[arg-type]


# -- finding Chromium -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser_module() -> Iterator[ModuleType]:
    with browser_modules("evaluator.browser") as (module,):
        yield module


@pytest.fixture
def browser(browser_module: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> ModuleType:
    """evaluator.browser on a machine with no Chromium anywhere, until a test installs one."""
    monkeypatch.delenv("PORTAL_EVAL_CHROMIUM", raising=False)
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "ms-playwright"))
    monkeypatch.setattr(browser_module, "DEBIAN_CANDIDATES",
                        (str(tmp_path / "usr/bin/chromium"), str(tmp_path / "usr/lib/chromium/chromium")))
    monkeypatch.setattr(browser_module.shutil, "which", lambda name, *a, **kw: None)
    return browser_module


def _exe(path: Path, mode: int = 0o755) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    path.chmod(mode)
    return str(path)


def test_env_var_wins_over_debian_and_playwright(
    browser: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _exe(Path(browser.DEBIAN_CANDIDATES[0]))
    _exe(tmp_path / "ms-playwright/chromium-1200/chrome-linux/chrome")
    mine = _exe(tmp_path / "opt/my-chromium")
    monkeypatch.setenv("PORTAL_EVAL_CHROMIUM", mine)
    assert browser.find_chromium() == mine
    assert browser.find_chromium("") == mine


def test_explicit_cli_setting_wins_over_env_var(
    browser: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PORTAL_EVAL_CHROMIUM", _exe(tmp_path / "env-chromium"))
    explicit = _exe(tmp_path / "cli-chromium")
    assert browser.find_chromium(explicit) == explicit


def test_unusable_env_var_falls_back_to_debian(
    browser: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PORTAL_EVAL_CHROMIUM", str(tmp_path / "missing"))
    debian = _exe(Path(browser.DEBIAN_CANDIDATES[1]))
    assert browser.find_chromium() == debian


def test_non_executable_file_is_not_chromium(
    browser: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    plain = _exe(tmp_path / "chromium.txt", mode=0o644)
    assert not Path(plain).stat().st_mode & stat.S_IXUSR
    monkeypatch.setenv("PORTAL_EVAL_CHROMIUM", plain)
    with pytest.raises(browser.BrowserNotFound, match="not an executable file"):
        browser.find_chromium()


def test_debian_candidates_are_tried_in_order(browser: ModuleType) -> None:
    first, second = browser.DEBIAN_CANDIDATES
    _exe(Path(second))
    assert browser.find_chromium() == second
    _exe(Path(first))
    assert browser.find_chromium() == first


def test_chromium_on_path_is_used(browser: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser.shutil, "which",
                        lambda name, *a, **kw: "/snap/bin/chromium" if name == "chromium" else None)
    assert browser.find_chromium() == "/snap/bin/chromium"
    # Both on $PATH: the headless shell, as on Debian's paths.
    monkeypatch.setattr(browser.shutil, "which", lambda name, *a, **kw: f"/snap/bin/{name}")
    assert browser.find_chromium() == "/snap/bin/chromium-headless-shell"


def test_the_headless_shell_comes_before_the_full_browser(
    browser_module: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The real order: Debian's headless shell (Playwright's own headless browser; half the CPU of
    # the full browser's headless mode on a crawl, BENCHMARKS.md), then the full browser.
    shell, full = browser_module.HEADLESS_SHELL_CANDIDATES[0], "/usr/bin/chromium"
    order = browser_module.DEBIAN_CANDIDATES
    assert order.index(shell) < order.index(full)
    monkeypatch.delenv("PORTAL_EVAL_CHROMIUM", raising=False)
    monkeypatch.setattr(browser_module, "DEBIAN_CANDIDATES", tuple(
        str(tmp_path / c.lstrip("/")) for c in order))
    monkeypatch.setattr(browser_module.shutil, "which", lambda name, *a, **kw: None)
    full_path = _exe(tmp_path / full.lstrip("/"))
    assert browser_module.find_chromium() == full_path
    shell_path = _exe(tmp_path / shell.lstrip("/"))
    assert browser_module.find_chromium() == shell_path


def test_playwright_managed_chromium_is_the_last_resort(browser: ModuleType, tmp_path: Path) -> None:
    _exe(tmp_path / "ms-playwright/chromium-1100/chrome-linux/chrome")
    newest = _exe(tmp_path / "ms-playwright/chromium-1200/chrome-linux/chrome")
    assert browser.find_chromium() == newest


def test_playwright_headless_shell_is_accepted(browser: ModuleType, tmp_path: Path) -> None:
    shell = _exe(tmp_path / "ms-playwright/chromium_headless_shell-1200/chrome-linux/headless_shell")
    assert browser.find_chromium() == shell


def test_nothing_found_is_one_error_listing_what_was_tried_and_the_fix(
    browser: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PORTAL_EVAL_CHROMIUM", str(tmp_path / "nope"))
    with pytest.raises(browser.BrowserNotFound) as info:
        browser.find_chromium(str(tmp_path / "cli-nope"))
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("no Chromium found; tried: ")
    assert f"{tmp_path / 'cli-nope'} (not an executable file)" in message
    assert f"$PORTAL_EVAL_CHROMIUM={tmp_path / 'nope'} (not an executable file)" in message
    for candidate in browser.DEBIAN_CANDIDATES:
        assert f"{candidate} (absent)" in message
    assert "ms-playwright" in message
    assert "Fix: `apt-get install chromium-headless-shell`" in message
    assert "set PORTAL_EVAL_CHROMIUM" in message


def test_nothing_found_names_the_real_setting(browser: ModuleType, tmp_path: Path) -> None:
    with pytest.raises(browser.BrowserNotFound) as info:
        browser.find_chromium(str(tmp_path / "cli-nope"))
    assert "browser.executable" not in str(info.value)


def test_nothing_found_mentions_the_path_lookup(browser: ModuleType) -> None:
    with pytest.raises(browser.BrowserNotFound) as info:
        browser.find_chromium()
    assert "$PATH" in str(info.value)


def test_nothing_found_names_the_playwright_folder_searched(browser: ModuleType, tmp_path: Path) -> None:
    with pytest.raises(browser.BrowserNotFound) as info:
        browser.find_chromium()
    assert str(tmp_path / "ms-playwright") in str(info.value)


def test_env_var_beats_a_settings_file_chromium(
    browser: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from_file = _exe(tmp_path / "file-chromium")
    from_env = _exe(tmp_path / "env-chromium")
    monkeypatch.setenv("PORTAL_EVAL_CHROMIUM", from_env)
    settings = load_settings(_settings_file(tmp_path, f"chromium: {from_file}\n"))
    assert browser.find_chromium(settings.chromium or None) == from_env


def test_cli_beats_env_var_and_settings_file_chromium(
    browser: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from_file = _exe(tmp_path / "file-chromium")
    monkeypatch.setenv("PORTAL_EVAL_CHROMIUM", _exe(tmp_path / "env-chromium"))
    from_cli = _exe(tmp_path / "cli-chromium")
    settings = load_settings(_settings_file(tmp_path, f"chromium: {from_file}\n"), chromium=from_cli)
    assert browser.find_chromium(settings.chromium or None) == from_cli


def test_settings_file_chromium_is_used_without_env_var(browser: ModuleType, tmp_path: Path) -> None:
    _exe(Path(browser.DEBIAN_CANDIDATES[0]))
    from_file = _exe(tmp_path / "file-chromium")
    settings = load_settings(_settings_file(tmp_path, f"chromium: {from_file}\n"))
    assert browser.find_chromium(settings.chromium or None) == from_file


def test_nothing_found_names_the_setting_and_lists_the_env_path_once(
    browser: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PORTAL_EVAL_CHROMIUM", str(tmp_path / "env-nope"))
    with pytest.raises(browser.BrowserNotFound) as info:
        browser.find_chromium(load_settings().chromium or None)
    message = str(info.value)
    assert message.count(str(tmp_path / "env-nope")) == 1
    assert f"$PORTAL_EVAL_CHROMIUM={tmp_path / 'env-nope'} (not an executable file)" in message
    with pytest.raises(browser.BrowserNotFound) as info:
        browser.find_chromium(str(tmp_path / "cli-nope"))
    assert f"setting `chromium` (--chromium or the settings file): {tmp_path / 'cli-nope'}" \
        in str(info.value)
    assert "--chromium" in str(info.value).split("Fix:")[1]


def test_nothing_found_names_the_default_playwright_folder(
    browser: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PLAYWRIGHT_BROWSERS_PATH")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    with pytest.raises(browser.BrowserNotFound) as info:
        browser.find_chromium()
    assert f"under {tmp_path / 'home/.cache/ms-playwright'} (absent)" in str(info.value)


def test_unusable_setting_falls_back_with_a_warning(
    browser: ModuleType, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    debian = _exe(Path(browser.DEBIAN_CANDIDATES[0]))
    with caplog.at_level("WARNING", logger=browser.__name__):
        assert browser.find_chromium(str(tmp_path / "gone")) == debian
    assert f"{tmp_path / 'gone'} is not an executable file; using {debian}" in caplog.text


# -- what Chromium and Playwright's driver are told about a portal's name -----------------------


def test_a_portals_resolver_rules_join_chromiums_own(browser_module: ModuleType) -> None:
    # Chromium keeps only the last --host-resolver-rules: two flags would drop one set.
    args = browser_module._merge_resolver_rules(
        [*browser_module.LAUNCH_FLAGS, "--host-resolver-rules=MAP dichvucong.mau.gov.vn 127.0.0.1"])
    rules = [a for a in args if a.startswith("--host-resolver-rules=")]
    assert len(rules) == 1
    assert "MAP accounts.google.com ~NOTFOUND" in rules[0]
    assert rules[0].endswith(", MAP dichvucong.mau.gov.vn 127.0.0.1")
    assert len(args) == len(browser_module.LAUNCH_FLAGS)
    assert browser_module._merge_resolver_rules(["--no-sandbox"]) == ["--no-sandbox"]


def test_driver_env_maps_names_and_trusts_the_ca_only_when_asked(
        browser_module: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NODE_OPTIONS", "--max-old-space-size=512")
    assert browser_module.driver_env_for("", "") == {}
    env = browser_module.driver_env_for("MAP dichvucong.mau.gov.vn 127.0.0.1", "/tmp/ca.pem")
    assert env["PORTAL_EVAL_HOST_MAP"] == "MAP dichvucong.mau.gov.vn 127.0.0.1"
    assert env["NODE_EXTRA_CA_CERTS"] == "/tmp/ca.pem"
    # The operator's own NODE_OPTIONS are kept; the preload script ships with the package.
    assert env["NODE_OPTIONS"].startswith("--max-old-space-size=512 --require ")
    assert browser_module.DRIVER_HOSTS_SCRIPT.is_file()
