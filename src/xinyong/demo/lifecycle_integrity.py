"""Demo civil servants' integrity files (公务员诚信档案, issue #11 item 1): a few civil servants of registered public
bodies with records (commendations, an appraisal result, an admonishment, one record withdrawn) and integrity
trainings, and two record checks (a transfer of a filed civil servant, a recruitment of a candidate without a
file), so the integrity pages have something to show after ``xinyong demo``.

Everything goes through ``government.integrity`` as the console operator. People, employers and dates are drawn
by ``random.Random(seed)`` (deterministic for a seed); the ID numbers are generated valid numbers of 番禺区
(440113), stored encrypted like any other. A person who already has a file (a second run) is skipped. Skipped
entirely (returns 0) when no public bodies are registered. The caller commits. Returns the number of rows planted.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from xinyong.auth.context import Context
from xinyong.codes.ric import ric_check_char
from xinyong.government import bodies, integrity, integrity_queries
from xinyong.government.integrity_schemas import CheckIn, EntryIn, FileIn

SURNAMES = "陈李黄张梁何刘林吴郭"
GIVEN = ("志明", "晓东", "丽华", "建国", "海燕", "伟强", "嘉欣", "文杰", "思敏", "国栋")
POSITIONS = ("科员", "一级科员", "四级主任科员", "二级主任科员", "副科长")
PEOPLE = 6


def demo_ric(rng: random.Random) -> str:
    """A valid 番禺区 resident ID number of someone born 1970–1999."""
    born = date(1970, 1, 1) + timedelta(days=rng.randrange(365 * 30))
    first = f"440113{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first + ric_check_char(first)


def _entries(ctx: Context, rng: random.Random, file_id: int, n: int) -> int:
    today = ctx.today
    made = 0
    records = [
        ("commendation", "年度嘉奖", "区人民政府嘉奖令"),
        ("appraisal_excellent", f"{today.year - 1}年度考核优秀", "年度考核结果通知"),
    ]
    if n == 1:
        records.append(("admonishment", "诫勉谈话", "区纪委监委诫勉决定"))
    if n == 2:
        records.append(("broken_commitment", "未履行公开承诺事项", "区政务服务承诺监督通报"))
    for category, title, source in records:
        day = today - timedelta(days=rng.randrange(30, 500))
        data = EntryIn(kind="record", category=category, title=title, occurred_on=day, source=source)
        entry = integrity.add_entry(ctx, file_id, data)
        made += 1
        if category == "broken_commitment":  # found to be a misattribution, withdrawn
            integrity.withdraw_entry(ctx, entry.id, "经核实，该承诺事项责任人登记有误")
            made += 1
    for _ in range(rng.randrange(1, 4)):
        day = today - timedelta(days=rng.randrange(5, 360))
        hours = Decimal(rng.choice(("1.5", "2", "3")))
        category = rng.choice(("online_course", "routine_training"))
        data = EntryIn(
            kind="training",
            category=category,
            title="诚信教育专题课程",
            occurred_on=day,
            hours=hours,
            source="网络大学堂",
        )
        integrity.add_entry(ctx, file_id, data)
        made += 1
    return made


def plant_integrity(ctx: Context, seed: int) -> int:
    """Files, entries and checks; 0 when no public bodies are registered."""
    employers = [b for b in bodies.list_bodies(ctx) if b.active and b.kind in ("organ", "institution")]
    if not employers:
        return 0
    rng = random.Random(seed)
    people = [
        (rng.choice(SURNAMES) + rng.choice(GIVEN), demo_ric(rng), rng.choice(employers).id, rng.choice(POSITIONS))
        for _ in range(PEOPLE)
    ]
    candidate = (rng.choice(SURNAMES) + rng.choice(GIVEN), demo_ric(rng))
    made = 0
    filed: list[tuple[str, str]] = []
    for n, (name, number, body_id, position) in enumerate(people):
        person = integrity.person(ctx, name, number, register=False)
        if person is not None and integrity_queries.file_of_subject(ctx, person.id) is not None:
            continue
        found = integrity.open_file(ctx, FileIn(name=name, ric=number, body_id=body_id, position=position))
        made += 1 + _entries(ctx, random.Random(seed * 1000 + n), found.id, n)
        filed.append((name, number))
    if filed:
        name, number = filed[min(1, len(filed) - 1)]
        reason = f"{ctx.today.year}年度公务员调任考察：拟调任区发展和改革局"
        integrity.run_check(ctx, CheckIn(name=name, ric=number, purpose="transfer", reason=reason))
        made += 1
        reason = f"{ctx.today.year}年度考试录用公务员考察（第一批）"
        check = CheckIn(name=candidate[0], ric=candidate[1], purpose="recruitment", reason=reason)
        integrity.run_check(ctx, check)
        made += 1
    return made
