"""Issuing, reading and verifying credit reports (the action layer of ``reports``).

* ``issue_report``: a subject's account for its own subject (``reports.issue_own``), the credit office for any
  subject (``reports.issue``, a purpose required). A natural person's report is issued only to the person
  themself. Parameters are checked (kind; as_of not in the future; the special report's period within the
  rulebook's limit and ending by as_of; known domains), the facts built (``reports.facts``), the document signed
  (``reports.signing``) and stored under a fresh random number; audit event ``reports.issue``.
* ``list_reports`` / ``get_report``: the subject reads its own reports; the credit office (``reports.read``) any,
  each read of one report audited (``read.credit_report``).
* ``verify`` (public, ``reports.verify``): unknown number, content altered (signature, digest or columns do not
  agree), check code mismatch (a forged copy), or authentic — then whether the facts, rebuilt from today's data
  with the same subject, kind, period and domains as of the verification day (``comparison_day``), still have
  the same digest, and what changed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied, require, require_own_subject
from xinyong.auth.pii import mask_name
from xinyong.db.base import MAX_ID
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.evaluation.service import subject_by_ref
from xinyong.records.cases import in_china
from xinyong.records.publication import AS_OF_YEARS
from xinyong.reports import canonical
from xinyong.reports.changes import SectionChange, diff_facts
from xinyong.reports.config import report_settings
from xinyong.reports.content import build_header, document, domain_labels, intact, params_of
from xinyong.reports.facts import ReportParams, build_facts, data_version, rules_version
from xinyong.reports.models import REPORT_KINDS, CreditReport
from xinyong.reports.numbers import check_code, new_number, parse_check_code, parse_number
from xinyong.reports.rules import report_rules
from xinyong.reports.schemas import (
    CHANGED_MESSAGE,
    UNCHANGED_MESSAGE,
    VERDICT_LABELS,
    VERDICT_MESSAGES,
    ReportDetail,
    ReportLinks,
    ReportSummary,
    SectionSummary,
    VerificationResult,
    VerifiedReport,
)
from xinyong.reports.signing import current_signer, signature_bytes
from xinyong.rules.loader import RulebookError
from xinyong.subjects.models import Subject
from xinyong.subjects.queries import subject_or_404

ISSUE = "reports.issue"
ISSUE_OWN = "reports.issue_own"
READ = "reports.read"
VERIFY = "reports.verify"
PURPOSE_MAX = 200
LIST_MAX = 200
NUMBER_TRIES = 5


# --------------------------------------------------------------------------------------------- checks
def _may_issue(ctx: Context, subject_id: int) -> None:
    """A subject's account for its own subject only; everyone else needs ``reports.issue``."""
    if ctx.role == "subject":
        require_own_subject(ctx, subject_id, ISSUE_OWN)
    else:
        require(ctx, ISSUE)


def _refuse_other_persons(ctx: Context, subject: Subject) -> None:
    if subject.kind == "natural_person" and not (ctx.role == "subject" and ctx.subject_id == subject.id):
        raise PermissionDenied(ctx.role, ISSUE, "自然人的信用报告只能由本人登录后出具，他人（含工作人员）不能代为出具")


