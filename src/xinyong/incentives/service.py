"""Actions of the honesty incentive scenarios (issue #9 item 3), every one audited.

* ``register_provider`` / ``set_provider_active`` (``incentives.manage``): the credit office registers a service
  provider (name, USCC, kind). The provider serves the catalogue's scenarios of its kind; its accounts and API
  tokens carry its ``name`` as their institution.
* ``issue_consent`` / ``revoke_consent`` (``incentives.own``): a natural person lets one provider check one
  scenario. The token is shown once; only its SHA-256 is stored; it expires and can be revoked.
* ``check_eligibility`` (``incentives.check``): a provider asks whether the holder of a consent token qualifies
  for a scenario. The answer is only eligible / not eligible. A refusal (unknown, expired or revoked token, a token
  granted to another provider, a scenario the provider does not serve or the token does not cover, an inactive or
  unregistered provider) is *returned*, not raised, so the caller commits the ``eligibility_check`` row and the
  audit event that record it (like ``accounts.attempt_login``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, text, update

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.credentials import hash_secret
from xinyong.auth.permissions import PermissionDenied, require
from xinyong.auth.tokens import clean_text
from xinyong.codes.uscc import is_valid_uscc
from xinyong.db.base import fetch, fetch_or_404
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.incentives.models import (
    ConsentToken,
    EligibilityCheck,
    IncentiveProvider,
    PersonalScore,
    PersonalScoreRun,
)
from xinyong.incentives.scenarios import load_catalogue
from xinyong.settings import get_settings
from xinyong.subjects.models import Subject

MANAGE = "incentives.manage"
OWN = "incentives.own"
CHECK = "incentives.check"
NAME_MAX = 64
# Consent tokens: 20 characters of an alphabet without look-alikes (0/O, 1/I/L) = 100 bits, shown as
# XYC-XXXXX-XXXXX-XXXXX-XXXXX so a person can read it out or a provider type it.
TOKEN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
TOKEN_BODY = 20
TOKEN_PREFIX = "XYC"
TOKEN_INPUT_MAX = 64

ELIGIBLE = "eligible"
NOT_ELIGIBLE = "not_eligible"
REFUSED = "refused"
# Refusal reasons (stored in eligibility_check.reason); the provider is told only the message.
REASONS: dict[str, str] = {
    "provider_unknown": "调用方不是已登记的守信激励服务提供方",
    "provider_inactive": "服务提供方已停用",
    "scenario_unknown": "未知的守信激励场景",
    "scenario_not_served": "服务提供方未登记该场景",
    "token_unknown": "授权码无效、已过期或已撤回",
    "token_expired": "授权码无效、已过期或已撤回",
    "token_revoked": "授权码无效、已过期或已撤回",
    "token_other_provider": "该授权码不是授予本机构的，已拒绝并记录",
    "scenario_mismatch": "该授权码不适用于此场景",
}


def _utc(ctx: Context) -> datetime:
    return ctx.at.astimezone(UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# --------------------------------------------------------------------------------------------- providers
def register_provider(ctx: Context, name: str, uscc: str, kind: str) -> IncentiveProvider:
    """Register a provider (credit office). ``name`` becomes the institution of its accounts and tokens."""
    require(ctx, MANAGE)
    name = clean_text(name, "name", "服务提供方名称", NAME_MAX)
    code = (uscc or "").strip().upper()
    if not is_valid_uscc(code):
        raise InvalidInput("统一社会信用代码无效", field="uscc")
    catalogue = load_catalogue()
    if kind not in catalogue.provider_kinds:
        kinds = "、".join(f"{k}（{v}）" for k, v in catalogue.provider_kinds.items())
        raise InvalidInput(f"服务方类型应为：{kinds}", field="kind")
    if ctx.session.scalars(select(IncentiveProvider.id).where(IncentiveProvider.name == name)).first() is not None:
        raise Conflict(f"服务提供方 {name} 已登记", field="name")
    provider = IncentiveProvider(
        name=name, uscc=code, kind=kind, active=True, registered_by=ctx.actor, registered_at=_utc(ctx)
    )
    ctx.session.add(provider)
    ctx.session.flush()
    audit.record(ctx, "incentives.provider.register", "incentive_provider", provider.id, {"name": name, "kind": kind})
    return provider


def set_provider_active(ctx: Context, provider_id: int, active: bool) -> IncentiveProvider:
    """Suspend or resume a provider: a suspended provider's questions are refused (and logged)."""
    require(ctx, MANAGE)
    provider = fetch_or_404(ctx.session, IncentiveProvider, provider_id, "未找到该服务提供方", "provider_id")
    provider.active = active
    ctx.session.flush()
    action = "incentives.provider.activate" if active else "incentives.provider.deactivate"
    audit.record(ctx, action, "incentive_provider", provider.id, {"name": provider.name})
    return provider


