"""Store: cost of one audited write, and of checking the whole audit chain (run by `tallykit status`).

The live server (a later issue) must take >= 500 readings/s; every reading is one audited write,
so one audited write must stay well under 2 ms. Numbers are printed, not asserted.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

import templates
from meeting.folder import MeetingFolder

WRITES = 5_000


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = MeetingFolder.init(Path(tmp) / "m", templates.get(templates.DEFAULT).read_text(), "bench")
        store = folder.store()
        times = []
        for i in range(WRITES):
            start = time.perf_counter()
            store.insert_audited("manual_entries", {"round_id": "DW", "candidate_id": f"C{i % 6 + 1:02d}",
                                                    "value": str(80 + i % 20), "operator": "bench", "note": "",
                                                    "entered_at": "2026-12-15T10:00:00+08:00"}, "bench",
                                 "manual.enter")
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p95 = times[int(len(times) * 0.95)]
        print(f"audited write (one transaction each, synchronous=FULL, WAL): median {statistics.median(times):.2f} ms,"
              f" p95 {p95:.2f} ms, {1000 / statistics.mean(times):.0f} writes/s over {WRITES}")
        start = time.perf_counter()
        integrity = store.check_integrity()
        elapsed = time.perf_counter() - start
        tracemalloc.start()
        store.check_integrity()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert integrity.ok, integrity.problem
        print(f"integrity check of {integrity.rows} audit rows + records: {elapsed * 1000:.0f} ms"
              f" ({elapsed / integrity.rows * 1e6:.1f} µs/row), peak {peak / 2**20:.1f} MiB")
        store.close()
