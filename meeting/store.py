"""The meeting store: one SQLite file per meeting (sqlite-utils), every write a transaction,
every change recorded in an append-only audit log whose rows are chained by SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from meeting.canon import canonical_json, digest
from meeting.errors import StoreError

SCHEMA_VERSION = 1
GENESIS = "0" * 64

# Tables whose rows are recorded in the audit log, with their primary key columns.
AUDITED: dict[str, tuple[str, ...]] = {
    "definitions": ("version",),
    "layouts": ("hash",),
    "ballot_counts": ("round_id", "group_id"),
    "readings": ("id",),
    "decisions": ("id",),
    "manual_entries": ("id",),
    "results": ("round_id",),
    "seals": ("round_id",),
    "attachments": ("id",),
}
# Tables whose rows are never changed once written (enforced by triggers).
APPEND_ONLY = ("audit", "definitions", "layouts", "readings", "decisions", "manual_entries", "seals", "attachments")


def now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


class CountExceeded(StoreError):
    """More sheets than ballots issued: never recorded."""

    exit_code = 1


@dataclass(frozen=True)
class Integrity:
    ok: bool
    rows: int  # audit rows checked
    head: str  # hash of the last audit row
    broken_at: int | None = None  # audit seq where the first problem was found
    problem: str = ""
    in_chain: bool = True  # the chain itself is broken, rather than a record behind it

    def message(self) -> str:
        if self.ok:
            return "audit chain intact"
        if self.in_chain:
            return f"audit chain broken at row {self.broken_at}: {self.problem}"
        where = f" (audit row {self.broken_at})" if self.broken_at else ""
        return f"a record was changed behind the audit log{where}: {self.problem}"


@dataclass(frozen=True)
class BallotCount:
    round_id: str
    group_id: str
    issued: int
    returned: int | None
    spares: int


def _create_schema(db: sqlite_utils.Database) -> None:
    db["meta"].create({"key": str, "value": str}, pk="key")
    db["audit"].create(
        {"seq": int, "at": str, "actor": str, "action": str, "subject": str, "data": str, "prev": str,
         "hash": str},
        pk="seq",
        not_null={"at", "actor", "action", "subject", "data", "prev", "hash"},
    )
    db["definitions"].create(
        {"version": int, "sha256": str, "toml": str, "accepted_at": str, "actor": str},
        pk="version", not_null={"sha256", "toml", "accepted_at", "actor"},
    )
    db["layouts"].create(
        {"hash": str, "round_id": str, "group_id": str, "pages": int, "layout": str, "created_at": str},
        pk="hash",
    )
    db["ballot_counts"].create(
        {"round_id": str, "group_id": str, "issued": int, "returned": int, "spares": int, "updated_at": str},
        pk=("round_id", "group_id"), not_null={"issued", "spares", "updated_at"},
    )
    db["readings"].create(
        {"id": int, "key": str, "round_id": str, "group_id": str, "layout_hash": str, "page": int,
         "serial": str, "status": str, "marks": str, "reasons": str, "fingerprint": bytes, "image": bytes,
         "station": str, "read_at": str, "signature": str},
        pk="id", not_null={"key", "round_id", "group_id", "status", "marks", "read_at"},
    )
    db["readings"].create_index(["key"], unique=True)
    db["readings"].create_index(["round_id", "group_id", "page"])  # the count check reads only this index
    db["readings"].create_index(["layout_hash", "page", "serial"])
    db["readings"].create_index(["layout_hash", "page", "signature"])
    db["decisions"].create(
        {"id": int, "reading_id": int, "decision": str, "corrected": str, "reason": str, "operator": str,
         "decided_at": str},
        pk="id", foreign_keys=[("reading_id", "readings", "id")],
        not_null={"reading_id", "decision", "reason", "operator", "decided_at"},
    )
    db["manual_entries"].create(
        {"id": int, "round_id": str, "candidate_id": str, "value": str, "operator": str, "note": str,
         "entered_at": str},
        pk="id", not_null={"round_id", "candidate_id", "value", "operator", "entered_at"},
    )
    db["results"].create(
        {"round_id": str, "computed_at": str, "digest": str, "results": str}, pk="round_id",
    )
    db["seals"].create(
        {"round_id": str, "sealed_at": str, "operator": str, "reason": str, "digest": str}, pk="round_id",
    )
    for table in APPEND_ONLY:
        if table != "attachments":
            _append_only(db, table)
    _add_attachments(db)


def _append_only(db: sqlite_utils.Database, table: str) -> None:
    for op in ("UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON [{table}] "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )


def _add_attachments(db: sqlite_utils.Database) -> None:
    """Photos of the signed report sheets (added in schema 1's lifetime: created when missing)."""
    db["attachments"].create(
        {"id": int, "kind": str, "round_id": str, "digest": str, "image": bytes, "file_name": str, "operator": str,
         "attached_at": str},
        pk="id", not_null={"kind", "digest", "image", "operator", "attached_at"},
    )
    _append_only(db, "attachments")


def _connect(path: Path, shared: bool = False) -> sqlite_utils.Database:
    # shared: one connection used by several threads of the meeting server, which serialises access itself
    conn = sqlite3.connect(str(path), timeout=30, check_same_thread=not shared)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")  # a commit survives a power cut, not only a crash
    db.execute("PRAGMA foreign_keys=ON")
    return db


class Store:
    """All reads and writes of one meeting's SQLite file."""

    def __init__(self, db: sqlite_utils.Database, path: Path) -> None:
        self.db = db
        self.path = path

    # -- opening ----------------------------------------------------------------------------
    @classmethod
    def create(cls, path: Path, meta: dict[str, str], actor: str) -> Store:
        if path.exists():
            raise StoreError(f"{path}: a meeting store is already there; choose another folder")
        store = cls(_connect(path), path)
        with store.db.atomic():
            _create_schema(store.db)
            rows = {"schema_version": str(SCHEMA_VERSION), "created_at": now(), **meta}
            store.db["meta"].insert_all([{"key": k, "value": v} for k, v in rows.items()])
            store.audit(actor, "meeting.create", "meeting", {k: rows[k] for k in sorted(rows)})
        return store

    @classmethod
    def open(cls, path: Path, *, shared: bool = False) -> Store:
        if not path.is_file():
            raise StoreError(f"{path}: no meeting store here; create a meeting with `tallykit init DIR`")
        try:
            db = _connect(path, shared)
            version = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.DatabaseError:
            raise StoreError(f"{path}: is not a tallykit meeting store (not an SQLite file we wrote)") from None
        if version is None:
            raise StoreError(f"{path}: is not a tallykit meeting store (no schema version)")
        if int(version[0]) != SCHEMA_VERSION:
            raise StoreError(f"{path}: store schema {version[0]} is not {SCHEMA_VERSION}; use the tallykit "
                             "version that created this meeting")
        if not db["attachments"].exists():
            with db.atomic():
                _add_attachments(db)
        return cls(db, path)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        with self.db.atomic():
            yield self

    @contextmanager
    def snapshot(self) -> Iterator[Store]:
        """Several reads that all see one state of the store (a read transaction; others keep writing)."""
        self.db.conn.execute("BEGIN")
        try:
            yield self
        finally:
            self.db.conn.execute("COMMIT")

    # -- meta ---------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    # -- the audit log --------------------------------------------------------------------------
    def audit(self, actor: str, action: str, subject: str, data: dict[str, Any]) -> int:
        """Append one audit row chained to the previous one. Call inside a transaction."""
        last = self.db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        row = {"seq": seq, "at": now(), "actor": actor, "action": action, "subject": subject,
               "data": canonical_json(data), "prev": prev}
        row["hash"] = audit_hash(row)
        self._insert("audit", row)
        return seq

    def _insert(self, table: str, row: dict[str, Any]) -> int:
        """A plain INSERT (the hot path of every reading): one statement, no schema look-ups."""
        columns = ", ".join(f"[{c}]" for c in row)
        marks = ", ".join("?" for _ in row)
        cursor = self.db.conn.execute(f"INSERT INTO [{table}] ({columns}) VALUES ({marks})", list(row.values()))
        return int(cursor.lastrowid)

    def record(self, table: str, row: dict[str, Any], actor: str, action: str, *, replace: bool = False) -> int:
        """Write one row of an audited table and its audit entry in the same transaction."""
        key = tuple(row[c] for c in AUDITED[table])
        with self.db.atomic():
            if replace:
                self.db[table].upsert(row, pk=AUDITED[table])
            else:
                self.db[table].insert(row)
            stored = self._row(table, key)
            return self.audit(actor, action, f"{table}:{_key_text(key)}",
                              {"table": table, "key": list(key), "row_sha256": digest(stored)})

    def insert_audited(self, table: str, row: dict[str, Any], actor: str, action: str) -> int:
        """Insert a row whose primary key SQLite assigns; returns the new row id. Its digest is taken from the row
        as stored, except that blobs (a sheet image) are not read back: SQLite keeps blob bytes as given."""
        with self.db.atomic():
            rowid = self._insert(table, row)
            blobs = {k: v for k, v in row.items() if isinstance(v, bytes)}
            stored = self._row(table, (rowid,), skip=tuple(blobs))
            stored.update(blobs)
            self.audit(actor, action, f"{table}:{rowid}",
                       {"table": table, "key": [rowid], "row_sha256": digest(stored)})
            return int(rowid)

    def _row(self, table: str, key: tuple[Any, ...], skip: tuple[str, ...] = ()) -> dict[str, Any]:
        where = " AND ".join(f"[{c}] = ?" for c in AUDITED[table])
        columns = ", ".join(f"[{c}]" for c in self._columns(table) if c not in skip) if skip else "*"
        cursor = self.db.conn.execute(f"SELECT {columns} FROM [{table}] WHERE {where}", list(key))
        row = cursor.fetchone()
        return dict(zip([d[0] for d in cursor.description], row, strict=True)) if row else {}

    def _columns(self, table: str) -> tuple[str, ...]:
        cache = self.__dict__.setdefault("_column_cache", {})
        if table not in cache:
            cache[table] = tuple(r[1] for r in self.db.conn.execute(f"PRAGMA table_info([{table}])"))
        return cache[table]

    def audit_rows(self) -> list[dict[str, Any]]:
        return list(self.db["audit"].rows_where(order_by="seq"))

    def check_integrity(self) -> Integrity:
        """Walk the hash chain, then check every audited record against its last audit entry."""
        prev, seq, head = GENESIS, 0, GENESIS
        latest: dict[tuple[str, str], tuple[int, str]] = {}
        for row in self.db["audit"].rows_where(order_by="seq"):
            seq += 1
            if row["seq"] != seq:
                return Integrity(False, seq - 1, head, seq, f"audit row {seq} is missing")
            if row["prev"] != prev:
                return Integrity(False, seq - 1, head, seq, f"audit row {seq} does not follow row {seq - 1}")
            if audit_hash(row) != row["hash"]:
                return Integrity(False, seq - 1, head, seq, f"audit row {seq} ({row['action']}) was changed")
            prev = head = row["hash"]
            data = _loads(row["data"])
            if isinstance(data, dict) and "table" in data:
                latest[(data["table"], _key_text(tuple(data["key"])))] = (seq, data["row_sha256"])
        rows = seq
        for table, pk in AUDITED.items():
            for record in self.db[table].rows:
                key = _key_text(tuple(record[c] for c in pk))
                entry = latest.pop((table, key), None)
                if entry is None:
                    return Integrity(False, rows, head, None, f"{table} row {key} is not in the audit log",
                                     in_chain=False)
                if digest(record) != entry[1]:
                    return Integrity(False, rows, head, entry[0], f"{table} row {key} was changed",
                                     in_chain=False)
        if latest:
            (table, key), (at, _) = min(latest.items(), key=lambda kv: kv[1][0])
            return Integrity(False, rows, head, at, f"{table} row {key} is missing", in_chain=False)
        return Integrity(True, rows, head)

    # -- definitions ----------------------------------------------------------------------------
    def latest_definition(self) -> dict[str, Any] | None:
        rows = list(self.db["definitions"].rows_where(order_by="version desc", limit=1))
        return rows[0] if rows else None

    def accept_definition(self, toml_text: str, sha256: str, actor: str) -> int:
        with self.db.atomic():
            latest = self.latest_definition()
            version = (latest["version"] + 1) if latest else 1
            self.record("definitions", {"version": version, "sha256": sha256, "toml": toml_text,
                                        "accepted_at": now(), "actor": actor},
                        actor, "definition.accept")
            return version

    # -- layouts ----------------------------------------------------------------------------------------
    def layouts(self) -> dict[str, dict[str, Any]]:
        """hash → {round_id, group_id, pages, layout (JSON text)} of every layout ever printed."""
        return {r["hash"]: r for r in self.db["layouts"].rows}

    def save_layout(self, layout_hash: str, round_id: str, group_id: str, pages: int, layout_json: str,
                    actor: str) -> bool:
        """Store a layout once; True when it was new."""
        with self.db.atomic():
            if self._row("layouts", (layout_hash,)):
                return False
            self.record("layouts", {"hash": layout_hash, "round_id": round_id, "group_id": group_id,
                                    "pages": pages, "layout": layout_json, "created_at": now()},
                        actor, "layout.store")
            return True

    # -- ballot counts ----------------------------------------------------------------------------
    def ballot_count(self, round_id: str, group_id: str) -> BallotCount | None:
        row = self.db.conn.execute("SELECT issued, returned, spares FROM ballot_counts WHERE round_id = ? AND "
                                   "group_id = ?", [round_id, group_id]).fetchone()
        return BallotCount(round_id, group_id, *row) if row else None

    def ballot_counts(self) -> dict[tuple[str, str], BallotCount]:
        return {
            (r["round_id"], r["group_id"]): BallotCount(r["round_id"], r["group_id"], r["issued"],
                                                        r["returned"], r["spares"])
            for r in self.db["ballot_counts"].rows
        }

    def set_ballot_count(self, round_id: str, group_id: str, actor: str, *, issued: int | None = None,
                         returned: int | None = None, spares: int | None = None) -> BallotCount:
        with self.db.atomic():
            old = self.ballot_counts().get((round_id, group_id), BallotCount(round_id, group_id, 0, None, 0))
            new = BallotCount(round_id, group_id, old.issued if issued is None else issued,
                              old.returned if returned is None else returned,
                              old.spares if spares is None else spares)
            self.record("ballot_counts", {"round_id": round_id, "group_id": group_id, "issued": new.issued,
                                          "returned": new.returned, "spares": new.spares, "updated_at": now()},
                        actor, "ballots.count", replace=True)
            return new

    def reading_counts(self, first_pages: bool = False) -> dict[tuple[str, str, str], int]:
        """(round, group, state) → number of readings: counted, or review while no person has decided it yet,
        or decided once a review decision was recorded. `first_pages`: count sheets (their page 1) only."""
        sql = ("SELECT round_id, group_id, CASE WHEN status = 'review' AND id NOT IN (SELECT reading_id FROM "
               "decisions) THEN 'review' WHEN status = 'review' THEN 'decided' ELSE status END AS state, count(*) "
               f"FROM readings {'WHERE page = 1 ' if first_pages else ''}GROUP BY round_id, group_id, state")
        return {(r, g, s): n for r, g, s, n in self.db.execute(sql).fetchall()}


    # -- readings ---------------------------------------------------------------------------------------
    def add_reading(self, row: dict[str, Any], actor: str, *, issued: int | None) -> int | None:
        """Record one sheet read, with its image, in one transaction. None when `row["key"]` was recorded
        before (the same file or the same station post): readings are idempotent.

        `issued` caps the sheets (page 1) recorded for the round and group, and so does the returned count once it
        is recorded: one more is refused."""
        with self.db.atomic():
            if self.db.execute("SELECT 1 FROM readings WHERE key = ?", [row["key"]]).fetchone():
                return None
            if self.db.execute("SELECT 1 FROM seals WHERE round_id = ?", [row["round_id"]]).fetchone():
                raise StoreError(f"round {row['round_id']} is sealed; no more sheets can be recorded")
            if issued is not None and row["page"] == 1:
                n = self.db.execute("SELECT count(*) FROM readings WHERE round_id = ? AND group_id = ? AND page = 1",
                                    [row["round_id"], row["group_id"]]).fetchone()[0]
                if n >= issued:
                    raise CountExceeded(f"round {row['round_id']} group {row['group_id']}: {n} sheets are already "
                                        f"recorded and only {issued} ballots were issued; this sheet is not counted. "
                                        "Check for a double scan or a foreign ballot")
                returned = self.db.execute("SELECT returned FROM ballot_counts WHERE round_id = ? AND group_id = ?",
                                           [row["round_id"], row["group_id"]]).fetchone()
                if returned and returned[0] is not None and n >= returned[0]:
                    raise CountExceeded(f"round {row['round_id']} group {row['group_id']}: {n} sheets are already "
                                        f"recorded and {returned[0]} ballots were counted as returned; this sheet is "
                                        "not counted. Check for a double scan, or correct the returned count with "
                                        "`tallykit returned`")
            return self.insert_audited("readings", row, actor, f"reading.{row['status']}")

    def same_sheet(self, layout_hash: str, page: int, *, serial: str | None = None,
                   signature: str | None = None) -> list[dict[str, Any]]:
        """Earlier readings of the same numbered sheet (by serial: id, status, marks), or of secret sheets with
        the same marks (by signature: id): the candidates for a double scan."""
        column, value = ("serial", serial) if serial is not None else ("signature", signature)
        fields = "id, status, marks" if serial is not None else "id"
        cursor = self.db.conn.execute(f"SELECT {fields} FROM readings WHERE layout_hash = ? AND page = ? AND "
                                      f"{column} = ? ORDER BY id", [layout_hash, page, value])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]

    def fingerprints(self, ids: list[int]) -> dict[int, bytes]:
        out: dict[int, bytes] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            for i, blob in self.db.conn.execute(f"SELECT id, fingerprint FROM readings WHERE id IN ({marks})", chunk):
                out[i] = blob
        return out

    def reading_by_key(self, key: str) -> dict[str, Any] | None:
        row = self.db.conn.execute("SELECT id, layout_hash, page, marks FROM readings WHERE key = ?", [key]).fetchone()
        return None if row is None else dict(zip(("id", "layout_hash", "page", "marks"), row, strict=True))

    def has_reading(self, key: str) -> bool:
        return self.db.execute("SELECT 1 FROM readings WHERE key = ?", [key]).fetchone() is not None

    def readings(self, round_id: str, group_id: str | None = None, *,
                 with_images: bool = False) -> list[dict[str, Any]]:
        columns = "id, key, round_id, group_id, layout_hash, page, serial, status, marks, reasons, fingerprint, " \
                  "station, read_at" + (", image" if with_images else "")
        sql = f"SELECT {columns} FROM readings WHERE round_id = ?" + (" AND group_id = ?" if group_id else "")
        cursor = self.db.execute(sql + " ORDER BY id", [round_id, group_id] if group_id else [round_id])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]

    # -- review decisions and manual entries -------------------------------------------------------------
    def decide(self, reading_id: int, decision: str, reason: str, operator: str, corrected: str | None = None) -> int:
        """A person's decision on a reading (accept, correct, void, duplicate), with the reason: audited."""
        if not reason.strip():
            raise StoreError("a review decision needs a reason; say why")
        with self.db.atomic():
            row = self.db.execute("SELECT round_id FROM readings WHERE id = ?", [reading_id]).fetchone()
            if not row:
                raise StoreError(f"no reading #{reading_id}")
            if self.db.execute("SELECT 1 FROM seals WHERE round_id = ?", [row[0]]).fetchone():
                raise StoreError(f"round {row[0]} is sealed; its sheets can no longer be decided")
            return self.insert_audited("decisions", {"reading_id": reading_id, "decision": decision,
                                                     "corrected": corrected, "reason": reason.strip(),
                                                     "operator": operator, "decided_at": now()},
                                       operator, f"review.{decision}")

    def decisions(self) -> list[dict[str, Any]]:
        return list(self.db["decisions"].rows_where(order_by="id"))

    def enter_manual(self, round_id: str, candidate_id: str, value: str, operator: str, note: str = "") -> int:
        with self.db.atomic():
            if self.db.execute("SELECT 1 FROM seals WHERE round_id = ?", [round_id]).fetchone():
                raise StoreError(f"round {round_id} is sealed; no more entries can be recorded")
            return self.insert_audited("manual_entries", {"round_id": round_id, "candidate_id": candidate_id,
                                                          "value": value, "operator": operator, "note": note,
                                                          "entered_at": now()}, operator, "manual.enter")

    # -- seals and the archive ------------------------------------------------------------------------
    def seals(self) -> list[dict[str, Any]]:
        return list(self.db["seals"].rows_where(order_by="sealed_at, round_id"))

    def seal(self, round_ids: list[str], operator: str, reason: str, compute: Callable[[Store], str]) -> str:
        """Freeze these rounds: from now on no reading, decision or manual entry is accepted for them. One write
        transaction, taken before anything is read, so nothing slips in between the results and the seal;
        `compute(store)` gives the results digest that the seal rows record."""
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            sealed = {r[0] for r in conn.execute("SELECT round_id FROM seals")}
            again = [r for r in round_ids if r in sealed]
            if again:
                raise StoreError(f"round {', '.join(again)} is already sealed")
            value = compute(self)
            at = now()
            for round_id in round_ids:
                self.record("seals", {"round_id": round_id, "sealed_at": at, "operator": operator, "reason": reason,
                                      "digest": value}, operator, "round.seal")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return value

    def attach(self, kind: str, round_id: str | None, digest: str, image: bytes, file_name: str,
               operator: str) -> int:
        with self.db.atomic():
            return self.insert_audited("attachments", {"kind": kind, "round_id": round_id, "digest": digest,
                                                       "image": image, "file_name": file_name, "operator": operator,
                                                       "attached_at": now()}, operator, "archive.attach")

    def attachments(self, with_images: bool = False) -> list[dict[str, Any]]:
        columns = "id, kind, round_id, digest, file_name, operator, attached_at" + (", image" if with_images else "")
        cursor = self.db.execute(f"SELECT {columns} FROM attachments ORDER BY id")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]

    def audit_head(self) -> tuple[int, str]:
        row = self.db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        return (row[0], row[1]) if row else (0, GENESIS)

    def images(self) -> Iterator[tuple[int, str, str, int, bytes]]:
        """(reading id, round, group, page, JPEG) of every sheet read, in order."""
        cursor = self.db.conn.execute("SELECT id, round_id, group_id, page, image FROM readings WHERE image IS NOT "
                                      "NULL ORDER BY id")
        yield from cursor

    def backup(self, path: Path) -> None:
        """A consistent copy of the whole store (WAL included) as one file."""
        target = sqlite3.connect(str(path))
        try:
            self.db.conn.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()

    def manual_entries(self) -> list[dict[str, Any]]:
        return list(self.db["manual_entries"].rows_where(order_by="id"))

    def all_readings(self) -> list[dict[str, Any]]:
        cursor = self.db.execute("SELECT id, round_id, group_id, layout_hash, page, serial, status, marks, reasons "
                                 "FROM readings ORDER BY id")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]

    def manual_counts(self) -> dict[str, int]:
        """round → number of candidates with a manual entry."""
        sql = "SELECT round_id, count(DISTINCT candidate_id) FROM manual_entries GROUP BY round_id"
        return dict(self.db.execute(sql).fetchall())


def _key_text(key: tuple[Any, ...]) -> str:
    return "/".join(str(k) for k in key)


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def audit_hash(row: dict[str, Any]) -> str:
    body = {k: row[k] for k in ("seq", "at", "actor", "action", "subject", "data", "prev")}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()
