"""The registry of checks: small, parameterised, reusable functions (axe-core checks).

A site check sees the whole evidence; a page check sees one page at a time and the runner folds
the page outcomes with the criterion's ``aggregate``. Each check declares a pydantic model of its
params, so the loader rejects bad params with file and line before anything runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from evaluator.checks.model import Outcome

Level = Literal["site", "page", "key_page"]


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class CheckSpec:
    name: str
    level: Level
    params: type[Params]
    fn: Callable[..., Outcome]
    evidence: str

    def scope_problem(self, scope: str) -> str | None:
        """Why ``scope`` cannot feed this check, or None when it fits."""
        if self.level == "site":
            ok = scope == "site"
        elif self.level == "page":
            ok = scope in ("start_page", "every_page")
        else:
            ok = scope == "key_pages" or scope.startswith("key_page:")
        if ok:
            return None
        wanted = {
            "site": "site",
            "page": "start_page or every_page",
            "key_page": "key_pages or key_page:<role>",
        }[self.level]
        return f"check '{self.name}' works on scope {wanted}, not '{scope}'"


_REGISTRY: dict[str, CheckSpec] = {}


def register(
    name: str, *, level: Level, params: type[Params] = Params, evidence: str = "pages"
) -> Callable[[Callable[..., Outcome]], Callable[..., Outcome]]:
    """Register a check. ``evidence`` names what it reads, for "missing evidence" errors."""

    def deco(fn: Callable[..., Outcome]) -> Callable[..., Outcome]:
        if name in _REGISTRY:
            raise ValueError(f"check '{name}' registered twice")
        _REGISTRY[name] = CheckSpec(name, level, params, fn, evidence)
        return fn

    return deco


def registered(name: str) -> CheckSpec | None:
    """The check registered as ``name`` so far. The loader and the runner look checks up in
    evaluator/checks/library.py, which imports every built-in check first."""
    return _REGISTRY.get(name)


def registered_names() -> list[str]:
    return sorted(_REGISTRY)


def params_of(spec: CheckSpec, raw: dict[str, Any]) -> Params:
    return spec.params.model_validate(raw)
