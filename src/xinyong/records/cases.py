"""What objections, repair applications, commitments, list entries and verification cases share: case history,
evidence files, notifications, working-day deadlines and optimistic locking.

These helpers are called from inside the service functions of ``records.objections``, ``records.repairs``
and ``records.commitments`` (which check permission and append the audit event); they never commit.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, defer
from sqlalchemy.orm.exc import StaleDataError

from xinyong.auth.context import Context
from xinyong.calendar import load_calendar
from xinyong.clock import CHINA_TZ
from xinyong.errors import Conflict, InvalidInput
from xinyong.records.models import CaseEvent, CaseFile, Notification
from xinyong.settings import get_settings

CaseType = Literal["objection", "repair", "commitment", "listing", "verification"]
CASE_LABELS: dict[str, str] = {
    "objection": "异议申请",
    "repair": "信用修复申请",
    "commitment": "信用承诺",
    "listing": "名单列入",
    "verification": "失信案例核查",
}

# Evidence and materials: what a credit office can open and archive (checked by content, not by name alone).
FILE_TYPES: dict[str, tuple[str, bytes]] = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
}
FILENAME_MAX = 255
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")


class StaleCase(Conflict):
    """Someone else changed the case first (optimistic locking): reload and decide again."""

    code = "stale_case"

    def __init__(self, label: str = "该申请") -> None:
        super().__init__(f"{label}已被他人处理或更新，请刷新后重试")


def clean_text(value: str | None, what: str, field: str, *, max_len: int, min_len: int = 0) -> str:
    """A case's free text, stripped; ``InvalidInput`` naming ``what`` when empty (``min_len``), too short, too long
    or holding control characters (line breaks and tabs are allowed)."""
    text = (value or "").strip()
    if min_len and not text:
        raise InvalidInput(f"请填写{what}", field=field)
    if len(text) < min_len:
        raise InvalidInput(f"{what}过短（至少 {min_len} 个字），请具体说明", field=field)
    if len(text) > max_len:
        raise InvalidInput(f"{what}过长（最多 {max_len} 个字，当前 {len(text)} 个字）", field=field)
    if any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\n\r\t" for ch in text):
        raise InvalidInput(f"{what}含有不可见的控制字符", field=field)
    return text


def log_event(
    ctx: Context,
    case_type: CaseType,
    case_id: int,
    action: str,
    from_status: str | None,
    to_status: str | None,
    note: str = "",
) -> CaseEvent:
    """Append one step to a case's history (the audit log gets its own event from the service)."""
    event = CaseEvent(
        case_type=case_type,
        case_id=case_id,
        at=ctx.at,
        actor=ctx.actor,
        role=ctx.role,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )
    ctx.session.add(event)
    return event


def case_history(session: Session, case_type: CaseType, case_id: int) -> list[CaseEvent]:
    """Every step of one case, oldest first."""
    return list(
        session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_type == case_type, CaseEvent.case_id == case_id)
            .order_by(CaseEvent.id)
        )
    )


def check_file(filename: str, content: bytes) -> tuple[str, str]:
    """(clean file name, content type) of an evidence file; ``InvalidInput`` with a Chinese reason otherwise."""
    name = _UNSAFE.sub("_", (filename or "").strip())[-FILENAME_MAX:]
    if not name:
        raise InvalidInput("材料文件缺少文件名", field="files")
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if suffix not in FILE_TYPES:
        allowed = "、".join(sorted({s.lstrip(".").upper() for s in FILE_TYPES}))
        raise InvalidInput(f"材料“{name}”的类型不受支持，请上传 {allowed} 文件", field="files")
    if not content:
        raise InvalidInput(f"材料“{name}”是空文件", field="files")
    limit = get_settings().case_file_max_bytes
    if len(content) > limit:
        raise InvalidInput(
            f"材料“{name}”超过 {get_settings().case_file_max_mb} MB 上限，请压缩或拆分后上传", field="files"
        )
    content_type, magic = FILE_TYPES[suffix]
    if not content.startswith(magic):
        raise InvalidInput(
            f"材料“{name}”的内容与扩展名不符（不是有效的 {suffix.lstrip('.').upper()} 文件）", field="files"
        )
    return name, content_type


