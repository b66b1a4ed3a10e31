"""Printed and displayed words in the meeting's language (zh by default, en supported).

CLI help and errors stay English; everything a meeting's people read goes through `text()`.
"""

from __future__ import annotations

LANGUAGES = ("zh", "en")

_WORDS: dict[str, dict[str, str]] = {
    # round kinds
    "kind.score": {"zh": "评分", "en": "Scoring"},
    "kind.vote": {"zh": "投票", "en": "Vote"},
    "kind.rating": {"zh": "测评", "en": "Rating"},
    "kind.survey": {"zh": "满意度测评", "en": "Survey"},
    "kind.manual": {"zh": "录入", "en": "Manual entry"},
    # default vote options
    "vote.agree": {"zh": "同意", "en": "Agree"},
    "vote.disagree": {"zh": "不同意", "en": "Disagree"},
    "vote.abstain": {"zh": "弃权", "en": "Abstain"},
    "vote.choose": {"zh": "选择", "en": "Choose"},
    "vote.write_in": {"zh": "另选他人", "en": "Write-in"},
    # default rating grades
    "grade.excellent": {"zh": "优秀", "en": "Excellent"},
    "grade.competent": {"zh": "称职", "en": "Competent"},
    "grade.basic": {"zh": "基本称职", "en": "Basically competent"},
    "grade.incompetent": {"zh": "不称职", "en": "Incompetent"},
    # default survey options
    "survey.satisfied": {"zh": "满意", "en": "Satisfied"},
    "survey.basic": {"zh": "基本满意", "en": "Fairly satisfied"},
    "survey.unsatisfied": {"zh": "不满意", "en": "Unsatisfied"},
    # summary and status tables
    "meeting": {"zh": "会议", "en": "Meeting"},
    "date": {"zh": "日期", "en": "Date"},
    "venue": {"zh": "地点", "en": "Venue"},
    "organiser": {"zh": "主办", "en": "Organiser"},
    "meeting_id": {"zh": "会议编号", "en": "Meeting ID"},
    "posts": {"zh": "职位", "en": "Posts"},
    "post": {"zh": "职位", "en": "Post"},
    "seats": {"zh": "名额", "en": "Seats"},
    "candidates": {"zh": "候选人", "en": "Candidates"},
    "candidate": {"zh": "候选人", "en": "Candidate"},
    "groups": {"zh": "投票人分组", "en": "Voter groups"},
    "group": {"zh": "分组", "en": "Group"},
    "expected": {"zh": "应到", "en": "Expected"},
    "ballots": {"zh": "发票", "en": "Ballots"},
    "ballot_counts": {"zh": "选票情况", "en": "Ballots"},
    "rounds": {"zh": "环节", "en": "Rounds"},
    "round": {"zh": "环节", "en": "Round"},
    "kind": {"zh": "类型", "en": "Kind"},
    "form": {"zh": "表单", "en": "Form"},
    "secret": {"zh": "无记名", "en": "Secret"},
    "named": {"zh": "记名", "en": "Named"},
    "rules": {"zh": "计票规则", "en": "Counting rules"},
    "composite": {"zh": "综合成绩", "en": "Composite score"},
    "weight": {"zh": "权重", "en": "Weight"},
    "part": {"zh": "组成", "en": "Part"},
    "id": {"zh": "编号", "en": "ID"},
    "name": {"zh": "姓名", "en": "Name"},
    "gender": {"zh": "性别", "en": "Gender"},
    "birth_year": {"zh": "出生年份", "en": "Born"},
    "education": {"zh": "学历", "en": "Education"},
    "issued": {"zh": "发出", "en": "Issued"},
    "returned": {"zh": "收回", "en": "Returned"},
    "read": {"zh": "已读", "en": "Read"},
    "review": {"zh": "待复核", "en": "In review"},
    "state": {"zh": "状态", "en": "State"},
    "next": {"zh": "下一步", "en": "Next"},
    "audit": {"zh": "审计链", "en": "Audit chain"},
    "all_groups": {"zh": "全部", "en": "all"},
    "gender.M": {"zh": "男", "en": "male"},
    "gender.F": {"zh": "女", "en": "female"},
    "sheets": {"zh": "份数", "en": "Sheets"},
    "spares": {"zh": "备用", "en": "Spares"},
    "pages_per_sheet": {"zh": "每份页数", "en": "Pages/sheet"},
    "file": {"zh": "文件", "en": "File"},
    "printed": {"zh": "打印文件", "en": "Print files"},
    # results
    "valid": {"zh": "有效", "en": "Valid"},
    "void": {"zh": "无效", "en": "Void"},
    "blank": {"zh": "空白", "en": "Blank"},
    "pending": {"zh": "待复核", "en": "In review"},
    "share": {"zh": "得票率", "en": "Share"},
    "elected": {"zh": "当选", "en": "Elected"},
    "tie": {"zh": "票数相同，须再次投票", "en": "tie: vote again"},
    "unfilled": {"zh": "{post}尚缺{n}名，另行选举候选人：{names}", "en": "{post}: {n} seat(s) unfilled; re-run candidates: {names}"},
    "write_ins": {"zh": "另选他人", "en": "Write-ins"},
    "points": {"zh": "得分", "en": "Points"},
    "level": {"zh": "等次", "en": "Level"},
    "judges": {"zh": "评委打分", "en": "Judges' totals"},
    "highest": {"zh": "最高分", "en": "Highest"},
    "lowest": {"zh": "最低分", "en": "Lowest"},
    "trimmed": {"zh": "最后得分", "en": "Final score"},
    "question": {"zh": "测评项目", "en": "Question"},
    "satisfaction": {"zh": "满意率", "en": "Satisfaction"},
    "comments": {"zh": "意见建议", "en": "Comments"},
    "value": {"zh": "分数", "en": "Score"},
    "operator": {"zh": "录入人", "en": "Entered by"},
    "rank": {"zh": "名次", "en": "Rank"},
    "ranking": {"zh": "综合成绩排名", "en": "Ranking"},
    "cohort": {"zh": "拟选人选情况：共{n}人，平均年龄{age}岁，大专及以上学历{college}人，女性{women}人", "en": "Selected: {n}, average age {age}, college or above {college}, women {women}"},
    "vote_void": {"zh": "{round}（{group}）收回{returned}张，多于发出{issued}张：该组投票无效，须重新投票", "en": "{round} ({group}): {returned} returned but {issued} issued: this vote is VOID and must be repeated"},
    "pending_note": {"zh": "{round}（{group}）尚有{n}张待复核，结果未定", "en": "{round} ({group}): {n} sheet(s) still in review; results are not final"},
    "missing_parts": {"zh": "综合成绩尚缺（或该环节无效）：{parts}", "en": "Composite waits for (or cannot use an invalid round): {parts}"},
    "tie_revote": {"zh": "{post}：{names}票数相等，争最后{n}个名额，均不当选，须就票数相等的候选人再次投票", "en": "{post}: {names} tie for the last {n} seat(s); none is elected; vote again among exactly them"},
    "no_woman": {"zh": "{round}：当选人中没有妇女成员，依法应当有妇女成员，须另行选举", "en": "{round}: no woman is elected; the law requires a woman member: hold a further election"},
    "score_incomplete": {"zh": "{round}：第{judge}号评委对{candidate}的评分缺项，{rule}", "en": "{round}: judge {judge} left a criterion of {candidate} unscored; {rule}"},
    "incomplete.leave_out": {"zh": "该评委对其的总分不计入（去分规则仍按本环节评委人数）", "en": "that judge's total for them is left out (the trim rule still follows the round's number of judges)"},
    "incomplete.zero": {"zh": "缺项按0分计", "en": "the missing criterion counts as 0"},
    "invalid.vote": {"zh": "选举无效", "en": "ELECTION INVALID"},
    "invalid.rating": {"zh": "测评无效", "en": "RATING INVALID"},
    "invalid.title": {"zh": "【无效】", "en": "[INVALID]"},
    "invalid.below_quorum": {"zh": "【{round}】{what}：参加投票{got}人，未过登记选民{limit}人的{share}", "en": "{round}: {what}: {got} voted, not more than {share} of the {limit} registered voters"},
    "invalid.below_quorum_so_far": {"zh": "{round}：已读{got}张，尚未过登记选民{limit}人的{share}（收回票数未登记），在此之前不能确定当选", "en": "{round}: {got} sheets read, not yet more than {share} of the {limit} registered voters (no returned count recorded); nobody can be elected until then"},
    "invalid.read_over_returned": {"zh": "{round}（{group}）已读{got}张，多于登记收回的{limit}张：须核对收回票数或重复扫描，结果不能公布或封存", "en": "{round} ({group}): {got} sheets read but {limit} recorded as returned: check the returned count or a double scan; results cannot be announced or sealed"},
    "half": {"zh": "半数", "en": "half"},
    "outcome.counted": {"zh": "已计入", "en": "counted"},
    "outcome.review": {"zh": "待复核", "en": "to review"},
    "outcome.already_counted": {"zh": "已记录过", "en": "already counted"},
    "outcome.refused": {"zh": "拒收", "en": "refused"},
    "outcome.conflict": {"zh": "冲突", "en": "conflict"},
    "outcome.dry_run": {"zh": "试读（未记录）", "en": "dry run (not recorded)"},
    "outcome.rejected": {"zh": "未识别", "en": "rejected"},
    "outcome.unreadable": {"zh": "无法打开", "en": "unreadable file"},
    "scan.preview_title": {"zh": "tallykit 扫描（按 q 退出）", "en": "tallykit scan (q: quit)"},
    # why a picture was not read (scanner.reader.Rejected): the operator's next step in one line
    "reject.no_page": {"zh": "画面中没有选票", "en": "no sheet in view"},
    "reject.missing_marker": {"zh": "四角标记有一个以上没看到或在画面外：请把整张放入画面", "en": "a corner marker is hidden or outside the picture: show the whole sheet"},
    "reject.two_pages": {"zh": "画面中有两张表：一次只放一张", "en": "two sheets in view: show one at a time"},
    "reject.fit_error": {"zh": "纸张弯曲或折叠：请压平", "en": "the sheet is bent or folded: flatten it"},
    "reject.too_far": {"zh": "纸张离镜头太远：请靠近", "en": "the sheet is too far away: bring it closer"},
    "reject.low_resolution": {"zh": "摄像头分辨率太低，纸放得再近也看不清：请换用高清摄像头（720p或更高），或用手机拍照", "en": "the camera's resolution is too low for a whole sheet, however close: use a 720p or better camera, or take photos"},
    "reject.blurred": {"zh": "画面模糊：请拿稳", "en": "the picture is blurred: hold the sheet still"},
    "reject.out_of_view": {"zh": "部分表格在画面外：请整张放入画面", "en": "part of the sheet is outside the picture: move it into view"},
    "reject.too_dark": {"zh": "太暗：请加光", "en": "too dark: add light"},
    "reject.boxes_unseen": {"zh": "表格的框线看不清：请避免过亮或反光，把纸压平，放在画面中间", "en": "the boxes' outlines cannot be seen: avoid too much light or glare, flatten the sheet, hold it in the middle of the picture"},
    "reject.black_white": {"zh": "这是黑白（二值）图片，浅色的笔迹可能已被变成白纸：请用灰度或彩色模式重新扫描或拍照", "en": "a black-and-white picture (no greys): a light mark may have turned into paper; scan or photograph the sheet again in grey or colour"},
    "reject.glare": {"zh": "纸面反光：请调整角度避开灯光", "en": "glare on the sheet: tilt it away from the light"},
    "reject.covered": {"zh": "表格有部分看不清：被遮挡（手、另一张纸）、被反光冲淡或纸张不平（褶皱）：请移开遮挡或把纸压平", "en": "part of the sheet cannot be seen: covered (a hand, another sheet), washed out by glare, or the paper does not lie flat (crumpled): clear it or flatten the sheet"},
    "reject.no_qr": {"zh": "二维码无法识别：请压平纸张、避免反光", "en": "the QR code cannot be read: flatten the sheet, avoid glare"},
    "reject.low_contrast": {"zh": "校准条看不清：请加光、避免反光", "en": "the calibration strip is unreadable: more light, less glare"},
    "reject.paper_mismatch": {"zh": "纸张尺寸与该表的版式不符", "en": "the sheet's paper size does not match its layout"},
    "reject.layout_changed": {"zh": "此表在会议修改前印制：请重新印制", "en": "printed before the meeting was changed: re-print it"},
    "reject.foreign": {"zh": "不是本软件的表单", "en": "not a tallykit sheet"},
    "reject.malformed": {"zh": "二维码损坏或无法识别的版本", "en": "a damaged or unknown tallykit code"},
    "reject.wrong_meeting": {"zh": "另一个会议的表单", "en": "a sheet of another meeting"},
    "reject.bad_mac": {"zh": "伪造或被改动的表单（二维码与本会议密钥不符）", "en": "a forged or altered sheet (its code does not match this meeting's key)"},
    "reject.unknown_layout": {"zh": "本会议从未印制过此版式的表单", "en": "a sheet printed from a layout this meeting never printed"},
    "reject.test_sheet": {"zh": "测试表（TEST），正式计票时不计入", "en": "a TEST sheet, which never counts at a real count"},
    # what was measured, after the reason
    "reject_detail.px_per_mm": {"zh": "每毫米{px}像素", "en": "{px} pixels per mm"},
    "reject_detail.px_hidden": {"zh": "每毫米{px}像素，{n}个框看不到：{boxes}", "en": "{px} pixels per mm, {n} boxes hidden: {boxes}"},
    "reject_detail.hidden": {"zh": "{n}个框看不到：{boxes}", "en": "{n} boxes hidden: {boxes}"},
    "reject_detail.markers": {"zh": "未看到标记 {missing}", "en": "markers {missing} not seen"},
    "reject_detail.fit": {"zh": "贴合误差{mm}毫米", "en": "fit error {mm} mm"},
    "reject_detail.no_fit": {"zh": "无法贴合", "en": "no fit"},
    "reject_detail.paper": {"zh": "纸张{paper}，版式{layout}", "en": "{paper} sheet, {layout} layout"},
    "reject_detail.outside": {"zh": "{n}个框在画面外", "en": "{n} boxes outside the picture"},
    "reject_detail.grey": {"zh": "纸面灰度{grey}", "en": "paper at grey {grey}"},
    "reject_detail.grey_share": {"zh": "灰色像素只占{share}", "en": "only {share} of its pixels grey"},
    "reject_detail.sharpness": {"zh": "清晰度{s}", "en": "sharpness {s}"},
    "reject_detail.outlines": {"zh": "框线看不清（{o}），标记无法判定", "en": "box outlines not visible ({o}): marks undecidable"},
    "reject_detail.corner_outlines": {"zh": "一个角标记看不到，框线又不在应在的位置（{o}）", "en": "a corner marker unseen and the box outlines not where the page puts them ({o})"},
    "reject_detail.undecidable": {"zh": "清晰度{s}，{n}个框无法判定", "en": "sharpness {s}, {n} boxes undecidable"},
    "reject_detail.contrast": {"zh": "校准对比度{c}", "en": "calibration contrast {c}"},
    "reject_detail.meeting": {"zh": "该表属于会议 {theirs}，本会议为 {ours}", "en": "meeting {theirs}, this is {ours}"},
    "reject_detail.layout": {"zh": "版式 {prefix}", "en": "layout {prefix}"},
    "reject_detail.accept": {"zh": "若这批纸仍然有效，可在 meeting.toml 的 [scan] 中写 accept_layouts = [\"{prefix}\"]", "en": "or accept this paper as it is: [scan] accept_layouts = [\"{prefix}\"]"},
    "unreadable.decode": {"zh": "不是能打开的图片", "en": "not an image that can be decoded"},
    "unreadable.subfolder": {"zh": "这是子文件夹，其中的照片没有扫描；请把照片放在所扫描的文件夹里", "en": "a subfolder: its photos were not scanned; put the photos in the folder scanned"},
    "unreadable.phone_format": {"zh": "{kind}格式不能读取；请另存为JPG（苹果手机：设置→相机→格式→兼容性最佳）", "en": "{kind} is not read; save it as JPEG (on an iPhone: Settings → Camera → Formats → Most Compatible)"},
    "unreadable.not_photo": {"zh": "不是照片文件（可读取：{kinds}）", "en": "not a photo file (read: {kinds})"},
    "unreadable.too_large": {"zh": "图片太大：{w}×{h}像素（最多{mp}百万像素）", "en": "too large: {w}×{h} pixels (at most {mp} megapixels)"},
    "vote_line": {"zh": "{round}：当选须过半数，即至少{n}票（基数：{what}{base}）", "en": "{round}: elected with more than half, at least {n} votes (of {base}: {what})"},
    "vote_line.rerun": {"zh": "{round}：另行选举以得票多的当选，但不少于{n}票（{base}张的{share}）", "en": "{round}: most votes win, with at least {n} ({share} of {base})"},
    "decision.accept": {"zh": "按识别结果计入", "en": "accepted as read"},
    "decision.correct": {"zh": "更正后计入", "en": "corrected"},
    "decision.void": {"zh": "作废", "en": "void"},
    "decision.duplicate": {"zh": "重复扫描，不计", "en": "re-scan, not counted"},
    "reason.marginal": {"zh": "标记过浅、过小或在方格外", "en": "mark too faint, too small or beside its box"},
    "reason.struck": {"zh": "涂改（划掉的标记）", "en": "a mark crossed out"},
    "reason.seal": {"zh": "印章盖在已标记的方格上，请人工判定哪些是选民的标记", "en": "a round seal is stamped over marked boxes: a person decides which marks are the voter's"},
    "reason.line_through": {"zh": "一条直线穿过已标记的方格并延伸到格外（选民划掉了候选人或在选票上划线，或打印机的污痕），请人工判定", "en": "a straight line runs through marked boxes and on out of them (a line drawn through a candidate's row or across the ballot, or a printer's streak): a person decides"},
    "reason.print_line": {"zh": "整张纸有一条直线穿过已标记的方格（打印机或扫描仪的污痕，请清洁后再印或再扫）", "en": "a straight line runs across the whole sheet through marked boxes (a printer's or scanner's streak: clean it before printing or scanning more)"},
    "reason.overvote": {"zh": "超选", "en": "more marks than allowed"},
    "reason.undervote": {"zh": "未作选择", "en": "nothing marked"},
    "reason.blank": {"zh": "空白票", "en": "blank sheet"},
    "reason.write_in": {"zh": "另选他人待录入", "en": "write-in name to type"},
    "reason.two_digits": {"zh": "同一位填了两个数字", "en": "two digits in one column"},
    "reason.score_missing": {"zh": "漏评", "en": "score missing"},
    "reason.score_incomplete": {"zh": "分数不完整", "en": "score incomplete"},
    "reason.over_max": {"zh": "超过满分", "en": "above the maximum"},
    "reason.possible_rescan": {"zh": "疑似重复扫描", "en": "possible re-scan"},
    "reason.conflict": {"zh": "同一编号的表两次识别不一致", "en": "numbered sheet read twice, differently"},
    "rerun.header": {"zh": "另行选举：由 tallykit rerun 按 {round} 轮结果生成（{date}）", "en": "Further election made by tallykit rerun from the result of round {round} ({date})"},
    "rerun.written_in": {"zh": "{round}轮另选他人得票", "en": "written in at round {round}"},
    "rerun.name": {"zh": "{round}（另行选举）", "en": "{round} (further election)"},
    "rerun.tie_name": {"zh": "{round}（票数相等再次投票）", "en": "{round} (tie re-vote)"},
    "rerun.made": {"zh": "已新增第 {id} 轮：{name}（meeting.toml 第 {version} 版，已记入审计日志）", "en": "Added round {id}: {name} (meeting.toml version {version}, in the audit log)"},
    "rerun.post": {"zh": "  {post}：应选{k}人，候选人：{names}", "en": "  {post}: elect {k}; candidates: {names}"},
    "rule.is_rerun": {"zh": "本轮为另行选举：以得票多的当选", "en": "this is a further election: most votes win"},
    "rule.quorum": {"zh": "登记人数（应到）{share}以上投票方有效", "en": "valid only if more than {share} of the registered voters vote"},
    "rule.quorum.none": {"zh": "不设参加人数要求", "en": "no quorum"},
    "rule.rerun_list": {"zh": "另行选举候选人：{rule}", "en": "re-run list: {rule}"},
    "rule.women": {"zh": "应当有妇女成员", "en": "a woman member is required"},
    "rule.cross_post": {"zh": "跨职位计票", "en": "votes carry to lower posts"},
    "rule.ungraded.abstain": {"zh": "未评等次计弃权，不计入得分分母", "en": "ungraded rows are abstentions, left out of the points"},
    "rule.ungraded.zero": {"zh": "未评等次按0分计入", "en": "ungraded rows count as 0 points"},
    "warn.uncontested": {"zh": "{round}：{post}候选人{n}人，应选{k}人，为等额；差额选举要求候选人多于应选人数", "en": "{round}: {post} has {n} candidate(s) for {k} seat(s); a contested election needs more candidates than seats"},
    "warn.no_woman": {"zh": "{round}：要求有妇女成员，但候选人中没有女性（可另选他人）", "en": "{round}: a woman member is required but no candidate is a woman (voters may write one in)"},
    "notes": {"zh": "说明", "en": "Notes"},
    "abstain": {"zh": "弃权", "en": "Abstain"},
    "written_in": {"zh": "{name}（另选）", "en": "{name} (written in)"},
    "selected": {"zh": "拟选", "en": "Selected"},
    # printed forms
    "form.vote": {"zh": "{round}选票", "en": "Ballot: {round}"},
    "form.rating": {"zh": "{round}表", "en": "Rating form: {round}"},
    "form.score": {"zh": "{round}评分表", "en": "Score sheet: {round}"},
    "form.survey": {"zh": "{round}表", "en": "Survey: {round}"},
    "form.group": {"zh": "（{group}）", "en": " ({group})"},
    "form.continued": {"zh": "（续）", "en": " (continued)"},
    "form.page": {"zh": "第{i}页 共{n}页", "en": "Page {i} of {n}"},
    "form.calibration": {"zh": "校准", "en": "calibration"},
    "form.test.watermark": {"zh": "测试样张 TEST", "en": "TEST SHEET"},
    "form.test": {"zh": "测试样张 TEST — 不计入结果", "en": "TEST SHEET — never counted"},
    "form.seat": {"zh": "评委席位：第{n}号", "en": "Judge seat {n}"},
    "form.serial": {"zh": "编号：{n}", "en": "No. {n}"},
    "form.sign.judge": {"zh": "评委签名：", "en": "Judge's signature:"},
    "form.sign.named": {"zh": "签名：", "en": "Signature:"},
    "form.sign.date": {"zh": "日期：      年    月    日", "en": "Date:"},
    "form.col.candidate": {"zh": "候选人姓名", "en": "Candidate"},
    "form.col.name": {"zh": "姓名", "en": "Name"},
    "form.col.post": {"zh": "职务", "en": "Post"},
    "form.col.criterion": {"zh": "评分项目", "en": "Criterion"},
    "form.section": {"zh": "{post}（应选{k}人）", "en": "{post} (elect {k})"},
    "form.write_in": {"zh": "另选他人：", "en": "Write-in:"},
    "form.tens": {"zh": "十位", "en": "tens"},
    "form.units": {"zh": "个位", "en": "units"},
    "form.half": {"zh": "半分", "en": "half"},
    "form.hand": {"zh": "手写分数", "en": "written"},
    "form.total": {"zh": "合计：", "en": "Total:"},
    "form.criterion": {"zh": "{name}（{max}分）", "en": "{name} ({max})"},
    "form.single": {"zh": "（单选）", "en": " (one answer)"},
    "form.multi": {"zh": "（可多选，最多{k}项）", "en": " (up to {k} answers)"},
    "form.scale": {"zh": "（1分最低，{n}分最高）", "en": " (1 lowest, {n} highest)"},
    "form.free_text": {"zh": "（请在框内填写）", "en": " (write in the box)"},
    "form.ink": {"zh": "请用黑色或蓝色笔填写，在方格内划“√”（也可划“×”或涂满），方格以外的符号无效。", "en": "Use a black or blue pen and tick (√) inside the boxes (a cross or a filled box also counts); marks outside the boxes do not count."},
    "form.how.approve": {"zh": "对每位候选人，只能在“{options}”中选择一项划“√”。", "en": "For each candidate tick exactly one of: {options}."},
    "form.how.approve_limit": {"zh": "每个职位划“{first}”的人数不得超过应选人数，{overvote}", "en": "Per post, tick '{first}' for no more than the number to elect; {overvote}"},
    "form.how.choose": {"zh": "每个职位按应选人数划选，在同意的候选人姓名后的方格内划“√”，{overvote}", "en": "Per post, tick the boxes of at most as many candidates as are to be elected; {overvote}"},
    "form.how.overvote.ballot": {"zh": "多选的整张选票无效。", "en": "a ballot with more ticks is void."},
    "form.how.overvote.section": {"zh": "多选的该职位无效。", "en": "more ticks void that post."},
    "form.how.write_in": {"zh": "如另选他人，在“另选他人”栏内写上姓名，并在其后的方格内划“√”。", "en": "To vote for someone else, write the name in a write-in row and tick its box."},
    "form.how.rating": {"zh": "对每位被测评人，只能在“{grades}”中选择一个等次划“√”，多划无效。", "en": "For each person tick exactly one grade: {grades}; more than one is void."},
    "form.how.survey": {"zh": "请按每题要求在选项前的方格内划“√”。", "en": "Tick the box in front of your answer to each question."},
    "form.how.slip": {"zh": "用黑色或蓝色笔，每项在“十位”“个位”（及“半分”）各涂一格，不超过该项满分，右侧写手写分；签名后交工作人员。",
                      "en": "In black or blue ink, mark one tens, one units (and the half) box per criterion, at most its maximum; write the score at the right; sign and hand it in."},
    "form.how.score": {"zh": "每个评分项目在“十位”“个位”（及“半分”）各涂一格组成分数，不得超过该项满分；并在右侧填写手写分数。", "en": "For each criterion mark one tens, one units (and the half) box to form the score, at most the criterion's maximum; also write the score at the right."},
    # round rules, as summarised for people
    "rule.trim": {"zh": "去掉最高{high}个、最低{low}个评委总分（评委≥{min}人时）", "en": "drop {high} highest and {low} lowest judge totals (with ≥{min} judges)"},
    "rule.no_trim": {"zh": "不去分", "en": "no judge totals dropped"},
    "rule.max_total": {"zh": "满分{total}", "en": "max {total}"},
    "rule.approve": {"zh": "同意/不同意/弃权", "en": "agree/disagree/abstain"},
    "rule.choose": {"zh": "划选", "en": "tick candidates"},
    "rule.elect": {"zh": "{post}应选{k}人", "en": "{post}: elect {k}"},
    "rule.write_ins": {"zh": "另选他人{n}行", "en": "{n} write-in rows"},
    "rule.base": {"zh": "过半数基数：{base}", "en": "majority of {base}"},
    "base.registered": {"zh": "应到人数", "en": "registered voters"},
    "base.issued": {"zh": "发出票数", "en": "ballots issued"},
    "base.returned": {"zh": "收回票数", "en": "ballots returned"},
    "base.valid": {"zh": "有效票数", "en": "valid ballots"},
    "rule.overvote.ballot": {"zh": "多选整张无效", "en": "overvote voids the ballot"},
    "rule.overvote.section": {"zh": "多选该职位无效", "en": "overvote voids that post's section"},
    "rule.rerun": {"zh": "另行选举得票不少于{share}", "en": "re-run floor {share}"},
    "rule.questions": {"zh": "{n}项", "en": "{n} questions"},
    "rule.satisfied": {"zh": "满意率：{names}", "en": "satisfaction: {names}"},
    "rule.manual": {"zh": "工作人员录入，满分{max}", "en": "entered by staff, max {max}"},
    "state.waiting": {"zh": "未开始", "en": "not started"},
    "state.issued": {"zh": "已发票", "en": "ballots out"},
    "state.counting": {"zh": "计票中", "en": "counting"},
    "state.complete": {"zh": "已读完", "en": "all read"},
    "state.void": {"zh": "投票无效", "en": "VOID"},
    "state.sealed": {"zh": "已封存", "en": "sealed"},
    "void.note": {"zh": "{round}（{group}）：收回{returned}张，多于发出的{issued}张，该组投票无效", "en": "{round} ({group}): {returned} ballots returned but only {issued} issued, so this vote is void"},
    "state.manual": {"zh": "待录入", "en": "to enter"},
    "state.entered": {"zh": "已录入{n}人", "en": "{n} entered"},
    "audit.ok": {"zh": "完整（{n}条记录）", "en": "intact ({n} rows)"},
    "audit.broken": {"zh": "已损坏：{problem}", "en": "BROKEN: {problem}"},
    "next.check": {"zh": "meeting.toml 已修改，运行 tallykit check {dir} 确认", "en": "meeting.toml was edited: run tallykit check {dir} to accept it"},
    "next.broken": {"zh": "审计链损坏：停止计票，保留全部文件，报告主持人", "en": "audit chain broken: stop counting, keep every file, tell the chair"},
    "next.print": {"zh": "印制并分发选票（环节 {round}）：tallykit print {dir} --round {id}", "en": "print and hand out the forms (round {round}): tallykit print {dir} --round {id}"},
    "next.scan": {"zh": "收回并扫描选票（环节 {round}）：tallykit returned {dir} 收回张数 --round {id} --group {group}，再 tallykit scan {dir} --camera 0", "en": "collect and scan the forms (round {round}): tallykit returned {dir} COUNT --round {id} --group {group}, then tallykit scan {dir} --camera 0"},
    "next.enter": {"zh": "录入{round}成绩：tallykit enter {dir} --round {id} --candidate 姓名 --score 分数", "en": "enter the scores of round {round}: tallykit enter {dir} --round {id} --candidate NAME --score SCORE"},
    "next.review": {"zh": "复核{n}张待定票：tallykit serve {dir}，再打开它显示的 /review 地址", "en": "decide {n} sheets in review: tallykit serve {dir}, then open the /review address it prints"},
    "next.seal": {"zh": "全部计票完毕：tallykit seal {dir} --all 封存并生成报告单", "en": "every round is counted: seal it with tallykit seal {dir} --all"},
    "next.sealed": {"zh": "已封存：打印报告单签字，拍照后 tallykit attach {dir} --image 照片.jpg 归档", "en": "sealed: print and sign the report sheets, then tallykit attach {dir} --image PHOTO.jpg"},
    # tally report sheets (seal)
    "report.dist": {"zh": "选票分发情况报告单", "en": "Ballot Distribution Report"},
    "report.retn": {"zh": "选票收回情况报告单", "en": "Ballot Return Report"},
    "report.vote": {"zh": "选举统计结果报告单", "en": "Vote Count Report"},
    "report.rating": {"zh": "民主测评结果报告单", "en": "Rating Count Report"},
    "report.survey": {"zh": "满意度测评结果报告单", "en": "Survey Count Report"},
    "report.score": {"zh": "评分汇总表", "en": "Score Summary"},
    "report.manual": {"zh": "成绩录入表", "en": "Entered Scores"},
    "report.rank": {"zh": "综合成绩排名表", "en": "Composite Ranking"},
    "report.printed": {"zh": "印制", "en": "Printed"},
    "report.left": {"zh": "剩余", "en": "Left over"},
    "report.present": {"zh": "实到", "en": "Present"},
    "report.read": {"zh": "已读取", "en": "Read"},
    "report.judge": {"zh": "评委{n}", "en": "Judge {n}"},
    "report.weights": {"zh": "权重：{parts}", "en": "Weights: {parts}"},
    "report.stamp": {"zh": "（盖章处）", "en": "(seal here)"},
    "report.sealed": {"zh": "封存：{rounds}（{at}）", "en": "Sealed: {rounds} ({at})"},
    "report.not_sealed": {"zh": "本环节尚未封存，数字可能变化", "en": "this round is not sealed yet; numbers may change"},
    "report.forced": {"zh": "封存时仍有{n}张待复核，原因：{reason}", "en": "sealed with {n} sheets still in review: {reason}"},
    "report.digest": {"zh": "结果摘要（SHA-256）", "en": "Results digest (SHA-256)"},
    "report.key": {"zh": "签名公钥指纹", "en": "Signing key fingerprint"},
    "report.date": {"zh": "日期：      年    月    日", "en": "Date: ____________"},
    "report.page": {"zh": "第{n}页 共{total}页", "en": "page {n} of {total}"},
    "report.meeting": {"zh": "会议：{title}    日期：{date}", "en": "Meeting: {title}    Date: {date}"},
    "report.venue": {"zh": "地点：{venue}", "en": "Venue: {venue}"},
    "signer.counter": {"zh": "计票人", "en": "Counter"},
    "signer.scrutineer": {"zh": "监票人", "en": "Scrutineer"},
    "signer.caller": {"zh": "唱票人", "en": "Caller"},
    "signer.chair": {"zh": "主持人", "en": "Chair"},
}


