"""Lighthouse over the shared browser: a long-lived Node worker (worker.mjs) and its client.

Self-contained for now: nothing in gathering or scoring uses it yet.
"""

from evaluator.lighthouse.client import (
    METRIC_AUDITS,
    AuditValue,
    LighthouseError,
    LighthouseResult,
    LighthouseRunFailed,
    LighthouseUnavailable,
    LighthouseWorker,
    Preset,
    find_node,
    find_node_modules,
)

__all__ = [
    "METRIC_AUDITS",
    "AuditValue",
    "LighthouseError",
    "LighthouseResult",
    "LighthouseRunFailed",
    "LighthouseUnavailable",
    "LighthouseWorker",
    "Preset",
    "find_node",
    "find_node_modules",
]
