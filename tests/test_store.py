"""The store: transactions, the append-only audit log and its hash chain, and tamper detection."""

from __future__ import annotations

import json
import sqlite3
import stat

import pytest

from meeting.errors import StoreError
from meeting.folder import MeetingFolder
from meeting.keys import MeetingKeys


def _raw(meeting_dir) -> sqlite3.Connection:
    """A plain SQLite connection, as someone editing the file by hand would have."""
    return sqlite3.connect(meeting_dir / "meeting.db", isolation_level=None)


def _audit_actions(store) -> list[str]:
    return [r["action"] for r in store.audit_rows()]


def test_init_writes_a_sound_chain_and_private_keys(meeting_dir):
    folder = MeetingFolder.open(meeting_dir)
    store = folder.store()
    integrity = store.check_integrity()
    assert integrity.ok and integrity.rows == 2
    assert _audit_actions(store) == ["meeting.create", "definition.accept"]
    rows = store.audit_rows()
    assert rows[0]["prev"] == "0" * 64 and rows[1]["prev"] == rows[0]["hash"]
    assert stat.S_IMODE((meeting_dir / "meeting.key").stat().st_mode) == 0o600
    keys = folder.keys(store)
    assert keys.meeting_id == store.meta("meeting_id")
    assert keys.fingerprint == store.meta("key_fingerprint")
    assert store.meta("public_key") == (meeting_dir / "meeting.pub").read_text()


def test_ballot_counts_are_audited_and_updated(meeting_dir):
    store = MeetingFolder.open(meeting_dir).store()
    store.set_ballot_count("CP", "QZ", "clerk", issued=48)
    store.set_ballot_count("CP", "QZ", "clerk", returned=47)
    count = store.ballot_counts()[("CP", "QZ")]
    assert (count.issued, count.returned) == (48, 47)
    assert _audit_actions(store)[-2:] == ["ballots.count", "ballots.count"]
    assert store.check_integrity().ok


def test_a_failed_transaction_leaves_nothing(meeting_dir):
    store = MeetingFolder.open(meeting_dir).store()
    before = store.audit_rows()
    with pytest.raises(RuntimeError), store.transaction():
        store.set_ballot_count("CP", "QZ", "clerk", issued=48)
        store.accept_definition("x", "y", "clerk")
        raise RuntimeError("power cut")
    assert store.audit_rows() == before
    assert store.ballot_counts() == {}
    assert store.latest_definition()["version"] == 1
    assert store.check_integrity().ok


