"""Demo government integrity (issue #11 items 1–2): the register of public bodies and a handful of government
contracts, so the contract pages, alerts and government-integrity records have something to show after
``xinyong demo``. Runs before the other issue #11 demo steps (they name bodies of this register).

Bodies: the office (街道办事处 / 镇人民政府) of each of the 16 Panyu townships, answered for by that township; a few
district departments, each answered for by itself (the department's own USCC when the department table holds a
valid one); four SOEs answered for by the finance bureau (``czj``). Codes are valid government codes
(``make_uscc``: 机构编制 机关 for offices and departments, enterprises for the SOEs). A body already registered (by
name or code) is skipped, so a second run adds nothing.

Contracts: one per body of a stride through the register (skipped when its number is taken), signed months before
today with schedules whose payments add up to the amount, drawn by ``random.Random(seed)``: terms due more than two
weeks ago are done (on their due day), some are due within the alert window, and one payment is long overdue, so the
daily step (run here for today) turns that contract into a default and a government-integrity record.
Counterparties are registry enterprises (not bodies of the register) when there are any. The caller commits.
Returns the number of bodies, contracts and records planted.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from xinyong.auth.context import Context
from xinyong.codes.divisions import PANYU_TOWNSHIPS
from xinyong.codes.uscc import is_valid_uscc, make_uscc
from xinyong.government import bodies, contracts
from xinyong.government.contract_schemas import ContractIn, TermIn
from xinyong.government.models import GovContract, GovIntegrityRecord, PublicBody
from xinyong.subjects.models import Department, Subject

DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("jyj", "广州市番禺区教育局"),
    ("jtj", "广州市番禺区交通运输局"),
    ("zjj", "广州市番禺区住房和建设局"),
    ("scjgj", "广州市番禺区市场监督管理局"),
)
SOES: tuple[str, ...] = (
    "广州市番禺城市建设投资有限公司",
    "广州市番禺交通建设投资有限公司",
    "广州市番禺水务集团有限公司",
    "广州市番禺国有资产经营有限公司",
)
CONTRACT_COUNT = 8
DONE_BEFORE_DAYS = 14  # terms due more than two weeks ago were performed on time (but the planted default)
CENT = Decimal("0.01")


def _office_name(name: str, kind: str) -> str:
    return f"广州市番禺区{name}办事处" if kind == "街道" else f"广州市番禺区{name}人民政府"


def _register(ctx: Context, name: str, code: str, kind: str, unit: str) -> int:
    taken = ctx.session.scalar(select(PublicBody.id).where((PublicBody.name == name) | (PublicBody.uscc == code)))
    if taken is not None:
        return 0
    bodies.register_body(ctx, name, code, kind, unit)
    return 1


def plant_bodies(ctx: Context) -> int:
    """The demo register: township offices, district departments and SOEs (skipping any already registered)."""
    made = 0
    for n, town in enumerate(PANYU_TOWNSHIPS, start=1):
        code = make_uscc("1", "1", "440113", f"GT{n:06d}")
        made += _register(ctx, _office_name(town.name, town.kind), code, "organ", town.code)
    for n, (unit, name) in enumerate(DEPARTMENTS, start=1):
        dept = ctx.session.scalar(select(Department).where(Department.code == unit))
        own = (dept.uscc or "") if dept is not None else ""
        code = own if own and is_valid_uscc(own) else make_uscc("1", "1", "440113", f"GD{n:06d}")
        made += _register(ctx, name, code, "organ", unit)
    for n, name in enumerate(SOES, start=1):
        made += _register(ctx, name, make_uscc("9", "1", "440113", f"GQ{n:06d}"), "soe", "czj")
    return made


PROJECTS: tuple[tuple[str, str], ...] = (
    ("社区服务中心改造工程", "工程"),
    ("背街小巷环境提升工程", "工程"),
    ("环卫保洁服务采购", "服务"),
    ("智慧安防设备采购", "货物"),
    ("校园饭堂配餐服务采购", "服务"),
    ("公交候车亭改造工程", "工程"),
    ("污水管网维护服务", "服务"),
    ("政府和社会资本合作停车场项目", "PPP"),
)


def _schedule(rng: random.Random, today_index: int, amount: Decimal, signed: date, today: date) -> list[TermIn]:
    """Milestone then three payments (30% / 50% / 20%); the last due soon, or the middle one long overdue."""
    first = (amount * Decimal("0.3")).quantize(CENT)
    second = (amount * Decimal("0.5")).quantize(CENT)
    third = amount - first - second
    if today_index == 0:  # the overdue one: its middle payment is 75 days late
        dues = (
            signed + timedelta(days=20),
            signed + timedelta(days=40),
            today - timedelta(days=75),
            today + timedelta(days=60),
        )
    elif today_index % 2 == 1:  # a payment due within the alert window
        dues = (
            signed + timedelta(days=20),
            signed + timedelta(days=40),
            today + timedelta(days=rng.randint(3, 10)),
            today + timedelta(days=120),
        )
    else:  # nothing urgent yet
        dues = (
            signed + timedelta(days=30),
            signed + timedelta(days=60),
            today + timedelta(days=rng.randint(30, 90)),
            today + timedelta(days=200),
        )
    return [
        TermIn(seq=1, kind="milestone", description="开工或服务进场", due_on=dues[0]),
        TermIn(seq=2, kind="payment", description="预付款（30%）", due_on=dues[1], amount=first),
        TermIn(seq=3, kind="payment", description="进度款（50%）", due_on=dues[2], amount=second),
        TermIn(seq=4, kind="payment", description="验收后结算款（20%）", due_on=dues[3], amount=third),
    ]


def plant_contracts(ctx: Context, seed: int) -> int:
    """A handful of contracts of the demo bodies (skipping numbers already registered)."""
    rng = random.Random(seed)
    today = ctx.today
    found = list(ctx.session.scalars(select(PublicBody).where(PublicBody.active).order_by(PublicBody.id)))
    if not found:
        return 0
    firms = list(
        ctx.session.scalars(
            select(Subject)
            .where(
                Subject.kind == "legal_person",
                Subject.uscc.is_not(None),
                Subject.id.not_in(select(PublicBody.subject_id)),
            )
            .order_by(Subject.id)
            .limit(50)
        )
    )
    made = 0
    for i in range(CONTRACT_COUNT):
        number = f"PYZF-{today.year}-{i + 1:03d}"
        if ctx.session.scalar(select(GovContract.id).where(GovContract.contract_no == number)) is not None:
            continue
        body = found[(i * 3) % len(found)]
        title, kind = PROJECTS[i % len(PROJECTS)]
        amount = Decimal(rng.randrange(200, 5000) * 1000)
        signed = today - timedelta(days=rng.randint(150, 300))
        firm = firms[rng.randrange(len(firms))] if firms else None
        data = ContractIn(
            contract_no=number,
            title=f"{body.name.removeprefix('广州市番禺区').removeprefix('广州市')}{title}",
            body_id=body.id,
            counterparty_name=firm.name if firm else f"广州市番禺{kind}承接有限公司",
            counterparty_uscc=(firm.uscc or "") if firm else "",
            amount=amount,
            signed_on=signed,
            ends_on=today + timedelta(days=240),
            note="演示数据",
            terms=_schedule(rng, i, amount, signed, today),
        )
        contract = contracts.register_contract(ctx, data)
        made += 1
        for term in contracts.terms_of(ctx, contract.id):  # terms past their due date are done, on time
            overdue = i == 0 and term.seq == 3  # but the one meant to be a default
            if term.due_on < today - timedelta(days=DONE_BEFORE_DAYS) and not overdue:
                contracts.record_term_done(ctx, term.id, term.due_on)
    return made


def plant_government(ctx: Context, seed: int) -> int:
    """Bodies, contracts, and the defaults the daily step finds today. Returns how many rows were planted."""
    made = plant_bodies(ctx)
    made += plant_contracts(ctx, seed)
    before = len(list(ctx.session.scalars(select(GovIntegrityRecord.id))))
    contracts.daily_step(ctx, ctx.today)
    made += len(list(ctx.session.scalars(select(GovIntegrityRecord.id)))) - before
    return made
