"""The meeting's secrets: an HMAC key (QR codes) and an Ed25519 key pair (signed results)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from meeting.canon import b32
from meeting.errors import StoreError

KEY_FORMAT = "tallykit-meeting-key/1"


def new_meeting_id() -> str:
    """8 characters of base32: fits QR alphanumeric mode, unlikely to repeat across meetings."""
    return b32(secrets.token_bytes(5))


def fingerprint(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    hexed = hashlib.sha256(raw).hexdigest()[:24].upper()
    return " ".join(hexed[i : i + 4] for i in range(0, len(hexed), 4))


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


@dataclass(frozen=True)
class MeetingKeys:
    meeting_id: str
    hmac_secret: bytes
    signing_key: Ed25519PrivateKey

    @classmethod
    def generate(cls, meeting_id: str) -> MeetingKeys:
        return cls(meeting_id, secrets.token_bytes(32), Ed25519PrivateKey.generate())

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.signing_key.public_key()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def key_check(self) -> str:
        """A value stored in the meeting store that proves a key file belongs to that meeting."""
        return hmac.new(self.hmac_secret, b"tallykit-key-check", "sha256").hexdigest()[:32]

    def save(self, path: Path) -> None:
        private = self.signing_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode("ascii")
        body = json.dumps(
            {
                "format": KEY_FORMAT,
                "meeting_id": self.meeting_id,
                "hmac_secret": base64.b64encode(self.hmac_secret).decode("ascii"),
                "ed25519_private_key": private,
            },
            indent=2,
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(body + "\n")
            f.flush()
            os.fsync(f.fileno())

    @classmethod
    def load(cls, path: Path) -> MeetingKeys:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != KEY_FORMAT:
                raise ValueError("unknown format")
            private = serialization.load_pem_private_key(data["ed25519_private_key"].encode("ascii"), None)
            if not isinstance(private, Ed25519PrivateKey):
                raise ValueError("not an Ed25519 key")
            return cls(str(data["meeting_id"]), base64.b64decode(data["hmac_secret"]), private)
        except FileNotFoundError:
            raise StoreError(f"{path}: the meeting key file is missing; restore it from your backup") from None
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise StoreError(f"{path}: is not a tallykit meeting key file; restore it from your backup") from None


def loose_permissions(path: Path, platform: str | None = None) -> bool:
    """True when others than the owner may read the key file. On Windows the mode bits mean nothing (every file
    reports 0o666; access is the user folder's ACL), so nothing is said there."""
    if (platform or sys.platform).startswith("win"):
        return False
    try:
        return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))
    except OSError:
        return False
