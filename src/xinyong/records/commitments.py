"""信用承诺 (issue #5 item 2): signing and recording, the 告知承诺 refusal rule, publication, verification and
breach, the department feed and the overdue step of the daily job.

* ``sign_commitment``: the subject online (``commitments.sign``, its own subject), a department officer recording
  a paper commitment for its own department (``commitments.record``), or the credit office. Types, texts and
  verification deadlines come from ``rules/commitments.yaml``; the commitment records the rule version.
* 告知承诺 (types with ``notice: true``) are refused (rules.md §8, H) to a subject with a current record of
  severity 严重 in force on the signing day (``records.status.in_force_condition``), or with a breached commitment
  marked 虚假承诺 whose breach record is still in force (not repaired, revoked or expired).
* ``verify_commitment``: the department concerned (own department), a regulator or the credit office records the
  outcome, 履约 (kept) or 违约 (breached), on the version it was shown (optimistic locking). A breach becomes a
  credit record of catalogue item ``commitment_breach`` loaded through intake (``submit_rows``, channel
  ``commitment``), so it flows into status, evaluation and publication like any other record.
* The department concerned is notified of every commitment (the "pushed list"; ``department_feed`` is the same
  list for a department system to poll); ``flag_overdue`` flags verifications past their due date.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, update
from sqlalchemy.orm import aliased

from xinyong.auth import audit, pii
from xinyong.auth.context import Context
from xinyong.auth.permissions import ROLES, PermissionDenied, require, require_department, require_own_subject
from xinyong.catalog.items import load_catalog
from xinyong.codes.normalize import normalize_code
from xinyong.db.base import MAX_ID, fetch
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.intake import load
from xinyong.records import cases, status
from xinyong.records.commitment_rules import CommitmentRules, CommitmentType, commitment_rules
from xinyong.records.commitment_schemas import (
    RECORDED_BY_LABELS,
    STATUS_LABELS,
    CaseStep,
    CommitmentDetail,
    CommitmentFeed,
    CommitmentRow,
    CommitmentTypeInfo,
    PublicCommitment,
    PublicCommitmentPage,
)
from xinyong.records.generated import load_generated, subject_fields
from xinyong.records.models import CaseEvent, Commitment, CreditRecord
from xinyong.records.publication import (
    DEFAULT_LIMIT,
    USCC_FORMAT,
    check_page,
    clean_query,
    current_version,
)
from xinyong.subjects.models import Department, Subject

SIGN = "commitments.sign"
RECORD = "commitments.record"
READ = "commitments.read"
VERIFY = "commitments.verify"
READ_PUBLIC = "commitments.read_public"
READ_OWN = "lifecycle.read_own"
BREACH_ITEM = "commitment_breach"
# The intake channel of breach records (interfaces.md). intake_batch.channel is VARCHAR(8) in migration 0005:
# PostgreSQL refuses "commitment" until the column is widened (reported to the lead).
BREACH_CHANNEL = "commitment"
LABEL = "该信用承诺"
OUTCOMES = ("kept", "breached")
ACTION_LABELS: dict[str, str] = {
    "sign": "在线签署",
    "record": "录入纸质承诺",
    "verify": "核查",
    "overdue": "核查逾期",
    "publish": "公示",
    "unpublish": "撤下公示",
}


# --------------------------------------------------------------------------------------------- rules
def commitment_types() -> list[CommitmentTypeInfo]:
    """The types a signing form offers, in the rulebook's order."""
    return [
        CommitmentTypeInfo(
            kind=kind,
            label=spec.label,
            description=spec.description,
            notice=spec.notice,
            published=spec.published,
            verify_days=spec.verify_days,
            template="".join(spec.template.split()),  # the YAML folds lines; Chinese text has no spaces
        )
        for kind, spec in commitment_rules().types.items()
    ]


def template_text(kind: str, *, subject_name: str, matter: str, department: str) -> str:
    """The commitment text of type ``kind`` pre-filled for a subject, a matter and a department."""
    return _type(commitment_rules(), kind).render(subject_name=subject_name, matter=matter, department=department)


