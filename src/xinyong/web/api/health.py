"""``GET /healthz``: is the database reachable and at the schema this code expects."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from xinyong.db.migrate import MIGRATIONS
from xinyong.db.session import DatabaseConfigError
from xinyong.errors import XinyongError
from xinyong.web.deps import get_session
from xinyong.web.errors import ErrorBody

log = logging.getLogger("xinyong.web")
router = APIRouter(tags=["运行状态"])


class Health(BaseModel):
    """The platform is up and its database answers at the expected schema."""

    status: str = Field(examples=["ok"])
    database: str = Field(examples=["ok"])
    schema_revision: str = Field(serialization_alias="schema", description="Alembic revision of the database")


class UnhealthyBody(ErrorBody):
    """503 answer: what is wrong with the database."""

    status: str = Field(examples=["error"])
    database: str = Field(examples=["unavailable", "not_migrated", "outdated"])
    schema_revision: str | None = Field(alias="schema", default=None)


class Unavailable(XinyongError):
    """The database cannot serve the platform."""

    status = 503
    code = "unavailable"

    def __init__(self, message: str, database: str, schema: str | None = None) -> None:
        super().__init__(message)
        self.extra: dict[str, Any] = {"status": "error", "database": database, "schema": schema}


@lru_cache
def head_revisions() -> frozenset[str]:
    """The newest migration revision(s) shipped with this code."""
    return frozenset(ScriptDirectory(str(MIGRATIONS)).get_heads())


@router.get(
    "/healthz",
    response_model=Health,
    summary="运行状态检查",
    responses={503: {"model": UnhealthyBody, "description": "数据库不可用或未迁移"}},
)
def healthz(session: Session = Depends(get_session)) -> Health:
    """Run a trivial query and read the schema revision; 503 when either fails."""
    try:
        session.execute(text("SELECT 1"))
        revision = MigrationContext.configure(session.connection()).get_current_revision()
    except (SQLAlchemyError, DatabaseConfigError) as exc:
        log.warning("health check: database unavailable: %s", exc)
        raise Unavailable(f"数据库不可用（{exc.__class__.__name__}）", "unavailable") from exc
    if revision is None:
        raise Unavailable("数据库尚未迁移，请运行 xinyong db upgrade", "not_migrated")
    if revision not in head_revisions():
        raise Unavailable(f"数据库结构版本 {revision} 不是最新，请运行 xinyong db upgrade", "outdated", revision)
    return Health(status="ok", database="ok", schema_revision=revision)