def test_append_only_tables_refuse_updates_and_deletes(meeting_dir):
    db = _raw(meeting_dir)
    for sql in ("UPDATE audit SET actor = 'x'", "DELETE FROM audit", "UPDATE definitions SET toml = ''",
                "DELETE FROM definitions"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute(sql)


def test_edited_audit_row_breaks_the_chain_at_that_row(meeting_dir, cli):
    store = MeetingFolder.open(meeting_dir).store()
    store.set_ballot_count("CP", "QZ", "clerk", issued=50)
    store.set_ballot_count("YJ", "PS", "clerk", issued=7)
    store.close()
    db = _raw(meeting_dir)
    db.execute("DROP TRIGGER audit_no_update")  # what someone with the file and sqlite3 can do
    row = db.execute("SELECT data FROM audit WHERE seq = 3").fetchone()[0]
    db.execute("UPDATE audit SET data = ? WHERE seq = 3", [row.replace('"ballot_counts"', '"ballot_count"')])
    db.close()

    result = cli("status", meeting_dir)
    assert result.exit_code == 1
    assert "error: audit chain broken at row 3: audit row 3 (ballots.count) was changed" in result.stderr
    assert result.stderr.count("\n") == 1
    assert "已损坏" in result.stdout


def test_recomputed_hash_still_breaks_the_link_to_the_next_row(meeting_dir):
    from meeting.store import audit_hash

    store = MeetingFolder.open(meeting_dir).store()
    store.set_ballot_count("CP", "QZ", "clerk", issued=50)
    store.close()
    db = _raw(meeting_dir)
    db.execute("DROP TRIGGER audit_no_update")
    row = dict(zip(["seq", "at", "actor", "action", "subject", "data", "prev", "hash"],
                   db.execute("SELECT * FROM audit WHERE seq = 2").fetchone(), strict=True))
    row["actor"] = "someone else"
    db.execute("UPDATE audit SET actor = ?, hash = ? WHERE seq = 2", [row["actor"], audit_hash(row)])
    db.close()
    integrity = MeetingFolder.open(meeting_dir).store().check_integrity()
    assert (integrity.ok, integrity.broken_at) == (False, 3)
    assert "does not follow" in integrity.problem


def test_deleted_audit_row_is_found(meeting_dir):
    store = MeetingFolder.open(meeting_dir).store()
    store.set_ballot_count("CP", "QZ", "clerk", issued=50)
    store.set_ballot_count("CP", "QZ", "clerk", returned=50)
    store.close()
    db = _raw(meeting_dir)
    db.execute("DROP TRIGGER audit_no_delete")
    db.execute("DELETE FROM audit WHERE seq = 3")
    db.close()
    integrity = MeetingFolder.open(meeting_dir).store().check_integrity()
    assert (integrity.ok, integrity.broken_at, integrity.problem) == (False, 3, "audit row 3 is missing")


def test_record_edited_behind_the_audit_log_is_found(meeting_dir, cli):
    store = MeetingFolder.open(meeting_dir).store()
    store.set_ballot_count("CP", "QZ", "clerk", issued=50)
    store.close()
    db = _raw(meeting_dir)
    db.execute("UPDATE ballot_counts SET issued = 55 WHERE round_id = 'CP'")
    db.close()
    result = cli("status", meeting_dir)
    assert result.exit_code == 1
    assert "changed behind the audit log (audit row 3): ballot_counts row CP/QZ was changed" in result.stderr


def test_record_inserted_behind_the_audit_log_is_found(meeting_dir):
    db = _raw(meeting_dir)
    db.execute("INSERT INTO manual_entries (round_id, candidate_id, value, operator, entered_at) "
               "VALUES ('DW', 'C01', '99', 'x', 'now')")
    db.close()
    integrity = MeetingFolder.open(meeting_dir).store().check_integrity()
    assert not integrity.ok and integrity.problem == "manual_entries row 1 is not in the audit log"


def test_audit_data_is_canonical_json(meeting_dir):
    store = MeetingFolder.open(meeting_dir).store()
    for row in store.audit_rows():
        data = json.loads(row["data"])
        assert json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) == row["data"]


def test_foreign_key_file_is_refused(meeting_dir, tmp_path, cli):
    other = tmp_path / "other"
    assert cli("init", other).exit_code == 0
    (meeting_dir / "meeting.key").unlink()
    (meeting_dir / "meeting.key").write_bytes((other / "meeting.key").read_bytes())
    folder = MeetingFolder.open(meeting_dir)
    with pytest.raises(StoreError, match="belongs to another meeting"):
        folder.keys(folder.store())


def test_key_file_round_trip(tmp_path):
    keys = MeetingKeys.generate("ABCD1234")
    keys.save(tmp_path / "k")
    again = MeetingKeys.load(tmp_path / "k")
    assert again.hmac_secret == keys.hmac_secret and again.fingerprint == keys.fingerprint
    assert again.signing_key.public_key().public_bytes_raw() == keys.public_key.public_bytes_raw()
    with pytest.raises(FileExistsError):
        keys.save(tmp_path / "k")  # never overwrites a key
    (tmp_path / "bad").write_text("{}")
    with pytest.raises(StoreError, match="not a tallykit meeting key file"):
        MeetingKeys.load(tmp_path / "bad")


def test_foreign_sqlite_file_is_refused(tmp_path, cli):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "meeting.db").write_bytes(b"not sqlite at all" * 100)
    result = cli("status", folder)
    assert result.exit_code == 2
    assert "is not a tallykit meeting store" in result.stderr
