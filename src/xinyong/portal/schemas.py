"""Pydantic shapes of the portal's JSON API and CLI: articles (public and office views) and selections."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from xinyong.db.base import MAX_ID

ArticleKind = Literal["news", "policy", "campaign", "innovation_case"]
ArticleStatus = Literal["draft", "published", "withdrawn"]
Decision = Literal["approve", "reject"]
KIND_HELP = "news 信用动态 / policy 政策法规 / campaign 诚信宣传 / innovation_case 信用创新案例"
Version = Field(ge=1, le=2**31 - 1, description="页面显示时的版本号（乐观锁：他人已修改时返回 409）")


# --------------------------------------------------------------------------------------------- articles in
class ArticleFields(BaseModel):
    """An article's fields (the body is HTML, cleaned with the allowlist of rules/portal.yaml before it is
    stored)."""

    kind: ArticleKind = Field(description=KIND_HELP)
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(default="", max_length=500)
    source: str = Field(default="", max_length=200, description="来源（发布单位或文件）")
    body_html: str = Field(min_length=1, max_length=200_000, description="正文 HTML")
    campaign: str = Field(default="", max_length=40, description="宣传节点代码或名称（见 /api/v1/portal/campaigns）")
    unit: str = Field(default="", max_length=200, description="信用创新案例：实施单位（镇街或部门）")
    scenario: str = Field(default="", max_length=40, description="信用创新案例：应用场景代码")

    def extras(self) -> dict[str, str]:
        """The keyword fields of ``articles.create_article`` / ``edit_article``."""
        return {
            "summary": self.summary,
            "source": self.source,
            "campaign": self.campaign,
            "unit": self.unit,
            "scenario": self.scenario,
        }


class ArticleIn(ArticleFields):
    """A new article."""

    publish: bool = Field(default=False, description="保存后立即发布")


class ArticleEdit(ArticleFields):
    """A changed article: every field as it should be, and the version the editor saw."""

    lock_version: int = Version


class VersionIn(BaseModel):
    """The version the caller saw."""

    lock_version: int = Version


class WithdrawIn(BaseModel):
    """Why an article is taken down."""

    lock_version: int = Version
    reason: str = Field(min_length=1, max_length=500)


# --------------------------------------------------------------------------------------------- articles out
class ArticleCardOut(BaseModel):
    """A published article as a list shows it."""

    id: int
    kind: str
    kind_label: str
    title: str
    summary: str
    source: str
    campaign: str
    unit: str
    scenario: str
    scenario_label: str
    published_at: datetime
    url: str


class ArticleOut(ArticleCardOut):
    """A published article with its (cleaned) body."""

    body_html: str


class ArticlePage(BaseModel):
    """One page of published articles, newest first."""

    kind: str | None
    campaign: str | None
    scenario: str | None
    total: int
    offset: int
    limit: int
    items: list[ArticleCardOut]


class ArticleAdmin(BaseModel):
    """An article as the credit office manages it (drafts and withdrawn ones included)."""

    id: int
    kind: str
    kind_label: str
    title: str
    summary: str
    source: str
    campaign: str
    unit: str
    scenario: str
    scenario_label: str
    status: str
    status_label: str
    published_at: datetime | None
    withdrawn_at: datetime | None
    withdraw_reason: str
    author: str
    created_at: datetime
    updated_at: datetime
    updated_by: str
    lock_version: int
    body_html: str = ""


class ArticleAdminPage(BaseModel):
    """One page of the office's article list, newest change first (bodies left out)."""

    total: int
    offset: int
    limit: int
    items: list[ArticleAdmin]


class ArticleSaved(BaseModel):
    """A stored article and what cleaning removed from its body (tell the editor; never silent)."""

    article: ArticleAdmin
    warnings: list[str]


class CampaignOut(BaseModel):
    """A publicity campaign (宣传节点) articles may be tagged with."""

    code: str
    name: str
    when: str
    next_start: date | None
    source: str


class ScenarioOut(BaseModel):
    """An application scenario of innovation cases."""

    code: str
    name: str
    source: str


# --------------------------------------------------------------------------------------------- selections in
class SelectionIn(BaseModel):
    """A new selection round for a red list."""

    list_code: str = Field(min_length=2, max_length=40, description="红名单代码，如 contract_honouring")
    year: int = Field(ge=2000, le=2100, description="评选年度")
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=4000, description="评选通知（纯文本）")
    closes_on: date = Field(description="推荐截止日（含当日）")


class NominationIn(BaseModel):
    """A subject nominated with the reason."""

    subject_id: int = Field(ge=1, le=MAX_ID)
    reason: str = Field(min_length=1, max_length=2000, description="推荐理由")


class ReviewIn(BaseModel):
    """The office's review of a nomination."""

    decision: Decision = Field(description="approve 评审通过 / reject 未通过")
    note: str = Field(default="", max_length=2000, description="评审意见（未通过时必填）")
    lock_version: int = Version


class PublishSelectionIn(BaseModel):
    """Publishing the results: the written decision's number and the version the office saw."""

    doc_no: str = Field(min_length=1, max_length=64, description="评选结果（列入决定）文号")
    lock_version: int = Version


# --------------------------------------------------------------------------------------------- selections out
class SelectionCard(BaseModel):
    """A selection as lists show it."""

    id: int
    list_code: str
    list_name: str
    year: int
    title: str
    status: str
    status_label: str
    closes_on: date
    accepting: bool = Field(description="今天仍可推荐")
    published_on: date | None
    nominations: int
    winners: int


class Winner(BaseModel):
    """A published winner (organisations and individual businesses; natural persons are never shown)."""

    subject_name: str
    uscc: str | None
    subject_kind_label: str
    list_entry_id: int | None
    listed_from: date | None
    expires_on: date | None


class PublicSelection(SelectionCard):
    """A selection for the public: its rules while open, its winners once published."""

    description: str
    organisers: str
    criteria: list[str]
    legal_basis: list[str]
    eligibility: list[str]
    duration: str
    decision_doc_no: str
    winners_list: list[Winner]
    list_url: str


class NominationOut(BaseModel):
    """A nomination as the office (all) and the nominating department (its own) see it."""

    id: int
    selection_id: int
    subject_id: int
    subject_name: str
    uscc: str | None
    subject_kind_label: str
    department_name: str
    nominated_by: str
    reason: str
    status: str
    status_label: str
    review_note: str
    reviewed_by: str
    reviewed_at: datetime | None
    list_entry_id: int | None
    created_at: datetime
    lock_version: int
    problems: list[str] = Field(description="今天的资格复核问题（已公布的不再复核）")


class SelectionDetail(PublicSelection):
    """A selection for the office and the nominating departments: nominations included."""

    lock_version: int
    created_by: str
    published_by: str
    nominations_list: list[NominationOut]
