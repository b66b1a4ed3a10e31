"""The meeting server's one writer: the store behind a lock, the results recomputed when something changed,
and a version number that the live pages follow."""

from __future__ import annotations

import asyncio
import binascii
import concurrent.futures
import contextlib
import hashlib
import hmac
import json
import math
import threading
from pathlib import Path
from typing import Any

from archive.results import collect, invalid_lines, notes
from ballots.geometry import Layout
from ballots.layout import stale_paper
from ballots.payload import PayloadError, layout_prefix, verify
from meeting.errors import TallyError
from meeting.folder import MeetingFolder
from meeting.lang import reason_words
from meeting.store import Store
from scanner.interpret import STATES, from_states
from scanner.session import Draft, Outcome, ScanSession, forget_fingerprints
from scanner.sources import MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE, image_size
from tally.compute import half_up, normalise_name, person_name, vote_line
from tally.model import RatingResult, Results, ScoreResult, SurveyResult, VoteResult

DECISIONS = ("accept", "correct", "void", "duplicate")


def _share(value: Any, top: float = 1.0) -> float:
    """A number a station sent (ink share, fit error): finite, within 0..top, else 0."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return 0.0
    return float(min(max(value, 0.0), top))


class ServerError(TallyError):
    """One post failed on the server's side and was not recorded: answered 503, send it again."""


class BadRequest(TallyError):
    """A request the server cannot take: answered 400 (or 409) with this reason."""


def api_token(secret: bytes) -> str:
    return hmac.new(secret, b"tallykit-api-token", hashlib.sha256).hexdigest()[:32]


class GroupCommit:
    """Station posts are recorded by the event loop itself, in batches: every post that arrives while one batch is
    being written joins the next, recorded in one transaction (one commit, one fsync); nobody is answered before
    the commit. Only the COMMIT (the fsync) runs on a thread, so the loop keeps taking posts in meanwhile.

    Measured against a writer thread doing everything: SQLite releases the GIL on every call, and the hand-offs
    cost 0.45 ms of the server's 1.95 ms per post. The pages' reads use their own connection and threads."""

    def __init__(self, service: MeetingService) -> None:
        self.service = service
        self.pending: list[tuple[tuple[Draft, Layout, dict[str, Any]], asyncio.Future]] = []
        self.running = False
        self.committer = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="tallykit-commit")

    def record(self, item: tuple[Draft, Layout, dict[str, Any]]) -> asyncio.Future:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self.pending.append((item, future))
        if not self.running:
            self.running = True
            self.task = loop.create_task(self._drain())
        return future

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self.pending:
                batch, self.pending = self.pending, []
                try:
                    outcomes = await self.service.record_batch([item for item, _ in batch], loop, self.committer)
                except Exception as exc:  # every waiting station must hear of it
                    outcomes = [exc for _ in batch]
                for (_, future), outcome in zip(batch, outcomes, strict=True):
                    if not future.cancelled():
                        future.set_result(outcome)
        finally:
            self.running = False


def judges_seen(res: ScoreResult, spec: Any) -> tuple[int, dict[str, int]]:
    """The round's judges (returned sheets when recorded, else issued) and, per candidate, how many judges' sheets
    (or 亮分 slips) for them are read: a candidate's score is final for the board only when all are."""
    judges = sum(g.returned if g.returned_recorded else g.issued for g in res.groups)
    leave_out = getattr(spec, "incomplete", "leave_out") == "leave_out"
    return judges, {c.candidate_id: len(c.judges) + (len(c.incomplete) if leave_out else 0) for c in res.candidates}


