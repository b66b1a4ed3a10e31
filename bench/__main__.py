"""Run every benchmark module (bench_*.py) in this folder, or the ones named: python -m bench store."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import bench


def main(names: list[str]) -> int:
    modules = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    if names:
        modules = [m for m in modules if m.removeprefix("bench_") in names or m in names]
    for name in modules:
        print(f"== {name} ==", flush=True)
        start = time.perf_counter()
        importlib.import_module(f"bench.{name}").main()
        print(f"   ({time.perf_counter() - start:.1f} s)\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
