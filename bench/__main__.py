"""Run every benchmark module `bench/bench_*.py` in name order, or the ones named on the
command line (`nox -s bench -- round`). Each module has a `main(argv) -> int`; a benchmark that
fails says why on one line and the others still run."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import bench


def _modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(bench.__path__)
                  if m.name.startswith("bench_"))


def main(argv: list[str]) -> int:
    wanted = [a for a in argv if not a.startswith("-")]
    names = _modules()
    if wanted:
        unknown = [w for w in wanted if f"bench_{w}" not in names]
        if unknown:
            print(f"bench: unknown benchmark(s) {', '.join(unknown)}; have "
                  f"{', '.join(n.removeprefix('bench_') for n in names)}", file=sys.stderr)
            return 2
        names = [f"bench_{w}" for w in wanted]
    failed = 0
    for name in names:
        print(f"== {name.removeprefix('bench_')} ==", flush=True)
        t0 = time.monotonic()
        try:
            code = importlib.import_module(f"bench.{name}").main([a for a in argv if a.startswith("-")])
        except Exception as exc:  # one benchmark's failure must not hide the others' figures
            print(f"bench {name}: {type(exc).__name__}: {exc}", file=sys.stderr)
            code = 1
        print(f"== {name.removeprefix('bench_')}: exit {code} in {time.monotonic() - t0:.1f} s ==",
              flush=True)
        failed += code != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
