"""Round tests: real `portal-eval batch` processes against the fixture portals, a real
redis-server and a throwaway PostgreSQL cluster on 127.0.0.1 (started once, stopped after)."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.integration.rounds.services import (
    Postgres,
    ServiceMissing,
    fresh_database,
    postgres_server,
    redis_server,
)

ROOT = Path(__file__).resolve().parents[3]


def _missing(exc: ServiceMissing) -> None:
    # In CI a missing server is a failure (nox installs them); on a developer's machine a skip
    # that says what to install.
    if os.environ.get("CI"):
        pytest.fail(f"round tests need it: {exc}")
    pytest.skip(str(exc))


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    try:
        with redis_server(tmp_path_factory.mktemp("redis")) as url:
            yield url
    except ServiceMissing as exc:
        _missing(exc)


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Postgres]:
    try:
        with postgres_server(tmp_path_factory.mktemp("postgres")) as pg:
            yield pg
    except ServiceMissing as exc:
        _missing(exc)


@pytest.fixture
def postgres_url(postgres: Postgres) -> str:
    return fresh_database(postgres, f"t_{uuid.uuid4().hex[:12]}")


def closed_port_url() -> str:
    """A loopback port nobody listens on (connection refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


class HangingServer:
    """Accepts connections on 127.0.0.1 and never answers: a portal that hangs the browser."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


@pytest.fixture
def hanging_server() -> Iterator[HangingServer]:
    server = HangingServer()
    yield server
    server.close()


def write_targets(path: Path, server: Any, portal_ids: list[str],
                  extra: list[dict[str, str]] | None = None) -> Path:
    from fixtures.demo import portal_target

    targets = []
    for pid in portal_ids:
        t = portal_target(server, pid)
        targets.append({"id": t.id, "name": t.name, "agency": t.agency or "province",
                        "start_url": t.start_url})
    targets += extra or []
    path.write_text(yaml.safe_dump({"targets": targets}, allow_unicode=True), encoding="utf-8")
    return path


def round_env(**settings: str) -> dict[str, str]:
    """The environment of a batch or worker process: fast fixture settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PORTAL_EVAL_") or k == "PORTAL_EVAL_CHROMIUM"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update({f"PORTAL_EVAL_{k.upper()}": v for k, v in settings.items()})
    return env
