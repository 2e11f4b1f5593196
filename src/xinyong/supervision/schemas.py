"""Input and output shapes of the inspector pool, plans, draws, tasks and results (API, pages and CLI)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class InspectorIn(BaseModel):
    """Add an enforcement officer to the pool."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=64, description="姓名")
    department_id: int = Field(ge=1, le=2**62, description="所属部门编号")
    badge_no: str = Field(min_length=1, max_length=32, description="执法证号")
    township_code: str | None = Field(default=None, pattern=r"^\d{9}$", description="所在镇街代码（9位）")
    account_id: int | None = Field(default=None, ge=1, le=2**62, description="关联的平台账号")


class InspectorOut(BaseModel):
    id: int
    name: str
    department_id: int
    department_name: str
    badge_no: str
    township_code: str | None
    township_name: str | None
    active: bool
    open_tasks: int = Field(description="未录入结果的任务数")


class ConflictIn(BaseModel):
    """Record a relationship that excludes an inspector from a subject (回避)."""

    model_config = ConfigDict(extra="forbid")

    inspector_id: int = Field(ge=1, le=2**62)
    subject_id: int = Field(ge=1, le=2**62)
    reason: str = Field(min_length=2, max_length=200, description="回避事由，如 近亲属任职")


class ConflictOut(BaseModel):
    id: int
    inspector_id: int
    inspector_name: str
    subject_id: int
    subject_name: str
    reason: str
    recorded_by: str
    recorded_at: datetime


class InspectionItemOut(BaseModel):
    """An entry of the inspection item library (随机抽查事项清单, rules/inspections.yaml)."""

    code: str
    label: str
    department: str = Field(description="实施部门代码（departments.yaml）")
    basis: str = Field(description="抽查依据")
    subject_kinds: list[str]
    industries: list[str]


class ResultCodeOut(BaseModel):
    """A result category of an inspection (检查结果)."""

    code: str
    label: str
    problem: bool = Field(description="是否发现问题")


class PlanIn(BaseModel):
    """Create a plan: the item, the day whose grades set the ratios, the ratios, optional seed and filters."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=2, max_length=200, description="计划名称")
    department_id: int = Field(ge=1, le=2**62, description="实施部门编号")
    item_code: str = Field(min_length=1, max_length=40, description="抽查事项代码")
    as_of: date = Field(description="名录与信用等级基准日")
    ratios: dict[str, str] = Field(description='各等级抽查比例，如 {"A": "0.02", "B": "0.05", "C": "1", "D": "1"}')
    seed: str | None = Field(default=None, max_length=64, description="随机种子；不填则由系统生成并公开")
    model: str | None = Field(default=None, max_length=40, description="评价模型，默认 general")
    subject_kinds: list[str] | None = Field(default=None, description="主体类别筛选，默认按抽查事项")
    industries: list[str] | None = Field(default=None, description="行业筛选（rules/industries.yaml）")
    township_codes: list[str] | None = Field(default=None, description="镇街筛选（9位代码）")
    starts_on: date | None = Field(default=None, description="检查开始日期")
    ends_on: date | None = Field(default=None, description="检查截止日期")


class TaskOut(BaseModel):
    """A drawn task: the subject, its grade, the two inspectors, the result once entered."""

    id: int
    plan_id: int
    position: int
    subject_id: int
    subject_name: str
    uscc: str | None
    grade: str
    inspector_a: str
    inspector_b: str
    inspector_a_id: int | None = Field(default=None, description="仅对工作人员显示")
    inspector_b_id: int | None = Field(default=None, description="仅对工作人员显示")
    result: str | None
    result_label: str | None
    result_note: str
    inspected_on: date | None
    record_id: int | None = Field(description="结果生成的信用记录编号")
    lock_version: int


class PlanOut(BaseModel):
    """A plan with everything needed to re-run its draw: seed, algorithm, candidate hash and counts."""

    id: int
    title: str
    department_id: int
    department_name: str
    item_code: str
    item_label: str
    as_of: date
    model: str
    evaluation_run_id: int | None
    ratios: dict[str, str]
    filters: dict[str, object]
    seed: str
    algorithm: str
    rules_version: int
    status: str
    status_label: str
    candidates_hash: str | None
    candidates_by_grade: dict[str, int] | None
    drawn_by_grade: dict[str, int] | None
    starts_on: date | None
    ends_on: date | None
    created_by: str
    created_at: datetime
    drawn_at: datetime | None
    published_at: datetime | None
    tasks: int = Field(description="任务数")
    results_entered: int = Field(description="已录入结果数")
    lock_version: int


class DrawOut(BaseModel):
    """The ``inspect draw --json`` shape (no plan stored); byte-identical for identical input."""

    seed: str
    algorithm: str
    as_of: date
    model: str
    ratios: dict[str, str]
    candidates_hash: str
    candidates_by_grade: dict[str, int]
    drawn_by_grade: dict[str, int]
    tasks: list[dict[str, object]] = Field(description="position, subject_id, uscc, grade, inspectors")
    evaluation_run_id: int | None = Field(
        default=None, description="评价批次；无批次时按评价规则即时计算等级（不保存）"
    )


class VerifyOut(BaseModel):
    """A re-run of a plan's published draw: whether the candidates hash and the drawn list match."""

    plan_id: int
    candidates_hash: str
    hash_matches: bool
    tasks_match: bool
    drawn: int
    mismatches: list[int] = Field(description="不一致的任务序号")


class ResultIn(BaseModel):
    """Enter (or correct) a task's result."""

    model_config = ConfigDict(extra="forbid")

    result: str = Field(min_length=1, max_length=32, description="检查结果代码")
    inspected_on: date = Field(description="检查日期")
    note: str = Field(default="", max_length=2000, description="检查情况说明")
    lock_version: int = Field(ge=1, description="乐观锁版本号")
