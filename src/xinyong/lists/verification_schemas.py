"""What the case-verification reads return (API answers, page and CLI data), and the labels of case history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from xinyong.lists.verification_rules import VerificationRules, verification_rules
from xinyong.records.cases import CaseEventOut, CaseFileOut

StageState = Literal["done", "current", "pending", "skipped"]
# Case-history actions besides the stage codes (a completed stage is logged under its own code).
OTHER_ACTIONS: dict[str, str] = {
    "open": "登记立案",
    "unfounded": "核查不属实，办结",
    "reassign": "改派",
    "attach": "上传材料",
    "close": "区信用办办结",
    "overdue": "超期提醒",
}


def action_labels(rules: VerificationRules | None = None) -> dict[str, str]:
    """Case-history action → label: ``完成核查`` … for the stages, then the other actions."""
    book = rules or verification_rules()
    return {s.code: f"完成{s.label}" for s in book.stages} | OTHER_ACTIONS


class StageRuleOut(BaseModel):
    """One stage of the rulebook."""

    code: str
    label: str
    produces: str
    link: str | None
    workdays: int
    source: str


class ChoiceOut(BaseModel):
    """A case source or an outcome of the rulebook."""

    code: str
    label: str
    closed_by: str | None = None
    source: str


class RulesOut(BaseModel):
    """The rulebook in force: stages in order, sources, outcomes."""

    version: int
    source: str
    deadlines_source: str
    stages: list[StageRuleOut]
    sources: list[ChoiceOut]
    outcomes: list[ChoiceOut]


class CaseRow(BaseModel):
    """One case in a list, with its current stage's due date (``overdue`` against today)."""

    id: int
    title: str
    subject_id: int | None
    subject_name: str = Field(description="当事人名称（登记时反映的名称）")
    source: str
    source_label: str
    source_ref: str
    department_id: int
    department_name: str
    owner: str = Field(description="当前环节经办人")
    stage: str = Field(description="当前环节代码；已办结为 closed")
    stage_label: str
    stage_due: date | None
    overdue: bool
    outcome: str | None
    outcome_label: str | None
    record_id: int | None
    list_entry_id: int | None
    opened_on: date
    closed_on: date | None
    lock_version: int = Field(description="乐观锁版本号：办理、改派、办结时原样提交")


class StageOut(BaseModel):
    """One stage of a case's timeline."""

    code: str
    label: str
    produces: str
    state: StageState = Field(description="done 已完成 / current 办理中 / pending 待办 / skipped 未经历（提前办结）")
    completed_at: datetime | None
    completed_by: str | None
    note: str
    due: date | None = Field(description="办理中环节的期限")


class LinkOut(BaseModel):
    """A credit record or list entry linked to the case (or offered for linking)."""

    id: int
    label: str


class CaseDetail(CaseRow):
    """One case: the report, the stage timeline, links, history, files, what the caller may do next."""

    summary: str
    outcome_note: str
    rule_version: int
    created_by: str
    stages: list[StageOut]
    record: LinkOut | None
    list_entry: LinkOut | None
    history: list[CaseEventOut]
    files: list[CaseFileOut]
    actions: list[str] = Field(description="调用者可执行的操作：complete / reassign / attach / close")
    stage_outcomes: list[ChoiceOut] = Field(description="办理最后一个环节时可选的办结结果")
    office_outcomes: list[ChoiceOut] = Field(description="区信用办提前办结时可选的结果")
    link_choices: list[LinkOut] = Field(description="当前环节可关联的本案当事人信用记录或名单条目")


class CaseCounts(BaseModel):
    """The dashboard: open cases per stage, overdue ones, closed ones per outcome."""

    as_of: date
    by_stage: dict[str, int] = Field(description="各环节办理中的案件数（按环节顺序）")
    overdue_by_stage: dict[str, int]
    open: int
    overdue: int
    closed: int
    by_outcome: dict[str, int]