def attach_file(ctx: Context, case_type: CaseType, case_id: int, filename: str, content: bytes) -> CaseFile:
    """Store one checked evidence file with the case (in the database: transactional, never lost)."""
    name, content_type = check_file(filename, content)
    row = CaseFile(
        case_type=case_type,
        case_id=case_id,
        filename=name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_by=ctx.actor,
        uploaded_at=ctx.at,
    )
    ctx.session.add(row)
    return row


def case_files(session: Session, case_type: CaseType, case_id: int) -> list[CaseFile]:
    """Files of one case, in upload order, without loading their content."""
    return list(
        session.scalars(
            select(CaseFile)
            .options(defer(CaseFile.content))
            .where(CaseFile.case_type == case_type, CaseFile.case_id == case_id)
            .order_by(CaseFile.id)
        )
    )


# ------------------------------------------------------------------------------------------ read side
def in_china(moment: datetime) -> datetime:
    """A stored moment in China time (SQLite hands back naive UTC, PostgreSQL aware values)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(CHINA_TZ)


class CaseEventOut(BaseModel):
    """One step of a case's history."""

    at: datetime
    actor: str
    role: str
    action: str
    action_label: str
    from_status: str | None
    to_status: str | None
    note: str


class CaseFileOut(BaseModel):
    """An evidence or material file (its content is downloaded separately, audited)."""

    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


def history_out(session: Session, case_type: CaseType, case_id: int, labels: Mapping[str, str]) -> list[CaseEventOut]:
    """A case's history for display, times in China, actions labelled with ``labels``."""
    return [
        CaseEventOut(
            at=in_china(e.at),
            actor=e.actor,
            role=e.role,
            action=e.action,
            action_label=labels.get(e.action, e.action),
            from_status=e.from_status,
            to_status=e.to_status,
            note=e.note,
        )
        for e in case_history(session, case_type, case_id)
    ]


def files_out(session: Session, case_type: CaseType, case_id: int) -> list[CaseFileOut]:
    """A case's files for display (no content)."""
    return [
        CaseFileOut(
            id=f.id,
            filename=f.filename,
            content_type=f.content_type,
            size=f.size,
            sha256=f.sha256,
            uploaded_at=in_china(f.uploaded_at),
        )
        for f in case_files(session, case_type, case_id)
    ]


def notify(
    ctx: Context,
    *,
    case_type: CaseType,
    case_id: int,
    kind: str,
    message: str,
    dedupe_key: str,
    account_id: int | None = None,
    subject_id: int | None = None,
    department_id: int | None = None,
    to_office: bool = False,
) -> Notification | None:
    """Queue one notification unless one with ``dedupe_key`` exists (so a re-run job adds nothing)."""
    session = ctx.session
    if session.scalar(select(Notification.id).where(Notification.dedupe_key == dedupe_key)) is not None:
        return None
    note = Notification(
        account_id=account_id,
        subject_id=subject_id,
        department_id=department_id,
        to_office=to_office,
        case_type=case_type,
        case_id=case_id,
        kind=kind,
        message=message,
        dedupe_key=dedupe_key[:120],
        created_at=ctx.at,
    )
    session.add(note)
    return note


def workday_deadline(session: Session, start: date, workdays: int) -> date:
    """The last day of a period of ``workdays`` working days counted from the day after ``start``
    (calendar.py: 行政许可法 第八十二条, 民法典 第二百零一条)."""
    return load_calendar(session).deadline(start, workdays)


def flush_locked(ctx: Context, label: str) -> None:
    """Flush a versioned case; a concurrent change (version mismatch) becomes ``StaleCase`` (409)."""
    try:
        ctx.session.flush()
    except StaleDataError:
        raise StaleCase(label) from None


def check_expected_version(current: int, expected: int | None, label: str) -> None:
    """A handler's form carries the version it was shown; deciding on an older one is a lost update."""
    if expected is not None and expected != current:
        raise StaleCase(label)