def default_text(ctx: Context, kind: str, subject_id: int, department_id: int, matter: str) -> str:
    """The type's standard text for this subject, department and matter (blank where one is unknown)."""
    subject = fetch(ctx.session, Subject, subject_id) if 1 <= subject_id <= MAX_ID else None
    department = fetch(ctx.session, Department, department_id) if 1 <= department_id <= MAX_ID else None
    return template_text(
        kind,
        subject_name=subject.name if subject else "",
        matter=(matter or "").strip(),
        department=department.name if department else "",
    )


def _type(rules: CommitmentRules, kind: str) -> CommitmentType:
    spec = rules.type(kind)
    if spec is None:
        raise InvalidInput(f"承诺类型无效，可选：{'、'.join(rules.labels.values())}", field="kind")
    return spec


def refusal_reason(ctx: Context, subject_id: int, as_of: date) -> str | None:
    """Why the subject may not use 告知承诺 on ``as_of`` (rules.md §8), or None when it may."""
    rule = commitment_rules().refusal
    session = ctx.session
    if rule.serious_in_force:
        serious = session.execute(
            select(CreditRecord.item_id, CreditRecord.doc_no)
            .where(
                CreditRecord.subject_id == subject_id,
                CreditRecord.severity == "serious",
                current_version(),
                status.in_force_condition(as_of),
            )
            .order_by(CreditRecord.decided_on.desc(), CreditRecord.id.desc())
            .limit(1)
        ).first()
        if serious is not None:
            name = _item_name(serious.item_id)
            return (
                f"该主体有严重失信记录（{name}，文号 {serious.doc_no}）尚在公示期内，"
                "信用修复前不适用告知承诺制，请按一般程序提交证明材料办理"
            )
    if rule.false_commitment_unrepaired:
        false = session.execute(
            select(Commitment.id, Commitment.matter)
            .where(
                Commitment.subject_id == subject_id,
                Commitment.status == "breached",
                Commitment.false_commitment.is_(True),
                Commitment.outcome_on <= as_of,
                or_(Commitment.breach_record_id.is_(None), _breach_in_force(as_of)),
            )
            .order_by(Commitment.id.desc())
            .limit(1)
        ).first()
        if false is not None:
            return (
                f"该主体曾作出虚假承诺（承诺编号 {false.id}，事项“{false.matter}”）且尚未信用修复，"
                "信用修复前不适用告知承诺制，请按一般程序提交证明材料办理"
            )
    return None


def _breach_in_force(as_of: date) -> ColumnElement[bool]:
    """The current version of the commitment's breach record is in force on ``as_of``."""
    first = aliased(CreditRecord)
    return (
        select(CreditRecord.id)
        .join(
            first,
            and_(
                first.item_id == CreditRecord.item_id,
                first.department_id == CreditRecord.department_id,
                first.doc_no == CreditRecord.doc_no,
            ),
        )
        .where(first.id == Commitment.breach_record_id, current_version(), status.in_force_condition(as_of))
        .exists()
    )


def _item_name(item_id: str) -> str:
    item = load_catalog().items.get(item_id)
    return item.name if item else item_id


# --------------------------------------------------------------------------------------------- signing
def resolve_subject(ctx: Context, subject_id: int | None = None, uscc: str | None = None) -> int:
    """The subject a commitment is for: the id given, else the registered subject with USCC ``uscc`` (a department
    recording a paper commitment), else the caller's own subject."""
    if subject_id is not None:
        return subject_id
    if uscc is not None and uscc.strip():
        code = normalize_code(uscc)
        if not USCC_FORMAT.match(code):
            raise InvalidInput("统一社会信用代码应为18位数字或大写字母", field="uscc")
        found = ctx.session.scalars(
            select(Subject.id).where(Subject.uscc == code, Subject.kind != "natural_person").order_by(Subject.id)
        ).first()
        if found is None:
            raise NotFound(f"统一社会信用代码 {code} 未在主体库登记，请先登记该主体", field="uscc")
        return found
    if ctx.subject_id is not None:
        return ctx.subject_id
    raise InvalidInput("请填写承诺主体（统一社会信用代码）", field="uscc")


