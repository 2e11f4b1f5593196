"""Bank authorisations (信易贷, rules.md §10): a subject lets one institution query its credit information.

"Bank access needs the subject's authorisation, scoped and time-limited, and every query is logged."
An authorisation names the institution, the purpose, the scopes (what may be read) and a validity window of
at most ``MAX_VALIDITY``; it can be revoked at any time. ``bank_query_subject`` is the one way a bank reads a
subject, and it appends an audit event for every query, allowed or not.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.models import BankAuthorisation
from xinyong.auth.permissions import PermissionDenied, require, require_own_subject
from xinyong.auth.tokens import clean_text
from xinyong.codes.normalize import normalize_code
from xinyong.db.base import fetch_or_404
from xinyong.errors import Conflict, InvalidInput, NotFound, XinyongError
from xinyong.subjects import queries
from xinyong.subjects.models import Subject
from xinyong.subjects.public import parse_uscc
from xinyong.subjects.schemas import SubjectOut

GRANT = "authorisations.grant"
READ = "authorisations.read"
BANK_QUERY = "bank.query"
# What an authorisation may cover; "basic" = the registry entry (name, codes, status, township); "credit" = the
# subject's credit data for 信易贷 (registry entry, public records with their publicity status, list entries in
# force, the latest evaluation grade: ``xinyong.lending.service.read_credit``).
SCOPES: dict[str, str] = {"basic": "基本登记信息", "credit": "信用信息（公示记录、名单、评价等级）"}
# rules.md §10: the authorisation is "scoped and time-limited". The source sets no ceiling; one year (365 days
# between the first and the last valid day) is this platform's documented default, not a rule from the source.
MAX_VALIDITY = timedelta(days=365)
PURPOSE_MAX = 200
# A bank reads what the subject authorised: its registry entry including the operator's name of an
# individual business (the subject consented); ID numbers stay masked.
BANK_AUDIENCE = queries.Audience(include_natural_persons=True, unmask_personal=True)


def grant_authorisation(
    ctx: Context,
    subject_id: int,
    institution: str,
    purpose: str,
    scopes: list[str] | set[str] | tuple[str, ...],
    valid_from: date,
    valid_to: date,
) -> BankAuthorisation:
    """Record a subject's authorisation for ``institution``.

    The subject grants for itself; credit office staff may record one from a signed paper application.
    The window starts today or later and lasts at most ``MAX_VALIDITY``.
    """
    require_own_subject(ctx, subject_id, GRANT)
    queries.subject_or_404(ctx.session, subject_id)
    institution = clean_text(institution, "institution", "金融机构名称", 64)
    purpose = clean_text(purpose, "purpose", "授权用途", PURPOSE_MAX)
    wanted = {s.strip() for s in scopes if s and s.strip()}
    if not wanted:
        raise InvalidInput("请至少选择一项授权范围", field="scopes")
    unknown = sorted(wanted - SCOPES.keys())
    if unknown:
        raise InvalidInput(
            f"未知的授权范围: {', '.join(s[:40] for s in unknown[:5])}（可选: {', '.join(SCOPES)}）", field="scopes"
        )
    if valid_from < ctx.today:
        raise InvalidInput("授权起始日不能早于今天", field="valid_from")
    if valid_to < valid_from:
        raise InvalidInput("授权截止日不能早于起始日", field="valid_to")
    if valid_to - valid_from > MAX_VALIDITY:
        raise InvalidInput(f"授权期限不能超过 {MAX_VALIDITY.days} 天", field="valid_to")
    grant = BankAuthorisation(
        subject_id=subject_id,
        institution=institution,
        purpose=purpose,
        scopes=sorted(wanted),
        valid_from=valid_from,
        valid_to=valid_to,
        granted_by=ctx.actor,
        granted_at=ctx.at,
        revoked_at=None,
    )
    ctx.session.add(grant)
    ctx.session.flush()
    audit.record(
        ctx,
        "authorisations.grant",
        "bank_authorisation",
        grant.id,
        {
            "subject_id": subject_id,
            "institution": institution,
            "scopes": grant.scopes,
            "valid_from": valid_from.isoformat(),
            "valid_to": valid_to.isoformat(),
        },
    )
    return grant


def revoke_authorisation(ctx: Context, authorisation_id: int) -> BankAuthorisation:
    """Withdraw an authorisation; queries under it are refused from now on."""
    require(ctx, GRANT)
    grant = fetch_or_404(ctx.session, BankAuthorisation, authorisation_id, "未找到该授权", "authorisation_id")
    require_own_subject(ctx, grant.subject_id, GRANT)
    if grant.revoked_at is not None:
        raise Conflict("该授权已撤销", field="authorisation_id")
    grant.revoked_at = ctx.at
    ctx.session.flush()
    audit.record(
        ctx,
        "authorisations.revoke",
        "bank_authorisation",
        grant.id,
        {"subject_id": grant.subject_id, "institution": grant.institution},
    )
    return grant


def list_authorisations(ctx: Context, subject_id: int) -> list[BankAuthorisation]:
    """Every authorisation a subject has given (revoked and expired ones included), oldest first."""
    require_own_subject(ctx, subject_id, READ)
    queries.subject_or_404(ctx.session, subject_id)
    stmt = select(BankAuthorisation).where(BankAuthorisation.subject_id == subject_id).order_by(BankAuthorisation.id)
    grants = list(ctx.session.scalars(stmt))
    audit.record(ctx, "authorisations.list", "subject", subject_id, {"count": len(grants)})
    return grants


def valid_authorisation(
    session: Session, subject_id: int, institution: str, on: date, scope: str
) -> BankAuthorisation | None:
    """The authorisation letting ``institution`` read ``scope`` of the subject on day ``on``, if any."""
    stmt = (
        select(BankAuthorisation)
        .where(
            BankAuthorisation.subject_id == subject_id,
            BankAuthorisation.institution == institution,
            BankAuthorisation.revoked_at.is_(None),
            BankAuthorisation.valid_from <= on,
            BankAuthorisation.valid_to >= on,
        )
        .order_by(BankAuthorisation.valid_to.desc(), BankAuthorisation.id.desc())
    )
    return next((g for g in session.scalars(stmt) if scope in (g.scopes or ())), None)


def bank_access(
    ctx: Context, uscc: str, scope: str, check: Callable[[], None] | None = None
) -> tuple[Subject, BankAuthorisation]:
    """The subject holding ``uscc`` and the caller's institution's valid authorisation for ``scope`` today.

    Appends one ``bank.query`` audit event whatever happens: ``ok``, ``denied`` (no permission, no institution,
    ``check`` refused, or no valid authorisation: never given, expired, revoked, another institution's),
    ``not_found`` or ``invalid``. On failure the event is written to the caller's session before the error is
    raised; the caller must commit it even though the request fails (the web routes do). ``check`` (run after
    the permission check) lets a caller add its own condition, e.g. that the institution is registered.
    """
    target: str | int = normalize_code(uscc)[:64] if len(uscc) <= 64 else "(过长)"
    detail: dict[str, object] = {"institution": ctx.institution, "scope": scope}
    try:
        require(ctx, BANK_QUERY)
        if not ctx.institution:
            raise PermissionDenied(ctx.role, BANK_QUERY, "该凭证未绑定金融机构")
        if check is not None:
            check()
        code = parse_uscc(uscc)
        detail["uscc"] = code
        holders = [s for s in queries.subjects_by_uscc(ctx.session, code) if s.kind != "natural_person"]
        if not holders:
            raise NotFound("未找到持有该统一社会信用代码的信用主体", field="uscc")
        target = holders[0].id
        for subject in holders:
            grant = valid_authorisation(ctx.session, subject.id, ctx.institution, ctx.today, scope)
            if grant is not None:
                break
        else:
            raise PermissionDenied(ctx.role, BANK_QUERY, "未获得该信用主体的有效授权，或授权已过期、已撤销")
    except XinyongError as exc:
        outcome = "denied" if isinstance(exc, PermissionDenied) else exc.code
        audit.record(ctx, "bank.query", "subject", target, {**detail, "reason": exc.message}, outcome=outcome)
        raise
    audit.record(ctx, "bank.query", "subject", subject.id, {**detail, "authorisation_id": grant.id})
    return subject, grant


def bank_query_subject(ctx: Context, uscc: str, scope: str = "basic") -> SubjectOut:
    """A bank reads a subject by its code under a valid authorisation for its institution today (``bank_access``:
    every query audited, the refused ones too; the caller commits the refusal's event)."""
    subject, _ = bank_access(ctx, uscc, scope)
    return queries.to_out(subject, BANK_AUDIENCE)
