"""Registry actions: register a subject, correct its code, recheck all codes. The only writers of subjects."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, select, update

from xinyong.auth import audit, pii
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.codes.check import check_code
from xinyong.codes.divisions import township_by_code
from xinyong.codes.normalize import normalize_code
from xinyong.codes.uscc import PLACEHOLDER, uscc_problem_string
from xinyong.db.base import fetch
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.subjects.bulk import index_names, insert_subjects, next_subject_id
from xinyong.subjects.models import SUBJECT_KINDS, CodeCorrection, Subject, SubjectNameGram
from xinyong.subjects.names import name_grams, normalize_name
from xinyong.subjects.schemas import SubjectIn

ORGANISATION_KINDS = frozenset(SUBJECT_KINDS) - {"natural_person"}


def _holders(ctx: Context, uscc: str, exclude_id: int | None = None) -> list[int]:
    stmt = select(Subject.id).where(Subject.uscc == uscc)
    if exclude_id is not None:
        stmt = stmt.where(Subject.id != exclude_id)
    return list(ctx.session.scalars(stmt))


def prepare_subject_row(data: SubjectIn, subject_id: int, ctx: Context) -> dict[str, Any]:
    """Validate one subject and return the row to store (codes normalised, ID number encrypted).

    Raises ``InvalidInput`` naming the field and the reason in Chinese.
    """
    if data.kind not in SUBJECT_KINDS:
        raise InvalidInput(f"主体类别 {data.kind!r} 无效，应为 {', '.join(SUBJECT_KINDS)}", field="kind")
    if data.township_code and township_by_code(data.township_code) is None:
        raise InvalidInput(f"镇街代码 {data.township_code} 不是番禺区的镇街", field="township_code")
    row: dict[str, Any] = {
        "id": subject_id,
        "kind": data.kind,
        "name": data.name,
        "uscc": None,
        "uscc_problems": None,
        "reg_no": data.reg_no or None,
        "ric_cipher": None,
        "ric_hash": None,
        "ric_masked": None,
        "legal_representative": data.legal_representative,
        "organisation_type": data.organisation_type,
        "township_code": data.township_code,
        "address": data.address,
        "registered_on": data.registered_on,
        "status": "存续",
        "source": data.source,
        "created_at": ctx.at,
    }
    if data.kind == "natural_person":
        if data.uscc:
            raise InvalidInput("自然人不应填写统一社会信用代码", field="uscc")
        if not data.ric:
            raise InvalidInput("自然人须填写公民身份号码", field="ric")
        result = check_code(data.ric, kind="ric")
        if not result.valid:
            raise InvalidInput(f"公民身份号码无效: {'; '.join(result.messages.values())}", field="ric")
        ric = result.normalized
        row.update(ric_cipher=pii.encrypt(ric), ric_hash=pii.lookup_hash(ric), ric_masked=pii.mask_id(ric))
        return row
    if data.ric:
        raise InvalidInput("仅自然人可填写公民身份号码", field="ric")
    uscc = normalize_code(data.uscc or "")
    if not uscc:
        raise InvalidInput("组织须填写统一社会信用代码（无代码的个体工商户填 00000000000000000X）", field="uscc")
    if len(uscc) != 18:
        raise InvalidInput(f"统一社会信用代码应为18位，实际 {len(uscc)} 位", field="uscc")
    if uscc == PLACEHOLDER:
        # 双公示 convention (rules.md §1): individual businesses without a code give the placeholder and
        # their business registration number instead.
        if data.kind != "individual_business":
            raise InvalidInput("只有个体工商户可使用占位代码 00000000000000000X", field="uscc")
        if not data.reg_no:
            raise InvalidInput("使用占位代码时须填写工商注册号", field="reg_no")
    row.update(uscc=uscc, uscc_problems=uscc_problem_string(uscc))
    return row


def register_subject(ctx: Context, data: SubjectIn, *, allow_duplicate: bool = False) -> Subject:
    """Register one subject. A code already held by another subject is refused unless ``allow_duplicate``
    (loading a source faithfully, so that the duplicate shows up in the code-quality check)."""
    require(ctx, "subjects.write")
    row = prepare_subject_row(data, next_subject_id(ctx.session), ctx)
    if row["uscc"] and row["uscc"] != PLACEHOLDER and not allow_duplicate:
        holders = _holders(ctx, row["uscc"])
        if holders:
            raise Conflict(f"统一社会信用代码 {row['uscc']} 已被主体 {holders[0]} 使用（重码）", field="uscc")
    insert_subjects(ctx.session, [row])
    audit.record(
        ctx,
        "subject.register",
        "subject",
        row["id"],
        {"kind": row["kind"], "uscc": row["uscc"], "uscc_problems": row["uscc_problems"]},
    )
    subject = ctx.session.get(Subject, row["id"])
    assert subject is not None
    return subject


def correct_code(ctx: Context, subject_id: int, new_uscc: str, *, reason: str, source: str) -> CodeCorrection:
    """Correct a subject's USCC (纠错). The new code must pass every check and be held by nobody else;
    the old value stays in ``code_correction`` and in the audit log."""
    require(ctx, "subjects.correct_code")
    if not reason.strip():
        raise InvalidInput("须填写纠错原因", field="reason")
    if not source.strip():
        raise InvalidInput("须填写纠错依据（来源文件或登记机关）", field="source")
    subject = fetch(ctx.session, Subject, subject_id)
    if subject is None:
        raise NotFound(f"主体 {subject_id} 不存在")
    if subject.kind == "natural_person":
        raise InvalidInput("自然人没有统一社会信用代码", field="uscc")
    result = check_code(new_uscc, kind="uscc")
    if not result.valid:
        raise InvalidInput(f"新代码无效: {'; '.join(result.messages.values())}", field="uscc")
    new = result.normalized
    if new == subject.uscc:
        raise InvalidInput("新代码与原代码相同", field="uscc")
    holders = _holders(ctx, new, exclude_id=subject_id)
    if holders:
        raise Conflict(f"统一社会信用代码 {new} 已被主体 {holders[0]} 使用（重码）", field="uscc")
    correction = CodeCorrection(
        subject_id=subject_id,
        field="uscc",
        old_value=subject.uscc,
        new_value=new,
        reason=reason.strip(),
        source=source.strip(),
        corrected_by=ctx.actor,
        corrected_at=ctx.at,
    )
    ctx.session.add(correction)
    subject.uscc = new
    subject.uscc_problems = uscc_problem_string(new)
    ctx.session.flush()
    audit.record(
        ctx,
        "subject.correct_code",
        "subject",
        subject_id,
        {"old": correction.old_value, "new": new, "reason": correction.reason, "source": correction.source},
    )
    return correction


def rename_subject(ctx: Context, subject_id: int, new_name: str, *, source: str) -> Subject:
    """Record a change of name (e.g. from the registration authority) and re-index it for search."""
    require(ctx, "subjects.write")
    name = new_name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("名称不能为空且不超过200字", field="name")
    if not source.strip():
        raise InvalidInput("须填写变更依据", field="source")
    subject = fetch(ctx.session, Subject, subject_id)
    if subject is None:
        raise NotFound(f"主体 {subject_id} 不存在")
    old = subject.name
    old_grams = name_grams(old)
    ctx.session.execute(
        delete(SubjectNameGram).where(SubjectNameGram.subject_id == subject_id, SubjectNameGram.gram.in_(old_grams))
    )
    subject.name = name
    subject.name_key = normalize_name(name)
    ctx.session.flush()
    index_names(ctx.session, subject_id, subject_id)
    audit.record(ctx, "subject.rename", "subject", subject_id, {"old": old, "new": name, "source": source})
    return subject


def recheck_codes(ctx: Context, chunk: int = 20_000) -> int:
    """Recompute ``uscc_problems`` of every subject with the checker in force (after a rule change).
    Returns how many subjects changed. One audit event for the whole job."""
    require(ctx, "subjects.write")
    changed = 0
    last_id = 0
    while True:
        rows = ctx.session.execute(
            select(Subject.id, Subject.uscc, Subject.uscc_problems)
            .where(Subject.id > last_id, Subject.uscc.is_not(None))
            .order_by(Subject.id)
            .limit(chunk)
        ).all()
        if not rows:
            break
        last_id = rows[-1].id
        updates = [{"sid": r.id, "p": p} for r in rows if (p := uscc_problem_string(r.uscc)) != r.uscc_problems]
        if updates:
            ctx.session.execute(
                update(Subject.__table__)
                .where(Subject.__table__.c.id == bindparam("sid"))
                .values(uscc_problems=bindparam("p")),
                updates,
            )
            changed += len(updates)
    if changed:
        ctx.session.expire_all()  # Core UPDATE bypassed the identity map
    audit.record(ctx, "subject.recheck_codes", "registry", "uscc", {"changed": changed})
    return changed
