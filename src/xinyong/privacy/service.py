"""The platform's side of PSI and private membership queries for a bank (issue #10 items 1, 2, 5).

A bank fetches the current setup of a scope (``setup``: the compiled set's GCS/Bloom filter of the encrypted codes,
and its version), encrypts its own codes under its own key (the client, ``xinyong_client.psi``), sends the request
naming the version, and gets the request's elements re-encrypted under the set's key (``process``). From that the
client learns which of its codes are in the set, or only how many in a cardinality-only scope. A private
membership query (匿踪查询) is the same exchange with one element.

The platform sees only the number of the client's elements (and when, and who). Every exchange, answered or
refused, is one ``psi_exchange`` row and one audit event with that number and never a code. Refused (answered,
not raised, so the log is committed): a caller without ``privacy.psi`` or whose institution is not registered
and active (403); an unknown scope or a scope not built yet (404); too many requests of the institution (429,
``rules/privacy.yaml`` rate); a stale version (409: the client fetches the new setup and sends again); an
oversized request (413, the scope's element limit); a body that is not a PSI request, a request in the wrong
mode, an empty one or a single-element one where the scope forbids membership queries (422); a replay of an
answered request (409, same digest).
"""

from __future__ import annotations

import hashlib
import re
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import private_set_intersection.python as psi
from google.protobuf.message import DecodeError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from xinyong import clock
from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import Conflict, InvalidInput, NotFound, XinyongError
from xinyong.lending.service import caller_institution
from xinyong.privacy import psi_worker
from xinyong.privacy.models import PsiExchange, PsiSet
from xinyong.privacy.policy import ScopePolicy, load_policy, scope_policy
from xinyong.privacy.psi_sets import current_set, server_for, server_key

PSI = "privacy.psi"
SCOPE_NAME = re.compile(r"[A-Za-z0-9_]{1,40}")
READ = "privacy.read"
MALFORMED = "请求报文格式错误：无法解析为隐私求交请求（protobuf Request），请使用平台客户端生成请求"


class TooManyRequests(XinyongError):
    """The institution's rate limit is reached."""

    status = 429
    code = "rate_limited"


class TooLarge(XinyongError):
    """A request over the scope's size limit."""

    status = 413
    code = "too_large"


@dataclass(frozen=True)
class Setup:
    """The current setup message of a scope and what the client needs to use it."""

    scope: str
    version: int
    reveal_intersection: bool
    max_client_elements: int
    data_structure: str
    setup: bytes


@dataclass(frozen=True)
class Answer:
    """One exchange: the server's response (serialised protobuf) or the refusal, and the exchange's log id."""

    exchange_id: int
    version: int | None
    response: bytes | None = None
    error: XinyongError | None = None


# --------------------------------------------------------------------------------------------- authorisation
def institution(ctx: Context) -> str:
    """The caller's institution, registered and active, holding ``privacy.psi``; ``PermissionDenied`` otherwise."""
    if ctx.role == "system":  # the console operator and the benchmark act for the platform itself
        return ctx.institution or "平台"
    return caller_institution(ctx, PSI).name


def setup(ctx: Context, scope: str) -> Setup:
    """The current setup of ``scope`` (for an authorised bank)."""
    institution(ctx)
    policy = scope_policy(scope)
    row = current_set(ctx.session, scope)
    if row is None:
        raise NotFound("该求交范围尚未编制，请稍后再试", field="scope")
    return _setup_of(row, policy)


def _setup_of(row: PsiSet, policy: ScopePolicy) -> Setup:
    return Setup(
        row.scope, row.version, row.reveal_intersection, policy.max_client_elements, row.data_structure, row.setup
    )


# --------------------------------------------------------------------------------------------- the exchange
def _log(
    ctx: Context,
    who: str,
    scope: str,
    row: PsiSet | None,
    kind: str,
    elements: int | None,
    error: XinyongError | None,
    digest: str | None = None,
) -> int:
    """One ``psi_exchange`` row and one audit event: sizes and outcome only, never a code."""
    reason = error.code if error is not None else ""
    exchange = PsiExchange(
        set_id=row.id if row is not None else None,
        institution=who[:64],
        kind=kind,
        client_elements=elements,
        request_digest=digest,
        outcome="ok" if error is None else "refused",
        reason=reason,
        actor=ctx.actor[:128],
        at=ctx.at,
    )
    ctx.session.add(exchange)
    ctx.session.flush()
    detail = {
        "scope": scope[:40],
        "version": row.version if row is not None else None,
        "kind": kind,
        "institution": who[:64],
        "client_elements": elements,
        "reason": reason,
    }
    audit.record(
        ctx, f"privacy.{kind}", "psi_exchange", exchange.id, detail, outcome="ok" if error is None else "denied"
    )
    return exchange.id


def _rate_error(ctx: Context, who: str) -> TooManyRequests | None:
    rate = load_policy().rate
    now = ctx.at
    day_start = datetime.combine(ctx.today, time(0), tzinfo=clock.CHINA_TZ)
    base = select(func.count()).select_from(PsiExchange).where(PsiExchange.institution == who[:64])
    minute = ctx.session.scalar(base.where(PsiExchange.at > now - timedelta(minutes=1))) or 0
    if minute >= rate.per_minute:
        return TooManyRequests(f"隐私求交请求过于频繁（每分钟最多 {rate.per_minute} 次），请稍后再试", field="rate")
    day = ctx.session.scalar(base.where(PsiExchange.at >= day_start)) or 0
    if day >= rate.per_day:
        return TooManyRequests(f"今日隐私求交请求已达上限（每日 {rate.per_day} 次），请明日再试", field="rate")
    return None


