"""失信案例核查 actions: a reported dishonesty case goes through 核查 → 记录 → 监管 → 惩戒 → 整改 → 教育 (work-plan item
八; ``rules/verification.yaml``), each stage with an owner, a working-day due date, its result, evidence files and
the case history; it ends with an outcome.

* ``open_case`` (``verification.open``: the credit office) registers a report — its source (12345, a department's
  referral, ...), the subject if known, the owning department and the handler — at stage ``verify``.
* ``complete_stage`` (``verification.handle``: the owning department's officers, or the office) records the
  current stage's result and moves to the next stage with a new due date. At 核查 the handler says whether the
  report is founded (不属实 closes the case as ``unfounded``) and may identify the subject; at 记录 the credit
  record made may be linked, at 惩戒 the list entry — each must be the case subject's own. The last stage closes the
  case with an outcome of ``closed_by: last_stage``. Naming a stage other than the current one is refused (409).
* ``reassign`` changes the handler (the office may also move the case to another department), ``attach`` stores
  evidence, ``close_case`` (the office) ends an open case early (移送, 并案, 撤销); ``flag_overdue_cases`` (the
  daily job) notifies the owning department of a stage past its due date, once per stage.

Every change carries the ``lock_version`` the caller saw (``cases.StaleCase``, 409, when someone changed the case
first), appends a ``case_event`` (case type ``verification``) and an audit event; nothing commits here.
Resident-ID-shaped strings typed into free text are masked before they are stored.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from xinyong.auth import audit, pii
from xinyong.auth.context import Context
from xinyong.auth.permissions import require, require_department
from xinyong.db.base import fetch, fetch_or_404
from xinyong.errors import Conflict, InvalidInput
from xinyong.lists.models import ENTRY_STATUSES, ListEntry, VerificationCase
from xinyong.lists.verification_rules import CLOSED, Outcome, Stage, VerificationRules, verification_rules
from xinyong.records import cases
from xinyong.records.models import CaseFile, CreditRecord
from xinyong.subjects.models import Department, Subject

LABEL = "该案件"
CASE: cases.CaseType = "verification"
TARGET = "verification_case"
OPEN = "verification.open"
HANDLE = "verification.handle"
READ = "verification.read"
STAGE_ORDER = "核查→记录→监管→惩戒→整改→教育"


# --------------------------------------------------------------------------------------------- helpers
def rules() -> VerificationRules:
    """The rulebook in force."""
    return verification_rules()


def mask_ids(text: str) -> str:
    """``text`` with every resident-ID-shaped string masked (never stored in clear)."""
    return audit.RIC_PATTERN.sub(lambda m: pii.mask_id(m.group(0)), text)


def clean(value: str | None, what: str, field: str, *, max_len: int, min_len: int = 0) -> str:
    """``value`` checked as case text (``cases.clean_text``), ID numbers masked."""
    return mask_ids(cases.clean_text(value, what, field, max_len=max_len, min_len=min_len))


def _owner(value: str | None, field: str = "owner") -> str:
    text = clean(value, "经办人", field, max_len=rules().limits.owner_max, min_len=1)
    if "\n" in text or "\r" in text or "\t" in text:
        raise InvalidInput("经办人应为一行姓名或账号", field=field)
    return text


def case_or_404(ctx: Context, case_id: int) -> VerificationCase:
    """The case ``case_id`` (404 otherwise); no permission check."""
    return fetch_or_404(ctx.session, VerificationCase, case_id, f"失信案例 {case_id} 不存在", "case_id")


def handled_case(ctx: Context, case_id: int) -> VerificationCase:
    """The case, if the caller may handle it (``verification.handle``; a department officer its own department's)."""
    require(ctx, HANDLE)
    found = case_or_404(ctx, case_id)
    require_department(ctx, found.department_id, HANDLE)
    return found


def _department(ctx: Context, department_id: int) -> Department:
    found = fetch(ctx.session, Department, department_id)
    if found is None:
        raise InvalidInput(f"部门 {department_id} 不存在，请从部门列表中选择", field="department_id")
    return found


def _subject(ctx: Context, subject_id: int) -> Subject:
    found = fetch(ctx.session, Subject, subject_id)
    if found is None:
        raise InvalidInput(f"主体编号 {subject_id} 不存在，请先在主体库中查到当事人", field="subject_id")
    return found


def _require_open(case: VerificationCase, doing: str) -> None:
    if case.stage == CLOSED:
        book = rules()
        outcome = book.outcome(case.outcome or "")
        shown = outcome.label if outcome else (case.outcome or "")
        raise Conflict(f"该案件已办结（{shown}），不能{doing}", code="case_closed")


def _stage(case: VerificationCase) -> Stage:
    found = rules().stage(case.stage)
    if found is None:  # pragma: no cover - the stage codes are fixed by the rulebook's validator
        raise Conflict(f"案件环节 {case.stage!r} 不在现行规则中", code="unknown_stage")
    return found


def _due(ctx: Context, stage: Stage) -> date:
    return cases.workday_deadline(ctx.session, ctx.today, stage.workdays)


def _audit(ctx: Context, action: str, case: VerificationCase, **detail: object) -> None:
    audit.record(ctx, f"verification.{action}", TARGET, case.id, {"stage": case.stage, **detail})


# --------------------------------------------------------------------------------------------- open
def open_case(
    ctx: Context,
    title: str,
    subject_id: int | None,
    subject_name: str,
    source: str,
    source_ref: str,
    summary: str,
    department_id: int,
    owner: str,
) -> VerificationCase:
    """Register a reported case (see the module docstring): stage ``verify`` due in its working days from today.
    The same source reference (e.g. a 12345 ticket) is registered once (409 naming the case)."""
    require(ctx, OPEN)
    book = rules()
    limits = book.limits
    title = clean(title, "案件名称", "title", max_len=limits.title_max, min_len=limits.title_min)
    if "\n" in title or "\r" in title:
        raise InvalidInput("案件名称应为一行", field="title")
    found = book.source_of((source or "").strip())
    if found is None:
        choices = "、".join(f"{s.code}（{s.label}）" for s in book.sources)
        raise InvalidInput(f"案件来源无效，可选：{choices}", field="source")
    source_ref = clean(source_ref, "来源编号", "source_ref", max_len=limits.source_ref_max)
    summary = clean(summary, "反映的失信问题", "summary", max_len=limits.summary_max, min_len=limits.summary_min)
    subject = _subject(ctx, subject_id) if subject_id is not None else None
    name = clean(subject_name, "当事人名称", "subject_name", max_len=200)
    if not name:
        if subject is None:
            raise InvalidInput("请填写当事人名称（或选择主体库中的主体）", field="subject_name")
        name = subject.name
    department = _department(ctx, department_id)
    owner = _owner(owner)
    if source_ref:
        earlier = ctx.session.scalar(
            select(VerificationCase.id).where(
                VerificationCase.source == found.code, VerificationCase.source_ref == source_ref
            )
        )
        if earlier is not None:
            raise Conflict(
                f"{found.label}来源编号“{source_ref}”已登记为案件 {earlier}，请勿重复登记"
                "（重复反映的可在原案件中办理）",
                code="duplicate_case",
            )
    first = book.first
    case = VerificationCase(
        title=title,
        subject_id=subject.id if subject else None,
        subject_name=name,
        source=found.code,
        source_ref=source_ref,
        summary=summary,
        department_id=department.id,
        owner=owner,
        stage=first.code,
        stage_due=_due(ctx, first),
        rule_version=book.version,
        opened_on=ctx.today,
        created_by=ctx.actor,
        created_at=ctx.at,
    )
    ctx.session.add(case)
    ctx.session.flush()
    cases.log_event(ctx, CASE, case.id, "open", None, first.code, f"{found.label}；经办：{department.name} {owner}")
    cases.notify(
        ctx,
        case_type=CASE,
        case_id=case.id,
        kind="task",
        message=(
            f"失信案例（编号 {case.id}）“{title}”已交本部门办理，请于 {case.stage_due} 前完成{first.label}"
            f"（经办人：{owner}）"
        ),
        dedupe_key=f"verification:{case.id}:opened",
        department_id=department.id,
    )
    _audit(
        ctx,
        "open",
        case,
        source=found.code,
        source_ref=source_ref,
        subject_id=case.subject_id,
        department=department.code,
        owner=owner,
        due=case.stage_due.isoformat() if case.stage_due else None,
    )
    return case


# --------------------------------------------------------------------------------------------- stages
def _linked_record(ctx: Context, case: VerificationCase, record_id: int) -> CreditRecord:
    record = fetch(ctx.session, CreditRecord, record_id)
    if record is None:
        raise InvalidInput(f"信用记录 {record_id} 不存在", field="record_id")
    if case.subject_id is None:
        raise InvalidInput("本案尚未确定当事人（主体库中的主体），不能关联信用记录", field="record_id")
    if record.subject_id != case.subject_id:
        raise InvalidInput(
            f"信用记录 {record_id} 不是本案当事人（{case.subject_name}）的记录，不能关联", field="record_id"
        )
    return record


def _linked_entry(ctx: Context, case: VerificationCase, entry_id: int) -> ListEntry:
    entry = fetch(ctx.session, ListEntry, entry_id)
    if entry is None:
        raise InvalidInput(f"名单条目 {entry_id} 不存在", field="list_entry_id")
    if case.subject_id is None:
        raise InvalidInput("本案尚未确定当事人（主体库中的主体），不能关联名单条目", field="list_entry_id")
    if entry.subject_id != case.subject_id:
        raise InvalidInput(
            f"名单条目 {entry_id} 不是本案当事人（{case.subject_name}）的条目，不能关联", field="list_entry_id"
        )
    if entry.status == "dropped":
        raise InvalidInput(
            f"名单条目 {entry_id} {ENTRY_STATUSES['dropped']}，不能作为惩戒措施关联", field="list_entry_id"
        )
    return entry


def _check_links(book: VerificationRules, stage: Stage, record_id: int | None, list_entry_id: int | None) -> None:
    for value, link, field, what in (
        (record_id, "credit_record", "record_id", "信用记录"),
        (list_entry_id, "list_entry", "list_entry_id", "名单条目"),
    ):
        if value is not None and stage.link != link:
            owner = book.linked_stage(link)  # type: ignore[arg-type]
            where = f"“{owner.label}”环节" if owner else "任何环节"
            raise InvalidInput(f"{what}只能在{where}关联，当前为“{stage.label}”环节", field=field)


def _closing_outcome(book: VerificationRules, code: str | None) -> Outcome:
    allowed = book.outcomes_by("last_stage")
    found = book.outcome((code or "").strip())
    if found is None or found not in allowed:
        choices = "、".join(f"{o.code}（{o.label}）" for o in allowed)
        raise InvalidInput(f"请选择办结结果：{choices}", field="outcome")
    return found


def _close(ctx: Context, case: VerificationCase, outcome: Outcome, note: str) -> None:
    case.stage = CLOSED
    case.stage_due = None
    case.outcome = outcome.code
    case.outcome_note = note
    case.closed_on = ctx.today


def complete_stage(
    ctx: Context,
    case_id: int,
    note: str,
    expected_version: int | None,
    next_owner: str | None = None,
    record_id: int | None = None,
    list_entry_id: int | None = None,
    founded: bool | None = None,
    *,
    stage: str | None = None,
    outcome: str | None = None,
    subject_id: int | None = None,
) -> VerificationCase:
    """Record the current stage's result (``note``: findings, measures, rectification, education) and move on
    (see the module docstring). ``stage``, when given, must be the current stage (409 otherwise); ``founded`` is
    required at 核查 and refused elsewhere, as is ``subject_id`` (identify the subject); ``record_id`` and
    ``list_entry_id`` only at the stage that links them; ``outcome`` only at the last stage, where it is required."""
    case = handled_case(ctx, case_id)
    cases.check_expected_version(case.lock_version, expected_version, LABEL)
    _require_open(case, "继续办理")
    book = rules()
    current = _stage(case)
    if stage is not None and stage.strip() != current.code:
        asked = book.stage(stage.strip())
        if asked is None:
            choices = "、".join(f"{s.code}（{s.label}）" for s in book.stages)
            raise InvalidInput(f"环节代码无效，可选：{choices}", field="stage")
        raise Conflict(
            f"该案件当前处于“{current.label}”环节，不能办理“{asked.label}”：须按{STAGE_ORDER}的顺序逐一办理",
            code="wrong_stage",
        )
    note = clean(note, f"{current.label}情况", "note", max_len=book.limits.note_max, min_len=book.limits.note_min)
    is_first, is_last = current.code == book.first.code, current.code == book.last.code
    if is_first and founded is None:
        raise InvalidInput("请写明核查结论：反映的问题属实或不属实", field="founded")
    if not is_first and founded is not None:
        raise InvalidInput("“属实 / 不属实”只在核查环节填写", field="founded")
    if not is_first and subject_id is not None:
        raise InvalidInput("当事人只能在核查环节确定", field="subject_id")
    if not is_last and outcome is not None:
        raise InvalidInput(
            f"办结结果在最后一个环节（{book.last.label}）选择；需要提前办结的，由区信用办办结", field="outcome"
        )
    _check_links(book, current, record_id, list_entry_id)
    # everything is checked before anything changes
    owner = _owner(next_owner, "next_owner") if next_owner is not None and next_owner.strip() else None
    subject = _subject(ctx, subject_id) if subject_id is not None else None
    record = _linked_record(ctx, case, record_id) if record_id is not None else None
    entry = _linked_entry(ctx, case, list_entry_id) if list_entry_id is not None else None
    closing = _closing_outcome(book, outcome) if is_last else None
    if subject is not None:
        case.subject_id = subject.id
    if record is not None:
        case.record_id = record.id
    if entry is not None:
        case.list_entry_id = entry.id
    detail: dict[str, object] = {"completed": current.code}
    if founded is False:
        _close(ctx, case, book.unfounded, note)
        cases.log_event(ctx, CASE, case.id, "unfounded", current.code, CLOSED, note)
        detail |= {"outcome": case.outcome}
    elif closing is not None:
        _close(ctx, case, closing, note)
        cases.log_event(ctx, CASE, case.id, current.code, current.code, CLOSED, note)
        detail |= {"outcome": closing.code}
    else:
        following = book.next_stage(current.code)
        assert following is not None  # not the last stage
        case.stage = following.code
        case.stage_due = _due(ctx, following)
        text = note
        if owner is not None and owner != case.owner:
            text = f"{note}\n（{following.label}环节经办人：{owner}）"
            case.owner = owner
        cases.log_event(ctx, CASE, case.id, current.code, current.code, following.code, text)
        detail |= {"due": case.stage_due.isoformat(), "owner": case.owner}
    if founded is not None:
        detail["founded"] = founded
    if subject_id is not None:
        detail["subject_id"] = case.subject_id
    if record_id is not None:
        detail["record_id"] = case.record_id
    if list_entry_id is not None:
        detail["list_entry_id"] = case.list_entry_id
    cases.flush_locked(ctx, LABEL)
    _audit(ctx, "complete_stage", case, **detail)
    return case


# --------------------------------------------------------------------------------------------- other actions
def reassign(
    ctx: Context,
    case_id: int,
    owner: str,
    expected_version: int | None,
    *,
    department_id: int | None = None,
    note: str = "",
) -> VerificationCase:
    """Give the open case another handler; with ``department_id`` (the credit office only) another department,
    which is notified."""
    case = handled_case(ctx, case_id)
    cases.check_expected_version(case.lock_version, expected_version, LABEL)
    _require_open(case, "改派")
    new_owner = _owner(owner)
    note = clean(note, "改派说明", "note", max_len=rules().limits.note_max)
    moved: Department | None = None
    if department_id is not None and department_id != case.department_id:
        require(ctx, OPEN)
        moved = _department(ctx, department_id)
    if new_owner == case.owner and moved is None:
        raise InvalidInput(f"经办人已是“{new_owner}”，无需改派", field="owner")
    before_owner, before_department = case.owner, case.department_id
    case.owner = new_owner
    text = f"经办人 {before_owner} → {new_owner}"
    if moved is not None:
        old = ctx.session.get(Department, before_department)
        case.department_id = moved.id
        text = f"承办部门 {old.name if old else before_department} → {moved.name}；{text}"
    cases.log_event(ctx, CASE, case.id, "reassign", case.stage, case.stage, f"{text}；{note}" if note else text)
    cases.flush_locked(ctx, LABEL)
    if moved is not None:
        cases.notify(
            ctx,
            case_type=CASE,
            case_id=case.id,
            kind="task",
            message=(
                f"失信案例（编号 {case.id}）“{case.title}”已改由本部门办理（经办人：{new_owner}），"
                f"期限 {case.stage_due}"
            ),
            dedupe_key=f"verification:{case.id}:moved:{moved.id}:{case.lock_version}",
            department_id=moved.id,
        )
    _audit(
        ctx,
        "reassign",
        case,
        owner_from=before_owner,
        owner_to=new_owner,
        department_from=before_department,
        department_to=case.department_id,
    )
    return case


def attach(ctx: Context, case_id: int, filename: str, content: bytes) -> CaseFile:
    """Store one evidence file with an open case (checked by type and content; ``files_max`` per case)."""
    case = handled_case(ctx, case_id)
    _require_open(case, "上传材料")
    limit = rules().limits.files_max
    held = ctx.session.scalar(
        select(func.count()).select_from(CaseFile).where(CaseFile.case_type == CASE, CaseFile.case_id == case.id)
    )
    if (held or 0) >= limit:
        raise InvalidInput(f"每个案件最多保存 {limit} 个材料文件，已达上限", field="files")
    row = cases.attach_file(ctx, CASE, case.id, filename, content)
    ctx.session.flush()
    cases.log_event(ctx, CASE, case.id, "attach", case.stage, case.stage, row.filename)
    audit.record(
        ctx,
        "verification.attach",
        TARGET,
        case.id,
        {"stage": case.stage, "file_id": row.id, "filename": row.filename, "sha256": row.sha256, "size": row.size},
    )
    return row


def close_case(ctx: Context, case_id: int, outcome: str, note: str, expected_version: int | None) -> VerificationCase:
    """The credit office ends an open case early with an outcome of ``closed_by: office`` (移送, 并案, 撤销)."""
    require(ctx, OPEN)
    case = case_or_404(ctx, case_id)
    cases.check_expected_version(case.lock_version, expected_version, LABEL)
    _require_open(case, "再次办结")
    book = rules()
    allowed = book.outcomes_by("office")
    found = book.outcome((outcome or "").strip())
    if found is None or found not in allowed:
        choices = "、".join(f"{o.code}（{o.label}）" for o in allowed)
        raise InvalidInput(f"区信用办办结的结果应为：{choices}", field="outcome")
    note = clean(note, "办结说明", "note", max_len=book.limits.note_max, min_len=book.limits.note_min)
    before = case.stage
    _close(ctx, case, found, note)
    cases.log_event(ctx, CASE, case.id, "close", before, CLOSED, f"{found.label}：{note}")
    cases.flush_locked(ctx, LABEL)
    cases.notify(
        ctx,
        case_type=CASE,
        case_id=case.id,
        kind="decision",
        message=f"失信案例（编号 {case.id}）“{case.title}”已由区信用办办结：{found.label}",
        dedupe_key=f"verification:{case.id}:closed",
        department_id=case.department_id,
    )
    _audit(ctx, "close", case, closed_at=before, outcome=found.code)
    return case


# --------------------------------------------------------------------------------------------- daily job
def flag_overdue_cases(ctx: Context, as_of: date) -> int:
    """Daily-job step: notify the owning department of each open case whose current stage was due before
    ``as_of``, once per case and stage (a history step too). Returns how many were flagged (0 on a re-run)."""
    require(ctx, "jobs.run")
    book = rules()
    pending = ctx.session.scalars(
        select(VerificationCase)
        .where(VerificationCase.stage != CLOSED, VerificationCase.stage_due < as_of)
        .order_by(VerificationCase.id)
    )
    flagged: list[int] = []
    for case in pending.all():
        stage = book.stage(case.stage)
        label = stage.label if stage else case.stage
        note = cases.notify(
            ctx,
            case_type=CASE,
            case_id=case.id,
            kind="overdue",
            message=(
                f"失信案例（编号 {case.id}）“{case.title}”的{label}环节已超期：期限 {case.stage_due}，"
                f"经办人 {case.owner}，请尽快办理"
            ),
            dedupe_key=f"verification:{case.id}:overdue:{case.stage}",
            department_id=case.department_id,
        )
        if note is None:
            continue
        cases.log_event(ctx, CASE, case.id, "overdue", case.stage, case.stage, f"{label}期限 {case.stage_due} 已过")
        flagged.append(case.id)
    if flagged:
        audit.record(ctx, "verification.flag_overdue", "job", as_of.isoformat(), {"overdue": flagged})
    return len(flagged)
