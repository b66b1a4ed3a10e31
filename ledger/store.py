"""The ledger's folder: ledger.toml (the scheme) and ledger.db (accepted definitions, entries never edited, and
an append-only audit log chained by SHA-256, like a meeting's). Every write is one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ledger.definition import load_bytes
from ledger.model import Entry, Scheme
from meeting.canon import canonical_json
from meeting.errors import StoreError
from meeting.keys import MeetingKeys, fingerprint, new_meeting_id, public_pem
from meeting.store import GENESIS, audit_hash, now  # the same chain as a meeting's

DEFINITION = "ledger.toml"
STORE = "ledger.db"
KEY = "ledger.key"
PUBLIC = "ledger.pub"
SCHEMA_VERSION = 1
PERIODS = {"H1": 2, "H2": 4}  # 半年一公示: the first half is quarters 1-2, the second the whole year
SCHEMA = """
CREATE TABLE definitions (version INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, toml TEXT NOT NULL,
                          accepted_at TEXT NOT NULL, actor TEXT NOT NULL);
CREATE TABLE entries (id INTEGER PRIMARY KEY, person TEXT NOT NULL, category TEXT NOT NULL, date TEXT NOT NULL,
                      points TEXT NOT NULL, source TEXT NOT NULL, operator TEXT NOT NULL, reason TEXT NOT NULL,
                      reverses INTEGER REFERENCES entries(id), recorded_at TEXT NOT NULL);
CREATE TABLE evidence (sha256 TEXT PRIMARY KEY, name TEXT NOT NULL, image BLOB NOT NULL, entry INTEGER NOT NULL);
CREATE TABLE imports (id INTEGER PRIMARY KEY, digest TEXT NOT NULL, conversion TEXT NOT NULL,
                      bundle TEXT NOT NULL, meeting TEXT NOT NULL, imported_at TEXT NOT NULL, operator TEXT NOT NULL,
                      UNIQUE (digest, conversion));
CREATE TABLE periods (period TEXT PRIMARY KEY, through INTEGER NOT NULL, sealed_at TEXT NOT NULL,
                      operator TEXT NOT NULL, document TEXT NOT NULL, digest TEXT NOT NULL, signature TEXT NOT NULL,
                      notice_from TEXT NOT NULL, notice_to TEXT NOT NULL);
CREATE TABLE audit (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
                    subject TEXT NOT NULL, data TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL);
