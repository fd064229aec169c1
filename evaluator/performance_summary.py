"""What the report shows of the performance pillar, built from the evidence during scoring.

Pure (no browser): Lighthouse's metrics per key template (each metric's median and every run) with
the thresholds of the profile's criteria beside them, page weight and request counts, the
portal's availability during the evaluation, and the remote-area citizen's journey step by step,
throttled next to unthrottled. It lands in result.json (``PortalResult.performance``), so the
report reads it from the result alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from evaluator.base.performance import (
    METRICS,
    MetricSummary,
    PerformanceMeasurements,
    PersonaStepSummary,
    PersonaSummary,
    TemplateSummary,
)
from evaluator.checks.performance import (
    availability_counts,
    median_run,
    metric_median,
    usable_runs,
)
from evaluator.criteria.schema import Criterion, Vocabulary
from evaluator.derived import EvidenceView
from evaluator.evidence import EvidenceBundle, KeyPageMeasurement, PersonaRun


def _thresholds(criteria: Sequence[Criterion]) -> dict[str, tuple[float, bool, str, bool]]:
    out: dict[str, tuple[float, bool, str, bool]] = {}
    for c in criteria:
        if c.check == "lighthouse_metric_below" and "metric" in c.params:
            out[str(c.params["metric"])] = (float(c.params["max"]),
                                            bool(c.params.get("strict", True)), c.id,
                                            bool(c.params.get("with_lane_cls", False)))
    return out


def _template(page: KeyPageMeasurement, thresholds: dict[str, tuple[float, bool, str, bool]],
              ) -> TemplateSummary:
    runs = page.lighthouse or []
    usable = usable_runs(runs)
    errors = [r.error or r.runtime_error or "" for r in runs if r.error or r.runtime_error]
    if not usable:
        return TemplateSummary(role=page.role, url=page.url, runs=len(runs), errors=errors,
                               preset=runs[0].preset if runs else None)
    chosen = median_run(usable)
    metrics: list[MetricSummary] = []
    for metric in METRICS:
        value = metric_median(usable, metric)
        rule = thresholds.get(metric)
        lane = page.timings.cls if rule is not None and rule[3] and metric == "cls" else None
        judged = max(value, lane) if value is not None and lane is not None else value
        passed = None
        if rule is not None and judged is not None:
            passed = judged < rule[0] if rule[1] else judged <= rule[0]
        metrics.append(MetricSummary(
            metric=metric, median=value, lane=lane, runs=[getattr(r, metric) for r in usable],
            threshold=rule[0] if rule else None, strict=rule[1] if rule else True,
            criterion=rule[2] if rule else None, passed=passed))
    ttfb = sorted(r.server_response_ms for r in usable if r.server_response_ms is not None)
    middle = len(ttfb) // 2
    ttfb_median = (ttfb[middle] if len(ttfb) % 2 else (ttfb[middle - 1] + ttfb[middle]) / 2) \
        if ttfb else None
    return TemplateSummary(
        role=page.role, url=page.url, preset=chosen.preset, runs=len(runs),
        usable_runs=len(usable), median_run=runs.index(chosen),
        performance_score=chosen.performance_score, metrics=metrics,
        ttfb_median_ms=ttfb_median, ttfb_worst_ms=ttfb[-1] if ttfb else None,
        total_byte_weight=chosen.total_byte_weight, network_requests=chosen.network_requests,
        errors=errors)


def _persona(throttled: PersonaRun, unthrottled: PersonaRun) -> PersonaSummary:
    plain = {s.step: s for s in unthrottled.steps}
    steps = [PersonaStepSummary(
        step=s.step, url=s.url, throttled_ms=s.elapsed_ms, throttled_error=s.error,
        unthrottled_ms=plain[s.step].elapsed_ms if s.step in plain else None,
        unthrottled_error=plain[s.step].error if s.step in plain else None)
        for s in throttled.steps]

    def total(run: PersonaRun) -> float | None:
        times = [s.elapsed_ms for s in run.steps if s.url]
        return round(sum(t for t in times if t is not None), 1) \
            if times and None not in times else None

    return PersonaSummary(
        profile=throttled.profile, download_kbps=throttled.download_kbps,
        latency_ms=throttled.latency_ms, cpu_slowdown=throttled.cpu_slowdown, steps=steps,
        throttled_total_ms=total(throttled), unthrottled_total_ms=total(unthrottled),
        error=throttled.error or unthrottled.error)


def build_performance_measurements(bundle: EvidenceBundle, criteria: Sequence[Criterion],
                                   vocabulary: Vocabulary) -> PerformanceMeasurements:
    thresholds = _thresholds(criteria)
    templates = [_template(k, thresholds) for k in bundle.key_pages or []
                 if k.lighthouse is not None]
    requests, failed = availability_counts(EvidenceView(bundle, vocabulary))
    persona = _persona(bundle.persona.throttled, bundle.persona.unthrottled) \
        if bundle.persona is not None else None
    return PerformanceMeasurements(
        lighthouse_version=bundle.versions.lighthouse,
        lighthouse_unavailable=bundle.disabled.get("lighthouse"),
        templates=templates, requests=requests, failed_requests=failed, persona=persona)
