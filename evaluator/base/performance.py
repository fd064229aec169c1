"""The performance summary a result carries (``PortalResult.performance``), as plain models.

Lighthouse's metrics per key template with the thresholds of the profile's criteria beside them,
page weight and request counts, the portal's availability during the evaluation, and the
remote-area citizen's journey step by step. Built during scoring by
evaluator/performance_summary.py; the report reads it from the result alone.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Metric = Literal["fcp_ms", "lcp_ms", "speed_index_ms", "tbt_ms", "cls"]
METRICS: tuple[Metric, ...] = ("fcp_ms", "lcp_ms", "speed_index_ms", "tbt_ms", "cls")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MetricSummary(_Model):
    metric: Metric
    # The metric's median over the usable runs (what its criterion judges), then every usable
    # run's value.
    median: float | None = None
    runs: list[float | None] = Field(default_factory=list)
    # The lane's own load, when the criterion also judges it (CLS: with_lane_cls).
    lane: float | None = None
    # The criterion's threshold, None when the profile scores no criterion on this metric.
    threshold: float | None = None
    strict: bool = True
    criterion: str | None = None
    passed: bool | None = None


class TemplateSummary(_Model):
    role: str
    url: str
    preset: str | None = None
    runs: int = 0
    usable_runs: int = 0
    # Position of Lighthouse's representative run (computeMedianRun: page weight and score)
    # among all runs (0-based).
    median_run: int | None = None
    performance_score: float | None = None
    metrics: list[MetricSummary] = Field(default_factory=list)
    ttfb_median_ms: float | None = None
    ttfb_worst_ms: float | None = None
    total_byte_weight: int | None = None
    network_requests: int | None = None
    # Each failed run's one-line reason.
    errors: list[str] = Field(default_factory=list)


class PersonaStepSummary(_Model):
    step: str
    url: str
    throttled_ms: float | None = None
    unthrottled_ms: float | None = None
    throttled_error: str | None = None
    unthrottled_error: str | None = None


class PersonaSummary(_Model):
    profile: str
    download_kbps: float | None = None
    latency_ms: float | None = None
    cpu_slowdown: float = 1.0
    steps: list[PersonaStepSummary] = Field(default_factory=list)
    throttled_total_ms: float | None = None
    unthrottled_total_ms: float | None = None
    error: str | None = None


class PerformanceMeasurements(_Model):
    lighthouse_version: str | None = None
    # Why Lighthouse did not run, when it did not.
    lighthouse_unavailable: str | None = None
    templates: list[TemplateSummary] = Field(default_factory=list)
    requests: int = 0
    failed_requests: int = 0
    persona: PersonaSummary | None = None
