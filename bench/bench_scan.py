"""Scanning speed on one core: ms per 1080p live frame with a sheet (just put down; on the stand, tracked; a folded
ballot on the stand, before and after it is recorded), as a photo, and without a sheet (median, p95, per stage),
sheets per minute in batch mode from a folder of photos, QR decoders compared on rectified crops, peak memory.

Targets (issue 13): <= 8 ms median per 1080p frame with a sheet on one core; batch <= 7 ms per photo on
2 cores. Frames come from the test deck: the kit's own
PDFs filled in and damaged like a webcam picture (scanner/deck.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

CASE = r'''
import json, os, resource, statistics, sys, tempfile, time
from pathlib import Path
ALL_CORES = sorted(os.sched_getaffinity(0))
os.sched_setaffinity(0, {ALL_CORES[0]})
import cv2
cv2.setNumThreads(1)
import numpy as np
from typer.testing import CliRunner
from cli.main import app
from ballots.layout import QR_MODULE, qr_rect
from scanner import qr
from scanner.pagefinder import find_page, rectify_region, to_gray, PageFit
from scanner.reader import Rejected, SheetReader
from scanner.deck import Deck, camera, folded

runner = CliRunner()
root = Path(tempfile.mkdtemp())
rng = np.random.default_rng(1)
with_sheet, stages, decks = [], {}, []
for name, key in (("cunweihui", ("XJ", "XM")), ("jingpin-ceping", ("CP", "QZ")), ("jingpin-ceping", ("YJ", "PS"))):
    folder = root / f"{name}-{key[0]}"
    runner.invoke(app, ["init", "-t", name, str(folder)])
    runner.invoke(app, ["print", str(folder), "--round", key[0]])
    deck = Deck(folder)
    decks.append((deck, key))
frames = []
for deck, key in decks:
    layout = deck.layouts[key]
    for i in range(40):
        sheet = deck.fill(key, rng, copy=int(rng.integers(0, 5)) if layout.named else 0,
                          page=int(rng.integers(1, len(layout.pages) + 1)))
        ok, jpeg = cv2.imencode(".jpg", camera(sheet.image, rng, (1920, 1080), jpeg=95))
        frames.append((deck, jpeg))
readers = {id(d): SheetReader.for_meeting(d.meeting, d.secret, {lay.hash: lay for lay in d.layouts.values()})
           for d, _ in decks}
for deck, jpeg in frames[:5]:
    readers[id(deck)].read(cv2.imdecode(jpeg, cv2.IMREAD_COLOR))  # warm-up: layouts' masks are built once
read = 0
photo = []
for deck, jpeg in frames:
    frame = cv2.imdecode(jpeg, cv2.IMREAD_COLOR)  # not timed: a camera hands over decoded frames
    reader = readers[id(deck)]
    reader.reset()  # a sheet just put down: no last frame to look near, the whole picture is searched
    t = time.perf_counter()
    verdict = reader.read(frame, video=True)
    elapsed = (time.perf_counter() - t) * 1000
    timings = reader.timings
    t = time.perf_counter()
    reader.read(frame)  # the same frame as a photo: its whole page rectified (a photo's picture is kept)
    if isinstance(verdict, Rejected):
        continue
    photo.append((time.perf_counter() - t) * 1000)
    read += 1
    with_sheet.append(elapsed)
    for k, v in timings.items():
        stages.setdefault(k, []).append(v * 1000)
# this machine's own speed, so that runs on other machines compare: a fixed 1080p JPEG decoded, a fixed page warp
ref_rng = np.random.default_rng(0)
ref_img = cv2.GaussianBlur(ref_rng.integers(0, 256, (1080, 1920), dtype=np.uint8), (0, 0), 1.0)
ref_img = cv2.add(ref_img, ref_rng.normal(0, 4, ref_img.shape).astype(np.int16).clip(0, 255).astype(np.uint8))
ref_jpeg = cv2.imencode(".jpg", cv2.cvtColor(ref_img, cv2.COLOR_GRAY2BGR), [cv2.IMWRITE_JPEG_QUALITY, 95])[1]
ref_h = cv2.getPerspectiveTransform(np.float32([[300, 60], [1500, 90], [1560, 1020], [260, 1000]]),
                                    np.float32([[0, 0], [840, 0], [840, 1188], [0, 1188]]))
def reference():
    out = {"decode": [], "warp": []}
    for i in range(25):
        t = time.perf_counter(); cv2.imdecode(ref_jpeg, cv2.IMREAD_GRAYSCALE); t1 = time.perf_counter()
        cv2.warpPerspective(ref_img, ref_h, (840, 1188), flags=cv2.INTER_LINEAR); t2 = time.perf_counter()
        if i >= 5:
            out["decode"].append((t1 - t) * 1000); out["warp"].append((t2 - t1) * 1000)
    return {k: statistics.median(v) for k, v in out.items()}
ref = [reference()]

without = []
reader = readers[id(decks[0][0])]
table = np.full((1080, 1920, 3), (80, 95, 110), np.uint8)
for i in range(40):
    frame = np.clip(table.astype(np.int16) + rng.normal(0, 4, table.shape).astype(np.int16), 0, 255).astype(np.uint8)
    t = time.perf_counter()
    reader.read(frame)
    without.append((time.perf_counter() - t) * 1000)

# live video: a sheet on the stand, consecutive frames (a pixel or two of jitter, sensor noise), read as the live
# loop reads them (the markers looked for where the last frame had them)
def held(base, r):
    """The next frame of a sheet on the stand: `base` moved by up to 2 px, with fresh sensor noise."""
    m = np.float32([[1, 0, r.uniform(-2, 2)], [0, 1, r.uniform(-2, 2)]])
    f = cv2.warpAffine(base, m, (1920, 1080), borderMode=cv2.BORDER_REPLICATE)
    return np.clip(f.astype(np.int16) + r.normal(0, 2, f.shape).astype(np.int16), 0, 255).astype(np.uint8)
live = []
for deck, key in decks:
    reader = readers[id(deck)]
    for s in range(4):
        base = camera(deck.fill(key, rng, page=1).image, rng, (1920, 1080), jpeg=95)
        for i in range(15):
            f = held(base, rng)
            t = time.perf_counter()
            reader.read(f, video=True)
            if i:  # the first frame of a sheet is a full search, like a sheet just put down
                live.append((time.perf_counter() - t) * 1000)

# live video, a ballot out of the ballot box (folded in four, it does not lie flat) on the stand: the frames that may
# commit a reading measure the page's bend each; once the sheet is recorded, its frames reuse the last bend
bent = {"confirming": [], "recorded": []}
bent_rng = np.random.default_rng(7)  # its own draws: the other sections' frames stay those of earlier runs
for deck, key in decks:
    reader = readers[id(deck)]
    for s in range(3):
        base = camera(folded(deck.fill(key, bent_rng, page=1).image, bent_rng), bent_rng, (1920, 1080), jpeg=95)
        reader.reset()
        for i in range(12):
            f = held(base, bent_rng)
            recorded = i >= 3  # as the live loop: three frames confirm, then the sheet waits to be taken away
            t = time.perf_counter()
            reader.read(f, video=True, reuse_bend=recorded)
            if i:
                bent["recorded" if recorded else "confirming"].append((time.perf_counter() - t) * 1000)

# QR decoders on the rectified crop of the code's known position
crops = []
for deck, jpeg in frames:
    gray = to_gray(cv2.imdecode(jpeg, cv2.IMREAD_COLOR))
    fit = find_page(gray)
    if isinstance(fit, PageFit):
        r = qr_rect(fit.paper); pad = 4 * QR_MODULE + 1.0
        crops.append(rectify_region(gray, fit, r.x - pad, r.y - pad, r.w + 2 * pad, r.h + 2 * pad, 8.0))
decoders = {}
for label, fn in (("zxing-cpp", qr.decode_zxing), ("pyzbar", qr.decode_pyzbar)):
    t = time.perf_counter(); ok = sum(fn(c) is not None for c in crops)
    decoders[label] = {"decoded": ok, "of": len(crops), "ms": (time.perf_counter() - t) * 1000 / len(crops)}

# JPEG decoders on the deck's 1080p frames, decoded grey as a photo is (scanner.sources.decode_photo): simplejpeg
# first, OpenCV's the fallback
import simplejpeg
jpegs = [jpeg.tobytes() for _deck, jpeg in frames]
jpeg_ms = {}
for label, fn in (("simplejpeg", lambda d: simplejpeg.decode_jpeg(d, colorspace="GRAY")),
                  ("OpenCV", lambda d: cv2.imdecode(np.frombuffer(d, np.uint8), cv2.IMREAD_GRAYSCALE))):
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        for d in jpegs:
            fn(d)
        runs.append((time.perf_counter() - t) * 1000 / len(jpegs))
    jpeg_ms[label] = min(runs)
same = all(np.array_equal(simplejpeg.decode_jpeg(d, colorspace="GRAY")[..., 0],
                          cv2.imdecode(np.frombuffer(d, np.uint8), cv2.IMREAD_GRAYSCALE)) for d in jpegs)

# batch mode: folders of photos through `tallykit scan --images`, store writes and sheet images included; on one
# core, then on every core (a pool of readers). Steady rate: the difference between a small and a large folder,
# so that start-up (imports, the pool's processes) is not counted per photo.
# a group with ballots for every photo: each sheet is counted and stored with its picture, as at a real count (with
# the template's 50 ballots, 110 of 160 would be refused as more sheets than ballots, nothing stored)
import subprocess
import shutil
folder = root / "batch-meeting"
runner.invoke(app, ["init", "-t", "jingpin-ceping", str(folder)])
toml = folder / "meeting.toml"
toml.write_text(toml.read_text(encoding="utf-8").replace("expected = 50", "expected = 200"), encoding="utf-8")
runner.invoke(app, ["check", str(folder)])
runner.invoke(app, ["print", str(folder), "--round", "CP"])
deck, key = Deck(folder), ("CP", "QZ")
exe = os.path.join(os.path.dirname(sys.executable), "tallykit")
timer = ["/usr/bin/time", "-f", "MAXRSS %M"] if os.path.exists("/usr/bin/time") else []
photos_all = root / "photos-all"; photos_all.mkdir()
for i in range(200):
    cv2.imwrite(str(photos_all / f"{i:03d}.jpg"), camera(deck.fill(key, rng).image, rng, (1920, 1080)))
counted = {}
def batch(n, one_core, run=0):
    folder = root / f"batch-{n}-{one_core}-{run}"
    shutil.copytree(deck.print_dir.parent, folder)
    photos = root / f"photos-{n}-{one_core}-{run}"; photos.mkdir()
    for p in sorted(photos_all.iterdir())[:n]:
        shutil.copy(p, photos / p.name)
    pin = ["taskset", "-c", str(ALL_CORES[0]) if one_core else ",".join(map(str, ALL_CORES))]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)  # the scan and its reader processes, once they ended
    t = time.perf_counter()
    proc = subprocess.run([*timer, *pin, exe, "scan", str(folder), "--images", str(photos)], capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    counted[n] = sum(line.split(": ", 1)[1].startswith(("已计入", "待复核")) for line in proc.stdout.splitlines()
                     if ".jpg: " in line)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    rss = [line for line in proc.stderr.splitlines() if line.startswith("MAXRSS ")]
    return time.perf_counter() - t, (int(rss[-1].split()[1]) / 1024 if rss else -1)
cpu = []
one_small, _ = batch(40, True)
one_large, scan_rss = batch(160, True)
# this machine's two cores are shared (a VM): its speed drifts from minute to minute (measured: the CPU one photo
# costs varied by 30 % between runs of the same code, 12.3 to 16.9 ms); 40 and 200 photos five times, the median
steady_all, cpu_all = [], []
for run in range(5):
    all_small, _ = batch(40, False, run)
    all_large, all_rss = batch(200, False, run)
    steady_all.append((all_large - all_small) / 160 * 1000)
    cpu_all.append((cpu[-1] - cpu[-2]) / 160 * 1000)  # CPU per photo, every process and core summed
batch_s = one_large

def pct(xs, p):
    return float(np.percentile(xs, p))
print(json.dumps({
    "with_sheet": {"n": len(with_sheet), "of": len(frames), "median": statistics.median(with_sheet),
                   "p95": pct(with_sheet, 95)},
    "stages": {k: statistics.median(v) for k, v in stages.items()},
    "photo": {"median": statistics.median(photo), "p95": pct(photo, 95)},
    "without_sheet": {"median": statistics.median(without), "p95": pct(without, 95)},
    "live": {"median": statistics.median(live), "p95": pct(live, 95), "n": len(live)},
    "bent": {k: {"median": statistics.median(v), "p90": pct(v, 90), "n": len(v)} for k, v in bent.items()},
    "decoders": decoders,
    "jpeg": {"ms": jpeg_ms, "same": same, "n": len(jpegs), "kb": sum(map(len, jpegs)) / len(jpegs) / 1024},
    "batch": {"sheets": 160, "counted": counted[160], "seconds": batch_s, "per_minute": 160 / batch_s * 60,
              "steady_one_ms": (one_large - one_small) / 120 * 1000,
              "steady_all_ms": statistics.median(steady_all), "steady_all_runs": steady_all, "all_seconds": all_large,
              "all_sheets": 200, "all_counted": counted[200], "cpu_all_runs": cpu_all,
              "cores": len(ALL_CORES)},
    "reference": ref + [reference()], "reference_kb": len(ref_jpeg) / 1024,
    "scan_rss_mib": scan_rss, "all_rss_mib": all_rss,
}))
'''


def main() -> None:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, "-c", CASE], capture_output=True, text=True, cwd=root, check=False)
    if out.returncode != 0:
        print(out.stderr[-3000:])
        raise SystemExit(1)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    ws, wo = r["with_sheet"], r["without_sheet"]
    a, b = r["reference"]
    print(f"this machine (to compare runs on other machines or other times): a fixed 1080p JPEG "
          f"({r['reference_kb']:.0f} kB) decodes in {a['decode']:.1f} ms grey at the start, {b['decode']:.1f} ms at "
          f"the end; a page warp (A4 at 4 px/mm from 1080p) {a['warp']:.1f} / {b['warp']:.1f} ms")
    verdict = "OK" if ws["median"] <= 8 else "OVER TARGET"
    print(f"1080p live frame, a sheet just put down (whole picture searched, one core): median {ws['median']:.1f} "
          f"ms, p95 {ws['p95']:.1f} ms ({ws['n']} of {ws['of']} damaged frames read)  [{verdict}: target <= 8 ms "
          "median; under 33 ms keeps camera rate]")
    print("  stages (median ms): " + ", ".join(f"{k} {v:.1f}" for k, v in r["stages"].items()))
    print(f"the same frames read as photos (whole page rectified: its picture is kept): median "
          f"{r['photo']['median']:.1f} ms, p95 {r['photo']['p95']:.1f} ms")
    lv = r["live"]
    verdict = "OK" if lv["median"] <= 8 else "OVER TARGET"
    print(f"live loop, a sheet on the stand ({lv['n']} consecutive 1080p frames, markers tracked): median "
          f"{lv['median']:.1f} ms, p95 {lv['p95']:.1f} ms  [{verdict}: target <= 8 ms median]")
    bc, br = r["bent"]["confirming"], r["bent"]["recorded"]
    print(f"live loop, a folded ballot on the stand (it does not lie flat: its bend is measured): confirming frames "
          f"median {bc['median']:.1f} ms, p90 {bc['p90']:.1f} ms ({bc['n']}); once recorded, the last bend reused: "
          f"median {br['median']:.1f} ms, p90 {br['p90']:.1f} ms ({br['n']})  [under 33 ms keeps camera rate]")
    print(f"1080p frame without a sheet: median {wo['median']:.1f} ms, p95 {wo['p95']:.1f} ms")
    for label, d in r["decoders"].items():
        print(f"QR on rectified crops, {label}: {d['decoded']}/{d['of']} decoded, {d['ms']:.2f} ms each")
    j = r["jpeg"]
    print(f"JPEG decoded grey, {j['n']} 1080p frames ({j['kb']:.0f} kB each): " +
          ", ".join(f"{k} {v:.2f} ms" for k, v in j["ms"].items()) +
          (" (the same pixels)" if j["same"] else " (PIXELS DIFFER)") + "; photos are decoded by the first")
    b = r["batch"]
    print(f"batch `tallykit scan --images` (start-up, decode photo, read, store with image), one core: {b['sheets']} "
          f"sheets ({b['counted']} counted or to review) in {b['seconds']:.1f} s = {b['per_minute']:.0f} "
          f"sheets/minute; steady {b['steady_one_ms']:.1f} ms per 1080p photo")
    verdict = "OK" if b["steady_all_ms"] <= 7 else "OVER TARGET"
    runs = ", ".join(f"{v:.1f}" for v in b["steady_all_runs"])
    print(f"batch on every core ({b['cores']}): {b['all_sheets']} sheets ({b['all_counted']} counted or to review) "
          f"in {b['all_seconds']:.1f} s; steady {b['steady_all_ms']:.1f} ms per 1080p photo, median of five runs "
          f"({runs})  [{verdict}: target <= 7 ms on 2 cores]")
    spent = ", ".join(f"{v:.1f}" for v in b["cpu_all_runs"])
    print(f"  CPU spent per photo in those runs, every process summed: {spent} ms (readers and the recording "
          f"process; with every core busy the wall time is this divided by {b['cores']})")
    if r["scan_rss_mib"] > 0:
        print(f"peak memory of the one-core scan process (max RSS): {r['scan_rss_mib']:.0f} MiB; on every core "
              f"(main process): {r['all_rss_mib']:.0f} MiB")
    else:
        print("peak memory: install GNU time (apt-get install time) to measure it")