def sign_commitment(
    ctx: Context,
    *,
    subject_id: int,
    kind: str,
    department_id: int,
    matter: str,
    text: str,
    signer_name: str,
) -> Commitment:
    """A commitment signed online by the subject (role ``subject``, own subject) or recorded by a department
    (``commitments.record``). Checks permission and the rules, writes, audits; returns the flushed row."""
    if ctx.role == "subject":
        require_own_subject(ctx, subject_id, SIGN)
        recorded_by = "subject"
    else:
        require_department(ctx, department_id, RECORD)
        recorded_by = "department" if ctx.role == "department_officer" else "office"
    rules = commitment_rules()
    spec = _type(rules, kind)
    matter = _clean(matter, "承诺事项", "matter", rules.matter_max_length)
    text = _clean(text, "承诺内容", "text", rules.text_max_length, multiline=True)
    signer_name = _clean(signer_name, "承诺人（签署人）姓名", "signer_name", rules.signer_max_length)
    session = ctx.session
    if not 1 <= subject_id <= MAX_ID or (subject := fetch(session, Subject, subject_id)) is None:
        raise NotFound("信用主体不存在", field="subject_id")
    if not 1 <= department_id <= MAX_ID or (department := fetch(session, Department, department_id)) is None:
        raise NotFound("承诺所涉部门不存在，请从部门列表中选择", field="department_id")
    today = ctx.today
    if spec.notice and (reason := refusal_reason(ctx, subject_id, today)):
        raise Conflict(reason, field="kind", code="commitment_refused")
    if kind != "repair":
        # Double submission (a second click, a re-sent form): one open commitment per subject, type, department
        # and matter. A repair commitment belongs to its repair application, which has its own duplicate check.
        load.xact_lock(session, f"commitment:{subject_id}", "该主体的另一份承诺正在提交，请稍后重试")
        open_id = session.scalar(
            select(Commitment.id).where(
                Commitment.subject_id == subject_id,
                Commitment.kind == kind,
                Commitment.department_id == department_id,
                Commitment.matter == matter,
                Commitment.status == "signed",
            )
        )
        if open_id is not None:
            raise Conflict(
                f"已就“{matter}”向{department.name}作出同类承诺（编号 {open_id}），正在核查中，请勿重复提交",
                code="duplicate_commitment",
            )
    row = Commitment(
        kind=kind,
        subject_id=subject.id,
        subject_name=subject.name[:200],
        subject_uscc=subject.uscc,
        department_id=department.id,
        matter=matter,
        text=text,
        signer_name=signer_name,
        recorded_by=recorded_by,
        account_id=ctx.account_id,
        signed_on=today,
        verify_due=spec.verify_due(today, matter),
        status="signed",
        published=spec.published,
        rule_version=rules.version,
        created_at=ctx.at,
    )
    session.add(row)
    session.flush()
    action = "sign" if recorded_by == "subject" else "record"
    cases.log_event(ctx, "commitment", row.id, action, None, "signed", f"{spec.label}：{matter}")
    due = f"，核查期限至 {row.verify_due.isoformat()}" if row.verify_due else ""
    cases.notify(
        ctx,
        case_type="commitment",
        case_id=row.id,
        kind="received",
        message=f"收到{spec.label}信用承诺（编号 {row.id}）：{_public_name(subject)}就“{matter}”作出承诺{due}。",
        dedupe_key=f"commitment:{row.id}:received",
        department_id=department.id,
    )
    audit.record(
        ctx,
        f"commitments.{action}",
        "commitment",
        row.id,
        {
            "kind": kind,
            "subject_id": subject.id,
            "department": department.code,
            "recorded_by": recorded_by,
            "verify_due": row.verify_due.isoformat() if row.verify_due else None,
            "published": row.published,
            "rule_version": rules.version,
        },
    )
    return row