def all_words(prefix: str, language: str) -> list[str]:
    """Every phrase whose key starts with `prefix`, in `language` (placeholders left in)."""
    return [w.get(language) or w["zh"] for k, w in _WORDS.items() if k.startswith(prefix)]


def has_text(key: str) -> bool:
    return key in _WORDS


def text(key: str, language: str = "zh", **values: object) -> str:
    """The words for `key` in `language`, with {placeholders} filled; a missing key is a programming error."""
    words = _WORDS[key]
    phrase = words.get(language) or words["zh"]
    return phrase.format(**values) if values else phrase


Why = tuple[str, tuple[tuple[str, object], ...]]  # words to say later, in a language not known yet: (key, values)


def why(key: str, **values: object) -> Why:
    """Words to be said later in the reader's language (a frozen, hashable, picklable pair)."""
    assert key in _WORDS, key
    return key, tuple(values.items())


def say(words: Why, language: str) -> str:
    key, values = words
    return text(key, language, **dict(values))


def reason_words(meeting, round_id: str, reasons) -> list[str]:
    """A reading's doubts (stored as codes: `marginal:C03/agree`) in the meeting's language, with names:
    标记过浅、过小或在方格外：王建国 同意. Reasons are data; these are the words shown for them."""
    lang = meeting.language
    try:
        rnd = meeting.round(round_id)
    except KeyError:
        return [str(r) for r in reasons]
    names = {c: meeting.candidate(c).name for c in rnd.candidates}
    names.update({p.id: p.name for p in meeting.posts})
    names.update({o.id: o.name for o in (*getattr(rnd.spec, "options", ()), *getattr(rnd.spec, "grades", ()))})
    names.update({q.id: q.text[:12] for q in getattr(rnd.spec, "questions", ())})
    names.update({c.id: c.name for c in getattr(rnd.spec, "criteria", ())})
    out = []
    for reason in reasons:
        code, _, subject = str(reason).partition(":")
        word = text(f"reason.{code}", lang) if has_text(f"reason.{code}") else code
        if code in ("possible_rescan", "conflict") and subject:
            out.append(f"{word}（#{subject}）" if lang == "zh" else f"{word} (#{subject})")
            continue
        shown = " ".join(names.get(part, part) for part in subject.split("/") if part) if subject else ""
        out.append(f"{word}：{shown}" if shown and lang == "zh" else f"{word}: {shown}" if shown else word)
    return out


def rejection_words(reason: str, language: str) -> str:
    """Why a picture was not read (no_page, blurred, bad_mac, …) in the meeting's language; the code when unknown."""
    key = f"reject.{reason}"
    return text(key, language) if has_text(key) else reason


def outcome_words(kind: str, language: str) -> str:
    """A scan outcome (counted, review, …) in the meeting's language."""
    key = f"outcome.{kind}"
    return text(key, language) if has_text(key) else kind
