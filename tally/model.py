"""What the tally takes in and gives out. Pure data: frozen dataclasses, Decimal numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Sheet:
    """One recorded page as the count sees it, after review.

    state: counted (read, or accepted/corrected in review) | void (a person voided it: cast, not valid)
           | pending (still in review: not counted yet) | excluded (a re-scan or a foreign sheet: not a ballot)
    """

    round_id: str
    group_id: str
    page: int
    serial: str | None
    state: str
    result: dict[str, Any]  # the interpretation result (votes / grades / answers / scores)
    write_in_names: tuple[tuple[str, int, str], ...] = ()  # (section, row, name) typed in review


@dataclass(frozen=True)
class Manual:
    round_id: str
    candidate_id: str
    value: Decimal
    operator: str
    seq: int = 0  # later entries for the same candidate replace earlier ones


@dataclass(frozen=True)
class Count:
    """Ballots issued and returned for one (round, group)."""

    issued: int
    returned: int | None  # None: not recorded; the sheets read stand in for it


@dataclass(frozen=True)
class GroupCounts:
    group_id: str
    expected: int
    issued: int
    returned: int
    read: int
    valid: int
    void: int
    blank: int
    pending: int
    vote_void: bool  # returned > issued: this group's vote is void (选举无效)
    returned_recorded: bool = True  # False: no returned count yet; `returned` is the sheets read


WRITE_IN = "+"  # a write-in person's id in results is "+" and their normalised name (no listed id starts so)


@dataclass(frozen=True)
class Invalid:
    """Why a round's count cannot stand (reasons are data; words come where they are shown).

    kind: returned_over_issued (group: returned > issued, 选举无效) | below_quorum (voted ≤ the quorum share of the
          registered voters, 选举无效) | read_over_returned (group: more sheets read than ballots returned: a conflict
          to resolve before anything is announced or sealed)
    """

    kind: str
    group: str | None
    got: int  # returned / voted / read
    limit: int  # issued / registered / returned
    provisional: bool = False  # below_quorum while no returned count is recorded (the sheets read stand in)


@dataclass(frozen=True)
class CandidateVotes:
    candidate_id: str  # a listed candidate's id, or WRITE_IN + name for a person written in (另选他人)
    section: str
    options: dict[str, int]  # option id → votes
    share: Decimal  # first option's votes / majority base, 0..1
    elected: bool
    tie: bool  # tied at the last seat: the law's answer is a new vote
    name: str | None = None  # a written-in person's name (normalised); None for listed candidates

    @property
    def write_in(self) -> bool:
        return self.candidate_id.startswith(WRITE_IN)


@dataclass(frozen=True)
class VoteResult:
    round_id: str
    groups: tuple[GroupCounts, ...]
    base: int  # the majority base, per the round's setting
    candidates: tuple[CandidateVotes, ...]  # per section: listed candidates and people written in, by votes
    write_ins: dict[str, dict[str, int]]  # section → name → votes (the same people as the WRITE_IN candidates)
    unfilled: dict[str, int]  # section → seats left unfilled
    rerun_candidates: dict[str, tuple[str, ...]]  # section → candidates for the next vote, best first
    void: bool  # the count cannot stand: `invalid` says why; nobody is elected
    invalid: tuple[Invalid, ...] = ()
    rerun_reason: dict[str, str] = field(default_factory=dict)  # section → "tie" (就票数相等的再次投票) | "unfilled"
    no_woman: bool = False  # the round's rule asks for a woman among those elected, and none is


@dataclass(frozen=True)
class CandidateRating:
    candidate_id: str
    counts: dict[str, int]  # grade id → votes
    shares: dict[str, Decimal]  # grade id → votes / valid ballots
    points: Decimal
    level: str | None = None  # the first threshold rule it meets (e.g. 优秀), if the round has rules
    abstain: int = 0  # valid ballots that left this candidate's row ungraded (弃权)


@dataclass(frozen=True)
class RatingResult:
    round_id: str
    groups: tuple[GroupCounts, ...]
    candidates: tuple[CandidateRating, ...]
    void: bool
    invalid: tuple[Invalid, ...] = ()


@dataclass(frozen=True)
class CandidateScore:
    candidate_id: str
    judges: tuple[Decimal, ...]  # each judge's total, in serial order
    highest: Decimal | None
    lowest: Decimal | None
    total: Decimal
    trimmed_mean: Decimal | None  # None: no complete score yet
    criteria: dict[str, Decimal]  # per-criterion mean over the judges
    dropped: int  # how many judge totals the trim rule dropped
    incomplete: tuple[str, ...] = ()  # judges (serials) whose sheet lacks a criterion for this candidate


@dataclass(frozen=True)
class ScoreResult:
    round_id: str
    groups: tuple[GroupCounts, ...]
    candidates: tuple[CandidateScore, ...]
    max_total: Decimal


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    counts: dict[str, int]
    answered: int
    shares: dict[str, Decimal]
    satisfaction: Decimal | None


@dataclass(frozen=True)
class SurveyResult:
    round_id: str
    groups: tuple[GroupCounts, ...]
    questions: tuple[QuestionResult, ...]
    satisfaction: Decimal | None  # over all single-choice answers
    comments: int
    void: bool
    invalid: tuple[Invalid, ...] = ()


@dataclass(frozen=True)
class ManualResult:
    round_id: str
    values: dict[str, Decimal]
    operators: dict[str, str]
    max: Decimal


RoundResult = VoteResult | RatingResult | ScoreResult | SurveyResult | ManualResult


@dataclass(frozen=True)
class Ranked:
    candidate_id: str
    parts: dict[str, Decimal]  # part label → its 100-point value
    composite: Decimal  # computed exactly, rounded half-up once to the meeting's decimals
    rank: int  # within the candidate's post: each post selects its own seats (一职双备)
    tied: bool
    post: str = ""
    selected: bool = False  # within the post's seats, and not tied across its last seat


@dataclass(frozen=True)
class Cohort:
    count: int
    average_age: Decimal | None
    college_or_above: int  # 大专及以上
    women: int
    backgrounds: dict[str, int]


@dataclass(frozen=True)
class Results:
    rounds: dict[str, RoundResult]
    ranking: tuple[Ranked, ...]  # empty without a composite, or while a part is missing
    missing: tuple[str, ...]  # composite parts that have no result yet, or whose round is invalid
    cohort: Cohort | None
    notes: tuple[str, ...] = field(default=())  # loud facts: void votes, ties, pending reviews
