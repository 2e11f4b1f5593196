"""The platform's side of PSI and private membership queries (issue #10 items 1, 2, 5): answers, cardinality-only
scopes, and every refusal (unauthorised, unknown scope, stale version, malformed, invalid point, oversized, wrong
mode, replayed, rate-limited) answered with a clear Chinese message, logged with sizes only, never a code."""

from __future__ import annotations

from datetime import date

import private_set_intersection.python as psi
import pytest
from sqlalchemy import select

from factories import company
from privacy.test_psi_sets import TODAY, _run, listed_district
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.lending import service as lending
from xinyong.lending.models import FinancialInstitution
from xinyong.lending.schemas import InstitutionIn
from xinyong.privacy import psi_sets, psi_worker, service
from xinyong.privacy.models import PsiExchange
from xinyong.privacy.policy import load_policy, scope_policy

BANK = "番禺测试商业银行"


def bank(ctx: Context, name: str = BANK, *, register: bool = True) -> Context:
    """A bank account's context; its institution registered (once) unless ``register`` is False."""
    known = ctx.session.scalar(select(FinancialInstitution).where(FinancialInstitution.name == name))
    if register and known is None:
        lending.register_institution(ctx, InstitutionIn(name=name, uscc="91440113MA59PS0001", kind="bank"))
    return Context(session=ctx.session, actor=f"test:bank:{name}", role="bank", institution=name)


def request_of(codes: list[str], reveal: bool) -> tuple[psi.client, bytes]:
    client = psi.client.CreateWithNewKey(reveal)
    return client, client.CreateRequest(codes).SerializeToString()


def found(client: psi.client, setup: service.Setup, answer: service.Answer, codes: list[str]) -> list[str]:
    server_setup, response = psi.ServerSetup(), psi.Response()
    server_setup.ParseFromString(setup.setup)
    assert answer.response is not None, answer.error
    response.ParseFromString(answer.response)
    return sorted(codes[i] for i in client.GetIntersection(server_setup, response))


def size(client: psi.client, setup: service.Setup, answer: service.Answer) -> int:
    server_setup, response = psi.ServerSetup(), psi.Response()
    server_setup.ParseFromString(setup.setup)
    assert answer.response is not None, answer.error
    response.ParseFromString(answer.response)
    return client.GetIntersectionSize(server_setup, response)


def exchanges(ctx: Context) -> list[PsiExchange]:
    return list(ctx.session.scalars(select(PsiExchange).order_by(PsiExchange.id)))


@pytest.fixture
def district(ctx: Context) -> dict:
    s = listed_district(ctx)
    psi_sets.rebuild(ctx, "lists_dishonesty", TODAY)
    return s


def test_a_bank_learns_which_of_its_codes_are_listed_and_the_platform_only_how_many(ctx: Context, district) -> None:
    b = bank(ctx)
    portfolio = [district["clean"].uscc, district["wage"].uscc, district["gone"].uscc, district["serious"].uscc]
    setup = service.setup(b, "lists_dishonesty")
    client, body = request_of(portfolio, setup.reveal_intersection)
    answer = service.process(b, "lists_dishonesty", setup.version, body)
    assert answer.error is None and answer.version == 1
    assert found(client, setup, answer, portfolio) == sorted([district["wage"].uscc, district["serious"].uscc])
    (row,) = exchanges(ctx)
    assert (row.institution, row.kind, row.client_elements, row.outcome) == (BANK, "psi", 4, "ok")
    assert row.request_digest and len(row.request_digest) == 64
    event = ctx.session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.psi"))
    assert event is not None and event.detail["client_elements"] == 4 and event.outcome == "ok"
    text = str(event.detail) + str(row.reason)
    assert not any(code in text for code in portfolio)


