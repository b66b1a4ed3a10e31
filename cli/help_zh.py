"""`--help` in Chinese when the system's language is Chinese (LANG=zh_CN…, or a Chinese Windows).

Every help text of the CLI is written once in English in cli/main.py; this table gives its Chinese. A test
checks that every help text has an entry, so a new option cannot appear untranslated.
"""

from __future__ import annotations

import locale
import os
import sys

HELP_ZH = {
    "Run open selection meetings on paper: define the meeting, print QR-coded forms, scan, tally, archive.":
        "纸质选票的公推公选、竞聘、民主推荐与测评：定义会议，打印二维码表单，扫描，计票，归档。",
    "Print the version and exit": "显示版本号后退出",
    "List the built-in meeting templates.": "列出内置会议模板。",
    "Create a meeting folder: meeting.toml, the store, and the meeting's keys.":
        "新建会议文件夹：meeting.toml、数据库与会议密钥。",
    "New (or empty) folder for the meeting": "会议所用的新（或空）文件夹",
    "Built-in template to start from (see `templates`)": "以哪个内置模板开始（见 `templates`）",
    "Start from your own meeting file (TOML) instead": "改用自己的会议文件（TOML）",
    "Who is doing this, for the audit log [default: $TALLYKIT_OPERATOR or login]":
        "操作人姓名，记入审计日志［默认：$TALLYKIT_OPERATOR 或登录名］",
    "Validate a meeting file and print its summary; in a meeting folder, accept the edited meeting.toml.":
        "检查会议文件并显示摘要；在会议文件夹中则确认修改后的 meeting.toml。",
    "A meeting folder, or a meeting file (.toml) to validate only": "会议文件夹，或只检查的会议文件（.toml）",
    "Write the last accepted meeting.toml back when the file was lost": "meeting.toml 丢失时，恢复最后确认的版本",
    "Show each round's counts, the audit chain, and what to do next.": "显示各轮次计数、审计链与下一步操作。",
    "The meeting folder": "会议文件夹",
    "Print the forms as PDFs: one per round and voter group, copies = ballots issued (+ spares).":
        "把表单打印为 PDF：每个轮次、每个投票群体一份，份数＝发出票数（＋备用）。",
    "Only this round (repeat for more); default: all": "只处理此轮次（可重复）；默认：全部",
    "Only this voter group (repeat for more); default: all": "只处理此投票群体（可重复）；默认：全部",
    "Extra copies per group, beyond ballots issued (with --test: how many rehearsal copies, default 1)":
        "每个群体在发出票数之外多印的份数（与 --test 同用时：演练样张份数，默认 1）",
    "Print TEST sheets for a rehearsal, one copy per form: marked on paper and in the QR code, never counted, and "
    "no ballots recorded as issued":
        "打印演练用的测试样张，每种表单一份：纸面与二维码均有标记，永不计入结果，也不登记发票",
    "Folder for the PDFs [default: DIR/print]": "PDF 存放文件夹［默认：DIR/print］",
    "A TrueType/OpenType font with every character the forms need": "包含表单全部字符的 TrueType/OpenType 字体",
    "A4 or A3": "A4 或 A3",
    "Read completed sheets and record one reading per sheet; doubtful ones go to the review queue.":
        "识别填好的表单，每张记录一次；有疑问的进入复核队列。",
    "Read live from this camera (0 = the first) or a phone camera's stream URL (http://…, rtsp://…)":
        "从此摄像头实时识别（0＝第一个），或手机摄像头的视频流地址（http://…、rtsp://…）",
    "Read live from a video file": "从视频文件识别",
    "Read a folder of photos, one sheet each": "识别照片文件夹，每张照片一张表",
    "Read a scanned PDF, one sheet per page": "识别扫描的 PDF，每页一张表",
    "Read and show, record nothing (TEST sheets are read only this way)":
        "只识别与显示，不记录（测试样张只能这样识别）",
    "Show the camera preview when a display exists": "有显示器时显示摄像头预览",
    "Name of this scanning station": "本扫描站的名称",
    "Send readings to the meeting server at this URL (a station)": "把识别结果发送到此地址的会议服务器（扫描站）",
    "The meeting token that `tallykit serve` printed": "`tallykit serve` 显示的会议令牌",
    "Count every round from the readings, review decisions and manual entries; rank the composite.":
        "依据识别结果、复核决定与人工录入统计各轮次，并计算综合排名。",
    "Show only this round": "只显示此轮次",
    "Record a score that is entered by staff (a manual round), with who entered it.":
        "录入由工作人员登记的分数（人工录入轮次），并记录录入人。",
    "A manual round, e.g. 党委政府综合评分": "人工录入轮次，例如 党委政府综合评分",
    "Candidate id (or exact name)": "候选人编号（或完整姓名）",
    "The score, at most one decimal, e.g. 88.5": "分数，最多一位小数，例如 88.5",
    "Why, or where the score comes from": "原因或分数来源",
    "Record how many ballots came back (选票收回) for a round and voter group, counted when the box is opened.\n"
    "More returned than issued makes that vote void, and the board and reports say so.":
        "登记某轮次、某投票群体开箱清点的收回票数（选票收回）。\n收回多于发出则该次投票无效，大屏与报告单均会注明。",
    "Ballots found in the box": "票箱中清点出的选票数",
    "The round": "轮次",
    "The voter group": "投票群体",
    "另行选举: make the next vote from a round's result (unfilled seats; a tie at the last seat is voted again\n"
    "among exactly the tied), add it to meeting.toml, accept it and print its ballots.":
        "另行选举：根据某轮次结果生成下一次投票（未选足的名额；末位票数相同则只在并列者中再投），\n"
        "写入 meeting.toml、确认并打印选票。",
    "The vote round whose seats stayed unfilled": "名额未选足的投票轮次",
    "Only this post (repeat for more); default: every post with unfilled seats":
        "只处理此职位（可重复）；默认：所有未选足的职位",
    "Print the new round's ballots": "打印新轮次的选票",
    "Extra copies per group, beyond ballots issued": "每个群体在发出票数之外多印的份数",
    "Export the results: CSV (one file per round), JSON, or XLSX (one sheet per round and the ranking).":
        "导出结果：CSV（每轮次一个文件）、JSON 或 XLSX（每轮次一个工作表及排名）。",
    "csv, json or xlsx": "csv、json 或 xlsx",
    "File (json, xlsx) or folder (csv) [default: DIR/export]": "文件（json、xlsx）或文件夹（csv）［默认：DIR/export］",
    "UTF-8 with a BOM mark (csv, json) [default: CSV of a Chinese meeting has one, so Excel on Chinese Windows "
    "reads it; --no-bom for scripts]":
        "UTF-8 带 BOM 标记（csv、json）［默认：中文会议的 CSV 带 BOM，中文 Windows 的 Excel 才能正确打开；"
        "供程序读取时用 --no-bom］",
    "Start the meeting server: projector board, 唱票 view, review queue, stations and the station API.":
        "启动会议服务器：投影大屏、唱票页面、复核队列、扫描站及其接口。",
    "Address to listen on; 0.0.0.0 lets stations on the LAN in": "监听地址；0.0.0.0 允许局域网内的扫描站连接",
    "Port": "端口",
    "Live pages open at once (board, 唱票, review); more are told to wait, stations are never starved":
        "同时打开的实时页面数（大屏、唱票、复核）；超出的请稍候，扫描站不受影响",
    "Live pages open at once from one computer": "同一台电脑同时打开的实时页面数",
    "Freeze rounds (no more sheets, decisions or entries), sign the results, write the report sheets and the\n"
    "archive bundle.":
        "封存轮次（不再接收表单、复核与录入），对结果签名，生成报告单和归档包。",
    "Seal this round (repeatable)": "封存此轮次（可重复）",
    "Seal every round not sealed yet": "封存所有尚未封存的轮次",
    "Seal although sheets still wait in review (needs --reason)": "复核队列中仍有表单时强制封存（须写 --reason）",
    "Why sealing is forced; printed on the report sheets": "强制封存的原因，印在报告单上",
    "Also write the bundle as one .zip file": "同时把归档包写成一个 .zip 文件",
    "A TTF/TTC/OTF font with the meeting's characters": "包含会议全部字符的 TTF/TTC/OTF 字体",
    "Check an archive bundle: every file's hash, the signature, the audit chain, the sheet images, and the results\n"
    "recomputed from the readings and decisions. Exit 0 when all hold, 1 naming each difference.":
        "核验归档包：每个文件的哈希、签名、审计链、表单图像，并依据识别结果与复核决定重新计算结果。\n"
        "全部一致时退出码为 0，否则为 1 并逐项列出差异。",
    "An archive bundle folder (DIR/archive/...) or its .zip": "归档包文件夹（DIR/archive/...）或其 .zip 文件",
    "The key fingerprint printed on the signed report sheets; the bundle must be signed with that key":
        "签字报告单上印的密钥指纹；归档包必须由该密钥签名",
    "Recognise a signed report sheet by its QR code, check it was printed from the sealed results, and keep its\n"
    "photo in the archive (a new bundle is written).":
        "通过二维码识别已签字的报告单，核对它印自封存的结果，并把照片存入归档（生成新的归档包）。",
    "A photo of the signed report sheet": "已签字报告单的照片",
    "Take the photo with this camera": "用此摄像头拍照",
    "Run a whole meeting on the built-in sample: print, fill, film, scan, review, tally, seal and verify.":
        "用内置样例完整演示一次会议：打印、填写、拍摄、扫描、复核、计票、封存与核验。",
    "Folder for the demo meeting (replaced if a demo made it)": "演示会议的文件夹（若由演示创建则会被替换）",
    "The year's ledger: people carried through the year's evaluations (积分量化).":
        "年度积分台账：会议选出的人员全年考评的积分量化。",
    "List the built-in ledger schemes.": "列出内置积分方案。",
    "Create a ledger folder: ledger.toml (people, categories, caps, levels) and its store.":
        "新建积分台账文件夹：ledger.toml（人员、考核项目、上限、等次）与数据库。",
    "New (or empty) folder for the ledger": "积分台账所用的新（或空）文件夹",
    "Built-in scheme (see `ledger templates`)": "内置积分方案（见 `ledger templates`）",
    "Who is doing this, for the audit log": "操作人姓名，记入审计日志",
    "Check the edited ledger.toml and accept it (recorded in the audit log).":
        "检查修改后的 ledger.toml 并确认（记入审计日志）。",
    "The ledger folder": "积分台账文件夹",
    "Record a 加分/扣分 entry (never edited later: `ledger reverse` takes it back).":
        "录入一条加分/扣分记录（记录不可修改：用 `ledger reverse` 冲销）。",
    "Person id, e.g. P01": "人员编号，例如 P01",
    "Category id, e.g. JL": "考核项目编号，例如 JL",
    "Points to add (negative for a deduction, 扣分)": "分值（扣分用负数）",
    "Why: the event, e.g. 抗洪抢险": "原因：事项，例如 抗洪抢险",
    "When it happened, 2027-03-15 [default: today]": "发生日期，如 2027-03-15［默认：今天］",
    "Who records it, for the audit log": "录入人，记入审计日志",
    "Take back an entry: a new entry reverses it; both stay in the audit log, neither counts.":
        "冲销一条记录：新增一条反向记录；两条都留在审计日志中，均不计分。",
    "The entry to take back, e.g. 12": "要冲销的记录编号，例如 12",
    "Why it is taken back": "冲销原因",
    "Who corrects it, for the audit log": "更正人，记入审计日志",
    "The standings: per person and category year to date, the quarter's points, rank (ties shared), what a cap\n"
    "cut, and at year end the levels.":
        "积分汇总：每人各项目累计与本季得分、名次（并列同名次）、超出上限未计的分数，年底另列等次。",
    "Through this quarter (一季一汇总); 4 is the year-end ranking": "截至此季度（一季一汇总）；4 为年度总排名",
    "A sealed meeting's archive bundle (folder or .zip)": "已封存会议的归档包（文件夹或 .zip）",
    "The ledger's conversion to apply, e.g. QFZ": "使用台账中的哪项折算规则，例如 QFZ",
    "The key fingerprint printed on the meeting's signed report sheets": "会议签字报告单上印的密钥指纹",
    "CANDIDATE=PERSON, when the names do not say it (repeatable)": "候选人=人员，姓名无法确定对应时使用（可重复）",
    "Whom a survey's satisfaction is about": "满意度测评所针对的人员",
    "The entries' date [default: the meeting's date]": "记录日期［默认：会议日期］",
    "Who imports it, for the audit log": "导入人，记入审计日志",
    "1: the first half (quarters 1-2); 2: the year": "1：上半年（第一、二季度）；2：全年",
    "First day of the 公示 [default: today]": "公示首日［默认：今天］",
    "A TTF/TTC/OTF font with the ledger's characters": "包含台账全部文字的 TTF/TTC/OTF 字体",
    "Who seals it, for the audit log": "封存人，记入审计日志",
    "半年一公示: seal the period (its entries are frozen), sign its standings with the ledger's key and write the\n"
    "公示 sheet (list, points, rank, 公示期, where to object, digest and QR code, signature and stamp lines).\n"
    "A period already sealed is printed again as it was sealed.":
        "半年一公示：封存该期（其记录不再可改），用台账密钥对积分排名签名，生成公示单（名单、积分、名次、公示期、\n"
        "异议受理、摘要与二维码、签字与盖章处）。已封存的期次按封存时的内容重新打印。",
    "Through this quarter": "截至此季度",
    "Also write it as XLSX and PDF into this folder": "同时以 XLSX 和 PDF 写入此文件夹",
    "Address to listen on": "监听地址",
    "A photo of the evidence (JPEG or PNG), kept with the entry": "佐证照片（JPEG 或 PNG），随记录保存",
    "The year-end ranking on the projector (现场公布: A hides every rank, → shows one at a time from the last).":
        "在投影上显示年度总排名（现场公布：按 A 隐藏全部名次，按 → 从最后一名起逐一揭晓）。",
    "一人一档: one PDF per person — every entry with its date and source, quarter subtotals, rank and level.":
        "一人一档：每人一份 PDF——每条记录的日期与来源、各季度小计、名次与等次。",
    "Recompute everything from the store: the audit chain, every entry against it, each sealed 公示 against\n"
    "its signature and against the entries, and each imported meeting's bundle where it still is.":
        "依据数据库重新核验：审计链、每条记录、每次已封存的公示（签名与记录）以及仍在原处的已导入会议归档包。",
    "An .xlsx or .csv with columns 人员, 项目, 日期, 分值, 原因":
        "含 人员、项目、日期、分值、原因 各列的 .xlsx 或 .csv 文件",
    "Import a spreadsheet of entries (e.g. the month's 签到 record): every row checked first; one bad row stops\n"
    "it with the row and column named, and nothing is recorded.":
        "导入记录表（如当月签到记录）：先检查每一行；有一行出错即停止并指出行和列，不记录任何内容。",
    "Import a sealed meeting: verify its bundle, match its candidates to people (asking on any doubt), convert\n"
    "the chosen result into a category's points. The same bundle counts once.":
        "导入已封存的会议：核验归档包，把候选人对应到台账人员（有疑问即停下询问），按折算规则计入考核项目。\n"
        "同一归档包只计一次。",
}

