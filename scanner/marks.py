"""Mark reader: ink in every box of the stored layout, measured against the blank form.

The rectified page is flat-field corrected (uneven light, shadows), then normalised by the page's own
calibration strip (a blank box is its white, a solid box its black). Ink counts only where the blank
form is white: printed text, lines and outlines are masked out using the layout's geometry. Each box gets
a fill score in [0, 1] (the share of its interior covered by pen strokes); below `empty` it is empty, at or
above `marked` it is marked, in between (or with faint strokes, or ink hugging the box from outside, or a pen
mark beside it in its row: a tick on the blank part of a candidate's row, over the candidate's printed name or over
an answer's words instead of in the box) it is marginal and goes to a person.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from ballots.geometry import Page, Rect, Text
from ballots.layout import line_height

PX_PER_MM = 4.0  # canonical resolution for reading marks
INK = 0.22  # normalised ink above this is pen ink (printed outlines stay below it inside a box)
RING_MARGINAL = 0.06  # ink just around an empty box, as a share of that ring: someone may have meant it
# Less ink than that around an empty box is still in doubt when a piece of it is a pen's stroke (at least
# RING_STROKE_MM long) rather than a speck: a tick drawn across the gap between two rows' boxes lies mostly on their
# printed outlines, and only slivers of it show on the paper around them (0.02-0.09 of the ring, in pieces 5-17 px
# long at 4 px/mm). Measured on 96 such ticks (approve, rating and score forms): 6 were counted as nothing with the
# ring share alone, none now. The empty boxes of clean sheets reach 0.018 at the 99.9th percentile (29,000 boxes;
# the test deck reads the same). The price: a pen's dot 0.8-2 mm from an empty box goes to review 1 time in 5 (25
# of 120; before 2): a glance for a person, where a missed tick would be a lost vote.
RING_STROKE = 0.02
RING_STROKE_MM = 1.25
HIDDEN_FILLED = 0.9  # a box this full of ink, with no ink around it, is seen even where its outline is not: a
# filled box whose fill, or the white halo a phone scanner app's sharpening draws around it, swallowed its outline
# (measured: 5 of 40 "enhanced" photos refused as covered for one such box each, fill 0.95-0.97, ring 0). A hand or
# a sheet over a box covers the ink around it too
# A faint stroke: the darkest 5% of a box's inner part, above the bare paper around it, above what the
# page's other empty-looking boxes of that size show (their outline halo, the blur, the light). Measured on
# the test deck (22,000 empty boxes, 390 faint strokes of grey 95-125): empty at most 0.043, faint at least
# 0.074. Light ticks (0.25 mm, grey 150-200) reach down to 0.047 in a webcam frame, while 1 in ~2,000 empty
# boxes passes 0.043 (11,550 measured: max 0.055): the limit sits low, a doubt costs a person a glance, a missed
# tick costs a vote. Clean sheets to review stay about 1%.
FAINT_LEVEL = 0.045
# The limit is lower on a page whose empty boxes are all alike: a light tick on a far or turned sheet folded in
# four (2.2-3 px/mm, a bend of a millimetre) reaches only 0.028-0.043 while the page's other empty boxes stay within
# 0.005-0.02. A box is also in doubt when its faint level stands out from the page's own empty-looking boxes:
# above their median by FAINT_SPREAD robust deviations (FAINT_PAGE_MIN of them at least to tell), or, for the one
# box highest of them, FAINT_GAP above all the others; at least FAINT_FLOOR either way. Measured on two deck seeds
# (29,700 empty boxes, 560 clean flat sheets): no clean sheet more to review; two soft hall-damaged ones now have
# enough doubts to be refused as too blurred to decide (a new picture is asked for). Ballots folded in four
# (scanner.deck folded), choose-K with one light tick: 12 of 140 counted without it before, 3 after (one tick not
# in the picture at all, two just under the gap); clean ones to review: 6 of 288 before, 11 after (a fold's shadow
# through a box looks like a light stroke: a glance, never a lost vote). A gap of 0.015 sent a clean flat survey to
# review.
FAINT_FLOOR = 0.025
FAINT_SPREAD = 8.0
FAINT_PAGE_MIN = 5
FAINT_GAP = 0.02  # or the one box standing this far above all the page's other empty-looking boxes
# A page whose empty boxes are very much alike (a dim, far, soft picture) shows a light tick weaker than the gap
# above allows: measured 0.028 on a page whose other empty boxes reached 0.009 at most, 0.039 where the next reached
# 0.020. The one box highest of a page's empty-looking ones (FAINT_PAGE_MIN of them at least) is also in doubt when
# it stands above the others' median by FAINT_SPREAD of their robust deviations (FAINT_CALM_NOISE at least), above
# the next one by FAINT_CALM_GAP_SPREAD of them and by FAINT_CALM_GAP, and at FAINT_CALM_FLOOR. The floor is above
# a fold's straight shadow through a box on a calm page (0.020 against at most 0.001: a clean folded ballot to a
# person at 0.015); light ticks washed out by too much light (0.016 against 0.001) look the same and stay lost.
# Measured on light-tick sweeps under 11 damage kinds (seeds 51/71, 1,164 ticks read, 6 counted without them before
# this rule): 1 of those 6 found; no more of 1,875 clean sheets, sheets with stray dots or with big ticks to a person.
FAINT_CALM_FLOOR = 0.021
FAINT_CALM_NOISE = 0.001
FAINT_CALM_GAP = 0.01
FAINT_CALM_GAP_SPREAD = 4.0
# A box full enough of ink to be marked is marked only when its ink stands this far above the paper around it (its
# faint level): a stain or a smudge over a box (spilt tea, a wet thumb) darkens the paper around it as well, and reads
# 0.09-0.2 (blank surveys with stains were counted with a stain as an answer). Pen and pencil marks on the deck, every
# damage kind, 720p too: 0.229 at the least of 14,472. Below it: in doubt, a person looks
MARK_ABOVE_PAPER = 0.2
# A box all but covered by "ink" that stands less than COVER_ABOVE_PAPER above the paper around it is a stain over
# it (tea, a wet thumb: 0.20-0.39 measured over whole boxes), not a pen's fill: pens and pencils filling a box of a
# ballot, a rating or a survey read 0.486 at the least of 1,409 on the deck (every damage kind, 720p too). In doubt: a
# person looks. A score sheet's digit bubble is small and its digit printed inside: a circle drawn round it covers it
# all and reads 0.33 at 720p, so it is left to the other rules
COVER_FILL = 0.8
COVER_ABOVE_PAPER = 0.42
# A mark crossed out: the box nearly filled and ink well past its edges (a scribble over a tick). Measured on the
# deck: struck marks fill 0.84-1.0 with 0.30-0.86 of the ring inked; filled boxes fill up to 1.0 with no ring ink,
# big ticks reach 0.09 of the ring with fill at most 0.49. A struck box is never counted: a person decides.
# Every box's printed outline must be seen before its inside is believed: a hand, another sheet or a glare spot over
# a box makes it read as empty paper (the flat field takes anything wider than 9 mm for light), which would lose a
# vote. Its outline is sampled at 24 points (the darkest of five pixels across the line); the lower quartile is the
# box's outline darkness. Measured: on plain webcam frames at least 0.06 (median 0.18); under a hand about 0.
# A box is hidden below 30 % of the page's median (at least 0.012); with no outline seen anywhere (median below
# 0.02: heavy motion blur, a washed-out 720p frame) nothing on the page can be trusted. Measured before folds are
# set back to paper (a fold's band takes the outline with it).
# Where the outlines lie: a page bent by a fold or a curl, by a millimetre or so, shows its box outlines off the
# places the homography puts them, and nothing may be in doubt (a light tick moved out of its box's inside reads as
# nothing). Each box's shift is the darkness-weighted centre of the five pixels across its outline (median of its
# sides); the page's offset is the 90th percentile over its empty boxes. At OFFSET_STRAIGHTEN or more the page is
# straightened (scanner.warp), and kept so when the offset drops by OFFSET_GAIN. Measured: 119 flat bench frames
# 0.4 median, 0.69 at most (nothing more is straightened); folded ballots 0.3-2 px (1.2 straightened some clean
# folded sheets into a doubt near the fold, 1.4 fewer; the light ticks it finds are the same). Lowered to 0.9: the
# offset is measured within 2 px of where the layout has an outline, so a box 2 mm off its place (a wide lens moving
# the page's middle while its corners fit) reads as 1.0-1.6 px, not more; a light tick near its edge then lay out
# of the part measured (PX ballots, one light tick, the deck's barrel lens at 1080p: 8 of 145 counted without it
# at 1.4, none of 147 at 0.9 with the reader's bend rules of this change).
OFFSET_STRAIGHTEN = 0.9
OFFSET_GAIN = 0.2
OUTLINE_HIDDEN = 0.3
OUTLINE_MIN = 0.012
OUTLINE_PAGE_MIN = 0.02
# A box whited out, outline and all (correction tape or fluid over a mark taken back; a box the printer left out) is
# in doubt, not hidden: a hidden box refuses the whole sheet ("clear it or flatten the sheet"), which no new picture
# of a taped sheet can mend, so the sheet could never be counted. Whited out: at most WHITED_MAX boxes of the page
# unseen, each as light as the paper around it (its grey, median over the box and 0.8 mm around, at least
# WHITED_LEVEL of the 80th percentile of the ring 0.8-5 mm around it), that ring at least WHITED_RING of the paper
# near it (WHITED_PAPER_MM: a hand, a shadow or another sheet's print darken it), flat (its 10th-90th percentile
# spread at most WHITED_SPREAD grey levels: no ink shows through), its median short of the camera's white
# (WHITED_BELOW: glare washes a box out at the white). A person looks at the sheet; none is counted by the machine.
# Measured on 56 sheets with tape over a marked box: 45 whited out, 11 refused as before (tape as white as glare, a
# mark showing through, several digit bubbles under one strip). Of 55 frames of the deck's hall damage with boxes
# unseen (glare, a hand, another sheet, creases, low light), one is in doubt instead of refused (a hand in glare).
# A box marked by light "ink" that is no pen's stroke is in doubt: a stain over it (tea, coffee: brown, light in
# grey) or light shading. Pen and pencil marks this light are strokes (ticks, crosses, circles: a millimetre wide at
# most) and leave bare paper in the box; a pen's fill stands well above the paper (COVER_ABOVE_PAPER). Below the
# first tier's faint level, a box is stained when it is broad, STAIN_TIERS: (faint level below, core mm, share): at
# least `share` of its inside stays ink once eroded by a disc `core` mm across (the lighter tier sits below the
# lightest pen mark measured on a box larger than a digit bubble, 0.238, where a stain's edge is read); or even: the
# 10th percentile of its inside's darkness at least STAIN_EVEN (no bare paper left: a stain lying evenly over the
# whole box, its darkness about the ink threshold, so that its fill is patchy, 0.13-0.51, under COVER_FILL).
# Measured (1080p): blank sheets with one stain, 39 of 396 counted with the stain as a vote before, 0 after (5 with
# the tiers alone: even stains, 0.15-0.17 at their 10th percentile), 0 of 158 on two more seeds; with three stains,
# boxes read marked by a stain 31 -> 1 on 154 sheets (1 -> 0 counted). The deck's marks below 0.3 on boxes larger
# than a digit bubble (35: light ticks, big ticks, circles in every pen): 0.015 at the most on the first tier, none
# below 0.238, a 10th percentile of 0.008 at the most; its 1,040 frames read the same. A score sheet's digit bubble is
# left out: its printed digit fills much of it.
STAIN_TIERS = ((0.3, 1.75, 0.05), (0.23, 1.25, 0.02))
STAIN_EVEN = 0.08
WHITED_MAX = 2
WHITED_LEVEL = 0.9
WHITED_RING = 0.85
WHITED_SPREAD = 12.0
WHITED_BELOW = 250.0
WHITED_PAPER_MM = 15.0  # the paper the ring is held to: the 90th percentile within this of the box (a light's
# falloff across the page left a taped box's ring at 0.83 of the page's brightest paper; a fingertip is skin to 9 mm
# around the box, and paper beyond it)
OWN_RING_REACH_MM = 8.0  # how far around a doubtful box strokes are followed back to a neighbour's mark
# Strokes are followed off the print (boxes grown by 0.6 mm, texts): a stroke that crosses a box's corner is cut
# there, and its far piece can lie a pixel past the marked box's edge (measured: a big tick's tip, 2.4 px/mm, left
# its neighbour in doubt). Pieces are joined through inked print pixels, up to this far from a stroke.
OWN_BRIDGE_PX = 2
_EIGHT = np.ones((3, 3), np.uint8)  # a pixel's eight neighbours
# A mark beside the boxes: a voter ticks a candidate's name, or the blank part of a row, instead of its box. The form
# says marks outside the boxes do not count, but whether such a ballot stands is for the scrutineers: the nearest
# empty box of the row is read as in doubt (a person decides). Looked for in each option's row (its height and a
# third more, BESIDE_REACH box widths to either side), away from the boxes, the print and the handwriting zones;
# pen ink there that is not a dot (at least BESIDE_MIN_MM across and BESIDE_AREA_MM2 of ink: a stray dot is at most
# 1.2 mm), not a ruled line, and not the spill of a box's own mark (touching its edge).
BESIDE_REACH = 4.0
BESIDE_MIN_MM = 2.5
BESIDE_AREA_MM2 = 1.5
BESIDE_PAST_WORDS_MM = 2.0  # ink next to letters reaches at least this far out of them to be a mark
BESIDE_DARK = 0.36  # a pen's stroke: 90 % of its darkness at least this (measured: ticks 0.44-0.88, folds 0.25-0.29)
BESIDE_MAX_MM = 40.0  # larger is a hand, a shadow, another sheet's edge: not a voter's mark
# a copy of an answer's words (满意) with this much more dark than the page's usual copy has words written over it:
# measured on the test deck's 4,920 copies beside boxes, a tick's arm crossing its own box's words adds at most
# 5.3 mm² (84 px), damage on a sheet that is counted at most 6 mm² (96 px); a tick drawn half off its box onto the
# next answer's words 7.9 mm² (that sheet is in review for its tick already); two characters written over a box and
# its words 10.6 mm² (170 px), where no stroke stands clear of the letters' own dark
LABEL_WRITTEN_MM2 = 7.5
LABEL_SHIFT_PX = 2  # a copy of an answer's words is fitted to the page's usual copy within this many pixels
# a copy of an answer's words with this much new dark, fitted to the usual copy, has a tick over it: measured, a
# single tick drawn over the words leaves 27 px or more on 95 % of 116 sheets (16 px and more on all but one), the
# deck's 3,135 copies on sheets that are counted at most 7 px (a hand over the words 58); it must also reach
# BESIDE_MIN_MM across, as marks beside a box must (112 of the 116 ticks do; a stray dot, 1 mm across, does not)
LABEL_TICK_MM2 = 1.0
# a candidate's name is compared with its print drawn as the PDF draws it, softened as a camera does (Gaussian sigma
# in pixels, the one that fits best; measured on deck frames: 1.2-2.0 at 1080p; 0, the print as drawn, for a phone's
# 12 MP photo, whose letters read crisper than any softened print: without it 5 of 30 clean ballots were in doubt)
# and moved to where it fits best, within NAME_SHIFT_PX (a wide lens bends the page's edges, where names are, by up
# to 9 px: measured)
NAME_SOFTEN_PX = (0.0, 0.8, 1.2, 1.7, 2.3, 3.0, 4.0)
# A phone, and many webcams, sharpen their pictures: the letters' strokes then read darker than any softened print
# (measured: clean choose-K ballots under a mild unsharp mask, amount 0.5-1.0 over 1-1.5 px, 3 of 60 sent to a
# person for ticks over names nobody drew, the new dark lying along the letters). Before a stroke over a name is
# believed, each softened print is tried sharpened too: print + amount x (print - print blurred by
# NAME_SHARPEN_PX), for each amount (see `_sharp_prints`)
NAME_SHARPEN = (0.8, 1.6)
NAME_SHARPEN_PX = 1.5
# ... only on a picture that shows it: of its names read clean (up to the second number), at least the first number
# and NAME_SHARPENED_SHARE of them fit a sharpened print better than any plain one, by NAME_SHARPENED_FIT (their sum
# of squared differences). Measured on clean choose-K ballots: names fitting so 0.28 of all on plain webcam pictures,
# 0.79 on sharpened ones; tried on every picture, the sharpened prints hid 3 of 100 ticks drawn over names
NAME_SHARPENED_SEEN = (2, 4)
NAME_SHARPENED_SHARE = 2 / 3
NAME_SHARPENED_FIT = 0.95
NAME_SHIFT_PX = 16
# ink beside a name's place, where the name's print fits within this much, is that print (see `_moved_name`;
# measured: the deck's wide lens moves names at a page's edge by 12-20 px); the print is drawn this much wider
NAME_MOVED_PX = 24
# over a name, new dark of this many times LABEL_TICK_MM2 reaching this far is a pen's stroke too: a cross over a soft
# name's letter shows new dark only where it leaves the letter (measured: 49 px, 2 mm across; a stray dot is 1.2 mm,
# 18 px)
NAME_STROKE_TICKS = 2.5
NAME_STROKE_MIN_MM = 1.5
# when this many names at least, and more than this share of the names compared (found within reach), show a
# stroke, the page's names do not look like their print as this reader draws it: forms printed with a font (--font)
# this machine does not have (the reader draws with the font it finds). Nothing is said of them, rather than sending
# every ballot to a person; a voter ticking two thirds of the unmarked rows' names instead of boxes is not seen (on a
# ballot with no box marked, blank, it goes to a person anyway). Measured with a print whose letters are a pixel
# thinner than the forms': 10 of 10 clean ballots in doubt without this, none with it
NAME_MOST = (3, 2 / 3)
NAME_PIECE_PX = 6  # new dark over a name in pieces smaller than this is a noisy picture's specks (a 2 x 2 speck: 4)
STRUCK_FILL = 0.7
STRUCK_RING = 0.2
MIN_CONTRAST = 0.25  # white minus black of the calibration strip, after flat-field correction
# A crease (a ballot folded for the ballot box, flattened again): a straight faint line edge to edge. Candidates are
# straight runs (60 mm or more, gaps up to 20 mm) of pixels between 0.1 and 0.45 of the ink scale on a 2 px/mm copy,
# away from boxes, markers, table lines and handwriting; a candidate is a crease when, sampled every 0.5 mm along
# the whole page on bare paper, at least 70 % of its length is that dark (a row of printed text or a ruled pen line
# is not: it stops, or it is darker than 0.5). Its shadow, measured across it part by part along it, is taken
# away where it lies (see _uncrease): paper under it reads as paper, a pen stroke crossing it stays.
CREASE_SEEN = 0.07
CREASE_PX_PER_MM = 1
CREASE_MIN_MM = 60
CREASE_ALONG = 0.7
CREASE_WIDTH_MM = 3.0
CREASE_DARKEST = 0.45
CREASE_EDGE_MM = 5.0
CREASE_CANDIDATES = 40  # straight runs tried, at most (a far sheet's blurred rows of text are runs too: measured,
# a crease came 15th after them)
CREASE_REACH_MM = 4.0  # a crease's shadow is looked for this far either side of its centre
CREASE_PART_PX = 40  # the shadow is measured in parts of 10 mm along the fold (with its neighbours', 30 mm)
CREASE_SHOULDER = 0.02  # and reaches as far as it stands this much above the paper beyond it
CREASE_INK_ABOVE = 0.15  # a pixel this much darker than the shadow under it is ink, kept as it is
# A straight line through the whole reading window, edge to edge, darker than a fold's shadow: a printer's fault (a
# scratched drum or a dirty corona wire draws one down every copy) or a scanner's (dust on the glass of a sheet-fed
# scanner draws one down every page). It is no voter's mark, yet where it runs through a column or a row of boxes
# each of them looks marked. The boxes it crosses (within DEFECT_REACH_MM) that read as marked are in doubt: a person
# looks. Found as a crease is, as a straight run of ink on a 1 px/mm copy, here on paper clear of print by
# DEFECT_CLEAR_MM (a page a pixel off its place shows a printed line's edge beside it) and of handwriting; in a
# dense table that is only below it and between its parts (DEFECT_MIN_MM, DEFECT_GAP_MM). Then it is checked at full
# resolution along the whole window: on at least CREASE_ALONG of its clear paper, darker than DEFECT_DARK at its
# median, and its centre fitted along it. Measured with a line 0.1-1.5 mm wide, darkness 0.4-0.95, through a column
# of boxes (five forms, webcam frames): 1 of 200 sheets counted wrong before (and 2 of 100 with the line across the
# sheet), none of 500 after; the deck's 1,040 frames (folds, creases) read the same. A line across the sheet that
# runs along a table's printed row line is hidden by the print along most of its length: it is also looked for at
# each marked box (LINE_*): 4 of 300 such sheets (公选 PX ballots) were still counted wrong without that, none with.
DEFECT_DARK = 0.4  # folds measure 0.25-0.3 (see BESIDE_DARK); a pen line 0.44-0.88
DEFECT_REACH_MM = 1.5  # a box within this of the line is crossed by it
DEFECT_CLEAR_MM = 1.5
# and at each marked box: a row (or a column) of its inside inked on at least LINE_ALONG of the paper from LINE_GAP_MM
# to LINE_BESIDE_MM out of it, on both sides (see _lined_boxes)
LINE_GAP_MM = 2.5
LINE_BESIDE_MM = 10.0
LINE_ALONG = 0.8
# and a line on one side only (a voter striking a candidate's row, see _struck_through): within LINE_BAND_MM of the
# box's rows, ink in LINE_ALONG of the paper's columns there, moving at most LINE_STEP_PX from one to the next, and
# the box's inside inked across LINE_INSIDE of its width
LINE_BAND_MM = 2.0
LINE_STEP_PX = 2
LINE_INSIDE = 0.6
# words written along a row over a box (see _written_beside): more pen ink than this on the paper beside a marked
# box, within WRITTEN_BAND_MM of its rows
WRITTEN_MM2 = 3.0
WRITTEN_BAND_MM = 1.0
# a round seal stamped over boxes (see _seals): a ring of this radius, darker than SEAL_DARK on SEAL_SEEN of the clear
# paper along it; a marked box whose centre lies within the radius and SEAL_REACH_MM is in doubt
SEAL_RADIUS_MM = (17, 23)  # a seal (公章) is 38-45 mm across
SEAL_DARK = 0.25  # its ink is uneven: measured 0.3-0.6 along its ring (folds are straight, not round)
SEAL_SEEN = 0.5
SEAL_REACH_MM = 3.5
DEFECT_END_MM = 20  # a streak runs from end to end: seen this near both ends of the clear paper along it
DEFECT_GAP_MM = 60  # a line crossing a table is seen in pieces, between its rows and columns
DEFECT_MIN_MM = 40  # and in a dense table only where the paper is clear (below it, between its parts)


@dataclass(frozen=True)
class Thresholds:
    empty: float = 0.02
    marked: float = 0.12


@dataclass(frozen=True)
class BoxInk:
    fill: float  # share of the interior with pen ink
    faint: float  # darkness of the inner part's darkest 5%, above paper and above the page's empty boxes
    ring: float  # share of a ring just outside the box with ink
    state: str  # empty | marked | marginal | struck (crossed out)


@dataclass(frozen=True)
class PageInk:
    boxes: dict[str, BoxInk]
    zones: dict[str, float]  # ink share in handwriting zones (write-in names, free text, signatures)
    contrast: float
    _signed: np.ndarray | None = field(default=None, repr=False, compare=False)
    _rects: dict[str, Rect] = field(default_factory=dict, repr=False, compare=False)
    outlines: float = 1.0  # how plainly the page shows its printed box outlines (their median darkness)
    hidden: tuple[str, ...] = ()  # boxes whose outline cannot be seen: under a hand, another sheet, glare
    origin: tuple[int, int] = (0, 0)  # where _signed (the reading window) starts on the page, in pixels
    offset: float = 0.0  # how far the empty boxes' outlines lie from where the layout has them (px, see OFFSET_*)
    lines: int = 0  # marked boxes put in doubt by a straight line across the whole sheet (see DEFECT_*)
    drawn: int = 0  # marked boxes put in doubt by a straight line through them that does not cross the whole sheet
    sealed: int = 0  # marked boxes put in doubt by a round seal stamped over them (see SEAL_*)
    beside: int = 0  # boxes put in doubt by pen ink beside them in their row or over their answer's words (BESIDE_*)
    whited: int = 0  # boxes put in doubt because they are whited out, outline and all (see WHITED_*)
    stained: int = 0  # marked boxes put in doubt: light ink, broad or even: a stain, shading (STAIN_TIERS, _EVEN)

    @functools.cached_property
    def fingerprint(self) -> dict[str, bytes]:
        """Box id → 8x8 thumbnail of the ink around it, for every box that is not empty (made on demand:
        only a sheet being recorded needs it)."""
        out: dict[str, bytes] = {}
        if self._signed is None:
            return out
        for box_id, b in self.boxes.items():
            if b.state == "empty":
                continue
            gx0, gy0, gx1, gy1 = np.array(_outer(self._rects[box_id], 0.8)) - np.array([*self.origin, *self.origin])
            patch = np.clip(self._signed[max(0, gy0):gy1, max(0, gx0):gx1], 0.0, 1.0)
            thumb = cv2.resize(patch, (8, 8), interpolation=cv2.INTER_AREA)
            out[box_id] = (thumb * 255).astype(np.uint8).tobytes()
        return out


class LowContrast(Exception):
    def __init__(self, contrast: float) -> None:
        super().__init__(f"calibration contrast {contrast:.2f}")
        self.contrast = contrast


def _px(v: float) -> int:
    return round(v * PX_PER_MM)


def _inner(r: Rect, margin: float) -> tuple[int, int, int, int]:
    return _px(r.x + margin), _px(r.y + margin), _px(r.x + r.w - margin), _px(r.y + r.h - margin)


def _outer(r: Rect, grow: float) -> tuple[int, int, int, int]:
    return _px(r.x - grow), _px(r.y - grow), _px(r.x + r.w + grow), _px(r.y + r.h + grow)


def box_margin(r: Rect) -> float:
    return max(0.8, 0.12 * min(r.w, r.h))


@dataclass(frozen=True)
class _Prep:
    """Everything about a layout page that does not change from frame to frame, in canonical pixels."""

    printed: np.ndarray  # 1 where the blank form has print, or a box (ink there is not "around" a box)
    unlined: np.ndarray  # the same without the table's lines: strokes are followed across them
    ids: list[str]
    inner: np.ndarray  # (n, 4) x0 y0 x1 y1 of each box's interior
    inner_area: np.ndarray
    ring: np.ndarray  # (n, 4) the box grown by 1.6 mm
    edge: np.ndarray  # (n, 4) just past the part of the box masked as printed: where a stroke leaving it starts
    ring_area: np.ndarray  # bare paper within it
    centre: np.ndarray  # (n, 2) x y of each box's centre at 1 px/mm
    groups: list[tuple[np.ndarray, np.ndarray, np.ndarray]]  # same-size inner parts: box indexes, rows, cols
    zone_ids: list[str]
    zones: np.ndarray  # (m, 4)
    zone_area: np.ndarray
    outline_px: np.ndarray  # (n, 5, 24, 2) x y of points on each box's outline, and two pixels to either side
    crease_seen: np.ndarray  # at CREASE_PX_PER_MM: where a crease is looked for (not boxes, lines, handwriting)
    bare: np.ndarray  # bool: bare paper (no print, no handwriting zone), where a crease is checked along its length
    unprinted: np.ndarray  # 1 - printed (uint8)
    unprinted_small: np.ndarray  # its share in every 1 mm block (float32, at 1 px/mm)
    beside: np.ndarray | None = None  # uint8 0/1: the rows' blank parts, where ink beside a box is looked for
    rows: np.ndarray | None = None  # (k, 5) box index, then x0 y0 x1 y1 of its row's band (window pixels)
    words: np.ndarray | None = None  # (m, 4) where the letters are (window pixels): ink just past them is print
    repeated: tuple[np.ndarray, ...] = ()  # a label printed in many rows (满意 in every question): (n, 4) each
    beside_part: tuple[int, int, int, int] = (0, 0, 0, 0)  # x y w h: the part of the window the rows cover
    window: tuple[int, int, int, int] = (0, 0, 0, 0)  # the reading window in page pixels: x0 y0 x1 y1
    defect_seen: np.ndarray | None = None  # at 1 px/mm: where a printer's or scanner's line is looked for
    clear: np.ndarray | None = None  # bool: paper clear of print and handwriting (see DEFECT_CLEAR_MM)
    names: np.ndarray | None = None  # (k, 4) x0 y0 x1 y1: the words printed once in an option's row (a candidate's
    # name), where their letters are (window pixels)
    name_rows: tuple[np.ndarray, ...] = ()  # the boxes of each one's row
    printing: tuple[Page, float, float] | None = None  # the page and its size, to draw the names' print when needed
    digit: np.ndarray | None = None  # bool per box: a score sheet's digit bubble (small, its digit printed inside)

    @functools.cached_property
    def names_print(self) -> tuple[tuple[np.ndarray, np.ndarray], ...] | None:
        """Each name's print as the printer makes it, NAME_MOVED_PX wider all round: darkness 0-255 (uint8), softened
        as cameras see it ((len(NAME_SOFTEN_PX), h, w)), and its middle softness at half the resolution, darkness 0-1
        (the search for its place). Drawn the first time a name is looked at (a page whose rows all have marks never
        needs it); None without a font that has the page's characters."""
        if self.names is None or self.printing is None:
            return None
        from ballots.render import print_darkness
        return _names_print(print_darkness(*self.printing, PX_PER_MM), self.printing, self.names, self.window)


