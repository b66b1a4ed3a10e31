"""Seal and archive: freeze rounds, sign the results, write the archive bundle, and verify one.

A bundle is a folder (optionally also a .zip of it):

    meeting.db          the whole store (readings, decisions, entries, the audit chain), a consistent copy
    meeting.toml        the accepted meeting definition, for people to read
    results.json        the results, as `tallykit export --format json` writes them
    reports/*.pdf       the tally report sheets, with the results digest, key fingerprint and signature lines
    images/*.jpg        every sheet read, as recorded; attachments/*.jpg photos of the signed report sheets
    meeting.pub         the meeting's public key
    MANIFEST.sha256     SHA-256 of every file above (`sha256sum -c` reads it)
    seal.json           the statement: results digest, audit chain head, manifest digest, sealed rounds
    seal.sig            Ed25519 signature of seal.json's canonical JSON, by the meeting's key

`verify` recomputes the results from the readings and decisions in the bundled store with `tally/`, checks the
chain, every hash and the signature, and says exactly what differs."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from archive.reports import Seal, sheets, write_reports
from archive.results import collect, to_json
from ballots.fonts import find_font
from ballots.geometry import Layout
from meeting.canon import canonical_json
from meeting.definition import load_text
from meeting.errors import TallyError
from meeting.folder import MeetingFolder
from meeting.keys import fingerprint, public_pem
from meeting.model import Meeting
from meeting.store import Store, now
from scanner.interpret import from_states
from tally.model import Results

BUNDLE_FORMAT = "tallykit-bundle/1"
SIGNED = ("seal.json", "seal.sig", "MANIFEST.sha256")  # not listed in the manifest: they cover it


class ArchiveError(TallyError):
    exit_code = 1


def results_document(meeting: Meeting, results: Results) -> dict[str, Any]:
    return json.loads(to_json(meeting, results))


def results_digest(document: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def image_name(reading_id: int, round_id: str, group_id: str, page: int) -> str:
    return f"images/{reading_id:06d}-{round_id}-{group_id}-p{page}.jpg"


def attachment_name(row: dict[str, Any]) -> str:
    return f"attachments/{row['id']:04d}-{row['kind']}-{row['round_id'] or 'ALL'}.jpg"


# -- sealing ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sealed:
    rounds: tuple[str, ...]
    digest: str
    bundle: Path
    reports: tuple[Path, ...]
    zip: Path | None


def seal(folder: MeetingFolder, store: Store, meeting: Meeting, round_ids: list[str], operator: str,
         force_reason: str | None, *, make_zip: bool = False, font: Path | None = None) -> Sealed:
    """Seal these rounds and write the archive bundle. Refuses while sheets of these rounds wait in review, unless
    forced with a reason (recorded in the seal and printed on the report sheets)."""
    integrity = store.check_integrity()
    if not integrity.ok:
        raise ArchiveError(f"{integrity.message()}; the count cannot be sealed. Keep every file and tell the chair")
    known = {r.id for r in meeting.rounds}
    unknown = [r for r in round_ids if r not in known]
    if unknown:
        raise ArchiveError(f'round "{unknown[0]}" is not in this meeting; rounds: {", ".join(sorted(known))}')
    already = {s["round_id"] for s in store.seals()}
    todo = [r for r in round_ids if r not in already]
    if not todo:  # sealed before: write its bundle again (e.g. after the first try could not)
        try:
            bundle, reports, zipped = write_bundle(folder, store, make_zip=make_zip, font=font)
        except OSError as exc:
            raise ArchiveError(f"the bundle could not be written into {folder.path / 'archive'} ({exc}); free some "
                               "space or fix the folder's permissions, then run the same command again") from None
        return Sealed((), store.seals()[-1]["digest"], bundle, tuple(reports), zipped)
    waiting: dict[str, int] = {}
    for (round_id, _, state), n in store.reading_counts().items():
        if state == "review" and round_id in todo:
            waiting[round_id] = waiting.get(round_id, 0) + n
    if waiting and not force_reason:
        listed = ", ".join(f"{r}: {n}" for r, n in sorted(waiting.items()))
        raise ArchiveError(f"sheets still wait in review ({listed}); decide them on the /review page of "
                           "`tallykit serve`, or seal anyway with --force --reason \"why\"")
    reason = _FORCED.format(n=sum(waiting.values()), reason=force_reason) if waiting else ""
    keys = folder.keys(store)

    def compute(s: Store) -> str:
        """Inside the seal's transaction: the results digest, and the report sheets rendered once as they will be,
        so that if they cannot be made (a font, a layout) nothing is sealed."""
        results = collect(s, meeting)
        for r in todo:
            for flaw in getattr(results.rounds[r], "invalid", ()):
                if flaw.kind == "read_over_returned":
                    raise ArchiveError(f"round {r} group {flaw.group}: {flaw.got} sheets were read but {flaw.limit} "
                                       "ballots are recorded as returned; find the double scan (void it as a "
                                       "duplicate on /review) or correct the count with `tallykit returned`, then "
                                       "seal")
        digest = results_digest(results_document(meeting, results))
        seals = [*s.seals(), *({"round_id": r, "sealed_at": now(), "reason": reason} for r in todo)]
        with tempfile.TemporaryDirectory(prefix="tallykit-seal-") as trial:
            _reports(meeting, results, seals, digest, keys.fingerprint, font, Path(trial), s)
        return digest

    digest = store.seal(todo, operator, reason, compute)
    try:
        bundle, reports, zipped = write_bundle(folder, store, make_zip=make_zip, font=font, keys=keys)
    except Exception as exc:  # the seal holds; the bundle can be written again
        raise ArchiveError(f"round {', '.join(todo)} is sealed, but its bundle could not be written "
                           f"({exc.__class__.__name__}: {exc}); fix that and run the same `tallykit seal` command "
                           "again to write it") from None
    return Sealed(tuple(todo), digest, bundle, tuple(reports), zipped)


_FORCED = "forced with {n} in review: {reason}"


def _forced(seals: list[dict[str, Any]]) -> dict[str, tuple[int, str]]:
    """round → (sheets in review when it was sealed, the reason given), for the rounds sealed with --force."""
    out = {}
    for s in seals:
        m = re.fullmatch(r"forced with (\d+) in review: (.*)", s["reason"] or "", re.S)
        if m:
            out[s["round_id"]] = (int(m[1]), m[2])
    return out


def _reports(meeting: Meeting, results: Results, seals: list[dict[str, Any]], digest: str, key_fingerprint: str,
             font: Path | None, out: Path, store: Store) -> list[Path]:
    seal_info = Seal(tuple(s["round_id"] for s in seals), seals[-1]["sealed_at"], _forced(seals))
    return write_reports(meeting, results, seal_info, digest, key_fingerprint,
                         find_font(_all_text(meeting, results), font), out, _printed(store))


@contextmanager
def _working_copy(db: Path) -> Iterator[Store]:
    """A bundled store opened from a copy: opening may write (WAL files), and the bundle must never change."""
    with tempfile.TemporaryDirectory(prefix="tallykit-store-") as tmp:
        copy = Path(tmp) / "meeting.db"
        shutil.copyfile(db, copy)
        store = Store.open(copy)
        try:
            yield store
        finally:
            store.close()


def _accepted_meeting(store: Store) -> Meeting:
    latest = store.latest_definition()
    if latest is None:
        raise ArchiveError("meeting.db: holds no meeting definition")
    return load_text(latest["toml"], "meeting.db (accepted definition)")


def write_bundle(folder: MeetingFolder, store: Store, *, make_zip: bool = False, font: Path | None = None,
                 keys: Any = None) -> tuple[Path, list[Path], Path | None]:
    """Write the archive bundle of the store as it is now into DIR/archive/; nothing half-written: it is built in
    a temporary folder and renamed into place. Everything in it is made from the store's backup, not from the live
    store, so results, images and chain head agree with the bundled meeting.db even while stations keep writing."""
    keys = keys or folder.keys(store)
    if not store.seals():
        raise ArchiveError("nothing is sealed yet; seal a round first with `tallykit seal DIR --round R`")
    archive = folder.path / "archive"
    archive.mkdir(exist_ok=True)
    with _bundle_lock(archive):
        return _write_bundle(archive, store, keys, make_zip, font)


@contextmanager
def _bundle_lock(archive: Path) -> Iterator[None]:
    """One bundle written at a time; holding the lock, any `.bundle-*` folder is what a killed run left: removed."""
    import fcntl

    with open(archive / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for stale in archive.glob(".bundle-*"):
            shutil.rmtree(stale, ignore_errors=True)
        yield


def _write_bundle(archive: Path, store: Store, keys: Any, make_zip: bool, font: Path | None
                  ) -> tuple[Path, list[Path], Path | None]:
    tmp = Path(tempfile.mkdtemp(prefix=".bundle-", dir=archive))
    try:
        store.backup(tmp / "meeting.db")
        with _working_copy(tmp / "meeting.db") as snap:
            meeting = _accepted_meeting(snap)
            results = collect(snap, meeting)
            digest = results_digest(results_document(meeting, results))
            seals = snap.seals()
            seq, head = snap.audit_head()
            (tmp / "reports").mkdir()
            (tmp / "images").mkdir()
            (tmp / "meeting.toml").write_text(snap.latest_definition()["toml"], encoding="utf-8")
            (tmp / "results.json").write_text(to_json(meeting, results) + "\n", encoding="utf-8")
            for reading_id, round_id, group_id, page, image in snap.images():
                (tmp / image_name(reading_id, round_id, group_id, page)).write_bytes(image)
            attachments = snap.attachments(with_images=True)
            if attachments:
                (tmp / "attachments").mkdir()
                for row in attachments:
                    (tmp / attachment_name(row)).write_bytes(row["image"])
            reports = _reports(meeting, results, seals, digest, keys.fingerprint, font, tmp / "reports", snap)
        (tmp / "meeting.pub").write_text(public_pem(keys.public_key), encoding="ascii")
        files = sorted(p for p in tmp.rglob("*") if p.is_file())
        manifest = "".join(f"{_sha256(p)}  {p.relative_to(tmp).as_posix()}\n" for p in files)
        (tmp / "MANIFEST.sha256").write_text(manifest, encoding="utf-8")
        statement = {
            "format": BUNDLE_FORMAT,
            "meeting": {"id": meeting.info.id, "title": meeting.info.title, "date": meeting.info.date.isoformat()},
            "sealed": [{"round": s["round_id"], "sealed_at": s["sealed_at"], "operator": s["operator"],
                        "reason": s["reason"] or "", "digest": s["digest"]} for s in seals],
            "results_sha256": digest,
            "audit": {"seq": seq, "head": head},
            "manifest_sha256": hashlib.sha256(manifest.encode("utf-8")).hexdigest(),
            "public_key_fingerprint": keys.fingerprint,
            "written_at": now(),
        }
        (tmp / "seal.json").write_text(json.dumps(statement, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        signature = keys.signing_key.sign(canonical_json(statement).encode("utf-8"))
        (tmp / "seal.sig").write_text(base64.b64encode(signature).decode("ascii") + "\n", encoding="ascii")
        final = _free_name(archive, f"{meeting.info.id}-{now().replace(':', '').replace('-', '')[:15]}-{seq}")
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    zipped = None
    if make_zip:
        zipped = final.with_suffix(".zip")
        part = zipped.with_name(zipped.name + ".part")
        with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as z:
            for p in sorted(final.rglob("*")):
                if p.is_file():
                    z.write(p, f"{final.name}/{p.relative_to(final).as_posix()}")
        part.replace(zipped)
    return final, [final / "reports" / p.name for p in reports], zipped


def _free_name(archive: Path, name: str) -> Path:
    """The bundle's folder; a bundle written again within the same second gets -2, -3, …"""
    final, n = archive / name, 1
    while final.exists() or final.with_suffix(".zip").exists():
        n += 1
        final = archive / f"{name}-{n}"
    return final


