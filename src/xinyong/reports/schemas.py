"""API shapes of reports: an issued report (summary and full content) and a verification answer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from xinyong.reports.changes import SectionChange

Verdict = Literal["authentic", "unknown", "altered", "forged"]
VERDICT_LABELS: dict[str, str] = {
    "authentic": "真实有效",
    "unknown": "查无此报告",
    "altered": "可能被篡改或伪造",
    "forged": "可能被篡改或伪造",
}
VERDICT_MESSAGES: dict[str, str] = {
    "authentic": "报告真实有效：签名验证通过，报告内容与本平台出具时一致。",
    "unknown": "查无此报告编号，该报告不是本平台出具的。",
    "altered": "报告内容与签名不符，可能被篡改。",
    "forged": "校验码与报告不符，可能是伪造的报告。",
}
CHANGED_MESSAGE = "报告出具后相关信息已发生变化"
UNCHANGED_MESSAGE = "报告出具后相关信息未发生变化"


class ReportLinks(BaseModel):
    """Where to read, download and verify the report."""

    html: str = Field(description="HTML 下载（本主体或区信用办）")
    pdf: str = Field(description="PDF 下载（本主体或区信用办）")
    verify: str = Field(description="公开核验页（二维码指向的地址）")


class ReportSummary(BaseModel):
    """An issued report as listed."""

    number: str = Field(description="报告编号")
    check_code: str = Field(description="校验码（印于报告上，核验时可一并输入）")
    kind: str = Field(description="public 公共信用报告 / special 专用信用报告")
    kind_label: str
    subject_id: int
    subject_name: str
    purpose: str = Field(description="用途")
    as_of: date = Field(description="报告所述信息的截止日")
    period_start: date | None = Field(description="专用信用报告：查询期间起")
    period_end: date | None = Field(description="专用信用报告：查询期间止")
    domains: list[str] = Field(description="专用信用报告：所选领域代码")
    domain_labels: list[str]
    issued_at: datetime
    issued_by_office: bool = Field(description="由区信用办代为出具（否则为主体本人下载）")
    links: ReportLinks


class ReportDetail(ReportSummary):
    """An issued report with the signed document."""

    data_version: str = Field(description="出具时读取的平台数据版本")
    rules_version: str = Field(description="出具时适用的规则版本")
    facts_digest: str = Field(description="报告事实的 SHA-256 摘要")
    key_id: str = Field(description="签名密钥编号")
    signature: str = Field(description="Ed25519 签名（Base64），覆盖报告的规范化内容")
    content: dict[str, Any] = Field(description="签名的报告内容（header 与 facts）")


class SectionSummary(BaseModel):
    """One section's one-line summary as the report stated it."""

    label: str
    summary: str


class VerifiedReport(BaseModel):
    """What the verification page shows of an authentic report: only what the report itself states."""

    kind_label: str
    subject_name: str = Field(description="主体名称（自然人脱敏）")
    uscc: str | None
    issued_at: str
    as_of: str
    period_start: str | None
    period_end: str | None
    domain_labels: list[str]
    purpose: str
    conclusion: str | None
    sections: list[SectionSummary]


class VerificationResult(BaseModel):
    """The answer of the public verification of a report number (and check code)."""

    number: str
    verdict: Verdict = Field(
        description="authentic 真实有效 / unknown 查无此报告 / altered 内容被篡改 / forged 校验码不符"
    )
    verdict_label: str
    message: str
    authentic: bool
    checked_at: datetime
    facts_changed: bool | None = Field(description="报告出具后相关信息是否已发生变化（仅真实有效的报告）")
    facts_message: str | None
    compared_as_of: date | None = Field(
        description="核对所依据的信息日期：通常为核验当日；报告所述为更早某日的，为该日"
    )
    changes: list[SectionChange]
    report: VerifiedReport | None
