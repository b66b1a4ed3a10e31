"""Built-in meeting templates: runnable Chinese meeting files for the common meeting kinds."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

DEFAULT = "jingpin-ceping"


@dataclass(frozen=True)
class Template:
    name: str
    title: str  # Chinese name of the meeting kind
    description: str  # one line, English (CLI help language)

    def read_text(self) -> str:
        return resources.files(__name__).joinpath(f"{self.name}.toml").read_text(encoding="utf-8")


TEMPLATES: tuple[Template, ...] = (
    Template("jingpin-ceping", "竞聘演讲 + 民主测评",
             "Speech scored by judges + masses' rating + Party committee score, composite 40/20/40 (default)"),
    Template("gongxuan-houbei", "公推公选村级后备干部",
             "Speech and Q&A scored by judges, vote by Party members and villager reps, two reserves per post"),
    Template("niandu-ceping", "年度民主测评",
             "Annual rating of village officials: excellent / competent / basically competent / incompetent"),
    Template("manyidu", "满意度测评",
             "Satisfaction survey with 8 indicators (satisfied / fairly / unsatisfied) and a comments box"),
    Template("cunweihui", "村委会选举",
             "Village committee election: agree / disagree / abstain, write-ins, elect K, majority of voters"),
)


def get(name: str) -> Template | None:
    return next((t for t in TEMPLATES if t.name == name), None)


LEDGER_TEMPLATES: tuple[Template, ...] = (
    Template("ledger-shuangqianfen", "双千分目标管理（驻村指导员）",
             "2000 points: discipline 400, ad-hoc government tasks 200, village work 1400 (village score x 1.4)"),
    Template("ledger-sijilianping", "四级联评 + 积分量化（到村工作大学生）",
             "Four evaluating levels with weights; quarterly summary, half-year notice, year-end ranking"),
    Template("ledger-yirenyidang", "一人一档（选派干部）",
             "A file per person against 8 indicators, with monthly masses' evaluations"),
)


def get_ledger(name: str) -> Template | None:
    return next((t for t in LEDGER_TEMPLATES if t.name == name), None)
