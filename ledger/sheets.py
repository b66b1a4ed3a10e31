"""The ledger's paper: the 半年一公示 notice (sealed, signed, with the digest in a QR code) and the 一人一档 file of
each person (every entry with its source, quarter subtotals, rank and level). Chinese font embedded."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import qrcode
from fpdf import FPDF
from fpdf.fonts import FontFace
from qrcode.constants import ERROR_CORRECT_M

from ballots.fonts import FontSpec
from ledger.model import Entry, Scheme
from ledger.points import Summary, half_up
from meeting.canon import canonical_json

SIDE = 15.0
HEAD = FontFace(fill_color=(235, 235, 235))  # headings shaded, not bold: the embedded CJK font has one weight


def notice_document(scheme: Scheme, result: Summary, period: str, notice_from: dt.date,
                    notice_to: dt.date) -> str:
    """What a 公示 publishes, as canonical JSON: the digest and the signature cover exactly this."""
    rows = []
    for s in result.standings:
        p = scheme.person(s.person)
        rows.append({"rank": s.rank, "tied": s.tied, "person": p.id, "name": p.name, "unit": p.unit,
                     "points": {ln.category: str(half_up(ln.counted, scheme.decimals)) for ln in s.lines},
                     "cut": {ln.category: str(ln.cut) for ln in s.lines if ln.cut},
                     "total": str(s.total), "level": s.level})
    return canonical_json({"ledger": scheme.id, "title": scheme.title, "year": scheme.year, "period": period,
                           "through": result.through, "notice_from": notice_from.isoformat(),
                           "notice_to": notice_to.isoformat(), "objections": scheme.objections,
                           "categories": [[c.id, c.name] for c in scheme.categories], "standings": rows,
                           "notes": list(result.notes)})


def _pdf(font: FontSpec, title: str) -> FPDF:
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_title(title)
    pdf.set_creator("tallykit")
    pdf.add_font("body", fname=str(font.path), collection_font_number=font.index)
    pdf.set_font("body", size=10)
    pdf.set_margins(SIDE, 15, SIDE)
    pdf.set_auto_page_break(True, margin=18)
    return pdf


def _qr(pdf: FPDF, payload: str, x: float, y: float, size: float) -> None:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2, box_size=8)
    code.add_data(payload)
    image = code.make_image(fill_color="black", back_color="white").get_image()
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    pdf.image(buf, x=x, y=y, w=size, h=size)


def write_notice(path: Path, scheme: Scheme, sealed: dict, font: FontSpec) -> None:
    """The 公示 sheet of a sealed period, from its sealed document (never recomputed: what was signed)."""
    doc = json.loads(sealed["document"])
    half = "上半年" if doc["period"] == "H1" else "全年"
    pdf = _pdf(font, f"{scheme.title} {half}积分公示")
    pdf.add_page()
    _qr(pdf, f"TKL1:{scheme.id}:{doc['period']}:{sealed['digest']}", 210 - SIDE - 30, 12, 30)
    pdf.set_font_size(15)
    pdf.multi_cell(150, 8, f"{scheme.title}\n{half}积分公示", align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(10)
    pdf.ln(2)
    pdf.multi_cell(150, 5.5, f"公示期：{doc['notice_from']} 至 {doc['notice_to']}。公示期间如有异议，请向"
                   f"{scheme.objections or '组织部门'}反映。", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y() + 3, 46))
    heads = ["名次", "姓名", "单位", *(name for _, name in doc["categories"]), "合计"]
    if doc["period"] == "H2":
        heads.append("等次")
    pdf.set_font_size(9)
    with pdf.table(col_widths=[12, 18, 24, *([22] * len(doc["categories"])), 18, *([14] if doc["period"] == "H2"
                                                                                    else [])],
                   text_align="CENTER", line_height=6, padding=1,
                   headings_style=HEAD) as table:
        row = table.row()
        for h in heads:
            row.cell(h)
        for s in doc["standings"]:
            row = table.row()
            cells = [f"{s['rank']}{'（并列）' if s['tied'] else ''}", s["name"], s["unit"],
                     *(s["points"][cid] for cid, _ in doc["categories"]), s["total"]]
            if doc["period"] == "H2":
                cells.append(s["level"] or "")
            for c in cells:
                row.cell(str(c))
    pdf.ln(3)
    for note in doc["notes"]:
        if note.startswith("cap:"):
            _, pid, cid, cut = note.split(":")
            name = next(s["name"] for s in doc["standings"] if s["person"] == pid)
            category = dict(doc["categories"])[cid]
            pdf.multi_cell(0, 5, f"注：{name}“{category}”超出上限 {cut} 分，未计入。", new_x="LMARGIN", new_y="NEXT")
        elif note.startswith("level_none:"):
            _, level, share, n = note.split(":")
            pct = f"{Decimal(share) * 100:.0f}%"
            pdf.multi_cell(0, 5, f"注：“{level}”名额为 {n} 人的 {pct}，不足 1 人，无人评为{level}。",
                           new_x="LMARGIN", new_y="NEXT")
        elif note.startswith("level_tie:"):
            _, level, total = note.split(":")
            pdf.multi_cell(0, 5, f"注：{total} 分并列跨过“{level}”名额上限，并列者均不评为{level}。",
                           new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font_size(8.5)
    digest = sealed["digest"]
    pdf.cell(0, 4.5, "公示内容摘要（SHA-256）：" + " ".join(digest[i:i + 8] for i in range(0, 64, 8)),
             new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 4.5, f"签名密钥指纹：{sealed['fingerprint']}　封存：{sealed['sealed_at']}", new_x="LMARGIN",
             new_y="NEXT")
    pdf.ln(6)
    pdf.set_font_size(11)
    pdf.cell(90, 10, "经办人：" + "_" * 16, new_x="RIGHT", new_y="TOP")
    pdf.cell(90, 10, "审核人：" + "_" * 16, new_x="LMARGIN", new_y="NEXT")
    pdf.cell(90, 10, "日期：      年    月    日", new_x="LMARGIN", new_y="NEXT")
    y = pdf.get_y() - 20
    with pdf.local_context(draw_color=(150, 150, 150), dash_pattern={"dash": 1.5, "gap": 1.2}):
        pdf.ellipse(210 - SIDE - 44, y, 44, 44)
    pdf.set_text_color(150)
    pdf.set_font_size(9)
    pdf.set_xy(210 - SIDE - 44, y + 19.5)
    pdf.cell(44, 5, "盖章处", align="C")
    pdf.set_text_color(0)
    pdf.output(str(path))


def write_person_file(path: Path, scheme: Scheme, person_id: str, entries: list[Entry], result: Summary,
                      imports: dict[str, str], font: FontSpec) -> None:
    """一人一档: the person, every entry (reversed ones marked), quarter subtotals, rank and level."""
    p = scheme.person(person_id)
    standing = next(s for s in result.standings if s.person == person_id)
    pdf = _pdf(font, f"{scheme.title} {p.name}")
    pdf.add_page()
    pdf.set_font_size(15)
    pdf.multi_cell(0, 8, f"{scheme.title}\n一人一档：{p.name}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(10)
    facts = [p.unit, p.post, {"M": "男", "F": "女"}.get(p.gender, ""), f"{p.birth_year}年生" if p.birth_year else "",
             p.education]
    pdf.multi_cell(0, 6, "　".join(f for f in facts if f), new_x="LMARGIN", new_y="NEXT")
    quarter_words = "年度" if result.through == 4 else f"截至第{result.through}季度"
    pdf.multi_cell(0, 6, f"{quarter_words}合计 {standing.total} 分，名次 {standing.rank}"
                   f"{'（并列）' if standing.tied else ''}" + (f"，等次：{standing.level}" if standing.level else ""),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font_size(9)
    with pdf.table(col_widths=[40, 22, 22, 22, 22, 22, 24], text_align="CENTER", line_height=6,
                   padding=1, headings_style=HEAD) as table:
        row = table.row()
        for h in ("项目", "第一季度", "第二季度", "第三季度", "第四季度", "累计", "超限未计"):
            row.cell(h)
        for ln in standing.lines:
            row = table.row()
            for c in (scheme.category(ln.category).name, *(str(half_up(q, scheme.decimals)) for q in ln.by_quarter),
                      str(half_up(ln.counted, scheme.decimals)), str(ln.cut) if ln.cut else ""):
                row.cell(c)
    pdf.ln(4)
    pdf.set_font_size(11)
    pdf.cell(0, 7, "积分记录", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(8.5)
    reversed_ids = {e.reverses for e in entries if e.reverses is not None}
    with pdf.table(col_widths=[10, 20, 26, 16, 78, 30], text_align="LEFT", line_height=5, padding=1,
                   headings_style=HEAD) as table:
        row = table.row()
        for h in ("#", "日期", "项目", "分值", "原因与来源", "录入人"):
            row.cell(h)
        for e in sorted(entries, key=lambda e: (e.date, e.id)):
            if e.source.startswith("bundle:"):
                digest = e.source.split(":", 1)[1]
                source = f"会议结果：{imports.get(digest, '')}（摘要 {digest[:16]}…）"
            elif e.source.startswith("sheet:"):
                source = f"表格导入：{e.source.split(':', 1)[1]}"
            elif e.reverses is not None:
                source = f"冲销 #{e.reverses}"
            else:
                source = "手工录入"
            if "+photo:" in e.source:
                source += f"，附照片（{e.source.split('+photo:', 1)[1][:12]}…）"
            mark = "（已冲销）" if e.id in reversed_ids else ""
            row = table.row()
            for c in (str(e.id), e.date.isoformat(), scheme.category(e.category).name, f"{e.points.normalize():f}",
                      f"{e.reason}{mark}；{source}", e.operator):
                row.cell(c)
    pdf.output(str(path))


def summary_rows(scheme: Scheme, result: Summary) -> tuple[list[str], list[list[object]]]:
    """The quarter summary as a table: header and rows (numbers as Decimals at the scheme's decimals)."""
    head = ["名次", "姓名", "单位", *(c.name for c in scheme.categories), "本季", "累计", "超限未计"]
    if result.through == 4:
        head.append("等次")
    rows = []
    for s in result.standings:
        p = scheme.person(s.person)
        cut = "；".join(f"{scheme.category(ln.category).name} {ln.cut.normalize():f}" for ln in s.lines if ln.cut)
        row: list[object] = [s.rank, p.name, p.unit, *(half_up(ln.counted, scheme.decimals) for ln in s.lines),
                             s.quarter, s.total, cut]
        if result.through == 4:
            row.append(s.level or "")
        rows.append(row)
    return head, rows


def write_summary_xlsx(path: Path, scheme: Scheme, result: Summary) -> None:
    from openpyxl import Workbook

    head, rows = summary_rows(scheme, result)
    book = Workbook()
    sheet = book.active
    sheet.title = f"第{result.through}季度" if result.through < 4 else "年度"
    sheet.append([scheme.title])
    sheet.append(head)
    number_format = "0" if scheme.decimals == 0 else "0." + "0" * scheme.decimals
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, float):
                cell.number_format = number_format
    for column, width in zip("ABCDEFGHIJKLMN", [6, 10, 12, *([12] * len(scheme.categories)), 9, 9, 18, 8],
                             strict=False):
        sheet.column_dimensions[column].width = width
    book.save(path)


def write_summary_pdf(path: Path, scheme: Scheme, result: Summary, font: FontSpec) -> None:
    head, rows = summary_rows(scheme, result)
    title = f"第{result.through}季度积分汇总（一季一汇总）" if result.through < 4 else "年度积分总排名"
    pdf = _pdf(font, f"{scheme.title} {title}")
    pdf.add_page(orientation="L")
    pdf.set_font_size(15)
    pdf.multi_cell(0, 8, f"{scheme.title}\n{title}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font_size(9)
    widths = [12, 18, 24, *([26] * len(scheme.categories)), 16, 18, 40, *([14] if result.through == 4 else [])]
    with pdf.table(col_widths=widths, text_align="CENTER", line_height=6, padding=1, headings_style=HEAD) as table:
        row = table.row()
        for h in head:
            row.cell(h)
        for values in rows:
            row = table.row()
            for v in values:
                row.cell(str(v))
    pdf.ln(6)
    pdf.set_font_size(11)
    pdf.cell(120, 10, "制表人：" + "_" * 16, new_x="RIGHT", new_y="TOP")
    pdf.cell(120, 10, "审核人：" + "_" * 16, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
