"""API shapes of city credit monitoring: runs, indicator values, township scores, manual entries, findings."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
EVIDENCE_MAX = 1000
WARNING_LABELS: dict[str, str] = {"below": "低于预警值", "worse": "较上月变差", "missing": "未填报"}


class NegativeFinding(BaseModel):
    """One hit of the negative check: a catalogue item (or field) or stored records naming an excluded category."""

    kind: str  # catalogue / record
    item: str
    where: str
    keyword: str
    category: str
    count: int = 1
    docs: list[str] = Field(default_factory=list)


class NegativeResult(BaseModel):
    """The negative check: passed when nothing was found."""

    ok: bool
    source: str
    findings: list[NegativeFinding]


class IndicatorValue(BaseModel):
    """An indicator for one unit in a run: value, score out of its weight, last month's value, warnings."""

    code: str
    name: str
    group: str
    subgroup: str
    weight: float
    unit_label: str
    manual: bool
    source: str
    confidence: str
    value: float | None
    numerator: float | None
    denominator: float | None
    score: float
    previous: float | None
    warnings: list[str]


class UnitScore(BaseModel):
    """A unit's total score in a run (the district or a township)."""

    unit: str
    name: str
    score: float
    warnings: int


class RunOut(BaseModel):
    """A monitoring run and its district total."""

    id: int
    model_version: int
    month: str
    as_of: date
    current: bool
    district_score: float
    warnings: int
    negative_ok: bool
    seconds: float
    actor: str
    started_at: datetime


class RunDetail(RunOut):
    """A run with the unit's indicators, every unit's total and the negative check."""

    unit: str
    indicators: list[IndicatorValue]
    units: list[UnitScore]
    negative: list[NegativeFinding]


class TrendPoint(BaseModel):
    """The district score of a month's current run."""

    month: str
    score: float
    warnings: int


class RunIn(BaseModel):
    """Run a month under a model version."""

    month: str = Field(pattern=MONTH_PATTERN, description="月份 YYYY-MM")
    version: int | None = Field(default=None, description="指标模型版本（默认 2020）")


class EntryIn(BaseModel):
    """A manual indicator value with its evidence."""

    indicator: str = Field(min_length=2, max_length=40)
    unit: str = Field(min_length=6, max_length=9, description="区代码 440113 或镇街代码")
    value: float
    evidence: str = Field(min_length=1, max_length=EVIDENCE_MAX)
    month: str = Field(pattern=MONTH_PATTERN)
    version: int | None = None


class EntryOut(BaseModel):
    """A stored manual entry."""

    id: int
    model_version: int
    month: str
    indicator: str
    unit: str
    value: float
    evidence: str
    entered_by: str
    entered_at: datetime
    applied_to_run: int | None = None


class IndicatorDef(BaseModel):
    """An indicator of the model as configured."""

    code: str
    name: str
    group: str
    subgroup: str
    weight: float
    unit_label: str
    manual: bool
    compute: str | None
    params: dict[str, object]
    departments: list[str]
    scoring: str
    floor: float
    target: float
    warn_at: float
    source: str
    confidence: str


class ModelOut(BaseModel):
    """A monitoring model version: groups with weights and every indicator."""

    version: int
    name: str
    source: str
    groups: list[dict[str, object]]
    indicators: list[IndicatorDef]


# --------------------------------------------------------------------------------------------- city results
CITY_RESULTS_MAX = 40  # rows in one entry set (Guangzhou has 11 districts; room for other cities' tables)
DISTRICT_MAX = 40
SOURCE_MAX = 500


class CityResultIn(BaseModel):
    """One district's published result: score 0–100, rank ≥ 1 (omitted when the city published none)."""

    district: str = Field(min_length=1, max_length=DISTRICT_MAX, description="区名，如 番禺区")
    score: float = Field(description="市公布得分 0–100")
    rank: int | None = Field(default=None, description="市公布名次（≥ 1）")
    own: bool = Field(default=False, description="是否本区（每次录入恰好一个）")


class CityResultsIn(BaseModel):
    """The city's published table for a month, as entered by the credit office (a correction: enter again)."""

    month: str = Field(pattern=MONTH_PATTERN, description="月份 YYYY-MM")
    source: str = Field(min_length=1, max_length=SOURCE_MAX, description="来源：市通报文件名称、文号与日期")
    results: list[CityResultIn] = Field(min_length=1, max_length=CITY_RESULTS_MAX)


class CityResultOut(BaseModel):
    """A stored row (the latest row of a district counts)."""

    id: int
    month: str
    district: str
    own: bool
    score: float
    rank: int | None
    source: str
    entered_by: str
    entered_at: datetime


class CityComparison(BaseModel):
    """The month's current city table beside the platform's own computed district score.

    ``difference`` = city score − our computed score; ``computed_rank`` is where our computed score would stand
    among the other districts' published scores; ``explanation`` says in words what lies behind the difference."""

    month: str
    results: list[CityResultOut]
    own: CityResultOut | None
    computed_score: float | None
    computed_run_id: int | None
    difference: float | None
    computed_rank: int | None
    missing_manual: list[str]
    missing_weight: float
    explanation: list[str]
    rows_entered: int


class CityMonth(BaseModel):
    """A month with city results: our district's published score and rank, and our computed score."""

    month: str
    own_score: float | None
    own_rank: int | None
    districts: int
    computed_score: float | None
