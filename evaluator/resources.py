"""Where the data shipped with portal-eval lives: in the wheel, or at the top of a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def criteria_dir() -> Path:
    return _data_dir("criteria")


def reports_dir() -> Path:
    return _data_dir("reports")


def schemas_dir() -> Path:
    return _data_dir("schemas")
