"""Seal and verify a meeting of 2,000 sheets read (real scanner readings and images, recorded under new keys):
time to seal (report sheets + bundle), bundle size, time to verify (hashes, chain, images, recomputed tally)."""

from __future__ import annotations

import json
import resource
import shutil
import tempfile
import time
from pathlib import Path

N = 2000


def main() -> None:
    from typer.testing import CliRunner

    from archive.bundle import seal, verify
    from bench.bench_server import _bodies
    from cli.main import app
    from meeting.folder import MeetingFolder
    from meeting.store import now
    from scanner.session import fingerprint_blob

    root = Path(tempfile.mkdtemp())
    folder_path = root / "m"
    runner = CliRunner()
    runner.invoke(app, ["init", str(folder_path)])
    runner.invoke(app, ["print", str(folder_path)])
    bodies = _bodies(folder_path, 20)
    folder = MeetingFolder.open(folder_path)
    store = folder.store()
    store.set_ballot_count("CP", "QZ", "bench", issued=N)
    layout_hash = next(h for h, r in store.layouts().items() if r["round_id"] == "CP")
    with store.transaction():
        for i in range(N):
            b = bodies[i % len(bodies)]
            store.add_reading({
                "key": f"bench:{i}", "round_id": "CP", "group_id": "QZ", "layout_hash": layout_hash, "page": 1,
                "serial": None, "status": "counted", "marks": json.dumps(b["marks"], ensure_ascii=False),
                "reasons": "[]", "fingerprint": fingerprint_blob({k: bytes.fromhex(v) for k, v in
                                                                 b["fingerprint"].items()}),
                "image": b["image"], "station": "bench", "read_at": now(), "signature": None,
            }, "bench", issued=N)
    meeting = folder.accepted(store).meeting
    start = time.perf_counter()
    sealed = seal(folder, store, meeting, ["CP"], "bench", None)
    seal_s = time.perf_counter() - start
    store.close()
    size = sum(p.stat().st_size for p in sealed.bundle.rglob("*") if p.is_file())
    start = time.perf_counter()
    v = verify(sealed.bundle)
    verify_s = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{N} sheets read: seal (trial report sheets, seal, bundle with {N} images) {seal_s:.1f} s; "
          f"bundle {size / 2**20:.0f} MiB; verify {verify_s:.1f} s ({'OK' if v.ok else 'FAILED'}); "
          f"peak RSS {rss:.0f} MiB")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
