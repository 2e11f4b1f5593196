"""Demo 信用承诺 (issue #5): commitments of every type planted through the commitment services, so the public list,
the department feeds, the overdue marks and a breach record are there to look at after ``xinyong demo load``.

What ``plant_commitments`` writes, for ``per_kind`` commitments of each type (subjects and departments drawn with
``seed`` from the registry's enterprises with a clean, unique code, and the registered departments):

* signing days spread over the last ``PERIOD_DAYS`` days (the subject online, or a department recording paper);
* the first of each type (except 信用修复型) verified as kept (履约) by its department a few days after signing;
* one 证明事项告知承诺 verified as breached and false (虚假承诺): a 违背信用承诺信息 credit record through intake;
* the daily job's overdue step run for today, so unverified commitments past their due date show 已逾期.

A subject refused 告知承诺 (serious bad credit in force) is counted in ``refused`` and another subject is drawn.
Everything goes through ``records.commitments`` (permission, rules, audit); the caller commits.
"""

from __future__ import annotations

import random
from datetime import timedelta

from pydantic import BaseModel, Field
from sqlalchemy import func, or_, select

from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.errors import Conflict
from xinyong.records import commitments
from xinyong.records.commitment_rules import commitment_rules
from xinyong.subjects.models import Department, Subject

PERIOD_DAYS = 120
CANDIDATES = 2000  # enterprises considered (lowest ids first), enough for any draw
MATTERS: dict[str, tuple[str, ...]] = {
    "approval_substitute": (
        "食品经营许可（仅销售预包装食品）",
        "公共场所卫生许可",
        "户外广告设施设置许可",
        "建筑工程施工许可",
    ),
    "certification": ("经营场所使用证明", "社会保险缴费证明", "纳税情况证明", "无违法违规记录证明"),
    "voluntary": ("诚信经营承诺", "产品质量安全承诺", "安全生产主体责任承诺"),
    "industry": ("餐饮行业自律公约", "物业服务行业自律公约", "建筑业诚信自律公约"),
    "repair": ("信用修复：行政处罚信息",),
}
SIGNERS = ("陈志强", "李秀英", "黄伟明", "梁嘉欣", "何国华", "吴丽萍")


class CommitmentDemo(BaseModel):
    """What ``plant_commitments`` planted."""

    seed: int
    signed: dict[str, int] = Field(description="承诺类型 → 件数")
    kept: int
    breached: int
    overdue: int
    refused: int = Field(description="因严重失信或虚假承诺被拒绝适用告知承诺的次数")
    commitment_ids: list[int]
    breach_record_ids: list[int]


def _subjects(ctx: Context) -> list[int]:
    """Enterprises with a clean code held by no other subject, lowest ids first."""
    unique = (
        select(Subject.uscc)
        .where(Subject.uscc.is_not(None))
        .group_by(Subject.uscc)
        .having(func.count(Subject.id) == 1)
        .scalar_subquery()
    )
    stmt = (
        select(Subject.id)
        .where(
            Subject.kind == "legal_person",
            or_(Subject.uscc_problems.is_(None), Subject.uscc_problems == ""),
            Subject.uscc.in_(unique),
        )
        .order_by(Subject.id)
        .limit(CANDIDATES)
    )
    return list(ctx.session.scalars(stmt))


def plant_commitments(ctx: Context, *, seed: int = 20261127, per_kind: int = 3) -> CommitmentDemo:
    """Plant ``per_kind`` commitments of each type (see the module docstring); reproducible from ``seed`` on the
    same registry. ``Conflict`` when the registry has no enterprise or no department to draw from."""
    require(ctx, "demo.load")
    session = ctx.session
    rng = random.Random(seed)
    subjects = _subjects(ctx)
    departments = list(session.scalars(select(Department).order_by(Department.code)))
    if not subjects or not departments:
        raise Conflict("演示承诺需要主体库中的企业和已登记的部门：请先载入演示数据（xinyong demo load）")
    rng.shuffle(subjects)
    pool = iter(subjects)
    today = ctx.today
    rules = commitment_rules()
    signed: dict[str, int] = {}
    ids: list[int] = []
    breach_ids: list[int] = []
    kept = breached = refused = 0
    for kind in rules.types:
        matters = MATTERS.get(kind, (rules.types[kind].label,))
        for index in range(per_kind):
            department = departments[rng.randrange(len(departments))]
            days_ago = rng.randrange(1, PERIOD_DAYS)
            at = ctx.at - timedelta(days=days_ago)
            while True:
                subject_id = next(pool, None)
                if subject_id is None:
                    raise Conflict("可用于演示承诺的企业不足，请减少每类承诺的件数")
                subject = session.get(Subject, subject_id)
                assert subject is not None
                online = index % 2 == 0
                actor = (
                    Context(
                        session=session,
                        actor=f"demo:subject:{subject.id}",
                        role="subject",
                        subject_id=subject.id,
                        at=at,
                    )
                    if online
                    else Context(
                        session=session,
                        actor=f"demo:{department.code}",
                        role="department_officer",
                        department_id=department.id,
                        at=at,
                    )
                )
                matter = matters[index % len(matters)]
                try:
                    with session.begin_nested():
                        row = commitments.sign_commitment(
                            actor,
                            subject_id=subject.id,
                            kind=kind,
                            department_id=department.id,
                            matter=matter,
                            text=commitments.default_text(actor, kind, subject.id, department.id, matter),
                            signer_name=SIGNERS[rng.randrange(len(SIGNERS))],
                        )
                except Conflict as exc:
                    if exc.code != "commitment_refused":
                        raise
                    refused += 1
                    continue
                break
            ids.append(row.id)
            signed[kind] = signed.get(kind, 0) + 1
            verifier = Context(
                session=session,
                actor=f"demo:{department.code}",
                role="department_officer",
                department_id=department.id,
                at=at + timedelta(days=min(days_ago, rng.randrange(3, 15))),  # never after today
            )
            if kind != "repair" and index == 0:
                commitments.verify_commitment(verifier, row.id, "kept", "经数据共享比对核查，承诺内容属实")
                kept += 1
            elif kind == "certification" and index == 1:
                commitments.verify_commitment(
                    verifier,
                    row.id,
                    "breached",
                    "经核查，申请人承诺已具备的条件与实际不符，所作承诺不实",
                    True,
                )
                breached += 1
                if row.breach_record_id is not None:
                    breach_ids.append(row.breach_record_id)
    overdue = commitments.flag_overdue(ctx, today)
    return CommitmentDemo(
        seed=seed,
        signed=signed,
        kept=kept,
        breached=breached,
        overdue=overdue,
        refused=refused,
        commitment_ids=ids,
        breach_record_ids=breach_ids,
    )
