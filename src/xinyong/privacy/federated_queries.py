"""Read side of the federated runs: the credit office sees every run, a bank the runs of its own institution."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import select

from xinyong.auth.context import Context
from xinyong.auth.permissions import allowed, require
from xinyong.privacy.models import FederatedRun


class RunIn(BaseModel):
    """A demo run: sizes of the demo data, Paillier key size (default: policy), seed (default: random)."""

    rows: int = Field(default=2000, ge=1, le=10_000_000)
    features: int = Field(default=10, ge=1, le=200)
    key_bits: int | None = Field(default=None, ge=512, le=4096)
    seed: int | None = Field(default=None, ge=0, le=2**31)
    source: Literal["synthetic", "registry"] = Field(
        default="synthetic", description="synthetic: 演示数据；registry: 平台特征取自主体库，银行为演示银行"
    )


class RunOut(BaseModel):
    id: int
    institution: str
    features: list[str]
    rows: int
    iterations: int
    key_bits: int
    status: str
    accuracy: float | None
    central_accuracy: float | None
    tolerance: float
    seconds: float
    actor: str
    started_at: datetime
    detail: dict[str, Any]


def run_out(run: FederatedRun) -> RunOut:
    return RunOut(
        id=run.id,
        institution=run.institution,
        features=list(run.features or []),
        rows=run.rows,
        iterations=run.iterations,
        key_bits=run.key_bits,
        status=run.status,
        accuracy=run.accuracy,
        central_accuracy=run.central_accuracy,
        tolerance=run.tolerance,
        seconds=run.seconds,
        actor=run.actor,
        started_at=run.started_at,
        detail=dict(run.detail or {}),
    )


def list_runs(ctx: Context, limit: int = 100) -> list[RunOut]:
    """Runs newest first: all for the credit office (``privacy.read``), the own institution's for a bank."""
    require(ctx, "federated.run")
    stmt = select(FederatedRun).order_by(FederatedRun.id.desc()).limit(limit)
    if not allowed(ctx.role, "privacy.read"):
        stmt = stmt.where(FederatedRun.institution == (ctx.institution or ""))
    return [run_out(r) for r in ctx.session.scalars(stmt)]