def provider_by_name(ctx: Context, name: str | None) -> IncentiveProvider | None:
    """The registered provider called ``name`` (an account's or token's institution), or None."""
    if not name:
        return None
    return ctx.session.scalars(select(IncentiveProvider).where(IncentiveProvider.name == name)).first()


# --------------------------------------------------------------------------------------------- consents
def new_consent_token() -> str:
    """A fresh consent token, formatted for reading out."""
    body = "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_BODY))
    return "-".join([TOKEN_PREFIX] + [body[i : i + 5] for i in range(0, TOKEN_BODY, 5)])


def normalise_token(raw: str) -> str:
    """The token's 20 characters (upper case, without the prefix, dashes and spaces); "" when malformed."""
    text = "".join(ch for ch in (raw or "")[:TOKEN_INPUT_MAX].upper() if ch.isalnum())
    if text.startswith(TOKEN_PREFIX) and len(text) == TOKEN_BODY + len(TOKEN_PREFIX):
        text = text[len(TOKEN_PREFIX) :]
    if len(text) != TOKEN_BODY or any(ch not in TOKEN_ALPHABET for ch in text):
        return ""
    return text


def token_hash(raw: str) -> str:
    """The stored look-up hash of a presented token ("" when malformed: it matches nothing)."""
    body = normalise_token(raw)
    return hash_secret(TOKEN_PREFIX + body) if body else ""


def _own_person(ctx: Context) -> Subject:
    if ctx.role != "subject" or ctx.subject_id is None:
        raise PermissionDenied(ctx.role, OWN, "只有本人登录后才能授权或撤回守信激励查询")
    subject = fetch(ctx.session, Subject, ctx.subject_id)
    if subject is None:
        raise NotFound("未找到本人的信用主体信息")
    if subject.kind != "natural_person":
        raise InvalidInput("守信激励仅面向自然人：单位账户不能授权", field="subject")
    return subject


def issue_consent(ctx: Context, provider_id: int, scenario: str, days: int | None = None) -> tuple[str, ConsentToken]:
    """The person lets ``provider_id`` check ``scenario`` for ``days`` (the scenario's default when None).

    Returns ``(raw token, row)``: the raw token is shown this once and never stored."""
    require(ctx, OWN)
    person = _own_person(ctx)
    catalogue = load_catalogue()
    found = catalogue.find(scenario)
    if found is None:
        raise InvalidInput("未知的守信激励场景", field="scenario")
    provider = fetch(ctx.session, IncentiveProvider, provider_id)
    if provider is None or not provider.active:
        raise InvalidInput("该服务提供方不存在或已停用", field="provider_id")
    if provider.kind != found.provider_kind:
        raise InvalidInput(f"{provider.name} 不提供“{found.name}”", field="scenario")
    valid_days = catalogue.consent_days(found) if days is None else days
    if not 1 <= valid_days <= catalogue.defaults.consent_max_days:
        raise InvalidInput(f"授权有效期应为 1–{catalogue.defaults.consent_max_days} 天", field="days")
    raw = new_consent_token()
    now = _utc(ctx)
    consent = ConsentToken(
        subject_id=person.id,
        provider_id=provider.id,
        scenario=found.code,
        token_hash=token_hash(raw),
        issued_at=now,
        expires_at=now + timedelta(days=valid_days),
        revoked_at=None,
        uses=0,
    )
    ctx.session.add(consent)
    ctx.session.flush()
    detail = {"provider": provider.name, "scenario": found.code, "days": valid_days}
    audit.record(ctx, "incentives.consent.issue", "consent_token", consent.id, detail)
    return raw, consent


def revoke_consent(ctx: Context, consent_id: int) -> ConsentToken:
    """The person withdraws a consent at once; the provider's next question with it is refused."""
    require(ctx, OWN)
    person = _own_person(ctx)
    consent = fetch(ctx.session, ConsentToken, consent_id)
    if consent is None or consent.subject_id != person.id:
        raise NotFound("未找到该授权", field="consent_id")
    if consent.revoked_at is not None:
        raise Conflict("该授权已撤回", field="consent_id")
    consent.revoked_at = _utc(ctx)
    ctx.session.flush()
    audit.record(ctx, "incentives.consent.revoke", "consent_token", consent.id, {"scenario": consent.scenario})
    return consent


# --------------------------------------------------------------------------------------------- eligibility
@dataclass(frozen=True)
class CheckResult:
    """An eligibility answer: ``outcome`` eligible / not_eligible / refused, the refusal's reason code."""

    outcome: str
    reason: str = ""

    @property
    def eligible(self) -> bool:
        """Whether the person qualifies."""
        return self.outcome == ELIGIBLE

    @property
    def refused(self) -> bool:
        """Whether the question was refused."""
        return self.outcome == REFUSED

    @property
    def message(self) -> str:
        """What the provider is told of a refusal."""
        return REASONS.get(self.reason, "")