def request_digest(scope: str, version: int, request: psi.Request) -> str:
    """SHA-256 of the scope, version, mode and the sorted encrypted elements: the same request sent again (in any
    order or encoding) has the same digest."""
    h = hashlib.sha256(f"{scope}\0{version}\0{int(request.reveal_intersection)}".encode())
    for element in sorted(request.encrypted_elements):
        h.update(len(element).to_bytes(2, "big") + element)
    return h.hexdigest()


def _parse(body: bytes) -> psi.Request:
    request = psi.Request()
    try:
        request.ParseFromString(body)
    except (DecodeError, ValueError, RuntimeError) as exc:
        raise InvalidInput(MALFORMED, field="body") from exc
    return request


def _kind(policy: ScopePolicy, elements: int) -> str:
    if elements == 1:
        return "membership"
    return "psi" if policy.reveal_intersection else "cardinality"


def _check_envelope(policy: ScopePolicy, row: PsiSet, version: object, body: bytes) -> None:
    """Refuse before parsing: no or a stale version, an oversized or empty body."""
    if not isinstance(version, int) or isinstance(version, bool):
        raise InvalidInput("缺少集合版本号（X-PSI-Version），请先获取 setup", field="version")
    if version != row.version:
        raise Conflict(
            f"求交集合已更新为第 {row.version} 版（请求针对第 {version} 版），请重新获取 setup 后再发送请求",
            field="version",
            code="stale_version",
        )
    if len(body) > policy.max_request_bytes:
        raise TooLarge(f"请求过大：每次最多 {policy.max_client_elements} 个元素", field="body")
    if not body:
        raise InvalidInput("请求为空：请使用平台客户端生成请求", field="body")


def _check_request(policy: ScopePolicy, request: psi.Request) -> None:
    """Refuse a parsed request: no elements, too many, the wrong mode, a lookup where the scope forbids one."""
    elements = len(request.encrypted_elements)
    if elements == 0:
        raise InvalidInput("请求不含任何元素", field="body")
    if elements > policy.max_client_elements:
        raise TooLarge(f"请求过大：每次最多 {policy.max_client_elements} 个元素", field="body")
    if request.reveal_intersection != policy.reveal_intersection:
        want = "返回交集明细" if policy.reveal_intersection else "仅返回交集数量（cardinality-only）"
        raise InvalidInput(f"请求模式与该范围的策略不符：该范围{want}，请按 setup 的模式重新生成请求", field="body")
    if elements == 1 and not policy.allow_membership:
        raise InvalidInput("该范围不提供单个代码的匿踪查询，请提交批量名单", field="body")


def _answer_here(row: PsiSet, request: psi.Request) -> bytes:
    try:
        return server_for(row).ProcessRequest(request).SerializeToString()
    except RuntimeError as exc:  # an element that is not a point of the curve: the library's message stays here
        raise InvalidInput("请求含有无效的加密元素，请使用平台客户端重新生成请求", field="body") from exc


def _answer(row: PsiSet, request: psi.Request) -> bytes:
    parallel = load_policy().parallel
    elements = list(request.encrypted_elements)
    try:
        if parallel.workers > 1 and len(elements) >= parallel.parallel_min_elements:
            answer = psi_worker.process_parallel(server_key(row), row.reveal_intersection, elements, parallel.workers)
            response = psi.Response()
            response.encrypted_elements.extend(answer)
            return response.SerializeToString()
        return _answer_here(row, request)
    except BrokenProcessPool:  # a worker died: answer in this process, start a fresh pool next time
        psi_worker.shutdown()
        return _answer_here(row, request)
    except RuntimeError as exc:  # an element that is not a point of the curve: the library's message stays here
        raise InvalidInput("请求含有无效的加密元素，请使用平台客户端重新生成请求", field="body") from exc


def process(ctx: Context, scope: str, version: object, body: bytes) -> Answer:
    """Answer a bank's PSI request (or membership query: one element) against version ``version`` of ``scope``.

    Refusals are returned (``Answer.error``), not raised, after their exchange row and audit event are written:
    the caller commits and answers the error's status."""
    who = ctx.institution or ctx.actor
    scope = scope if SCOPE_NAME.fullmatch(scope) else "?"  # logged as given only when it can be a scope name
    row: PsiSet | None = None
    kind = "psi"
    elements: int | None = None
    try:
        who = institution(ctx)
        policy = scope_policy(scope)
        limited = _rate_error(ctx, who)
        if limited is not None:
            raise limited
        row = current_set(ctx.session, scope)
        if row is None:
            raise NotFound("该求交范围尚未编制，请稍后再试", field="scope")
        kind = "psi" if policy.reveal_intersection else "cardinality"
        _check_envelope(policy, row, version, body)
        request = _parse(body)
        elements = len(request.encrypted_elements)
        kind = _kind(policy, elements)
        _check_request(policy, request)
        digest = request_digest(scope, row.version, request)
        if ctx.session.scalar(select(PsiExchange.id).where(PsiExchange.request_digest == digest)) is not None:
            raise Conflict("该请求已处理过（重放），请重新生成请求后再试", field="body", code="replayed")
        response = _answer(row, request)
    except (PermissionDenied, XinyongError) as exc:
        return Answer(_log(ctx, who, scope, row, kind, elements, exc), row.version if row else None, error=exc)
    try:
        with ctx.session.begin_nested():
            exchange_id = _log(ctx, who, scope, row, kind, elements, None, digest)
    except IntegrityError:  # the same request answered concurrently: a replay
        replay = Conflict("该请求已处理过（重放），请重新生成请求后再试", field="body", code="replayed")
        return Answer(_log(ctx, who, scope, row, kind, elements, replay), row.version, error=replay)
    return Answer(exchange_id, row.version, response=response)
