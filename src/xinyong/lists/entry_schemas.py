"""Input and output shapes of the listing procedure (名单列入程序): API bodies, page and CLI data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from xinyong.db.base import MAX_ID
from xinyong.lists.models import ENTRY_STATUSES, REMOVAL_REASONS
from xinyong.lists.types import Basis, Duration, EarlyRemoval, Period
from xinyong.records.cases import CaseEventOut, CaseFileOut

STATUS_LABELS: dict[str, str] = ENTRY_STATUSES
REMOVAL_LABELS: dict[str, str] = REMOVAL_REASONS
ROLE_LABELS: dict[str, str] = {"subject": "列入主体", "responsible_person": "责任人"}
DEFENCE_OUTCOMES: dict[str, str] = {"accepted": "采纳", "rejected": "不予采纳"}
ACTION_LABELS: dict[str, str] = {
    "propose": "拟列入",
    "notice": "送达列入前告知书",
    "defence": "收到陈述申辩",
    "decide": "作出列入决定",
    "drop": "不予列入",
    "publish": "列入并公示",
    "remove": "移出名单",
    "expire": "期限届满移出",
    "import": "按来源机关名单导入",
    "source_removed": "来源机关已移出",
    "attach": "上传材料",
}
# The next step of an entry in each status, by list kind (what the entry page offers).
STEPS: dict[str, dict[str, tuple[str, ...]]] = {
    "dishonesty": {
        "proposed": ("notice", "drop"),
        "noticed": ("defence", "decide", "drop"),
        "decided": ("publish",),
        "published": ("remove",),
    },
    "red": {"proposed": ("decide", "drop"), "decided": ("publish",), "published": ("remove",)},
    "received": {"published": ("remove",)},
}

Version = Field(ge=1, le=2**31 - 1, description="乐观锁版本号（条目详情中的 lock_version）；他人先行办理则返回 409")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --------------------------------------------------------------------------------------------- input
class ProposeIn(Strict):
    """拟列入: a subject proposed for a dishonesty or red list (received lists are imported)."""

    list_code: str = Field(min_length=1, max_length=40, description="名单类型代码，如 wage_arrears")
    subject_id: int = Field(ge=1, le=MAX_ID, description="列入主体编号")
    reasons: str = Field(min_length=1, max_length=4000, description="列入事由（事实）")
    basis: str = Field(default="", max_length=4000, description="列入依据；留空则为名单类型的设立依据")
    case_ref: str = Field(default="", max_length=200, description="关联文书号，如责令限期支付文书号")
    responsible_person_ids: list[int] = Field(
        default_factory=list, max_length=20, description="同时列入的责任人（自然人主体编号），仅限规定列入责任人的名单"
    )


class NoticeIn(Strict):
    """送达列入前告知书."""

    doc_no: str = Field(min_length=1, max_length=64, description="告知书文号")
    served_on: date = Field(description="送达日期")
    lock_version: int = Version


class DefenceIn(Strict):
    """收到陈述申辩."""

    text: str = Field(min_length=1, max_length=4000, description="陈述申辩意见")
    received_on: date = Field(description="收到日期")
    lock_version: int = Version


class DecisionIn(Strict):
    """作出列入决定."""

    doc_no: str = Field(min_length=1, max_length=64, description="列入决定书文号")
    decided_on: date = Field(description="决定日期")
    defence_outcome: Literal["accepted", "rejected"] | None = Field(
        default=None, description="收到陈述申辩时必填：rejected 不予采纳（采纳的应作不予列入）"
    )
    lock_version: int = Version


class DropIn(Strict):
    """不予列入."""

    reason: str = Field(min_length=1, max_length=4000, description="不予列入的理由")
    lock_version: int = Version


class PublicationIn(Strict):
    """列入并公示."""

    published_on: date = Field(description="公示日期（自该日起在名单上）")
    lock_version: int = Version


class RemovalIn(Strict):
    """移出名单."""

    reason: Literal["expiry", "early_removal", "repair", "revocation", "source_removed"] = Field(
        description="移出情形：" + "、".join(f"{k} {v}" for k, v in REMOVAL_REASONS.items())
    )
    removed_on: date = Field(description="移出日期（自该日起不在名单上）")
    note: str = Field(min_length=1, max_length=4000, description="移出说明")
    corrected_on: date | None = Field(default=None, description="改正日期（提前移出自改正之日起算时必填）")
    commitment_text: str = Field(default="", max_length=4000, description="信用承诺内容（提前移出须承诺时必填）")
    lock_version: int = Version


# --------------------------------------------------------------------------------------------- output
class ListTypeOut(BaseModel):
    """A list type (``rules/lists/<code>.yaml``) with its Chinese kind label."""

    code: str
    version: int
    name: str
    kind: str
    kind_label: str
    department: str = Field(description="认定（或接收）部门代码")
    source_authority: str
    legal_basis: list[Basis]
    criteria: list[str]
    subject_kinds: list[str]
    lists_responsible_persons: bool
    notice: Period | None
    defence: Period | None
    duration: Duration
    early_removal: EarlyRemoval | None
    exit_conditions: list[str]
    remedies: str
    public: bool
    source: str


class EntryRow(BaseModel):
    """One entry in a staff list: who, which list, where it stands, its dates."""

    id: int
    list_code: str
    list_name: str
    kind: str
    kind_label: str
    subject_id: int
    subject_name: str
    subject_kind: str
    subject_code: str | None = Field(description="统一社会信用代码；自然人为脱敏的身份证号码")
    role: str
    role_label: str
    parent_id: int | None
    department_id: int
    department_name: str
    status: str
    status_label: str
    proposed_on: date = Field(description="拟列入（登记）日期")
    notice_on: date | None
    defence_due: date | None = Field(description="陈述申辩期最后一日（工作日计算）")
    decision_on: date | None
    published_on: date | None
    expires_on: date | None = Field(description="期满日：自该日起不在名单上")
    removed_on: date | None
    removal_reason: str | None
    removal_reason_label: str | None
    in_force: bool = Field(description="今天是否在名单上")
    lock_version: int


class EntryPage(BaseModel):
    """One page of entries."""

    total: int
    offset: int
    limit: int
    items: list[EntryRow]


class EntryDetail(EntryRow):
    """One entry with every step's documents, its responsible persons, history and files."""

    list_version: int
    reasons: str
    basis: str
    case_ref: str
    notice_doc_no: str | None
    notice_text: str | None = Field(description="列入前告知书内容（按名单类型生成）")
    defence_on: date | None
    defence_text: str
    defence_outcome: str | None
    decision_doc_no: str | None
    corrected_on: date | None
    commitment_text: str
    removal_note: str
    source_authority: str
    source_ref: str
    created_by: str
    created_at: datetime
    earliest_early_removal: date | None = Field(description="最早可提前移出的日期（需改正日期的，登记改正后计算）")
    early_removal_rule: str | None
    responsible_persons: list[EntryRow]
    next_steps: list[str] = Field(description="当前可办理的步骤：notice / defence / decide / drop / publish / remove")
    history: list[CaseEventOut]
    files: list[CaseFileOut]


