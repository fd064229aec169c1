"""Machine-readable outputs of a result for CI pipelines.

- :mod:`evaluator.outputs.junit`: JUnit XML, one test case per criterion, one suite per pillar
  (GitLab merge requests, Jenkins, GitHub test-report actions).
- :mod:`evaluator.outputs.sarif`: SARIF 2.1.0, one result per finding (code scanning and other
  SARIF viewers).

Both are pure functions of a :class:`~evaluator.results.PortalResult`: the same result gives
byte-identical files (no clock, no host name; the only time in them is ``evaluated_at``).
"""

from __future__ import annotations

from evaluator.outputs.junit import render_junit, write_junit
from evaluator.outputs.sarif import render_sarif, write_sarif

__all__ = ["render_junit", "render_sarif", "write_junit", "write_sarif"]
