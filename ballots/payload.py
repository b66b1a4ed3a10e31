"""The QR payload printed on every sheet: short, versioned, in QR's alphanumeric charset, signed with
the meeting's HMAC key.

    TK1:<meeting>:<round>:<group>:<layout>:<page>/<pages>:<serial or ->:<mac>      a real sheet
    TK1T:...                                                                         a test print

<layout> is the first 6 base32 characters of the layout hash; <mac> is HMAC-SHA256 over everything
before it, truncated to 64 bits, in base32 (13 characters). Secret ballots carry no serial, so every
copy of one (meeting, round, group, layout) has the same code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from meeting.errors import TallyError
from meeting.lang import Why, say, why
from meeting.lang import text as words

VERSION = "TK1"
TEST_VERSION = "TK1T"
LAYOUT_PREFIX_LEN = 6
MAC_LEN = 13
ALPHANUMERIC = re.compile(r"[0-9A-Z $%*+\-./:]*")
_FIELD = r"[0-9A-Z-]+"
_PATTERN = re.compile(
    rf"(?P<version>TK1T?):(?P<meeting>{_FIELD}):(?P<round>{_FIELD}):(?P<group>{_FIELD}):"
    rf"(?P<layout>[A-Z2-7]{{{LAYOUT_PREFIX_LEN}}}):(?P<page>[1-9][0-9]*)/(?P<pages>[1-9][0-9]*):"
    rf"(?P<serial>[0-9A-Z]+|-):(?P<mac>[A-Z2-7]{{{MAC_LEN}}})"
)

REASONS = {code: words(f"reject.{code}", "en")  # the words, in both languages: meeting.lang `reject.*`
           for code in ("foreign", "malformed", "wrong_meeting", "bad_mac", "unknown_layout", "test_sheet")}


class PayloadError(TallyError):
    """A sheet's code is rejected; `reason` is one of REASONS."""

    def __init__(self, reason: str, why: Why | None = None) -> None:
        self.reason = reason
        self.why = why  # what was found, as words (said in the reader's language)
        detail = say(why, "en") if why else ""
        super().__init__(f"{REASONS[reason]}{': ' + detail if detail else ''}")


@dataclass(frozen=True)
class Payload:
    meeting_id: str
    round_id: str
    group_id: str
    layout_prefix: str
    page: int
    pages: int
    serial: str | None
    test: bool = False

    def body(self) -> str:
        version = TEST_VERSION if self.test else VERSION
        return ":".join([version, self.meeting_id.upper(), self.round_id.upper(), self.group_id.upper(),
                         self.layout_prefix, f"{self.page}/{self.pages}", self.serial or "-"])


def layout_prefix(layout_hash: str) -> str:
    """The first characters of a (hex) layout hash, re-encoded in base32 for the QR code."""
    return base64.b32encode(bytes.fromhex(layout_hash)[:5]).decode("ascii")[:LAYOUT_PREFIX_LEN]


def _mac(body: str, secret: bytes) -> str:
    digest = hmac.new(secret, body.encode("ascii"), hashlib.sha256).digest()
    return base64.b32encode(digest[:8]).decode("ascii")[:MAC_LEN]


def encode(payload: Payload, secret: bytes) -> str:
    body = payload.body()
    text = f"{body}:{_mac(body, secret)}"
    if not ALPHANUMERIC.fullmatch(text):
        raise ValueError(f"payload {text!r} is outside QR's alphanumeric charset")
    return text


def parse(text: str) -> tuple[Payload, str]:
    """Read a code without checking it: (payload, mac). Raises PayloadError foreign/malformed."""
    text = text.strip()
    if not text.startswith(VERSION + ":") and not text.startswith(TEST_VERSION + ":"):
        raise PayloadError("foreign")
    m = _PATTERN.fullmatch(text)
    if m is None or not 1 <= int(m["page"]) <= int(m["pages"]):
        raise PayloadError("malformed")
    serial = None if m["serial"] == "-" else m["serial"]
    return Payload(m["meeting"], m["round"], m["group"], m["layout"], int(m["page"]), int(m["pages"]), serial,
                   m["version"] == TEST_VERSION), m["mac"]


def verify(text: str, meeting_id: str, secret: bytes, layouts: dict[str, str] | None = None, *,
           allow_test: bool = False) -> Payload:
    """Check a code against this meeting: id, MAC, known layout, test mode. Returns the payload.

    `layouts` maps layout prefixes to full hashes of the layouts this meeting printed; None skips that check.
    """
    payload, mac = parse(text)
    if payload.meeting_id != meeting_id.upper():
        found = why("reject_detail.meeting", theirs=payload.meeting_id, ours=meeting_id.upper())
        raise PayloadError("wrong_meeting", found)
    if not hmac.compare_digest(mac, _mac(payload.body(), secret)):
        raise PayloadError("bad_mac")
    if payload.test and not allow_test:
        raise PayloadError("test_sheet")
    if layouts is not None and payload.layout_prefix not in layouts:
        raise PayloadError("unknown_layout", why("reject_detail.layout", prefix=payload.layout_prefix))
    return payload