class MeetingService:
    def __init__(self, directory: Path) -> None:
        self.folder = MeetingFolder.open(directory)
        self.store = Store.open(self.folder.store_path, shared=True)  # writes, under self.lock
        # reads for the pages (results, review, images) on their own connection, so they never wait for a write
        self.reader = Store.open(self.folder.store_path, shared=True)
        self.read_lock = threading.Lock()
        # layouts for checking station posts on the event loop: never behind a long read or a write
        self.lookup = Store.open(self.folder.store_path, shared=True)
        self.lookup_lock = threading.Lock()
        accepted = self.folder.accepted(self.store)
        self.meeting = accepted.meeting
        self._definition_version = accepted.version
        self._fits: dict[str, str | None] = {}  # layout hash → why its paper no longer fits (None: it fits)
        self.secret = self.folder.keys(self.store).hmac_secret
        self.token = api_token(self.secret)
        self.lock = threading.RLock()
        self.version = 0
        self._results: tuple[int, Results] | None = None
        self._layouts: dict[str, Layout] = {}
        self.last_sheet: dict[str, Any] | None = None
        self.poll()
        self._last_from_store()  # the 唱票 view shows the last sheet read after a restart too

    def _last_from_store(self) -> None:
        row = self.store.db.execute("SELECT id, layout_hash, marks, status FROM readings ORDER BY id DESC "
                                    "LIMIT 1").fetchone()
        if row is not None:
            with contextlib.suppress(Exception):  # a courtesy line: a reading it cannot show never stops the server
                self._note_last(self.layout(row[1]), json.loads(row[2])["result"], Outcome(row[3], row[0], ()))

    # -- following writers outside the server (a local `tallykit scan`, `tallykit enter`) -------------------------
    def poll(self) -> None:
        """Bump the version when the store's audit log grew behind the server's back."""
        self.refresh_definition()
        with self.lock:
            head = self.store.db.execute("SELECT max(seq) FROM audit").fetchone()[0] or 0
            if head != getattr(self, "_head", None):
                first = not hasattr(self, "_head")
                self._head = head
                if not first:
                    self.version += 1
                    row = self.store.db.execute("SELECT id, layout_hash, marks, status FROM readings ORDER BY id DESC "
                                                "LIMIT 1").fetchone()
                    if row is not None and (self.last_sheet is None or self.last_sheet.get("id") != row[0]):
                        self._note_last(self.layout(row[1]), json.loads(row[2])["result"],
                                        Outcome(row[3], row[0], ()))

    # -- reading -------------------------------------------------------------------------------------------
    def results(self) -> Results:
        """The tally at the current version. Computed from a snapshot that is at least as new as the version, so a
        cached result is never older than what the version promises."""
        version = self.version
        cached = self._results
        if cached is not None and cached[0] == version:
            return cached[1]
        with self.read_lock:
            if self._results is None or self._results[0] != version:
                with self.reader.snapshot():
                    self._results = (version, collect(self.reader, self.meeting))
            return self._results[1]

    def layout(self, layout_hash: str) -> Layout:
        with self.lookup_lock:
            if layout_hash not in self._layouts:
                row = self.lookup.layouts().get(layout_hash)
                if row is None:
                    raise BadRequest(f"unknown layout {layout_hash[:12]}")
                self._layouts[layout_hash] = Layout.from_json(row["layout"])
            return self._layouts[layout_hash]

    def board(self) -> dict[str, Any]:
        """What the projector shows: per round its progress, whether counting has started and whether every
        returned ballot is read (only then its conclusions), and its lists — one per post for a vote, with the
        seats and the vote line; the composite ranking per post; the loud lines."""
        m = self.meeting
        r = self.results()
        d = m.info.decimals
        name = lambda c: m.candidate(c).name  # noqa: E731
        with self.read_lock:
            sealed = {s["round_id"] for s in self.reader.seals()}
        rounds = []
        unsettled: set[str] = set()
        for rnd in m.rounds:
            res = r.rounds[rnd.id]
            gcs = getattr(res, "groups", ())
            groups = [{"group": m.group(g.group_id).name, "read": g.read, "returned": g.returned, "issued": g.issued,
                       "pending": g.pending, "void": g.vote_void} for g in gcs]
            started = any(g.read for g in gcs) if gcs else bool(getattr(res, "values", None))
            final = bool(gcs) and all(g.returned_recorded and g.read >= g.returned for g in gcs)
            # the red banner: a count that cannot stand; too few sheets read while no returned count is recorded
            # is the count in progress (the notes say it), not yet a void election
            flaws = [f for f in getattr(res, "invalid", ()) if not (f.kind == "below_quorum" and f.provisional)]
            banner = bool(flaws)
            skip = ("below_quorum",) if any(f.kind == "below_quorum" and f.provisional
                                            for f in getattr(res, "invalid", ())) else ()
            if not final:
                unsettled.add(rnd.id)
            sections: list[dict[str, Any]] = []
            if isinstance(res, VoteResult):
                first = rnd.spec.options[0].id
                base = max(res.base, 1)
                spec = rnd.spec
                for sec in spec.sections:
                    here = sorted((c for c in res.candidates if c.section == sec.post),
                                  key=lambda c: -c.options[first])
                    line = vote_line(spec, res.base)
                    sections.append({
                        "post": m.post(sec.post).name, "seats": sec.max_choices, "line": line if res.base else None,
                        "line_at": min(1.0, line / base) if res.base else None,
                        "rows": [{"name": person_name(m, c.candidate_id), "value": c.options[first],
                                  "label": f"{c.options[first]} ({half_up(c.share * 100, 1)}%)",
                                  "bar": c.options[first] / base,
                                  "mark": "当选" if c.elected else ("平票" if c.tie else "")} for c in here]})
            else:
                rows: list[dict[str, Any]] = []
                if isinstance(res, RatingResult):
                    for c in sorted(res.candidates, key=lambda c: -c.points):
                        rows.append({"name": name(c.candidate_id), "value": float(c.points),
                                     "label": f"{half_up(c.points, d)}", "bar": float(c.points) / 100,
                                     "mark": c.level or "", "post": m.candidate(c.candidate_id).post})
                elif isinstance(res, ScoreResult):
                    # a candidate's score is shown once every judge's sheet (or 亮分 slip) for them is in; until
                    # then the board says how many are: a partial trimmed mean would be announced and then change
                    judges_in_round, seen = judges_seen(res, rnd.spec)
                    ready = {cid: judges_in_round > 0 and n >= judges_in_round for cid, n in seen.items()}
                    for c in sorted(res.candidates, key=lambda c: (not ready[c.candidate_id], -(c.trimmed_mean or 0))):
                        value = c.trimmed_mean if ready[c.candidate_id] else None
                        judges = f"{len(c.judges)}位评委" if m.language == "zh" else f"{len(c.judges)} judges"
                        n = seen[c.candidate_id]
                        waiting = f"评分中 {n}/{judges_in_round}" if m.language == "zh" else \
                            f"scoring {n}/{judges_in_round}"
                        rows.append({"name": name(c.candidate_id), "value": float(value or 0),
                                     "label": waiting if value is None else f"{half_up(value, d)}",
                                     "bar": float((value or 0) / res.max_total), "mark": judges if value else "",
                                     "post": m.candidate(c.candidate_id).post, "ready": value is not None})
                elif isinstance(res, SurveyResult):
                    rate = res.satisfaction
                    rows.append({"name": "满意率" if m.language == "zh" else "Satisfaction", "value": float(rate or 0),
                                 "label": "—" if rate is None else f"{half_up(rate * 100, d)}%",
                                 "bar": float(rate or 0), "mark": ""})
                else:
                    for c, v in res.values.items():
                        rows.append({"name": name(c), "value": float(v), "label": f"{v}", "bar": float(v / res.max),
                                     "mark": ""})
                posts = list(dict.fromkeys(row["post"] for row in rows if row.get("post")))
                if len(posts) > 1 and len(posts) == len({m.candidate(c).post for c in rnd.candidates}):
                    for post in (p.id for p in m.posts if p.id in posts):  # one ranking per post (一职双备)
                        sections.append({"post": m.post(post).name, "seats": m.post(post).seats, "line": None,
                                         "line_at": None, "rows": [row for row in rows if row.get("post") == post]})
                else:
                    sections.append({"post": None, "rows": rows})
            rounds.append({"id": rnd.id, "name": rnd.name, "kind": rnd.kind, "groups": groups,
                           "sections": sections, "rows": [row for sec in sections for row in sec["rows"]],
                           "started": started, "final": final, "void": banner,
                           "reasons": invalid_lines(m, r, rnd.id, skip=skip) if banner else [],
                           "sealed": rnd.id in sealed})
        per_post = len({x.post for x in r.ranking}) > 1
        ranking = [{"rank": x.rank, "tied": x.tied, "composite": f"{x.composite}", "bar": float(x.composite) / 100,
                    "name": f"{name(x.candidate_id)}（{m.post(x.post).name}）" if per_post else name(x.candidate_id),
                    "post": m.post(x.post).name, "selected": x.selected} for x in r.ranking]
        return {"title": m.info.title, "language": m.language, "version": self.version, "rounds": rounds,
                "composite": m.composite.name if m.composite else None, "ranking": ranking,
                "notes": notes(m, r, unsettled=unsettled)}

    def changpiao(self) -> dict[str, Any]:
        """The 唱票 view: the last sheet read (from the store after a restart too) and a running tally for its
        round with a 正 column for every option (同意/不同意/弃权, each grade), candidates in ballot order."""
        m = self.meeting
        last = self.last_sheet
        r = self.results()
        columns: list[str] = []
        tallies: list[dict[str, Any]] = []
        if last is not None and last["round_id"] in r.rounds:
            rnd = m.round(last["round_id"])
            res = r.rounds[rnd.id]
            if isinstance(res, VoteResult):
                columns = [o.name for o in rnd.spec.options]
                paper = {c: i for i, c in enumerate(c for sec in rnd.spec.sections for c in sec.candidates)}
                posts = {sec.post: i for i, sec in enumerate(rnd.spec.sections)}
                ordered = sorted(res.candidates, key=lambda c: (posts.get(c.section, 99),
                                                                 paper.get(c.candidate_id, len(paper)), c.candidate_id))
                tallies = [{"name": person_name(m, c.candidate_id), "post": m.post(c.section).name,
                            "counts": [c.options[o.id] for o in rnd.spec.options]} for c in ordered]
            elif isinstance(res, RatingResult):
                columns = [g.name for g in rnd.spec.grades]
                tallies = [{"name": m.candidate(c.candidate_id).name, "post": "",
                            "counts": [c.counts[g.id] for g in rnd.spec.grades]} for c in res.candidates]
        for t in tallies:  # the first option's count, as the page showed it before
            t["count"] = t["counts"][0] if t["counts"] else 0
        return {"title": m.info.title, "version": self.version, "last": last, "columns": columns, "tallies": tallies}

    def history(self, limit: int = 50) -> list[dict[str, Any]]:
        """Decisions made, newest first: any sheet can be opened again and decided anew (the newer decision
        counts; both stay in the audit log)."""
        from meeting.lang import has_text, text

        m = self.meeting
        with self.read_lock:
            rows = self.reader.db.execute(
                "SELECT d.id, d.reading_id, d.decision, d.reason, d.operator, d.decided_at, r.round_id, r.group_id "
                "FROM decisions d JOIN readings r ON r.id = d.reading_id ORDER BY d.id DESC LIMIT ?",
                [limit]).fetchall()
        out = []
        for did, rid, decision, reason, operator, at, round_id, group_id in rows:
            word = f"decision.{decision}"
            out.append({"decision_id": did, "id": rid, "decision": decision,
                        "decision_words": text(word, m.language) if has_text(word) else decision,
                        "reason": reason, "operator": operator, "at": at,
                        "round": m.round(round_id).name if round_id in {r.id for r in m.rounds} else round_id,
                        "group": m.group(group_id).name if group_id in {g.id for g in m.groups} else group_id})
        return out

    def review_queue(self) -> list[dict[str, Any]]:
        with self.read_lock, self.reader.snapshot():
            decided = {d["reading_id"] for d in self.reader.decisions()}
            rows = [r for r in self.reader.all_readings() if r["status"] == "review" and r["id"] not in decided]
        reasons = {r["id"]: json.loads(r["reasons"]) for r in rows}
        m = self.meeting
        out = []
        for r in rows:
            boxes = json.loads(r["marks"])["boxes"]
            marginal = [v[1] for v in boxes.values() if v[0] == "marginal"]
            # least sure first: many doubts, marks halfway between empty and marked
            confidence = 1.0 / (1 + len(reasons[r["id"]])) - (0.1 if marginal else 0)
            out.append({"id": r["id"], "round": m.round(r["round_id"]).name, "group": m.group(r["group_id"]).name,
                        "page": r["page"], "serial": r["serial"], "reasons": reasons[r["id"]],
                        "reason_words": reason_words(m, r["round_id"], reasons[r["id"]]),
                        "confidence": round(confidence, 3)})
        return sorted(out, key=lambda x: (x["confidence"], x["id"]))

    def reading(self, reading_id: int) -> dict[str, Any]:
        with self.read_lock:
            row = self.reader.db.execute("SELECT id, round_id, group_id, layout_hash, page, serial, status, marks, "
                                        "reasons FROM readings WHERE id = ?", [reading_id]).fetchone()
        if row is None:
            raise BadRequest(f"no reading #{reading_id}")
        rid, round_id, group_id, layout_hash, page, serial, status, marks, reasons = row
        layout = self.layout(layout_hash)
        p = layout.pages[page - 1]
        data = json.loads(marks)
        boxes = [{"id": b.id, "x": b.rect.x / layout.width, "y": b.rect.y / layout.height, "w": b.rect.w / layout.width,
                  "h": b.rect.h / layout.height, "state": data["boxes"][b.id][0], "fill": data["boxes"][b.id][1]}
                 for b in p.boxes]
        zones = [{"id": z.id, "kind": z.kind, "x": z.rect.x / layout.width, "y": z.rect.y / layout.height,
                  "w": z.rect.w / layout.width, "h": z.rect.h / layout.height} for z in p.zones]
        return {"id": rid, "round": round_id, "group": group_id, "page": page, "serial": serial, "status": status,
                "reasons": json.loads(reasons),
                "reason_words": reason_words(self.meeting, round_id, json.loads(reasons)),
                "result": data["result"], "boxes": boxes, "zones": zones,
                "aspect": layout.height / layout.width, "choices": self._choices(round_id),
                "round_name": self.meeting.round(round_id).name, "group_name": self.meeting.group(group_id).name}

    def _check_result(self, reading_id: int, result: dict[str, Any]) -> None:
        """A corrected result may only say what the paper can say: known options, grades, answers, and scores
        within each criterion's maximum in its steps."""
        from decimal import Decimal, InvalidOperation

        with self.read_lock:
            row = self.reader.db.execute("SELECT round_id, marks FROM readings WHERE id = ?", [reading_id]).fetchone()
        if row is None:
            raise BadRequest(f"no reading #{reading_id}")
        before = json.loads(row[1])["result"]
        if set(result) != set(before):
            raise BadRequest(f"a corrected result has the parts {sorted(before)}")
        spec = self.meeting.round(row[0]).spec
        allowed = {"votes": {o.id for o in getattr(spec, "options", ())},
                   "grades": {g.id for g in getattr(spec, "grades", ())}}
        for part in ("votes", "grades"):
            for cid, value in result.get(part, {}).items():
                if cid not in before[part] or (value is not None and value not in allowed[part]):
                    raise BadRequest(f"{part}: {cid} = {value!r} is not on this sheet")
        criteria = {c.id: c for c in getattr(spec, "criteria", ())}
        for cid, crits in result.get("scores", {}).items():
            for crit, value in crits.items():
                if cid not in before["scores"] or crit not in criteria:
                    raise BadRequest(f"scores: {cid}/{crit} is not on this sheet")
                if value is None:
                    continue
                try:
                    number = Decimal(str(value))
                except InvalidOperation:
                    raise BadRequest(f"scores: {cid}/{crit} = {value!r} is not a number") from None
                c = criteria[crit]
                if not 0 <= number <= c.max or number % c.step:
                    raise BadRequest(f"scores: {cid}/{crit} = {value} is outside 0 to {c.max} in steps of {c.step}")
        questions = {q.id: q for q in getattr(spec, "questions", ())}
        for qid, chosen in result.get("answers", {}).items():
            q = questions.get(qid)
            if q is None or not isinstance(chosen, list) or set(chosen) - {o.id for o in q.options} or \
                    len(chosen) > q.max_choices:
                raise BadRequest(f"answers: {qid} = {chosen!r} is not a possible answer")

    def _write_in_names(self, reading_id: int, names: Any) -> list[list[Any]]:
        """Write-in names typed at review, checked against the sheet's round: each [post, row, name] names a post
        of the ballot that has write-in rows (its id or its name as printed), a row it has, and a name; the name
        is stored normalised (李 四 → 李四), so one person is one person."""
        if not isinstance(names, list) or len(names) > 100:
            raise BadRequest("write_in_names must be a list of [post, row, name]")
        with self.read_lock:
            row = self.reader.db.execute("SELECT round_id FROM readings WHERE id = ?", [reading_id]).fetchone()
        if row is None:
            raise BadRequest(f"no reading #{reading_id}")
        spec = self.meeting.round(row[0]).spec
        rows = {s.post: s.write_ins for s in getattr(spec, "sections", ()) if s.write_ins}
        by_name = {self.meeting.post(p).name: p for p in rows}
        out: list[list[Any]] = []
        for entry in names:
            if not (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[2], str)):
                raise BadRequest("write_in_names must be a list of [post, row, name]")
            post = by_name.get(str(entry[0]).strip(), str(entry[0]).strip())
            if post not in rows:
                known = "、".join(self.meeting.post(p).name for p in rows) or "none"
                raise BadRequest(f"write-in: {entry[0]!r} is not a post with write-in rows on this ballot; posts: "
                                 f"{known}")
            try:
                line = int(entry[1])
            except (TypeError, ValueError):
                raise BadRequest(f"write-in: row {entry[1]!r} is not a row number") from None
            if not 1 <= line <= rows[post]:
                raise BadRequest(f"write-in: {self.meeting.post(post).name} has rows 1 to {rows[post]}, not {line}")
            name = normalise_name(entry[2])
            if not name or len(name) > 40:
                raise BadRequest("write-in: a name of 1 to 40 characters is needed")
            out.append([post, line, name])
        return out

    def _typed_names(self, round_id: str) -> dict[str, list[str]]:
        """Per post, the names typed in review before (most used first), offered so that one person is typed
        one way."""
        from collections import Counter

        seen: dict[str, Counter] = {}
        with self.read_lock:
            rows = self.reader.db.execute("SELECT d.corrected FROM decisions d JOIN readings r ON r.id = d.reading_id "
                                         "WHERE r.round_id = ? AND d.corrected IS NOT NULL", [round_id]).fetchall()
        for (corrected,) in rows:
            try:
                entries = json.loads(corrected).get("write_in_names") or []
            except (ValueError, AttributeError):
                continue
            for entry in entries:
                if isinstance(entry, list) and len(entry) == 3 and isinstance(entry[2], str):
                    seen.setdefault(str(entry[0]), Counter())[normalise_name(entry[2])] += 1
        return {post: [n for n, _ in c.most_common(50)] for post, c in seen.items()}

    def _choices(self, round_id: str) -> dict[str, Any]:
        """Names for the correction form: candidates, and what can be chosen for each (options, grades)."""
        m = self.meeting
        rnd = m.round(round_id)
        spec = rnd.spec
        names = {c: m.candidate(c).name for c in rnd.candidates}
        options = [[o.id, o.name] for o in getattr(spec, "options", ())]
        grades = [[g.id, g.name] for g in getattr(spec, "grades", ())]
        questions = {q.id: {"text": q.text, "options": [[o.id, o.name] for o in q.options]}
                     for q in getattr(spec, "questions", ())}
        criteria = {c.id: f"{c.name}（{c.max.normalize():f}）" for c in getattr(spec, "criteria", ())}
        write_ins = [[sec.post, m.post(sec.post).name, row] for sec in getattr(spec, "sections", ())
                     for row in range(1, sec.write_ins + 1)]
        typed = self._typed_names(round_id) if write_ins else {}
        for sec in getattr(spec, "sections", ()):  # listed candidates' names too: a voter may write one in
            if sec.write_ins:
                typed.setdefault(sec.post, [])
                typed[sec.post] += [m.candidate(c).name for c in sec.candidates if m.candidate(c).name
                                    not in typed[sec.post]]
        return {"candidates": names, "options": options, "grades": grades, "questions": questions,
                "criteria": criteria, "write_ins": write_ins, "typed_names": typed}

    def image(self, reading_id: int) -> bytes:
        with self.read_lock:
            row = self.reader.db.execute("SELECT image FROM readings WHERE id = ?", [reading_id]).fetchone()
        if row is None or row[0] is None:
            raise BadRequest(f"no image for reading #{reading_id}")
        return bytes(row[0])

    def stations(self) -> list[dict[str, Any]]:
        with self.read_lock:
            rows = self.reader.db.execute("SELECT station, count(*), max(read_at) FROM readings GROUP BY station "
                                         "ORDER BY station").fetchall()
        return [{"station": s, "sheets": n, "last": last} for s, n, last in rows]

    # -- writing ---------------------------------------------------------------------------------------------
    def decide(self, reading_id: int, body: dict[str, Any]) -> int:
        decision = body.get("decision")
        if decision not in DECISIONS:
            raise BadRequest(f"decision must be one of {', '.join(DECISIONS)}")
        reason = str(body.get("reason") or "").strip()
        operator = str(body.get("operator") or "").strip()
        if not reason or not operator:
            raise BadRequest("a decision needs a reason and the operator's name")
        corrected: dict[str, Any] = {}
        if decision == "correct":
            if not isinstance(body.get("result"), dict):
                raise BadRequest("a correction needs the corrected result")
            self._check_result(reading_id, body["result"])
            corrected["result"] = body["result"]
        names = self._write_in_names(reading_id, body.get("write_in_names") or [])
        if names:
            corrected["write_in_names"] = names
        with self.lock:
            decision_id = self.store.decide(reading_id, decision, reason, operator,
                                            json.dumps(corrected, ensure_ascii=False) if corrected else None)
            self.version += 1
        return decision_id

    def prepare(self, body: dict[str, Any], image: bytes | None = None) -> tuple[Draft, Layout, dict[str, Any]]:
        """Check a station's post before it is queued and interpret it here: its QR text against this meeting's
        key, its box states against the sheet's layout, the image's size; then the sheet's result and every
        doubt come from this server's own reading of the states (a posted result or reasons are never taken).
        The image comes raw (the wire format) or base64'd in the body. Raises BadRequest with the reason."""
        try:
            key, station, code = body["key"], body.get("station") or "station", body["code"]
            states, marks = body["states"], body.get("marks") or {}
            fingerprint = body.get("fingerprint") or {}
            if not all(isinstance(x, str) for x in (key, station, code)) or not all(
                    isinstance(x, dict) for x in (states, marks, fingerprint)):
                raise TypeError("key, station and code are text; states, marks and fingerprint are objects")
            if image is None:
                image = binascii.a2b_base64(body["image"], strict_mode=True)
        except (KeyError, TypeError, ValueError, AttributeError, binascii.Error) as exc:
            raise BadRequest(f"malformed reading: {exc.__class__.__name__} {exc}") from None
        if not 0 < len(key) <= 200 or len(station) > 64 or len(code) > 200:
            raise BadRequest("malformed reading: key (1 to 200 characters), station (≤ 64) or code too long")
        size = image_size(image)
        if size is None or not image.startswith(b"\xff\xd8"):
            raise BadRequest("malformed reading: the image is not a JPEG")
        if size[0] * size[1] > MAX_IMAGE_PIXELS or max(size) > MAX_IMAGE_SIDE:
            raise BadRequest(f"malformed reading: the image is too large ({size[0]}×{size[1]})")
        with self.lookup_lock:
            prefixes = self._prefixes()
        try:
            payload = verify(code, self.meeting.info.id, self.secret, prefixes)
        except PayloadError as exc:
            raise BadRequest(f"{exc.reason}: {exc}") from None
        layout = self.layout(prefixes[payload.layout_prefix])
        if not 1 <= payload.page <= len(layout.pages):
            raise BadRequest(f"malformed reading: the code names page {payload.page}, the sheet has "
                             f"{len(layout.pages)}")
        page = layout.pages[payload.page - 1]
        with self.lookup_lock:
            if layout.hash not in self._fits:  # computed once per layout and accepted definition
                self._fits[layout.hash] = stale_paper(self.meeting, layout)
            problem = self._fits[layout.hash]
        if problem:
            raise BadRequest(f"layout_changed: {problem}")
        box_ids = {b.id for b in page.boxes}
        if set(states) != box_ids or not all(isinstance(v, str) and v in STATES for v in states.values()):
            raise BadRequest("malformed reading: box states do not match the sheet's layout (every box, each "
                             f"one of {', '.join(STATES)})")
        fills = {b: _share(v[1]) if isinstance(v, list) and len(v) == 2 else 0.0
                 for b, v in (marks.get("boxes") or {}).items() if b in box_ids} \
            if isinstance(marks.get("boxes"), dict) else {}
        zone_ids = {z.id for z in page.zones}
        raw_zones = marks.get("zones") or {}
        if not isinstance(raw_zones, dict) or set(raw_zones) - zone_ids:
            raise BadRequest("malformed reading: marks.zones names zones that are not on this sheet")
        zones = {z: _share(v) for z, v in raw_zones.items()}
        if set(fingerprint) - box_ids or len(fingerprint) > len(box_ids):
            raise BadRequest("malformed reading: fingerprint names boxes that are not on this sheet")
        try:
            prints = {str(k): bytes.fromhex(v) for k, v in fingerprint.items()}
        except (TypeError, ValueError):
            raise BadRequest("malformed reading: a fingerprint is not hex") from None
        if any(len(v) != 64 for v in prints.values()):
            raise BadRequest("malformed reading: a fingerprint is 64 bytes (8×8)")
        rnd = self._round(layout.round_id)
        reading = from_states(rnd, layout, page, states, zones, fills)
        derived = {"boxes": {b: [states[b], round(fills.get(b, 0.0), 4)] for b in sorted(box_ids)},
                   "zones": {z: round(v, 4) for z, v in sorted(zones.items())}, "result": reading.result,
                   "fit_error_mm": _share(marks.get("fit_error_mm"), 10.0),
                   "contrast": _share(marks.get("contrast"), 1000.0), "interpreted": "server"}
        draft = Draft(layout.round_id, layout.group_id, layout.hash, payload.page, payload.serial, states,
                      json.dumps(derived, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
                      reading.reasons, prints, image, f"station:{station}:{key}", station)
        return draft, layout, reading.result

    def _round(self, round_id: str) -> Any:
        """The round from the accepted definition, read again when a round was added while serving."""
        if round_id not in {r.id for r in self.meeting.rounds}:
            self.refresh_definition()
        try:
            return self.meeting.round(round_id)
        except KeyError:
            raise BadRequest(f"round {round_id} is not in the accepted meeting definition") from None

    def refresh_definition(self) -> None:
        """Pick up a definition accepted while the server runs (a round added, `tallykit rerun`): the pages, the
        count and the station checks follow it without a restart."""
        with self.lookup_lock:
            version = self.lookup.db.execute("SELECT max(version) FROM definitions").fetchone()[0]
            if version == self._definition_version:
                return
            meeting = self.folder.accepted(self.lookup).meeting
        with self.lock:
            self.meeting = meeting
            self._fits = {}
            self._definition_version = version
            self._results = None
            self.version += 1

    async def record_batch(self, items: list[tuple[Draft, Layout, dict[str, Any]]],
                           loop: asyncio.AbstractEventLoop, committer: concurrent.futures.Executor
                           ) -> list[Outcome | BaseException]:
        """Record several stations' sheets in one transaction, each in its own savepoint so one refused sheet never
        takes the others with it. Called on the event loop; the COMMIT runs on `committer` while the loop goes on.
        Nothing else uses the write connection meanwhile: the write lock is held throughout."""
        outcomes: list[Outcome | BaseException] = []
        with self.lock:
            conn = self.store.db.conn
            try:
                conn.execute("BEGIN")
                for draft, _, _ in items:
                    session = ScanSession(self.store, self.meeting, station=draft.station, operator=draft.station)
                    try:
                        with self.store.db.atomic():  # a savepoint: a post that fails leaves nothing behind
                            outcomes.append(session.record(draft))
                    except TallyError as exc:
                        outcomes.append(exc)
                    except Exception as exc:  # this post's own failure: the others go on
                        outcomes.append(ServerError(f"this sheet could not be recorded ({exc.__class__.__name__}); "
                                                    "send it again"))
                await loop.run_in_executor(committer, conn.execute, "COMMIT")
            except Exception as exc:  # the commit itself failed: nothing of this batch is recorded
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                forget_fingerprints()
                return [exc for _ in items]
            for (_, layout, result), outcome in zip(items, outcomes, strict=True):
                if isinstance(outcome, Outcome) and outcome.reading_id is not None and \
                        outcome.kind in ("counted", "review"):
                    self.version += 1
                    with contextlib.suppress(Exception):  # the 唱票 line is a courtesy: never the post's answer
                        self._note_last(layout, result, outcome)
        return outcomes

    def _prefixes(self) -> dict[str, str]:
        """Layout prefixes → hashes; read again only when the store gained layouts (a print while serving)."""
        n = self.lookup.db.execute("SELECT count(*) FROM layouts").fetchone()[0]
        if getattr(self, "_prefix_cache", (None, None))[0] != n:
            hashes = [r[0] for r in self.lookup.db.execute("SELECT hash FROM layouts").fetchall()]
            self._prefix_cache = (n, {layout_prefix(h): h for h in hashes})
        return self._prefix_cache[1]

    def _note_last(self, layout: Layout, result: dict[str, Any], outcome: Outcome) -> None:
        m = self.meeting
        rnd = m.round(layout.round_id)
        marked: list[str] = []
        if "votes" in result:
            opts = {o.id: o.name for o in rnd.spec.options}
            marked = [f"{m.candidate(c).name}：{opts.get(o, '—') if o else '—'}" for c, o in result["votes"].items()]
        elif "grades" in result:
            grades = {g.id: g.name for g in rnd.spec.grades}
            marked = [f"{m.candidate(c).name}：{grades.get(g, '—') if g else '—'}" for c, g in result["grades"].items()]
        elif "scores" in result:
            marked = [f"{m.candidate(c).name}：" + " ".join(f"{v or '—'}" for v in s.values())
                      for c, s in result["scores"].items()]
        elif "answers" in result:
            marked = [f"{q}：{','.join(a) or '—'}" for q, a in result["answers"].items()]
        self.last_sheet = {"round_id": rnd.id, "round": rnd.name, "group": m.group(layout.group_id).name,
                           "status": outcome.kind, "id": outcome.reading_id, "marked": marked}

    def close(self) -> None:
        self.store.close()
        self.reader.close()
        self.lookup.close()
