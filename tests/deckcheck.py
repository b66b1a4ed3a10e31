"""Judging scanner verdicts against the deck's ground truth (shared by the tests and the benchmark)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from scanner.deck import Truth
from scanner.interpret import Interpretation, interpret
from scanner.marks import BoxInk, PageInk
from scanner.reader import Rejected, SheetRead


def expected(deck_meeting, truth: Truth, ink_zones: dict[str, float]) -> Interpretation:
    """What the sheet says if every intended mark (faint and outside ones too) is read as marked."""
    page = truth.layout.pages[truth.page - 1]
    boxes = {b.id: BoxInk(1.0 if b.id in truth.marks else 0.0, 0.0, 0.0,
                          "marked" if b.id in truth.marks else "empty") for b in page.boxes}
    ink = PageInk(boxes, ink_zones, 1.0)
    return interpret(deck_meeting.round(truth.layout.round_id), truth.layout, page, ink)


DUMP = None  # a folder to write the rectified image of every wrong reading to, when debugging


@dataclass
class Tally:
    rows: Counter = field(default_factory=Counter)  # (category, outcome) → sheets
    wrong: list[str] = field(default_factory=list)
    clean_reviews: list[str] = field(default_factory=list)

    def add(self, deck_meeting, truth: Truth, verdict: SheetRead | Rejected, note: str = "") -> str:
        if isinstance(verdict, Rejected):
            outcome = f"rejected:{verdict.reason}"
        else:
            exp = expected(deck_meeting, truth, verdict.ink.zones)
            got = verdict.interpretation
            if got.reasons:
                outcome = "review"
                if truth.category.split("+")[0] in ("clean", "big"):
                    shown = []
                    for r in got.reasons[:3]:
                        subject = r.split(":", 1)[-1]
                        box = verdict.ink.boxes.get(subject)
                        shown.append(f"{r} {box or ''} intended={subject in truth.marks}")
                    where = f"{truth.layout.round_id}-{truth.layout.group_id} {note}"
                    self.clean_reviews.append(f"{where}: " + "; ".join(shown))
            elif exp.reasons or got.result != exp.result:
                outcome = "WRONG"
                diff = {k: (v.state, v.fill, v.faint, v.ring, truth.marks.get(k)) for k, v in verdict.ink.boxes.items()
                        if (v.state == "marked") != (k in truth.marks)}
                if DUMP is not None:
                    import cv2

                    cv2.imwrite(str(DUMP / f"wrong-{len(self.wrong)}.png"), verdict.image)
                self.wrong.append(f"{truth.layout.round_id}-{truth.layout.group_id} p{truth.page} "
                                  f"{truth.category}: {diff}")
            else:
                outcome = "counted"
        self.rows[(truth.category, outcome)] += 1
        return outcome

    def table(self) -> str:
        cats = sorted({c for c, _ in self.rows})
        outs = sorted({o for _, o in self.rows})
        width = max(len(o) for o in outs) + 2
        lines = ["category".ljust(10) + "".join(o.rjust(width) for o in outs) + "total".rjust(8)]
        for c in cats:
            total = sum(self.rows[(c, o)] for o in outs)
            lines.append(c.ljust(10) + "".join(str(self.rows[(c, o)]).rjust(width) for o in outs) + str(total).rjust(8))
        return "\n".join(lines)

    def count(self, category: str | None = None, outcome: str | None = None) -> int:
        return sum(n for (c, o), n in self.rows.items() if (category in (None, c)) and (outcome in (None, o)))
