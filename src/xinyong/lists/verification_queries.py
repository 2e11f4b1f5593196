"""Case-verification reads: the case list (by stage, department, overdue as of a day, subject), one case with its
stage timeline, links, history and files, the per-stage dashboard counts, and the rulebook.

Readers hold ``verification.read``: the credit office sees every case, a department officer (or its API token)
its own department's only. Reading one case or one of its files is audited (reports may name natural persons).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Select, case, func, select

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied, require, require_department
from xinyong.catalog.items import load_catalog
from xinyong.db.base import fetch
from xinyong.errors import InvalidInput, NotFound
from xinyong.lists.models import ENTRY_STATUSES, ListEntry, VerificationCase
from xinyong.lists.types import list_catalogue
from xinyong.lists.verification import CASE, HANDLE, OPEN, READ, TARGET, case_or_404, rules
from xinyong.lists.verification_rules import CLOSED, Outcome, VerificationRules
from xinyong.lists.verification_schemas import (
    CaseCounts,
    CaseDetail,
    CaseRow,
    ChoiceOut,
    LinkOut,
    RulesOut,
    StageOut,
    StageRuleOut,
    action_labels,
)
from xinyong.records import cases
from xinyong.records.models import CaseFile, CreditRecord
from xinyong.subjects.models import Department

LIST_LIMIT = 500
LINK_CHOICES = 50
STAGE_FILTERS = ("open", CLOSED)  # besides the stage codes


def _holds(ctx: Context, permission: str, department_id: int | None = None) -> bool:
    try:
        if department_id is None:
            require(ctx, permission)
        else:
            require_department(ctx, department_id, permission)
    except PermissionDenied:
        return False
    return True


# --------------------------------------------------------------------------------------------- the rulebook
def _choice(o: Outcome) -> ChoiceOut:
    return ChoiceOut(code=o.code, label=o.label, closed_by=o.closed_by, source=o.source)


def rules_out(book: VerificationRules | None = None) -> RulesOut:
    """The rulebook in force: stages in order with what each produces and its period, sources, outcomes."""
    book = book or rules()
    return RulesOut(
        version=book.version,
        source=book.source,
        deadlines_source=book.deadlines_source,
        stages=[StageRuleOut(**s.model_dump()) for s in book.stages],
        sources=[ChoiceOut(code=s.code, label=s.label, source=s.source) for s in book.sources],
        outcomes=[_choice(o) for o in book.outcomes],
    )


# --------------------------------------------------------------------------------------------- rows
def _row(found: VerificationCase, department_name: str, as_of: date) -> CaseRow:
    book = rules()
    stage = book.stage(found.stage)
    source = book.source_of(found.source)
    outcome = book.outcome(found.outcome) if found.outcome else None
    return CaseRow(
        id=found.id,
        title=found.title,
        subject_id=found.subject_id,
        subject_name=found.subject_name,
        source=found.source,
        source_label=source.label if source else found.source,
        source_ref=found.source_ref,
        department_id=found.department_id,
        department_name=department_name,
        owner=found.owner,
        stage=found.stage,
        stage_label=stage.label if stage else book.stage_labels().get(found.stage, found.stage),
        stage_due=found.stage_due,
        overdue=found.stage != CLOSED and found.stage_due is not None and found.stage_due < as_of,
        outcome=found.outcome,
        outcome_label=outcome.label if outcome else found.outcome,
        record_id=found.record_id,
        list_entry_id=found.list_entry_id,
        opened_on=found.opened_on,
        closed_on=found.closed_on,
        lock_version=found.lock_version,
    )


def summary(ctx: Context, found: VerificationCase) -> CaseRow:
    """The list row of ``found`` (for the answer of an action; the caller has just been authorised)."""
    department = ctx.session.get(Department, found.department_id)
    assert department is not None  # foreign key
    return _row(found, department.name, ctx.today)


def _scope(ctx: Context, department_id: int | None) -> int | None:
    """The department a read is limited to: a department officer's own (403 when it asks for another)."""
    require(ctx, READ)
    if ctx.role != "department_officer":
        return department_id
    if ctx.department_id is None or (department_id is not None and department_id != ctx.department_id):
        raise PermissionDenied(ctx.role, READ, "只能访问本部门的数据")
    return ctx.department_id


def _overdue(as_of: date) -> ColumnElement[bool]:
    return (VerificationCase.stage != CLOSED) & (VerificationCase.stage_due < as_of)