def _printed(store: Store) -> dict[tuple[str, str], tuple[int, int]]:
    return {k: (c.issued, c.spares) for k, c in store.ballot_counts().items()}


def _all_text(meeting: Meeting, results: Results) -> str:
    from archive.results import tables

    parts = [meeting.info.title, meeting.info.venue, *meeting.report.signers]
    parts += [cell for rows in tables(meeting, results).values() for row in rows for cell in row]
    parts += [s.title for s in sheets(meeting, results)]
    from meeting.lang import all_words

    parts += all_words("report.", meeting.language) + all_words("signer.", meeting.language)
    parts += [g.name for g in meeting.groups] + [r.name for r in meeting.rounds]
    return "".join(parts) + "0123456789：（）、!·/_%"


# -- verifying ---------------------------------------------------------------------------------------------
@dataclass
class Verification:
    problems: list[str] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)
    # what the check read, for a caller that goes on to use a verified bundle (sealed_results)
    statement: dict[str, Any] = field(default_factory=dict, repr=False)
    meeting: Meeting | None = field(default=None, repr=False)
    results: Results | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems


@contextmanager
def _opened(path: Path) -> Iterator[Path]:
    if path.is_dir():
        yield path
        return
    if not zipfile.is_zipfile(path):
        raise ArchiveError(f"{path}: is neither a bundle folder nor a .zip of one")
    with tempfile.TemporaryDirectory(prefix="tallykit-verify-") as tmp:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            if len(names) != len(set(names)):
                twice = next(n for n in names if names.count(n) > 1)
                raise ArchiveError(f"{path}: holds {twice} more than once (a zip tool shows one copy, a check "
                                   "another); not a bundle as tallykit writes it")
            for name in names:
                target = (Path(tmp) / name).resolve()
                if not target.is_relative_to(Path(tmp).resolve()):
                    raise ArchiveError(f"{path}: holds a file outside its folder ({name}); not a tallykit bundle")
            z.extractall(tmp)
        roots = [p for p in Path(tmp).iterdir() if p.is_dir()]
        yield roots[0] if len(roots) == 1 and not (Path(tmp) / "seal.json").exists() else Path(tmp)