def years_before(day: date, years: int) -> date:
    """``day`` minus whole years (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _as_of(ctx: Context, as_of: date | None) -> date:
    day = as_of or ctx.today
    if day > ctx.today:
        raise InvalidInput(f"报告截止日不能晚于今天（{ctx.today.isoformat()}）", field="as_of")
    if not AS_OF_YEARS[0] <= day.year:
        raise InvalidInput(f"报告截止日应在 {AS_OF_YEARS[0]} 年之后", field="as_of")
    return day


def _domains(domains: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    special = report_rules().special
    chosen = {d.strip() for d in domains if d and d.strip()}
    if not chosen:
        raise InvalidInput("请至少选择一个领域", field="domains")
    unknown = sorted(d for d in chosen if special.domain(d) is None)
    if unknown:
        known = "、".join(f"{d.id}（{d.label}）" for d in special.domains)
        raise InvalidInput(f"未知的领域 {'、'.join(unknown)}；可选：{known}", field="domains")
    return tuple(d.id for d in special.domains if d.id in chosen)


def check_params(
    ctx: Context,
    kind: str,
    *,
    period_start: date | None,
    period_end: date | None,
    domains: tuple[str, ...] | list[str],
    as_of: date | None,
) -> ReportParams:
    """The validated parameters of a report (``InvalidInput`` naming the field otherwise)."""
    if kind not in REPORT_KINDS:
        choices = "、".join(f"{k}（{v}）" for k, v in REPORT_KINDS.items())
        raise InvalidInput(f"报告类型应为 {choices} 之一", field="kind")
    day = _as_of(ctx, as_of)
    if kind == "public":
        if period_start or period_end or domains:
            raise InvalidInput("公共信用报告不选择期间和领域；需要按期间和领域出具的请选择专用信用报告", field="kind")
        return ReportParams(kind=kind, as_of=day)
    if period_start is None or period_end is None:
        raise InvalidInput(
            "专用信用报告须填写查询期间的起止日期", field="period_start" if not period_start else "period_end"
        )
    if period_start > period_end:
        raise InvalidInput("查询期间的开始日期不能晚于结束日期", field="period_start")
    if period_end > day:
        raise InvalidInput(f"查询期间的结束日期不能晚于报告截止日（{day.isoformat()}）", field="period_end")
    years = report_rules().special.period.max_years
    earliest = years_before(day, years)
    if period_start < earliest:
        raise InvalidInput(f"查询期间最长 {years} 年：开始日期不能早于 {earliest.isoformat()}", field="period_start")
    return ReportParams(
        kind=kind, as_of=day, period_start=period_start, period_end=period_end, domains=_domains(domains)
    )


def _purpose(ctx: Context, purpose: str) -> str:
    text = (purpose or "").strip()
    if len(text) > PURPOSE_MAX:
        raise InvalidInput(f"报告用途过长（最多 {PURPOSE_MAX} 字）", field="purpose")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        raise InvalidInput("报告用途含有不可见的控制字符", field="purpose")
    if not text and ctx.role != "subject":
        raise InvalidInput("代为出具信用报告须填写用途（如：招标投标、贷款审批）", field="purpose")
    return text


def _fresh_number(session: Session, day: date) -> str:
    for _ in range(NUMBER_TRIES):
        number = new_number(day)
        if session.scalar(select(CreditReport.id).where(CreditReport.number == number)) is None:
            return number
    raise Conflict("报告编号生成冲突，请重试")  # pragma: no cover - 60 random bits per day


def subject_for(ctx: Context, subject_id: int | None = None, ref: str | None = None) -> int:
    """The subject a request names: ``subject_id``, else ``ref`` (an id or a USCC), else the caller's own subject;
    ``InvalidInput`` when none is named."""
    if subject_id is not None:
        return subject_id
    if ref and ref.strip():
        try:
            return subject_by_ref(ctx, ref).id
        except ValueError:  # digits int() cannot read (e.g. superscripts)
            raise InvalidInput("请填写主体编号或18位统一社会信用代码", field="subject") from None
    if ctx.subject_id is not None:
        return ctx.subject_id
    raise InvalidInput("请指定信用主体：主体编号或统一社会信用代码", field="subject")


# --------------------------------------------------------------------------------------------- issue
def issue_report(
    ctx: Context,
    subject_id: int,
    kind: str,
    *,
    period_start: date | None = None,
    period_end: date | None = None,
    domains: tuple[str, ...] | list[str] = (),
    purpose: str = "",
    as_of: date | None = None,
) -> CreditReport:
    """Issue and sign a report of ``subject_id`` (see the module docstring); the stored report."""
    _may_issue(ctx, subject_id)
    if not 0 < subject_id <= MAX_ID:
        raise NotFound("未找到该信用主体", field="subject_id")
    session = ctx.session
    subject = subject_or_404(session, subject_id)
    _refuse_other_persons(ctx, subject)
    params = check_params(ctx, kind, period_start=period_start, period_end=period_end, domains=domains, as_of=as_of)
    text = _purpose(ctx, purpose)
    facts = build_facts(session, subject, params)
    facts_digest = canonical.digest(facts)
    signer = current_signer(session)
    number = _fresh_number(session, ctx.today)
    header = build_header(
        number=number,
        params=params,
        subject=subject,
        issued_at=ctx.at,
        purpose=text,
        issued_by_office=ctx.role != "subject",
        data_version=data_version(session, subject.id),
        rules_version=rules_version(),
        facts_digest=facts_digest,
        key_id=signer.key_id,
    )
    content = document(header, facts)
    report = CreditReport(
        number=number,
        kind=params.kind,
        subject_id=subject.id,
        purpose=text,
        period_start=params.period_start,
        period_end=params.period_end,
        domains=list(params.domains),
        as_of=params.as_of,
        issued_at=ctx.at,
        issued_by=ctx.actor,
        issued_role=ctx.role,
        rules_version=header["rules_version"],
        data_version=header["data_version"],
        facts_digest=facts_digest,
        content=content,
        signature=signer.sign(canonical.canonical(content)),
        key_id=signer.key_id,
    )
    session.add(report)
    session.flush()
    audit.record(
        ctx,
        "reports.issue",
        "credit_report",
        number,
        {
            "number": number,
            "kind": params.kind,
            "subject_id": subject.id,
            "own": ctx.role == "subject",
            "purpose": text,
            "as_of": params.as_of.isoformat(),
            "period": [header["period_start"], header["period_end"]],
            "domains": list(params.domains),
        },
    )
    return report


# --------------------------------------------------------------------------------------------- reads
def report_check_code(report: CreditReport) -> str:
    """The report's printed check code."""
    return check_code(signature_bytes(report.signature))


