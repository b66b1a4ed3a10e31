"""A meeting folder: the meeting file people edit, the store, and the keys.

    DIR/meeting.toml   the meeting definition (edit it, then `tallykit check DIR`)
    DIR/meeting.db     the store: accepted definitions, counts, readings, decisions, results, audit log
    DIR/meeting.key    secrets: HMAC key for the QR codes and the Ed25519 signing key (mode 0600)
    DIR/meeting.pub    the public key that verifies the signed results
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from meeting.definition import decode, definition_digest, load_bytes, load_text
from meeting.errors import DefinitionError, StoreError
from meeting.keys import MeetingKeys, loose_permissions, new_meeting_id, public_pem
from meeting.model import Meeting
from meeting.store import Store

DEFINITION = "meeting.toml"
STORE = "meeting.db"
KEY = "meeting.key"
PUBLIC_KEY = "meeting.pub"


def with_meeting_id(toml_text: str, meeting_id: str, source: str) -> str:
    """Put `id = "..."` first in the [meeting] table (replacing one that is there)."""
    lines = toml_text.splitlines(keepends=True)
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == "[meeting]")
    except StopIteration:
        raise DefinitionError(source, "meeting", "is missing; the file needs a [meeting] table") from None
    end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")), len(lines))
    body = [line for line in lines[start + 1 : end] if not re.match(r"\s*id\s*=", line)]
    return "".join([*lines[: start + 1], f'id = "{meeting_id}"\n', *body, *lines[end:]])


@dataclass(frozen=True)
class Accepted:
    meeting: Meeting
    version: int
    sha256: str
    changed: bool  # meeting.toml differs from the accepted version


class MeetingFolder:
    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def definition_path(self) -> Path:
        return self.path / DEFINITION

    @property
    def store_path(self) -> Path:
        return self.path / STORE

    @property
    def key_path(self) -> Path:
        return self.path / KEY

    # -- creating ---------------------------------------------------------------------------------
    @classmethod
    def init(cls, path: Path, definition_text: str, actor: str, source: str = DEFINITION, *,
             meeting_id: str | None = None, keys: MeetingKeys | None = None) -> MeetingFolder:
        """Create a meeting folder atomically: it appears complete, or not at all.

        `meeting_id` and `keys` are for reproducible test meetings; a real meeting gets fresh ones."""
        path = Path(path)
        if path.exists() and not path.is_dir():
            raise StoreError(f"{path}: is a file; give a folder for the new meeting")
        if path.is_dir() and any(path.iterdir()):
            what = "a meeting" if (path / STORE).exists() else "other files"
            raise StoreError(f"{path}: already holds {what}; give a new or empty folder")
        load_text(definition_text, source, require_id=False)  # validate before anything is written
        meeting_id = meeting_id or new_meeting_id()
        text = with_meeting_id(definition_text, meeting_id, source)
        meeting = load_text(text, source)
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
        try:
            (staging / DEFINITION).write_text(text, encoding="utf-8")
            keys = keys or MeetingKeys.generate(meeting_id)
            keys.save(staging / KEY)
            (staging / PUBLIC_KEY).write_text(public_pem(keys.public_key), encoding="utf-8")
            store = Store.create(staging / STORE, {
                "meeting_id": meeting_id,
                "title": meeting.info.title,
                "public_key": public_pem(keys.public_key),
                "key_fingerprint": keys.fingerprint,
                "key_check": keys.key_check(),
            }, actor)
            store.accept_definition(text, definition_digest(text.encode("utf-8")), actor)
            store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            store.close()
            os.chmod(staging, 0o755)
            if path.is_dir():
                path.rmdir()  # empty, checked above
            os.rename(staging, path)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return cls(path)

    # -- opening ----------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path) -> MeetingFolder:
        path = Path(path)
        if not path.is_dir():
            raise StoreError(f"{path}: no such meeting folder; create one with `tallykit init {path}`")
        if not (path / STORE).is_file():
            raise StoreError(f"{path}: is not a meeting folder (no {STORE}); create one with `tallykit init`")
        return cls(path)

    def store(self) -> Store:
        return Store.open(self.store_path)

    def keys(self, store: Store) -> MeetingKeys:
        keys = MeetingKeys.load(self.key_path)
        if keys.key_check() != store.meta("key_check"):
            raise StoreError(f"{self.key_path}: belongs to another meeting; restore this meeting's key file")
        return keys

    def key_permissions_loose(self) -> bool:
        return loose_permissions(self.key_path)

    def read_definition(self) -> tuple[str, str]:
        """The meeting file as text, and its SHA-256."""
        try:
            raw = self.definition_path.read_bytes()
        except FileNotFoundError:
            raise DefinitionError(str(self.definition_path), "", "is missing; restore it, or copy the "
                                  "accepted version with `tallykit check --restore`") from None
        return decode(raw, DEFINITION), definition_digest(raw)

    def load_current(self, store: Store) -> tuple[Meeting, str, str]:
        """Validate meeting.toml as it is now; its meeting id must be this store's."""
        text, sha = self.read_definition()
        meeting = load_bytes(text.encode("utf-8"), DEFINITION)
        stored_id = store.meta("meeting_id")
        if meeting.info.id != stored_id:
            raise DefinitionError(DEFINITION, "meeting.id", f'is "{meeting.info.id}" but this meeting is '
                                  f'"{stored_id}"; put back id = "{stored_id}"')
        return meeting, text, sha

    def accepted(self, store: Store) -> Accepted:
        """The last accepted definition, and whether meeting.toml has changed since."""
        latest = store.latest_definition()
        if latest is None:
            raise StoreError(f"{self.store_path}: holds no meeting definition; the store is damaged")
        meeting = load_text(latest["toml"], f"{STORE} (accepted version {latest['version']})")
        try:
            _, current_sha = self.read_definition()
        except DefinitionError:
            current_sha = ""
        return Accepted(meeting, latest["version"], latest["sha256"], current_sha != latest["sha256"])
