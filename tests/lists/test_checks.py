"""The joint check (一键查询) on the service layer: hits on several lists, no hit, a natural person by ID number
(masked in the log), red-list incentives, abolished measures never returned, bad input refused with nothing
logged, time travel, the check log row, and batches (size limit, bad codes per position, repeated codes)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from principals import admin_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import company, departments, ric, uscc
from list_factories import department, published_entry
from xinyong.auth.context import Context
from xinyong.auth.credentials import CredentialRevoked, token_context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.auth.tokens import create_token, revoke_token
from xinyong.errors import InvalidInput
from xinyong.lists.check_schemas import MAX_BATCH
from xinyong.lists.checks import check, check_batch
from xinyong.lists.models import ListCheck
from xinyong.subjects.models import Department, Subject
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import register_subject

PERSON_RIC = ric("19800101", "234")


def officer(db: Session, dept: Department, name: str = "officer") -> Context:
    """A department officer of ``dept`` (as a logged-in account would act)."""
    return Context(session=db, actor=f"account:{name}", role="department_officer", department_id=dept.id)


def person(ctx: Context, name: str = "李某某", code: str = PERSON_RIC) -> Subject:
    return register_subject(ctx, SubjectIn(kind="natural_person", name=name, ric=code))


@pytest.fixture
def czj(db: Session, ctx: Context) -> Context:
    """An officer of 区财政局 (procurement), with 市场监管局 present for its lists."""
    departments(db)
    return officer(db, department(db, "czj"), "czj_officer")


def logged(db: Session) -> list[ListCheck]:
    return list(db.scalars(select(ListCheck).order_by(ListCheck.id)))


def test_a_subject_on_several_lists_gets_every_entry_and_the_scenario_measures(ctx: Context, czj: Context) -> None:
    firm = company(ctx, "广州欠薪建筑有限公司", 1)
    wage = published_entry(czj.session, firm, "wage_arrears", published_on=date(2026, 3, 2))
    samr = published_entry(czj.session, firm, "samr_serious_illegal", published_on=date(2026, 5, 11))
    answer = check(czj, f" {firm.uscc.lower()} ", "bidding")
    assert answer.hit and answer.found
    assert [s.name for s in answer.subjects] == ["广州欠薪建筑有限公司"]
    assert answer.subjects[0].code == firm.uscc
    assert [(e.id, e.list_code, e.list_kind) for e in answer.entries] == [
        (samr.id, "samr_serious_illegal", "received"),
        (wage.id, "wage_arrears", "dishonesty"),
    ]
    wage_out = answer.entries[1]
    assert wage_out.department_name == "广州市番禺区人力资源和社会保障局"
    assert (wage_out.decision_on, wage_out.published_on) == (date(2026, 3, 2), date(2026, 3, 2))
    assert wage_out.expires_on is None
    assert "国务院令第724号" in wage_out.basis
    assert [m.id for m in answer.measures] == ["wage_bidding"]
    measure = answer.measures[0]
    assert measure.kind == "punishment" and measure.status == "retain" and measure.department == "zjj"
    assert sorted(measure.lists) == ["samr_serious_illegal", "wage_arrears"]
    assert any("国务院令第724号" in b for b in measure.legal_basis)
    row = logged(czj.session)[-1]
    assert row.id == answer.check_id
    assert (row.code, row.subject_id, row.hit, row.scenario) == (firm.uscc, firm.id, True, "bidding")
    assert sorted(row.entry_ids) == sorted([wage.id, samr.id]) and row.measure_ids == ["wage_bidding"]
    assert row.department_id == czj.department_id and row.actor == "account:czj_officer"
    assert row.request_id == czj.request_id and row.batch_ref is None
    # procurement: the wage list's procurement measure only
    assert [m.id for m in check(czj, firm.uscc, "procurement").measures] == ["wage_procurement"]


def test_no_hit_and_an_unknown_code_are_answered_and_logged(ctx: Context, czj: Context) -> None:
    firm = company(ctx, "广州守法贸易有限公司", 2)
    clean = check(czj, firm.uscc, "procurement")
    assert clean.found and not clean.hit and clean.entries == [] and clean.measures == []
    unknown = check(czj, uscc(999), "procurement")
    assert not unknown.found and not unknown.hit and unknown.subjects == []
    rows = logged(czj.session)
    assert [(r.hit, r.subject_id) for r in rows] == [(False, firm.id), (False, None)]


def test_a_natural_person_is_found_by_id_number_and_never_logged_in_clear(ctx: Context, czj: Context) -> None:
    firm = company(ctx, "广州欠薪劳务有限公司", 3)
    boss = person(ctx)
    employer = published_entry(czj.session, firm, "wage_arrears")
    responsible = published_entry(czj.session, boss, "wage_arrears", parent=employer)
    answer = check(czj, PERSON_RIC, "subsidies")
    masked = PERSON_RIC[:4] + "*" * 10 + PERSON_RIC[-4:]
    assert answer.code == masked and answer.code_kind == "ric"
    assert [(s.name, s.code) for s in answer.subjects] == [("李某某", masked)]
    assert [(e.id, e.role) for e in answer.entries] == [(responsible.id, "responsible_person")]
    assert [m.id for m in answer.measures] == ["wage_subsidies"]
    row = logged(czj.session)[-1]
    assert row.code == masked and row.subject_id == boss.id
    assert PERSON_RIC not in answer.model_dump_json()
    actions = czj.session.scalars(select(AuditEvent.action)).all()
    assert not [a for a in actions if a.startswith("checks.")]  # the check log row is the record


def test_red_lists_bring_incentives_and_abolished_measures_never_apply(ctx: Context, czj: Context) -> None:
    department(czj.session, "fgj")
    honest = company(ctx, "广州守合同重信用有限公司", 4)
    published_entry(czj.session, honest, "contract_honouring")
    answer = check(czj, honest.uscc, "financing")
    assert answer.hit and [(m.id, m.kind, m.kind_label) for m in answer.measures] == [
        ("red_financing", "incentive", "守信激励")
    ]
    assert answer.entries[0].list_kind_label == "红名单"
    debtor = company(ctx, "广州欠薪出行有限公司", 5)
    published_entry(czj.session, debtor, "wage_arrears")
    travel = check(czj, debtor.uscc, "travel_consumption")  # district_travel_ban is abolished
    assert travel.hit and travel.measures == []


def test_bad_input_is_refused_and_nothing_is_logged(ctx: Context, czj: Context) -> None:
    bad = uscc(6)[:-1] + ("0" if uscc(6)[-1] != "0" else "1")
    with pytest.raises(InvalidInput, match=r"代码.*无效") as malformed:
        check(czj, bad, "procurement")
    assert malformed.value.field == "code"
    with pytest.raises(InvalidInput, match=r"无法识别|无效"):
        check(czj, "not a code", "procurement")
    with pytest.raises(InvalidInput, match="可用的场景：procurement（政府采购）") as unknown:
        check(czj, uscc(6), "space_travel")
    assert unknown.value.field == "scenario"
    with pytest.raises(InvalidInput, match="晚于今天") as future:
        check(czj, uscc(6), "procurement", date(2026, 11, 28))
    assert future.value.field == "as_of"
    wrong_digit = PERSON_RIC[:-1] + ("0" if PERSON_RIC[-1] != "0" else "1")
    with pytest.raises(InvalidInput) as id_number:
        check(czj, wrong_digit, "procurement")
    assert wrong_digit not in id_number.value.message  # an ID-number-shaped input is masked in the message
    assert logged(czj.session) == []


def test_time_travel_before_publication_and_after_expiry(ctx: Context, czj: Context) -> None:
    firm = company(ctx, "广州时间旅行有限公司", 7)
    published_entry(czj.session, firm, "wage_arrears", published_on=date(2026, 3, 2), expires_on=date(2026, 9, 1))
    assert not check(czj, firm.uscc, "procurement", date(2026, 3, 1)).hit
    on_day = check(czj, firm.uscc, "procurement", date(2026, 3, 2))
    assert on_day.hit and on_day.checked_on == date(2026, 3, 2)
    assert check(czj, firm.uscc, "procurement", date(2026, 8, 31)).hit
    assert not check(czj, firm.uscc, "procurement").hit  # expired on 2026-09-01
    assert [r.checked_on for r in logged(czj.session)][:2] == [date(2026, 3, 1), date(2026, 3, 2)]


def test_permission_and_token_scopes(db: Session, ctx: Context, czj: Context) -> None:
    firm = company(ctx, "广州权限测试有限公司", 8)
    with pytest.raises(PermissionDenied):
        check(Context(session=db, actor="account:bank", role="bank", institution="某银行"), firm.uscc, "financing")
    with pytest.raises(PermissionDenied):
        check(Context(session=db, actor="account:auditor", role="auditor"), firm.uscc, "financing")
    token = Context(
        session=db,
        actor="token:abcd:财政局采购系统",
        role="department_officer",
        department_id=czj.department_id,
        scopes=frozenset({"checks.run", "checks.feedback"}),
    )
    assert check(token, firm.uscc, "procurement").check_id
    narrow = Context(session=db, actor="token:x", role="department_officer", scopes=frozenset({"subjects.read"}))
    with pytest.raises(PermissionDenied, match="令牌"):
        check(narrow, firm.uscc, "procurement")


def test_a_check_by_a_revoked_token_is_refused_by_its_own_write(db: Session, ctx: Context, czj: Context) -> None:
    """The log row is written only while the acting token is not revoked: the insert itself checks, so a token
    remembered by the lane (auth.credentials.TokenMemo) and revoked meanwhile is refused at once."""
    firm = company(ctx, "广州吊销测试有限公司", 9)
    officer_ctx = admin_context(db)
    _, token = create_token(
        officer_ctx,
        "财政局采购系统",
        "department_officer",
        department_id=czj.department_id,
        scopes=["checks.run"],
        expires_on=officer_ctx.today + timedelta(days=30),
    )
    live = token_context(db, token)
    assert check(live, firm.uscc, "procurement").check_id
    revoke_token(officer_ctx, token.id, "系统下线")
    with pytest.raises(CredentialRevoked) as refused:
        check(live, firm.uscc, "procurement")
    assert refused.value.status == 401
    assert len(logged(db)) == 1
    # other actors (no token) are not affected by the guard
    assert check(czj, firm.uscc, "procurement").check_id and len(logged(db)) == 2


# --------------------------------------------------------------------------------------------- batches
def test_a_batch_answers_every_position(ctx: Context, czj: Context) -> None:
    listed = company(ctx, "广州批量欠薪有限公司", 11)
    clean = company(ctx, "广州批量守法有限公司", 12)
    entry = published_entry(czj.session, listed, "wage_arrears")
    person(ctx)
    bad = uscc(13)[:-1] + ("0" if uscc(13)[-1] != "0" else "1")
    codes = [listed.uscc, clean.uscc, bad, "", listed.uscc.lower(), uscc(14), PERSON_RIC]
    out = check_batch(czj, codes, "procurement")
    assert (out.total, out.checked, out.hits, out.invalid) == (7, 4, 2, 2)
    first, second, third, fourth, fifth, sixth, seventh = out.items
    assert first.hit and first.entries[0].id == entry.id and first.measure_ids == ["wage_procurement"]
    assert not second.hit and second.found
    assert third.error and third.check_id is None and "无效" in third.error
    assert fourth.error and fourth.position == 4
    assert fifth.duplicate_of == 1 and fifth.check_id == first.check_id and fifth.hit and fifth.position == 5
    assert not sixth.found and sixth.check_id is not None
    assert seventh.code == PERSON_RIC[:4] + "*" * 10 + PERSON_RIC[-4:] and not seventh.hit
    assert [m.id for m in out.measures] == ["wage_procurement"]
    rows = logged(czj.session)
    assert len(rows) == 4 and {r.batch_ref for r in rows} == {out.batch_ref}
    assert [r.id for r in rows] == [i.check_id for i in out.items if i.check_id and i.duplicate_of is None]
    assert PERSON_RIC not in out.model_dump_json()


def test_batch_limits(ctx: Context, czj: Context) -> None:
    with pytest.raises(InvalidInput, match="最多查询 10,000 个代码（收到 10,001 个）"):
        check_batch(czj, [uscc(1)] * (MAX_BATCH + 1), "procurement")
    with pytest.raises(InvalidInput, match="至少提交一个代码"):
        check_batch(czj, [], "procurement")
    with pytest.raises(InvalidInput, match="可用的场景"):
        check_batch(czj, [uscc(1)], "nowhere")
    full = check_batch(czj, [uscc(n) for n in range(MAX_BATCH)], "procurement")
    assert full.checked == MAX_BATCH and full.hits == 0
    assert len(logged(czj.session)) == MAX_BATCH


def test_a_batch_of_bad_codes_only_logs_nothing(ctx: Context, czj: Context) -> None:
    out = check_batch(czj, ["x", "123"], "procurement")
    assert (out.checked, out.invalid) == (0, 2) and all(i.error for i in out.items)
    assert logged(czj.session) == []
