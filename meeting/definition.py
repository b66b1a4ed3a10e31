"""Meeting file (TOML) → validated `Meeting`. Every problem is a one-line DefinitionError with its key path."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from meeting.errors import DefinitionError
from meeting.lang import LANGUAGES, text
from meeting.model import (
    COMPARISONS,
    CONTESTED_RULES,
    INCOMPLETE_RULES,
    KINDS,
    MAJORITY_BASES,
    OVERVOTE_RULES,
    QUORUM_RULES,
    UNGRADED_RULES,
    Candidate,
    Composite,
    CompositePart,
    Condition,
    Criterion,
    Group,
    Level,
    ManualSpec,
    Meeting,
    MeetingInfo,
    Option,
    Post,
    Question,
    RatingSpec,
    ReportSettings,
    Round,
    ScanSettings,
    ScoreSpec,
    Spec,
    SurveySpec,
    VoteSection,
    VoteSpec,
)
from meeting.reader import Table

ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9-]{0,15}"
ID_HINT = "use 1 to 16 letters, digits or '-', starting with a letter or digit (ids go into the QR code)"
MEETING_ID_PATTERN = r"[A-Z0-9]{4,8}"
MEETING_ID_HINT = "use 4 to 8 capital letters or digits (it goes into the QR code)"
SHORT_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9-]{0,5}"
SHORT_ID_HINT = "use 1 to 6 letters, digits or '-', starting with a letter or digit (it goes into the QR code)"

_GENDERS = {"男": "M", "m": "M", "male": "M", "女": "F", "f": "F", "female": "F"}


MAX_DEFINITION_CHARS = 2_000_000


_CAUSES = (  # what people typing a meeting file in a Chinese editor usually get wrong, and the fix
    (re.compile(r"[“”‘’]"), 'curly quotes “…” — write straight quotes "…"'),
    (re.compile(r"\d{4}年\d{1,2}月\d{1,2}日"), "a date like 2026年12月18日 — write 2026-12-18"),
    (re.compile(r"[＝：，［］｛｝＂]"),
     "full-width punctuation (＝ ： ， ［ ］) — switch the input method to half-width"),
)


def _usual_cause(content: str, exc: tomllib.TOMLDecodeError) -> str:
    """The likely cause on the line TOML stopped at (or anywhere, if that line shows none)."""
    found = re.search(r"at line (\d+)", str(exc))
    line = int(found.group(1)) if found else 0
    lines = content.splitlines()
    where = lines[line - 1] if 0 < line <= len(lines) else ""
    for pattern, hint in _CAUSES:
        if pattern.search(where):
            return f"; line {line} has {hint}"
    if _CAUSES[0][0].search(content):  # curly quotes elsewhere are never right outside a string either
        return f"; the file has {_CAUSES[0][1]}"
    return ""


def definition_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def load_file(path: Path | str, *, require_id: bool = True) -> Meeting:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DefinitionError(str(path), "", "file not found; check the path") from None
    except IsADirectoryError:
        raise DefinitionError(str(path), "", "is a folder; give the meeting file (meeting.toml)") from None
    except OSError as exc:
        raise DefinitionError(str(path), "", f"cannot be read ({exc.strerror})") from None
    return load_bytes(raw, source=path.name, require_id=require_id)


def decode(raw: bytes, source: str) -> str:
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DefinitionError(
            source, "", f"is not UTF-8 text (bad byte at line {line}); save the file with UTF-8 encoding"
        ) from None
    return content.removeprefix("\ufeff")


def load_bytes(raw: bytes, source: str = "meeting.toml", *, require_id: bool = True) -> Meeting:
    return load_text(decode(raw, source), source, require_id=require_id)


def load_text(content: str, source: str = "meeting.toml", *, require_id: bool = True) -> Meeting:
    if len(content) > MAX_DEFINITION_CHARS:
        raise DefinitionError(source, "", f"is {len(content):,} characters long; a meeting file is at most "
                                          f"{MAX_DEFINITION_CHARS:,}")
    try:
        data = tomllib.loads(content)
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(source, "", f"is not valid TOML: {exc}{_usual_cause(content, exc)}") from None
    except RecursionError:
        raise DefinitionError(source, "", "nests tables or lists too deeply to be a meeting file") from None
    return build(Table(data, "", source), require_id=require_id)


# ---------------------------------------------------------------------------------------------
def build(root: Table, *, require_id: bool = True) -> Meeting:
    info = _info(root.table("meeting"), require_id)
    lang = info.language
    posts = _unique(root.tables("posts", required=False), _post, "post")
    post_ids = [p.id for p in posts]
    candidates = _unique(
        root.tables("candidates", required=False), lambda t: _candidate(t, post_ids), "candidate"
    )
    groups = _unique(root.tables("groups"), _group, "group")
    meeting_parts = (posts, candidates, groups)
    rounds = _unique(root.tables("rounds"), lambda t: _round(t, meeting_parts, lang), "round")
    composite = None
    if root.has("composite"):
        composite = _composite(root.table("composite"), rounds, lang)
    scan = _scan(root.table("scan")) if root.has("scan") else ScanSettings()
    report = ReportSettings()
    if root.has("report"):
        t = root.table("report")
        signers = t.text_list("signers", [])
        if len(signers) > 8:
            raise t.error("signers", f"has {len(signers)} names; at most 8 signature lines fit a report sheet")
        report = ReportSettings(tuple(signers))
        t.done()
    root.done()
    return Meeting(
        info=info,
        posts=tuple(posts),
        candidates=tuple(candidates),
        groups=tuple(groups),
        rounds=tuple(rounds),
        composite=composite,
        scan=scan,
        report=report,
    )


def _scan(t: Table) -> ScanSettings:
    d = ScanSettings()
    empty = t.decimal("mark_empty", d.mark_empty, lo=Decimal(0), hi=Decimal("0.5"))
    marked = t.decimal("mark_marked", d.mark_marked, lo=Decimal(0), hi=Decimal(1), lo_open=True)
    if marked <= empty:
        raise t.error("mark_marked", f"is {marked}; it must be above mark_empty ({empty}), the gap goes to review")
    settings = ScanSettings(
        mark_empty=empty,
        mark_marked=marked,
        confirm_frames=t.integer("confirm_frames", d.confirm_frames, lo=1, hi=30),
        max_fit_error_mm=t.decimal("max_fit_error_mm", d.max_fit_error_mm, lo=Decimal("0.1"), hi=Decimal(3)),
        rescan_similarity=t.decimal("rescan_similarity", d.rescan_similarity, lo=Decimal("0.3"), hi=Decimal(1)),
        accept_layouts=tuple(x.upper() for x in t.text_list("accept_layouts", ())),
    )
    for i, code in enumerate(settings.accept_layouts, start=1):
        if not re.fullmatch(r"[A-Z2-7]{6}", code):
            raise t.error(f"accept_layouts[{i}]", f'"{code}" is not a layout code; copy the 6-letter code that '
                                                  "`tallykit check` or the scan printed")
    t.done()
    return settings


def _unique(tables: list[Table], make, what: str) -> list:
    items, seen = [], {}
    for t in tables:
        item = make(t)
        key = item.id.upper()
        if key in seen:
            raise t.error("id", f'"{item.id}" is already used by {seen[key]}; every {what} needs its own id')
        seen[key] = t.path
        items.append(item)
    return items


def _info(t: Table, require_id: bool) -> MeetingInfo:
    meeting_id = t.text("id", None, pattern=MEETING_ID_PATTERN, hint=MEETING_ID_HINT)
    if meeting_id is None and require_id:
        raise t.error("id", "is missing; `tallykit init` writes one, or add id = \"ABCD1234\"")
    info = MeetingInfo(
        id=meeting_id or "",
        title=t.text("title"),
        date=t.date("date"),
        venue=t.text("venue", ""),
        organiser=t.text("organiser", ""),
        language=t.text("language", "zh", choices=LANGUAGES),
        decimals=t.integer("decimals", 2, lo=0, hi=4),
        operator=t.text("operator", "", max_len=40),
    )
    if not dt.date(2000, 1, 1) <= info.date <= dt.date(2100, 12, 31):
        raise t.error("date", f"{info.date} is not a plausible meeting date")
    t.done()
    return info


def _post(t: Table) -> Post:
    post = Post(
        id=t.text("id", pattern=ID_PATTERN, hint=ID_HINT),
        name=t.text("name"),
        seats=t.integer("seats", lo=1, hi=99),
        note=t.text("note", ""),
    )
    t.done()
    return post


def _candidate(t: Table, post_ids: list[str]) -> Candidate:
    cid = t.text("id", pattern=ID_PATTERN, hint=ID_HINT)
    name = t.text("name", max_len=40)
    if not post_ids:
        raise t.error("post", "names a post, but the meeting has no [[posts]]; add the posts first")
    post = t.text("post", choices=post_ids)
    gender_text = t.text("gender", None)
    gender = None
    if gender_text is not None:
        gender = _GENDERS.get(gender_text.lower())
        if gender is None:
            raise t.error("gender", f'"{gender_text}" is not allowed; use one of: 男, 女, M, F')
    this_year = dt.date.today().year
    candidate = Candidate(
        id=cid,
        name=name,
        post=post,
        gender=gender,  # type: ignore[arg-type]
        birth_year=t.integer("birth_year", None, lo=1900, hi=this_year),
        education=t.text("education", None),
        background=t.text("background", None),
        note=t.text("note", ""),
        person=t.text("person", "", pattern=r"[A-Za-z][A-Za-z0-9_-]{0,15}", hint="a ledger person's id, e.g. P01"),
    )
    t.done()
    return candidate


def _group(t: Table) -> Group:
    gid = t.text("id", pattern=SHORT_ID_PATTERN, hint=SHORT_ID_HINT)
    name = t.text("name")
    expected = t.integer("expected", lo=1, hi=100_000)
    ballots = t.integer("ballots", expected, lo=0, hi=100_000)
    if ballots > expected:
        raise t.error("ballots", f"is {ballots}, more than the {expected} expected voters; "
                                 "ballots issued can never exceed the voters")
    t.done()
    return Group(id=gid, name=name, expected=expected, ballots=ballots)


def _round(t: Table, parts: tuple[list[Post], list[Candidate], list[Group]], lang: str) -> Round:
    posts, candidates, groups = parts
    rid = t.text("id", pattern=SHORT_ID_PATTERN, hint=SHORT_ID_HINT)
    name = t.text("name")
    kind = t.text("kind", choices=KINDS)
    group_ids = [g.id for g in groups]
    if kind == "manual":
        chosen_groups = t.text_list("groups", (), allow_empty=True)
        if chosen_groups:
            raise t.error("groups", "a manual round is entered by staff, not voted by groups; remove groups")
    else:
        chosen_groups = t.text_list("groups")
        for i, g in enumerate(chosen_groups, start=1):
            if g not in group_ids:
                raise t.error(f"groups[{i}]", f'"{g}" is not a voter group; known groups: {", ".join(group_ids)}')
    round_candidates = _round_candidates(t, kind, posts, candidates)
    secret = t.boolean("secret", kind in ("vote", "rating", "survey"))
    spec: Spec
    if kind == "score":
        spec = _score_spec(t)
    elif kind == "vote":
        spec = _vote_spec(t, round_candidates, posts, candidates, lang)
    elif kind == "rating":
        spec = _rating_spec(t, lang)
    elif kind == "survey":
        spec = _survey_spec(t, lang)
    else:
        spec = ManualSpec(max=t.decimal("max", Decimal(100), lo=Decimal(0), hi=Decimal(1000), lo_open=True),
                          label=t.text("label", ""))
    t.done()
    return Round(id=rid, name=name, kind=kind, groups=tuple(chosen_groups),  # type: ignore[arg-type]
                 candidates=round_candidates, secret=secret, spec=spec)


def _round_candidates(t: Table, kind: str, posts: list[Post], candidates: list[Candidate]) -> tuple[str, ...]:
    if t.has("candidates") and t.has("posts"):
        raise t.error("posts", "give either candidates or posts, not both")
    if kind == "survey":
        for key in ("candidates", "posts"):
            if t.has(key):
                raise t.error(key, "a survey round asks questions, not about candidates; remove it")
        return ()
    known = [c.id for c in candidates]
    if t.has("candidates"):
        chosen = t.text_list("candidates", allow_empty=True)
        for i, c in enumerate(chosen, start=1):
            if c not in known:
                hint = f"known candidates: {', '.join(known)}" if known else "the meeting has no [[candidates]]"
                raise t.error(f"candidates[{i}]", f'"{c}" is not a candidate; {hint}')
        key = "candidates"
    elif t.has("posts"):
        post_ids = [p.id for p in posts]
        chosen_posts = t.text_list("posts", allow_empty=True)
        for i, p in enumerate(chosen_posts, start=1):
            if p not in post_ids:
                raise t.error(f"posts[{i}]", f'"{p}" is not a post; known posts: {", ".join(post_ids)}')
        chosen = tuple(c.id for c in candidates if c.post in chosen_posts)
        key = "posts"
    else:
        chosen = tuple(known)
        key = "candidates"
    if not chosen:
        raise t.error(key, "this round has no candidates; add [[candidates]] or list them here")
    return chosen


def _score_spec(t: Table) -> ScoreSpec:
    criteria = _unique(t.tables("criteria"), _criterion, "criterion")
    trim_high = t.integer("trim_high", 1, lo=0, hi=10)
    trim_low = t.integer("trim_low", 1, lo=0, hi=10)
    trim_min_judges = t.integer("trim_min_judges", max(5, trim_high + trim_low + 1), lo=1, hi=1000)
    if trim_min_judges <= trim_high + trim_low:
        raise t.error("trim_min_judges", f"is {trim_min_judges}; dropping {trim_high} high and {trim_low} low "
                                         f"needs at least {trim_high + trim_low + 1} judges")
    return ScoreSpec(criteria=tuple(criteria), trim_high=trim_high, trim_low=trim_low,
                     trim_min_judges=trim_min_judges,
                     incomplete=t.text("incomplete", "leave_out", choices=INCOMPLETE_RULES),
                     slips=t.boolean("slips", False))


def _criterion(t: Table) -> Criterion:
    step = t.decimal("step", Decimal("0.5"))
    if step not in (Decimal("0.5"), Decimal(1)):
        raise t.error("step", f"is {step}; judges score in steps of 1 or 0.5")
    top = t.decimal("max", lo=Decimal(0), hi=Decimal(100), lo_open=True)
    if top % step:
        raise t.error("max", f"is {top}, which is not a multiple of the step {step}")
    criterion = Criterion(id=t.text("id", pattern=ID_PATTERN, hint=ID_HINT), name=t.text("name"), max=top,
                          step=step)
    t.done()
    return criterion


def _options(t: Table, key: str, defaults: tuple[Option, ...], *, points: bool = False) -> tuple[Option, ...]:
    """Options written as ["满意", "不满意"] or as [[key]] tables with id, name (and points)."""
    if not t.has(key):
        return defaults
    value = t.raw(key)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        if points:
            raise t.error(key, "each grade needs points; write [[...]] tables with id, name and points")
        names = t.text_list(key)
        return tuple(Option(id=str(i), name=n) for i, n in enumerate(names, start=1))
    out = []
    for item in _unique(t.tables(key), lambda o: _option(o, points), "option"):
        out.append(item)
    return tuple(out)


def _option(t: Table, points: bool) -> Option:
    option = Option(
        id=t.text("id", pattern=ID_PATTERN, hint=ID_HINT),
        name=t.text("name", max_len=20),
        points=t.decimal("points", lo=Decimal(0), hi=Decimal(100)) if points else None,
    )
    t.done()
    return option


def _vote_spec(t: Table, chosen: tuple[str, ...], posts: list[Post], candidates: list[Candidate],
               lang: str) -> VoteSpec:
    mode = t.text("mode", "approve", choices=("approve", "choose"))
    write_ins = t.integer("write_ins", 0, lo=0, hi=10)
    by_id = {c.id: c for c in candidates}
    limits: dict[str, int] = {}
    if t.has("max_choices"):
        raw = t.raw("max_choices")
        if isinstance(raw, dict):
            table = t.table("max_choices")
            for p in posts:
                if table.has(p.id):
                    limits[p.id] = table.integer(p.id, lo=1, hi=99)
            table.done()
        else:
            k = t.integer("max_choices", lo=1, hi=99)
            limits = {p.id: k for p in posts}
    sections = []
    for post in posts:
        members = tuple(c for c in chosen if by_id[c].post == post.id)
        if not members:
            continue
        k = limits.get(post.id, post.seats)
        if k > len(members) + write_ins:
            where = "max_choices" if t.has("max_choices") else None
            raise t.error(where, f"post {post.id} elects {k} but has only {len(members)} candidates"
                                 f" and {write_ins} write-in rows; lower max_choices or add candidates")
        if len(members) <= k and t.data.get("contested") == "refuse" and t.data.get("rerun") is not True:
            raise t.error("contested", f"post {post.id} has {len(members)} candidate(s) for {k} seat(s); 差额选举 "
                                       "needs more candidates than seats: add a candidate, or set contested = "
                                       '"warn" where the rules allow 等额选举')
        sections.append(VoteSection(post=post.id, candidates=members, max_choices=k, write_ins=write_ins))
    if mode == "approve":
        defaults = tuple(Option(id=o, name=text(f"vote.{o}", lang)) for o in ("agree", "disagree", "abstain"))
    else:
        defaults = (Option(id="choose", name=text("vote.choose", lang)),)
    options = _options(t, "options", defaults)
    if mode == "choose" and len(options) != 1:
        raise t.error("options", "a choose-at-most-K ballot has one box per candidate; give one option")
    if mode == "approve" and not 2 <= len(options) <= 4:
        raise t.error("options", f"has {len(options)} options; an approve ballot has 2 to 4 (同意/不同意/弃权)")
    return VoteSpec(
        mode=mode,  # type: ignore[arg-type]
        sections=tuple(sections),
        options=options,
        majority_base=t.text("majority_base", "valid", choices=MAJORITY_BASES),
        overvote=t.text("overvote", "ballot", choices=OVERVOTE_RULES),
        write_in_needs_mark=t.boolean("write_in_needs_mark", True),
        rerun_min_share=t.fraction("rerun_min_share", None),
        rerun=_rerun(t),
        **_quorum(t, "registered"),
        rerun_list=_rerun_list(t),
        contested=t.text("contested", "warn", choices=CONTESTED_RULES),
        women=t.boolean("women", False),
        cross_post=t.boolean("cross_post", False),
    )


RERUN_LIST_PATTERN = r"unfilled\+[0-9]|[1-9]x unfilled|[1-9][0-9]?"
RERUN_LIST_HINT = 'use "unfilled+1" (one more than the seats left), "2x unfilled" (twice the seats left) or a number'


def _rerun_list(t: Table) -> str:
    if not t.has("rerun_list"):
        return "unfilled+1"
    value = t.raw("rerun_list")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(t.integer("rerun_list", lo=1, hi=99))
    rule = t.text("rerun_list")
    canonical = re.sub(r"\s+", "", rule).replace("x", "x ")
    if not re.fullmatch(RERUN_LIST_PATTERN, canonical):
        raise t.error("rerun_list", f'"{rule}" is not a re-run list rule; {RERUN_LIST_HINT}')
    return canonical


def _quorum(t: Table, default: str) -> dict:
    """选举有效 / 测评有效: more than `quorum_share` of the registered voters returned a ballot."""
    return {"quorum": t.text("quorum", default, choices=QUORUM_RULES),
            "quorum_share": t.fraction("quorum_share", Fraction(1, 2))}


def _rerun(t: Table) -> bool:
    rerun = t.boolean("rerun", False)
    if rerun and not t.has("rerun_min_share"):
        raise t.error("rerun", 'a re-run needs its floor: add rerun_min_share = "1/3"')
    return rerun


def _rating_spec(t: Table, lang: str) -> RatingSpec:
    defaults = tuple(
        Option(id=g, name=text(f"grade.{g}", lang), points=Decimal(p))
        for g, p in (("excellent", 100), ("competent", 80), ("basic", 60), ("incompetent", 40))
    )
    grades = _options(t, "grades", defaults, points=True)
    if len(grades) < 2:
        raise t.error("grades", "a rating needs at least two grades")
    known = [g.id for g in grades]
    levels = []
    for lt in t.tables("levels", required=False):
        name = lt.text("name", max_len=20)
        if lt.boolean("otherwise", False):  # 其余: the level of everyone no rule above placed
            for key in ("grades", "also", *_COMPARE_KEYS):
                if lt.has(key):
                    raise lt.error(key, "a level with otherwise = true takes no conditions; remove it")
            levels.append(Level(name, ()))
            lt.done()
            continue
        conditions = [_condition(lt, known)]
        for more in lt.tables("also", required=False):
            conditions.append(_condition(more, known))
            more.done()
        levels.append(Level(name, tuple(conditions)))
        lt.done()
    return RatingSpec(grades=grades, levels=tuple(levels), **_quorum(t, "registered"),
                      ungraded=t.text("ungraded", "abstain", choices=UNGRADED_RULES))


_COMPARE_KEYS = {"min_share": "at_least", **{c: c for c in COMPARISONS}}


def _condition(t: Table, known: list[str]) -> Condition:
    """grades = [...] and one of min_share / at_least (≥), more_than (超过 >), below (低于 <), at_most (≤)."""
    chosen = t.text_list("grades")
    for i, g in enumerate(chosen, start=1):
        if g not in known:
            raise t.error(f"grades[{i}]", f'"{g}" is not a grade of this round; grades: {", ".join(known)}')
    given = [k for k in _COMPARE_KEYS if t.has(k)]
    if len(given) != 1:
        what = "none" if not given else " and ".join(given)
        raise t.error(given[1] if len(given) > 1 else "at_least",
                      f"gives {what}; give exactly one of at_least (≥), more_than (超过), below (低于), at_most (≤), "
                      'e.g. more_than = "1/3"')
    return Condition(chosen, _COMPARE_KEYS[given[0]], t.fraction(given[0]))  # type: ignore[arg-type]


DEFAULT_ANSWERS = ("satisfied", "basic", "unsatisfied")  # a question's answers when it names none (survey.* words)


def _survey_spec(t: Table, lang: str) -> SurveySpec:
    defaults = tuple(Option(id=str(i), name=text(f"survey.{o}", lang)) for i, o in enumerate(DEFAULT_ANSWERS, start=1))
    questions = _unique(t.tables("questions"), lambda q: _question(q, defaults), "question")
    names = {o.name for q in questions for o in q.options}
    # the default options by their name in any language (a template written in Chinese, run in English)
    aliases = {text(f"survey.{o}", other): text(f"survey.{o}", lang)
               for o in DEFAULT_ANSWERS for other in LANGUAGES}
    satisfied = tuple(s if s in names else aliases.get(s, s) for s in t.text_list("satisfied", ()))
    for i, s in enumerate(satisfied, start=1):
        if s not in names:
            raise t.error(f"satisfied[{i}]", f'"{s}" is not an option of any question; use an option\'s text')
    return SurveySpec(questions=tuple(questions), satisfied=satisfied, **_quorum(t, "none"))


def _question(t: Table, defaults: tuple[Option, ...]) -> Question:
    qid = t.text("id", pattern=ID_PATTERN, hint=ID_HINT)
    qtext = t.text("text", max_len=300)
    qtype = t.text("type", "single", choices=("single", "multi", "scale", "text"))
    options: tuple[Option, ...] = ()
    max_choices = 1
    if qtype == "scale":
        top = t.integer("scale", 5, lo=2, hi=10)
        options = tuple(Option(id=str(i), name=str(i)) for i in range(1, top + 1))
    elif qtype in ("single", "multi"):
        options = _options(t, "options", defaults)
        if len(options) < 2:
            raise t.error("options", "a question needs at least two options")
        if qtype == "multi":
            max_choices = t.integer("max_choices", len(options), lo=1, hi=len(options))
    t.done()
    return Question(id=qid, text=qtext, type=qtype, options=options, max_choices=max_choices)  # type: ignore[arg-type]


def _composite(t: Table, rounds: list[Round], lang: str) -> Composite:
    by_id = {r.id: r for r in rounds}
    parts = []
    seen: set[tuple[str, str | None]] = set()
    reference: tuple[str, ...] | None = None
    for p in t.tables("parts"):
        rid = p.text("round")
        if rid not in by_id:
            raise p.error("round", f'"{rid}" is not a round; known rounds: {", ".join(by_id)}')
        rnd = by_id[rid]
        if rnd.kind == "survey":
            raise p.error("round", f'"{rid}" is a survey; surveys do not score candidates')
        group = p.text("group", None)
        if group is not None and group not in rnd.groups:
            known = ", ".join(rnd.groups) or "none (manual round)"
            raise p.error("group", f'"{group}" does not take part in round {rid}; its groups: {known}')
        if (rid, group) in seen:
            raise p.error("round", f"round {rid}{' group ' + group if group else ''} is already a part")
        seen.add((rid, group))
        weight = p.decimal("weight", lo=Decimal(0), hi=Decimal(100), lo_open=True)
        if reference is None:
            reference = rnd.candidates
        elif set(rnd.candidates) != set(reference):
            raise p.error("round", f"round {rid} has other candidates than the first part; a composite "
                                   "needs every part to score the same candidates")
        p.done()
        parts.append(CompositePart(round=rid, group=group, weight=weight))
    total = sum((p.weight for p in parts), Decimal(0))
    if total != 100:
        listed = " + ".join(f"{p.weight}" for p in parts)
        raise t.error("parts", f"weights add up to {total}% ({listed}); they must add up to 100%")
    tie_break = t.text_list("tie_break", ())
    for i, rid in enumerate(tie_break, start=1):
        if rid not in {p.round for p in parts}:
            raise t.error(f"tie_break[{i}]", f'"{rid}" is not a round of this composite')
    composite = Composite(name=t.text("name", text("composite", lang)), parts=tuple(parts), tie_break=tie_break)
    t.done()
    return composite


def warnings(meeting: Meeting) -> list[str]:
    """What `check` should tell the organiser although the meeting is valid, in the meeting's language:
    等额 posts where the round asks for 差额 (contested = "warn"), a women rule with no woman to elect."""
    lang = meeting.language
    out = []
    for rnd in meeting.rounds:
        spec = rnd.spec
        if not isinstance(spec, VoteSpec):
            continue
        for section in spec.sections:
            if spec.contested != "off" and len(section.candidates) <= section.max_choices and not spec.rerun:
                out.append(text("warn.uncontested", lang, round=rnd.name, post=_post_name(meeting, section.post),
                                n=len(section.candidates), k=section.max_choices))
        if spec.women and not any(meeting.candidate(c).gender == "F" for c in rnd.candidates):
            out.append(text("warn.no_woman", lang, round=rnd.name))
    return out


def _post_name(meeting: Meeting, post_id: str) -> str:
    return meeting.post(post_id).name
