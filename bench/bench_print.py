"""Printing: 1,000 personalised named sheets (judges' score sheets with serials) and 1,000 secret ballots.

Target (issue 3): under 5 s each. Each case runs in its own process so its peak memory (max RSS) is its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

CASE = r'''
import json, resource, sys, time, tempfile
from dataclasses import replace
from pathlib import Path
import templates
from ballots.fonts import Measurer, find_font
from ballots.layout import meeting_text
from ballots.printing import plan, write
from meeting.definition import load_text

name, round_id, group_id, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
text = templates.get(name).read_text().replace("[meeting]", '[meeting]\nid = "BENCH123"', 1)
meeting = load_text(text)
group = meeting.group(group_id)
start = time.perf_counter()
font = find_font(meeting_text(meeting))
out = Path(sys.argv[5])
jobs = plan(meeting, b"k" * 32, Measurer(font), out, rounds=[round_id], groups=[group_id],
            spares=n - group.ballots)
files = write(jobs, meeting, font)
elapsed = time.perf_counter() - start
job = jobs[0]
print(json.dumps({"sheets": len(job.sheets), "pages": job.pages, "seconds": elapsed,
                  "mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "pdf_mib": job.path.stat().st_size / 2**20}))
'''

CASES = [
    ("named score sheets, 2 pages each, serial per sheet", "jingpin-ceping", "YJ", "PS"),
    ("secret ballots (村委会选举)", "cunweihui", "XJ", "XM"),
]


def main() -> None:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for label, name, rid, gid in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run([sys.executable, "-c", CASE, name, rid, gid, "1000", tmp], capture_output=True,
                                 text=True, check=True, cwd=root)
            r = json.loads(out.stdout)
            verdict = "OK" if r["seconds"] < 5 else "OVER TARGET"
            print(f"{label}: {r['sheets']} sheets / {r['pages']} pages in {r['seconds']:.2f} s "
                  f"({r['seconds'] / r['pages'] * 1000:.2f} ms/page), peak RSS {r['mib']:.0f} MiB, "
                  f"PDF {r['pdf_mib']:.1f} MiB  [{verdict}: target < 5 s]")
