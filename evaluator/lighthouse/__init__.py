"""Lighthouse over the shared browser: a long-lived Node worker (worker.mjs) and its client.

The key-page lane (evaluator/gather/key_pages.py) drives it; the evidence keeps every run.
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
