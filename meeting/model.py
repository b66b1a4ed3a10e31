"""The meeting definition: frozen dataclasses, built only by `meeting.definition.load_*`.

Every number that a count depends on is a Decimal; ids are short ASCII (they go into QR codes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Literal

Kind = Literal["score", "vote", "rating", "survey", "manual"]
KINDS: tuple[Kind, ...] = ("score", "vote", "rating", "survey", "manual")

MajorityBase = Literal["registered", "issued", "returned", "valid"]
MAJORITY_BASES: tuple[MajorityBase, ...] = ("registered", "issued", "returned", "valid")

Overvote = Literal["ballot", "section"]
OVERVOTE_RULES: tuple[Overvote, ...] = ("ballot", "section")

Quorum = Literal["registered", "none"]
QUORUM_RULES: tuple[Quorum, ...] = ("registered", "none")

Ungraded = Literal["abstain", "zero"]
UNGRADED_RULES: tuple[Ungraded, ...] = ("abstain", "zero")

Contested = Literal["off", "warn", "refuse"]
CONTESTED_RULES: tuple[Contested, ...] = ("off", "warn", "refuse")

Incomplete = Literal["leave_out", "zero"]
INCOMPLETE_RULES: tuple[Incomplete, ...] = ("leave_out", "zero")

Compare = Literal["at_least", "more_than", "below", "at_most"]
COMPARISONS: tuple[Compare, ...] = ("at_least", "more_than", "below", "at_most")


@dataclass(frozen=True)
class MeetingInfo:
    id: str
    title: str
    date: dt.date
    venue: str
    organiser: str
    language: Literal["zh", "en"] = "zh"
    decimals: int = 2
    operator: str = ""  # who runs the count, for the audit log and the sheets when --operator is not given


@dataclass(frozen=True)
class Post:
    id: str
    name: str
    seats: int
    note: str = ""


@dataclass(frozen=True)
class Candidate:
    id: str
    name: str
    post: str
    gender: Literal["M", "F"] | None = None
    birth_year: int | None = None
    education: str | None = None
    background: str | None = None
    note: str = ""
    person: str = ""  # the person's id in a year's ledger (tallykit ledger import maps the result to them)


@dataclass(frozen=True)
class Group:
    """A voter group (评审组, 党员, 村民代表, 群众 ...)."""

    id: str
    name: str
    expected: int  # 应到人数: registered voters of this group
    ballots: int  # ballots planned to be issued (defaults to expected)


@dataclass(frozen=True)
class Option:
    """One answer a person can mark: a vote option, a rating grade, a survey option."""

    id: str
    name: str
    points: Decimal | None = None  # rating grades only


@dataclass(frozen=True)
class Criterion:
    id: str
    name: str
    max: Decimal
    step: Decimal = Decimal("0.5")  # smallest step a judge may give: 1 or 0.5


@dataclass(frozen=True)
class ScoreSpec:
    criteria: tuple[Criterion, ...]
    trim_high: int = 1  # judge totals dropped from the top ...
    trim_low: int = 1  # ... and from the bottom (去掉一个最高分和一个最低分)
    trim_min_judges: int = 5  # ... only when at least this many judges scored
    # a judge's sheet accepted without a score for one criterion of a candidate: leave that judge's total for the
    # candidate out (the trim rule still follows the round's number of judges), or count the missing part as 0
    incomplete: Incomplete = "leave_out"
    # 现场亮分: one slip per judge per candidate (A5 landscape, or two per A4 cut apart) instead of one sheet per
    # judge, so that a candidate's score is shown as soon as every judge's slip for them is in
    slips: bool = False

    @property
    def max_total(self) -> Decimal:
        return sum((c.max for c in self.criteria), Decimal(0))


@dataclass(frozen=True)
class VoteSection:
    """One part of a ballot: the candidates for one post and how many may be chosen (应选K人)."""

    post: str
    candidates: tuple[str, ...]
    max_choices: int
    write_ins: int


@dataclass(frozen=True)
class VoteSpec:
    mode: Literal["approve", "choose"]  # 同意/不同意/弃权 per candidate, or tick at most K
    sections: tuple[VoteSection, ...]
    options: tuple[Option, ...]  # approve mode: the boxes per candidate; choose mode: one box
    majority_base: MajorityBase = "valid"
    overvote: Overvote = "ballot"
    write_in_needs_mark: bool = True
    rerun_min_share: Fraction | None = None  # e.g. 1/3: the floor for being elected in a re-run (另行选举)
    rerun: bool = False  # this round is a re-run: elected with at least rerun_min_share, not more than half
    # 选举有效: more than quorum_share of the registered voters (the groups' expected) returned a ballot
    quorum: Quorum = "registered"
    quorum_share: Fraction = Fraction(1, 2)
    # the re-run list (另行选举候选人): "unfilled+N", "Nx unfilled" or a number; ties at the cut-off all join
    rerun_list: str = "unfilled+1"
    contested: Contested = "warn"  # 差额: more candidates than seats per post; check warns / refuses / says nothing
    women: bool = False  # 成员中应当有妇女成员: say so when nobody elected in this round is a woman
    cross_post: bool = False  # votes for a person on a higher post who is not elected there count on lower posts

    def rerun_list_size(self, unfilled: int) -> int:
        """How many go on the re-run list for `unfilled` seats (before ties at the cut-off join)."""
        rule = self.rerun_list
        if rule.startswith("unfilled+"):
            return unfilled + int(rule.removeprefix("unfilled+"))
        if rule.endswith("x unfilled"):
            return unfilled * int(rule.removesuffix("x unfilled"))
        return max(int(rule), unfilled)


@dataclass(frozen=True)
class Condition:
    """The votes for `grades` together, as a share of the valid ballots, compared with `share`."""

    grades: tuple[str, ...]
    compare: Compare
    share: Fraction

    def holds(self, votes: int, valid: int) -> bool:
        if valid <= 0:
            return False
        left, right = votes * self.share.denominator, self.share.numerator * valid
        match self.compare:
            case "at_least":
                return left >= right
            case "more_than":
                return left > right
            case "below":
                return left < right
            case "at_most":
                return left <= right
        raise AssertionError(self.compare)


@dataclass(frozen=True)
class Level:
    """A rating level rule: the first level all of whose conditions hold is the candidate's level,
    e.g. 优秀 when 优秀+称职 ≥ 90% and 优秀 > 50%; 不称职 when 不称职 超过 1/3."""

    name: str
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class RatingSpec:
    grades: tuple[Option, ...]  # with points, best first
    levels: tuple[Level, ...] = ()
    quorum: Quorum = "registered"
    quorum_share: Fraction = Fraction(1, 2)
    ungraded: Ungraded = "abstain"  # a row left blank: 弃权, out of the points' denominator; or 0 points


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    type: Literal["single", "multi", "scale", "text"]
    options: tuple[Option, ...] = ()
    max_choices: int = 1


@dataclass(frozen=True)
class SurveySpec:
    questions: tuple[Question, ...]
    satisfied: tuple[str, ...] = ()  # option ids counted as satisfied for the satisfaction rate
    quorum: Quorum = "none"
    quorum_share: Fraction = Fraction(1, 2)


@dataclass(frozen=True)
class ManualSpec:
    max: Decimal = Decimal(100)
    label: str = ""


Spec = ScoreSpec | VoteSpec | RatingSpec | SurveySpec | ManualSpec


@dataclass(frozen=True)
class Round:
    id: str
    name: str
    kind: Kind
    groups: tuple[str, ...]
    candidates: tuple[str, ...]
    secret: bool  # secret ballots carry no serial number; named forms do
    spec: Spec


@dataclass(frozen=True)
class CompositePart:
    round: str
    group: str | None  # restrict the part to one voter group's ballots
    weight: Decimal  # percent


@dataclass(frozen=True)
class Composite:
    name: str
    parts: tuple[CompositePart, ...]
    tie_break: tuple[str, ...] = ()  # round ids, compared in order when composites tie


@dataclass(frozen=True)
class ScanSettings:
    """How sheets are read. Not part of any layout: changing them never invalidates printed paper."""

    mark_empty: Decimal = Decimal("0.02")  # box fill at or below this is empty ...
    mark_marked: Decimal = Decimal("0.12")  # ... at or above this is marked; in between goes to review
    confirm_frames: int = 3  # a live reading commits after this many identical sharp frames
    max_fit_error_mm: Decimal = Decimal("0.6")  # a page whose markers fit worse than this is not read
    rescan_similarity: Decimal = Decimal("0.8")  # ink this alike to a counted sheet: ask if it is a re-scan
    # paper printed before the meeting was changed that the organiser still accepts (layout code prefixes)
    accept_layouts: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportSettings:
    """The tally report sheets: who signs them. Empty: the customary four in the meeting's language."""

    signers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Meeting:
    info: MeetingInfo
    posts: tuple[Post, ...]
    candidates: tuple[Candidate, ...]
    groups: tuple[Group, ...]
    rounds: tuple[Round, ...]
    composite: Composite | None = None
    scan: ScanSettings = field(default_factory=ScanSettings)
    report: ReportSettings = field(default_factory=ReportSettings)
    _index: dict[str, dict[str, object]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update(
            post={p.id: p for p in self.posts},
            candidate={c.id: c for c in self.candidates},
            group={g.id: g for g in self.groups},
            round={r.id: r for r in self.rounds},
        )

    @property
    def language(self) -> str:
        return self.info.language

    def post(self, post_id: str) -> Post:
        return self._index["post"][post_id]  # type: ignore[return-value]

    def candidate(self, candidate_id: str) -> Candidate:
        return self._index["candidate"][candidate_id]  # type: ignore[return-value]

    def group(self, group_id: str) -> Group:
        return self._index["group"][group_id]  # type: ignore[return-value]

    def round(self, round_id: str) -> Round:
        return self._index["round"][round_id]  # type: ignore[return-value]