def _consent_reason(consent: Any, provider_id: int, scenario: str, now: datetime) -> str:
    """Why a consent (a row with ``provider_id``, ``revoked_at``, ``expires_at``, ``scenario``; None when no token
    matched) does not let ``provider_id`` ask about ``scenario`` now; "" when it does."""
    if consent is None:
        return "token_unknown"
    if consent.provider_id != provider_id:
        return "token_other_provider"
    if consent.revoked_at is not None:
        return "token_revoked"
    if _aware(consent.expires_at) <= now:
        return "token_expired"
    if consent.scenario != scenario:
        return "scenario_mismatch"
    return ""


# The hot path's statements, built once (the eligibility API has a p99 ≤ 20 ms target). One indexed look-up: the
# asking provider by its unique name, the consent by its unique token hash, and the person's band in the latest
# current run (as ``score_queries.current_score``, a correlated sub-select on ``ix_personal_score_subject``); then the
# uses counter and the check row.
_BAND = (
    select(PersonalScore.band)
    .join(PersonalScoreRun, PersonalScoreRun.id == PersonalScore.run_id)
    .where(PersonalScore.subject_id == ConsentToken.subject_id, PersonalScoreRun.current.is_(True))
    .order_by(PersonalScoreRun.id.desc())
    .limit(1)
    .correlate(ConsentToken)
    .scalar_subquery()
)
_LOOKUP = (
    select(
        IncentiveProvider.id,
        IncentiveProvider.kind,
        IncentiveProvider.active,
        ConsentToken.id.label("consent_id"),
        ConsentToken.provider_id,
        ConsentToken.subject_id,
        ConsentToken.scenario,
        ConsentToken.expires_at,
        ConsentToken.revoked_at,
        _BAND.label("band"),
    )
    .select_from(IncentiveProvider)
    .outerjoin(ConsentToken, ConsentToken.token_hash == bindparam("digest"))
    .where(IncentiveProvider.name == bindparam("name"))
)
_USED = (
    update(ConsentToken)
    .where(ConsentToken.id == bindparam("consent_id"))
    .values(uses=ConsentToken.uses + 1)
    .execution_options(synchronize_session=False)
)
_INSERT_CHECK = insert(EligibilityCheck).returning(EligibilityCheck.id)
_ASYNC_COMMIT = text("SET LOCAL synchronous_commit TO off")


def check_eligibility(ctx: Context, raw_token: str, scenario: str) -> CheckResult:
    """A provider's question: does the holder of ``raw_token`` qualify for ``scenario``?

    Every question leaves one ``eligibility_check`` row and one audit event, refusals included (returned, not
    raised: the caller commits). Nothing about the person is returned but the yes/no."""
    require(ctx, CHECK)
    conn = ctx.session.connection()  # Core on the session's connection and transaction: no ORM work on this path
    now = _utc(ctx)
    found = load_catalogue().find(scenario)
    digest = token_hash(raw_token)
    row = conn.execute(_LOOKUP, {"digest": digest or "-", "name": ctx.institution or ""}).first()
    has_consent = row is not None and row.consent_id is not None
    if row is None:
        reason = "provider_unknown"
    elif not row.active:
        reason = "provider_inactive"
    elif found is None:
        reason = "scenario_unknown"
    elif found.provider_kind != row.kind:
        reason = "scenario_not_served"
    else:
        reason = _consent_reason(row if has_consent else None, row.id, scenario, now)
    if reason:
        outcome = REFUSED
    else:
        assert row is not None and found is not None
        outcome = ELIGIBLE if row.band is not None and row.band in found.bands else NOT_ELIGIBLE
        conn.execute(_USED, {"consent_id": row.consent_id})
    code = found.code if found else scenario[:40]
    check_id = conn.execute(
        _INSERT_CHECK,
        {
            "scenario": code,
            "provider_id": row.id if row is not None else None,
            "consent_id": row.consent_id if has_consent else None,  # type: ignore[union-attr]
            "subject_id": row.subject_id if has_consent else None,  # type: ignore[union-attr]
            "outcome": outcome,
            "reason": reason,
            "checked_by": ctx.actor[:128],
            "checked_at": now,
        },
    ).scalar_one()
    detail = {
        "scenario": code,
        "provider": (ctx.institution or "")[:64],
        "outcome": outcome,
        "reason": reason,
        "consent": row.consent_id if has_consent else None,  # type: ignore[union-attr]
    }
    audit.record(
        ctx, "incentives.eligibility", "eligibility_check", check_id, detail, outcome="denied" if reason else "ok"
    )
    if not reason and conn.dialect.name == "postgresql" and get_settings().eligibility_async_commit:
        # An answer is asked again if lost; a refusal (a possible attack) is evidence and waits for its flush.
        # A server crash may lose at most ~3 × wal_writer_delay of answered questions, never leave half a row.
        conn.execute(_ASYNC_COMMIT)
    return CheckResult(outcome, reason)
