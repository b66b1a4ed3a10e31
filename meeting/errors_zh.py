# ruff: noqa: E501  (a table of messages: one entry per line reads best)
"""Error lines in Chinese: the catalogue.

Errors are raised deep in the rooms in English (one wording, tested); where a person reads them (the command
line's `错误：` lines, a scan's refusals) they are said in the meeting's language through this catalogue. Each
entry: a pattern over the whole English line, and its Chinese with the same named parts. tests/test_messages.py
finds every error the rooms raise and fails when one has no entry here.
"""

from __future__ import annotations

import re

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
    (_P + r": the photos here are HEIC or RAW, which are not read; save them as JPEG \(on an iPhone: Settings → Camera → Formats → Most Compatible\)",
     "{path}：这里的照片是HEIC或RAW格式，不能读取；请另存为JPG（苹果手机：设置→相机→格式→兼容性最佳）"),
    (_P + r": no photos here \(looked for (?P<kinds>.+)\)", "{path}：这里没有照片（查找的类型：{kinds}）"),
    (_P + r": no such folder of photos", "{path}：没有这个照片文件夹"),
    (_P + r": no such PDF file", "{path}：没有这个 PDF 文件"),
    (_P + r": no such video file", "{path}：没有这个视频文件"),
    (_P + r": cannot be opened as a video", "{path}：无法作为视频打开"),
    (_P + r": too large: (?P<w>\d+)×(?P<h>\d+) pixels \(at most (?P<mp>\d+) megapixels\)",
     "{path}：图片太大：{w}×{h}像素（最多{mp}百万像素）"),
    (_P + r": its frames are (?P<w>\d+)×(?P<h>\d+) pixels, larger than any camera makes \(at most (?P<side>\d+) "
     r"pixels a side, (?P<mp>\d+) megapixels\)", "{path}：视频画面为{w}×{h}像素，大于任何摄像头所拍（每边最多{side}像素，"
     "最多{mp}百万像素）"),
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
    # integrity (the audit chain): said with the way out
    (r"audit chain broken at row (?P<n>\d+): (?P<problem>.+?); stop, keep every file as it is, and tell the chair", "审计链在第 {n} 行断开：{problem}；请立即停止，保留所有文件原样，并报告主持人"),
    (r"a record was changed behind the audit log(?: \(audit row (?P<n>\d+)\))?: (?P<problem>.+?); stop, keep every file as it is, and tell the chair", "有记录绕过审计日志被改动：{problem}；请立即停止，保留所有文件原样，并报告主持人"),
    (r"(?P<problem>.+?): the ledger was altered outside tallykit; stop, keep every file as it is, and tell the chair", "台账在本软件之外被改动（{problem}）；请立即停止，保留所有文件原样，并报告主持人"),
    (r"(?P<problem>.+?); stop, keep every file as it is, and tell the chair", "数据完整性检查未通过（{problem}）；请立即停止，保留所有文件原样，并报告主持人"),
    (r"audit chain broken at row (?P<n>\d+): (?P<problem>.+?); the count cannot be sealed\. Keep every file and tell the chair", "审计链在第 {n} 行断开：{problem}；不能封存。请保留所有文件并报告主持人"),
    (r"(?P<problem>.+?); the count cannot be sealed\. Keep every file and tell the chair", "数据完整性检查未通过（{problem}）；不能封存。请保留所有文件并报告主持人"),
    (r"the accepted definition in the store does not match its digest; the store is damaged", "数据库中已确认的会议定义与其摘要不符；数据库已损坏"),
    # counting limits (a double scan, a foreign ballot)
    (r"round (?P<round>\S+) group (?P<group>\S+): (?P<n>\d+) sheets are already recorded and only (?P<issued>\d+) ballots were issued; this sheet is not counted\. Check for a double scan or a foreign ballot",
     "轮次 {round} 群体 {group}：已记录 {n} 张，而只发出 {issued} 张选票；此张不计入。请检查是否重复扫描或混入外来选票"),
    (r"round (?P<round>\S+) group (?P<group>\S+): (?P<n>\d+) sheets are already recorded and (?P<returned>\d+) ballots were counted as returned; this sheet is not counted\. .*",
     "轮次 {round} 群体 {group}：已记录 {n} 张，而登记收回 {returned} 张；此张不计入。请检查是否重复扫描，或用 `tallykit returned` 更正收回票数"),
    (r"round (?P<round>\S+) group (?P<group>\S+): (?P<n>\d+) sheets were read but (?P<returned>\d+) ballots are recorded as returned; .*",
     "轮次 {round} 群体 {group}：已识别 {n} 张，而登记收回 {returned} 张；请找出重复扫描的表（在 /review 页面作为重复作废），或用 `tallykit returned` 更正收回票数，然后再封存"),
    (r"no ballots were recorded as issued for round (?P<round>\S+) group (?P<group>\S+); print them with `tallykit print` first",
     "轮次 {round} 群体 {group} 还没有登记发出的选票；请先用 `tallykit print` 打印"),
    (r"this sheet was recorded before", "此表已记录过"),
    (r"sheet (?P<serial>\S+) page (?P<page>\d+) was read before \(#(?P<n>\d+)\)", "编号 {serial} 第 {page} 页已识别过（#{n}）"),
    (r"the key (?P<key>\S+) was used for another sheet \(#(?P<n>\d+)\); send this sheet with a new key", "键 {key} 已用于另一张表（#{n}）；请换一个新键发送此表"),
    (r"no reading #(?P<n>\d+)", "没有识别记录 #{n}"),
    # stores
    (_P + r": a meeting store is already there; choose another folder", "{path}：这里已有会议数据库；请换一个文件夹"),
    (_P + r": is not a tallykit meeting store \((?P<why>.+)\)", "{path}：不是本软件的会议数据库"),
    (_P + r": store schema (?P<v>\S+) is not (?P<w>\S+); use the tallykit version that created this meeting", "{path}：数据库版本 {v} 与本软件（{w}）不符；请使用创建此会议的版本"),
    (r"meeting\.db: holds no meeting definition", "meeting.db：数据库中没有会议定义"),
    # re-runs (另行选举)
    (r"no free id left for (?P<stem>.+?)…; rename some rounds or candidates", "{stem}… 已无可用编号；请给部分轮次或候选人改名"),
    (r'"(?P<round>.+)" is not a vote round of this meeting; vote rounds: (?P<known>.*)', "“{round}”不是本会议的投票轮次；投票轮次：{known}"),
    (r"round (?P<round>\S+) is invalid \((?P<why>.+?)\): nobody was elected and the whole vote must be held again; a re-run is only for unfilled seats",
     "轮次 {round} 无效（{why}）：无人当选，须重新进行整轮投票；另行选举只用于未选足的名额"),
    (r"round (?P<round>\S+) still has (?P<n>\d+) sheet\(s\) in review; decide them on /review first, the re-run list depends on them",
     "轮次 {round} 还有 {n} 张表待复核；请先在 /review 页面复核，另行选举名单取决于复核结果"),
    (r"round (?P<round>\S+) filled every seat; there is nothing to elect again", "轮次 {round} 已选足全部名额；不需要另行选举"),
    (r"post (?P<post>\S+) has nobody on its re-run list \(no votes for anyone not elected\); .*", "职位 {post} 的另行选举名单为空（未当选者均无得票）；请在 meeting.toml 中手工添加候选人并运行 `tallykit check`"),
    (r"post (?P<post>\S+) has no unfilled seat in round (?P<round>\S+); posts with unfilled seats: (?P<known>.*)", "职位 {post} 在轮次 {round} 中没有未选足的名额；有空缺的职位：{known}"),
    # printing, layout, fonts
    (r"no installed font has every character the forms need \(tried (?P<tried>.+)\); pass --font FILE with one that does", "本机已装字体都缺少表单需要的字（已试：{tried}）；请用 --font 文件 指定包含全部文字的字体"),
    (_P + r": cannot be read as a TrueType/OpenType font \((?P<why>.+?)\); (?P<hint>.*)", "{path}：不是可读的 TrueType/OpenType 字体（{why}）；{hint}"),
    (r'(?P<where>.+?): "(?P<text>.+)" does not fit its cell \((?P<w>\S+) x (?P<h>\S+) mm\) even at (?P<pt>\S+) pt on (?P<n>\d+) lines; shorten it',
     "{where}：“{text}”在 {w}×{h} 毫米的格子里放不下（已缩到 {pt} 磅、{n} 行）；请缩短"),
    (r"posts\.(?P<post>\S+): its (?P<n>\d+) candidates do not fit on one page, .*", "posts.{post}：{n} 名候选人一页放不下，而“最多选 K 人”的规则要求在同一页；请用 A3 纸打印（--paper A3）或拆分职位"),
    (r"round (?P<round>\S+): a criterion maximum of (?P<max>\S+) needs too many bubbles for one line; lower it or split the criterion", "轮次 {round}：评分项满分 {max} 需要的圆圈一行放不下；请降低满分或拆分评分项"),
    (r"round (?P<round>\S+) is a (?P<kind>\S+) round; it has no paper form", "轮次 {round} 是 {kind} 类轮次，没有纸质表单"),
    (r'paper "(?P<paper>.+)" is not supported; use one of: (?P<known>.+)', "不支持纸张“{paper}”；可选：{known}"),
    (r"round (?P<round>\S+): a block of (?P<mm>\S+) mm does not fit on one page", "轮次 {round}：一块 {mm} 毫米高的内容一页放不下"),
    (r"questions\.(?P<q>\S+)\.options: the options do not fit on one line; shorten them", "questions.{q}.options：选项一行放不下；请缩短"),
    (r"spares must be 0 or more", "备用票数不能小于 0"),
    (r"layout (?P<a>\S+) collides with stored layout (?P<b>\S+); change the round id", "版式 {a} 与已存版式 {b} 冲突；请修改轮次编号"),
    # cameras and streams
    (r'--camera "(?P<c>.+)" is neither a camera number \(0, 1, …\) nor a stream URL .*', "--camera “{c}”既不是摄像头编号（0、1……），也不是视频流地址（手机摄像头应用显示的 http://… 或 rtsp://…）"),
    (r"the stream (?P<url>\S+) cannot be opened; .*", "无法打开视频流 {url}；请确认手机与本电脑在同一网络，且摄像头应用正在推流"),
    # the demo
    (r"cannot write the demo video (?P<path>.+); OpenCV has no MJPG writer here", "无法写出演示视频 {path}；本机的 OpenCV 没有 MJPG 编码器"),
    (_P + r" exists and was not made by the demo; give another folder", "{path} 已存在且不是演示生成的；请换一个文件夹"),
    # report sheets, bundles
    (r"the QR code says (?P<code>.+): not a tallykit report sheet", "二维码内容为 {code}：不是本软件的报告单"),
    (r"this report sheet belongs to meeting (?P<a>\S+), not (?P<b>\S+)", "此报告单属于会议 {a}，不是 {b}"),
    (r"nothing is sealed in this meeting; there is no report sheet to attach", "本会议还没有封存任何轮次；没有可存档的报告单"),
    (r"this sheet was printed from results (?P<a>\S+)…, which no seal of this meeting recorded \(now (?P<b>\S+)…\); .*", "此报告单印自结果 {a}…，本会议的封存记录中没有它（现为 {b}…）；请存档用最新归档包打印的报告单"),
    (r"round (?P<round>.+?) is sealed, but its bundle could not be written \((?P<why>.+)\); .*", "轮次 {round} 已封存，但归档包未能写出（{why}）；排除问题后再次运行同一条 `tallykit seal` 命令即可写出"),
    (r"the photo is stored as attachment #(?P<n>\d+), but the new bundle could not be written \((?P<why>.+)\); .*", "照片已存为附件 #{n}，但新的归档包未能写出（{why}）；请运行 `tallykit seal 文件夹 --all` 写出"),
    (r"the bundle could not be written into (?P<path>.+?) \((?P<why>.+)\); .*", "归档包未能写入 {path}（{why}）；请腾出磁盘空间或修正文件夹权限，再运行同一条命令"),
    (_P + r": holds (?P<name>.+) more than once \(.*\); not a bundle as tallykit writes it", "{path}：{name} 出现了不止一次；不是本软件写出的归档包"),
    (_P + r": holds a file outside its folder \((?P<name>.+)\); not a tallykit bundle", "{path}：含有指向其文件夹之外的文件（{name}）；不是本软件的归档包"),
    # the ledger's command line, sheets and imports
    (r'(?P<what>\S+) "(?P<x>.+)" is not a number; write it like 10 or -2\.5', "{what} “{x}”不是数字；请写成 10 或 -2.5"),
    (r"(?P<what>\S+) (?P<x>\S+) is out of range \(at most 100000, two decimals\)", "{what} {x} 超出范围（最多 100000，两位小数）"),
    (_P + r": no such photo", "{path}：没有这张照片"),
    (_P + r": give a JPEG or PNG photo of at most 20 MB", "{path}：请给出不超过 20 MB 的 JPEG 或 PNG 照片"),
    (r'--map "(?P<x>.+)" is not CANDIDATE=PERSON, e\.g\. C01=P01', "--map “{x}”不是 候选人=人员 的写法，例如 C01=P01"),
    (r'--from "(?P<x>.+)" is not a date; write it like 2027-07-05', "--from “{x}”不是日期；请写成 2027-07-05"),
    (r"candidates (?P<a>\S+) and (?P<b>\S+) are both person (?P<p>\S+); map them with --map", "候选人 {a} 和 {b} 都对应人员 {p}；请用 --map 指定"),
    (r"the meeting has no composite result \(a part is missing or invalid\)", "该会议没有综合成绩（有组成部分缺失或无效）"),
    (r"not every part of the composite is sealed; seal them before importing", "综合成绩的组成部分尚未全部封存；请封存后再导入"),
    (r"the meeting has (?P<n>\d+) rounds for (?P<what>.+?); set round = … in the conversion (?P<c>\S+)", "该会议有 {n} 个 {what} 轮次；请在折算规则 {c} 中写明 round = …"),
    (r"round (?P<round>\S+) is not sealed in this bundle; seal it before importing", "轮次 {round} 在此归档包中未封存；请封存后再导入"),
    (r"round (?P<round>\S+) is void \(选举无效 or 测评无效\); its result gives no points", "轮次 {round} 无效（选举无效或测评无效）；其结果不计积分"),
    (r'candidate (?P<c>\S+) (?P<name>.+?) is mapped to "(?P<p>.+)", not a person of this ledger', "候选人 {c} {name} 被对应到“{p}”，但本台账没有此人员"),
    (r"round (?P<round>\S+) has no satisfaction yet", "轮次 {round} 还没有满意度结果"),
    (_P + r": give an \.xlsx or \.csv file", "{path}：请给出 .xlsx 或 .csv 文件"),
    (_P + r": no such file", "{path}：没有这个文件"),
    (_P + r": larger than (?P<mb>\d+) MB; split it", "{path}：大于 {mb} MB；请拆分"),
    (_P + r": is empty", "{path}：是空文件"),
    (_P + r": more than (?P<n>\d+) rows; split it", "{path}：超过 {n} 行；请拆分"),
    (_P + r": has no entries under its header row", "{path}：表头下面没有记录"),
    (_P + r": is neither UTF-8 nor GBK text", "{path}：既不是 UTF-8 也不是 GBK 编码的文本"),
    (_P + r": no column (?P<col>.+?) \((?P<names>.+)\) in the first row", "{path}：第一行没有“{col}”列（{names}）"),
    (_P + r": cannot be read as an XLSX workbook \((?P<why>.+)\)", "{path}：无法作为 XLSX 工作簿读取（{why}）"),
    (_P + r": holds no ledger definition; the store is damaged", "{path}：数据库中没有台账定义，数据库已损坏"),
    (_P + r": ledger\.id changed to (?P<a>\S+); put back (?P<b>\S+)", "{path}：ledger.id 被改成了 {a}；请改回 {b}"),
    (r'"(?P<x>.+)" is not a period; use H1 \(first half\) or H2 \(the year\)', "“{x}”不是期次；请用 H1（上半年）或 H2（全年）"),
    (_P + r": person (?P<p>\S+) has entries \(#(?P<n>\d+)\); a person with entries stays in the ledger", "{path}：人员 {p} 已有记录（#{n}）；有记录的人员不能删除"),
    (_P + r": category (?P<c>\S+) has entries \(#(?P<n>\d+)\); a category with entries stays in the ledger", "{path}：考核项目 {c} 已有记录（#{n}）；有记录的项目不能删除"),
    # paper printed before the meeting was changed (`tallykit check`, the scan)
    (r"(?P<file>\S+\.pdf): (?P<problem>.+?): printed before the meeting was changed; re-print it, or accept this paper with \[scan\] accept_layouts = \[\"(?P<prefix>[A-Z2-7]+)\"\] \(re-print: (?P<cmd>.+)\)",
     "{file}：{problem}：此表在会议修改前印制；请重新印制（{cmd}），或确认这批纸仍然有效后在 meeting.toml 的 [scan] 中写 accept_layouts = [\"{prefix}\"]"),
]
# A meeting file's mistakes: "<file>: <key path>: <problem>"; the problem's usual wordings in Chinese
PROBLEMS_ZH: list[tuple[str, str]] = [
    (r"is missing; add (?P<key>\S+) = <(?P<what>.+)>", "缺少此项；请添加 {key} = <{what}>"),
    (r"must be text in quotes, not (?P<got>.+)", "应为带引号的文字，而不是 {got}"),
    (r"must be a table, not (?P<got>.+)", "应为表（[...]），而不是 {got}"),
    (r"must be (?P<expected>.+), not (?P<got>.+)", "应为{expected}，而不是 {got}"),
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
    (r"is (?P<v>\S+); it must be above mark_empty \((?P<e>\S+)\), the gap goes to review", "是 {v}；必须大于 mark_empty（{e}），两者之间的送复核"),
    (r"is missing; `tallykit (?P<cmd>init|ledger init)` writes one, or add id = \"ABCD1234\"", "缺少此项；`tallykit {cmd}` 会自动写入，或添加 id = \"ABCD1234\""),
    (r"names a post, but the meeting has no \[\[posts\]\]; add the posts first", "指定了职位，但会议没有 [[posts]]；请先添加职位"),
    (r"is (?P<v>\S+), more than the (?P<n>\S+) expected voters; ballots issued can never exceed the voters", "是 {v}，多于应到人数 {n}；发出的选票不能多于投票人"),
    (r"give either candidates or posts, not both", "candidates 与 posts 只能给一个"),
    (r"this round has no candidates; add \[\[candidates\]\] or list them here", "本轮次没有候选人；请添加 [[candidates]] 或在此列出"),
    (r"is (?P<v>\S+); dropping (?P<h>\S+) high and (?P<l>\S+) low needs at least (?P<n>\S+) judges", "是 {v}；去掉 {h} 个最高分和 {l} 个最低分至少需要 {n} 名评委"),
    (r"is (?P<v>\S+); judges score in steps of 1 or 0\.5", "是 {v}；评委打分的步长只能是 1 或 0.5"),
    (r"a choose-at-most-K ballot has one box per candidate; give one option", "“最多选 K 人”的选票每名候选人只有一个框；请只给一个选项"),
    (r"has (?P<n>\d+) options; an approve ballot has 2 to 4 \(同意/不同意/弃权\)", "有 {n} 个选项；赞成式选票应有 2 到 4 个（同意/不同意/弃权）"),
    (r'"(?P<x>.+)" is not a re-run list rule; (?P<hint>.*)', "“{x}”不是另行选举名单的规则；{hint}"),
    (r'a re-run needs its floor: add rerun_min_share = "1/3"', "另行选举需要最低得票比例：请添加 rerun_min_share = \"1/3\""),
    (r"a rating needs at least two grades", "测评至少需要两个等次"),
    (r"gives (?P<what>.+?); give exactly one of at_least .*", "给出了 {what}；请只给 at_least（≥）、more_than（超过）、below（低于）、at_most（≤）中的一个，例如 more_than = \"1/3\""),
    (r"has (?P<n>\d+) names; at most 8 signature lines fit a report sheet", "有 {n} 个名字；报告单最多容纳 8 个签名栏"),
    (r'"(?P<x>.+)" is not a layout code; copy the 6-letter code that `tallykit check` or the scan printed', "“{x}”不是版式代码；请复制 `tallykit check` 或扫描时显示的 6 位代码"),
    (r'"(?P<x>.+)" is already used by (?P<other>.+?); every (?P<what>.+) needs its own id', "“{x}”已被 {other} 使用；每个{what}都要有自己的编号"),
    (r'"(?P<x>.+)" is not allowed; use one of: (?P<known>.+)', "“{x}”不可用；可选：{known}"),
    (r'"(?P<x>.+)" is not allowed: (?P<hint>.+)', "“{x}”不可用：{hint}"),
    (r"a manual round is entered by staff, not voted by groups; remove groups", "人工录入轮次由工作人员录入，不由群体投票；请删除 groups"),
    (r"each grade needs points; write \[\[\.\.\.\]\] tables with id, name and points", "每个等次都需要分值；请写成含 id、name、points 的 [[...]] 表"),
    (r"post (?P<post>\S+) elects (?P<k>\d+) but has only (?P<n>\d+) candidates and (?P<w>\d+) write-in rows; lower max_choices or add candidates", "职位 {post} 要选 {k} 人，但只有 {n} 名候选人和 {w} 个另选他人栏；请降低 max_choices 或增加候选人"),
    (r"post (?P<post>\S+) has (?P<n>\d+) candidate\(s\) for (?P<k>\d+) seat\(s\); 差额选举 needs more candidates than seats: .*", "职位 {post} 有 {n} 名候选人、{k} 个名额；差额选举要求候选人多于名额：请增加候选人，或在规定允许等额选举时设置 contested = \"warn\""),
    (r'"(?P<x>.+)" is not an option of any question; use an option\'s text', "“{x}”不是任何问题的选项；请使用选项的文字"),
    (r'"(?P<x>.+)" is a survey; surveys do not score candidates', "“{x}”是满意度测评；满意度测评不给候选人打分"),
    (r'"(?P<x>.+)" does not take part in round (?P<round>\S+); its groups: (?P<known>.*)', "“{x}”不参加轮次 {round}；该轮次的群体：{known}"),
    (r"round (?P<round>\S+) is already a part", "轮次 {round} 已经是组成部分"),
    (r'"(?P<x>.+)" is not a round of this composite', "“{x}”不是本综合成绩的轮次"),
    (r"a survey round asks questions, not about candidates; remove it", "满意度测评轮次只问问题，不针对候选人；请删除此项"),
    (r'"(?P<x>.+)" is not a candidate; (?P<hint>.*)', "“{x}”不是候选人；{hint}"),
    (r"a question needs at least two options", "每个问题至少需要两个选项"),
    (r"round (?P<round>\S+) has other candidates than the first part; a composite needs every part to score the same candidates", "轮次 {round} 的候选人与第一个组成部分不同；综合成绩要求各部分针对相同的候选人"),
    (r"a level with otherwise = true takes no conditions; remove (?:it|them)", "otherwise = true 的等级不能再带条件；请删除条件"),
    (r"a level needs at_least, below or at_most_share \(or otherwise = true\)", "每个等级都需要 at_least、below 或 at_most_share（或 otherwise = true）"),
    (r"only one level may be otherwise = true", "只能有一个等级是 otherwise = true"),
    (r'"(?P<x>.+)" is not a category; known categories: (?P<known>.+)', "“{x}”不是考核项目；已有项目：{known}"),
    (r'"(?P<x>.+)" is listed twice', "“{x}”重复列出"),
    (r'is (?P<v>\S+); it must be a share between 0 and 1, such as "1/3"', "是 {v}；必须是 0 到 1 之间的比例，如 \"1/3\""),
    (r"is (?P<v>\S+); it must be (?P<bound>above|at least) (?P<lo>\S+)", "是 {v}；必须{bound}{lo}"),
    # a ledger sheet's row
    (r'"(?P<x>.+)" names two people; use the person\'s id', "“{x}”对应两个人；请用人员编号"),
    (r'"(?P<x>.+)" is not a person of this ledger', "“{x}”不是本台账的人员"),
    (r'"(?P<x>.+)" is not a category of this ledger', "“{x}”不是本台账的考核项目"),
    (r"(?P<d>\S+) is not in (?P<y>\d+), the year of this ledger", "{d} 不在本台账的年度 {y} 内"),
    (r'"(?P<x>.+)" is out of range', "“{x}”超出范围"),
    (r"is empty; say why", "为空；请写明原因"),
    (r'"(?P<x>.+)" is not a number', "“{x}”不是数字"),
    (r'"(?P<x>.+)" is not a date; write it like 2027-03-15', "“{x}”不是日期；请写成 2027-03-15"),
    (r"cannot be read \((?P<why>.+)\)", "无法读取（{why}）"),
    (r"is (?P<n>[\d,]+) characters long; a meeting file is at most (?P<max>[\d,]+)", "有 {n} 个字符；会议文件最多 {max} 个"),
    (r"nests tables or lists too deeply to be a meeting file", "表或列表嵌套过深，不是会议文件"),
    (r"is missing; the file needs a \[meeting\] table", "缺少此项；文件需要一个 [meeting] 表"),
    (r"is missing; restore it, or copy the accepted version with `tallykit check --restore`", "缺少此文件；请恢复它，或用 `tallykit check --restore` 取回已确认的版本"),
    (r'is "(?P<a>.+)" but this meeting is "(?P<b>.+)"; put back id = "(?P<c>.+)"', "是“{a}”，但本会议是“{b}”；请改回 id = \"{c}\""),
    (r"round (?P<round>\S+) is no longer in the meeting", "轮次 {round} 已不在会议中"),
    (r"group (?P<group>\S+) no longer votes in round (?P<round>\S+)", "群体 {group} 已不参加轮次 {round}"),
    (r"candidates added (?P<a>[^;]+); removed (?P<r>.+)", "候选人有变：增加 {a}，去掉 {r}"),
    (r"candidates added (?P<a>.+)", "候选人有变：增加 {a}"),
    (r"candidates removed (?P<r>.+)", "候选人有变：去掉 {r}"),
    (r"the vote's options changed", "投票选项变了"),
    (r"the write-in rows changed", "另选他人栏数变了"),
    (r"the grades changed", "测评等次变了"),
    (r"the criteria changed", "评分项变了"),
    (r"the maximum of (?P<c>\S+) changed", "评分项 {c} 的满分变了"),
    (r"the questions or their options changed", "问题或选项变了"),
    (r"is (?P<top>\S+), which is not a multiple of the step (?P<step>\S+)", "是 {top}，不是步长 {step} 的整数倍"),
    (r"weights add up to (?P<total>\S+)% \((?P<listed>.+)\); they must add up to 100%", "权重合计为 {total}%（{listed}）；必须合计 100%"),
]
# what a setting must be ("must be <expected>, not …")
EXPECTED_ZH: list[tuple[str, str]] = [
    (r"a whole number", "整数"),
    (r"a number", "数字"),
    (r'a share such as "1/3", "50%" or 0\.5', "比例，如 \"1/3\"、\"50%\" 或 0.5"),
    (r"true or false", "true 或 false"),
    (r"a date written like (?P<d>\S+)", "日期，写成 {d} 这样"),
    (r'a list like \["a", "b"\]', "列表，如 [\"a\", \"b\"]"),
    (r"a table \[(?P<t>.+)\]", "表 [{t}]"),
    (r"a list of tables, written \[\[(?P<t>.+)\]\]", "表的列表，写成 [[{t}]]"),
    (r"text in quotes", "带引号的文字"),
]
_PROBLEMS = [(re.compile(pattern, re.S), template) for pattern, template in PROBLEMS_ZH]
_EXPECTED = [(re.compile(pattern, re.S), template) for pattern, template in EXPECTED_ZH]
_DEFINITION = re.compile(r"(?P<file>[^:]*\.toml(?: \(accepted version \d+\))?)(?:: (?P<key>[\w.\[\]\-\\u4e00-\\u9fff]+))?: "
                         r"(?P<problem>.+)", re.S)
_COMPILED = [(re.compile(pattern, re.S), template) for pattern, template in ERRORS_ZH]


def _known(text: str, table: list[tuple[re.Pattern[str], str]]) -> str | None:
    for pattern, template in table:
        match = pattern.fullmatch(text)
        if match:
            return template.format(**_parts(match))
    return None


def _parts(match: re.Match[str]) -> dict[str, str]:
    """A match's named parts, with a nested `problem` or `expected` said in Chinese too when known."""
    parts = {k: v or "" for k, v in match.groupdict().items()}
    for name, table in (("problem", _PROBLEMS), ("expected", _EXPECTED)):
        if parts.get(name):
            parts[name] = _known(parts[name], table) or parts[name]
    return parts


def in_chinese(message: str) -> str | None:
    """The Chinese of an English error line, or None when the catalogue has no entry for it."""
    said = _known(message, _COMPILED)
    if said is not None:
        return said
    found = _DEFINITION.fullmatch(message)
    if found:  # a meeting file's mistake: its file and key stay, the problem is said in Chinese when known
        problem = _known(found["problem"], _PROBLEMS)
        if problem is None:
            return None
        where = found["file"] + (f"：{found['key']}" if found["key"] else "")
        return f"{where}：{problem}"
    return None
