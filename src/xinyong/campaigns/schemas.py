"""Inputs and outputs of special campaigns (专项治理) and the repeated-violator detection (屡禁不止、屡罚不改)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{1,39}$"
NAME_MAX = 200
GOAL_MAX = 2000
REASON_MAX = 500
OUTCOME_MAX = 500
NOTE_MAX = 2000
RESULT_MAX = 4000
CASE_REF_MAX = 64
UNITS_MAX = 40
REPEAT_CASE_REF = "屡禁不止、屡罚不改"  # case_ref of targets added from a repeated-violator run (one per subject)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CampaignIn(_In):
    """A new campaign: code, name, sectors (keys of ``rules/campaigns.yaml``), lead and participating units
    (department codes or 9-digit township codes), period and goal."""

    code: str = Field(min_length=2, max_length=40, description="行动编号，如 ZXZL-2021-01")
    name: str = Field(min_length=1, max_length=NAME_MAX, description="行动名称")
    sectors: list[str] = Field(min_length=1, max_length=20, description="治理领域代码")
    lead_unit: str = Field(min_length=2, max_length=32, description="牵头单位代码")
    units: list[str] = Field(default_factory=list, max_length=UNITS_MAX, description="参与单位代码")
    starts_on: date
    ends_on: date
    goal: str = Field(default="", max_length=GOAL_MAX, description="治理目标")


class TargetIn(_In):
    """A subject put in the campaign's scope by hand: its USCC, optionally a case reference, and why."""

    uscc: str = Field(min_length=1, max_length=64, description="统一社会信用代码")
    case_ref: str = Field(default="", max_length=CASE_REF_MAX, description="案件编号（可空）")
    reason: str = Field(min_length=1, max_length=REASON_MAX, description="纳入理由")
    sector: str | None = Field(default=None, max_length=40, description="治理领域（默认为行动的第一个领域）")
    unit_code: str | None = Field(default=None, max_length=32, description="负责单位代码（可空）")


class FromRunIn(_In):
    """Targets from a repeated-violator run: every violator (``all``) or those with a counted penalty from a
    department of the campaign's sectors (``sector``)."""

    run_id: int = Field(ge=1, le=2**63 - 1)
    scope: Literal["sector", "all"] = "sector"


class TargetUpdateIn(_In):
    """A target's new status and outcome (and, for the office or the lead unit, the unit it is assigned to)."""

    status: str = Field(min_length=2, max_length=16)
    outcome: str = Field(default="", max_length=OUTCOME_MAX)
    unit_code: str | None = Field(default=None, max_length=32)


class ProgressIn(_In):
    """A unit's progress report: what it did and its figures (keys of ``progress_figures``)."""

    unit_code: str | None = Field(default=None, max_length=32, description="报送单位代码（部门账号默认本部门）")
    note: str = Field(min_length=1, max_length=NOTE_MAX)
    figures: dict[str, int] = Field(default_factory=dict)
    reported_on: date | None = None


class CloseIn(_In):
    """The campaign's result summary."""

    result: str = Field(min_length=1, max_length=RESULT_MAX)


class RunIn(_In):
    """Parameters of a detection run (defaults from the rulebook)."""

    as_of: date | None = None
    min_count: int | None = Field(default=None, ge=2, le=100)
    window_days: int | None = Field(default=None, ge=1, le=3650)


# --------------------------------------------------------------------------------------------- outputs
class UnitOut(BaseModel):
    """A unit code and its display name."""

    code: str
    label: str


class CampaignRow(BaseModel):
    """A campaign in the list, with its target counts."""

    id: int
    code: str
    name: str
    sectors: list[str]
    sector_labels: list[str]
    lead_unit: UnitOut
    starts_on: date
    ends_on: date
    status: str
    status_label: str
    targets: int
    by_status: dict[str, int]


class ProgressOut(BaseModel):
    """One progress report."""

    id: int
    campaign_id: int
    unit: UnitOut
    note: str
    figures: dict[str, int]
    reported_on: date
    reported_by: str
    reported_at: datetime


class UnitProgress(BaseModel):
    """A unit's reports summed: figures, number of reports and the latest date."""

    unit: UnitOut
    reports: int
    figures: dict[str, int]
    last_on: date | None


class CampaignOut(CampaignRow):
    """A campaign in full: units, goal, result, progress by unit."""

    units: list[UnitOut]
    goal: str
    result: str
    created_by: str
    created_at: datetime
    closed_at: datetime | None
    progress: list[UnitProgress]


class TargetOut(BaseModel):
    """A subject in a campaign's scope."""

    id: int
    campaign_id: int
    subject_id: int
    subject_name: str
    uscc: str | None
    case_ref: str
    sector: str
    sector_label: str
    source: str
    reason: str
    status: str
    status_label: str
    unit: UnitOut | None
    outcome: str
    added_by: str
    added_at: datetime
    updated_at: datetime | None


class ViolatorRow(BaseModel):
    """A subject with ``penalties`` current penalties of one ``category`` in the window."""

    subject_id: int
    subject_name: str
    uscc: str | None
    category: str
    penalties: int
    first_on: date
    last_on: date


class ViolatorPage(BaseModel):
    """A page of repeated violators with the parameters that produced it."""

    as_of: date
    min_count: int
    window_days: int
    total: int
    limit: int
    offset: int
    rows: list[ViolatorRow]
    run_id: int | None = None


class RunOut(BaseModel):
    """A stored detection run."""

    id: int
    as_of: date
    min_count: int
    window_days: int
    items: list[str]
    rule_version: int
    subjects: int
    rows: int
    seconds: float | None
    run_by: str
    run_at: datetime


class CampaignViolator(BaseModel):
    """A repeated violator that is a target of the campaign, with its counts in the run it came from."""

    target_id: int
    subject_id: int
    subject_name: str
    uscc: str | None
    status: str
    status_label: str
    run_id: int | None
    categories: list[ViolatorRow]


class AddedOut(BaseModel):
    """How many targets a bulk addition made."""

    added: int
    run_id: int