def list_cases(
    ctx: Context,
    *,
    stage: str | None = None,
    department_id: int | None = None,
    overdue: bool = False,
    as_of: date | None = None,
    subject_id: int | None = None,
    limit: int = LIST_LIMIT,
) -> list[CaseRow]:
    """Cases, most urgent first (open ones by due date, then the newest closed). ``stage``: a stage code, ``open``
    or ``closed``; ``overdue``: open cases whose stage was due before ``as_of`` (default today)."""
    scope = _scope(ctx, department_id)
    book = rules()
    if stage is not None and stage not in STAGE_FILTERS and book.stage(stage) is None:
        choices = "、".join([*(f"{s.code}（{s.label}）" for s in book.stages), "open（办理中）", "closed（已办结）"])
        raise InvalidInput(f"环节应为：{choices}", field="stage")
    if not 1 <= limit <= LIST_LIMIT:
        raise InvalidInput(f"每页条数应在 1 到 {LIST_LIMIT} 之间", field="limit")
    day = as_of or ctx.today
    stmt: Select[tuple[VerificationCase, str]] = select(VerificationCase, Department.name).join(
        Department, Department.id == VerificationCase.department_id
    )
    if scope is not None:
        stmt = stmt.where(VerificationCase.department_id == scope)
    if stage == "open":
        stmt = stmt.where(VerificationCase.stage != CLOSED)
    elif stage is not None:
        stmt = stmt.where(VerificationCase.stage == stage)
    if overdue:
        stmt = stmt.where(_overdue(day))
    if subject_id is not None:
        stmt = stmt.where(VerificationCase.subject_id == subject_id)
    stmt = stmt.order_by(
        VerificationCase.stage_due.is_(None),
        VerificationCase.stage_due,
        VerificationCase.closed_on.desc(),
        VerificationCase.id.desc(),
    ).limit(limit)
    return [_row(found, name, day) for found, name in ctx.session.execute(stmt).all()]


def case_counts(ctx: Context, *, as_of: date | None = None, department_id: int | None = None) -> CaseCounts:
    """Open cases per stage (and how many are overdue on ``as_of``, default today), closed ones per outcome."""
    scope = _scope(ctx, department_id)
    book = rules()
    day = as_of or ctx.today
    late = func.sum(case((_overdue(day), 1), else_=0))
    stmt = select(VerificationCase.stage, VerificationCase.outcome, func.count(), late).group_by(
        VerificationCase.stage, VerificationCase.outcome
    )
    if scope is not None:
        stmt = stmt.where(VerificationCase.department_id == scope)
    by_stage = {s.code: 0 for s in book.stages}
    overdue_by_stage = {s.code: 0 for s in book.stages}
    by_outcome = {o.code: 0 for o in book.outcomes}
    closed = 0
    for stage, outcome, count, overdue in ctx.session.execute(stmt).all():
        if stage == CLOSED:
            closed += int(count)
            by_outcome[outcome or ""] = by_outcome.get(outcome or "", 0) + int(count)
        else:
            by_stage[stage] = by_stage.get(stage, 0) + int(count)
            overdue_by_stage[stage] = overdue_by_stage.get(stage, 0) + int(overdue or 0)
    return CaseCounts(
        as_of=day,
        by_stage=by_stage,
        overdue_by_stage=overdue_by_stage,
        open=sum(by_stage.values()),
        overdue=sum(overdue_by_stage.values()),
        closed=closed,
        by_outcome=by_outcome,
    )


# --------------------------------------------------------------------------------------------- one case
def _readable(ctx: Context, case_id: int) -> VerificationCase:
    require(ctx, READ)
    found = case_or_404(ctx, case_id)
    require_department(ctx, found.department_id, READ)
    return found


def _timeline(ctx: Context, found: VerificationCase) -> list[StageOut]:
    book = rules()
    done: dict[str, tuple[object, ...]] = {}
    for event in cases.case_history(ctx.session, CASE, found.id):
        code = book.first.code if event.action == "unfounded" else event.action
        if book.stage(code) is not None:
            done[code] = (cases.in_china(event.at), event.actor, event.note)
    stages = []
    for stage in book.stages:
        completed = done.get(stage.code)
        if completed is not None:
            state = "done"
        elif found.stage == stage.code:
            state = "current"
        elif found.stage == CLOSED:
            state = "skipped"
        else:
            state = "pending"
        at, actor, note = completed if completed is not None else (None, None, "")
        stages.append(
            StageOut(
                code=stage.code,
                label=stage.label,
                produces=stage.produces,
                state=state,  # type: ignore[arg-type]
                completed_at=at,  # type: ignore[arg-type]
                completed_by=actor,  # type: ignore[arg-type]
                note=str(note),
                due=found.stage_due if state == "current" else None,
            )
        )
    return stages