def verify_url(report: CreditReport) -> str:
    """The public verification address printed in the QR code."""
    base = report_settings().public_base_url.rstrip("/")
    return f"{base}/reports/verify/{report.number}?c={report_check_code(report)}"


def summary(report: CreditReport) -> ReportSummary:
    """The list shape of a report."""
    header = report.content.get("header", {}) if isinstance(report.content, dict) else {}
    base = f"/api/v1/reports/{report.number}"
    return ReportSummary(
        number=report.number,
        check_code=report_check_code(report),
        kind=report.kind,
        kind_label=REPORT_KINDS.get(report.kind, report.kind),
        subject_id=report.subject_id,
        subject_name=str(header.get("subject_name", "")),
        purpose=report.purpose,
        as_of=report.as_of,
        period_start=report.period_start,
        period_end=report.period_end,
        domains=list(report.domains or ()),
        domain_labels=domain_labels(list(report.domains or ())),
        issued_at=in_china(report.issued_at),
        issued_by_office=report.issued_role != "subject",
        links=ReportLinks(html=f"{base}.html", pdf=f"{base}.pdf", verify=verify_url(report)),
    )


def detail(report: CreditReport) -> ReportDetail:
    """The full shape of a report (the signed document included)."""
    return ReportDetail(
        **summary(report).model_dump(),
        data_version=report.data_version,
        rules_version=report.rules_version,
        facts_digest=report.facts_digest,
        key_id=report.key_id,
        signature=report.signature,
        content=report.content,
    )


def _may_read(ctx: Context, subject_id: int) -> None:
    if ctx.role == "subject":
        require_own_subject(ctx, subject_id, ISSUE_OWN)
    else:
        require(ctx, READ)


def list_reports(
    ctx: Context, *, subject_id: int | None = None, offset: int = 0, limit: int = 50
) -> tuple[int, list[CreditReport]]:
    """(total, page) of issued reports, newest first: a subject its own, the credit office any (``subject_id``
    filters)."""
    if ctx.role == "subject":
        subject_id = subject_id if subject_id is not None else ctx.subject_id
        if subject_id is None:
            raise PermissionDenied(ctx.role, ISSUE_OWN, "该账户未关联信用主体")
    _may_read(ctx, subject_id or 0)
    if not 1 <= limit <= LIST_MAX:
        raise InvalidInput(f"每页条数应在 1 到 {LIST_MAX} 之间", field="limit")
    if not 0 <= offset <= 1_000_000:
        raise InvalidInput("分页位置超出范围", field="offset")
    stmt = select(CreditReport)
    if subject_id is not None:
        if not 0 < subject_id <= MAX_ID:
            return 0, []
        stmt = stmt.where(CreditReport.subject_id == subject_id)
    total = ctx.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = ctx.session.scalars(
        stmt.order_by(CreditReport.issued_at.desc(), CreditReport.id.desc()).offset(offset).limit(limit)
    )
    return total, list(rows)


def find(session: Session, number: str) -> CreditReport | None:
    """The report with this (canonical) number."""
    return session.scalar(select(CreditReport).where(CreditReport.number == number))


def get_report(ctx: Context, number: str, *, purpose: str = "read") -> CreditReport:
    """One report for its subject or the credit office (``NotFound`` / ``PermissionDenied``); an office read is
    audited (``read.credit_report``, with what it was read for: read, html, pdf)."""
    canonical_number = parse_number(number)
    if ctx.role != "subject":
        require(ctx, READ)
    report = find(ctx.session, canonical_number)
    if report is None:
        raise NotFound(f"未找到报告 {canonical_number}", field="number")
    _may_read(ctx, report.subject_id)
    if ctx.role != "subject":
        audit.record_read(
            ctx, "credit_report", report.number, {"subject_id": report.subject_id, "kind": report.kind, "as": purpose}
        )
    return report


