"""Shared fixtures: the fixture portals' web server on 127.0.0.1, started once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def fixture_server() -> Iterator[object]:
    from fixtures.server import FixtureServer

    with FixtureServer(ROOT / "fixtures" / "portals") as server:
        yield server
