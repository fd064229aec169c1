"""The expensive part of the integration tests, done once per session: every fixture portal
evaluated end to end with real Chromium (about 5 minutes on 2 cores, most of it the slow `kem`).
"""

from __future__ import annotations

from typing import Any

import pytest

from evaluator.criteria.loader import load_profile
from evaluator.pipeline import PortalRun, evaluate_portal
from evaluator.settings import load_settings
from fixtures.demo import PORTALS, fixture_settings, portal_attestations, portal_target

PORTAL_IDS = sorted(p.name for p in PORTALS.iterdir() if (p / "expected.yaml").is_file())


@pytest.fixture(scope="session")
def evaluated(fixture_server: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, PortalRun]:
    out = tmp_path_factory.mktemp("eval")
    settings = fixture_settings(fixture_server, load_settings(env={}))
    profile = load_profile("vn-2023")
    return {
        pid: evaluate_portal(portal_target(fixture_server, pid), out, settings, profile,
                             attestations=portal_attestations(pid, profile))
        for pid in PORTAL_IDS
    }


