"""The sections of the public credit report (公共信用报告) on ``as_of``, from stored data only.

* 行政许可 / 行政处罚: the subject's records on the 双公示 pages that day (``records.publication.public_condition``:
  current version, publicity window, not repaired or revoked, 不予公示 never), public columns only
  (``rules/report_domains.yaml`` ``public.columns``, each shown only when the catalogue marks the field 公开), the
  status of each — 公示中 or 异议处理中 (an objection open that day).
* 信用承诺: the subject's published commitments signed by ``as_of`` with their state that day (待核查 until the
  outcome day, then 已履约 / 已违约).
* 失信名单 / 红名单: entries of public list types in force that day (``lists.active``).
* 公共信用综合评价: the latest stored run of the subject's model (``evaluation.service.model_for_subject``) dated
  on or before ``as_of``: model, version, evaluation day, grade.
* 信用修复: records repaired by ``as_of`` that would otherwise still be in their publicity period, shown only as
  "已信用修复，不再公示" with the data item, the deciding department and the repair day — never the document
  number or content, which repair took off the public pages.
"""

from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from xinyong.auth.audit import scrub_text
from xinyong.catalog.items import load_catalog
from xinyong.evaluation.models import EvaluationResult, EvaluationRun
from xinyong.evaluation.models_yaml import ModelError, load_model
from xinyong.evaluation.service import model_for_subject
from xinyong.lists.active import entries_in_force
from xinyong.lists.models import ListEntry
from xinyong.lists.types import LIST_KINDS, list_catalogue
from xinyong.records.commitment_rules import commitment_rules
from xinyong.records.commitment_schemas import STATUS_LABELS as COMMITMENT_LABELS
from xinyong.records.models import Commitment, CreditRecord, RecordEffect
from xinyong.records.publication import current_version, dual_publicity_item_ids, public_condition
from xinyong.records.status import effective_end, objected_condition
from xinyong.reports.facts_common import (
    REPORT_STATUS_LABELS,
    Section,
    iso,
    public_value,
    record_key,
    record_title,
    row,
    section,
)
from xinyong.reports.rules import report_rules
from xinyong.subjects.models import Department, Subject

REPAIRED_LABEL = "已信用修复，不再公示"


def dual_section(session: Session, subject: Subject, item_id: str, as_of: date) -> Section:
    """The subject's public records of one 双公示 item on ``as_of``, newest decision first."""
    rules = report_rules().public
    item = load_catalog().item(item_id)
    unmask = subject.kind == "natural_person"  # only the person's own report exists
    keys = [k for k in rules.columns.get(item_id, ()) if item.field(k).sharing == "public"]
    conditions = (CreditRecord.subject_id == subject.id, CreditRecord.item_id == item_id, public_condition(as_of))
    total = session.scalar(select(func.count()).select_from(CreditRecord).where(*conditions)) or 0
    found = session.execute(
        select(CreditRecord, objected_condition(as_of).label("objected"))
        .where(*conditions)
        .order_by(CreditRecord.decided_on.desc(), CreditRecord.id.desc())
        .limit(rules.max_rows)
    ).all()
    rows = []
    objected_count = 0
    for record, objected in found:
        code = "objected" if objected else "published"
        objected_count += bool(objected)
        cells = [*(public_value(item, record, k, unmask=unmask) for k in keys), REPORT_STATUS_LABELS[code]]
        rows.append(row(record_key(record), record_title(item, record), cells, code, REPORT_STATUS_LABELS[code]))
    summary = f"共 {total} 条" + (f"，其中异议处理中 {objected_count} 条" if objected_count else "")
    return section(
        item_id,
        item.name,
        [item.field(k).label for k in keys] + ["公示状态"],
        rows,
        total,
        summary=summary if total else "无",
    )


def commitments_section(session: Session, subject: Subject, as_of: date) -> Section:
    """The subject's published commitments signed by ``as_of``, with their state that day."""
    limit = report_rules().public.max_rows
    labels = commitment_rules().labels
    conditions = (Commitment.subject_id == subject.id, Commitment.published.is_(True), Commitment.signed_on <= as_of)
    total = session.scalar(select(func.count()).select_from(Commitment).where(*conditions)) or 0
    found = session.execute(
        select(Commitment, Department.name)
        .join(Department, Department.id == Commitment.department_id)
        .where(*conditions)
        .order_by(Commitment.signed_on.desc(), Commitment.id.desc())
        .limit(limit)
    ).all()
    rows = []
    for c, department in found:
        code = c.status if c.outcome_on is not None and c.outcome_on <= as_of else "signed"
        label = COMMITMENT_LABELS.get(code, code)
        kind = labels.get(c.kind, c.kind)
        cells = [kind, c.matter, department, iso(c.signed_on), label]
        rows.append(row(f"commitment:{c.id}", f"{kind} {c.matter}（{iso(c.signed_on)}）", cells, code, label))
    columns = ["承诺类型", "承诺事项", "承诺涉及部门", "签署日期", "履约状态"]
    return section("commitments", "信用承诺", columns, rows, total, summary=f"共 {total} 条" if total else "无")


