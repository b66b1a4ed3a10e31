# ruff: noqa: E501  (a table of messages: one entry per line reads best)
"""Error lines in the meeting's language.

Errors are raised deep in the rooms in English (one wording, tested); at the command line they are said in the
meeting's language: the `[meeting] language` of the folder the command works on (Chinese by default), else the
system's. `TALLYKIT_MESSAGES=en` (or `zh`) overrides both, e.g. for scripts that read the English lines.

Each entry: a pattern over the whole English line, and its Chinese with the same named parts. A line no pattern
matches is shown in English after "错误：".
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

_P = r"(?P<path>.+?)"
_ROUND = r"(?P<round>[^\s;:]+)"
ERRORS_ZH: list[tuple[str, str]] = [
    # folders and files
    (_P + r": no such meeting folder; create one with `tallykit init .*`", "{path}：没有这个会议文件夹；请先用 `tallykit init {path}` 新建"),
    (_P + r": is not a meeting folder \(no .*\); create one with `tallykit init`", "{path}：不是会议文件夹（缺少数据库）；请先用 `tallykit init` 新建"),
    (_P + r": already holds (?P<what>.+); give a new or empty folder", "{path}：里面已有文件；请换一个新的或空的文件夹"),
    (_P + r": is a file; give a folder for the new meeting", "{path}：是一个文件；请给出新会议用的文件夹"),
    (_P + r": the meeting key file is missing; restore it from your backup", "{path}：会议密钥文件丢失；请从备份恢复"),
    (_P + r": is not a tallykit meeting key file; restore it from your backup", "{path}：不是本软件的会议密钥文件；请从备份恢复"),
    (_P + r": belongs to another meeting; restore this meeting's key file", "{path}：属于另一个会议；请恢复本会议的密钥文件"),
    (_P + r": no meeting store here; create a meeting with `tallykit init DIR`", "{path}：这里没有会议数据库；请先用 `tallykit init 文件夹` 新建会议"),
    (_P + r": holds no meeting definition; the store is damaged", "{path}：数据库中没有会议定义，数据库已损坏"),
    (r"no forms were printed for this meeting yet; run `tallykit print` first", "本会议还没有打印任何表单；请先运行 `tallykit print`"),
    # the meeting file
    (r"(?P<file>.+?) was edited since version (?P<v>\d+) was accepted; (?P<rest>.*)",
     "{file} 在第 {v} 版确认后被修改过；请先运行 `tallykit check 文件夹` 确认修改（或改回原样）"),
    (r"meeting\.toml was edited after it was accepted; .*",
     "meeting.toml 在确认后被修改过；请先运行 `tallykit check 文件夹` 确认修改（或改回原样），再封存"),
    (_P + r" exists; move it away first if you want the accepted version back", "{path} 已存在；要恢复已确认的版本，请先把它移走"),
    (r'unknown template "(?P<name>.+)"; choose one of: (?P<known>.+)', "没有模板“{name}”；可选：{known}"),
    (r"give --template or --from, not both", "--template 与 --from 只能给一个"),
    # rounds, groups, candidates, scores
    (r'round "(?P<round>.+)" is not in this meeting; rounds: (?P<known>.+)', "本会议没有轮次“{round}”；现有轮次：{known}"),
    (r'group "(?P<group>.+)" is not in this meeting; groups: (?P<known>.+)', "本会议没有投票群体“{group}”；现有群体：{known}"),
    (r'"(?P<round>.+)" is not a manual round of this meeting; manual rounds: (?P<known>.*)', "“{round}”不是本会议的人工录入轮次；人工录入轮次：{known}"),
    (r'"(?P<c>.+)" is not a candidate of round (?P<round>\S+); candidates: (?P<known>.+)', "“{c}”不是轮次 {round} 的候选人；候选人：{known}"),
    (r'--score "(?P<s>.+)" is not a number; write it like 88 or 88\.5', "--score “{s}”不是数字；请写成 88 或 88.5"),
    (r"--score (?P<s>\S+) is outside 0 to (?P<max>\S+), the maximum of round (?P<round>\S+)", "--score {s} 超出 0 到 {max}（轮次 {round} 的满分）"),
    (r"--score (?P<s>\S+) has more than one decimal; scores are entered to one decimal", "--score {s} 超过一位小数；分数最多录入一位小数"),
    (r'"(?P<round>.+)" is not a round with ballots in this meeting; rounds: (?P<known>.+)', "“{round}”不是本会议有选票的轮次；轮次：{known}"),
    (r'"(?P<group>.+)" is not a voter group of round (?P<round>\S+); groups: (?P<known>.+)', "“{group}”不是轮次 {round} 的投票群体；群体：{known}"),
    (r"round (?P<round>\S+) is sealed; its counts can no longer change", "轮次 {round} 已封存，票数不能再改"),
    (r"round (?P<round>\S+) is sealed; no more entries can be recorded", "轮次 {round} 已封存，不能再录入"),
    (r"round (?P<round>\S+) is sealed; no more sheets can be recorded", "轮次 {round} 已封存，不能再记录表单"),
    (r"round (?P<round>\S+) is sealed; its sheets can no longer be decided", "轮次 {round} 已封存，表单不能再复核"),
    (r"round (?P<round>.+) is already sealed", "轮次 {round} 已经封存"),
    (r"no ballots were recorded as issued for round (?P<round>\S+) group (?P<group>\S+); print them first",
     "轮次 {round} 群体 {group} 还没有登记发出的选票；请先打印"),
    (r"round (?P<round>\S+) group (?P<group>\S+) already has (?P<n>\d+) sheets read; (?P<rest>.*)",
     "轮次 {round} 群体 {group} 已识别 {n} 张表单；不能再重新打印（原有选票仍然有效）"),
    (r'group (?P<group>\S+) does not take part in round (?P<round>\S+)', "群体 {group} 不参加轮次 {round}"),
    (r"round (?P<round>\S+) \((?P<name>.+)\) is entered by staff; it has no paper form", "轮次 {round}（{name}）由工作人员录入，没有纸质表单"),
    (r"this meeting has no round with a paper form", "本会议没有需要纸质表单的轮次"),
    (r"none of the groups (?P<g>.+) takes part in the chosen rounds", "所选轮次中没有群体 {g} 参加"),
    # command options
    (r"give exactly one of --camera N, --video FILE, --images FOLDER or --pdf FILE", "请给出且只给出一个：--camera 编号、--video 文件、--images 文件夹或 --pdf 文件"),
    (r"a station needs both --server URL and --token TOKEN \(printed by `tallykit serve`\)", "扫描站需要同时给出 --server 地址和 --token 令牌（见 `tallykit serve` 的输出）"),
    (r'--format "(?P<f>.+)" is not known; use csv, json or xlsx', "不认识的格式“{f}”；请用 csv、json 或 xlsx"),
    (r"port (?P<port>\d+) is in use \(another `tallykit serve`\?\); try --port (?P<next>\d+)", "端口 {port} 已被占用（另一个 `tallykit serve`？）；请试 --port {next}"),
    (r"cannot listen on (?P<where>\S+) \((?P<why>.*)\); check --host", "无法在 {where} 监听（{why}）；请检查 --host"),
    (r"give --round R \(one or more\) or --all", "请给出 --round 轮次（可多个）或 --all"),
    (r'--force needs --reason "why": the reason is printed on the report sheets', "--force 需要 --reason \"原因\"：原因会印在报告单上"),
    (r"give --image PHOTO or --camera N", "请给出 --image 照片 或 --camera 编号"),
    (_P + r": cannot be read as a picture \(JPEG or PNG\)", "{path}：无法作为图片读取（JPEG 或 PNG）"),
    (r"no report sheet QR code found in the picture; show the whole sheet, flat and sharp", "图片中没有找到报告单的二维码；请拍下整张报告单，放平、对清焦"),
    # sealing, review
    (r"sheets still wait in review \((?P<listed>.+?)\); (?P<rest>.*)", "仍有表单在复核队列中（{listed}）；请先在 /review 页面复核，或用 --force --reason 强制封存"),
    (r"nothing is sealed yet; seal a round first with `tallykit seal DIR --round R`", "还没有封存任何轮次；请先用 `tallykit seal 文件夹 --round 轮次` 封存"),
    (r"a review decision needs a reason; say why", "复核决定需要写明原因"),
    (r"this photo is already attached \(#(?P<n>\d+)\); take a new one to attach it again", "这张照片已经存档（#{n}）；如需再次存档请重新拍摄"),
    # cameras, photos, stations
    (r"camera (?P<n>\d+) cannot be opened; (?P<hint>.*)", "无法打开摄像头 {n}；{hint}"),
    (r"camera (?P<n>\d+) stopped sending pictures", "摄像头 {n} 停止传送画面"),
    (_P + r": no photos here \(looked for (?P<kinds>.+)\)", "{path}：这里没有照片（查找的类型：{kinds}）"),
    (_P + r": no such folder of photos", "{path}：没有这个照片文件夹"),
    (_P + r": no such PDF file", "{path}：没有这个 PDF 文件"),
    (_P + r": no such video file", "{path}：没有这个视频文件"),
    (_P + r": cannot be opened as a video", "{path}：无法作为视频打开"),
    (_P + r": is not a readable PDF \((?P<why>.*)\)", "{path}：不是可读的 PDF（{why}）"),
    (r"the meeting server refused the token; copy it from `tallykit serve`", "会议服务器拒绝了令牌；请从 `tallykit serve` 的输出复制"),
    (r"cannot reach the meeting server at (?P<url>\S+) \((?P<why>.*?)\); (?P<rest>.*)", "无法连接会议服务器 {url}（{why}）；请确认 `tallykit serve` 正在运行、两台电脑在同一网络"),
    # fonts
    (r"no CJK font found on this machine; (?P<hint>.*)", "本机没有中文字体；{hint}"),
    (_P + r": font file not found; (?P<hint>.*)", "{path}：找不到字体文件；{hint}"),
    (_P + r": has no glyph for (?P<chars>.+?) \(e\.g\. (?P<u>U\+[0-9A-F]+)\); (?P<rest>.*)", "{path}：缺少字符 {chars}（如 {u}）；请换一个包含会议全部文字的字体"),
    # the ledger
    (r'"(?P<x>.+)" is not a person of this ledger; people: (?P<known>.+)', "“{x}”不是本台账的人员；人员：{known}"),
    (r'"(?P<x>.+)" is not a category of this ledger; categories: (?P<known>.+)', "“{x}”不是本台账的考核项目；项目：{known}"),
    (r"(?P<d>\S+) is not in (?P<y>\d+), the year of this ledger; give the entries' date with --date", "{d} 不在本台账的年度 {y} 内；请用 --date 给出记录日期"),
    (r"(?P<d>\S+) is not in (?P<y>\d+), the year of this ledger", "{d} 不在本台账的年度 {y} 内"),
    (r"an entry needs a reason and the operator's name", "每条记录都要写明原因和录入人"),
    (r"entry #(?P<n>\d+) is already reversed", "记录 #{n} 已经冲销过"),
    (r"no entry #(?P<n>\d+)", "没有记录 #{n}"),
    (_P + r": is not a ledger folder \(no .*\); create one with `tallykit ledger init`", "{path}：不是积分台账文件夹；请先用 `tallykit ledger init` 新建"),
    (r'--date "(?P<d>.+)" is not a date; write it like 2027-03-15', "--date “{d}”不是日期；请写成 2027-03-15"),
    (r'--points "(?P<p>.+)" is not a number; write it like 10 or -2\.5', "--points “{p}”不是数字；请写成 10 或 -2.5"),
    (r'"(?P<x>.+)" is not a conversion of this ledger; conversions: (?P<known>.+)', "“{x}”不是本台账的折算规则；折算规则：{known}"),
    (r"this bundle \(results (?P<d>\S+)\) was imported with conversion (?P<c>\S+) before; a bundle counts once", "此归档包（结果 {d}）已按折算规则 {c} 导入过；同一归档包只计一次"),
    (r"not sure who is who: (?P<who>.+); map them with --map CANDIDATE=PERSON", "无法确定对应的人员：{who}；请用 --map 候选人=人员 指定"),
    (r"a survey's satisfaction is about one person: give --person P01", "满意度测评针对一个人：请给出 --person 人员编号"),
    (_P + r": the bundle does not verify \((?P<why>.+)\); run `tallykit verify` on it", "{path}：归档包核验未通过（{why}）；请先运行 `tallykit verify`"),
    (r"(?P<f>.+?): row (?P<n>\d+), (?P<col>\S+): (?P<problem>.+); nothing was imported", "{f}：第 {n} 行“{col}”列：{problem}；未导入任何内容"),
    (r"(?P<f>.+?) was imported before \(the same file\); a file counts once", "{f} 已导入过（同一文件）；同一文件只计一次"),
    (r"(?P<d>\S+) falls in a period already sealed and published \(公示, quarters 1-(?P<q>\d)\); .*", "{d} 属于已封存并公示的期次（第 1—{q} 季度）；请把记录日期写在当前期次，并在原因中说明"),
    (r"(?P<p>H[12]) is already sealed; .*", "{p} 已封存；可用 `ledger notice` 重新打印其公示单"),
    (r"seal the first half \(H1\) before the year \(H2\)", "请先封存上半年（H1），再封存全年（H2）"),
    (r"ledger\.toml: person (?P<p>\S+) has entries \(#(?P<n>\d+)\); a person with entries stays in the ledger", "ledger.toml：人员 {p} 已有记录（#{n}）；有记录的人员不能删除"),
    (r"ledger\.toml: category (?P<c>\S+) has entries \(#(?P<n>\d+)\); a category with entries stays in the ledger", "ledger.toml：考核项目 {c} 已有记录（#{n}）；有记录的项目不能删除"),
    (_P + r": is not a ledger store \(not an SQLite file tallykit wrote\)", "{path}：不是本软件的积分台账数据库"),
    (_P + r": ledger store version (?P<v>\d+) is not (?P<w>\d+); use the tallykit that made it", "{path}：台账数据库版本 {v} 与本软件（{w}）不符；请使用创建它的版本"),
    # bundles
    (_P + r": no such bundle; give the folder \(or \.zip\) that `tallykit seal` wrote", "{path}：没有这个归档包；请给出 `tallykit seal` 生成的文件夹（或 .zip）"),
    (_P + r": not a tallykit bundle \(no seal\.json or MANIFEST\.sha256\)", "{path}：不是本软件的归档包（缺少 seal.json 或 MANIFEST.sha256）"),
    (_P + r": is neither a bundle folder nor a \.zip of one", "{path}：既不是归档包文件夹，也不是其 .zip 文件"),
]
# A meeting file's mistakes: "<file>: <key path>: <problem>"; the problem's usual wordings in Chinese
PROBLEMS_ZH: list[tuple[str, str]] = [
    (r"is missing; add (?P<key>\S+) = <(?P<what>.+)>", "缺少此项；请添加 {key} = <{what}>"),
    (r"must be text in quotes, not (?P<got>.+)", "应为带引号的文字，而不是 {got}"),
    (r"must be a table, not (?P<got>.+)", "应为表（[...]），而不是 {got}"),
    (r"must be (?P<expected>.+), not (?P<got>.+)", "应为 {expected}，而不是 {got}"),
    (r"is (?P<v>\S+); it must be at most (?P<hi>\S+)", "是 {v}；不能大于 {hi}"),
    (r"is (?P<v>\S+); it must be at least (?P<lo>\S+)", "是 {v}；不能小于 {lo}"),
    (r"is not a known setting; did you mean (?P<hint>.+)\?", "不是可识别的设置项；是否想写 {hint}？"),
    (r"is not a known setting(?P<hint>.*)", "不是可识别的设置项{hint}"),
    (r"is empty; add at least one (?P<what>.+)", "为空；请至少添加一个 {what}"),
    (r"is empty; write the text between the quotes", "为空；请在引号之间填写文字"),
    (r"is an empty list; name at least one", "是空列表；请至少写一个"),
    (r"has (?P<n>\d+) entries; at most (?P<limit>\d+) are allowed", "有 {n} 项；最多允许 {limit} 项"),
    (r"is (?P<n>\d+) characters long; at most (?P<max>\d+) are allowed", "有 {n} 个字符；最多允许 {max} 个"),
    (r"file not found; check the path", "找不到文件；请检查路径"),
    (r"is a folder; give the meeting file \(meeting\.toml\)", "是文件夹；请给出会议文件（meeting.toml）"),
    (r"is not UTF-8 text \(bad byte at line (?P<line>\d+)\); save the file with UTF-8 encoding",
     "不是 UTF-8 文本（第 {line} 行有错误字节）；请以 UTF-8 编码保存文件"),
    (r"is not valid TOML: (?P<why>.+?); line (?P<line>\d+) has curly quotes .*",
     "不是有效的 TOML 格式（{why}）；第 {line} 行用了中文引号“…”——请改为英文直引号 \"…\""),
    (r"is not valid TOML: (?P<why>.+?); line (?P<line>\d+) has a date like (?P<d>\S+) .*",
     "不是有效的 TOML 格式（{why}）；第 {line} 行的日期写成了 {d}——请写成 2026-12-18 这样"),
    (r"is not valid TOML: (?P<why>.+?); line (?P<line>\d+) has full-width punctuation .*",
     "不是有效的 TOML 格式（{why}）；第 {line} 行用了全角标点（＝ ： ， ［ ］）——请把输入法切换到半角"),
    (r"is not valid TOML: (?P<why>.+?); the file has curly quotes .*",
     "不是有效的 TOML 格式（{why}）；文件中有中文引号“…”——请改为英文直引号 \"…\""),
    (r"is not valid TOML: (?P<why>.+)", "不是有效的 TOML 格式（{why}）"),
    (r"(?P<date>\S+) is not a plausible meeting date(?P<rest>.*)", "{date} 不是合理的会议日期"),
    (r'"(?P<x>.+)" is not a voter group; known groups: (?P<known>.+)', "“{x}”不是投票群体；已有群体：{known}"),
    (r'"(?P<x>.+)" is not a post; known posts: (?P<known>.+)', "“{x}”不是职位；已有职位：{known}"),
    (r'"(?P<x>.+)" is not a round; known rounds: (?P<known>.+)', "“{x}”不是轮次；已有轮次：{known}"),
    (r'"(?P<x>.+)" is not a grade of this round; grades: (?P<known>.+)', "“{x}”不是本轮次的等次；等次：{known}"),
    (r'"(?P<x>.+)" is not a candidate; known candidates: (?P<known>.+)', "“{x}”不是候选人；已有候选人：{known}"),
    (r"is (?P<top>\S+), which is not a multiple of the step (?P<step>\S+)", "是 {top}，不是步长 {step} 的整数倍"),
    (r"weights add up to (?P<total>\S+)% \((?P<listed>.+)\); they must add up to 100%", "权重合计为 {total}%（{listed}）；必须合计 100%"),
]
_PROBLEMS = [(re.compile(pattern, re.S), template) for pattern, template in PROBLEMS_ZH]
_DEFINITION = re.compile(r"(?P<file>[^:]*\.toml(?: \(accepted version \d+\))?)(?:: (?P<key>[\w.\[\]\-\\u4e00-\\u9fff]+))?: "
                         r"(?P<problem>.+)", re.S)
_COMPILED = [(re.compile(pattern, re.S), template) for pattern, template in ERRORS_ZH]


def in_chinese(message: str) -> str | None:
    """The Chinese of an English error line, or None when the catalogue has no entry for it."""
    for pattern, template in _COMPILED:
        match = pattern.fullmatch(message)
        if match:
            return template.format(**match.groupdict())
    found = _DEFINITION.fullmatch(message)
    if found:  # a meeting file's mistake: its file and key stay, the problem is said in Chinese when known
        problem = found["problem"]
        for pattern, template in _PROBLEMS:
            match = pattern.fullmatch(problem)
            if match:
                problem = template.format(**match.groupdict())
                break
        else:
            return None
        where = found["file"] + (f"：{found['key']}" if found["key"] else "")
        return f"{where}：{problem}"
    return None


def meeting_language(directory: Path | str | None) -> str | None:
    """The `[meeting] language` of a meeting folder (or meeting file), "zh" when it says none, None when there
    is no meeting there."""
    if directory is None:
        return None
    path = Path(directory)
    toml = next((path / name for name in ("meeting.toml", "ledger.toml") if (path / name).is_file()), path) \
        if path.is_dir() else path
    if not toml.is_file() or toml.suffix != ".toml":
        return None
    try:
        data = tomllib.loads(toml.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return "zh"
    head = data.get("meeting", data.get("ledger", {}))
    language = head.get("language", "zh") if isinstance(head, dict) else "zh"
    return "en" if language == "en" else "zh"


def message_language(directory: Path | str | None = None) -> str:
    """The language errors are said in: TALLYKIT_MESSAGES, else the meeting's, else the system's."""
    forced = os.environ.get("TALLYKIT_MESSAGES", "").lower()
    if forced in ("en", "zh"):
        return forced
    from cli.help_zh import system_language

    return meeting_language(directory) or system_language()


def error_line(message: str, language: str) -> str:
    """One line: `error: …` in English, `错误：…` in Chinese."""
    message = " ".join(message.split())
    if language == "zh":
        return "错误：" + (in_chinese(message) or message)
    return f"error: {message}"
