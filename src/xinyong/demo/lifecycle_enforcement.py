"""Demo 涉党政机关、国有企业执行案件 (issue #11 item 4): one court notice of last month with a few cases against the
demo town offices (bodies the government demo step registered; answered for by a township), imported through the
real import (so the cases are assigned to their towns with a deadline and an ``assign`` step), then some rectified
on the town's behalf and some closed, so the case list, the timelines and the monthly summary have something to
show after ``xinyong demo``.

Deterministic for a seed (``random.Random(seed)`` picks the bodies, amounts and days). Without a town office on the
register (or with any body if none is a town office) — nothing; a second run finds its notice and plants nothing.
The caller commits. Returns the number of cases planted.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

from sqlalchemy import select

from xinyong.auth.context import Context
from xinyong.errors import XinyongError
from xinyong.government import bodies, enforcement
from xinyong.government.enforcement_import import import_notice, month_bounds
from xinyong.government.enforcement_rules import enforcement_rules
from xinyong.government.models import EnforcementNotice
from xinyong.workplan.units import unit_kind

COURT = "广州市番禺区人民法院"
CASES = 5
HEADERS = (
    "案号",
    "执行法院",
    "被执行人名称",
    "被执行人统一社会信用代码",
    "申请执行人",
    "执行标的金额（元）",
    "立案日期",
    "案由",
)
APPLICANTS = (
    "广州市番禺区恒达建筑工程有限公司",
    "广州市番禺区宏兴物业服务有限公司",
    "广州市番禺区顺联园林绿化有限公司",
)
CAUSES = ("建设工程施工合同纠纷", "物业服务合同纠纷", "买卖合同纠纷", "劳务合同纠纷")


def _previous_period(today: date) -> str:
    last = today.replace(day=1) - timedelta(days=1)
    return f"{last:%Y-%m}"


def plant_enforcement(ctx: Context, seed: int) -> int:
    """Plant the demo notice (see the module docstring); the number of cases."""
    offices = [b for b in bodies.list_bodies(ctx) if b.active and unit_kind(b.unit_code) == "town"]
    if not offices:
        return 0
    period = _previous_period(ctx.today)
    found = ctx.session.scalar(
        select(EnforcementNotice.id).where(EnforcementNotice.period == period, EnforcementNotice.court == COURT)
    )
    if found is not None:
        return 0
    rng = random.Random(seed)
    first, last = month_bounds(period)
    chosen = [offices[i % len(offices)] for i in range(CASES)]
    rng.shuffle(chosen)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for n, body in enumerate(chosen, start=1):
        filed = first + timedelta(days=rng.randrange((last - first).days + 1))
        amount = f"{rng.randrange(20_000, 2_000_000)}.{rng.randrange(100):02d}"
        number = f"（{first.year}）粤0113执{seed % 9000 + 1000 + n}号"
        writer.writerow(
            [number, COURT, body.name, body.uscc, rng.choice(APPLICANTS), amount, filed.isoformat(), rng.choice(CAUSES)]
        )
    content = out.getvalue().encode("utf-8-sig")
    try:
        result = import_notice(ctx, period, COURT, f"{period}-执行案件通报.csv", content)
    except XinyongError:
        return 0  # e.g. the case numbers of this seed were imported under another court's name
    outcomes = list(enforcement_rules().outcome_labels())
    for index, case_id in enumerate(result.case_ids):
        if index % 3 == 2:
            continue  # left assigned: open in the summary
        enforcement.rectify(ctx, case_id, "已与申请执行人对账并落实资金安排", f"整改报告第{index + 1}号")
        if index % 3 == 0:
            enforcement.close(ctx, case_id, outcomes[index % 2], note="法院确认")
    return len(result.case_ids)
