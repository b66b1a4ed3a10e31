"""Finding a font that has every glyph the forms need (CJK by default), and measuring text with it."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

from fontTools.ttLib import TTCollection, TTFont, TTLibError
from fpdf import FPDF

from meeting.errors import TallyError

KNOWN_FONTS = (  # Debian/Ubuntu, and the Debian-based Kylin/UOS
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/fonts-cesi/CESI_HT_GB18030.TTF",  # Kylin/UOS: the CESI government fonts (黑体, 宋体)
    "/usr/share/fonts/fonts-cesi/CESI_SS_GB18030.TTF",
    "/usr/share/fonts/truetype/fonts-cesi/CESI_HT_GB18030.TTF",
    "/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
WINDOWS_FONTS = ("msyh.ttc", "msyh.ttf", "simhei.ttf", "simsun.ttc", "Deng.ttf", "simkai.ttf")  # 微软雅黑, 黑体, 宋体…
MAC_FONTS = (
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",
    "/System/Library/Fonts/Hiragino Sans GB.ttc",
    "/System/Library/Fonts/Supplemental/Songti.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
)


def install_hint(platform: str | None = None) -> str:
    """What to do when no font has the forms' characters, said for the machine at hand."""
    platform = platform or sys.platform
    if platform.startswith("win"):
        return r"pass --font C:\Windows\Fonts\msyh.ttc (or simhei.ttf)"
    if platform == "darwin":
        return "pass --font /System/Library/Fonts/PingFang.ttc"
    return "install fonts-wqy-microhei (sudo apt-get install fonts-wqy-microhei) or pass --font FILE"


INSTALL_HINT = install_hint()


def font_candidates(platform: str | None = None, env: dict[str, str] | None = None) -> list[str]:
    """Font files to try, in order, for this operating system (fontconfig's list is added on Linux)."""
    platform = platform or sys.platform
    env = dict(os.environ) if env is None else env
    if platform.startswith("win"):
        folders = [str(PureWindowsPath(env.get("WINDIR") or env.get("SystemRoot") or r"C:\Windows") / "Fonts")]
        if env.get("LOCALAPPDATA"):  # fonts installed for this user only
            folders.append(str(PureWindowsPath(env["LOCALAPPDATA"]) / "Microsoft" / "Windows" / "Fonts"))
        return [str(PureWindowsPath(folder) / name) for folder in folders for name in WINDOWS_FONTS]
    if platform == "darwin":
        home = env.get("HOME", "")
        return [*MAC_FONTS, *(f"{home}/Library/Fonts/{n}" for n in ("PingFang.ttc", "SourceHanSansSC-Regular.otf"))]
    return list(KNOWN_FONTS)


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
    for candidate in (*font_candidates(), *_fontconfig_candidates()):
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
