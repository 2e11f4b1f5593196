"""Page ``/audit``: the auditor's search form, results table, export links and the chain check.

Only GET requests (nothing changes but the audit log itself), so no CSRF token is needed. Anonymous
visitors are sent to the login page (401), other roles get 403 from the service's ``require``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from xinyong import clock
from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import ROLES, allowed, require
from xinyong.errors import InvalidInput
from xinyong.web.deps import require_login
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]
PAGE_SIZE = 50
MAX_OFFSET = 1_000_000
FIELDS = ("actor", "action", "target_type", "target_id", "outcome", "since", "until")
Text = Annotated[str, Query(max_length=128)]


@dataclass(frozen=True)
class Row:
    """One event as the table shows it."""

    id: int
    at: str
    actor: str
    role: str
    action: str
    target: str
    outcome: str
    request_id: str
    detail: str


def _row(event: Any) -> Row:
    data = audit.event_row(event)
    return Row(
        id=data["id"],
        at=data["at"][:19].replace("T", " "),
        actor=data["actor"],
        role=ROLES.get(data["role"], data["role"]),
        action=data["action"],
        target=f"{data['target_type']} {data['target_id']}",
        outcome=data["outcome"],
        request_id=data["request_id"],
        detail=json.dumps(data["detail"], ensure_ascii=False, sort_keys=True) if data["detail"] else "",
    )


def _day(value: str, field: str, label: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{label}应为日期，如 2026-01-31", field=field) from None


def _query(form: dict[str, str], **extra: Any) -> str:
    return urlencode({k: v for k, v in {**form, **extra}.items() if v not in ("", None)})


@router.get("/audit")
def audit_page(
    request: Request,
    ctx: Login,
    actor: Text = "",
    action: Text = "",
    target_type: Text = "",
    target_id: Text = "",
    outcome: Text = "",
    since: Text = "",
    until: Text = "",
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Response:
    """Search form and results, newest first (auditors)."""
    require(ctx, "audit.read")
    form = {
        "actor": actor,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "outcome": outcome,
        "since": since,
        "until": until,
    }
    error: str | None = None
    page: audit.EventPage | None = None
    try:
        page = audit.search_events(
            ctx,
            actor=actor.strip() or None,
            action=action.strip() or None,
            target_type=target_type.strip() or None,
            target_id=target_id.strip() or None,
            outcome=outcome.strip() or None,
            since=_day(since, "since", "起始日期"),
            until=_day(until, "until", "截止日期"),
            limit=PAGE_SIZE,
            offset=offset,
        )
    except InvalidInput as exc:
        error = exc.message
    rows = [_row(e) for e in page.items] if page else []
    prev_url = next_url = None
    if page and offset > 0:
        prev_url = "/audit?" + _query(form, offset=max(offset - PAGE_SIZE, 0) or None)
    if page and offset + PAGE_SIZE < page.total:
        next_url = "/audit?" + _query(form, offset=offset + PAGE_SIZE)
    filters = _query(form)
    context = {
        "nav": "audit",
        "form": form,
        "page": page,
        "rows": rows,
        "error": error,
        "prev_url": prev_url,
        "next_url": next_url,
        "number": offset // PAGE_SIZE + 1,
        "export_csv": "/api/v1/audit/export?" + _query(form, format="csv"),
        "export_jsonl": "/api/v1/audit/export?" + _query(form, format="jsonl"),
        "can_export": allowed(ctx.role, "audit.export") and not error,
        "can_verify": allowed(ctx.role, "audit.verify"),
        "filtered": bool(filters),
        "chain": None,
    }
    return render(request, "audit.html", context, status_code=422 if error else 200)


@router.get("/audit/verify")
def verify_page(request: Request, ctx: Login) -> Response:
    """Check the hash chain and show the result (auditors and credit office admins)."""
    report = audit.verify(ctx)
    context = {
        "nav": "audit",
        "form": dict.fromkeys(FIELDS, ""),
        "page": None,
        "rows": [],
        "error": None,
        "prev_url": None,
        "next_url": None,
        "number": 1,
        "export_csv": "",
        "export_jsonl": "",
        "can_export": False,
        "can_verify": True,
        "filtered": False,
        "chain": report,
        "checked_at": ctx.at.astimezone(clock.CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S"),
    }
    return render(request, "audit.html", context)
