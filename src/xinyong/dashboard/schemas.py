"""The dashboard's figures as JSON (``GET /api/v1/dashboard/figures``) and as the page's inline first figures."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class DepartmentRecords(BaseModel):
    """Credit records collected from one department (first versions: corrections are not new records)."""

    code: str
    name: str
    records: int = Field(description="累计归集（首版记录）")
    this_month: int = Field(description="本月作出决定的记录（首版）")


class QualityRow(BaseModel):
    """A department's row of the month's quality scorecard (``xinyong.quality``), ranked."""

    code: str
    name: str
    score: float | None
    grade: str | None
    rank: int | None
    records: int


class QualityRanking(BaseModel):
    """The last completed month's scorecard over every catalogue item; ``ready`` false while first computed."""

    month: str
    ready: bool
    rows: list[QualityRow]


class GradeBand(BaseModel):
    grade: str
    label: str
    subjects: int


class Grades(BaseModel):
    """Grades of the latest finished evaluation run of each model, summed (``xinyong.evaluation``)."""

    as_of: date | None
    runs: int
    total: int
    bands: list[GradeBand]


class ListFigure(BaseModel):
    """Entries in force on one public list type (employers, not their responsible persons)."""

    code: str
    name: str
    kind: str
    kind_label: str
    count: int


class CaseCounts(BaseModel):
    """Open cases of one kind by their current deadline: ``overdue`` (past it or flagged by the daily job),
    ``due_soon`` (within ``due_within`` working days), the rest ``on_time``."""

    open: int
    overdue: int
    due_soon: int
    on_time: int


class Cases(BaseModel):
    due_within: int = Field(description="“即将到期”的工作日数")
    due_by: date = Field(description="即将到期的截止日（含）")
    calendar_note: str = Field(default="", description="工作日历未覆盖时的说明（按周末推算）")
    objections: CaseCounts
    repairs: CaseCounts


class MonitoringTrend(BaseModel):
    """The district's monthly monitoring score (current run of each month, ``xinyong.monitoring``)."""

    months: list[str]
    scores: list[float]
    warnings: list[int]
    latest_month: str | None
    latest_score: float | None


class WorkplanItem(BaseModel):
    number: int
    numeral: str
    title: str
    status: str
    status_label: str
    percent: int


class Workplan(BaseModel):
    """The current plan of the latest year loaded up to the dashboard's year (``xinyong.workplan``)."""

    year: int | None
    counts: dict[str, int]
    items: list[WorkplanItem]


class DashboardOut(BaseModel):
    """Every figure of the dashboard on ``as_of`` (see ``xinyong.dashboard.figures``)."""

    as_of: date
    computed_at: datetime
    subjects_total: int
    records_total: int
    records_this_month: int
    records_by_department: list[DepartmentRecords]
    quality: QualityRanking
    grades: Grades
    lists_dishonesty: int
    lists_red: int
    lists: list[ListFigure]
    cases: Cases
    monitoring: MonitoringTrend
    workplan: Workplan
    refresh_seconds: int
