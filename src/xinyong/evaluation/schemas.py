"""Output shapes of evaluation runs, distributions, explanations and grade histories."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class RunSummary(BaseModel):
    """One evaluation run: the model and version used, the day evaluated, how many subjects per grade."""

    run_id: int
    model: str = Field(description="评价模型代码，如 general")
    version: int = Field(description="评价模型版本")
    as_of: date = Field(description="评价基准日")
    subjects: int = Field(description="参评主体数")
    grades: dict[str, int] = Field(description="各等级主体数 {A, B, C, D}")
    started_at: datetime
    finished_at: datetime | None
    seconds: float = Field(description="耗时（秒）")
    actor: str


class GradeCount(BaseModel):
    """A grade of a run's distribution."""

    grade: str
    label: str = Field(description="等级名称，如 低风险")
    range: str = Field(description="分数区间，如 [90, +∞)")
    subjects: int
    share: float = Field(description="占比 0–1")


class Distribution(BaseModel):
    """The grade distribution of a run."""

    run: RunSummary
    label: str = Field(description="评价模型名称")
    grades: list[GradeCount]


class RecordPoints(BaseModel):
    """A record behind an indicator, with the points it contributes after decay (before the cap)."""

    record_id: int
    item: str
    doc_no: str
    decided_on: date
    severity: str | None
    category: str | None
    points: float


class IndicatorScore(BaseModel):
    """An indicator of a subject's evaluation."""

    code: str
    label: str
    kind: str
    points_per_record: float
    cap: float
    weight: float = Field(description="指标权重 × 维度权重")
    raw: float = Field(description="衰减后合计（封顶前）")
    points: float = Field(description="封顶后")
    weighted: float = Field(description="加权后计入总分")
    records: list[RecordPoints]


class DimensionScore(BaseModel):
    """A dimension of a subject's evaluation."""

    code: str
    label: str
    weight: float
    weighted: float
    indicators: list[IndicatorScore]


class Explanation(BaseModel):
    """Why a subject has its score and grade as of a day, under a model version."""

    subject_id: int
    subject_name: str
    uscc: str | None
    model: str
    version: int
    as_of: date
    base_score: float
    score: float
    grade: str
    grade_label: str
    dimensions: list[DimensionScore]


class HistoryEntry(BaseModel):
    """A subject's result in one stored run."""

    run_id: int
    model: str
    version: int
    as_of: date
    score: float
    grade: str
