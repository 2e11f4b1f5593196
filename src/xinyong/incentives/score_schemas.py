"""Input and output shapes of the personal honesty score (runs, band distributions, a person's score)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class RunIn(BaseModel):
    """A scoring run request (the credit office)."""

    model_config = ConfigDict(extra="forbid")

    as_of: date | None = Field(default=None, description="评分基准日（默认今天）")
    model: str | None = Field(default=None, max_length=40, description="模型代码（默认 honesty）")


class BandCount(BaseModel):
    """A band of a run's distribution."""

    band: str = Field(description="分档代码，如 good")
    label: str = Field(description="分档名称，如 信用良好")
    range: str = Field(description="分数区间，如 [600, 700)")
    persons: int
    share: float = Field(description="占比 0–1")


class RunOut(BaseModel):
    """One scoring run."""

    run_id: int
    model: str = Field(description="模型代码")
    version: int = Field(description="模型版本")
    as_of: date = Field(description="评分基准日")
    current: bool = Field(description="是否为该模型的当前批次")
    persons: int = Field(description="参评自然人数")
    seconds: float = Field(description="耗时（秒）")
    actor: str
    started_at: datetime


class Distribution(BaseModel):
    """The band distribution of a run."""

    run: RunOut
    label: str = Field(description="模型名称")
    bands: list[BandCount]
    average: float | None = Field(description="平均分")


class Reason(BaseModel):
    """An indicator that moved the score, in plain Chinese."""

    code: str
    label: str = Field(description="指标名称")
    count: int = Field(description="计入的条数")
    points: int = Field(description="加减分（封顶后）")
    text: str = Field(description="通俗说明，如“近三年内受到的一般失信行政处罚 1 条，扣 40 分”")
    advice: str = Field(default="", description="如何改善")


class HistoryEntry(BaseModel):
    """The person's score in one run."""

    run_id: int
    as_of: date
    version: int
    score: int
    band: str
    band_label: str
    current: bool


class PersonScore(BaseModel):
    """A natural person's score, band and reasons in the model's current run, with the history."""

    subject_id: int
    name: str = Field(description="姓名（对本人以外的查看者脱敏）")
    model: str
    label: str = Field(description="模型名称")
    version: int
    run_id: int
    as_of: date
    base_score: int
    score: int
    band: str
    band_label: str
    band_range: str
    reasons: list[Reason]
    history: list[HistoryEntry]
    note: str = Field(description="说明：仅依据有法律依据的公共信用信息")
