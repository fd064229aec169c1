"""The library of built-in checks, every one registered: where checks are looked up by name.

Importing the check modules runs their ``@register`` decorators. This module sits above them
and the registry (which the check modules import), so looking a check up needs no import loop.
"""

from __future__ import annotations

from evaluator.checks import (  # noqa: F401  (imported for their @register decorators)
    access,
    content_access,
    functionality,
    keyboard,
    layout,
    performance,
    transport,
)
from evaluator.checks.registry import CheckSpec, registered, registered_names


def get(name: str) -> CheckSpec | None:
    """The built-in check ``name``; None when there is no such check."""
    return registered(name)


def names() -> list[str]:
    """Every built-in check's name, sorted."""
    return registered_names()