def verify(path: Path, expected_fingerprint: str | None = None) -> Verification:
    """Check a bundle: every file against the manifest, the signature, the audit chain, the images against the
    store, and the results recomputed from the readings and decisions. Collects every problem found.
    `expected_fingerprint`: the key fingerprint printed on the signed paper; the bundle's key must be that one."""
    if not path.exists():
        raise ArchiveError(f"{path}: no such bundle; give the folder (or .zip) that `tallykit seal` wrote")
    with _opened(path) as root:
        if not (root / "seal.json").is_file() or not (root / "MANIFEST.sha256").is_file():
            raise ArchiveError(f"{path}: not a tallykit bundle (no seal.json or MANIFEST.sha256)")
        v = Verification()
        _check_files(root, v)
        statement = v.statement = _check_signature(root, v)
        _check_store(root, statement, v)
        if expected_fingerprint is not None:
            wanted = "".join(expected_fingerprint.split()).upper()
            found = "".join(v.facts.get("key fingerprint", "").split())
            if wanted != found:
                v.problems.append(f"meeting.pub: fingerprint {v.facts.get('key fingerprint', '?')} is not "
                                  f"{expected_fingerprint.strip()}, the one given (from the signed paper)")
        return v


def _check_files(root: Path, v: Verification) -> None:
    listed: dict[str, str] = {}
    for n, line in enumerate((root / "MANIFEST.sha256").read_text(encoding="utf-8").splitlines(), start=1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64:
            v.problems.append(f"MANIFEST.sha256 line {n}: not '<sha256>  <file>'")
            continue
        listed[name] = digest
    for name, digest in listed.items():
        p = root / name
        if not p.is_file():
            v.problems.append(f"{name}: missing (listed in the manifest)")
        elif _sha256(p) != digest:
            v.problems.append(f"{name}: changed (its SHA-256 differs from the manifest)")
    for p in sorted(root.rglob("*")):
        name = p.relative_to(root).as_posix()
        if p.is_file() and name not in listed and name not in SIGNED:
            v.problems.append(f"{name}: not in the manifest (added after sealing)")
    v.facts["files"] = str(len(listed))


def _check_signature(root: Path, v: Verification) -> dict[str, Any]:
    try:
        statement = json.loads((root / "seal.json").read_text(encoding="utf-8"))
    except ValueError:
        v.problems.append("seal.json: is not JSON")
        return {}
    v.facts["meeting"] = f"{statement.get('meeting', {}).get('title', '?')} ({statement.get('meeting', {}).get('id')})"
    v.facts["results digest"] = str(statement.get("results_sha256"))
    v.facts["sealed"] = ", ".join(f"{s['round']} {s['sealed_at']}" for s in statement.get("sealed", []))
    try:
        key = serialization.load_pem_public_key((root / "meeting.pub").read_bytes())
    except (OSError, ValueError):
        v.problems.append("meeting.pub: missing or not a public key")
        return statement
    if not isinstance(key, Ed25519PublicKey):
        v.problems.append("meeting.pub: not an Ed25519 public key")
        return statement
    fp = fingerprint(key)
    v.facts["key fingerprint"] = fp
    if fp != statement.get("public_key_fingerprint"):
        v.problems.append(f"meeting.pub: fingerprint {fp} is not the signing key "
                          f"{statement.get('public_key_fingerprint')} named in seal.json")
    try:
        signature = base64.b64decode((root / "seal.sig").read_text(encoding="ascii").strip(), validate=True)
        key.verify(signature, canonical_json(statement).encode("utf-8"))
    except (OSError, ValueError, InvalidSignature):
        v.problems.append("seal.sig: the signature does not match seal.json and meeting.pub")
    manifest = hashlib.sha256((root / "MANIFEST.sha256").read_bytes()).hexdigest()
    if manifest != statement.get("manifest_sha256"):
        v.problems.append("MANIFEST.sha256: changed after signing (its SHA-256 is not the one in seal.json)")
    return statement


def _check_store(root: Path, statement: dict[str, Any], v: Verification) -> None:
    db = root / "meeting.db"
    if not db.is_file():
        v.problems.append("meeting.db: missing")
        return
    try:
        with _working_copy(db) as store:
            _check_store_content(root, store, statement, v)
    except TallyError as exc:  # not a store, or one of another version: nothing inside can be checked
        v.problems.append(f"meeting.db: {exc}")


def _check_store_content(root: Path, store: Store, statement: dict[str, Any], v: Verification) -> None:
    integrity = store.check_integrity()
    if not integrity.ok:
        v.problems.append(f"meeting.db: {integrity.message()}")
    seq, head = store.audit_head()
    audit = statement.get("audit", {})
    if (seq, head) != (audit.get("seq"), audit.get("head")):
        v.problems.append(f"meeting.db: audit chain ends at row {seq} ({head[:12]}…), not at the signed row "
                          f"{audit.get('seq')} ({str(audit.get('head'))[:12]}…)")
    recorded_fp = store.meta("key_fingerprint")
    if recorded_fp and v.facts.get("key fingerprint") and recorded_fp != v.facts["key fingerprint"]:
        v.problems.append(f"meeting.pub: fingerprint {v.facts['key fingerprint']} is not the meeting's key "
                          f"{recorded_fp} recorded in meeting.db")
    for reading_id, round_id, group_id, page, image in store.images():
        name = image_name(reading_id, round_id, group_id, page)
        p = root / name
        if not p.is_file():
            v.problems.append(f"{name}: missing (reading #{reading_id} has an image)")
        elif p.read_bytes() != image:
            v.problems.append(f"{name}: not the image recorded for reading #{reading_id}")
    for row in store.attachments(with_images=True):
        p = root / attachment_name(row)
        if not p.is_file() or p.read_bytes() != row["image"]:
            v.problems.append(f"{attachment_name(row)}: not the photo recorded as attachment #{row['id']}")
    try:
        meeting = _accepted_meeting(store)
    except ArchiveError as exc:
        v.problems.append(str(exc))
        return
    except TallyError as exc:
        v.problems.append(f"meeting.db: the accepted definition does not load: {exc}")
        return
    v.meeting, v.results = meeting, collect(store, meeting)
    recomputed = results_document(meeting, v.results)
    digest = results_digest(recomputed)
    v.facts["recomputed digest"] = digest
    if digest != statement.get("results_sha256"):
        v.problems.append(f"results: recomputed from the readings and decisions, the digest is {digest[:16]}…, not "
                          f"the signed {str(statement.get('results_sha256'))[:16]}…")
    try:
        archived = json.loads((root / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        v.problems.append("results.json: missing or not JSON")
        return
    for where, a, b in _differences(archived, recomputed):
        v.problems.append(f"results.json: {where} is {json.dumps(a, ensure_ascii=False)} in the bundle, "
                          f"{json.dumps(b, ensure_ascii=False)} recomputed")
    sealed = {s["round"] for s in statement.get("sealed", [])}
    stored = {s["round_id"] for s in store.seals()}
    if sealed != stored:
        v.problems.append(f"meeting.db: sealed rounds {sorted(stored)} differ from seal.json {sorted(sealed)}")
    signed = {s["round"]: s.get("digest") for s in statement.get("sealed", []) if s.get("digest")}
    for row in store.seals():
        if row["round_id"] in signed and signed[row["round_id"]] != row["digest"]:
            v.problems.append(f"meeting.db: the seal of round {row['round_id']} records results "
                              f"{str(row['digest'])[:16]}…, seal.json signs {str(signed[row['round_id']])[:16]}…")
    _check_readings(store, meeting, v)


def _check_readings(store: Store, meeting: Meeting, v: Verification) -> None:
    """Every stored reading's result must be what its box states say, by the same rules as scanning: a result
    written into the store by hand (or sent by a station that lied) is named."""
    layouts = {h: Layout.from_json(row["layout"]) for h, row in store.layouts().items()}
    rounds = {r.id: r for r in meeting.rounds}
    wrong = []
    readings = store.all_readings()
    for row in readings:
        layout = layouts.get(row.get("layout_hash", ""))
        rnd = rounds.get(row["round_id"])
        try:
            marks = json.loads(row["marks"])
            page = layout.pages[row["page"] - 1]  # type: ignore[union-attr]
            states = {k: v[0] for k, v in marks["boxes"].items()}
            again = from_states(rnd, layout, page, states, marks.get("zones") or {}).result  # type: ignore[arg-type]
        except (AttributeError, IndexError, KeyError, TypeError, ValueError):
            wrong.append(f"reading #{row['id']}: its marks cannot be read against its sheet's layout")
            continue
        if again != marks.get("result"):
            wrong.append(f"reading #{row['id']}: its stored result is not what its marks say")
    v.problems += wrong[:20] + ([f"… and {len(wrong) - 20} more readings"] if len(wrong) > 20 else [])
    v.facts["readings rechecked"] = str(len(readings))


def _differences(a: Any, b: Any, where: str = "") -> Iterator[tuple[str, Any, Any]]:
    """Leaf paths where two JSON documents differ (at most 20)."""
    def walk(x: Any, y: Any, path: str) -> Iterator[tuple[str, Any, Any]]:
        if isinstance(x, dict) and isinstance(y, dict):
            for k in sorted(set(x) | set(y)):
                yield from walk(x.get(k), y.get(k), f"{path}.{k}" if path else k)
        elif isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
            for i, (p, q) in enumerate(zip(x, y, strict=True)):
                yield from walk(p, q, f"{path}[{i}]")
        elif x != y:
            yield path or "(document)", x, y

    yield from itertools.islice(walk(a, b, where), 20)


# -- attaching the signed paper -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Attached:
    attachment_id: int
    kind: str
    round_id: str | None
    digest: str
    bundle: Path


def attach(folder: MeetingFolder, store: Store, meeting: Meeting, code_text: str, image: bytes, file_name: str,
           operator: str) -> Attached:
    """Store the photo of a signed report sheet whose QR code matches the sealed results; then write a new bundle
    that includes it."""
    from archive.reports import ReportCode

    code = ReportCode.parse(code_text)
    if code is None:
        raise ArchiveError(f"the QR code says {code_text[:40]!r}: not a tallykit report sheet")
    if code.meeting_id != meeting.info.id:
        raise ArchiveError(f"this report sheet belongs to meeting {code.meeting_id}, not {meeting.info.id}")
    seals = store.seals()
    if not seals:
        raise ArchiveError("nothing is sealed in this meeting; there is no report sheet to attach")
    current = results_digest(results_document(meeting, collect(store, meeting)))
    if code.digest not in {current, *(s["digest"] for s in seals)}:
        raise ArchiveError(f"this sheet was printed from results {code.digest[:16]}…, which no seal of this meeting "
                           f"recorded (now {current[:16]}…); attach the sheet printed from the newest bundle")
    same = [a["id"] for a in store.attachments(with_images=True) if a["image"] == image]
    if same:
        raise ArchiveError(f"this photo is already attached (#{same[0]}); take a new one to attach it again")
    attachment_id = store.attach(code.kind, code.round_id, code.digest, image, file_name, operator)
    try:
        bundle, _, _ = write_bundle(folder, store)
    except (TallyError, OSError) as exc:
        raise ArchiveError(f"the photo is stored as attachment #{attachment_id}, but the new bundle could not be "
                           f"written ({exc}); run `tallykit seal DIR --all` to write it") from None
    return Attached(attachment_id, code.kind, code.round_id, code.digest, bundle)


@dataclass(frozen=True)
class SealedResults:
    """What a verified bundle says: its meeting, the results of its sealed rounds, the signed digest."""

    meeting: Meeting
    results: Results
    digest: str
    sealed: dict[str, str]  # round id → when it was sealed
    fingerprint: str


def sealed_results(path: Path, expected_fingerprint: str | None = None) -> SealedResults:
    """The results a bundle was sealed with, after checking it like `verify` does (refused on any problem)."""
    v = verify(path, expected_fingerprint)
    if not v.ok or v.meeting is None or v.results is None:
        why = v.problems[0] if v.problems else "its results could not be recomputed"
        raise ArchiveError(f"{path}: the bundle does not verify ({why}); run `tallykit verify` on it")
    sealed = {s["round"]: s["sealed_at"] for s in v.statement.get("sealed", [])}
    return SealedResults(v.meeting, v.results, str(v.statement.get("results_sha256")), sealed,
                         v.facts.get("key fingerprint", ""))
