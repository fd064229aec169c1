"""The import rules of evaluator/ (docs/architecture.md), read from the source with ``ast``.

Every import counts: at the top of a module, inside a function (a lazy import), under
``if TYPE_CHECKING:``. A rule broken by a lazy import is still broken: the module still needs
the other one, only later.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "evaluator"

# Modules that read a result (render it, gate on it, compare two): they must run without loading
# the checks, the derived views of evidence or the browser stage.
RESULT_READERS = ("evaluator.report", "evaluator.outputs", "evaluator.gate", "evaluator.diff",
                  "evaluator.results")
SCORING_INTERNALS = ("evaluator.checks", "evaluator.derived", "evaluator.gather")
# Plain data and its readers: the evidence and criteria models, settings, text helpers.
DATA = ("evaluator.evidence", "evaluator.criteria.schema", "evaluator.settings",
        "evaluator.textnorm", "evaluator.yamlio", "evaluator.resources")
# Scoring: pure, browser-free, and it renders nothing.
SCORING = ("evaluator.derived", "evaluator.checks", "evaluator.criteria", "evaluator.runner",
           "evaluator.scoring", "evaluator.performance_summary", "evaluator.fixfirst")
GATHER_AND_ABOVE = ("evaluator.browser", "evaluator.crawl", "evaluator.gather",
                    "evaluator.lighthouse", "evaluator.report", "evaluator.outputs",
                    "evaluator.rounds", "evaluator.pipeline", "evaluator.cli")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, modules: set[str]) -> set[str]:
    """The evaluator modules ``path`` imports anywhere in its body. ``from a import b`` counts
    as importing ``a.b`` when that is a module (a submodule import), else ``a``."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                found.add(sub if sub in modules else source)
    return {m for m in found if m in modules and m != name}


def import_graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(files)
    return {name: imported_modules(path, modules) for name, path in files.items()}


def under(module: str, prefixes: Iterable[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), i.e. import loops."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


GRAPH = import_graph()


def test_the_parser_sees_lazy_and_relative_imports() -> None:
    # criteria/loader.py imports the check library inside a function; a graph without it would
    # let every rule below pass for the wrong reason.
    assert "evaluator.checks.library" in GRAPH["evaluator.criteria.loader"]
    assert "evaluator.base.status" in GRAPH["evaluator.report.portal"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_base_layer_imports_only_itself() -> None:
    wrong = {m: sorted(d for d in deps if not under(d, ["evaluator.base"]))
             for m, deps in GRAPH.items() if under(m, ["evaluator.base"])}
    assert {m: d for m, d in wrong.items() if d} == {}


def test_the_data_layer_imports_only_the_base_and_itself() -> None:
    wrong = {m: sorted(d for d in GRAPH[m] if not under(d, ("evaluator.base", *DATA)))
             for m in GRAPH if under(m, DATA)}
    assert {m: d for m, d in wrong.items() if d} == {}


def test_scoring_loads_no_browser_stage_and_no_renderer() -> None:
    """Gather and score are separate stages: scoring runs where no browser could."""
    wrong = {m: sorted(d for d in reachable(GRAPH, m) if under(d, GATHER_AND_ABOVE))
             for m in GRAPH if under(m, SCORING)}
    assert {m: d for m, d in wrong.items() if d} == {}


def test_result_readers_load_no_check_derived_view_or_gatherer() -> None:
    """Not only directly: nothing they import may load one either."""
    readers = [m for m in GRAPH if under(m, RESULT_READERS)]
    assert len(readers) > 10
    wrong = {m: sorted(d for d in reachable(GRAPH, m) if under(d, SCORING_INTERNALS))
             for m in readers}
    assert {m: d for m, d in wrong.items() if d} == {}


def test_checks_get_what_they_need_from_params_and_evidence() -> None:
    """A check never builds settings nor reaches into the browser stage: what it judges by is in
    the evidence (EvidenceView.setting for the settings the portal was gathered with)."""
    forbidden = ("evaluator.settings", "evaluator.gather", "evaluator.browser", "evaluator.crawl",
                 "evaluator.lighthouse")
    wrong = {m: sorted(d for d in deps if under(d, forbidden))
             for m, deps in GRAPH.items() if under(m, ["evaluator.checks"])}
    assert {m: d for m, d in wrong.items() if d} == {}


def test_there_is_no_import_loop_in_evaluator() -> None:
    assert cycles(GRAPH) == []