def _record_label(record: CreditRecord) -> str:
    items = load_catalog().items
    item = items[record.item_id].name if record.item_id in items else record.item_id
    return f"{item} {record.doc_no}（{record.decided_on.isoformat()}，编号 {record.id}）"


def _entry_label(entry: ListEntry) -> str:
    kind = list_catalogue().types.get(entry.list_code)
    name = kind.name if kind else entry.list_code
    since = entry.published_on or entry.decision_on or entry.notice_on
    when = f"，{since.isoformat()}" if since else ""
    return f"{name}（{ENTRY_STATUSES.get(entry.status, entry.status)}{when}，编号 {entry.id}）"


def _link_choices(ctx: Context, found: VerificationCase) -> list[LinkOut]:
    """What the current stage may link: the subject's newest credit records or its list entries."""
    stage = rules().stage(found.stage)
    if stage is None or stage.link is None or found.subject_id is None:
        return []
    if stage.link == "credit_record":
        records = ctx.session.scalars(
            select(CreditRecord)
            .where(CreditRecord.subject_id == found.subject_id)
            .order_by(CreditRecord.decided_on.desc(), CreditRecord.id.desc())
            .limit(LINK_CHOICES)
        )
        return [LinkOut(id=r.id, label=_record_label(r)) for r in records]
    entries = ctx.session.scalars(
        select(ListEntry)
        .where(ListEntry.subject_id == found.subject_id, ListEntry.status != "dropped")
        .order_by(ListEntry.id.desc())
        .limit(LINK_CHOICES)
    )
    return [LinkOut(id=e.id, label=_entry_label(e)) for e in entries]


def get_case(ctx: Context, case_id: int) -> CaseDetail:
    """One case for a reader: the report, the stage timeline, the linked record and entry, history, files (without
    content), and what the caller may do next. The read is audited."""
    found = _readable(ctx, case_id)
    session = ctx.session
    book = rules()
    department = session.get(Department, found.department_id)
    assert department is not None  # foreign key
    is_open = found.stage != CLOSED
    handles = is_open and _holds(ctx, HANDLE, found.department_id)
    closes = is_open and _holds(ctx, OPEN)
    actions = [a for a, ok in (("complete", handles), ("reassign", handles), ("attach", handles)) if ok]
    if closes:
        actions.append("close")
    record = session.get(CreditRecord, found.record_id) if found.record_id else None
    entry = session.get(ListEntry, found.list_entry_id) if found.list_entry_id else None
    detail = CaseDetail(
        **_row(found, department.name, ctx.today).model_dump(),
        summary=found.summary,
        outcome_note=found.outcome_note,
        rule_version=found.rule_version,
        created_by=found.created_by,
        stages=_timeline(ctx, found),
        record=LinkOut(id=record.id, label=_record_label(record)) if record else None,
        list_entry=LinkOut(id=entry.id, label=_entry_label(entry)) if entry else None,
        history=cases.history_out(session, CASE, found.id, action_labels(book)),
        files=cases.files_out(session, CASE, found.id),
        actions=actions,
        stage_outcomes=[_choice(o) for o in book.outcomes_by("last_stage")]
        if handles and found.stage == book.last.code
        else [],
        office_outcomes=[_choice(o) for o in book.outcomes_by("office")] if closes else [],
        link_choices=_link_choices(ctx, found) if handles else [],
    )
    audit.record_read(ctx, TARGET, found.id, {"stage": found.stage})
    return detail


def case_file_content(ctx: Context, case_id: int, file_id: int) -> CaseFile:
    """One evidence file of the case, with its content, for a reader of the case (audited)."""
    found = _readable(ctx, case_id)
    row = fetch(ctx.session, CaseFile, file_id)
    if row is None or row.case_type != CASE or row.case_id != found.id:
        raise NotFound(f"失信案例 {found.id} 没有编号为 {file_id} 的材料", field="file_id")
    audit.record_read(ctx, "case_file", row.id, {"verification_case_id": found.id, "sha256": row.sha256})
    return row
