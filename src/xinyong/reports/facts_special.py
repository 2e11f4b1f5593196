"""The domains of the 专用信用报告 (replacing no-violation certificates), from stored data only.

For each chosen domain of ``rules/report_domains.yaml`` and the period [start, end] (end ≤ as_of):

* penalty decisions (the rulebook's ``special.items``) of the subject, current version, reported by one of the
  domain's departments and dated in the period, whatever their publicity (``special.counting``): a revoked
  decision is not counted; a repaired one is counted and marked 已修复 (or dropped when the rulebook says
  ``excluded``); one whose publicity ended, or that the rule does not publish (不予公示), is still counted; one
  under objection on ``as_of`` is counted and marked 异议处理中. Statuses are those of ``as_of``
  (``records.status.status_expr``).
* entries of the domain's list types that were in force on some day of the period (published by its end, not
  expired or removed before its start); an entry removed because its listing was revoked is not counted, one
  removed by credit repair (or early removal) is marked like a repaired record.

The domain says "未发现违法违规记录" when nothing counts, else how many records were found (and how many of them
were repaired). Columns are public fields only (the catalogue's sharing levels), like the public report.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from xinyong.auth.audit import scrub_text
from xinyong.catalog.departments import load_departments
from xinyong.catalog.items import load_catalog
from xinyong.lists.active import entry_in_force
from xinyong.lists.models import REMOVAL_REASONS, ListEntry
from xinyong.lists.types import LIST_KINDS, list_catalogue
from xinyong.records.models import CreditRecord
from xinyong.records.publication import current_version
from xinyong.records.status import status_expr
from xinyong.reports.facts_common import (
    REPORT_STATUS_LABELS,
    Row,
    Section,
    iso,
    public_doc_no,
    public_value,
    record_key,
    record_title,
    row,
    section,
)
from xinyong.reports.rules import Domain, report_rules
from xinyong.subjects.models import Department, Subject

COLUMNS = ["类别", "文书号", "种类", "内容或事由", "决定日期", "决定机关", "状态"]
NONE_FOUND = "未发现违法违规记录"
REPAIR_REMOVALS = ("repair", "early_removal")
REPAIRED_LABEL = "已修复"


def _penalty_rows(session: Session, subject: Subject, domain: Domain, start: date, end: date, as_of: date) -> list[Row]:
    rules = report_rules().special
    counting = rules.counting
    catalog = load_catalog()
    unmask = subject.kind == "natural_person"
    found = session.execute(
        select(CreditRecord, status_expr(as_of).label("status"), Department.name)
        .join(Department, Department.id == CreditRecord.department_id)
        .where(
            CreditRecord.subject_id == subject.id,
            CreditRecord.item_id.in_(rules.items),
            Department.code.in_(domain.departments),
            CreditRecord.decided_on >= start,
            CreditRecord.decided_on <= end,
            current_version(),
        )
        .order_by(CreditRecord.decided_on.desc(), CreditRecord.id.desc())
    ).all()
    rows: list[Row] = []
    for record, code, department in found:
        if code == "revoked" or getattr(counting, code, "counted") == "excluded":
            continue
        item = catalog.item(record.item_id)
        label = REPAIRED_LABEL if code == "repaired" else REPORT_STATUS_LABELS.get(code, code)
        cells = [
            item.name,
            public_doc_no(item, record),
            public_value(item, record, item.roles.category, unmask=unmask),
            public_value(item, record, item.roles.content, unmask=unmask),
            iso(record.decided_on),
            public_value(item, record, item.roles.authority, unmask=unmask) or department,
            label,
        ]
        title = record_title(item, record)
        rows.append(row(record_key(record), title, cells, code, label, repaired=code == "repaired"))
    return rows


def _entry_status(entry: ListEntry, as_of: date) -> tuple[str, str]:
    if entry_in_force(entry, as_of):
        return "in_force", "列入中"
    if entry.removed_on is not None and entry.removed_on <= as_of and entry.removal_reason:
        if entry.removal_reason in REPAIR_REMOVALS:
            return "repaired", f"{REPAIRED_LABEL}（{REMOVAL_REASONS[entry.removal_reason]}）"
        return "removed", REMOVAL_REASONS.get(entry.removal_reason, "已移出")
    return "expired", REMOVAL_REASONS["expiry"]


def _entry_rows(session: Session, subject: Subject, domain: Domain, start: date, end: date, as_of: date) -> list[Row]:
    if not domain.lists:
        return []
    counting = report_rules().special.counting
    types = list_catalogue().types
    found = session.execute(
        select(ListEntry, Department.name)
        .join(Department, Department.id == ListEntry.department_id)
        .where(
            ListEntry.subject_id == subject.id,
            ListEntry.list_code.in_(domain.lists),
            ListEntry.published_on.is_not(None),
            ListEntry.published_on <= end,
            or_(ListEntry.expires_on.is_(None), ListEntry.expires_on > start),
            or_(ListEntry.removed_on.is_(None), ListEntry.removed_on > start),
        )
        .order_by(ListEntry.published_on.desc(), ListEntry.id.desc())
    ).all()
    rows: list[Row] = []
    for entry, department in found:
        revoked = entry.removal_reason == "revocation" and entry.removed_on is not None and entry.removed_on <= as_of
        code, label = _entry_status(entry, as_of)
        if revoked or (code == "repaired" and counting.repaired == "excluded"):
            continue
        name = types[entry.list_code].name if entry.list_code in types else entry.list_code
        cells = [
            name,
            entry.decision_doc_no,
            LIST_KINDS.get(entry.kind, entry.kind),
            scrub_text(entry.reasons),
            iso(entry.decision_on or entry.published_on),
            entry.source_authority or department,
            label,
        ]
        title = f"{name}（{iso(entry.published_on)} 列入）"
        rows.append(row(f"list:{entry.id}", title, cells, code, label, repaired=code == "repaired"))
    return rows


def domain_section(session: Session, subject: Subject, domain: Domain, start: date, end: date, as_of: date) -> Section:
    """One domain's verdict and the violations counted in the period."""
    catalogue = load_departments()
    found = _penalty_rows(session, subject, domain, start, end, as_of) + _entry_rows(
        session, subject, domain, start, end, as_of
    )
    limit = report_rules().public.max_rows
    repaired = sum(1 for r in found if r["repaired"])
    if found:
        verdict = f"发现违法违规记录 {len(found)} 条" + (f"（其中已修复 {repaired} 条）" if repaired else "")
    else:
        verdict = NONE_FOUND
    departments = [entry.name for code in domain.departments if (entry := catalogue.by_code(code)) is not None]
    return section(
        f"domain:{domain.id}",
        domain.label,
        COLUMNS,
        found[:limit],
        len(found),
        summary=verdict,
        violations_found=bool(found),
        departments=departments,
    )


def special_sections(
    session: Session, subject: Subject, domains: tuple[str, ...], start: date, end: date, as_of: date
) -> list[Section]:
    """A section per chosen domain, in the rulebook's order (unknown ids are refused before this is called)."""
    rules = report_rules().special
    return [
        domain_section(session, subject, domain, start, end, as_of) for domain in rules.domains if domain.id in domains
    ]


def conclusion(sections: list[Section]) -> str:
    """One sentence over every domain."""
    hit = [s["label"] for s in sections if s["violations_found"]]
    if not hit:
        return f"在所选期间内，所选 {len(sections)} 个领域均{NONE_FOUND}。"
    found = f"在所选期间内，{'、'.join(hit)}领域发现违法违规记录"
    return f"{found}，其余领域{NONE_FOUND}。" if len(hit) < len(sections) else f"{found}。"
