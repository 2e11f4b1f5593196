"""``/api/v1/audit``: search, export and verify the hash-chained audit log (auditors; verify also admins).

Security is declared with the shared schemes of ``web.security`` (bearer token or session cookie, ``SECURED``);
the check is ``require_login`` (401) plus the service's ``require`` (403).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.responses import StreamingResponse

from xinyong import clock
from xinyong.auth import audit
from xinyong.auth.models import AuditEvent
from xinyong.web.errors import error_responses
from xinyong.web.security import DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/audit", tags=["审计日志"], dependencies=SECURED)

MAX_OFFSET = 10_000_000
When = Annotated[
    str | None,
    Query(
        max_length=40,
        description="日期 YYYY-MM-DD（北京时间整日，截止日含当日）或 ISO 8601 时间（不带时区按北京时间）",
        examples=["2026-11-27", "2026-11-27T10:00:00+08:00"],
    ),
]


class AuditEventOut(BaseModel):
    """One audit event (time in Beijing time)."""

    id: int
    at: datetime
    actor: str = Field(description="操作者，如 account:zhang、token:ab12cd34:区市场监管局、cli:root")
    role: str
    action: str = Field(description="操作，如 subject.register、read.subject、audit.export")
    target_type: str
    target_id: str
    outcome: str = Field(description="ok / denied / failed / partial")
    request_id: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventOut:
        """From the table row."""
        return cls.model_validate(audit.event_row(event))


class AuditPage(BaseModel):
    """One page of events, newest first."""

    items: list[AuditEventOut]
    total: int
    limit: int
    offset: int


class ChainOut(BaseModel):
    """Result of checking the hash chain."""

    ok: bool
    events: int = Field(description="已检查的事件数（链断裂时为检查到第一个问题事件为止）")
    first_bad_id: int | None = Field(description="第一个被改动或不连续的事件编号")
    reason: str
    checked_at: datetime


def _filters(
    actor: str | None,
    action: str | None,
    target_type: str | None,
    target_id: str | None,
    since: str | None,
    until: str | None,
    outcome: str | None,
) -> dict[str, Any]:
    return {
        "actor": actor or None,
        "action": action or None,
        "target_type": target_type or None,
        "target_id": target_id or None,
        "since": audit.parse_when(since, "since"),
        "until": audit.parse_when(until, "until"),
        "outcome": outcome or None,
    }


@router.get("/events", response_model=AuditPage, summary="检索审计日志", responses=error_responses(*DENIED, 422))
def events(
    ctx: LoggedIn,
    actor: Annotated[str | None, Query(max_length=128, description="操作者（精确匹配）")] = None,
    action: Annotated[str | None, Query(max_length=64, description="操作；以 * 结尾表示前缀，如 read.*")] = None,
    target_type: Annotated[str | None, Query(max_length=32, description="对象类型，如 subject")] = None,
    target_id: Annotated[str | None, Query(max_length=64, description="对象编号")] = None,
    since: When = None,
    until: When = None,
    outcome: Annotated[str | None, Query(max_length=16, description="结果，如 ok、denied")] = None,
    limit: Annotated[int, Query(ge=1, le=audit.MAX_PAGE, description="每页条数")] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="跳过的条数")] = 0,
) -> AuditPage:
    """Events matching every given condition, newest first (``audit.read``). The search is itself logged."""
    page = audit.search_events(
        ctx, **_filters(actor, action, target_type, target_id, since, until, outcome), limit=limit, offset=offset
    )
    return AuditPage(items=[AuditEventOut.of(e) for e in page.items], total=page.total, limit=limit, offset=offset)


@router.get(
    "/export",
    summary="导出审计日志",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "CSV（UTF-8 带 BOM，公式字符已转义）或 JSON Lines，按事件编号升序",
            "content": {"text/csv": {}, "application/x-ndjson": {}},
        },
        **error_responses(*DENIED, 422),
    },
)
def export(
    ctx: LoggedIn,
    format: Annotated[Literal["csv", "jsonl"], Query(description="csv 或 jsonl")] = "csv",
    actor: Annotated[str | None, Query(max_length=128)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    target_type: Annotated[str | None, Query(max_length=32)] = None,
    target_id: Annotated[str | None, Query(max_length=64)] = None,
    since: When = None,
    until: When = None,
    outcome: Annotated[str | None, Query(max_length=16)] = None,
) -> StreamingResponse:
    """Stream the matching events in chain order (``audit.export``); the export is itself logged."""
    lines = audit.export_events(ctx, format, **_filters(actor, action, target_type, target_id, since, until, outcome))
    stamp = clock.now().astimezone(clock.CHINA_TZ).strftime("%Y%m%d-%H%M%S")
    media = "text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson; charset=utf-8"
    return StreamingResponse(
        lines,
        media_type=media,
        headers={"content-disposition": f'attachment; filename="audit-{stamp}.{format}"'},
    )


@router.get("/verify", response_model=ChainOut, summary="校验审计日志哈希链", responses=error_responses(*DENIED))
def verify(ctx: LoggedIn) -> ChainOut:
    """Recompute the whole hash chain (``audit.verify``: auditors and credit office admins)."""
    report = audit.verify(ctx)
    return ChainOut(
        ok=report.ok,
        events=report.events,
        first_bad_id=report.first_bad_id,
        reason=report.reason,
        checked_at=ctx.at.astimezone(clock.CHINA_TZ),
    )