def test_membership_query_is_the_same_exchange_with_one_element(ctx: Context, district) -> None:
    b = bank(ctx)
    setup = service.setup(b, "lists_dishonesty")
    for code, listed in ((district["wage"].uscc, True), (district["clean"].uscc, False)):
        client, body = request_of([code], True)
        answer = service.process(b, "lists_dishonesty", setup.version, body)
        assert (found(client, setup, answer, [code]) == [code]) is listed
    assert [(r.kind, r.client_elements) for r in exchanges(ctx)] == [("membership", 1), ("membership", 1)]


def test_cardinality_only_scope_answers_a_count_and_refuses_single_lookups(ctx: Context) -> None:
    a, b_, c = (company(ctx, f"评价{n}有限公司", n) for n in (7201, 7202, 7203))
    _run(ctx.session, date(2026, 10, 31), {a.id: "D", b_.id: "B", c.id: "D"})
    psi_sets.rebuild(ctx, "grade_D", TODAY)
    b = bank(ctx)
    setup = service.setup(b, "grade_D")
    assert setup.reveal_intersection is False
    portfolio = [a.uscc, b_.uscc, c.uscc, "91440113MA00000000"]
    client, body = request_of(portfolio, False)
    answer = service.process(b, "grade_D", setup.version, body)
    assert size(client, setup, answer) == 2
    # asking for the listed codes is refused: the mode is the scope's
    _, reveal_body = request_of(portfolio, True)
    wrong = service.process(b, "grade_D", setup.version, reveal_body)
    assert wrong.error is not None and wrong.error.status == 422 and "cardinality-only" in wrong.error.message
    _, single = request_of([a.uscc], False)
    refused = service.process(b, "grade_D", setup.version, single)
    assert refused.error is not None and refused.error.status == 422 and "匿踪查询" in refused.error.message
    assert [(r.kind, r.outcome) for r in exchanges(ctx)] == [
        ("cardinality", "ok"),
        ("cardinality", "refused"),
        ("membership", "refused"),
    ]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b"\xff\xff\xff garbage", 422, "无法解析"),
        (b"", 422, "请求为空"),
        (b"\x08\x01", 422, "不含任何元素"),
        (
            psi.Request(reveal_intersection=True, encrypted_elements=[b"not a point"]).SerializeToString(),
            422,
            "无效的加密元素",
        ),
    ],
    ids=["malformed", "empty", "no-elements", "invalid-point"],
)
def test_bad_requests_are_refused_clearly_and_logged(
    ctx: Context, district, body: bytes, status: int, words: str
) -> None:
    b = bank(ctx)
    answer = service.process(b, "lists_dishonesty", 1, body)
    assert answer.error is not None and answer.error.status == status and words in answer.error.message
    for internal in ("Traceback", "protobuf.message", "ECGroup", "OPENSSL", "DecodeError", "psi_proto"):
        assert internal not in answer.error.message
    (row,) = exchanges(ctx)
    assert row.outcome == "refused" and row.reason == "invalid" and row.request_digest is None
    event = ctx.session.scalar(select(AuditEvent).where(AuditEvent.target_type == "psi_exchange"))
    assert event is not None and event.outcome == "denied"


def test_replayed_request_is_refused(ctx: Context, district) -> None:
    b = bank(ctx)
    _, body = request_of([district["wage"].uscc, district["clean"].uscc], True)
    assert service.process(b, "lists_dishonesty", 1, body).error is None
    again = service.process(b, "lists_dishonesty", 1, body)
    assert again.error is not None and again.error.status == 409 and again.error.code == "replayed"
    assert [(r.outcome, r.reason) for r in exchanges(ctx)] == [("ok", ""), ("refused", "replayed")]


