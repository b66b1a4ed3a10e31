"""The OpenCV preview window: the camera picture, the sheet's outline and what was read. Only imported when a
display is there and a window is wanted; nothing touches a GUI at import time elsewhere."""

from __future__ import annotations

import cv2
import numpy as np

from scanner.live import Event
from scanner.reader import SheetRead

COLOURS = {"marked": (0, 200, 0), "marginal": (0, 200, 255), "struck": (0, 0, 230), "empty": (160, 160, 160)}


class Preview:
    name = "tallykit scan (q: quit)"

    def show(self, frame: np.ndarray, event: Event, language: str) -> bool:
        from scanner.scan_cli import status_text

        view = frame.copy() if frame.ndim == 3 else cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
        fit = getattr(event.verdict, "fit", None)
        if fit is not None:
            cv2.polylines(view, [fit.corners_px.astype(np.int32)], True, (0, 255, 0), 3)
        if isinstance(event.verdict, SheetRead):
            inverse = np.linalg.inv(event.verdict.fit.homography)
            for box in event.verdict.page.boxes:
                centre = np.array([[[box.rect.cx, box.rect.cy]]], dtype=np.float64)
                x, y = cv2.perspectiveTransform(centre, inverse)[0, 0]
                state = event.verdict.ink.boxes[box.id].state
                cv2.circle(view, (int(x), int(y)), 6, COLOURS[state], -1 if state != "empty" else 1)
        cv2.putText(view, status_text(event.status, "en"), (20, 40), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 255), 2)
        cv2.imshow(self.name, view)
        return (cv2.waitKey(1) & 0xFF) not in (ord("q"), 27)

    def close(self) -> None:
        cv2.destroyWindow(self.name)
