"""Line breaking for Chinese text in the terminal's tables (rich breaks only at spaces, and folds a run of Chinese
anywhere, so a "；" or "，" could start a line and a "（" end one).

Chinese may break between any two characters, except before closing punctuation (，。；：、！？）」』】…) and after
opening punctuation (（「『【). `install()` makes rich's tables and paragraphs break that way; text with spaces
breaks at its spaces as before.
"""

from __future__ import annotations

import re

from rich.cells import cell_len

NO_START = set("，。；：、！？）」』】》〉”’…—·%,.;:!?)]}")
NO_END = set("（「『【《〈“‘([{")
_token = re.compile(r"\s+|[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]|[^\s\u2e80-\u9fff\uf900-\ufaff"
                    r"\uff00-\uffef\u3000-\u303f]+")


def _units(text: str) -> list[tuple[int, str]]:
    """(offset, unit): the pieces a line may break between: a Chinese character with the punctuation that may
    not be parted from it, a run of other characters, or spaces."""
    units: list[tuple[int, str]] = []
    for m in _token.finditer(text):
        piece = m.group(0)
        if units and (piece[0] in NO_START or units[-1][1][-1] in NO_END) and not piece.isspace() \
                and not units[-1][1].isspace():
            start, prev = units[-1]
            units[-1] = (start, prev + piece)
        else:
            units.append((m.start(), piece))
    return units


def divide_line(text: str, width: int, fold: bool = True) -> list[int]:
    """Offsets to break `text` at so that each line fits `width` cells (rich's contract)."""
    breaks: list[int] = []
    used = 0
    for start, unit in _units(text):
        size = cell_len(unit)
        if unit.isspace():  # spaces hang at the end of a line
            used += size
            continue
        if used + size <= width:
            used += size
            continue
        if size > width and fold:  # a unit longer than a line (a long Latin word): fold it as rich does
            if used and start:
                breaks.append(start)
            offset, line = start, 0
            for ch in unit:
                w = cell_len(ch)
                if line + w > width and line:
                    breaks.append(offset)
                    line = 0
                line += w
                offset += 1
            used = line
            continue
        if start and used:
            breaks.append(start)
        used = size
    return breaks


def install() -> None:
    import rich.text

    rich.text.divide_line = divide_line  # type: ignore[attr-defined]
