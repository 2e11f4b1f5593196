"""Setup data for inspections (setup only): graded firms in three towns, an inspector pool, an evaluation run,
and a plan form. Used by tests/supervision and the CLI tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from factories import uscc
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.evaluation.service import run_evaluation
from xinyong.subjects.models import Department, Subject
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import register_subject
from xinyong.supervision import service
from xinyong.supervision.schemas import InspectorIn, PlanIn

TODAY = date(2026, 11, 27)
TOWNS = ("440113007", "440113008", "440113009")  # 市桥、沙头、东环
RATIOS = "A=0.02,B=0.05,C=1,D=1"


def firm(ctx: Context, n: int, town: str = TOWNS[0]) -> Subject:
    data = SubjectIn(kind="legal_person", name=f"广州抽查样本{n:03d}有限公司", uscc=uscc(n), township_code=town)
    return register_subject(ctx, data)


def penalise(db: Session, department: Department, subject: Subject, n: int) -> None:
    """A serious penalty decided 2026-06-01: the general model grades the firm C."""
    record = make_record(
        db, make_batch(db, department), doc_no=f"番市监罚〔2026〕{n}号", decided_on=date(2026, 6, 1), subject=subject
    )
    record.severity = "serious"
    db.flush()


def officer(db: Session, department: Department | None = None, role: str = "regulator") -> Context:
    return Context(session=db, actor=f"{role}-1", role=role, department_id=department.id if department else None)


@dataclass
class District:
    scjgj: Department
    sfj: Department
    firms: list[Subject]
    graded_c: list[Subject]
    inspectors: list[int]


def make_district(ctx: Context, db: Session, departments: tuple[Department, Department]) -> District:
    """20 clean firms (A) and 4 with a serious penalty (C) over three towns; six inspectors of 市场监管局 (two per
    town); an evaluation run of the general model as of TODAY."""
    scjgj, sfj = departments
    firms = [firm(ctx, n, TOWNS[n % 3]) for n in range(1, 25)]
    graded_c = firms[20:]
    for n, subject in enumerate(graded_c, 1):
        penalise(db, scjgj, subject, n)
    ids = [
        service.add_inspector(
            ctx,
            InspectorIn(name=f"检查员{n}", department_id=scjgj.id, badge_no=f"SJ{n:03d}", township_code=TOWNS[n % 3]),
        ).id
        for n in range(6)
    ]
    run_evaluation(ctx, TODAY)
    return District(scjgj, sfj, firms, graded_c, ids)


def plan_in(department: Department, **kw: object) -> PlanIn:
    values: dict[str, object] = {
        "title": "2026年第四季度企业公示信息抽查",
        "department_id": department.id,
        "item_code": "scjg_gsxx",
        "as_of": TODAY,
        "ratios": {"A": "0.02", "B": "0.05", "C": "1", "D": "1"},
        "seed": "20261127",
    } | kw
    return PlanIn.model_validate(values)
