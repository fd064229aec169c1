"""Benchmarks: `nox -s bench` (never part of the tests; speed targets are proven here)."""
