"""The live loop: a reading commits only when the same reading is seen in several consecutive sharp frames,
and at most once while a sheet stays in view; camera health is reported on every frame."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from scanner.reader import Rejected, SheetRead, SheetReader
from scanner.session import Outcome, ScanSession

ABSENT = {"no_page", "missing_marker", "two_pages"}


@dataclass(frozen=True)
class Event:
    verdict: SheetRead | Rejected
    status: str  # what the operator should know now
    outcome: Outcome | None = None  # set on the frame where a sheet was committed
    progress: int = 0  # identical frames seen so far


def light_problem(gray: np.ndarray) -> str | None:
    small = cv2.resize(gray, (gray.shape[1] // 8, gray.shape[0] // 8), interpolation=cv2.INTER_AREA)
    if float(small.mean()) < 45:
        return "too_dark"
    if float((small >= 250).mean()) > 0.02:
        return "glare"
    return None


class LiveLoop:
    def __init__(self, reader: SheetReader, session: ScanSession, confirm_frames: int = 3, rearm_frames: int = 2):
        self.reader = reader
        self.session = session
        self.confirm_frames = confirm_frames
        self.rearm_frames = rearm_frames
        self._key: tuple | None = None
        self._streak = 0
        self._absent = rearm_frames
        self._armed = True

    def feed(self, frame: np.ndarray) -> Event:
        # a sheet recorded and not yet taken away cannot commit again: its frames may reuse the last bend
        verdict = self.reader.read(frame, video=True, reuse_bend=not self._armed)
        if isinstance(verdict, Rejected):
            self._key, self._streak = None, 0
            if verdict.reason in ABSENT:
                self._absent += 1
                if self._absent >= self.rearm_frames:
                    self._armed = True  # the sheet left the view: the next one may commit
            # light first: a dark or glaring picture explains most other failures
            gray = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
            status = light_problem(gray) or verdict.reason
            return Event(verdict, status)
        self._absent = 0
        key = verdict.key
        self._streak = self._streak + 1 if key == self._key else 1
        self._key = key
        if not self._armed:
            return Event(verdict, "done_remove_sheet", progress=self._streak)
        if self._streak < self.confirm_frames:
            return Event(verdict, "hold_still", progress=self._streak)
        outcome = self.session.commit(verdict)
        self._armed = False
        return Event(verdict, outcome.kind, outcome, self._streak)