def _clean(value: str | None, label: str, field: str, limit: int, *, multiline: bool = False) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"{label}不能为空", field=field)
    if len(text) > limit:
        raise InvalidInput(f"{label}过长（最多 {limit} 字）", field=field)
    allowed_controls = "\n\r\t" if multiline else ""
    if any((ord(ch) < 32 and ch not in allowed_controls) or ord(ch) == 127 for ch in text):
        raise InvalidInput(f"{label}含有不可见的控制字符", field=field)
    return text


def _public_name(subject: Subject) -> str:
    return pii.mask_name(subject.name) if subject.kind == "natural_person" else subject.name


# --------------------------------------------------------------------------------------------- verification
def verify_commitment(
    ctx: Context,
    commitment_id: int,
    outcome: str,
    reason: str,
    false_commitment: bool = False,
    expected_version: int | None = None,
) -> Commitment:
    """Record the outcome of a commitment's verification: ``kept`` (履约) or ``breached`` (违约, with the breach
    facts in ``reason``; ``false_commitment`` when the commitment was untrue). A breach is loaded as a
    ``commitment_breach`` credit record of the commitment's department. ``StaleCase`` when the commitment
    changed since the version the verifier saw."""
    commitment = _get(ctx, commitment_id)
    require_department(ctx, commitment.department_id, VERIFY)
    cases.check_expected_version(commitment.lock_version, expected_version, LABEL)
    if commitment.status != "signed":
        raise Conflict(f"{LABEL}已核查（{STATUS_LABELS[commitment.status]}），不能重复核查", code="already_verified")
    if outcome not in OUTCOMES:
        raise InvalidInput("核查结果应为 kept（已履约）或 breached（已违约）", field="outcome")
    rules = commitment_rules()
    if outcome == "breached":
        reason = _clean(reason, "违约事实", "reason", rules.reason_max_length, multiline=True)
    else:
        reason = (reason or "").strip()
        if len(reason) > rules.reason_max_length:
            raise InvalidInput(f"核查说明过长（最多 {rules.reason_max_length} 字）", field="reason")
        if false_commitment:
            raise InvalidInput("已履约的承诺不能认定为虚假承诺", field="false_commitment")
    today = ctx.today
    commitment.status = outcome
    commitment.outcome_on = today
    commitment.outcome_reason = reason
    commitment.false_commitment = bool(false_commitment)
    cases.flush_locked(ctx, LABEL)  # a concurrent verification fails here, before the breach is loaded
    if outcome == "breached":
        commitment.breach_record_id = _load_breach(ctx, commitment, reason, today).id
        cases.flush_locked(ctx, LABEL)
    spec = rules.type(commitment.kind)
    kind_label = spec.label if spec else commitment.kind
    note = ("虚假承诺：" if false_commitment else "") + reason
    cases.log_event(ctx, "commitment", commitment.id, "verify", "signed", outcome, note)
    if outcome == "kept":
        message = f"您的{kind_label}信用承诺（编号 {commitment.id}，“{commitment.matter}”）经核查已履约。"
    else:
        message = (
            f"您的{kind_label}信用承诺（编号 {commitment.id}，“{commitment.matter}”）经核查认定为违约"
            + ("（虚假承诺）" if false_commitment else "")
            + "，已记入公共信用信息记录。如有异议，可对该记录提出异议申请。"
        )
    cases.notify(
        ctx,
        case_type="commitment",
        case_id=commitment.id,
        kind="decision",
        message=message,
        dedupe_key=f"commitment:{commitment.id}:outcome",
        subject_id=commitment.subject_id,
        account_id=commitment.account_id,
    )
    audit.record(
        ctx,
        "commitments.verify",
        "commitment",
        commitment.id,
        {
            "outcome": outcome,
            "false_commitment": commitment.false_commitment,
            "kind": commitment.kind,
            "department_id": commitment.department_id,
            "breach_record_id": commitment.breach_record_id,
        },
    )
    return commitment


