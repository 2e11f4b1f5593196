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
    industry: str | None = Field(default=None, description="主体行业代码（rules/industries.yaml），未分类为空")
    industry_label: str = Field(default="未分类", description="主体行业名称")
    industry_model: str = Field(default="general", description="按行业适用的评价模型（无行业模型时为 general）")


class HistoryEntry(BaseModel):
    """A subject's result in one stored run."""

    run_id: int
    model: str
    version: int
    as_of: date
    score: float
    grade: str


class MonthEnd(BaseModel):
    """The grades at one month-end and the later penalties of each grade (discrimination)."""

    as_of: date = Field(description="月末评价基准日")
    source: str = Field(description="run：取已保存的评价批次；computed：按同一 SQL 临时计算（不保存）")
    run_id: int | None = Field(description="所用评价批次（source 为 run 时）")
    subjects: int
    grades: dict[str, int] = Field(description="各等级主体数")
    bad: dict[str, int] = Field(description="各等级中此后观察期内新增行政处罚的主体数")
    bad_rate: dict[str, float | None] = Field(description="各等级的坏样本率（该等级无主体时为空）")
    horizon_end: date = Field(description="观察期末日（月末后 horizon 个月）")
    complete: bool = Field(description="观察期是否已结束（观察期末日不晚于报告日）")
    monotone: bool = Field(description="坏样本率是否满足 A ≤ B ≤ C ≤ D（跳过无主体的等级）")


class Transition(BaseModel):
    """Grade transitions from one month-end to the next, over the subjects graded at both."""

    from_as_of: date
    to_as_of: date
    subjects: int = Field(description="两个月末均参评的主体数")
    kept: int = Field(description="等级未变的主体数")
    kept_share: float | None = Field(description="等级保持率")
    matrix: dict[str, dict[str, int]] = Field(description="迁移矩阵：matrix[上月等级][本月等级] = 主体数")
    entered: int = Field(description="本月新参评的主体数")
    left: int = Field(description="本月不再参评的主体数")


class PooledGrade(BaseModel):
    """One grade over every month-end of the report."""

    grade: str
    label: str
    subjects: int = Field(description="各月末该等级主体数之和（主体-月）")
    bad: int
    bad_rate: float | None


class ValidationReport(BaseModel):
    """Scorecard validation of a model over a range of month-ends (issue #6 item 6)."""

    model: str
    version: int
    label: str
    from_month: str = Field(description="起始月份 YYYY-MM")
    to_month: str = Field(description="截止月份 YYYY-MM")
    horizon_months: int = Field(description="观察期（月）")
    horizon_source: str = Field(description="观察期默认值的依据")
    bad_items: list[str] = Field(description="计为坏样本的数据项")
    report_day: date = Field(description="报告日（此日前作出的处罚计入）")
    months: list[MonthEnd]
    transitions: list[Transition]
    kept_share: float | None = Field(description="全部相邻月份的等级保持率")
    matrix: dict[str, dict[str, int]] = Field(description="全部相邻月份合计的迁移矩阵")
    pooled: list[PooledGrade] = Field(description="全部月末合计的各等级坏样本率")
    monotone: bool = Field(description="合计坏样本率是否满足 A ≤ B ≤ C ≤ D")
    months_monotone: int = Field(description="坏样本率单调的月末个数")
    complete_months: int = Field(description="观察期已结束的月末个数")