_PREPS: dict[tuple[str, int], _Prep] = {}
# Only the part of a page where something is read is rectified and measured: every box, handwriting zone and the
# calibration strip, with this much paper around them (the flat field's 9 mm closing, the paper level's blur, the
# strokes followed 8 mm back to a neighbour's mark all stay inside). A third of an A4 form's pixels (title,
# instructions, margins) is never looked at. All prep arrays are in the window's pixels.
WINDOW_MARGIN_MM = 12
MAX_PREPS = 24  # about 8 MB each on A4: every page of a large meeting's forms, bounded


def _prep(key: tuple[str, int], page: Page, width_mm: float, height_mm: float) -> _Prep:
    """Made once per (layout hash, page)."""
    if key in _PREPS:
        _PREPS[key] = _PREPS.pop(key)  # most recently used last
    else:
        while len(_PREPS) >= MAX_PREPS:
            _PREPS.pop(next(iter(_PREPS)))  # the least recently used page goes
        _PREPS[key] = _make_prep(page, width_mm, height_mm)
    return _PREPS[key]


def _clip(coords: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    coords = coords.copy()
    coords[:, [0, 2]] = np.clip(coords[:, [0, 2]], 0, shape[1])
    coords[:, [1, 3]] = np.clip(coords[:, [1, 3]], 0, shape[0])
    return coords


def reading_window(page: Page, width_mm: float, height_mm: float) -> tuple[int, int, int, int]:
    """The part of the page the reader reads (see WINDOW_MARGIN_MM), in whole millimetres: x0 y0 x1 y1."""
    rects = [b.rect for b in page.boxes] + list(page.calibration) + [z.rect for z in page.zones]
    m = WINDOW_MARGIN_MM
    x0 = max(0, math.floor(min(r.x for r in rects)) - m)
    y0 = max(0, math.floor(min(r.y for r in rects)) - m)
    x1 = min(math.floor(width_mm), math.ceil(max(r.x + r.w for r in rects)) + m)
    y1 = min(math.floor(height_mm), math.ceil(max(r.y + r.h for r in rects)) + m)
    return x0, y0, x1, y1


def prepare(pages: Sequence[tuple[tuple[str, int], Page, float, float]]) -> None:
    """Make layout pages' preps (key, page, width, height), and the print of their names, now rather than for the
    first frame that shows each page: drawing the print parses the forms' font (0.2-0.3 s), which a live camera's
    first ballot would otherwise wait. The pages' prints are drawn together (the font parsed once)."""
    from ballots.render import print_darkness_pages

    preps = [_prep(*one) for one in pages[:MAX_PREPS]]
    need = [p for p in preps if p.names is not None and p.printing is not None and "names_print" not in p.__dict__]
    for p, darkness in zip(need, print_darkness_pages([p.printing for p in need], PX_PER_MM), strict=True):
        assert p.names is not None and p.printing is not None
        p.__dict__["names_print"] = _names_print(darkness, p.printing, p.names, p.window)  # cached_property's place


def window_px(key: tuple[str, int], page: Page, width_mm: float, height_mm: float) -> tuple[int, int, int, int]:
    """The reading window of a layout page in page pixels (PX_PER_MM): x0 y0 x1 y1."""
    return _prep(key, page, width_mm, height_mm).window


def _make_prep(page: Page, width_mm: float, height_mm: float) -> _Prep:
    """The masks and coordinates on the whole page, then cut to the reading window."""
    full = _page_prep(page, width_mm, height_mm)
    wx0, wy0, wx1, wy1 = reading_window(page, width_mm, height_mm)
    f = int(PX_PER_MM)
    x0, y0, x1, y1 = wx0 * f, wy0 * f, wx1 * f, wy1 * f
    shift = np.array([x0, y0, x0, y0], np.int64)
    crop = (slice(y0, y1), slice(x0, x1))
    unprinted = np.ascontiguousarray(full.unprinted[crop])
    names, name_rows = _names_inside(full, (x0, y0, x1, y1))
    return _Prep(
        np.ascontiguousarray(full.printed[crop]), np.ascontiguousarray(full.unlined[crop]), full.ids,
        full.inner - shift, full.inner_area, full.ring - shift, full.edge - shift, full.ring_area,
        full.centre - np.array([wx0, wy0], np.int64),
        [(idx, rows - y0, cols - x0) for idx, rows, cols in full.groups],
        full.zone_ids, full.zones - shift, full.zone_area, full.outline_px - np.array([x0, y0], np.int64),
        np.ascontiguousarray(full.crease_seen[wy0 * CREASE_PX_PER_MM:wy1 * CREASE_PX_PER_MM,
                                              wx0 * CREASE_PX_PER_MM:wx1 * CREASE_PX_PER_MM]),
        np.ascontiguousarray(full.bare[crop]), unprinted,
        _block_means(cv2.integral(unprinted), unprinted.shape), np.ascontiguousarray(full.beside[crop]),
        full.rows - np.array([0, x0, y0, x0, y0], np.int64), full.words - shift,
        tuple(r - shift for r in full.repeated), cv2.boundingRect(np.ascontiguousarray(full.beside[crop])),
        (x0, y0, x1, y1), np.ascontiguousarray(full.defect_seen[wy0:wy1, wx0:wx1]),
        None if full.clear is None else np.ascontiguousarray(full.clear[crop]), names, name_rows,
        (page, width_mm, height_mm), full.digit)


def _names_inside(full: _Prep, window: tuple[int, int, int, int]) -> tuple[np.ndarray | None, tuple[np.ndarray, ...]]:
    """The names' letters inside the reading window (window pixels, at least 2 mm each way), and their rows' boxes."""
    x0, y0, x1, y1 = window
    if full.names is None or not len(full.names):
        return None, ()
    inside = _clip(full.names - np.array([x0, y0, x0, y0], np.int64), (y1 - y0, x1 - x0))
    big = (inside[:, 2] - inside[:, 0] >= 8) & (inside[:, 3] - inside[:, 1] >= 8)
    if not big.any():
        return None, ()
    return inside[big], tuple(r for r, keep in zip(full.name_rows, big, strict=True) if keep)


def _names_print(darkness: np.ndarray | None, printing: tuple[Page, float, float], names: np.ndarray,
                 window: tuple[int, int, int, int]) -> tuple[tuple[np.ndarray, np.ndarray], ...] | None:
    """See `_Prep.names_print`: made from the page's print (`darkness`, see ballots.render.print_darkness); `names`
    in window pixels, `window` in page pixels."""
    if darkness is None:
        return None
    _page, width_mm, height_mm = printing
    x0, y0 = window[:2]
    s = NAME_MOVED_PX
    shape = (_px(height_mm), _px(width_mm))
    whole = np.zeros((shape[0] + 2 * s, shape[1] + 2 * s), np.float32)  # the print s pixels wider all round
    h, w = min(shape[0], darkness.shape[0]), min(shape[1], darkness.shape[1])
    whole[s:s + h, s:s + w] = darkness[:h, :w]
    soft = [cv2.GaussianBlur(whole, (0, 0), sigma) if sigma else whole for sigma in NAME_SOFTEN_PX]
    out = []
    for nx0, ny0, nx1, ny1 in names:
        part = (slice(y0 + ny0, y0 + ny1 + 2 * s), slice(x0 + nx0, x0 + nx1 + 2 * s))
        prints = np.stack([t[part] for t in soft])
        middle = prints[len(NAME_SOFTEN_PX) // 2]
        prints = np.rint(prints * 255).astype(np.uint8)  # kept in a quarter of the memory (a step of 0.004)
        out.append((prints, cv2.resize(middle, (middle.shape[1] // 2, middle.shape[0] // 2),
                                       interpolation=cv2.INTER_AREA)))
    return tuple(out)


def _page_prep(page: Page, width_mm: float, height_mm: float) -> _Prep:
    shape = (_px(height_mm), _px(width_mm))

    def fill(mask: np.ndarray, r: Rect, grow: float) -> None:
        x0, y0, x1, y1 = _outer(r, grow)
        mask[max(0, y0):y1, max(0, x0):x1] = 1

    texts = np.zeros(shape, np.uint8)
    for t in page.texts:
        fill(texts, t.rect, 0.3)
    lines = np.zeros(shape, np.uint8)
    for ln in page.lines:
        cv2.line(lines, (_px(ln.x1), _px(ln.y1)), (_px(ln.x2), _px(ln.y2)), 1, max(1, _px(0.9)))
    fixed = np.zeros(shape, np.uint8)  # boxes, markers, the calibration strip and the code
    for b in page.boxes:
        fill(fixed, b.rect, 0.6)
    for r in (*[m.rect for m in page.markers], *page.calibration):
        fill(fixed, r, 0.8)
    fill(fixed, page.qr, 5.0)
    unlined = texts | fixed  # without the table's lines: a stroke crossing a line is still one stroke
    printed = unlined | lines
    open_sum = cv2.integral(1 - printed)
    boxes = page.boxes
    inner = _clip(np.array([_inner(b.rect, box_margin(b.rect)) for b in boxes], np.int64).reshape(-1, 4), shape)
    ring = _clip(np.array([_outer(b.rect, 1.6) for b in boxes], np.int64).reshape(-1, 4), shape)
    edge = _clip(np.array([_outer(b.rect, 0.9) for b in boxes], np.int64).reshape(-1, 4), shape)
    deep = _clip(np.array([_inner(b.rect, box_margin(b.rect) + 0.3) for b in boxes], np.int64).reshape(-1, 4), shape)
    by_size: dict[tuple[int, int], list[int]] = {}
    for i, (x0, y0, x1, y1) in enumerate(deep):
        if x1 - x0 >= 2 and y1 - y0 >= 2:
            by_size.setdefault((int(y1 - y0), int(x1 - x0)), []).append(i)
    groups = []
    for (h, w), members in by_size.items():
        idx = np.array(members)
        rows = deep[idx, 1][:, None, None] + np.arange(h)[None, :, None]
        cols = deep[idx, 0][:, None, None] + np.arange(w)[None, None, :]
        groups.append((idx, np.broadcast_to(rows, (len(idx), h, w)), np.broadcast_to(cols, (len(idx), h, w))))
    small = (max(1, shape[1] // int(PX_PER_MM)), max(1, shape[0] // int(PX_PER_MM)))
    centre = np.array([[min(int(b.rect.cx), small[0] - 1), min(int(b.rect.cy), small[1] - 1)] for b in boxes],
                      np.int64).reshape(-1, 2)
    zones = _clip(np.array([_inner(z.rect, 0.3) for z in page.zones], np.int64).reshape(-1, 4), shape)
    bare = printed == 0
    # where a crease is looked for: not the table's lines (outside texts), boxes, markers, calibration and code;
    # texts are (a crease crosses them)
    looked = ((fixed == 0) & ~((lines == 1) & (texts == 0))).astype(np.uint8)
    for x0, y0, x1, y1 in zones:
        bare[y0:y1, x0:x1] = False
        looked[y0:y1, x0:x1] = 0
    edge_px = _px(CREASE_EDGE_MM)
    looked[:edge_px], looked[-edge_px:], looked[:, :edge_px], looked[:, -edge_px:] = 0, 0, 0, 0
    crease_seen = cv2.resize(looked, (round(width_mm * CREASE_PX_PER_MM), round(height_mm * CREASE_PX_PER_MM)),
                             interpolation=cv2.INTER_AREA) > 0.5
    # a printer's or scanner's line is looked for on paper clear of print by DEFECT_CLEAR_MM (a page a pixel or two
    # off its place shows a printed line's edge beside it) and of handwriting; at 1 px/mm, blocks clear all through
    clear = cv2.dilate(printed, np.ones((2 * _px(DEFECT_CLEAR_MM) + 1,) * 2, np.uint8)) == 0
    for x0, y0, x1, y1 in zones:
        clear[y0:y1, x0:x1] = False
    clear[:edge_px], clear[-edge_px:], clear[:, :edge_px], clear[:, -edge_px:] = False, False, False, False
    defect_seen = cv2.resize(clear.view(np.uint8), (round(width_mm), round(height_mm)),
                             interpolation=cv2.INTER_AREA) > 0.99
    u = np.linspace(0.15, 0.85, 6)
    outline = []
    for b in boxes:
        r = b.rect
        pts = [(r.x + v * r.w, r.y, 0, 1) for v in u] + [(r.x + v * r.w, r.y + r.h, 0, 1) for v in u] + \
              [(r.x, r.y + v * r.h, 1, 0) for v in u] + [(r.x + r.w, r.y + v * r.h, 1, 0) for v in u]
        a = np.array(pts)
        outline.append([np.stack([np.clip(np.round(a[:, 0] * PX_PER_MM + k * a[:, 2]), 0, shape[1] - 1),
                                  np.clip(np.round(a[:, 1] * PX_PER_MM + k * a[:, 3]), 0, shape[0] - 1)], axis=-1)
                        for k in (-2, -1, 0, 1, 2)])
    outline_px = np.array(outline, np.int64).reshape(len(boxes), 5, 24, 2)
    unprinted = 1 - printed
    beside, rows, words, repeated, names, name_rows = _rows(page, shape, ring, zones, lines, fixed)
    return _Prep(printed, unlined, [b.id for b in boxes], inner, np.maximum(1, _areas(inner)), ring, edge,
                 _sums(open_sum, ring),
                 centre, groups, [z.id for z in page.zones], zones, _sums(open_sum, zones), outline_px, crease_seen,
                 bare, unprinted, _block_means(open_sum, shape), beside, rows, words,
                 repeated, defect_seen=defect_seen, clear=clear, names=names, name_rows=name_rows,
                 digit=np.array([b.mark.kind == "digit" for b in boxes], bool))


def _glyphs(t: Text) -> tuple[float, float, float, float]:
    """Where a text's letters lie (mm, x0 y0 x1 y1), from its lines and size as ballots.render sets them: a Chinese
    character (any letter beyond ASCII: full-width quotes are) is one em wide, a capital too, anything else at most
    0.65 em; with a millimetre to spare sideways, half a millimetre up and down. A text's rect is often its whole
    cell."""
    em = t.size * 25.4 / 72
    width = max((sum(em if ord(c) > 0x7F or c.isupper() else 0.65 * em for c in line) for line in t.lines),
                default=0.0)
    width = min(t.rect.w, width + 0.5)
    x = t.rect.x if t.align == "L" else t.rect.x + t.rect.w - width if t.align == "R" else \
        t.rect.x + (t.rect.w - width) / 2
    tall = min(t.rect.h, line_height(t.size) * len(t.lines))  # the lines are centred in the rect (ballots.render)
    y = t.rect.y + (t.rect.h - tall) / 2
    return x - 1.0, y - 0.5, x + width + 1.0, y + tall + 0.5


def _rows(page: Page, shape: tuple[int, int], ring: np.ndarray, zones: np.ndarray, lines: np.ndarray,
          fixed: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[np.ndarray, ...], np.ndarray,
                                      tuple[np.ndarray, ...]]:
    """Where ink beside an option's box is looked for (see BESIDE_*): every option's and answer's row band, less
    the boxes with their rings, the letters, the table's lines, the markers and code, the handwriting zones. And each
    band with its box's index; where the page's letters are (x0 y0 x1 y1); and the words printed in three rows or
    more (a survey's answers), where each is; and the words printed in a row once (a candidate's name), where their
    letters are (x0 y0 x1 y1), with the boxes of each one's row."""
    beside = np.zeros(shape, np.uint8)
    rows = []
    glyphs = [_glyphs(t) for t in page.texts]
    labels: dict[tuple, set[tuple[int, int]]] = {}  # the same words in several rows: where each is printed
    in_rows: dict[int, tuple] = {}  # the texts in an option's or answer's row: their words
    row_boxes: dict[int, list[int]] = {}  # and the boxes of their row
    for i, b in enumerate(page.boxes):
        if b.mark.kind not in ("option", "answer"):
            continue
        r = b.rect
        x0, x1 = r.x - BESIDE_REACH * r.w, r.x + (1 + BESIDE_REACH) * r.w
        for k, (t, g) in enumerate(zip(page.texts, glyphs, strict=True)):  # the row reaches its words: a name may
            if abs(t.rect.cy - r.cy) < 0.5 * r.h:  # sit far left
                x0, x1 = min(x0, g[0]), max(x1, g[2])
                in_rows[k] = (t.lines, t.size, t.align, round(t.rect.w, 2), round(t.rect.h, 2))
                row_boxes.setdefault(k, []).append(i)
                labels.setdefault(in_rows[k], set()).add((_px(g[0]), _px(g[1])))
        band = _clip(np.array([[_px(x0), _px(r.y - 0.15 * r.h), _px(x1), _px(r.y + 1.15 * r.h)]], np.int64), shape)[0]
        beside[band[1]:band[3], band[0]:band[2]] = 1
        rows.append([i, *band.tolist()])
    for x0, y0, x1, y1 in ring:
        beside[max(0, y0):y1, max(0, x0):x1] = 0
    for x0, y0, x1, y1 in zones:
        beside[max(0, y0):y1, max(0, x0):x1] = 0
    words = []
    for x0, y0, x1, y1 in glyphs:
        beside[max(0, _px(y0)):max(0, _px(y1)), max(0, _px(x0)):max(0, _px(x1))] = 0
        words.append([_px(x0), _px(y0), _px(x1), _px(y1)])
    beside &= 1 - (lines | fixed)
    repeated = []
    for (lines_, size, align, w, h), places in labels.items():
        if len(places) >= 3:  # one size in pixels for every copy: the words' box where the rect starts at 0
            g = _glyphs(Text(Rect(0, 0, w, h), lines_, size, align))
            pw, ph = _px(g[2]) - _px(g[0]), _px(g[3]) - _px(g[1])
            repeated.append(_clip(np.array([[x, y, x + pw, y + ph] for x, y in sorted(places)], np.int64), shape))
    once = [k for k, key in sorted(in_rows.items()) if len(labels[key]) < 3]
    names = _clip(np.array([words[k] for k in once], np.int64).reshape(-1, 4), shape)
    return (beside, np.array(rows, np.int64).reshape(-1, 5), np.array(words, np.int64).reshape(-1, 4), tuple(repeated),
            names, tuple(np.array(row_boxes[k], np.int64) for k in once))


def _beside(signed: np.ndarray, inked: np.ndarray, prep: _Prep, states: list[str]) -> list[int]:
    """Boxes a person must look at for pen ink beside them in their row (see BESIDE_*): their indexes. An empty box
    with ink beside it (a tick on the name or the answer's words instead of the box); a box, empty or marked, whose
    answer's words (满意 / 基本满意 / 不满意) have words written over them: a voter writing along the row, over the box
    and its words, where no bare paper beside the box shows the writing (see `_written_beside`). `inked`: 255 where
    `signed` is ink (INK)."""
    if prep.beside is None or not len(prep.rows):
        return []
    bx, by, bw, bh = prep.beside_part  # the rows are a part of the window
    on_labels, written = _marks_on_labels(signed, prep)
    seen = [(x, y, False) for x, y in on_labels + _marks_on_names(signed, prep, states)]
    seen += [(x, y, True) for x, y in written]
    if bw and bh:
        ink = cv2.bitwise_and(inked[by:by + bh, bx:bx + bw], prep.beside[by:by + bh, bx:bx + bw])
        if cv2.countNonZero(ink):  # the usual case is none: nothing to label
            seen += [(x, y, False) for x, y in _marks_beside(ink, (bx, by), signed, prep, states)]
    out: set[int] = set()
    rows = prep.rows
    for cx, cy, over_words in seen:
        inside = (rows[:, 1] <= cx) & (cx < rows[:, 3]) & (rows[:, 2] <= cy) & (cy < rows[:, 4])
        if not inside.any():
            continue
        candidates = rows[inside, 0]
        boxes = prep.inner[candidates]
        dx = np.maximum(0, np.maximum(boxes[:, 0] - cx, cx - boxes[:, 2]))
        dy = np.maximum(0, np.maximum(boxes[:, 1] - cy, cy - boxes[:, 3]))
        nearest = int(candidates[int(np.argmin(dx * dx + dy * dy))])
        if states[nearest] == "empty" or (over_words and states[nearest] == "marked"):
            out.add(nearest)
    return sorted(out)


def _marks_on_labels(signed: np.ndarray, prep: _Prep
                     ) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """Where a tick is drawn over an answer's words that every question repeats (满意 / 基本满意 / 不满意): each copy
    of the words is compared with the median of all its copies on this very page (same print, light and blur; a
    voter marks few of them). Ink that only one copy has, a pen's stroke in size and darkness, is a mark over the
    words: looked for with a pixel or two of misplacement forgiven, and with each copy fitted to the usual one and
    nothing forgiven (`_new_ink`: a tick in the letters' gaps). Returns (where those marks are, the centres of the
    copies with words written over them: LABEL_WRITTEN_MM2 more dark than the usual copy, the strokes lost in the
    letters' own)."""
    out, written = [], []
    reach = np.ones((5, 5), np.uint8)
    h, w = signed.shape
    least, area = BESIDE_MIN_MM * PX_PER_MM, BESIDE_AREA_MM2 * PX_PER_MM ** 2
    tick, words, s = LABEL_TICK_MM2 * PX_PER_MM ** 2, LABEL_WRITTEN_MM2 * PX_PER_MM ** 2, LABEL_SHIFT_PX
    for places in prep.repeated:
        inside = places[(places[:, 0] >= 0) & (places[:, 1] >= 0) & (places[:, 2] <= w) & (places[:, 3] <= h)]
        sizes = {(int(y1 - y0), int(x1 - x0)) for x0, y0, x1, y1 in inside}
        if len(inside) < 3 or len(sizes) != 1 or min(next(iter(sizes))) <= 2 * s + 2:
            continue  # (words too small to fit a copy within LABEL_SHIFT_PX: none of our forms prints them)
        copies = np.stack([signed[y0:y1, x0:x1] for x0, y0, x1, y1 in inside])
        median = np.median(copies, axis=0).astype(np.float32)
        # a tick over the letters, in their gaps: looked for where a copy has new dark as it lies (one pass over every
        # copy; measured: 12 % of the deck's copies, every copy a tick was drawn over), then with the copy fitted
        suspect = np.count_nonzero(_new_dark(copies, median), axis=(1, 2)) >= tick
        for (x0, y0, _x1, _y1), new in zip(inside[suspect], _new_ink(copies[suspect], median), strict=True):
            at = _stroke_centre(new)
            if at is not None:
                out.append((x0 + s + at[0], y0 + s + at[1]))
        dark = np.count_nonzero(copies > BESIDE_DARK, axis=(1, 2))
        excess = dark - _median(dark)
        more = excess >= area / 2  # a copy with a stroke more than the others: the usual case is none
        if not more.any():
            continue
        for x0, y0, x1, y1 in inside[excess >= words]:
            written.append((float(x0 + x1) / 2, float(y0 + y1) / 2))
        usual = cv2.dilate(median, reach)  # the words, forgiving 2 px
        for (x0, y0, _x1, _y1), copy in zip(inside[more], copies[more], strict=True):
            extra = _new_dark(copy, usual).astype(np.uint8)
            if np.count_nonzero(extra) < area:
                continue
            # a stroke across the letters is cut where it crosses theirs: its pieces are joined again
            extra = cv2.morphologyEx(extra, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
            _n, _l, stats, centres = cv2.connectedComponentsWithStats(extra, connectivity=8)
            for k in range(1, len(stats)):
                if max(stats[k, 2], stats[k, 3]) >= least and stats[k, 4] >= area:
                    out.append((float(x0 + centres[k][0]), float(y0 + centres[k][1])))
    return out, written


def _marks_on_names(signed: np.ndarray, prep: _Prep, states: list[str]) -> list[tuple[float, float]]:
    """Where a tick is drawn over words printed once in an option's row (a candidate's name) whose boxes are all
    empty (a row with a mark in a box is not in doubt for ink beside it, see `_beside`): each such name, read, is
    compared with its print as the printer makes it, where and as softly as it fits best (`_name_fit`). Dark that the
    print has not there, a pen's stroke in size, darkness and length (as over an answer's words, `_new_ink`), and not
    specks (NAME_PIECE_PX), is a mark over the name."""
    if prep.names is None:
        return []
    out = []
    softness = None  # found on a name, then followed from name to name (a picture is about as soft all over)
    checked = 0
    clean, strokes = [], []  # (name's copy, its prints): names read clean; (the same, x0, y0, where): with a stroke
    for k, ((x0, y0, x1, y1), boxes) in enumerate(zip(prep.names, prep.name_rows, strict=True)):
        if any(states[i] != "empty" for i in boxes):
            continue
        drawn = prep.names_print
        if drawn is None:
            return []
        prints, coarse = drawn[k]
        copy = np.ascontiguousarray(signed[y0:y1, x0:x1])
        fit, fitted, _place = _name_fit(copy, prints, coarse, softness)
        at = None if fit is None else _name_stroke(copy, fit)
        if at is not None and softness is not None:  # a stroke is only believed with every softness tried
            fit, fitted, _place = _name_fit(copy, prints, coarse, None)
            at = None if fit is None else _name_stroke(copy, fit)
        if fit is not None and at is None:
            softness = fitted  # a name read clean tells how soft the picture is here
            clean.append((copy, drawn[k]))
        if at is not None:
            strokes.append((copy, drawn[k], x0, y0, at))
        checked += fit is not None
    sharpened = bool(strokes) and _sharpened(clean)
    for copy, (prints, coarse), x0, y0, at in strokes:
        if sharpened:  # a sharpened picture: a stroke is only believed with each print sharpened too
            fit, _fitted, _place = _name_fit(copy, prints, coarse, None, sharpened=_sharp_prints(prints))
            at = None if fit is None else _name_stroke(copy, fit)
        if at is not None:
            out.append((x0 + at[0], y0 + at[1]))
    if len(out) >= NAME_MOST[0] and len(out) > NAME_MOST[1] * checked:
        return []  # the names do not look like the print this reader draws (forms printed with another font)
    return out


def _sharp_prints(prints: np.ndarray) -> np.ndarray:
    """A name's prints (uint8, see `_Prep.names_print`) each sharpened by each of NAME_SHARPEN, darkness as signed
    (float32; their rims lighter than the paper, below 0, as a sharpened picture's are: a pen's tick over a name in
    a picture that was not sharpened has none, and fits them no better): (len(NAME_SHARPEN) x len(prints), h, w)."""
    out = []
    for amount in NAME_SHARPEN:
        for t in prints:
            t = t.astype(np.float32) * np.float32(1 / 255)
            out.append(t + amount * (t - cv2.GaussianBlur(t, (0, 0), NAME_SHARPEN_PX)))
    return np.stack(out)


def _sharpened(clean: list[tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]]) -> bool:
    """Whether the page's picture was sharpened (see NAME_SHARPEN), as its names read clean show it: most of them
    (NAME_SHARPENED_SEEN) fit their print sharpened clearly better than any plain print (NAME_SHARPENED_FIT)."""
    seen = clean[:NAME_SHARPENED_SEEN[1]]
    better = 0
    for copy, (prints, coarse) in seen:
        plain = _name_best(copy, prints, coarse, None)[3]
        best = _name_best(copy, prints, coarse, None, sharpened=_sharp_prints(prints), only_sharpened=True)[3]
        better += best < NAME_SHARPENED_FIT * plain
    return better >= NAME_SHARPENED_SEEN[0] and better >= NAME_SHARPENED_SHARE * len(seen)


def _name_fit(copy: np.ndarray, prints: np.ndarray, coarse: np.ndarray, softness: int | None,
              reach: int = NAME_SHIFT_PX, *, sharpened: np.ndarray | None = None
              ) -> tuple[np.ndarray | None, int | None, tuple[int, int]]:
    """`_name_best` without its misfit."""
    fit, fitted, place, _misfit = _name_best(copy, prints, coarse, softness, reach, sharpened)
    return fit, fitted, place


def _name_best(copy: np.ndarray, prints: np.ndarray, coarse: np.ndarray, softness: int | None,
               reach: int = NAME_SHIFT_PX, sharpened: np.ndarray | None = None, only_sharpened: bool = False
               ) -> tuple[np.ndarray | None, int | None, tuple[int, int], float]:
    """A name's print (`_Prep.names_print`: `prints`, `coarse`) where and as softly as it fits the name read
    (`copy`): its place found at half the resolution by the shape alone (normed correlation: a softer print's lesser
    dark does not make it fit better where the letters are not), then to the pixel with each softness, or only with
    those next to `softness` (an index into NAME_SOFTEN_PX: what the last name read clean fitted). Returns the print
    so fitted, its softness and where it lies off the name's place (dy dx, px); (None, None, (0, 0)) when the best
    place is at the edge of `reach` (px, even, NAME_MOVED_PX at most): the name is not found within reach (a page
    bent where no box shows it, a hand over it), nothing can be said. `sharpened`: the same prints sharpened (see
    NAME_SHARPEN), tried too (only them: `only_sharpened`); the softness returned is the plain print's. Last, the fit's
    misfit (its sum of squared differences; inf when nothing fits)."""
    s, r = reach, 2
    h, w = copy.shape
    if reach < NAME_MOVED_PX:  # the print drawn NAME_MOVED_PX wider: only `reach` of it
        o = NAME_MOVED_PX - reach
        prints = prints[:, o:prints.shape[1] - o, o:prints.shape[2] - o]
        if sharpened is not None:
            sharpened = sharpened[:, o:sharpened.shape[1] - o, o:sharpened.shape[2] - o]
        coarse = coarse[o // 2:o // 2 + prints.shape[1] // 2, o // 2:o // 2 + prints.shape[2] // 2]
    small = cv2.resize(copy, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    likeness = cv2.matchTemplate(coarse, small, cv2.TM_CCOEFF_NORMED)
    cy, cx = np.unravel_index(int(np.nan_to_num(likeness, nan=-1.0).argmax()), likeness.shape)
    ty, tx = min(max(0, 2 * int(cy) - r), 2 * s - 2 * r), min(max(0, 2 * int(cx) - r), 2 * s - 2 * r)
    plain = len(NAME_SOFTEN_PX)  # the plain prints; then the same sharpened by each of NAME_SHARPEN (`sharpened`)
    tried = list(range(plain) if softness is None else range(max(0, softness - 1), min(plain, softness + 2)))
    if sharpened is not None:
        tried = ([] if only_sharpened else tried) + \
            [i + plain * (k + 1) for k in range(len(NAME_SHARPEN)) for i in tried]
    best, fit, place = np.inf, None, (0, 0)
    for i in tried:  # each softness, around the place found
        if i < plain:
            near = prints[i, ty:ty + h + 2 * r, tx:tx + w + 2 * r].astype(np.float32) * np.float32(1 / 255)
        else:
            near = sharpened[i - plain, ty:ty + h + 2 * r, tx:tx + w + 2 * r].astype(np.float32)
        misfit = cv2.matchTemplate(near, copy, cv2.TM_SQDIFF)
        if float(misfit.min()) < best:
            best = float(misfit.min())
            dy, dx = np.unravel_index(int(misfit.argmin()), misfit.shape)
            fit, place, softness = near[dy:dy + h, dx:dx + w], (int(ty + dy) - s, int(tx + dx) - s), i % plain
    if fit is None or max(abs(place[0]), abs(place[1])) >= s - 1:
        return None, None, (0, 0), np.inf
    return fit, softness, place, best


def _name_stroke(copy: np.ndarray, fit: np.ndarray) -> tuple[float, float] | None:
    """Where (x y in `copy`) a pen's stroke over a name lies that its fitted print has not, or None: new dark
    (`_new_dark`) opened by 2 x 2, not specks (`_stroke_centre` with NAME_PIECE_PX)."""
    new = cv2.morphologyEx(_new_dark(copy, fit).astype(np.uint8), cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    return _stroke_centre(new, NAME_PIECE_PX)


def _stroke_centre(new: np.ndarray, piece: int = 0) -> tuple[float, float] | None:
    """Where (x y in `new`) new dark over printed words (0 or 1, opened) is a pen's stroke, not a dot, or None:
    LABEL_TICK_MM2 in all and BESIDE_MIN_MM across, counting only its pieces of `piece` pixels or more (all when 0).
    Over a name (`piece`), NAME_STROKE_TICKS times LABEL_TICK_MM2 reaching NAME_STROKE_MIN_MM is one too."""
    tick = LABEL_TICK_MM2 * PX_PER_MM ** 2
    if np.count_nonzero(new) < tick:
        return None
    if piece:
        _n, labels, stats, _c = cv2.connectedComponentsWithStats(new, connectivity=8)
        pieces = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] >= piece)
        new = np.isin(labels, pieces[pieces > 0])
    ys, xs = np.nonzero(new)
    if len(xs) < tick:
        return None
    across = max(np.ptp(xs), np.ptp(ys)) + 1
    if across < BESIDE_MIN_MM * PX_PER_MM and not (piece and len(xs) >= NAME_STROKE_TICKS * tick
                                                   and across >= NAME_STROKE_MIN_MM * PX_PER_MM):
        return None
    return float(xs.mean()), float(ys.mean())


def _new_dark(copy: np.ndarray, usual: np.ndarray) -> np.ndarray:
    """Where `copy` (of an answer's words, or several stacked) has a pen's dark that `usual` has not: dark as a pen's
    stroke (BESIDE_DARK), and half that darker than the usual copy there."""
    return (copy > BESIDE_DARK) & (copy - usual > BESIDE_DARK / 2)


def _new_ink(copies: np.ndarray, usual: np.ndarray) -> list[np.ndarray]:
    """Per copy of an answer's words (n, h, w), the dark it has that the page's usual copy has not: each copy moved
    first by the whole-pixel shift, up to LABEL_SHIFT_PX, that fits it best to the usual copy, so that no forgiving
    dilation is needed (a tick over the letters falls in their gaps, which a dilation fills), then opened by 2 x 2
    (the one-pixel slivers a part-pixel misfit leaves along the letters' edges go). Each (h - 2s, w - 2s), 0 or 1."""
    s = LABEL_SHIFT_PX
    _n, h, w = copies.shape
    core = np.ascontiguousarray(usual[s:h - s, s:w - s])
    opening = np.ones((2, 2), np.uint8)
    out = []
    for copy in copies:
        misfit = cv2.matchTemplate(np.ascontiguousarray(copy), core, cv2.TM_SQDIFF)  # (2s + 1, 2s + 1): every shift
        dy, dx = np.unravel_index(int(misfit.argmin()), misfit.shape)
        best = copy[dy:dy + h - 2 * s, dx:dx + w - 2 * s]
        new = _new_dark(best, core).astype(np.uint8)
        out.append(cv2.morphologyEx(new, cv2.MORPH_OPEN, opening))
    return out


def _marks_beside(ink: np.ndarray, at: tuple[int, int], signed: np.ndarray, prep: _Prep,
                  states: list[str]) -> list[tuple[float, float]]:
    """Where pen marks lie on the rows' blank paper (`ink`: the rows' part of the window, from `at`): dark strokes,
    not a dot, a ruled line, a fold's shadow, the spill of a box's own mark (`states`), a letter off its place or a
    blob (a hand, a shadow, another sheet's edge)."""
    ox, oy, ow, oh = cv2.boundingRect(ink)
    ink = ink[oy:oy + oh, ox:ox + ow]
    ox, oy = ox + at[0], oy + at[1]
    # Grana's labelling: 1.3 ms on a whole reading window, OpenCV's default 4 ms on one core (measured)
    _n, labels, stats, centres = cv2.connectedComponentsWithStatsWithAlgorithm(ink, 8, cv2.CV_32S, cv2.CCL_GRANA)
    w, h, a = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT], stats[1:, cv2.CC_STAT_AREA]
    long, short = np.maximum(w, h), np.minimum(w, h)
    mm, mm2 = PX_PER_MM, PX_PER_MM ** 2
    keep = (long >= BESIDE_MIN_MM * mm) & (a >= BESIDE_AREA_MM2 * mm2)  # not a dot or a speck
    keep &= ~((short <= 1.5 * mm) & (long >= 8 * short))  # not a ruled line (a table's line off its place)
    keep &= (long <= BESIDE_MAX_MM * mm) & ~((a >= 25 * mm2) & (a >= 0.5 * w * h))  # strokes, not a blob
    out = []
    fits: dict[int, tuple] = {}  # each name's print fitted once (see _moved_name)
    for k in np.flatnonzero(keep) + 1:
        x, y, w_, h_ = (int(v) for v in stats[k, :4])
        x, y = x + ox, y + oy
        if any(states[i] != "empty" for i in np.flatnonzero(_near(prep.edge, x, y, w_, h_, 1))):
            continue  # it touches a box with ink: that box's own mark running over its edge (its ring tells)
        lx, ly = x - ox, y - oy
        mine = labels[ly:ly + h_, lx:lx + w_] == k
        part = signed[y:y + h_, x:x + w_][mine]
        if float(np.partition(part, int(0.9 * (part.size - 1)))[int(0.9 * (part.size - 1))]) < BESIDE_DARK:
            continue  # no darker than a fold's shadow: a crease crossing the row, not a pen
        ys, xs = np.nonzero(mine)
        if _moved_name(signed, prep, xs + x, ys + y, fits):
            continue  # a candidate's name moved off its place by a wide lens: its print, not a pen
        touching = prep.words[_near(prep.words, x, y, w_, h_, 2)]
        if len(touching):  # next to letters: a mark reaches well out of them, a letter off its place (a bent page,
            # a wide lens) only a little
            reach = np.max(np.stack([touching[:, 0] - x, x + w_ - touching[:, 2], touching[:, 1] - y,
                                     y + h_ - touching[:, 3]]), axis=0)
            if int(reach.min()) < BESIDE_PAST_WORDS_MM * mm:
                continue
        out.append((float(centres[k][0]) + ox, float(centres[k][1]) + oy))
    return out


def _moved_name(signed: np.ndarray, prep: _Prep, xs: np.ndarray, ys: np.ndarray, fits: dict[int, tuple]) -> bool:
    """Whether ink beside the boxes (at `xs`, `ys`: window pixels) is a candidate's name seen off its place: a wide
    lens bends the page's edges, where names are, by up to NAME_MOVED_PX, and a letter moved out of the name's place
    is ink on the row's blank paper (measured: a rating form's name, its last letter 2 mm off, sent a clean sheet to
    review). It is when a name near it, its print fitted where it fits best (`_name_fit`), is dark there (half a
    pen's BESIDE_DARK at the median of the ink's pixels: a moved letter's print lies under it, measured 0.41-0.48; a
    tick beside a name has none, 0.0) and leaves no pen's stroke (`_new_dark`: LABEL_TICK_MM2 of dark the print has
    not). `fits`: the names' fitted prints by index, filled as they are needed (one page's ink beside, many pieces)."""
    if prep.names is None or not len(prep.names) or not len(xs):
        return False
    x0, y0 = int(xs.min()), int(ys.min())
    near = np.flatnonzero(_near(prep.names, x0, y0, int(xs.max()) + 1 - x0, int(ys.max()) + 1 - y0, NAME_MOVED_PX))
    drawn = prep.names_print if len(near) else None
    if drawn is None:
        return False
    s = NAME_MOVED_PX
    for j in near:
        nx0, ny0, nx1, ny1 = (int(v) for v in prep.names[j])
        prints, coarse = drawn[j]
        if j not in fits:
            fits[j] = _name_fit(np.ascontiguousarray(signed[ny0:ny1, nx0:nx1]), prints, coarse, None, s)
        fit, softness, (dy, dx) = fits[j]
        if fit is None or softness is None:
            continue
        py, px = ys - ny0 + s + dy, xs - nx0 + s + dx  # where the fitted print has these pixels
        if py.min() < 0 or px.min() < 0 or py.max() >= prints.shape[1] or px.max() >= prints.shape[2]:
            continue
        seen = signed[ys, xs]
        usual = prints[softness, py, px].astype(np.float32) * np.float32(1 / 255)
        if _median(usual) >= BESIDE_DARK / 2 and \
                np.count_nonzero(_new_dark(seen, usual)) < LABEL_TICK_MM2 * PX_PER_MM ** 2:
            return True
    return False


def _near(rects: np.ndarray, x: int, y: int, w: int, h: int, margin: int) -> np.ndarray:
    """Which rects (x0 y0 x1 y1) come within `margin` pixels of the box x y w h."""
    return (x - margin <= rects[:, 2]) & (x + w + margin >= rects[:, 0]) & (y - margin <= rects[:, 3]) & \
        (y + h + margin >= rects[:, 1])


def _areas(c: np.ndarray) -> np.ndarray:
    return (c[:, 2] - c[:, 0]) * (c[:, 3] - c[:, 1])


def _to_mm(image: np.ndarray) -> np.ndarray:
    """The page at 1 px/mm, every pixel the mean of its 4 x 4 block. A float page is halved twice, which OpenCV
    does seven times faster than one quartering (the same means); an 8-bit one is quartered at once: two halvings
    round twice, which moved a faint level across its limit on the test deck (one more clean sheet to review)."""
    h, w = image.shape
    f = int(PX_PER_MM)
    if f == 4 and h % 4 == 0 and w % 4 == 0 and image.dtype == np.float32:
        half = cv2.resize(image, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
        return cv2.resize(half, (w // 4, h // 4), interpolation=cv2.INTER_AREA)
    return cv2.resize(image, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA)


def _median(values: np.ndarray) -> float:
    """np.median of an array's values, exactly the same number (the middle one, or the mean of the middle two in the
    array's own float precision, integers in float64; NaN when there is one), without its overhead: 4-7 µs instead
    of 12-17, and a sheet asks for about ten."""
    v = values.ravel()
    if v.dtype.kind != "f":
        v = v.astype(np.float64)
    n = v.size
    if n == 0 or np.isnan(v).any():
        return float("nan")
    k = n // 2
    if n % 2:
        return float(np.partition(v, k)[k])
    part = np.partition(v, (k - 1, k))
    return float((part[k - 1] + part[k]) / 2)


def _percentile(values: np.ndarray, q: float) -> float:
    """np.percentile(values, q) of a flat float64 array, exactly (its linear interpolation between the two values
    around the virtual index, computed as numpy does), without its overhead: 1.6 µs instead of 22."""
    n = values.size
    at = (n - 1) * (q / 100)
    lo = math.floor(at)
    hi = min(lo + 1, n - 1)
    t = at - lo
    part = np.partition(values, (lo, hi))
    a, b = float(part[lo]), float(part[hi])
    diff = b - a
    return b - diff * (1 - t) if t >= 0.5 else a + diff * t


def _block_means(integral: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The mean of an image over every PX_PER_MM x PX_PER_MM block (its 1 px/mm copy), from its integral image:
    what cv2.resize(INTER_AREA) gives, without reading the page again."""
    f = int(PX_PER_MM)
    h, w = shape[0] // f * f, shape[1] // f * f
    corners = integral[0:h + 1:f, 0:w + 1:f]  # block sums taken in the integral's own integers: exact
    sums = corners[1:, 1:] - corners[:-1, 1:] - corners[1:, :-1] + corners[:-1, :-1]
    return sums.astype(np.float32) * np.float32(1.0 / (f * f))


def _sums(integral: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Sum of the image under each rectangle (x0 y0 x1 y1), from its integral image, all at once."""
    x0, y0, x1, y1 = c[:, 0], c[:, 1], c[:, 2], c[:, 3]
    return (integral[y1, x1] - integral[y0, x1] - integral[y1, x0] + integral[y0, x0]).astype(np.float64)


def light(page: np.ndarray) -> np.ndarray:
    """The paper's local white under the light, per pixel (8-bit, at least 1).

    The white is a morphological closing on a 1 px/mm copy: it removes dark things narrower than 9 mm
    (text, outlines, ticks, filled boxes) yet follows the light, and a shadow's edge, within a few mm."""
    h, w = page.shape
    white = cv2.morphologyEx(_to_mm(page), cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9)))
    white = cv2.max(cv2.GaussianBlur(white, (0, 0), 1.0), 1)  # (before the resize: a pass over the page less)
    return cv2.resize(white, (w, h), interpolation=cv2.INTER_LINEAR)


def ink_scale(page: np.ndarray, calibration: tuple[Rect, Rect], origin: tuple[int, int] = (0, 0)
              ) -> tuple[np.ndarray, float]:
    """The page as ink darkness: the light divided out (flat field), then scaled by the page's own calibration
    strip, 0 on its blank box and 1 on its solid one. `origin`: where `page` starts on the page, in pixels.
    Returns (signed page, float32; contrast)."""
    white_px = light(page)
    blank, solid = calibration

    def level(r: Rect) -> float:
        x0, y0, x1, y1 = np.array(_inner(r, 1.2)) - np.array([*origin, *origin])
        return _median(cv2.divide(page[y0:y1, x0:x1], white_px[y0:y1, x0:x1], dtype=cv2.CV_32F))

    white, black = level(blank), level(solid)
    contrast = white - black
    if contrast < MIN_CONTRAST:
        raise LowContrast(contrast)
    # (white - page / light) / contrast, in two passes
    signed = cv2.divide(page, white_px, scale=-1.0 / contrast, dtype=cv2.CV_32F)
    cv2.add(signed, white / contrast, dst=signed)
    return signed, contrast


def _paper_level(signed: np.ndarray, prep: _Prep, open_ink: np.ndarray, open_small: np.ndarray) -> np.ndarray:
    """The darkness of bare paper around every point, at 1 px/mm: a blur that ignores print and ink.
    Bare paper: not printed, not ink (`open_ink`: 1 on ink off the print); its share per 1 mm block comes from the
    share of open ink (`open_small`: per 1 mm block) the reader has already made."""
    # signed on bare paper, 0 elsewhere: copied through a mask in one pass (a threshold and a multiplication took
    # two passes over the float page, 0.7 ms against 0.25 at 1080p; the same numbers)
    on_paper = cv2.copyTo(signed, cv2.subtract(prep.unprinted, open_ink), np.zeros_like(signed))
    num = cv2.GaussianBlur(_to_mm(on_paper), (0, 0), 2.0)
    den = cv2.GaussianBlur(prep.unprinted_small - open_small, (0, 0), 2.0)
    return num / np.maximum(den, 1e-3)


def _faint_levels(signed: np.ndarray, prep: _Prep, level: np.ndarray, looks_empty: np.ndarray) -> np.ndarray:
    """Per box: its inner part's 95th-percentile darkness, above the paper around it, above the median of
    the page's empty-looking boxes of the same size (their outline halo, the blur, the light, the noise). A size
    with fewer than three empty-looking boxes (a question's three boxes a pixel off the others' size by rounding,
    one of them ticked) is measured against all the page's empty-looking boxes instead: without it, the picture's
    noise counted as faint ink there (measured: a survey question's empty boxes 0.007-0.014 above the others on
    average, up to 0.047; clean surveys went to review)."""
    raw = np.zeros(len(prep.ids))
    for idx, rows, cols in prep.groups:
        flat = signed[rows, cols].reshape(len(idx), -1)
        k = int(0.95 * (flat.shape[1] - 1))
        raw[idx] = np.partition(flat, k, axis=1)[:, k] - level[idx]
    everywhere = raw[looks_empty]
    page = _median(everywhere) if everywhere.size >= 3 else 0.0
    out = np.zeros(len(prep.ids))
    for idx, _rows, _cols in prep.groups:
        empties = raw[idx][looks_empty[idx]]
        out[idx] = raw[idx] - (_median(empties) if empties.size >= 3 else page)
    return out


def _robust(values: np.ndarray) -> tuple[float, float]:
    """The median of `values` and their robust deviation (1.4826 times the median absolute deviation: the standard
    deviation, were they normal)."""
    median = _median(values)
    return median, 1.4826 * _median(np.abs(values - median))


def _faint_limit(faint: np.ndarray, looks_empty: np.ndarray) -> np.ndarray:
    """Per box, the faint level above which an empty-looking box is in doubt on this page (see FAINT_*)."""
    limit = np.full(len(faint), FAINT_LEVEL)
    calm = np.flatnonzero(looks_empty & (faint < FAINT_LEVEL))
    if calm.size >= FAINT_PAGE_MIN:
        median, spread = _robust(faint[calm])
        limit[:] = min(FAINT_LEVEL, max(FAINT_FLOOR, median + FAINT_SPREAD * spread))
    if calm.size:  # the one box that stands clear of all the page's other empty-looking ones
        order = calm[np.argsort(faint[calm])]
        second = float(faint[order[-2]]) if order.size >= 2 else 0.0
        top = order[-1]
        limit[top] = min(limit[top], max(FAINT_FLOOR, max(second, 0.0) + FAINT_GAP))
        if calm.size >= FAINT_PAGE_MIN:  # or clear of the others by their own noise, on a calm page (FAINT_CALM_*)
            median, spread = _robust(faint[order[:-1]])
            spread = max(spread, FAINT_CALM_NOISE)
            clear = max(FAINT_CALM_FLOOR, median + FAINT_SPREAD * spread,
                        second + max(FAINT_CALM_GAP, FAINT_CALM_GAP_SPREAD * spread))
            limit[top] = min(limit[top], clear)
    return limit


def _own_ring(ring: np.ndarray, doubt: np.ndarray, marked: np.ndarray, strokes: np.ndarray, cut: np.ndarray,
              open_ink: np.ndarray, prep: _Prep) -> tuple[np.ndarray, np.ndarray]:
    """Ink around a box that belongs to a neighbour's mark is not this box's: a big tick or a cross drawn in a
    marked box often runs over its edge into the ring of the empty box beside it. Strokes are followed as
    connected ink outside the boxes (joined across the print where it cuts them: OWN_BRIDGE_PX; `cut` is the inked
    print); a stroke that leaves a marked box's edge is that mark's, and only the rest of the ring ink counts for the
    doubtful box (which stays in doubt when any of its own remains).
    Returns each box's own ring share and, for the doubtful ones, the longest piece of its own ring ink (px)."""
    out = ring.copy()
    longest = np.zeros(len(ring), np.int64)
    grow = _px(OWN_RING_REACH_MM)
    h, w = strokes.shape
    edges = prep.edge[marked]
    for i in np.flatnonzero(doubt):
        rx0, ry0, rx1, ry1 = prep.ring[i]
        own = open_ink[ry0:ry1, rx0:rx1].astype(bool)
        if len(edges):
            # strokes are followed near the box only (a stroke that leaves this window and comes back stays the
            # box's own: kept in doubt, the safe side), which costs a small part of labelling the whole page
            wx0, wy0, wx1, wy1 = max(0, rx0 - grow), max(0, ry0 - grow), min(w, rx1 + grow), min(h, ry1 + grow)
            near = np.ascontiguousarray(strokes[wy0:wy1, wx0:wx1])
            across = near | cut[wy0:wy1, wx0:wx1]  # a stroke's pixels, and inked print it may cross
            for _ in range(OWN_BRIDGE_PX):
                near = cv2.dilate(near, _EIGHT) & across
            n, labels = cv2.connectedComponents(near, connectivity=8)
            if n > 1:
                theirs = np.zeros(n, bool)
                for x0, y0, x1, y1 in edges:
                    x0, y0, x1, y1 = max(x0, wx0) - wx0, max(y0, wy0) - wy0, min(x1, wx1) - wx0, min(y1, wy1) - wy0
                    if x1 > x0 and y1 > y0:
                        theirs[np.unique(labels[y0:y1, x0:x1])] = True
                theirs[0] = False
                own &= ~theirs[labels[ry0 - wy0:ry1 - wy0, rx0 - wx0:rx1 - wx0]]
        count = int(np.count_nonzero(own))
        out[i] = count / max(float(prep.ring_area[i]), 1.0)
        if count:
            n, _labels, stats, _c = cv2.connectedComponentsWithStats(own.view(np.uint8), connectivity=8)
            longest[i] = int(stats[1:, cv2.CC_STAT_WIDTH:cv2.CC_STAT_HEIGHT + 1].max())
    return out, longest


def _spans(candidates: np.ndarray, w: int, h: int) -> Iterator[tuple[float, float, np.ndarray, np.ndarray,
                                                                          np.ndarray]]:
    """The straight lines found on a page of w x h pixels (x0 y0 x1 y1 each, in its pixels), one per direction and
    place (lines parallel and within 8 px of one tried before are the same), each across the whole page: its
    direction (ux, uy) and points along it every 0.5 mm, 4 px inside the page's edges (their places along the line,
    x, y). Lines crossing 40 mm of the page or less are left out."""
    tried: list[tuple[float, float, float]] = []
    for x0, y0, x1, y1 in candidates:
        length = float(np.hypot(x1 - x0, y1 - y0))
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        offset = x0 * uy - y0 * ux  # the line's signed distance from the origin, with its direction: one per line
        if any(abs(ux * a + uy * b) > 0.999 and abs(offset - o) < 8 for a, b, o in tried):
            continue
        tried.append((ux, uy, offset))
        with np.errstate(divide="ignore", invalid="ignore"):
            ends = np.array([(4 - x0) / ux, (w - 5 - x0) / ux, (4 - y0) / uy, (h - 5 - y0) / uy])
        lo = max(min(ends[0], ends[1]) if ux else -np.inf, min(ends[2], ends[3]) if uy else -np.inf)
        hi = min(max(ends[0], ends[1]) if ux else np.inf, max(ends[2], ends[3]) if uy else np.inf)
        if not hi - lo > 160:
            continue
        t = np.arange(lo, hi, 2.0)
        xs, ys = x0 + t * ux, y0 + t * uy
        inside = (xs >= 4) & (xs < w - 4) & (ys >= 4) & (ys < h - 4)
        yield ux, uy, t[inside], xs[inside], ys[inside]


def _uncrease(signed: np.ndarray, prep: _Prep) -> int:
    """Folds and creases are not ink. A ballot folded to go into the box comes back with a crease: a long, straight,
    faint shadow running from edge to edge, across boxes. Such lines are found (see CREASE_*), and their shadow is
    taken away from the pixels along them, in place. Returns how many creases were found."""
    h, w = signed.shape
    small = _to_mm(signed) if CREASE_PX_PER_MM == 1 else \
        cv2.resize(signed, (prep.crease_seen.shape[1], prep.crease_seen.shape[0]), interpolation=cv2.INTER_AREA)
    seen = (small > CREASE_SEEN) & (small <= CREASE_DARKEST) & prep.crease_seen
    f = CREASE_PX_PER_MM
    if np.count_nonzero(seen) < CREASE_MIN_MM * f / 2:
        return 0
    lines = cv2.HoughLinesP(seen.astype(np.uint8), 1, np.pi / 180, round(CREASE_MIN_MM * f / 2),
                            minLineLength=CREASE_MIN_MM * f, maxLineGap=20 * f)
    if lines is None:
        return 0
    found = 0
    candidates = lines.reshape(-1, 4)[:CREASE_CANDIDATES].astype(np.float64) * (PX_PER_MM / f)  # in 4 px/mm pixels
    for ux, uy, t, xs, ys in _spans(candidates, w, h):
        # sample the whole line across the page every 0.5 mm, at the darkest of +-1 mm across it, on bare paper
        ix, iy = xs.astype(np.int64), ys.astype(np.int64)
        on_bare = prep.bare[iy, ix]
        if np.count_nonzero(on_bare) < 40:
            continue
        shifts = np.arange(-4, 5)[:, None].astype(np.float64)  # all nine offsets across the line at once
        bx, by = xs[on_bare], ys[on_bare]
        profile = signed[np.clip(by + shifts * ux, 0, h - 1).astype(np.int64),
                         np.clip(bx - shifts * uy, 0, w - 1).astype(np.int64)]
        across = profile.max(axis=0)
        if np.mean((across > CREASE_SEEN) & (across <= CREASE_DARKEST + 0.1)) < CREASE_ALONG:
            continue  # it stops (a row of text) or it is ink (a ruled pen line)
        # follow the crease's own centre (the line found on the small copy may be off by a pixel or two, or turned)
        bt = t[on_bare]  # the bare samples' places along the line
        slope, base = np.polyfit(bt, shifts[profile.argmax(axis=0), 0], 1)
        k0, k1 = base + slope * t[0], base + slope * t[-1]
        start = (round(xs[0] - k0 * uy), round(ys[0] + k0 * ux))
        end = (round(xs[-1] - k1 * uy), round(ys[-1] + k1 * ux))
        local, half = _crease_profile(signed, bx, by, base + slope * bt, ux, uy, bt - t[0])  # along: from start
        # Where the shadow is, the crease is taken away: each pixel less its shadow there, so paper under the fold
        # reads as paper, with its noise, and a light tick across the fold keeps what it adds to the shadow, as on
        # bare paper (made paper, it was erased: measured, 5 of 111 light ticks crossed by a fold were read as
        # nothing, 2 after, at 2.1 px/mm or less). A pixel CREASE_INK_ABOVE darker than its shadow is ink, kept as
        # it is (a pen's tick across the fold stays as dark as it is seen). The band is drawn and applied within the
        # line's bounding box only (a whole-page mask per crease was 1 ms)
        pad = half + 1
        wx0, wy0 = max(0, min(start[0], end[0]) - pad), max(0, min(start[1], end[1]) - pad)
        wx1, wy1 = min(w, max(start[0], end[0]) + pad + 1), min(h, max(start[1], end[1]) + pad + 1)
        band = np.zeros((wy1 - wy0, wx1 - wx0), np.uint8)
        cv2.line(band, (start[0] - wx0, start[1] - wy0), (end[0] - wx0, end[1] - wy0), 1, 2 * half + 1)
        py, px = np.nonzero(band)
        py, px = py + wy0, px + wx0
        sx, sy = end[0] - start[0], end[1] - start[1]
        norm = max(float(np.hypot(sx, sy)), 1.0)
        across_px = np.rint(((py - start[1]) * sx - (px - start[0]) * sy) / norm).astype(np.int64)
        near = np.abs(across_px) <= half
        py, px, across_px = py[near], px[near], across_px[near]
        part = ((px - start[0]) * sx + (py - start[1]) * sy) / norm // CREASE_PART_PX
        shadow = local[np.clip(part.astype(np.int64), 0, len(local) - 1), across_px + local.shape[1] // 2]
        values = signed[py, px] - shadow
        signed[py, px] = np.where(values > CREASE_INK_ABOVE, signed[py, px], values)
        found += 1
    return found


def _paper_ink(open_small: np.ndarray, prep: _Prep) -> np.ndarray | None:
    """Ink on paper clear of print, at 1 px/mm (`open_small`: the share of ink off the print in every 1 mm block),
    where a printer's line or a seal is looked for; None when there is less than 1.5 DEFECT_MIN_MM of it (the usual
    case: no long run of ink on the paper), or the page has no such paper."""
    seen = prep.defect_seen
    if seen is None or prep.clear is None or open_small.shape != seen.shape:
        return None
    seen = (open_small > 0.15) & seen
    return seen if np.count_nonzero(seen) >= 1.5 * DEFECT_MIN_MM else None


def _defect_lines(signed: np.ndarray, prep: _Prep, seen: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, bool]]:
    """Straight lines through the reading window darker than a fold (see DEFECT_*): each as the points along it
    every 0.5 mm (x, y in window pixels), and whether it is a printer's or scanner's streak: down the sheet (the way
    printers and sheet-fed scanners move the paper) and seen within DEFECT_END_MM of both ends of the clear paper
    along it. A line a voter drew (through a candidate's row, across the ballot) is not called one. `seen`: the ink
    on paper clear of print (see _paper_ink); only it counts."""
    h, w = signed.shape
    clear = prep.clear
    assert clear is not None  # (_paper_ink gives no ink without it)
    lines = cv2.HoughLinesP(seen.astype(np.uint8), 2, np.pi / 180, round(DEFECT_MIN_MM * 3 / 4),
                            minLineLength=DEFECT_MIN_MM, maxLineGap=DEFECT_GAP_MM)
    if lines is None:
        return []
    found: list[tuple[np.ndarray, np.ndarray, bool]] = []
    for ux, uy, t, xs, ys in _spans(lines.reshape(-1, 4)[:CREASE_CANDIDATES].astype(np.float64) * PX_PER_MM, w, h):
        on_clear = clear[ys.astype(np.int64), xs.astype(np.int64)]
        if np.count_nonzero(on_clear) < 40:
            continue
        # the darkest of +-1 mm across the line, on paper clear of print
        shifts = np.arange(-4, 5)[:, None].astype(np.float64)
        bx, by = xs[on_clear], ys[on_clear]
        iy = np.clip(by + shifts * ux, 0, h - 1).astype(np.int64)
        ix = np.clip(bx - shifts * uy, 0, w - 1).astype(np.int64)
        profile = np.where(clear[iy, ix], signed[iy, ix], 0.0)
        across = profile.max(axis=0)
        there = across > CREASE_SEEN
        if np.mean(there) >= CREASE_ALONG and float(np.median(across[there])) > DEFECT_DARK:
            # the line's own centre (the run found on the 1 px/mm copy may be a pixel or two off, or turned): where
            # it is darkest across, fitted along the whole window, so that boxes far from where it was seen are met
            bt, clear_t = t[on_clear][there], t[on_clear]
            ends = _px(DEFECT_END_MM)
            whole = abs(uy) > abs(ux) and bool(bt.min() - clear_t.min() <= ends and clear_t.max() - bt.max() <= ends)
            if np.ptp(bt) > 40:
                slope, base = np.polyfit(bt, shifts[profile[:, there].argmax(axis=0), 0], 1)
                off = base + slope * t
                xs, ys = xs - off * uy, ys + off * ux
            found.append((xs, ys, whole))
    return found


def _seals(signed: np.ndarray, prep: _Prep, open_small: np.ndarray) -> list[tuple[float, float, float]]:
    """Round seals stamped on the sheet (an organisation's 公章: a ring of radius SEAL_RADIUS_MM, dark in grey when
    red): each as its centre and radius, in window pixels. Looked for as circles of ink off the print at
    1 px/mm, then checked at full resolution: the ring darker than SEAL_DARK on SEAL_SEEN of the paper clear of
    print along it. Looked for only when _paper_ink finds ink enough on clear paper."""
    clear = prep.clear
    assert clear is not None  # (_paper_ink gives no ink without it)
    image = (np.minimum(open_small, 1.0) * 255).astype(np.uint8)
    lo, hi = SEAL_RADIUS_MM
    circles = cv2.HoughCircles(image, cv2.HOUGH_GRADIENT, 1, 2 * lo, param1=100, param2=10, minRadius=lo,
                               maxRadius=hi)
    if circles is None:
        return []
    h, w = signed.shape
    angles = np.radians(np.arange(0, 360, 1.0))
    across = np.arange(-4, 5)[:, None].astype(np.float64)  # +-1 mm across the ring
    found: list[tuple[float, float, float]] = []
    for cx, cy, r in circles.reshape(-1, 3)[:8].astype(np.float64) * PX_PER_MM:
        radius = r + across
        xs = np.clip(cx + radius * np.cos(angles), 0, w - 1).astype(np.int64)
        ys = np.clip(cy + radius * np.sin(angles), 0, h - 1).astype(np.int64)
        on_clear = clear[ys, xs].all(axis=0)
        if np.count_nonzero(on_clear) < 30:  # a twelfth of the ring at least
            continue
        darkest = signed[ys, xs].max(axis=0)[on_clear]
        if np.mean(darkest > SEAL_DARK) >= SEAL_SEEN:
            found.append((float(cx), float(cy), float(r)))
    return found


def _crossed(lines: list[tuple[np.ndarray, np.ndarray, bool]], prep: _Prep) -> tuple[np.ndarray, np.ndarray]:
    """Which boxes (bool per box) a line found by _defect_lines runs through or passes within DEFECT_REACH_MM of:
    a line from end to end, and any line."""
    whole, out = np.zeros(len(prep.ids), bool), np.zeros(len(prep.ids), bool)
    reach = DEFECT_REACH_MM * PX_PER_MM
    x0, y0 = prep.inner[:, 0:1] - reach, prep.inner[:, 1:2] - reach
    x1, y1 = prep.inner[:, 2:3] + reach, prep.inner[:, 3:4] + reach
    for xs, ys, end_to_end in lines:
        met = ((xs[None, :] >= x0) & (xs[None, :] < x1) & (ys[None, :] >= y0) & (ys[None, :] < y1)).any(axis=1)
        out |= met
        if end_to_end:
            whole |= met
    return whole, out


def _beside_strips(lo: np.ndarray, hi: np.ndarray, limit: int) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Where a line running out of a box is looked for, along one axis (the box from `lo` to `hi`, the window `limit`
    long): LINE_GAP_MM to LINE_BESIDE_MM out of it before and after it, start and end of each (clipped)."""
    gap, reach = _px(LINE_GAP_MM), _px(LINE_BESIDE_MM)
    return ((np.maximum(lo - reach, 0), np.maximum(lo - gap, 0)),
            (np.minimum(hi + gap, limit), np.minimum(hi + reach, limit)))


def _lined_boxes(inked: np.ndarray, open_ink_sum: np.ndarray, prep: _Prep, marked: np.ndarray) -> np.ndarray:
    """Marked boxes a straight line runs through, seen at the box itself: ink running on straight out of the box on
    both sides, beyond its ring, along a row of its inside (or a column), LINE_BESIDE_MM far, on the paper there.
    A line the print hides along most of the sheet (one running along a table's row line) still shows there. A
    voter's tick or cross leaves a box slanted, and only on one side or in a few rows."""
    out = np.zeros(len(marked), bool)
    h, w = inked.shape
    gap = _px(LINE_GAP_MM)
    inner = prep.inner
    for axis in (0, 1):  # 0: a line across (left and right of the box), 1: a line down (above and below)
        (a0, a1), (b0, b1) = _beside_strips(inner[:, axis], inner[:, axis + 2], (w, h)[axis])
        c0, c1 = inner[:, 1 - axis], inner[:, 3 - axis]
        if axis == 0:
            left = _sums(open_ink_sum, np.stack([a0, c0, a1, c1], axis=1))
            right = _sums(open_ink_sum, np.stack([b0, c0, b1, c1], axis=1))
        else:
            left = _sums(open_ink_sum, np.stack([c0, a0, c1, a1], axis=1))
            right = _sums(open_ink_sum, np.stack([c0, b0, c1, b1], axis=1))
        # a line leaves at least 0.6 of each strip's length inked (the usual case: a few pixels, or none)
        maybe = marked & ~out & (left >= 0.6 * (a1 - a0)) & (right >= 0.6 * (b1 - b0)) & (a1 - a0 > gap) & \
            (b1 - b0 > gap)
        for i in np.flatnonzero(maybe):
            rows = []
            for s0, s1 in ((a0[i], a1[i]), (b0[i], b1[i])):
                if axis == 0:
                    ink, seen = inked[c0[i]:c1[i], s0:s1] > 0, prep.unprinted[c0[i]:c1[i], s0:s1] > 0
                else:
                    ink, seen = (inked[s0:s1, c0[i]:c1[i]] > 0).T, (prep.unprinted[s0:s1, c0[i]:c1[i]] > 0).T
                ink = ink & seen
                ink = ink | np.roll(ink, 1, axis=0) | np.roll(ink, -1, axis=0)  # a slanted line, a row either way
                share = ink.sum(axis=1) / np.maximum(seen.sum(axis=1), 1)
                rows.append((share >= LINE_ALONG) & (seen.sum(axis=1) >= 0.5 * (s1 - s0)))
            if np.any(rows[0] & rows[1]):
                out[i] = True
    return out


def _struck_through(inked: np.ndarray, open_ink_sum: np.ndarray, prep: _Prep, marked: np.ndarray) -> np.ndarray:
    """Marked boxes a line runs through from one side: a voter striking a line through a candidate's name, on
    through the box and a little past it (read as a tick, it counted a vote for the candidate struck out: 14 of 150
    such sheets). The line is seen beside the box, LINE_GAP_MM to LINE_BESIDE_MM out of it, within LINE_BAND_MM of
    the box's rows (slanted, or wobbly as a hand draws it): ink in nearly every column of the paper there, moving
    little from one column to the next, and on across the box's inside. A tick's or a cross's arm leaves a box
    steeply and stops a few millimetres out; handwriting zones are not looked at (a write-in's name)."""
    out = np.zeros(len(marked), bool)
    h, w = inked.shape
    gap, band = _px(LINE_GAP_MM), _px(LINE_BAND_MM)
    inner = prep.inner
    bare = prep.bare
    for axis in (0, 1):  # 0: a line across (the box's left or right), 1: a line down (above or below)
        c0 = np.maximum(inner[:, 1 - axis] - band, 0)
        c1 = np.minimum(inner[:, 3 - axis] + band, (h, w)[axis])
        for s0, s1 in _beside_strips(inner[:, axis], inner[:, axis + 2], (w, h)[axis]):
            rects = np.stack([s0, c0, s1, c1] if axis == 0 else [c0, s0, c1, s1], axis=1)
            # the quick test: a line leaves at least one pixel of ink in most columns (the usual case: none)
            maybe = marked & ~out & (s1 - s0 > gap) & (_sums(open_ink_sum, rects) >= 0.6 * (s1 - s0))
            for i in np.flatnonzero(maybe):
                x0, y0, x1, y1 = rects[i]
                ink = (inked[y0:y1, x0:x1] > 0) & bare[y0:y1, x0:x1]
                seen = bare[y0:y1, x0:x1]
                if axis == 1:
                    ink, seen = ink.T, seen.T
                cols = seen.sum(axis=0) >= 0.5 * ink.shape[0]  # columns mostly paper (not print) in the band
                if cols.sum() < 0.5 * ink.shape[1]:
                    continue
                inked_cols = ink.any(axis=0) & cols
                if inked_cols.sum() < LINE_ALONG * cols.sum():
                    continue
                rows = np.arange(ink.shape[0])[:, None]
                centre = (ink * rows).sum(axis=0)[inked_cols] / ink.sum(axis=0)[inked_cols]
                steady = np.abs(np.diff(centre)) <= LINE_STEP_PX  # one line, moving little column to column
                if steady.size == 0 or steady.mean() < LINE_ALONG:
                    continue
                bx0, by0, bx1, by1 = inner[i]
                inside = inked[by0:by1, bx0:bx1] > 0
                if (inside.any(axis=0) if axis == 0 else inside.any(axis=1)).mean() >= LINE_INSIDE:
                    out[i] = True
    return out


def _written_beside(open_ink_sum: np.ndarray, inked: np.ndarray, prep: _Prep, marked: np.ndarray) -> np.ndarray:
    """Marked boxes with more pen ink on the paper beside them in their row, LINE_GAP_MM to LINE_BESIDE_MM out on the
    left or the right, than a mark leaves there: a voter writing words along the row, over the box (同意 across its
    boxes, a comment), whose strokes the box reads as a tick (17 of 150 such sheets were counted). Only paper clear of
    print by DEFECT_CLEAR_MM counts (a page a pixel off its place shows the print's edges beside it), within
    WRITTEN_BAND_MM of the box's rows. Measured on the test deck's 6,277 marked boxes (big ticks, crosses, fills,
    hall damage): more than WRITTEN_MM2 there in 2, both on pages bent by a wide lens; in 16 of 17 boxes written
    across."""
    out = np.zeros(len(marked), bool)
    clear = prep.clear
    if clear is None or not marked.any():
        return out
    h, w = inked.shape
    band = _px(WRITTEN_BAND_MM)
    least = WRITTEN_MM2 * PX_PER_MM * PX_PER_MM
    x0, y0, x1, y1 = prep.inner.T
    rows0, rows1 = np.maximum(y0 - band, 0), np.minimum(y1 + band, h)
    for s0, s1 in _beside_strips(x0, x1, w):
        rects = np.stack([s0, rows0, s1, rows1], axis=1)
        # ink off the print there first (one lookup each): clear paper is part of it
        for i in np.flatnonzero(marked & ~out & (s1 > s0) & (_sums(open_ink_sum, rects) >= least)):
            a0, b0, a1, b1 = rects[i]
            if np.count_nonzero(inked[b0:b1, a0:a1][clear[b0:b1, a0:a1]]) >= least:
                out[i] = True
    return out


def _crease_profile(signed: np.ndarray, bx: np.ndarray, by: np.ndarray, centre: np.ndarray, ux: float, uy: float,
                    along: np.ndarray) -> tuple[np.ndarray, int]:
    """A crease's shadow across its line, part by part along it (CREASE_PART_PX long): the median darkness at every
    pixel's distance either side of its centre, out to CREASE_REACH_MM, sampled on bare paper (`bx`, `by`: the
    samples, `centre` their offset to the crease's centre, `along` their place along it). The shadow at each
    distance is the darkest of it and its two neighbours (the centre found may be a pixel off). Returns the shadow
    (parts x distances) and how far it reaches (px: as far as it stands CREASE_SHOULDER above the paper beyond it,
    half of CREASE_WIDTH_MM at least). A blurred picture or a far sheet widens a crease's shadow: measured, a band
    of 3 mm left its shoulders in the boxes it crossed (0.04-0.14 on the faint scale, a clean sheet to review)."""
    h, w = signed.shape
    reach = _px(CREASE_REACH_MM)
    offsets = np.arange(-reach - 1, reach + 2)[:, None].astype(np.float64)
    cx, cy = bx - centre * uy, by + centre * ux
    samples = signed[np.clip(cy + offsets * ux, 0, h - 1).astype(np.int64),
                     np.clip(cx - offsets * uy, 0, w - 1).astype(np.int64)]  # (distances, samples)
    whole = np.median(samples, axis=1)
    parts = int(along.max() // CREASE_PART_PX) + 1 if along.size else 1
    # each part with its neighbours' samples: a shadow that changes slowly along the fold
    local = _part_medians(samples, (along // CREASE_PART_PX).astype(np.int64), parts, whole)
    local = np.maximum(np.maximum(local[:, :-2], local[:, 1:-1]), local[:, 2:])  # a pixel of the centre forgiven
    whole = whole[1:-1]
    paper = float(np.median(np.concatenate([whole[:3], whole[-3:]])))
    shadow = whole - paper > CREASE_SHOULDER
    half = 0
    while half < reach and (shadow[reach - half - 1] or shadow[reach + half + 1]):
        half += 1
    return local, max(_px(CREASE_WIDTH_MM) // 2, half)


def _part_medians(samples: np.ndarray, which: np.ndarray, parts: int, whole: np.ndarray) -> np.ndarray:
    """For every part k < `parts`: the median of each row of `samples` (rows x samples) over the samples in parts
    k-1..k+1 (`which`: each sample's part), or `whole` when fewer than 8 samples are there. All parts at once, each
    from its samples sorted: np.median's values (the middle one, or the mean of the middle two), exactly, at a third of
    the time of a median per part (measured on folded ballots' creases: 0.5 ms a crease instead of 1.0)."""
    order = np.argsort(which, kind="stable")
    which, ordered = which[order], samples[:, order]
    k = np.arange(parts)
    lo, hi = np.searchsorted(which, k - 1, "left"), np.searchsorted(which, k + 1, "right")
    count = hi - lo
    take = lo[:, None] + np.arange(max(1, int(count.max(initial=0))))[None, :]
    take = np.where(take < hi[:, None], take, ordered.shape[1])  # past a part's samples: a column of +inf
    padded = np.concatenate([ordered, np.full((len(ordered), 1), np.inf, ordered.dtype)], axis=1)
    runs = np.sort(padded[:, take], axis=2)  # (rows, parts, samples)
    a = np.take_along_axis(runs, np.maximum(count - 1, 0)[None, :, None] // 2, axis=2)[..., 0]
    b = np.take_along_axis(runs, (count // 2)[None, :, None], axis=2)[..., 0]
    return np.where((count >= 8)[:, None], ((a + b) / 2).T, whole[None, :]).astype(np.float64)


def _measure(signed: np.ndarray, prep: _Prep, thresholds: Thresholds) -> tuple:
    """Every box's fill, faint level, ring ink and state; the integral of ink off the print; the paper's level;
    where the ink is (255); the share of ink off the print in every 1 mm block."""
    inked = cv2.compare(signed, INK, cv2.CMP_GT)  # 255 on ink (one pass); & with a 0/1 mask gives 0/1
    open_ink = cv2.bitwise_and(inked, prep.unprinted)  # 1 on ink off the print
    open_ink_sum = cv2.integral(open_ink)
    # each box's inked share, counted in the box (an integral of the whole page took twice as long)
    fill = np.array([cv2.countNonZero(inked[y0:y1, x0:x1]) for x0, y0, x1, y1 in prep.inner.tolist()],
                    np.float64).reshape(-1) / prep.inner_area
    ring = np.where(prep.ring_area > 4, _sums(open_ink_sum, prep.ring) / np.maximum(prep.ring_area, 1), 0.0)
    open_small = _block_means(open_ink_sum, signed.shape)  # the share of ink off the print in every 1 mm block
    baseline = _paper_level(signed, prep, open_ink, open_small)
    level = baseline[prep.centre[:, 1], prep.centre[:, 0]] if len(prep.ids) else np.zeros(0)
    looks_empty = fill <= thresholds.empty
    faint = _faint_levels(signed, prep, level, looks_empty)
    covered = (fill >= COVER_FILL) & (faint < COVER_ABOVE_PAPER) & ~prep.digit  # a stain over the whole box
    marked = (fill >= thresholds.marked) & (faint >= MARK_ABOVE_PAPER) & ~covered
    quiet = looks_empty & (faint < _faint_limit(faint, looks_empty))
    doubt = quiet & (ring >= RING_STROKE)  # nothing inside, ink just around it
    longest = np.zeros(len(ring), np.int64)
    if doubt.any():
        ring, longest = _own_ring(ring, doubt, marked, inked & (1 - prep.unlined), inked & prep.unlined,
                                  inked & prep.unprinted, prep)
    empty = quiet & (ring < RING_MARGINAL) & ((ring < RING_STROKE) | (longest < _px(RING_STROKE_MM)))
    struck = (fill >= STRUCK_FILL) & (ring >= STRUCK_RING)
    states = np.where(struck, "struck", np.where(marked, "marked", np.where(empty, "empty", "marginal"))).tolist()
    return fill, faint, ring, states, open_ink_sum, level, inked, open_small


def read_ink(page_img: np.ndarray, layout_hash: str, page: Page, width_mm: float, height_mm: float,
             thresholds: Thresholds) -> PageInk:
    """Every box's ink. `page_img`: the rectified page at PX_PER_MM, or only its reading window (window_px)."""
    prep = _prep((layout_hash, page.number), page, width_mm, height_mm)
    x0, y0, x1, y1 = prep.window
    if page_img.shape == (_px(height_mm), _px(width_mm)):
        page_img = page_img[y0:y1, x0:x1]
    elif page_img.shape != (y1 - y0, x1 - x0):
        raise ValueError(f"a page image of {page_img.shape}, neither the page nor its reading window")
    signed, contrast = ink_scale(page_img, page.calibration, (x0, y0))
    outlines, hidden, shifts = _outlines(signed, prep)
    fill, faint, ring, states, open_ink_sum, level, inked, open_small = _measure(signed, prep, thresholds)
    # a box touched by ink no darker than a fold's shadow: look for creases, and read again without them
    if any(st != "empty" and fa + lv < CREASE_DARKEST for st, fa, lv in zip(states, faint, level, strict=True)) \
            and _uncrease(signed, prep):
        fill, faint, ring, states, open_ink_sum, level, inked, open_small = _measure(signed, prep, thresholds)
    whited = ()
    if hidden:  # a filled box with nothing around it is seen, outline or not
        where = {box_id: i for i, box_id in enumerate(prep.ids)}
        hidden = tuple(b for b in hidden if not (states[where[b]] == "marked" and fill[where[b]] >= HIDDEN_FILLED
                                                 and ring[where[b]] < RING_STROKE))
        whited = _whited_out(page_img, page, hidden, (x0, y0))
        for b in whited:  # a person looks: correction tape over a mark taken back, or a box never printed
            states[where[b]] = "marginal"
        hidden = tuple(b for b in hidden if b not in whited)
    stained = _stained(inked, signed, prep, states, faint)
    for i in stained:  # a stain over the box, or light shading: a person looks
        states[i] = "marginal"
    streaked = drawn = 0
    paper_ink = _paper_ink(open_small, prep) if "marked" in states else None
    lines = _defect_lines(signed, prep, paper_ink) if paper_ink is not None else []
    whole, crossed = _crossed(lines, prep) if lines else (np.zeros(len(states), bool), np.zeros(len(states), bool))
    if "marked" in states:
        is_marked = np.array([st == "marked" for st in states], bool)
        crossed = crossed | _lined_boxes(inked, open_ink_sum, prep, is_marked) | \
            _struck_through(inked, open_ink_sum, prep, is_marked)
    for i in np.flatnonzero(crossed):  # a straight line through boxes (a printer's streak, a line drawn across the
        if states[i] == "marked":  # ballot) is no vote: a person looks
            states[i] = "marginal"
            if whole[i]:
                streaked += 1
            else:
                drawn += 1
    sealed = 0
    centres = (prep.inner[:, :2] + prep.inner[:, 2:]) / 2
    for cx, cy, r in _seals(signed, prep, open_small) if paper_ink is not None and "marked" in states else []:
        # a box under a seal: the seal's ink is no vote
        for i in np.flatnonzero(np.hypot(centres[:, 0] - cx, centres[:, 1] - cy) <= r + _px(SEAL_REACH_MM)):
            if states[i] == "marked":
                states[i] = "marginal"
                sealed += 1
    beside = 0
    if "marked" in states:  # words written along a row, over a box: a person reads them
        for i in np.flatnonzero(_written_beside(open_ink_sum, inked, prep,
                                                np.array([st == "marked" for st in states], bool))):
            states[i] = "marginal"
            beside += 1
    for i in _beside(signed, inked, prep, states):  # a tick on the words instead of the box, words over both
        states[i] = "marginal"
        beside += 1
    boxes = {box_id: BoxInk(fi, fa, ri, st) for box_id, fi, fa, ri, st in zip(
        prep.ids, np.round(fill, 4).tolist(), np.round(faint, 4).tolist(), np.round(ring, 4).tolist(), states,
        strict=True)}
    zone_ink = _sums(open_ink_sum, prep.zones) / np.maximum(prep.zone_area, 1)
    zones = {z: (round(float(v), 4) if prep.zone_area[i] > 4 else 0.0)
             for i, (z, v) in enumerate(zip(prep.zone_ids, zone_ink, strict=True))}
    calm = shifts[np.array([st == "empty" for st in states], bool)]
    offset = _percentile(calm, 90) if calm.size >= 3 else 0.0
    return PageInk(boxes, zones, round(contrast, 3), signed, {b.id: b.rect for b in page.boxes}, outlines, hidden,
                   (x0, y0), round(offset, 2), streaked, drawn, sealed, beside, len(whited), len(stained))


def _stained(inked: np.ndarray, signed: np.ndarray, prep: _Prep, states: list[str], faint: np.ndarray) -> list[int]:
    """The marked boxes whose ink is light and broad (see STAIN_TIERS), or light and even over the whole box (see
    STAIN_EVEN): a stain or shading, not a pen's stroke."""
    out = []
    for i in np.flatnonzero((faint < max(t[0] for t in STAIN_TIERS)) & ~prep.digit):
        if states[i] != "marked":
            continue
        x0, y0, x1, y1 = prep.inner[i]
        inside = inked[y0:y1, x0:x1]
        if not inside.size:
            continue
        even = _percentile(signed[y0:y1, x0:x1].ravel().astype(np.float64), 10) >= STAIN_EVEN  # no paper left
        if even or any(faint[i] < below and cv2.countNonZero(cv2.erode(inside, _disc(core))) >= share * inside.size
                       for below, core, share in STAIN_TIERS):
            out.append(int(i))
    return out


@functools.lru_cache(maxsize=4)
def _disc(mm: float) -> np.ndarray:
    """A disc `mm` across at PX_PER_MM (an odd number of pixels), for cv2.erode."""
    size = 2 * (_px(mm) // 2) + 1
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))


def _whited_out(page_img: np.ndarray, page: Page, hidden: tuple[str, ...], origin: tuple[int, int]
                ) -> tuple[str, ...]:
    """The hidden boxes that are whited out (see WHITED_*): all of them, or none."""
    if not hidden or len(hidden) > WHITED_MAX:
        return ()
    h, w = page_img.shape
    shift = np.array([*origin, *origin])
    rects = {b.id: b.rect for b in page.boxes}
    for box_id in hidden:
        x0, y0, x1, y1 = np.array(_outer(rects[box_id], 0.8)) - shift
        ax0, ay0, ax1, ay1 = np.clip(np.array(_outer(rects[box_id], 5.0)) - shift, 0, [w, h, w, h])  # the ring
        if not (ax0 <= x0 < x1 <= ax1 and ay0 <= y0 < y1 <= ay1):
            return ()
        px0, py0, px1, py1 = np.clip(np.array(_outer(rects[box_id], WHITED_PAPER_MM)) - shift, 0, [w, h, w, h])
        paper = float(np.percentile(page_img[py0:py1:2, px0:px1:2], 90))  # the paper near it, under the same light
        around = page_img[ay0:ay1, ax0:ax1]
        inside = np.zeros(around.shape, bool)
        inside[y0 - ay0:y1 - ay0, x0 - ax0:x1 - ax0] = True
        if inside.all():  # no paper around it in the reading window: nothing to hold it to
            return ()
        box = around[inside].astype(np.float64)
        ring = float(np.percentile(around[~inside], 80))
        low, middle, high = np.percentile(box, (10, 50, 90))
        if not (middle >= WHITED_LEVEL * ring and ring >= WHITED_RING * paper and high - low <= WHITED_SPREAD
                and middle < WHITED_BELOW):
            return ()
    return hidden


def _outlines(signed: np.ndarray, prep: _Prep) -> tuple[float, tuple[str, ...], np.ndarray]:
    """The page's median box-outline darkness, the boxes whose outline is not seen (see OUTLINE_*), and how far each
    box's outline lies from where the layout has it (px, up to 2: see OFFSET_*)."""
    if not len(prep.ids):
        return 1.0, (), np.zeros(0)
    pts = prep.outline_px
    across = signed[pts[..., 1], pts[..., 0]]  # (n, 5, 24): five pixels across the line at each point
    seen = across.max(axis=1)  # (n, 24): the darkest of five across the line
    # where the line is across those five pixels: their darkness-weighted centre (-2..2); the top and bottom sides
    # tell the box's shift down, the left and right ones its shift sideways (the median of 12 points each)
    weight = across - across.min(axis=1, keepdims=True)
    centre = (weight * np.arange(-2.0, 3.0)[None, :, None]).sum(axis=1) / np.maximum(weight.sum(axis=1), 1e-6)
    halves = np.sort(centre.reshape(-1, 2, 12), axis=2)  # np.median of each twelve: the mean of its middle two
    shifts = np.hypot((halves[:, 0, 5] + halves[:, 0, 6]) / 2, (halves[:, 1, 5] + halves[:, 1, 6]) / 2)
    ordered = np.sort(seen, axis=1)  # the lower quartile of 24 points (np.percentile's, at a quarter of its cost)
    per_box = ordered[:, 5] + 0.75 * (ordered[:, 6] - ordered[:, 5])
    page = _median(per_box)
    limit = max(OUTLINE_MIN, OUTLINE_HIDDEN * page)
    return round(page, 3), tuple(i for i, v in zip(prep.ids, per_box.tolist(), strict=True) if v < limit), shifts


def fingerprint_similarity(a: dict[str, bytes], b: dict[str, bytes]) -> float:
    """How alike two sheets' strokes are, 0..1: the same sheet scanned twice scores high, two voters low.
    (The lowest per-box correlation of the 8x8 ink thumbnails; 0 when the sheets have other marked boxes.)"""
    return similarities(normalised(a), [normalised(b)])[0]


def normalised(fp: dict[str, bytes]) -> tuple[tuple[str, ...], np.ndarray]:
    """A fingerprint as (box ids, one unit vector per box, mean removed): similarity is then a dot product."""
    keys = tuple(sorted(fp))
    if not keys:
        return keys, np.zeros((0, 64), np.float32)
    a = np.frombuffer(b"".join(fp[k] for k in keys), np.uint8).reshape(len(keys), -1).astype(np.float32)
    a -= a.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(a, axis=1, keepdims=True)
    return keys, np.where(norms > 1e-6, a / np.maximum(norms, 1e-12), 0.0).astype(np.float32)


def similarities(new: tuple[tuple[str, ...], np.ndarray], others: list[tuple[tuple[str, ...], np.ndarray]]
                 ) -> list[float]:
    """fingerprint_similarity of one sheet against many (all normalised), in one vectorised pass."""
    keys, a = new
    out = [0.0] * len(others)
    idx = [i for i, (k, _) in enumerate(others) if k == keys and keys]
    if idx:
        b = np.stack([others[i][1] for i in idx])  # (n, boxes, 64)
        corr = np.einsum("nbk,bk->nb", b, a).min(axis=1)
        for i, value in zip(idx, np.maximum(corr, 0.0).tolist(), strict=True):
            out[i] = value
    return out