# --------------------------------------------------------------------------------------------- verify
def _moment(value: object) -> str:
    """``2026-11-27T10:00:00+08:00`` as ``2026-11-27 10:00`` (other text unchanged)."""
    try:
        return datetime.fromisoformat(str(value)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(value or "")


def _shown_report(report: CreditReport) -> VerifiedReport:
    header: dict[str, Any] = report.content["header"]
    facts: dict[str, Any] = report.content.get("facts", {})
    name = str(header.get("subject_name", ""))
    if header.get("subject_kind") == "natural_person":
        name = mask_name(name)
    return VerifiedReport(
        kind_label=str(header.get("kind_label", "")),
        subject_name=name,
        uscc=header.get("subject_uscc"),
        issued_at=_moment(header.get("issued_at")),
        as_of=str(header.get("as_of", "")),
        period_start=header.get("period_start"),
        period_end=header.get("period_end"),
        domain_labels=[str(x) for x in header.get("domain_labels", [])],
        purpose=str(header.get("purpose", "")),
        conclusion=facts.get("conclusion"),
        sections=[
            SectionSummary(label=str(s.get("label", "")), summary=str(s.get("summary", "")))
            for s in facts.get("sections", [])
        ],
    )


def comparison_day(report: CreditReport, today: date) -> date:
    """The day whose facts a verification compares the report with: today for a report of the facts of its issue
    day (the usual case: "changed since issue" then covers a penalty decided after issue, a publicity period that
    ended, a repair), but the report's own ``as_of`` for a report stating an earlier day's facts (only data
    loaded or corrected late changes a statement about a past day)."""
    issued_on = in_china(report.issued_at).date()
    return max(today, report.as_of) if report.as_of >= issued_on else report.as_of


def facts_now(session: Session, report: CreditReport, day: date) -> dict[str, Any] | None:
    """The report's facts rebuilt from today's data with its parameters, as of ``day`` (None when they can no
    longer be built: the subject or a domain of the report is gone, or the rules no longer load)."""
    subject = session.get(Subject, report.subject_id)
    if subject is None:
        return None
    params = replace(params_of(report), as_of=day)
    special = report_rules().special
    if any(special.domain(d) is None for d in params.domains):
        return None
    try:
        return build_facts(session, subject, params)
    except (RulebookError, KeyError):
        return None


def verify(session: Session, number: str, check_code_text: str | None = None, *, now: datetime) -> VerificationResult:
    """Verify a report number (and the printed check code) on ``session``; see the module docstring."""
    canonical_number = parse_number(number)
    code = parse_check_code(check_code_text)

    def answer(verdict: str, **extra: Any) -> VerificationResult:
        fields: dict[str, Any] = {
            "number": canonical_number,
            "checked_at": in_china(now),
            "verdict": verdict,
            "verdict_label": VERDICT_LABELS[verdict],
            "message": VERDICT_MESSAGES[verdict],
            "authentic": verdict == "authentic",
            "facts_changed": None,
            "facts_message": None,
            "compared_as_of": None,
            "changes": [],
            "report": None,
        }
        return VerificationResult(**(fields | extra))

    report = find(session, canonical_number)
    if report is None:
        return answer("unknown")
    if not intact(session, report):
        return answer("altered")
    if code is not None and code != report_check_code(report):
        return answer("forged")
    day = comparison_day(report, in_china(now).date())
    current = facts_now(session, report, day)
    stated: dict[str, Any] = report.content.get("facts", {})
    if current is None:
        changes = [SectionChange(section="报告规则", changed=["报告所依据的主体或规则已不存在，无法按原条件重新核对"])]
        changed = True
    else:
        changed = canonical.digest(current) != report.facts_digest
        changes = diff_facts(stated, current) if changed else []
    return answer(
        "authentic",
        facts_changed=changed,
        facts_message=CHANGED_MESSAGE if changed else UNCHANGED_MESSAGE,
        compared_as_of=day,
        changes=changes,
        report=_shown_report(report),
    )


def verify_report(ctx: Context, number: str, check_code_text: str | None = None) -> VerificationResult:
    """Public verification (``reports.verify``) at the context's time."""
    require(ctx, VERIFY)
    return verify(ctx.session, number, check_code_text, now=ctx.at)
