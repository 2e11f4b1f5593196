"""Pydantic I/O of the quality scorecards and reference lists (service results, API bodies, CLI JSON)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

Rate = float | None


class DepartmentScore(BaseModel):
    """One department's row of the monthly scorecard. Rates are 0–1 (4 decimals), ``None`` when nothing
    could be measured; the counters behind each rate are given too, so every figure can be checked."""

    department: str = Field(description="部门名称")
    code: str = Field(description="部门代码")
    department_id: int
    records: int = Field(description="本月首次入库的记录数（第 1 版）")
    rows_submitted: int = Field(description="本月各批次报送的数据行数")
    validity_rate: Rate = Field(description="合规率：本月首次报送的文书中首次报送即通过全部校验的比例")
    timeliness_rate: Rate = Field(description="及时率：本月新增记录中在期限（工作日）内报送的比例")
    late_rate: Rate = Field(description="迟报率 = 1 − 及时率")
    completeness_rate: Rate = Field(description="完整率：本月新增记录中“应填”可选字段的填写比例")
    omissions: int = Field(description="瞒报/漏报数：参照清单中已过报送期限而未报送的决定")
    omission_rate: Rate = Field(description="瞒报率 = 瞒报数 / 已到期的参照决定数")
    correction_days: float | None = Field(description="纠错时效：从首次被拒到首次入库的平均工作日数")
    score: float | None = Field(description="综合得分 0–100（非官方口径，权重见 rules/quality.yaml）")
    grade: str | None = Field(description="等级：优秀 / 良好 / 一般 / 较差")
    rank: int | None = Field(description="排名（同分并列）")
    keys_first_submitted: int = Field(description="本月首次报送的文书数（含缺文书号的行）")
    keys_passed: int = Field(description="其中首次报送即通过的文书数")
    on_time: int = Field(description="本月新增记录中按期报送的条数")
    expected_fields: int = Field(description="本月新增记录应填字段格数")
    filled_fields: int = Field(description="其中已填写的格数")
    reference_due: int = Field(description="参照清单中已过报送期限的决定数")
    corrected_keys: int = Field(description="本月纠错入库的文书数")


class Scorecard(BaseModel):
    """The scorecard of one month: one row per department, best first."""

    month: str = Field(description="YYYY-MM")
    item: str | None = Field(description="数据项（空为全部双公示等数据项）")
    as_of: date = Field(description="统计截止日（含）：只计此日及以前的事实")
    rules_version: int = Field(description="rules/quality.yaml 的版本")
    weights: dict[str, float] = Field(description="综合得分权重")
    departments: list[DepartmentScore]


class ReferenceRowError(BaseModel):
    """A problem with one row of a reference list (row 0 = the list as a whole)."""

    row: int
    field: str
    reason: str


class ReferenceLoadResult(BaseModel):
    """What ``load_reference`` stored."""

    item: str
    department: str = Field(description="部门代码")
    list_name: str
    rows: int
    added: int
    unchanged: int = Field(description="已登记且内容相同的行（重复上传不重复登记）")


class ReferenceIn(BaseModel):
    """``POST /api/v1/quality/reference``: a reference list as JSON rows keyed by column header."""

    model_config = ConfigDict(extra="forbid")

    item: str = Field(min_length=1, max_length=40, description="数据项，如 penalty", examples=["penalty"])
    department: str = Field(min_length=1, max_length=32, description="部门代码或统一社会信用代码", examples=["scjgj"])
    list_name: str = Field(min_length=1, max_length=200, description="清单名称，如“2026年第三季度案件台账”")
    rows: list[dict[str, str | int | float | None]] = Field(
        min_length=1,
        max_length=50_000,
        description="每行一个决定，列名为 文书号、决定日期、行政相对人名称",
        examples=[[{"文书号": "番市监罚〔2026〕101号", "决定日期": "2026-10-09", "行政相对人名称": "广州某某公司"}]],
    )