def list_sections(session: Session, subject: Subject, as_of: date) -> list[Section]:
    """Entries of public list types in force on ``as_of``: dishonesty (and received) lists, then red lists."""
    types = list_catalogue().types
    entries = [e for e in entries_in_force(session, [subject.id], as_of) if e.list_code in types]
    entries = [e for e in entries if types[e.list_code].public]
    names = dict(session.execute(select(Department.id, Department.name)).all()) if entries else {}
    columns = ["名单", "名单类别", "列入决定文号", "列入日期", "有效期至", "认定机关", "列入事由"]
    out = []
    for section_id, label, wanted in (
        ("lists_dishonesty", "失信名单", ("dishonesty", "received")),
        ("lists_red", "红名单（守信激励）", ("red",)),
    ):
        chosen = [e for e in entries if e.kind in wanted]
        rows = [_entry_row(e, types[e.list_code].name, names.get(e.department_id, "")) for e in chosen]
        summary = f"共 {len(rows)} 条" if rows else "无"
        out.append(section(section_id, label, columns, rows, len(rows), summary=summary))
    return out


def _entry_row(entry: ListEntry, list_name: str, department: str) -> dict[str, object]:
    authority = entry.source_authority or department
    cells = [
        list_name,
        LIST_KINDS.get(entry.kind, entry.kind),
        entry.decision_doc_no,
        iso(entry.published_on),
        iso(entry.expires_on),
        authority,
        scrub_text(entry.reasons),
    ]
    title = f"{list_name}（{iso(entry.published_on)} 列入）"
    return row(f"list:{entry.id}", title, cells, "in_force", "列入中")


def evaluation_section(session: Session, subject: Subject, as_of: date) -> Section:
    """The latest stored grade of the subject's model on or before ``as_of``."""
    name = model_for_subject(subject)
    columns = ["评价模型", "模型版本", "评价基准日", "等级", "等级说明"]
    try:
        model = load_model(name)
    except ModelError:
        return section("evaluation", "公共信用综合评价", columns, [], 0, summary="暂无评价结果")
    found = session.execute(
        select(EvaluationRun, EvaluationResult.grade)
        .join(EvaluationResult, EvaluationResult.run_id == EvaluationRun.id)
        .where(EvaluationResult.subject_id == subject.id, EvaluationRun.model == name, EvaluationRun.as_of <= as_of)
        .order_by(EvaluationRun.as_of.desc(), EvaluationRun.id.desc())
        .limit(1)
    ).first()
    if found is None:
        return section("evaluation", "公共信用综合评价", columns, [], 0, summary="暂无评价结果")
    run, grade = found
    label = model.grade_label(grade)
    cells = [model.label, str(run.model_version), iso(run.as_of), grade, label]
    rows = [row(f"evaluation:{name}", f"{model.label} {grade} 级（{iso(run.as_of)}）", cells, grade, label)]
    return section("evaluation", "公共信用综合评价", columns, rows, 1, summary=f"{grade} 级（{label}）")


def repairs_section(session: Session, subject: Subject, as_of: date) -> Section:
    """Records repaired by ``as_of`` that would otherwise still be published that day (no document details)."""
    catalog = load_catalog()
    items = dual_publicity_item_ids()
    found = session.execute(
        select(CreditRecord, func.min(RecordEffect.starts_on), Department.name)
        .join(
            RecordEffect,
            and_(
                RecordEffect.item_id == CreditRecord.item_id,
                RecordEffect.department_id == CreditRecord.department_id,
                RecordEffect.doc_no == CreditRecord.doc_no,
                RecordEffect.kind == "repaired",
                RecordEffect.starts_on <= as_of,
            ),
        )
        .join(Department, Department.id == CreditRecord.department_id)
        .where(
            CreditRecord.subject_id == subject.id,
            CreditRecord.item_id.in_(items),
            CreditRecord.decided_on <= as_of,
            current_version(),
        )
        .group_by(CreditRecord.id, Department.name)
        .order_by(CreditRecord.id)
    ).all()
    rows = []
    for record, repaired_on, department in found:
        end = effective_end(record, as_of)
        if end is not None and end < as_of:
            continue  # publicity would have ended anyway: nothing left to say
        name = catalog.item(record.item_id).name
        cells = [name, department, iso(repaired_on), REPAIRED_LABEL]
        title = f"{name}（{department}，{iso(repaired_on)} 修复）"
        key = hashlib.sha256(record_key(record).encode()).hexdigest()[:16]  # stable, without the document number
        rows.append(row(f"repaired:{key}", title, cells, "repaired", REPAIRED_LABEL))
    columns = ["信息类别", "认定部门", "修复日期", "状态"]
    summary = f"共 {len(rows)} 条" if rows else "无"
    return section("repairs", "信用修复", columns, rows, len(rows), summary=summary)


def public_sections(session: Session, subject: Subject, as_of: date) -> list[Section]:
    """Every section of the public report, in reading order."""
    sections = [
        *(dual_section(session, subject, item_id, as_of) for item_id in report_rules().public.columns),
        *list_sections(session, subject, as_of),
        commitments_section(session, subject, as_of),
    ]
    if subject.kind != "natural_person":
        sections.append(evaluation_section(session, subject, as_of))
    sections.append(repairs_section(session, subject, as_of))
    return sections
