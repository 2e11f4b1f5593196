"""Input and output shapes of the joint check (一键查询), its feedback (惩戒反馈), the feedback rates and the measures
ledger tracking (API, pages and CLI share them)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

MAX_BATCH = 10_000  # codes in one batch check (issue #7)
REASON_MAX = 500
CODE_INPUT_MAX = 64  # characters of a code as typed (spaces, full-width forms) before it is normalised
SCENARIO_MAX = 32  # list_check.scenario
NOTE_MAX = 2000


class CheckSubjectOut(BaseModel):
    """A subject the checked code names: a natural person's ID number is shown masked, never in clear."""

    id: int
    name: str
    kind: str = Field(description="主体类别代码")
    kind_label: str
    code: str = Field(description="统一社会信用代码；自然人为脱敏的身份证号码")


class CheckEntryOut(BaseModel):
    """An entry in force on the day of the check."""

    id: int
    subject_id: int
    list_code: str
    list_name: str
    list_kind: str = Field(description="dishonesty 失信名单 / received 接收名单 / red 红名单")
    list_kind_label: str
    role: str = Field(description="subject 主体本身 / responsible_person 负有责任的人员")
    department_id: int
    department_name: str
    source_authority: str = Field(description="接收名单的来源机关")
    decision_on: date | None = Field(description="列入决定日期")
    published_on: date | None = Field(description="公示（生效）日期")
    expires_on: date | None = Field(description="期满日（当日起不再列入）；为空表示至移出之日")
    basis: str = Field(description="列入依据")


class CheckMeasureOut(BaseModel):
    """A measure of the ledger that applies in the scenario to the lists the subject is on."""

    id: str
    name: str
    kind: str = Field(description="punishment 失信惩戒 / incentive 守信激励")
    kind_label: str
    scenario: str
    scenario_label: str
    lists: list[str] = Field(description="本次查询命中的、该措施适用的名单类型")
    department: str = Field(description="实施部门代码")
    department_name: str
    legal_basis: list[str]
    status: str = Field(description="retain 保留 / revise 修订")
    status_label: str
    deadline: date | None = Field(description="修订完成时限")


class FeedbackOut(BaseModel):
    """惩戒反馈 on one measure of one check."""

    id: int
    check_id: int
    measure_id: str
    measure_name: str
    applied: bool
    reason: str
    department_id: int | None
    recorded_by: str
    recorded_at: datetime


class CheckOut(BaseModel):
    """The answer of one check, and the id of the check-log row it was logged as (for feedback)."""

    check_id: int
    at: datetime
    checked_on: date = Field(description="查询基准日（名单是否有效按该日判断）")
    scenario: str
    scenario_label: str
    code: str = Field(description="查询的代码（自然人身份证号码已脱敏）")
    code_kind: str = Field(description="uscc 统一社会信用代码 / ric 身份证号码")
    department_id: int | None = Field(description="查询部门")
    department_name: str | None
    actor: str
    found: bool = Field(description="平台是否登记了该代码的主体")
    hit: bool = Field(description="是否在任一名单有效期内")
    subjects: list[CheckSubjectOut]
    entries: list[CheckEntryOut]
    measures: list[CheckMeasureOut]
    ledger_version: int
    batch_ref: str | None = None
    feedback: list[FeedbackOut] = Field(default_factory=list, description="已记录的惩戒反馈")


class CheckSummaryOut(BaseModel):
    """A logged check in a list of recent checks."""

    id: int
    at: datetime
    checked_on: date
    scenario: str
    scenario_label: str
    code: str
    department_name: str | None
    actor: str
    hit: bool
    measures: int = Field(description="返回的措施数")
    feedback: int = Field(description="已反馈的措施数")
    batch_ref: str | None


class BatchIn(BaseModel):
    """A batch check: up to 10,000 codes, one scenario."""

    model_config = ConfigDict(extra="forbid")

    scenario: str = Field(min_length=1, max_length=SCENARIO_MAX, description="应用场景（rules/measures.yaml）")
    codes: list[str] = Field(description=f"统一社会信用代码或身份证号码，最多 {MAX_BATCH:,} 个")
    as_of: date | None = Field(default=None, description="查询基准日（默认今天，不能晚于今天）")


