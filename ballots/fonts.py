"""Finding a font that has every glyph the forms need (CJK by default), and measuring text with it."""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont, TTLibError
from fpdf import FPDF

from meeting.errors import TallyError

KNOWN_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
INSTALL_HINT = "install fonts-wqy-microhei (sudo apt-get install fonts-wqy-microhei) or pass --font FILE"


class FontError(TallyError):
    exit_code = 2


@dataclass(frozen=True)
class FontSpec:
    path: Path
    index: int = 0  # face number inside a .ttc collection


@functools.lru_cache(maxsize=8)
def _cmap(path: Path, index: int) -> frozenset[int]:
    try:
        if path.suffix.lower() in (".ttc", ".otc"):
            font = TTCollection(str(path)).fonts[index]
        else:
            font = TTFont(str(path), lazy=True)
        return frozenset(font.getBestCmap() or {})
    except (OSError, TTLibError, IndexError, AssertionError) as exc:
        raise FontError(f"{path}: cannot be read as a TrueType/OpenType font ({exc}); {INSTALL_HINT}") from None


def _fontconfig_candidates() -> list[str]:
    if not shutil.which("fc-list"):
        return []
    try:
        out = subprocess.run(["fc-list", ":lang=zh-cn", "file"], capture_output=True, text=True, timeout=10,
                             check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({line.split(":")[0].strip() for line in out.splitlines() if line.strip()})


def missing_glyphs(font: FontSpec, text: str) -> list[str]:
    cmap = _cmap(font.path, font.index)
    return sorted({ch for ch in text if not ch.isspace() and ord(ch) not in cmap})


def find_font(text: str, explicit: Path | None = None) -> FontSpec:
    """A font with a glyph for every character of `text`: the one named, else a known CJK font."""
    if explicit is not None:
        if not explicit.is_file():
            raise FontError(f"{explicit}: font file not found; {INSTALL_HINT}")
        font = FontSpec(explicit)
        missing = missing_glyphs(font, text)
        if missing:
            shown = "".join(missing[:10])
            raise FontError(f"{explicit}: has no glyph for {shown!r} (e.g. U+{ord(missing[0]):04X}); "
                            "choose a font that covers the meeting's text")
        return font
    tried = []
    for candidate in (*KNOWN_FONTS, *_fontconfig_candidates()):
        path = Path(candidate)
        if not path.is_file() or path in tried:
            continue
        tried.append(path)
        font = FontSpec(path)
        try:
            if not missing_glyphs(font, text):
                return font
        except FontError:
            continue
    if not tried:
        raise FontError(f"no CJK font found on this machine; {INSTALL_HINT}")
    raise FontError(f"no installed font has every character the forms need (tried {', '.join(map(str, tried))}); "
                    "pass --font FILE with one that does")


class Measurer:
    """Text widths in mm at a size in points, with the font the PDF will embed."""

    def __init__(self, font: FontSpec) -> None:
        self.pdf = FPDF(unit="mm")
        self.pdf.add_font("body", fname=str(font.path), collection_font_number=font.index)
        self.pdf.set_font("body", size=10)
        self._cache: dict[tuple[str, float], float] = {}

    def width(self, text: str, size: float) -> float:
        key = (text, size)
        if key not in self._cache:
            self.pdf.set_font_size(size)
            self._cache[key] = self.pdf.get_string_width(text)
        return self._cache[key]
