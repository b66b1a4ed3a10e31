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
    "void.note": {"zh": "{round}（{group}）：收回{returned}张，多于发出的{issued}张，该组投票无效", "en": "{round} ({group}): {returned} ballots returned but only {issued} issued, so this vote is void"},
    "state.manual": {"zh": "待录入", "en": "to enter"},
    "state.entered": {"zh": "已录入{n}人", "en": "{n} entered"},
    "audit.ok": {"zh": "完整（{n}条记录）", "en": "intact ({n} rows)"},
    "audit.broken": {"zh": "已损坏：{problem}", "en": "BROKEN: {problem}"},
    "next.check": {"zh": "meeting.toml 已修改，运行 tallykit check 确认", "en": "meeting.toml was edited: run tallykit check to accept it"},
    "next.broken": {"zh": "审计链损坏：停止计票，保留全部文件，报告主持人", "en": "audit chain broken: stop counting, keep every file, tell the chair"},
    "next.print": {"zh": "印制并分发选票（环节 {round}）", "en": "print and hand out the forms (round {round})"},
    "next.scan": {"zh": "收回并扫描选票（环节 {round}）", "en": "collect and scan the forms (round {round})"},
    "next.enter": {"zh": "录入{round}成绩", "en": "enter the scores of round {round}"},
    "next.done": {"zh": "全部环节已计票完毕", "en": "every round is counted"},
}


def text(key: str, language: str = "zh", **values: object) -> str:
    """The words for `key` in `language`, with {placeholders} filled; a missing key is a programming error."""
    words = _WORDS[key]
    phrase = words.get(language) or words["zh"]
    return phrase.format(**values) if values else phrase
