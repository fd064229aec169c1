"""Secrets (issue 7): a test account configured through the environment and through a file
outside the repository appears in no output — evidence, result.json, report, JUnit, SARIF,
CSV, logs, stdout/stderr, the round store — and is never sent to a portal."""

from __future__ import annotations

import gzip
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from evaluator.credentials import LoginCredentials, load_login_credentials
from evaluator.settings import SettingsError, load_settings
from tests.integration.rounds.conftest import round_env, write_targets

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
# Recognisable, and unlike anything a portal or the evaluator would print.
ENV_USER, ENV_PASSWORD = "079201009999", "Bi-Mat-Env-7f3a9c"
FILE_USER, FILE_PASSWORD = "079201008888", "Bi-Mat-File-42e1b0"
SECRETS = [ENV_USER, ENV_PASSWORD, FILE_USER, FILE_PASSWORD]
QUICK = {"max_pages": "3", "max_depth": "2", "lighthouse": "false", "persona": "false",
         "key_page_settle_ms": "200"}


def leaks(folder: Path, texts: list[str]) -> list[str]:
    """Every place a secret appears: files under ``folder`` (gzip'd ones and SQLite blobs
    unpacked), and the given process outputs."""
    found = []
    blobs: list[tuple[str, bytes]] = [(f"output {i}", t.encode()) for i, t in enumerate(texts)]
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        blobs.append((str(path), data))
        if data[:2] == b"\x1f\x8b":
            blobs.append((f"{path} (gunzip)", gzip.decompress(data)))
        if path.suffix == ".sqlite":
            with sqlite3.connect(path) as db:
                for table, in db.execute("SELECT name FROM sqlite_master WHERE type='table'"):
                    for row in db.execute(f"SELECT * FROM {table}"):
                        for cell in row:
                            raw = cell if isinstance(cell, bytes) else str(cell).encode()
                            if raw[:2] == b"\x1f\x8b":
                                raw = gzip.decompress(raw)
                            blobs.append((f"{path}:{table}", raw))
    for where, data in blobs:
        for secret in SECRETS:
            if secret.encode() in data:
                found.append(f"{secret} in {where}")
    return found


def test_credentials_from_env_and_file_appear_in_no_output(
        fixture_server: Any, tmp_path: Path) -> None:
    secret_dir = tmp_path / "secret"  # outside the repository
    secret_dir.mkdir()
    cred_file = secret_dir / "login.yaml"
    cred_file.write_text(f"username: '{FILE_USER}'\npassword: '{FILE_PASSWORD}'\n")
    cred_file.chmod(0o600)
    with fixture_server.lock:
        seen_before = len(fixture_server.submissions)

    # 1. One portal with `evaluate`, the credential in the environment, --debug logging.
    out = tmp_path / "out"
    env = round_env(**QUICK, login_credentials_env="AUDIT_LOGIN")
    env["AUDIT_LOGIN"] = f"{ENV_USER}:{ENV_PASSWORD}"
    one = subprocess.run(
        [sys.executable, "-m", "evaluator", "--debug", "evaluate", fixture_server.url("mau"),
         "--out", str(out), "--id", "mau"], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=180, check=False)
    assert one.returncode == 0, one.stderr[-2000:]
    assert "login credentials from $AUDIT_LOGIN are configured" in one.stderr

    # 2. A round (store, logs, round folder) with the credential in a file.
    targets = write_targets(tmp_path / "targets.yaml", fixture_server, ["mau"])
    env = round_env(**QUICK, login_credentials_file=str(cred_file))
    two = subprocess.run(
        [sys.executable, "-m", "evaluator", "--debug", "batch", str(targets), "--out",
         str(out / "rounds"), "--round", "r1"], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=180, check=False)
    assert two.returncode == 0, two.stderr[-2000:]

    files = {p.name for p in out.rglob("*") if p.is_file()}
    assert {"result.json", "report.html", "junit.xml", "results.sarif", "bundle.json",
            "index.csv", "rounds.sqlite", "mau.attempt-1.log"} <= files, files
    assert leaks(out, [one.stdout, one.stderr, two.stdout, two.stderr]) == []
    # Nothing sent anywhere carried it either: no form but search and lookup, no secret.
    with fixture_server.lock:
        sent = fixture_server.submissions[seen_before:]
    assert {s.kind for s in sent} <= {"search", "status_lookup"}
    assert not [s for s in sent for x in SECRETS if x in s.query + s.body]
    # The scan can fail: the same secrets in a file are found.
    (out / "canary.txt").write_text(f"xx{FILE_PASSWORD}xx")
    assert leaks(out, []) == [f"{FILE_PASSWORD} in {out / 'canary.txt'}"]


def test_credentials_settings_are_checked_without_echoing_the_value(tmp_path: Path) -> None:
    settings = load_settings(env={"PORTAL_EVAL_LOGIN_CREDENTIALS_ENV": "AUDIT_LOGIN"})
    creds = load_login_credentials(settings, {"AUDIT_LOGIN": f"{ENV_USER}:{ENV_PASSWORD}"})
    assert isinstance(creds, LoginCredentials) and creds.password == ENV_PASSWORD
    assert ENV_PASSWORD not in repr(creds) + str(creds) + repr(settings.snapshot())
    with pytest.raises(SettingsError, match=r"must be USERNAME:PASSWORD") as err:
        load_login_credentials(settings, {"AUDIT_LOGIN": ENV_PASSWORD})
    assert ENV_PASSWORD not in str(err.value)
    # A file inside the repository, or readable by others, is refused.
    inside = ROOT / "tests" / ".login-test.yaml"
    try:
        inside.write_text(f"username: a\npassword: {FILE_PASSWORD}\n")
        os.chmod(inside, 0o600)
        with pytest.raises(SettingsError, match="inside the repository"):
            load_login_credentials(load_settings(
                env={"PORTAL_EVAL_LOGIN_CREDENTIALS_FILE": str(inside)}))
    finally:
        inside.unlink(missing_ok=True)
    loose = tmp_path / "login.yaml"
    loose.write_text(f"username: a\npassword: {FILE_PASSWORD}\nextra: [\n")
    loose.chmod(0o644)
    file_settings = load_settings(env={"PORTAL_EVAL_LOGIN_CREDENTIALS_FILE": str(loose)})
    with pytest.raises(SettingsError, match="readable by others"):
        load_login_credentials(file_settings)
    loose.chmod(0o600)
    with pytest.raises(SettingsError) as err:  # invalid YAML: where, never the line's text
        load_login_credentials(file_settings)
    assert FILE_PASSWORD not in str(err.value) and str(loose) in str(err.value)
