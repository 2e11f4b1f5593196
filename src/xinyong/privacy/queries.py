"""Read side of the PSI sets: the scopes with their current versions, a scope's versions, the exchange log."""

from __future__ import annotations

from sqlalchemy import func, select

from xinyong.auth.context import Context
from xinyong.auth.permissions import allowed, require
from xinyong.errors import InvalidInput
from xinyong.privacy import service
from xinyong.privacy.models import PsiExchange, PsiSet
from xinyong.privacy.policy import load_policy, scope_policy
from xinyong.privacy.psi_sets import READ
from xinyong.privacy.schemas import ExchangeOut, SetOut, VersionOut

LOG_MAX = 500


def sets(ctx: Context) -> list[SetOut]:
    """Every scope with its current version: for the credit office (``privacy.read``, with the set sizes) or an
    authorised bank (without them)."""
    office = allowed(ctx.role, READ) and (ctx.scopes is None or READ in ctx.scopes)
    if not office:
        service.institution(ctx)
    rows = {r.scope: r for r in ctx.session.scalars(select(PsiSet).where(PsiSet.current.is_(True)))}
    out = []
    for scope, policy in load_policy().scopes.items():
        row = rows.get(scope)
        out.append(
            SetOut(
                scope=scope,
                label=policy.label,
                description=policy.description,
                mode=policy.mode,
                reveal_intersection=policy.reveal_intersection,
                allow_membership=policy.allow_membership,
                data_structure=policy.data_structure,
                fpr=policy.fpr,
                max_client_elements=policy.max_client_elements,
                version=row.version if row else None,
                built_at=row.built_at if row else None,
                elements=row.elements if (row and office) else None,
                source=policy.source,
            )
        )
    return out


def versions(ctx: Context, scope: str, limit: int = 20) -> list[VersionOut]:
    """The newest versions of ``scope`` (credit office)."""
    require(ctx, READ)
    scope_policy(scope)
    stmt = (
        select(PsiSet, func.length(PsiSet.setup))
        .where(PsiSet.scope == scope)
        .order_by(PsiSet.version.desc())
        .limit(max(1, min(limit, LOG_MAX)))
    )
    return [
        VersionOut(
            version=r.version,
            current=r.current,
            elements=r.elements,
            data_structure=r.data_structure,
            fpr=r.fpr,
            reveal_intersection=r.reveal_intersection,
            setup_bytes=int(size or 0),
            digest=r.digest,
            reason=r.reason,
            built_by=r.built_by,
            built_at=r.built_at,
        )
        for r, size in ctx.session.execute(stmt)
    ]


def exchanges(
    ctx: Context, *, institution: str | None = None, scope: str | None = None, limit: int = 100
) -> list[ExchangeOut]:
    """The newest exchanges (credit office): sizes and outcomes only."""
    require(ctx, READ)
    if not 1 <= limit <= LOG_MAX:
        raise InvalidInput(f"条数应在 1 到 {LOG_MAX} 之间", field="limit")
    stmt = (
        select(PsiExchange, PsiSet.scope, PsiSet.version)
        .outerjoin(PsiSet, PsiSet.id == PsiExchange.set_id)
        .order_by(PsiExchange.id.desc())
        .limit(limit)
    )
    if institution:
        stmt = stmt.where(PsiExchange.institution == institution[:64])
    if scope:
        stmt = stmt.where(PsiSet.scope == scope[:40])
    return [
        ExchangeOut(
            id=e.id,
            at=e.at,
            institution=e.institution,
            scope=s,
            version=v,
            kind=e.kind,
            client_elements=e.client_elements,
            outcome=e.outcome,
            reason=e.reason,
        )
        for e, s, v in ctx.session.execute(stmt)
    ]
