"""The facts a report states, built from stored data only for (subject, kind, as_of, period, domains).

``build_facts`` is deterministic: the same parameters on the same data give the same facts, so
``reports.canonical.digest`` of them is the report's ``facts_digest``, and rebuilding them later from today's data
("facts changed since issue", ``reports.service.comparison_day``) differs exactly when something the report
states has changed — a new or late-loaded record, a correction, an objection opened or closed, a repair,
revocation or end of publicity, a new grade, a list entry added or removed, or a rule change.

Shape: ``basic`` (基本信息: label/value pairs, public fields only; a natural person's identifier masked),
``sections`` (titled tables, ``reports.facts_common``), and for the special report ``period``, ``conclusion`` and
``not_covered``. ``data_version`` and ``rules_version`` name what was read (see docs/reports.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from xinyong.auth.pii import mask_name
from xinyong.catalog.items import load_catalog
from xinyong.codes.divisions import township_by_code
from xinyong.evaluation.models import EvaluationResult
from xinyong.lists.models import ListEntry
from xinyong.records.models import Commitment, CreditRecord, RecordEffect
from xinyong.reports.facts_common import iso
from xinyong.reports.facts_public import public_sections
from xinyong.reports.facts_special import conclusion, special_sections
from xinyong.reports.rules import report_rules
from xinyong.subjects.models import SUBJECT_KIND_LABELS, Subject

DATA_VERSION_MAX = 80
RULES_VERSION_MAX = 64


@dataclass(frozen=True)
class ReportParams:
    """What a report is about: kind, the day whose facts it states, and (special) period and domains."""

    kind: str
    as_of: date
    period_start: date | None = None
    period_end: date | None = None
    domains: tuple[str, ...] = ()


def basic_info(subject: Subject) -> list[list[str]]:
    """基本信息 as label/value pairs: registry fields the public may see (an individual business's operator masked);
    for a natural person (own report only) the name and the masked ID number."""
    kind = SUBJECT_KIND_LABELS.get(subject.kind, subject.kind)
    if subject.kind == "natural_person":
        return [["姓名", subject.name], ["公民身份号码", subject.ric_masked or "—"], ["主体类型", kind]]
    township = township_by_code(subject.township_code) if subject.township_code else None
    person = subject.legal_representative
    if person and subject.kind == "individual_business":
        person = mask_name(person)
    pairs = [
        ("名称", subject.name),
        ("统一社会信用代码", subject.uscc),
        ("主体类型", kind),
        ("经营者" if subject.kind == "individual_business" else "法定代表人（负责人）", person),
        ("注册号", subject.reg_no),
        ("所属镇街", township.name if township else None),
        ("成立日期", iso(subject.registered_on)),
        ("登记状态", subject.status),
    ]
    return [[label, value] for label, value in pairs if value]


def build_facts(session: Session, subject: Subject, params: ReportParams) -> dict[str, Any]:
    """The facts of a report (JSON-safe, deterministic). Parameters are validated by the caller."""
    facts: dict[str, Any] = {"basic": basic_info(subject)}
    if params.kind == "public":
        facts["sections"] = public_sections(session, subject, params.as_of)
        return facts
    assert params.period_start is not None and params.period_end is not None
    sections = special_sections(session, subject, params.domains, params.period_start, params.period_end, params.as_of)
    special = report_rules().special
    facts["sections"] = sections
    facts["period"] = {"start": iso(params.period_start), "end": iso(params.period_end)}
    facts["conclusion"] = conclusion(sections)
    facts["not_covered"] = list(special.not_covered)
    return facts


def data_version(session: Session, subject_id: int) -> str:
    """What data the facts were read from: for the subject, the highest credit-record id, the highest lifecycle
    effect id on its records, the highest list-entry id and the sum of their lock versions (entries change in
    place), the same for its commitments, and the highest evaluation run that graded it:
    ``r<id>-e<id>-l<id>.<sum>-c<id>.<sum>-v<id>``."""
    record = session.scalar(select(func.max(CreditRecord.id)).where(CreditRecord.subject_id == subject_id)) or 0
    effect = (
        session.scalar(
            select(func.max(RecordEffect.id))
            .join(
                CreditRecord,
                and_(
                    CreditRecord.item_id == RecordEffect.item_id,
                    CreditRecord.department_id == RecordEffect.department_id,
                    CreditRecord.doc_no == RecordEffect.doc_no,
                ),
            )
            .where(CreditRecord.subject_id == subject_id)
        )
        or 0
    )
    entry, entry_versions = session.execute(
        select(func.max(ListEntry.id), func.sum(ListEntry.lock_version)).where(ListEntry.subject_id == subject_id)
    ).one()
    commitment, commitment_versions = session.execute(
        select(func.max(Commitment.id), func.sum(Commitment.lock_version)).where(Commitment.subject_id == subject_id)
    ).one()
    run = session.scalar(select(func.max(EvaluationResult.run_id)).where(EvaluationResult.subject_id == subject_id))
    text = (
        f"r{record}-e{effect}-l{entry or 0}.{entry_versions or 0}"
        f"-c{commitment or 0}.{commitment_versions or 0}-v{run or 0}"
    )
    return text[:DATA_VERSION_MAX]


def rules_version() -> str:
    """The versions of the rulebooks the facts depend on: ``report_domains@1;licence@1;penalty@2``."""
    rules = report_rules()
    catalog = load_catalog()
    items = sorted(set(rules.public.columns) | set(rules.special.items))
    text = ";".join([f"report_domains@{rules.version}", *(f"{i}@{catalog.item(i).version}" for i in items)])
    return text[:RULES_VERSION_MAX]