class BatchItemOut(BaseModel):
    """The answer for one position of a batch: a check, or the reason the code was refused."""

    position: int = Field(description="在提交的清单中的序号（从 1 起）")
    code: str = Field(description="规范化并脱敏后的代码；无效代码为提交值（身份证号码形状的部分已脱敏）")
    check_id: int | None = Field(description="查询记录编号（无效代码为空）")
    duplicate_of: int | None = Field(default=None, description="与之前某序号的代码相同时，该序号（共用查询记录）")
    found: bool = False
    hit: bool = False
    subjects: list[CheckSubjectOut] = Field(default_factory=list)
    entries: list[CheckEntryOut] = Field(default_factory=list)
    measure_ids: list[str] = Field(default_factory=list, description="适用的措施编号（详见 measures）")
    error: str | None = Field(default=None, description="代码无效的原因")


class BatchOut(BaseModel):
    """A batch check: counts, the measures met (once), and one item per submitted position."""

    batch_ref: str
    at: datetime
    checked_on: date
    scenario: str
    scenario_label: str
    total: int
    checked: int = Field(description="记录的查询数（去重后的有效代码）")
    hits: int = Field(description="命中名单的位置数")
    invalid: int = Field(description="无效代码的位置数")
    ledger_version: int
    measures: list[CheckMeasureOut] = Field(description="本批次命中的措施（每项一次）")
    items: list[BatchItemOut]


class FeedbackIn(BaseModel):
    """惩戒反馈: whether a measure the check returned was applied, and why not."""

    model_config = ConfigDict(extra="forbid")

    measure_id: str = Field(min_length=1, max_length=48, description="措施编号（须为该次查询返回的措施）")
    applied: bool = Field(description="是否已实施该措施")
    reason: str = Field(default="", max_length=REASON_MAX, description="未实施的原因（未实施时必填）")


class RateRow(BaseModel):
    """One department's checks and feedback over the period."""

    department_id: int | None
    department_name: str
    checks: int = Field(description="查询次数")
    hits: int = Field(description="命中名单次数")
    hits_with_measures: int = Field(description="命中且有适用措施的次数")
    measures_due: int = Field(description="应反馈的措施数（命中查询返回的措施合计）")
    feedback: int = Field(description="已反馈的措施数")
    applied: int = Field(description="反馈已实施")
    not_applied: int = Field(description="反馈未实施")
    feedback_rate: float | None = Field(description="反馈率 = 已反馈 / 应反馈（无应反馈时为空）")
    applied_rate: float | None = Field(description="实施率 = 已实施 / 已反馈（无反馈时为空）")


class RatesOut(BaseModel):
    """Feedback rates per department over ``date_from`` … ``date_to`` (check dates, China time)."""

    date_from: date
    date_to: date
    scope: str = Field(description="all 全部部门 / own 本部门")
    rows: list[RateRow]
    total: RateRow


class ProgressIn(BaseModel):
    """A progress note on a measure of the ledger (跟踪检查)."""

    model_config = ConfigDict(extra="forbid")

    note: str = Field(min_length=1, max_length=NOTE_MAX, description="进展情况")
    done: bool = Field(default=False, description="修订或废止任务是否已完成")
    reported_on: date | None = Field(default=None, description="进展日期（默认今天，不能晚于今天）")


class ProgressOut(BaseModel):
    """One stored progress note."""

    id: int
    measure_id: str
    ledger_version: int
    note: str
    done: bool
    reported_on: date
    recorded_by: str
    recorded_at: datetime


class TrackingRow(BaseModel):
    """A measure of the ledger with its newest progress note (as of the report's day)."""

    id: str
    name: str
    kind: str
    kind_label: str
    scenario: str
    scenario_label: str
    lists: list[str]
    department: str
    department_name: str
    basis: list[str]
    status: str = Field(description="retain / revise / abolish")
    status_label: str
    deadline: date | None
    ledger_progress: str = Field(description="台账文件中的进展说明")
    progress_note: str | None = Field(description="最新进展记录")
    progress_on: date | None
    progress_by: str | None
    done: bool = Field(description="修订、废止任务是否已完成（最新进展记录优先于台账文件）")
    overdue: bool
    days_left: int | None = Field(description="距完成时限的天数（已完成或无时限时为空；逾期为负数）")


class TrackingReport(BaseModel):
    """The measures ledger merged with the progress notes, as of a day."""

    version: int
    as_of: date
    by_status: dict[str, int]
    overdue: list[str]
    measures: list[TrackingRow]
