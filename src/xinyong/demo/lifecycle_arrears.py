"""Demo arrears ledger (issue #11 item 3): entries owed by the demo public bodies to demo enterprises, some paid off
in one or two payments, some part-paid, one disputed, and one complaint by an enterprise waiting at the desk, so
the ledger, the progress page and the overview have something to show after ``xinyong demo``.

Everything goes through ``government.arrears`` as the credit office (the complaint as the enterprise's own
account). Bodies come from ``bodies.list_bodies`` (the government step registers them first): none → nothing
planted. Creditors are drawn from the first ``CANDIDATES`` legal persons that are not public bodies, by
``random.Random(seed)``: deterministic for a seed. A ledger that already has entries is left alone (a second run
plants nothing). The caller commits. Returns the number of rows planted (entries, payments, complaints).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from xinyong.auth.context import Context
from xinyong.government import arrears, bodies
from xinyong.government.arrears_schemas import ComplaintIn, DisputeIn, EntryIn, PaymentIn
from xinyong.government.models import ArrearsEntry, PublicBody
from xinyong.subjects.models import Subject

CANDIDATES = 400
ENTRIES = 14
WORK = ("工程款", "设备采购款", "物业服务费", "软件开发服务费", "办公用品采购款", "绿化养护费", "检测服务费")


def _creditors(ctx: Context, rng: random.Random) -> list[Subject]:
    body_subjects = select(PublicBody.subject_id)
    pool = list(
        ctx.session.scalars(
            select(Subject)
            .where(Subject.kind == "legal_person", Subject.uscc.is_not(None), Subject.id.not_in(body_subjects))
            .order_by(Subject.id)
            .limit(CANDIDATES)
        )
    )
    rng.shuffle(pool)
    return pool


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def plant_arrears(ctx: Context, seed: int) -> int:
    """Plant the demo ledger; 0 when there are no bodies or the ledger already has entries."""
    office = ctx
    registered = [b for b in bodies.list_bodies(office) if b.active]
    if not registered or ctx.session.scalar(select(ArrearsEntry.id).limit(1)) is not None:
        return 0
    rng = random.Random(seed)
    creditors = _creditors(office, rng)
    today = office.today
    year_start = date(today.year, 1, 1)
    made = 0
    for i in range(ENTRIES):
        body = registered[i % len(registered)]
        creditor = creditors[i % len(creditors)] if creditors else None
        this_year = i % 3 != 0
        arose = (
            _day(rng, year_start, today - timedelta(days=20))
            if this_year
            else _day(rng, date(today.year - 1, 3, 1), date(today.year - 1, 11, 30))
        )
        amount = Decimal(rng.randrange(20_000, 2_000_000)) / 100 * 10
        work = WORK[i % len(WORK)]
        data = EntryIn(
            debtor_id=body.id,
            creditor_uscc=creditor.uscc or "" if creditor else "",
            creditor_name="" if creditor else f"番禺区示例供应商{i + 1}",
            amount=amount.quantize(Decimal("0.01")),
            arose_on=arose,
            description=f"{arose.year}年{work}（演示数据）",
        )
        entry = arrears.record_entry(office, data)
        made += 1
        plan = i % 4  # 0: paid off in two parts, 1: paid off at once, 2: part-paid, 3: nothing paid
        if plan in (0, 2):
            first = _day(rng, arose, today)
            part = (entry.amount * Decimal("0.4")).quantize(Decimal("0.01"))
            arrears.record_payment(office, entry.id, PaymentIn(amount=part, paid_on=first, note="首期清偿"))
            made += 1
            if plan == 0:
                rest = entry.amount - part
                last = _day(rng, first, today)
                arrears.record_payment(office, entry.id, PaymentIn(amount=rest, paid_on=last, note="清偿完毕"))
                made += 1
        elif plan == 1:
            paid_on = _day(rng, arose, today)
            arrears.record_payment(office, entry.id, PaymentIn(amount=entry.amount, paid_on=paid_on, note="一次性清偿"))
            made += 1
        elif i == 3:
            arrears.set_disputed(office, entry.id, DisputeIn(disputed=True, reason="双方对验收结果有争议，待核实"))
    if creditors:
        firm = creditors[-1]
        own = Context(
            session=ctx.session, actor=f"demo:subject:{firm.id}", role="subject", subject_id=firm.id, at=ctx.at
        )
        arrears.file_complaint(
            own,
            ComplaintIn(
                debtor_name=registered[0].name,
                amount=Decimal("86500.00"),
                description="为该单位提供的维修服务已验收合格超过60日，多次催告仍未付款（演示数据）",
                contact="020-84600000",
            ),
        )
        made += 1
    return made