def breach_doc_no(commitment_id: int) -> str:
    """The document number of a commitment's breach record (its natural key within the department)."""
    return f"XYCN{commitment_id:08d}"


def _load_breach(ctx: Context, commitment: Commitment, facts: str, decided_on: date) -> CreditRecord:
    """Load the breach as a ``commitment_breach`` record of the commitment's department, through intake."""
    session = ctx.session
    department = fetch(session, Department, commitment.department_id)
    subject = fetch(session, Subject, commitment.subject_id)
    if department is None or subject is None:
        raise NotFound("承诺所涉部门或主体不存在", field="commitment_id")
    spec = commitment_rules().type(commitment.kind)
    row = subject_fields(subject, "违约记录", "subject") | {
        "commitment_no": str(commitment.id),
        "commitment_type": spec.label if spec else commitment.kind,
        "matter": commitment.matter,
        "signed_on": commitment.signed_on.isoformat(),
        "doc_no": breach_doc_no(commitment.id),
        "false_commitment": "是" if commitment.false_commitment else "否",
        "breach_facts": facts,
        "decided_on": decided_on.isoformat(),
    }
    return load_generated(ctx, department, BREACH_ITEM, BREACH_CHANNEL, row, what="违约记录", code="breach_not_loaded")


# --------------------------------------------------------------------------------------------- publication
def set_published(ctx: Context, commitment_id: int, published: bool) -> Commitment:
    """Show or hide a commitment on the public list (the credit office only: ``commitments.record`` without a
    department scope)."""
    require(ctx, RECORD)
    if ctx.role == "department_officer":
        raise PermissionDenied(ctx.role, RECORD, "只有区信用办可以调整信用承诺的公示")
    commitment = _get(ctx, commitment_id)
    if commitment.published == published:
        return commitment
    commitment.published = published
    cases.flush_locked(ctx, LABEL)
    action = "publish" if published else "unpublish"
    cases.log_event(ctx, "commitment", commitment.id, action, commitment.status, commitment.status)
    audit.record(ctx, f"commitments.{action}", "commitment", commitment.id, {"published": published})
    return commitment


def public_commitments(
    ctx: Context, q: str | None = None, offset: int = 0, limit: int = DEFAULT_LIMIT
) -> PublicCommitmentPage:
    """信用承诺公示: published commitments, newest first; ``q`` matches an exact USCC, a fragment of the name of a
    subject that is not a natural person, or a fragment of the matter."""
    require(ctx, READ_PUBLIC)
    check_page(offset, limit)
    text = clean_query(q)
    stmt = (
        select(Commitment, Subject.kind, Department.name)
        .join(Subject, Subject.id == Commitment.subject_id)
        .join(Department, Department.id == Commitment.department_id)
        .where(Commitment.published.is_(True))
    )
    if text:
        terms: list[ColumnElement[bool]] = [Commitment.matter.icontains(text, autoescape=True)]
        code = normalize_code(text)
        if USCC_FORMAT.match(code):
            terms.append(Commitment.subject_uscc == code)
        terms.append(and_(Subject.kind != "natural_person", Commitment.subject_name.icontains(text, autoescape=True)))
        stmt = stmt.where(or_(*terms))
    session = ctx.session
    total = session.scalar(select(func.count()).select_from(stmt.with_only_columns(Commitment.id).subquery())) or 0
    rows = session.execute(
        stmt.order_by(Commitment.signed_on.desc(), Commitment.id.desc()).offset(offset).limit(limit)
    ).all()
    labels = commitment_rules().labels
    items = [
        PublicCommitment(
            id=c.id,
            subject_name=pii.mask_name(c.subject_name) if kind == "natural_person" else c.subject_name,
            uscc=None if kind == "natural_person" else c.subject_uscc,
            kind=c.kind,
            kind_label=labels.get(c.kind, c.kind),
            matter=c.matter,
            department_name=department,
            signed_on=c.signed_on,
            status=c.status,
            status_label=STATUS_LABELS.get(c.status, c.status),
            outcome_on=c.outcome_on,
        )
        for c, kind, department in rows
    ]
    return PublicCommitmentPage(q=text, total=total, offset=offset, limit=limit, items=items)