"""


@dataclass
class Ledger:
    path: Path
    db: sqlite3.Connection

    # -- opening ------------------------------------------------------------------------------
    @classmethod
    def init(cls, path: Path, toml: str, actor: str) -> Ledger:
        """A new ledger folder from a scheme's text (its id written in)."""
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise StoreError(f"{path}: already holds files; give a new or empty folder")
        scheme_id = new_meeting_id()
        text = toml.replace("[ledger]\n", f'[ledger]\nid = "{scheme_id}"\n', 1)
        load_bytes(text.encode("utf-8"), DEFINITION)  # the text must be a valid scheme before anything is written
        path.mkdir(parents=True, exist_ok=True)
        (path / DEFINITION).write_text(text, encoding="utf-8")
        keys = MeetingKeys.generate(scheme_id)  # the ledger signs its 公示 sheets as a meeting signs its results
        keys.save(path / KEY)
        (path / PUBLIC).write_text(public_pem(keys.public_key), encoding="utf-8")
        db = sqlite3.connect(path / STORE, isolation_level=None)
        db.executescript(SCHEMA)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        ledger = cls(path, db)
        with ledger.transaction():
            ledger._accept(text, actor)
        return ledger

    @classmethod
    def open(cls, path: Path) -> Ledger:
        if not (path / STORE).is_file():
            raise StoreError(f"{path}: is not a ledger folder (no {STORE}); create one with `tallykit ledger init`")
        try:
            db = sqlite3.connect(path / STORE, isolation_level=None)
            version = db.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError:
            raise StoreError(f"{path / STORE}: is not a ledger store (not an SQLite file tallykit wrote)") from None
        if version != SCHEMA_VERSION:
            db.close()
            raise StoreError(f"{path / STORE}: ledger store version {version} is not {SCHEMA_VERSION}; use the "
                             "tallykit that made it")
        return cls(path, db)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transaction(self):
        ledger = self

        class _Tx:
            def __enter__(self) -> None:
                ledger.db.execute("BEGIN IMMEDIATE")

            def __exit__(self, kind, exc, tb) -> None:
                ledger.db.execute("ROLLBACK" if kind else "COMMIT")

        return _Tx()

    # -- the scheme ---------------------------------------------------------------------------
    def scheme(self) -> Scheme:
        row = self.db.execute("SELECT toml FROM definitions ORDER BY version DESC LIMIT 1").fetchone()
        if row is None:
            raise StoreError(f"{self.path / STORE}: holds no ledger definition; the store is damaged")
        return load_bytes(row[0].encode("utf-8"), f"{STORE} (accepted)")

    def accept(self, actor: str) -> int:
        """Check ledger.toml and accept it as the next version (the id may not change)."""
        raw = (self.path / DEFINITION).read_bytes()
        scheme = load_bytes(raw, DEFINITION)
        if scheme.id != self.scheme().id:
            raise StoreError(f"{DEFINITION}: ledger.id changed to {scheme.id}; put back {self.scheme().id}")
        people, categories = {p.id for p in scheme.people}, {c.id for c in scheme.categories}
        for e in self.entries():  # an edit never drops recorded points silently
            if e.person not in people:
                raise StoreError(f"{DEFINITION}: person {e.person} has entries (#{e.id}); a person with entries "
                                 "stays in the ledger")
            if e.category not in categories:
                raise StoreError(f"{DEFINITION}: category {e.category} has entries (#{e.id}); a category with "
                                 "entries stays in the ledger")
        with self.transaction():
            return self._accept(raw.decode("utf-8"), actor)

    def _accept(self, text: str, actor: str) -> int:
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        last = self.db.execute("SELECT version, sha256 FROM definitions ORDER BY version DESC LIMIT 1").fetchone()
        if last and last[1] == sha:
            return last[0]
        version = (last[0] if last else 0) + 1
        self.db.execute("INSERT INTO definitions VALUES (?, ?, ?, ?, ?)", [version, sha, text, now(), actor])
        self.audit(actor, "definition.accept", f"v{version}", {"sha256": sha})
        return version

    # -- sealed periods (半年一公示) ----------------------------------------------------------------
    def keys(self) -> MeetingKeys:
        return MeetingKeys.load(self.path / KEY)

    def sealed_through(self) -> int:
        """The last quarter a sealed period covers (0 when none): its entries are frozen."""
        row = self.db.execute("SELECT max(through) FROM periods").fetchone()
        return int(row[0] or 0)

    def seal_period(self, period: str, document: str, notice_from: dt.date, notice_to: dt.date,
                    operator: str) -> dict[str, Any]:
        """Freeze the period's entries and keep its 公示 document, signed with the ledger's key."""
        if period not in PERIODS:
            raise StoreError(f'"{period}" is not a period; use H1 (first half) or H2 (the year)')
        if self.db.execute("SELECT 1 FROM periods WHERE period = ?", [period]).fetchone():
            raise StoreError(f"{period} is already sealed; its 公示 sheet can be printed again with `ledger notice`")
        if period == "H2" and not self.db.execute("SELECT 1 FROM periods WHERE period = 'H1'").fetchone():
            raise StoreError("seal the first half (H1) before the year (H2)")
        digest = hashlib.sha256(document.encode("utf-8")).hexdigest()
        keys = self.keys()
        signature = keys.signing_key.sign(digest.encode("ascii")).hex()
        row = {"period": period, "through": PERIODS[period], "sealed_at": now(), "operator": operator,
               "document": document, "digest": digest, "signature": signature,
               "notice_from": notice_from.isoformat(), "notice_to": notice_to.isoformat()}
        with self.transaction():
            self.db.execute("INSERT INTO periods VALUES (:period, :through, :sealed_at, :operator, :document, "
                            ":digest, :signature, :notice_from, :notice_to)", row)
            self.audit(operator, "period.seal", period, {"digest": digest, "fingerprint": keys.fingerprint})
        return row | {"fingerprint": keys.fingerprint}

    def periods(self) -> list[dict[str, Any]]:
        names = ("period", "through", "sealed_at", "operator", "document", "digest", "signature", "notice_from",
                 "notice_to")
        return [dict(zip(names, r, strict=True)) for r in self.db.execute(
            "SELECT period, through, sealed_at, operator, document, digest, signature, notice_from, notice_to "
            "FROM periods ORDER BY through")]

    def public_fingerprint(self) -> str:
        from cryptography.hazmat.primitives.serialization import load_pem_public_key

        return fingerprint(load_pem_public_key((self.path / PUBLIC).read_bytes()))  # type: ignore[arg-type]

    def _frozen(self, date: dt.date) -> None:
        through = self.sealed_through()
        if (date.month - 1) // 3 + 1 <= through:
            raise StoreError(f"{date} falls in a period already sealed and published (公示, quarters 1-{through}); "
                             "date the entry in the current period and say why in its reason")

    # -- entries ------------------------------------------------------------------------------
    def add(self, person: str, category: str, date: dt.date, points: Decimal, reason: str, operator: str,
            source: str = "hand", reverses: int | None = None, evidence: tuple[str, bytes] | None = None) -> int:
        scheme = self.scheme()
        if person not in {p.id for p in scheme.people}:
            names = ", ".join(f"{p.id} {p.name}" for p in scheme.people)
            raise StoreError(f'"{person}" is not a person of this ledger; people: {names}')
        if category not in {c.id for c in scheme.categories}:
            names = ", ".join(f"{c.id} {c.name}" for c in scheme.categories)
            raise StoreError(f'"{category}" is not a category of this ledger; categories: {names}')
        if date.year != scheme.year:
            raise StoreError(f"{date} is not in {scheme.year}, the year of this ledger")
        if not reason.strip() or not operator.strip():
            raise StoreError("an entry needs a reason and the operator's name")
        self._frozen(date)
        with self.transaction():
            if evidence is not None:  # a photo of the evidence (a certificate, a 签到 sheet), kept with the entry
                name, image = evidence
                digest = hashlib.sha256(image).hexdigest()
                source = f"{source}+photo:{digest}"
            entry_id = self._add_row(person, category, date, points, reason, operator, source, reverses)
            if evidence is not None:
                self.db.execute("INSERT OR IGNORE INTO evidence VALUES (?, ?, ?, ?)", [digest, name, image, entry_id])
            return entry_id

    def evidence(self, digest: str) -> tuple[str, bytes] | None:
        row = self.db.execute("SELECT name, image FROM evidence WHERE sha256 = ?", [digest]).fetchone()
        return (row[0], bytes(row[1])) if row else None

    def _add_row(self, person: str, category: str, date: dt.date, points: Decimal, reason: str, operator: str,
                 source: str, reverses: int | None = None) -> int:
        cur = self.db.execute(
            "INSERT INTO entries (person, category, date, points, source, operator, reason, reverses, "
            "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [person, category, date.isoformat(), str(points), source, operator, reason.strip(), reverses, now()])
        entry_id = int(cur.lastrowid or 0)
        self.audit(operator, "entry.add", f"#{entry_id}",
                   {"person": person, "category": category, "date": date.isoformat(), "points": str(points),
                    "source": source, "reason": reason.strip(), "reverses": reverses})
        return entry_id

    def import_points(self, digest: str, conversion: str, bundle: str, meeting: str, category: str,
                      date: dt.date, rows: list[tuple[str, Decimal, str]], operator: str) -> list[int]:
        """A sealed meeting's converted results as entries, all or none; the same bundle and conversion once."""
        scheme = self.scheme()
        if date.year != scheme.year:
            raise StoreError(f"{date} is not in {scheme.year}, the year of this ledger; give the entries' date "
                             "with --date")
        self._frozen(date)
        if self.db.execute("SELECT 1 FROM imports WHERE digest = ? AND conversion = ?",
                           [digest, conversion]).fetchone():
            raise StoreError(f"this bundle (results {digest[:16]}…) was imported with conversion {conversion} "
                             "before; a bundle counts once")
        ids = []
        with self.transaction():
            self.db.execute("INSERT INTO imports (digest, conversion, bundle, meeting, imported_at, operator) "
                            "VALUES (?, ?, ?, ?, ?, ?)", [digest, conversion, bundle, meeting, now(), operator])
            self.audit(operator, "bundle.import", digest, {"conversion": conversion, "bundle": bundle,
                                                           "meeting": meeting, "entries": len(rows)})
            for person, points, reason in rows:
                ids.append(self._add_row(person, category, date, points, reason, operator, f"bundle:{digest}"))
        return ids

    def import_sheet(self, name: str, digest: str, rows: list[tuple[str, str, dt.date, Decimal, str]],
                     operator: str) -> list[int]:
        """A spreadsheet's rows as entries, all or none; the same file once."""
        for row in rows:
            self._frozen(row[2])
        if self.db.execute("SELECT 1 FROM imports WHERE digest = ? AND conversion = 'sheet'", [digest]).fetchone():
            raise StoreError(f"{name} was imported before (the same file); a file counts once")
        ids = []
        with self.transaction():
            self.db.execute("INSERT INTO imports (digest, conversion, bundle, meeting, imported_at, operator) "
                            "VALUES (?, 'sheet', ?, '', ?, ?)", [digest, name, now(), operator])
            self.audit(operator, "sheet.import", digest, {"file": name, "entries": len(rows)})
            for person, category, date, points, reason in rows:
                ids.append(self._add_row(person, category, date, points, reason, operator, f"sheet:{name}"))
        return ids

    def imports(self) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT digest, conversion, bundle, meeting, imported_at, operator FROM imports "
                               "ORDER BY id").fetchall()
        return [dict(zip(("digest", "conversion", "bundle", "meeting", "imported_at", "operator"), r, strict=True))
                for r in rows]

    def reverse(self, entry_id: int, reason: str, operator: str) -> int:
        """A correction: a new entry that takes back #entry_id; both stay, neither counts."""
        row = self.db.execute("SELECT person, category, date, points FROM entries WHERE id = ?",
                              [entry_id]).fetchone()
        if row is None:
            raise StoreError(f"no entry #{entry_id}")
        if self.db.execute("SELECT 1 FROM entries WHERE reverses = ?", [entry_id]).fetchone():
            raise StoreError(f"entry #{entry_id} is already reversed")
        return self.add(row[0], row[1], dt.date.fromisoformat(row[2]), -Decimal(row[3]), reason, operator,
                        "correction", reverses=entry_id)

    def entries(self) -> list[Entry]:
        rows = self.db.execute("SELECT id, person, category, date, points, source, operator, reason, reverses "
                               "FROM entries ORDER BY id").fetchall()
        return [Entry(r[0], r[1], r[2], dt.date.fromisoformat(r[3]), Decimal(r[4]), r[5], r[6], r[7], r[8])
                for r in rows]

    # -- the audit log ------------------------------------------------------------------------
    def audit(self, actor: str, action: str, subject: str, data: dict[str, Any]) -> None:
        last = self.db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        row = {"seq": (last[0] + 1) if last else 1, "at": now(), "actor": actor, "action": action,
               "subject": subject, "data": canonical_json(data), "prev": last[1] if last else GENESIS}
        row["hash"] = audit_hash(row)
        self.db.execute("INSERT INTO audit VALUES (:seq, :at, :actor, :action, :subject, :data, :prev, :hash)", row)

    def check_chain(self) -> str | None:
        """None when the audit chain is whole, else what breaks it."""
        prev = GENESIS
        for seq, at, actor, action, subject, data, before, digest in self.db.execute(
                "SELECT seq, at, actor, action, subject, data, prev, hash FROM audit ORDER BY seq"):
            row = {"seq": seq, "at": at, "actor": actor, "action": action, "subject": subject, "data": data,
                   "prev": before}
            if before != prev or audit_hash(row) != digest:
                return f"audit row {seq} does not chain: the ledger was altered outside tallykit"
            prev = digest
        logged = {subject: data for subject, data in self.db.execute(
            "SELECT subject, data FROM audit WHERE action = 'entry.add'")}
        entries = self.entries()
        if len(entries) != len(logged):
            return f"{len(entries)} entries but {len(logged)} in the audit log: the ledger was altered outside " \
                   "tallykit"
        for digest, image in self.db.execute("SELECT sha256, image FROM evidence"):
            if hashlib.sha256(bytes(image)).hexdigest() != digest:
                return f"the evidence photo {digest[:16]}… was replaced: the ledger was altered outside tallykit"
        for e in entries:  # every entry as the audit log recorded it: an edited entry is found
            data = {"person": e.person, "category": e.category, "date": e.date.isoformat(), "points": str(e.points),
                    "source": e.source, "reason": e.reason, "reverses": e.reverses}
            if logged.get(f"#{e.id}") != canonical_json(data):
                return f"entry #{e.id} is not as the audit log recorded it: the ledger was altered outside tallykit"
        return None
