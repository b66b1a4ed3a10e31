"""Errors a user can cause. Each renders as one line that says what is wrong and how to fix it."""

from __future__ import annotations


class TallyError(Exception):
    """Base of every user-facing error; the CLI prints str(error) on one line and exits non-zero."""

    exit_code = 1

    def __str__(self) -> str:
        return " ".join(super().__str__().split())  # never more than one line


class DefinitionError(TallyError):
    """A meeting file that is not a valid meeting: names the file and the key path."""

    exit_code = 2

    def __init__(self, source: str, path: str, message: str) -> None:
        self.source, self.path, self.message = source, path, message
        where = f"{source}: {path}" if path else source
        super().__init__(f"{where}: {message}")


class StoreError(TallyError):
    """The meeting folder or its store is missing, foreign, or damaged."""

    exit_code = 2