# --------------------------------------------------------------------------------------------- staff and subject reads
def department_feed(
    ctx: Context,
    since: date | None = None,
    status: str | None = None,
    *,
    department_id: int | None = None,
    overdue: bool | None = None,
    offset: int = 0,
    limit: int = DEFAULT_LIMIT,
) -> CommitmentFeed:
    """The commitments that concern a department, oldest first (a polling system pages forward): a department
    officer (or its token) gets its own department's; the credit office and regulators may name one or read all.
    ``since``: signed or verified on or after that day."""
    if ctx.role == "department_officer":
        department_id = ctx.department_id if department_id is None else department_id
        require_department(ctx, department_id, READ)
    else:
        require(ctx, READ)
    check_page(offset, limit)
    if status is not None and status not in STATUS_LABELS:
        raise InvalidInput(f"状态无效，可选：{'、'.join(STATUS_LABELS)}", field="status")
    if department_id is not None and not 1 <= department_id <= MAX_ID:
        raise InvalidInput("部门编号无效", field="department_id")
    stmt = _rows_query()
    if department_id is not None:
        stmt = stmt.where(Commitment.department_id == department_id)
    if since is not None:
        stmt = stmt.where(or_(Commitment.signed_on >= since, Commitment.outcome_on >= since))
    if status is not None:
        stmt = stmt.where(Commitment.status == status)
    if overdue is not None:
        stmt = stmt.where(Commitment.status == "signed", Commitment.overdue.is_(overdue))
    session = ctx.session
    total = session.scalar(select(func.count()).select_from(stmt.with_only_columns(Commitment.id).subquery())) or 0
    rows = session.execute(stmt.order_by(Commitment.id).offset(offset).limit(limit)).all()
    filters = {"department_id": department_id, "since": since, "status": status, "overdue": overdue}
    audit.record_read(
        ctx,
        "commitment",
        "*",
        {"filters": {k: str(v) for k, v in filters.items() if v is not None}, "offset": offset, "total": total},
    )
    return CommitmentFeed(
        department_id=department_id,
        since=since,
        status=status,
        as_of=ctx.today,
        total=total,
        offset=offset,
        limit=limit,
        items=[_row(c, kind, department) for c, kind, department in rows],
    )


def my_commitments(ctx: Context, subject_id: int | None = None) -> list[CommitmentRow]:
    """A subject's own commitments, newest first (the credit office names the subject)."""
    subject_id = ctx.subject_id if subject_id is None else subject_id
    if subject_id is None:
        require(ctx, READ_OWN)
        raise InvalidInput("请指定信用主体", field="subject_id")
    require_own_subject(ctx, subject_id, READ_OWN)
    rows = ctx.session.execute(
        _rows_query().where(Commitment.subject_id == subject_id).order_by(Commitment.id.desc())
    ).all()
    return [_row(c, kind, department) for c, kind, department in rows]


def commitment_detail(ctx: Context, commitment_id: int, *, audit_read: bool = True) -> CommitmentDetail:
    """One commitment with its text, outcome and history: for its subject, the department it concerns, a
    regulator and the credit office. Staff reads are audited, unless ``audit_read`` is false: the answer to a
    change the caller has just made (and audited)."""
    commitment = _get(ctx, commitment_id)
    own = ctx.role == "subject"
    if own:
        require_own_subject(ctx, commitment.subject_id, READ_OWN)
    else:
        require_department(ctx, commitment.department_id, READ)
    row = ctx.session.execute(_rows_query().where(Commitment.id == commitment.id)).one()
    history = [_step(event, reveal_actor=not own) for event in cases.case_history(ctx.session, "commitment", row[0].id)]
    if not own and audit_read:
        audit.record_read(ctx, "commitment", commitment.id, {"department_id": commitment.department_id})
    base = _row(*row)
    return CommitmentDetail(
        **base.model_dump(),
        text=commitment.text,
        signer_name=commitment.signer_name,
        outcome_reason=commitment.outcome_reason,
        false_commitment=commitment.false_commitment,
        breach_record_id=commitment.breach_record_id,
        rule_version=commitment.rule_version,
        history=history,
    )


