"""Error lines in the meeting's language.

At the command line an error is said in the meeting's language: the `[meeting] language` of the folder the command
works on (Chinese by default), else the system's. `TALLYKIT_MESSAGES=en` (or `zh`) overrides both, e.g. for
scripts that read the English lines. The Chinese catalogue is meeting/errors_zh.py; a line it does not know is shown
in English after "错误：".
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from meeting.errors_zh import ERRORS_ZH, PROBLEMS_ZH, in_chinese

__all__ = ["ERRORS_ZH", "PROBLEMS_ZH", "error_line", "in_chinese", "meeting_language", "message_language"]


def meeting_language(directory: Path | str | None) -> str | None:
    """The `[meeting] language` of a meeting folder (or meeting file), "zh" when it says none, None when there
    is no meeting there."""
    if directory is None:
        return None
    path = Path(directory)
    toml = next((path / name for name in ("meeting.toml", "ledger.toml") if (path / name).is_file()), path) \
        if path.is_dir() else path
    if not toml.is_file() or toml.suffix != ".toml":
        return None
    try:
        data = tomllib.loads(toml.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return "zh"
    head = data.get("meeting", data.get("ledger", {}))
    language = head.get("language", "zh") if isinstance(head, dict) else "zh"
    return "en" if language == "en" else "zh"


def message_language(directory: Path | str | None = None) -> str:
    """The language errors are said in: TALLYKIT_MESSAGES, else the meeting's, else the system's."""
    forced = os.environ.get("TALLYKIT_MESSAGES", "").lower()
    if forced in ("en", "zh"):
        return forced
    from cli.help_zh import system_language

    return meeting_language(directory) or system_language()


def error_line(message: str, language: str) -> str:
    """One line: `error: …` in English, `错误：…` in Chinese."""
    message = " ".join(message.split())
    if language == "zh":
        return "错误：" + (in_chinese(message) or message)
    return f"error: {message}"
