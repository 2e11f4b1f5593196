"""Government contracts (issue #11 item 2): the rulebook, registration rules (the payment terms add up to the
amount, dates, seqs, the counterparty), department scoping, terms done (partial payments), amendments by new terms
only, completion and termination, declared defaults, alerts as of a day and the idempotent daily step that turns a
term past the grace into one government-integrity record. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import factories
from government import gov_factories as g
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.government import contract_queries, contracts
from xinyong.government.contract_rules import contract_rules
from xinyong.government.contract_schemas import AmendIn, ContractIn, TermIn
from xinyong.government.models import GovContract, GovContractTerm, GovIntegrityRecord
from xinyong.subjects.models import Department

TODAY = date(2026, 11, 27)


def terms(*due_amounts: tuple[date, str | None]) -> list[TermIn]:
    """Terms in order: an amount makes a payment, None a milestone."""
    return [
        TermIn(
            seq=i,
            kind="payment" if amount is not None else "milestone",
            description=f"第{i}期",
            due_on=due,
            amount=Decimal(amount) if amount is not None else None,
        )
        for i, (due, amount) in enumerate(due_amounts, start=1)
    ]


def contract_in(body_id: int, no: str = "PY-2026-001", amount: str = "1000000.00", **kw: object) -> ContractIn:
    """A contract signed on 2026-01-10 with a milestone and two payments adding up to ``amount``."""
    half = (Decimal(amount) / 2).quantize(Decimal("0.01"))
    data: dict[str, object] = {
        "contract_no": no,
        "title": "市桥街道社区服务中心改造工程",
        "body_id": body_id,
        "counterparty_name": "广州市番禺建设工程有限公司",
        "amount": Decimal(amount),
        "signed_on": date(2026, 1, 10),
        "ends_on": date(2026, 12, 31),
        "terms": terms(
            (date(2026, 3, 1), None),
            (date(2026, 6, 30), str(half)),
            (TODAY + timedelta(days=7), str(Decimal(amount) - half)),
        ),
    }
    data.update(kw)
    return ContractIn.model_validate(data)


def officer(db: Session, dept: Department) -> Context:
    return Context(session=db, actor="officer", role="department_officer", department_id=dept.id)


def test_rulebook_cites_its_sources() -> None:
    rules = contract_rules()
    assert rules.alerts.window_workdays >= 1 and rules.defaults.grace_days >= 0
    assert set(rules.term_kind_labels()) == {"milestone", "payment"}
    assert "76号" in rules.source and "防止政府失信" in rules.source
    assert all(k.source for k in rules.term_kinds + rules.statuses)


def test_register_with_schedule_and_audit(db: Session, ctx: Context) -> None:
    office = g.town_office(ctx)
    firm = factories.company(ctx, "广州市番禺建设工程有限公司", 3)
    contract = contracts.register_contract(ctx, contract_in(office.id, counterparty_uscc=firm.uscc or ""))
    assert contract.status == "performing" and contract.counterparty_id == firm.id
    assert contract.counterparty_uscc == firm.uscc
    stored = contracts.terms_of(ctx, contract.id)
    assert [t.seq for t in stored] == [1, 2, 3]
    assert sum(t.amount or 0 for t in stored if t.kind == "payment") == contract.amount
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "government.contract"))
    assert event is not None and event.target_id == str(contract.id)


def test_unknown_counterparty_code_is_kept_unlinked(db: Session, ctx: Context) -> None:
    """A code no registry subject holds yet is stored as given (no link); the list finds the contract by it."""
    office = g.town_office(ctx)
    code = g.body_uscc(900, "soe")
    contract = contracts.register_contract(ctx, contract_in(office.id, counterparty_uscc=code))
    assert contract.counterparty_id is None and contract.counterparty_name == "广州市番禺建设工程有限公司"
    db.expire_all()
    assert db.get(GovContract, contract.id).counterparty_uscc == code  # type: ignore[union-attr]
    found = contract_queries.list_contracts(ctx, ctx.today, q=code[-8:])
    assert [(r.id, r.counterparty_uscc) for r in found] == [(contract.id, code)]
    with pytest.raises(InvalidInput) as bad:
        contracts.register_contract(ctx, contract_in(office.id, "PY-X", counterparty_uscc=code[:-1] + "0"))
    assert bad.value.field == "counterparty_uscc"


def test_payments_must_add_up_to_the_amount(db: Session, ctx: Context) -> None:
    office = g.town_office(ctx)
    data = contract_in(office.id, terms=terms((date(2026, 3, 1), "600000.00"), (date(2026, 6, 1), "300000.00")))
    with pytest.raises(InvalidInput, match=r"900,000.00 元与合同金额 1,000,000.00 元不一致（少 100,000.00 元）"):
        contracts.register_contract(ctx, data)
    assert db.scalar(select(func.count()).select_from(GovContract)) == 0


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"amount": Decimal("-1")}, "不能为负数"),
        ({"ends_on": date(2025, 12, 1)}, "早于签订日期"),
        ({"signed_on": date(2026, 12, 1), "ends_on": None}, "晚于今天"),
        ({"terms": terms((date(2025, 12, 1), "1000000.00"))}, "早于签订日期"),
        ({"terms": terms((date(2030, 1, 1), "1000000.00"))}, "晚于履行期限届满后"),
        (
            {"terms": [TermIn(seq=1, kind="payment", description="a", due_on=TODAY, amount=Decimal("500000"))] * 2},
            "重复",
        ),
        ({"terms": [TermIn(seq=1, kind="rent", description="a", due_on=TODAY, amount=Decimal("1000000"))]}, "类型"),
        ({"terms": [TermIn(seq=1, kind="payment", description="a", due_on=TODAY)]}, "请填写节点金额"),
    ],
)
def test_bad_contracts_are_refused(db: Session, ctx: Context, change: dict, match: str) -> None:
    office = g.town_office(ctx)
    with pytest.raises(InvalidInput, match=match):
        contracts.register_contract(ctx, contract_in(office.id, **change))
    assert db.scalar(select(func.count()).select_from(GovContractTerm)) == 0


def test_duplicate_number_and_unknown_body(db: Session, ctx: Context) -> None:
    office = g.town_office(ctx)
    contracts.register_contract(ctx, contract_in(office.id))
    with pytest.raises(Conflict, match="已登记"):
        contracts.register_contract(ctx, contract_in(office.id))
    with pytest.raises(Exception, match="不存在"):
        contracts.register_contract(ctx, contract_in(office.id + 999, "PY-2"))


def test_department_officer_is_scoped_to_its_bodies(
    db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    market, justice = departments
    own = g.body(ctx, "广州市番禺区市场监督管理局", 1, unit="scjgj")
    other = g.town_office(ctx, 2)
    mine = contracts.register_contract(officer(db, market), contract_in(own.id))
    assert mine.department_id == market.id
    with pytest.raises(PermissionDenied, match="本部门负责"):
        contracts.register_contract(officer(db, market), contract_in(other.id, "PY-9"))
    with pytest.raises(PermissionDenied):
        contracts.record_term_done(officer(db, justice), contracts.terms_of(ctx, mine.id)[0].id, date(2026, 3, 1))
    with pytest.raises(PermissionDenied, match="区信用办"):
        contracts.declare_default(officer(db, market), mine.id, "未付款")
    public = Context(session=db, actor="anon", role="public")
    with pytest.raises(PermissionDenied):
        contract_queries.list_contracts(public, TODAY)


def test_terms_done_with_partial_payment(db: Session, ctx: Context) -> None:
    office = g.town_office(ctx)
    contract = contracts.register_contract(ctx, contract_in(office.id))
    milestone, first, last = contracts.terms_of(ctx, contract.id)
    with pytest.raises(InvalidInput, match="履约节点不登记支付金额"):
        contracts.record_term_done(ctx, milestone.id, date(2026, 3, 1), Decimal(1))
    with pytest.raises(NotFound):  # a page's URL naming another contract
        contracts.record_term_done(ctx, milestone.id, date(2026, 3, 1), contract_id=contract.id + 1)
    contracts.record_term_done(ctx, milestone.id, date(2026, 3, 1), contract_id=contract.id)
    assert milestone.done_on == date(2026, 3, 1)
    with pytest.raises(Conflict):
        contracts.record_term_done(ctx, milestone.id, date(2026, 3, 2))
    with pytest.raises(InvalidInput, match="应大于 0"):
        contracts.record_term_done(ctx, last.id, date(2026, 7, 1), Decimal("0"))
    contracts.record_term_done(ctx, first.id, date(2026, 6, 20), Decimal("200000.00"))
    assert first.done_on is None and first.paid_amount == Decimal("200000.00")
    with pytest.raises(InvalidInput, match="超过该节点未付金额"):
        contracts.record_term_done(ctx, first.id, date(2026, 6, 25), Decimal("400000.00"))
    contracts.record_term_done(ctx, first.id, date(2026, 6, 28))  # the rest
    assert first.done_on == date(2026, 6, 28) and first.paid_amount == first.amount
    with pytest.raises(InvalidInput, match="晚于今天"):
        contracts.record_term_done(ctx, last.id, TODAY + timedelta(days=1))
    with pytest.raises(Conflict, match="尚未履行完毕"):
        contracts.complete_contract(ctx, contract.id)
    contracts.record_term_done(ctx, last.id, TODAY)
    done = contracts.complete_contract(ctx, contract.id)
    assert done.status == "completed" and done.closed_on == TODAY
    with pytest.raises(Conflict):
        contracts.record_term_done(ctx, last.id, TODAY)


def test_amend_adds_terms_only_and_keeps_the_sum(db: Session, ctx: Context) -> None:
    office = g.town_office(ctx)
    contract = contracts.register_contract(ctx, contract_in(office.id))
    extra = [
        TermIn(seq=4, kind="payment", description="追加工程款", due_on=date(2026, 12, 20), amount=Decimal("50000"))
    ]
    with pytest.raises(InvalidInput, match=r"多 50,000\.00 元"):
        contracts.amend_contract(ctx, contract.id, AmendIn(reason="追加工程", terms=extra))
    clash = [TermIn(seq=2, kind="milestone", description="x", due_on=date(2026, 12, 20))]
    with pytest.raises(InvalidInput, match="重复"):
        contracts.amend_contract(ctx, contract.id, AmendIn(reason="x", terms=clash))
    amended = contracts.amend_contract(
        ctx, contract.id, AmendIn(reason="追加工程", amount=Decimal("1050000.00"), terms=extra)
    )
    assert amended.amount == Decimal("1050000.00") and len(contracts.terms_of(ctx, contract.id)) == 4
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "government.contract_amend"))
    assert event is not None and event.detail["amount_from"] == "1000000.00"


def test_alerts_before_and_after_due_dates(db: Session, ctx: Context) -> None:
    office = g.town_office(ctx)
    contract = contracts.register_contract(ctx, contract_in(office.id))
    found = contract_queries.alerts(ctx, TODAY)
    assert [(a.seq, a.kind) for a in found] == [(1, "overdue"), (2, "overdue"), (3, "due_soon")]
    assert found[0].days_overdue == (TODAY - date(2026, 3, 1)).days
    assert found[2].workdays_left == 5  # 2026-12-04 is five working days after Friday 2026-11-27
    contracts.record_term_done(ctx, contracts.terms_of(ctx, contract.id)[0].id, date(2026, 3, 1))
    early = contract_queries.alerts(ctx, date(2026, 2, 20))
    assert early == [] or all(a.due_on >= date(2026, 2, 20) for a in early)
    assert [a.seq for a in contract_queries.alerts(ctx, date(2026, 6, 22))] == [2]  # 6 working days before
    assert [a.seq for a in contract_queries.alerts(ctx, TODAY)] == [2, 3]
    rows = contract_queries.list_contracts(ctx, TODAY, alert=True)
    assert rows[0].overdue == 1 and rows[0].due_soon == 1


def test_daily_step_defaults_once_and_records_once(db: Session, ctx: Context) -> None:
    office = g.town_office(ctx)
    contract = contracts.register_contract(ctx, contract_in(office.id))
    milestone, first, _ = contracts.terms_of(ctx, contract.id)
    contracts.record_term_done(ctx, milestone.id, date(2026, 3, 1))
    grace = contract_rules().defaults.grace_days
    assert contracts.daily_step(ctx, date(2026, 6, 30) + timedelta(days=grace)) == 0  # the last day of grace
    as_of = date(2026, 6, 30) + timedelta(days=grace + 1)
    assert contracts.daily_step(ctx, as_of) == 1
    assert contracts.daily_step(ctx, as_of) == 0 and contracts.daily_step(ctx, TODAY) == 0
    assert contract.status == "defaulted"
    rows = list(db.scalars(select(GovIntegrityRecord)))
    assert len(rows) == 1
    record = rows[0]
    assert record.body_id == office.id and record.source_kind == "contract_default" and record.source_id == contract.id
    assert record.occurred_on == as_of and record.amount == first.amount
    listed = contract_queries.list_records(ctx, office.id)
    assert [r.id for r in listed] == [record.id] and listed[0].source_label == "政府合同违约"
    detail = contract_queries.contract_detail(ctx, contract.id, TODAY)
    assert [t.state for t in detail.terms] == ["done", "past_grace", "due_soon"]
    assert [e.action for e in detail.timeline][-1] == "government.contract_default"
    assert detail.records[0].id == record.id


def test_declared_default_and_termination(db: Session, ctx: Context) -> None:
    office = g.town_office(ctx)
    contract = contracts.register_contract(ctx, contract_in(office.id))
    with pytest.raises(InvalidInput):
        contracts.declare_default(ctx, contract.id, "  ")
    contracts.declare_default(ctx, contract.id, "法院判决政府方支付工程款", date(2026, 11, 1))
    assert contract.status == "defaulted"
    with pytest.raises(Conflict):
        contracts.declare_default(ctx, contract.id, "again")
    assert contracts.daily_step(ctx, TODAY) == 0  # already defaulted: still one record
    assert db.scalar(select(func.count()).select_from(GovIntegrityRecord)) == 1
    ended = contracts.terminate_contract(ctx, contract.id, "双方协商解除")
    assert ended.status == "terminated"
    assert contract_queries.alerts(ctx, TODAY) == []
    with pytest.raises(Conflict):
        contracts.terminate_contract(ctx, contract.id, "again")