def _get(ctx: Context, commitment_id: int) -> Commitment:
    if not 1 <= commitment_id <= MAX_ID or (row := fetch(ctx.session, Commitment, commitment_id)) is None:
        raise NotFound("信用承诺不存在", field="commitment_id")
    return row


def _rows_query() -> Select[tuple[Commitment, str, str]]:
    """(commitment, subject kind, department name) rows."""
    return (
        select(Commitment, Subject.kind, Department.name)
        .join(Subject, Subject.id == Commitment.subject_id)
        .join(Department, Department.id == Commitment.department_id)
    )


def _row(c: Commitment, subject_kind: str, department_name: str) -> CommitmentRow:
    spec = commitment_rules().type(c.kind)
    return CommitmentRow(
        id=c.id,
        kind=c.kind,
        kind_label=spec.label if spec else c.kind,
        notice=spec.notice if spec else False,
        subject_id=c.subject_id,
        subject_name=c.subject_name,
        uscc=c.subject_uscc,
        department_id=c.department_id,
        department_name=department_name,
        matter=c.matter,
        signed_on=c.signed_on,
        recorded_by=c.recorded_by,
        recorded_by_label=RECORDED_BY_LABELS.get(c.recorded_by, c.recorded_by),
        verify_due=c.verify_due,
        status=c.status,
        status_label=STATUS_LABELS.get(c.status, c.status),
        overdue=c.overdue and c.status == "signed",
        outcome_on=c.outcome_on,
        published=c.published,
        version=c.lock_version,
    )


def _step(event: CaseEvent, *, reveal_actor: bool) -> CaseStep:
    return CaseStep(
        at=event.at,
        actor=event.actor if reveal_actor else None,
        role=event.role,
        role_label=ROLES.get(event.role, event.role),
        action=event.action,
        action_label=ACTION_LABELS.get(event.action, event.action),
        from_status=event.from_status,
        to_status=event.to_status,
        note=event.note,
    )


# --------------------------------------------------------------------------------------------- the daily job
def flag_overdue(ctx: Context, as_of: date) -> int:
    """Daily-job step: flag verifications past their due date (still ``signed`` after ``verify_due``) and notify
    the department once; returns how many were newly flagged (0 on a re-run)."""
    require(ctx, "jobs.run")
    session = ctx.session
    due = session.execute(
        select(Commitment.id, Commitment.department_id, Commitment.matter, Commitment.verify_due).where(
            Commitment.status == "signed",
            Commitment.verify_due.is_not(None),
            Commitment.verify_due < as_of,
            Commitment.overdue.is_(False),
        )
    ).all()
    for start in range(0, len(due), 1000):
        ids = [row.id for row in due[start : start + 1000]]
        # A flag, not a decision: the verifier's form version stays valid (no lock_version bump).
        session.execute(
            update(Commitment)
            .where(Commitment.id.in_(ids), Commitment.overdue.is_(False))
            .values(overdue=True)
            .execution_options(synchronize_session="fetch")
        )
    for row in due:
        cases.log_event(ctx, "commitment", row.id, "overdue", "signed", "signed", f"核查期限 {row.verify_due} 已过")
        cases.notify(
            ctx,
            case_type="commitment",
            case_id=row.id,
            kind="overdue",
            message=f"信用承诺（编号 {row.id}，“{row.matter}”）的核查期限 {row.verify_due} 已过，请尽快核查。",
            dedupe_key=f"commitment:{row.id}:overdue",
            department_id=row.department_id,
        )
    return len(due)