class PublicEntry(BaseModel):
    """An entry on a public list page: natural persons' names masked, ID numbers never shown."""

    id: int
    subject_name: str
    subject_kind_label: str
    uscc: str | None = Field(description="统一社会信用代码（自然人不显示证件号码）")
    reasons: str
    decision_doc_no: str | None
    decided_on: date | None
    published_on: date
    expires_on: date | None
    authority: str = Field(description="作出决定的机关")
    responsible_persons: list[str] = Field(description="同时列入的责任人（姓名脱敏）")


class PublicPage(BaseModel):
    """One page of a public list on ``as_of``."""

    list_code: str
    list_name: str
    kind_label: str
    as_of: date
    q: str
    total: int
    offset: int
    limit: int
    items: list[PublicEntry]


class PublicListSummary(BaseModel):
    """A public list type and how many subjects are on it on ``as_of``."""

    code: str
    name: str
    kind: str
    kind_label: str
    in_force: int


class ImportRowError(BaseModel):
    """A rejected row of a received-list file: row number (0: the file), column label and reason."""

    row: int
    column: str
    reason: str

    @property
    def field(self) -> str:
        """The column (so the CLI's row printer can show it like other row errors)."""
        return self.column


class ImportResult(BaseModel):
    """What a received-list import did."""

    list_code: str
    source_ref: str
    filename: str
    sha256: str
    rows: int = Field(description="数据行数")
    added: int = Field(description="新增条目（含来源已移出的历史条目）")
    removed: int = Field(description="按来源移出的已有条目")
    unchanged: int = Field(description="已导入过、未变化的行")
    subjects_created: int = Field(description="主体库中没有、按名单新建（待核实）的主体")
    rejected: int = Field(description="未导入的错误行（部分接收时）")
    errors: list[ImportRowError]
