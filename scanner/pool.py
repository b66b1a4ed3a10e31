"""Batch scanning on every core: a pool of reader processes decodes and reads the photos, this process alone
records them, in the photos' order (the one writer keeps the store consistent and each file idempotent)."""

from __future__ import annotations

import functools
import gc
import hashlib
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from scanner.session import Draft

_READER = None  # this worker's SheetReader
_STATION = "main"


@dataclass(frozen=True)
class Done:
    """One photo as a worker saw it: a draft to record, or why it was not read."""

    name: str
    key: str
    draft: Draft | None
    problem: str | None  # a one-line reason when there is no draft, in the meeting's language
    reason: str | None  # the rejection code (blurred, no_qr, …) or None


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _init(definition: str, secret: bytes, layouts: dict[str, str], allow_test: bool, station: str) -> None:
    global _READER, _STATION
    import cv2

    from ballots.geometry import Layout
    from meeting.definition import load_text
    from scanner.reader import SheetReader

    cv2.setNumThreads(1)  # one reader per core; OpenCV's own threads would only fight them
    meeting = load_text(definition, "meeting.toml (accepted)")
    _READER = SheetReader.for_meeting(meeting, secret, {h: Layout.from_json(j) for h, j in layouts.items()},
                                      allow_test=allow_test)
    _STATION = station
    gc.freeze()  # what was built so far lives as long as the process: the collector need not walk it for every photo


def _read(path: str) -> Done:
    from meeting.lang import text
    from scanner.reader import Rejected
    from scanner.sources import decode_colour, decode_photo, too_large

    p = Path(path)
    data = p.read_bytes()
    key = "file:" + hashlib.sha256(data).hexdigest()
    assert _READER is not None
    language = _READER.meeting.language
    problem = too_large(data, language)
    if problem:
        return Done(p.name, key, None, problem, "unreadable")
    image = decode_photo(data)
    if image is None:
        return Done(p.name, key, None, text("unreadable.decode", language), "unreadable")
    verdict = _READER.read(image, colour=functools.partial(decode_colour, data))
    if isinstance(verdict, Rejected):
        return Done(p.name, key, None, verdict.message(language), verdict.reason)
    return Done(p.name, key, Draft.from_read(verdict, key, _STATION), None, None)


def _read_chunk(paths: list[str]) -> list[Done]:
    return [_read(p) for p in paths]


def chunks(n: int, workers: int, most: int = 8) -> list[tuple[int, int]]:
    """How `n` photos go to `workers` readers, as (start, end) in order: up to `most` at a time while much is left,
    then fewer and fewer, one at the end. Each chunk's results wake this process's threads, CPU the readers need
    (measured on 2 cores, every process: 15.1 ms a photo in chunks of 2, 14.1 in chunks of 8); a last big chunk
    would leave the other cores idle while one reader ends it."""
    out, start = [], 0
    while start < n:
        size = max(1, min(most, (n - start) // (2 * workers)))
        out.append((start, start + size))
        start += size
    return out


def read_all(paths: list[Path], definition: str, secret: bytes, layouts: dict[str, str], *, allow_test: bool,
             station: str, workers: int) -> Iterator[list[Done]]:
    """Every photo read by `workers` processes, in the photos' order: one list for each chunk, as it is ready."""
    context = multiprocessing.get_context("spawn")  # no forked copies of this process's store or threads
    names = [str(p) for p in paths]
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init,
                             initargs=(definition, secret, layouts, allow_test, station)) as pool:
        futures = [pool.submit(_read_chunk, names[a:b]) for a, b in chunks(len(names), workers)]
        try:
            for future in futures:
                yield future.result()
        finally:  # stopped early (Ctrl-C, an error while recording): the photos not yet read are not read
            for future in futures:
                future.cancel()