CLICK_ZH = {  # typer's own words around the help texts
    "Options": "选项",
    "Commands": "命令",
    "Arguments": "参数",
    "Show this message and exit.": "显示本帮助后退出。",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "Missing command.": "缺少命令。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "Aborted!": "已中止！",
}


def system_language(env: dict[str, str] | None = None, platform: str | None = None) -> str:
    """"zh" when the system speaks Chinese (LC_ALL, LC_MESSAGES, LANG, LANGUAGE as POSIX orders them; Windows's
    user locale), else "en"."""
    env = dict(os.environ) if env is None else env
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    if env.get("LANGUAGE"):
        return "zh" if env["LANGUAGE"].lower().startswith("zh") else "en"
    if (platform or sys.platform).startswith("win"):
        try:
            name = locale.getlocale()[0] or ""
        except ValueError:
            name = ""
        return "zh" if name.lower().startswith(("zh", "chinese")) else "en"
    return "en"


def localise(command, table: dict[str, str] = HELP_ZH) -> None:  # a click.Command (typer's click)
    """Every help text of the command tree in Chinese (in place)."""
    if getattr(command, "help", None) in table:
        command.help = table[command.help]
    if getattr(command, "short_help", None) in table:
        command.short_help = table[command.short_help]
    for param in getattr(command, "params", ()):
        if getattr(param, "help", None) in table:
            param.help = table[param.help]
    for sub in getattr(command, "commands", {}).values():
        localise(sub, table)


def typer_words_in_chinese() -> None:
    """typer's own words (Usage:, Options, required, …) through the table instead of gettext."""
    import typer._click.formatting as formatting
    import typer.core as core

    core._ = lambda text: CLICK_ZH.get(text, text)  # type: ignore[attr-defined]
    write_usage = formatting.HelpFormatter.write_usage

    def usage_in_chinese(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, "用法：" if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = usage_in_chinese  # type: ignore[method-assign]
    import typer._click.core as click_core

    get_help_option = click_core.Command.get_help_option

    def help_option_in_chinese(self, ctx):  # the --help option is made per call, outside the command's params
        option = get_help_option(self, ctx)
        if option is not None:
            option.help = CLICK_ZH.get(option.help or "", option.help)
        return option

    click_core.Command.get_help_option = help_option_in_chinese  # type: ignore[method-assign]
