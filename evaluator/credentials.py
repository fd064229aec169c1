"""Login credentials (a test account), from the environment or a file outside the repository.

What a credential is for here, and what it is not for: the login criterion (F06) judges the
*hand-off* — the portal's "Đăng nhập" leads to the national identity provider (VNeID). The
evaluator follows that link and stops on the provider's page. It never types a credential into
a portal or identity-provider form and never submits one: a login is an act with effects (an
entry in the citizen's VNeID access log, a lockout after failed tries, a session the portal
counts), which an audit must not cause. A test account belongs to the auditor, who uses it by
hand for the manual criteria (pre-filled e-forms, notifications) and records what was seen as
an attestation. The evaluator's part is to make sure configuring one can never leak it: the
value is read only here, held in an object whose repr is redacted, and never enters the
settings snapshot (that records the variable's *name* and the file's *path*), the evidence,
the result, the reports or the logs (tests/integration/test_secrets.py greps every output).

    login_credentials_env: PORTAL_EVAL_LOGIN       # the variable holds "USERNAME:PASSWORD"
    login_credentials_file: /etc/portal-eval/login.yaml   # {username: …, password: …}, mode 0600

A credentials file inside the repository is refused (it would be committed), and so is one that
others may read.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from evaluator.settings import Settings, SettingsError
from evaluator.yamlio import YamlFileError, read_yaml

REDACTED = "********"


@dataclass(frozen=True)
class LoginCredentials:
    username: str = field(repr=False)
    password: str = field(repr=False)
    source: str  # where they came from: "$NAME" or the file's path (never the value)

    def __repr__(self) -> str:
        return f"LoginCredentials(source={self.source!r}, username={REDACTED}, password={REDACTED})"

    __str__ = __repr__

    def redact(self, text: str) -> str:
        """``text`` with every occurrence of the username or password masked."""
        for secret in (self.password, self.username):
            if secret:
                text = text.replace(secret, REDACTED)
        return text


def _repo_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / ".git").exists() or (folder / "pyproject.toml").is_file():
            return folder
    return None


def _inside_repo(file: Path) -> Path | None:
    """The repository (of the working directory, or of this package) that holds ``file``."""
    resolved = file.resolve()
    for start in (Path.cwd().resolve(), Path(__file__).resolve().parent):
        root = _repo_root(start)
        if root is not None and resolved.is_relative_to(root):
            return root
    return None


def load_login_credentials(settings: Settings,
                           environ: dict[str, str] | None = None) -> LoginCredentials | None:
    """The configured credentials, or None. Errors are one line and never contain a value."""
    env = os.environ if environ is None else environ
    if settings.login_credentials_env and settings.login_credentials_file:
        raise SettingsError("login_credentials_env and login_credentials_file: set one, not both")
    if settings.login_credentials_env:
        name = settings.login_credentials_env
        raw = env.get(name)
        if raw is None:
            raise SettingsError(f"login_credentials_env: ${name} is not set")
        username, sep, password = raw.partition(":")
        if not sep or not username or not password:
            raise SettingsError(f"login_credentials_env: ${name} must be USERNAME:PASSWORD")
        return LoginCredentials(username, password, f"${name}")
    if settings.login_credentials_file:
        file = Path(settings.login_credentials_file).expanduser()
        root = _inside_repo(file) if file.exists() else None
        if root is not None:
            raise SettingsError(f"login_credentials_file: {file} is inside the repository "
                                f"{root}: keep credentials outside it (they would be committed)")
        try:
            mode = file.stat().st_mode
        except OSError as exc:
            raise SettingsError(f"login_credentials_file: {file}: "
                                f"{exc.strerror or 'cannot read'}") from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise SettingsError(f"login_credentials_file: {file} is readable by others "
                                f"(mode {stat.S_IMODE(mode):o}): chmod 600 it")
        try:
            doc = read_yaml(file, "credentials")
        except YamlFileError as exc:
            # The parser's message may quote the line it failed on: keep only where it failed.
            where = f"{file}:{exc.line}" if exc.line else str(file)
            raise SettingsError(f"login_credentials_file: {where}: not a valid credentials "
                                "file (YAML mapping with username and password)") from None
        data = doc.data
        if (not isinstance(data, dict) or set(data) != {"username", "password"}
                or not all(isinstance(data[k], str | int) and str(data[k]) for k in data)):
            raise SettingsError(f"login_credentials_file: {file}: expected exactly "
                                "'username' and 'password' (text)")
        return LoginCredentials(str(data["username"]), str(data["password"]), str(file))
    return None
