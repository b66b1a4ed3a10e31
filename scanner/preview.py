"""The OpenCV preview window: the camera picture, the sheet's outline and what was read. Only imported when a
display is there and a window is wanted; nothing touches a GUI at import time elsewhere."""

from __future__ import annotations

import functools

import cv2
import numpy as np

from meeting.lang import text
from scanner.live import Event
from scanner.reader import SheetRead

COLOURS = {"marked": (0, 200, 0), "marginal": (0, 200, 255), "struck": (0, 0, 230), "empty": (160, 160, 160)}
STATUS_COLOUR = (0, 0, 220)  # BGR: red words on a white band, readable over any picture


@functools.lru_cache(maxsize=64)
def label(words: str, height: int = 36) -> np.ndarray | None:
    """`words` drawn in the forms' font (OpenCV's own fonts have no Chinese), BGR, or None without such a font."""
    try:
        from PIL import Image, ImageDraw, ImageFont

        from ballots.fonts import FontError, find_font

        spec = find_font(words)
        font = ImageFont.truetype(str(spec.path), height, index=spec.index)
    except (ImportError, OSError, FontError):
        return None
    left, top, right, bottom = font.getbbox(words)
    picture = Image.new("RGB", (right - left + 16, bottom - top + 12), (255, 255, 255))
    ImageDraw.Draw(picture).text((8 - left, 6 - top), words, font=font, fill=STATUS_COLOUR[::-1])
    return cv2.cvtColor(np.asarray(picture), cv2.COLOR_RGB2BGR)


def draw(frame: np.ndarray, event: Event, language: str) -> np.ndarray:
    """The preview picture: the frame, the sheet's outline, each box's state and the status in `language`."""
    from scanner.scan_cli import status_text

    view = frame.copy() if frame.ndim == 3 else cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    fit = getattr(event.verdict, "fit", None)
    width = view.shape[1]

    def shown(points: np.ndarray) -> np.ndarray:  # a mirrored picture was read turned over: turned back to draw
        if fit is not None and fit.mirrored:
            points = points.copy()
            points[..., 0] = width - 1 - points[..., 0]
        return points

    if fit is not None:
        cv2.polylines(view, [shown(fit.corners_px).astype(np.int32)], True, (0, 255, 0), 3)
    if isinstance(event.verdict, SheetRead):
        inverse = np.linalg.inv(event.verdict.fit.homography)
        for box in event.verdict.page.boxes:
            centre = np.array([[[box.rect.cx, box.rect.cy]]], dtype=np.float64)
            x, y = shown(cv2.perspectiveTransform(centre, inverse))[0, 0]
            state = event.verdict.ink.boxes[box.id].state
            cv2.circle(view, (int(x), int(y)), 6, COLOURS[state], -1 if state != "empty" else 1)
    words = status_text(event.status, language)
    shown = label(words, max(18, view.shape[0] // 30))
    if shown is None:  # no font with these characters: the English words, which OpenCV can draw
        cv2.putText(view, status_text(event.status, "en"), (20, 40), cv2.FONT_HERSHEY_SIMPLEX, 1.0, STATUS_COLOUR, 2)
    else:
        h, w = min(shown.shape[0], view.shape[0] - 10), min(shown.shape[1], view.shape[1] - 10)
        if h > 0 and w > 0:
            view[10:10 + h, 10:10 + w] = shown[:h, :w]
    return view


class Preview:
    def __init__(self, language: str = "zh") -> None:
        self.name = text("scan.preview_title", language)  # the window's title in the meeting's language

    def show(self, frame: np.ndarray, event: Event, language: str) -> bool:
        cv2.imshow(self.name, draw(frame, event, language))
        return (cv2.waitKey(1) & 0xFF) not in (ord("q"), 27)

    def close(self) -> None:
        cv2.destroyWindow(self.name)