def test_stale_version_is_refused_with_the_current_one(ctx: Context, district) -> None:
    b = bank(ctx)
    psi_sets.rebuild(ctx, "lists_dishonesty", TODAY, force=True)
    _, body = request_of([district["wage"].uscc], True)
    answer = service.process(b, "lists_dishonesty", 1, body)
    assert answer.error is not None and answer.error.status == 409 and answer.error.code == "stale_version"
    assert answer.version == 2 and "第 2 版" in answer.error.message
    missing = service.process(b, "lists_dishonesty", None, body)
    assert missing.error is not None and missing.error.status == 422 and missing.error.field == "version"
    # the same request against the new version is not a replay
    assert service.process(b, "lists_dishonesty", 2, body).error is None


def test_oversized_request_is_refused(ctx: Context, district, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scope_policy("lists_dishonesty"), "max_client_elements", 3)
    b = bank(ctx)
    _, body = request_of([f"9144011300000000{n:02d}" for n in range(4)], True)
    answer = service.process(b, "lists_dishonesty", 1, body)
    assert answer.error is not None and answer.error.status == 413 and "最多 3 个" in answer.error.message
    huge = service.process(b, "lists_dishonesty", 1, b"\x00" * 10_000)
    assert huge.error is not None and huge.error.status == 413  # refused by its byte size before parsing
    assert [(r.reason, r.client_elements) for r in exchanges(ctx)] == [("too_large", 4), ("too_large", None)]


def test_callers_without_authorisation_and_unknown_scopes_are_refused_and_logged(ctx: Context, district) -> None:
    _, body = request_of([district["wage"].uscc], True)
    unregistered = bank(ctx, "未登记的银行", register=False)
    office = Context(session=ctx.session, actor="test:office", role="credit_office_staff")
    for caller in (unregistered, office):
        answer = service.process(caller, "lists_dishonesty", 1, body)
        assert answer.error is not None and answer.error.status == 403
    with pytest.raises(Exception) as exc:
        service.setup(unregistered, "lists_dishonesty")
    assert getattr(exc.value, "status", None) == 403
    unknown = service.process(bank(ctx), "no_such_scope", 1, body)
    assert unknown.error is not None and unknown.error.status == 404
    rows = exchanges(ctx)
    assert [(r.institution, r.reason, r.set_id) for r in rows] == [
        ("未登记的银行", "forbidden", None),
        ("test:office", "forbidden", None),
        (BANK, "not_found", None),
    ]


def test_rate_limit_per_institution(ctx: Context, district, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load_policy().rate, "per_minute", 2)
    b = bank(ctx)
    outcomes = []
    for _ in range(3):
        _, body = request_of([district["wage"].uscc], True)
        answer = service.process(b, "lists_dishonesty", 1, body)
        outcomes.append(answer.error.status if answer.error else 200)
    assert outcomes == [200, 200, 429]
    monkeypatch.setattr(load_policy().rate, "per_minute", 100)
    monkeypatch.setattr(load_policy().rate, "per_day", 3)
    _, body = request_of([district["wage"].uscc], True)
    daily = service.process(b, "lists_dishonesty", 1, body)
    assert daily.error is not None and daily.error.status == 429 and "今日" in daily.error.message


@pytest.mark.parametrize("scope", ["lists_dishonesty", "grade_D"])
def test_large_requests_are_answered_in_parallel_chunks(
    ctx: Context, scope: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = listed_district(ctx)
    _run(ctx.session, date(2026, 10, 31), {s["clean"].id: "D", s["wage"].id: "D"})
    psi_sets.rebuild_all(ctx, TODAY)
    monkeypatch.setattr(load_policy().parallel, "parallel_min_elements", 4)
    b = bank(ctx)
    setup = service.setup(b, scope)
    portfolio = [s[k].uscc for k in ("clean", "wage", "gone", "serious", "abnormal")]
    client, body = request_of(portfolio, setup.reveal_intersection)
    try:
        answer = service.process(b, scope, setup.version, body)
    finally:
        psi_worker.shutdown()
    if setup.reveal_intersection:
        assert found(client, setup, answer, portfolio) == sorted([s["wage"].uscc, s["serious"].uscc])
    else:
        assert size(client, setup, answer) == 2
