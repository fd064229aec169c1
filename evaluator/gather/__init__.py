"""Gatherers: browser-side collection of evidence. Each returns plain JSON-able data."""
