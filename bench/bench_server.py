"""Load test of the station API on loopback: 20 concurrent station clients post readings, bounded in count and
time. Reports readings/s and p50/p95 latency, and checks the store afterwards: one reading per unique key sent.

Target (issue 6): >= 500 readings/s."""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

CLIENTS = 20
PER_CLIENT = 150
TIME_LIMIT = 60.0
RESEND = 0.1  # this share of posts re-sends an earlier key: it must be stored once


def _bodies(folder: Path, n: int) -> list[dict]:
    import numpy as np

    from scanner.deck import Deck, camera
    from scanner.reader import Rejected
    from scanner.session import Draft

    deck = Deck(folder)
    reader = deck.reader()
    rng = np.random.default_rng(1)
    out = []
    while len(out) < n:
        read = reader.read(camera(deck.fill(("CP", "QZ"), rng).image, rng, max_tilt=8))
        if isinstance(read, Rejected):
            continue
        d = Draft.from_read(read, "x", "s")
        out.append({"code": read.code, "states": d.states, "marks": json.loads(d.marks), "reasons": list(d.reasons),
                    "fingerprint": {k: v.hex() for k, v in d.fingerprint.items()}, "image": d.image})
    return out


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    from typer.testing import CliRunner

    from cli.main import app
    from meeting.folder import MeetingFolder
    from scanner.remote import WIRE_TYPE, encode_post

    root = Path(tempfile.mkdtemp())
    folder = root / "m"
    runner = CliRunner()
    runner.invoke(app, ["init", str(folder)])
    runner.invoke(app, ["print", str(folder), "--round", "CP"])
    store = MeetingFolder.open(folder).store()
    store.set_ballot_count("CP", "QZ", "bench", issued=100_000)  # room for every post
    store.close()
    bodies = _bodies(folder, 40)
    encoded = [encode_post({"key": "KEY", "station": "STATION", **{k: v for k, v in b.items() if k != "image"}},
                           b["image"]) for b in bodies]  # the station wire format: JSON line + raw JPEG
    size = statistics.mean(len(e) for e in encoded)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-c", (
        "import sys, uvicorn; from pathlib import Path; from board.app import create_app; "
        f"uvicorn.run(create_app(Path({str(folder)!r})), host='127.0.0.1', port={port}, log_level='warning')")],
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/api/board", timeout=1).read()
            break
        except OSError:
            time.sleep(0.1)
    from board.service import api_token
    from meeting.keys import MeetingKeys

    token = api_token(MeetingKeys.load(folder / "meeting.key").hmac_secret)
    latencies: list[float] = []
    sent_keys: set[str] = set()
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + TIME_LIMIT

    def client(n: int) -> None:
        import http.client
        import random

        rnd = random.Random(n)
        mine: list[tuple[str, int]] = []
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)  # a station keeps its connection open
        for i in range(PER_CLIENT):
            if time.perf_counter() > deadline:
                break
            # a re-send is the same sheet under the same key (the same key with another sheet is a 409 conflict)
            key, which = rnd.choice(mine) if mine and rnd.random() < RESEND else \
                (f"c{n}-{i}", (n * PER_CLIENT + i) % len(encoded))
            mine.append((key, which))
            # bodies are serialised once, the key spliced in: the load generator must not be the bottleneck
            data = encoded[which].replace(b'"key":"KEY","station":"STATION"',
                                          f'"key":"{key}","station":"s{n}"'.encode())
            start = time.perf_counter()
            try:
                conn.request("POST", "/api/readings", data, {"Content-Type": WIRE_TYPE,
                                                             "Authorization": f"Bearer {token}"})
                r = conn.getresponse()
                r.read()
                if r.status not in (200, 201):
                    raise OSError(f"status {r.status}")
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    errors.append(str(exc))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            with lock:
                latencies.append(time.perf_counter() - start)
                sent_keys.add(f"s{n}:{key}")

    cpu_before, client_before = _cpu_seconds(server.pid), time.process_time()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    cpu, client_cpu = _cpu_seconds(server.pid) - cpu_before, time.process_time() - client_before
    server.terminate()
    server.wait(timeout=10)
    store = MeetingFolder.open(folder).store()
    stored = store.db.execute("SELECT count(*) FROM readings").fetchone()[0]
    ok = store.check_integrity().ok
    store.close()
    shutil.rmtree(root, ignore_errors=True)
    rate = len(latencies) / elapsed
    lat = sorted(latencies)
    print(f"{CLIENTS} station clients, {len(latencies)} posts ({len(errors)} errors) of ~{size / 1024:.0f} KiB each "
          f"in {elapsed:.1f} s: {rate:.0f} readings/s, latency p50 {lat[len(lat) // 2] * 1000:.0f} ms, "
          f"p95 {lat[int(len(lat) * 0.95)] * 1000:.0f} ms  [{'OK' if rate >= 500 else 'UNDER TARGET'}: >= 500/s]")
    print(f"server process CPU: {cpu * 1000 / max(len(latencies), 1):.2f} ms per post "
          f"({cpu / elapsed * 100:.0f}% of one core); the clients {client_cpu * 1000 / max(len(latencies), 1):.2f} ms "
          f"per post ({client_cpu / elapsed * 100:.0f}%); {os.cpu_count()} cores shared")
    print(f"store afterwards: {stored} readings for {len(sent_keys)} unique keys sent "
          f"({'consistent' if stored == len(sent_keys) else 'INCONSISTENT'}), audit chain "
          f"{'intact' if ok else 'BROKEN'}")
