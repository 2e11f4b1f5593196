"""A small monitoring data set, written directly (setup only): enterprises in two townships, 双公示 records, repair
applications, objections, commitments, an evaluation run and joint checks — each with a known indicator value.

Month 2026-11 (the pinned clock's month). 市桥 (440113007) has three enterprises, 沙头 (440113008) one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from factories import departments, uscc
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.evaluation.models import EvaluationResult, EvaluationRun
from xinyong.lists.models import CheckFeedback, ListCheck
from xinyong.records.models import Commitment, Objection, RepairApplication
from xinyong.subjects.models import Department, Subject
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import register_subject

MONTH = "2026-11"
SHIQIAO = "440113007"
SHATOU = "440113008"
AT = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


@dataclass
class Data:
    """What the set-up made."""

    market: Department
    justice: Department
    shiqiao: list[Subject]
    shatou: Subject


def firm(ctx: Context, name: str, n: int, township: str) -> Subject:
    """An enterprise legal person registered in ``township``."""
    return register_subject(ctx, SubjectIn(kind="legal_person", name=name, uscc=uscc(n), township_code=township))


def base(ctx: Context) -> Data:
    """Departments and four enterprises (three in 市桥, one in 沙头)."""
    market, justice = departments(ctx.session)
    shiqiao = [firm(ctx, f"广州市桥测试{i}有限公司", i, SHIQIAO) for i in (1, 2, 3)]
    return Data(market, justice, shiqiao, firm(ctx, "广州沙头测试有限公司", 4, SHATOU))


def gongshi(db: Session, data: Data) -> None:
    """Two 双公示 penalties of the market regulator reported 2026-11-20: 市桥's decided 11-15 (on time), 沙头's
    10-15 (late: 25 working days, its deadline is 20, 11-12); the batch accepted 8 rows and rejected 2."""
    batch = make_batch(db, data.market, submitted_on=date(2026, 11, 20))
    batch.accepted, batch.rejected = 8, 2
    make_record(db, batch, doc_no="番市监罚〔2026〕1号", decided_on=date(2026, 11, 15), subject=data.shiqiao[0])
    make_record(db, batch, doc_no="番市监罚〔2026〕2号", decided_on=date(2026, 10, 15), subject=data.shatou, row_no=2)


def repairs(db: Session, data: Data) -> None:
    """市桥: decided in 4 days (due 11-10, on time); 沙头: decided in 10 days (due 11-12, late by 3 days)."""
    for subject, submitted, decided, due in (
        (data.shiqiao[0], date(2026, 11, 2), date(2026, 11, 6), date(2026, 11, 10)),
        (data.shatou, date(2026, 11, 5), date(2026, 11, 15), date(2026, 11, 12)),
    ):
        db.add(
            RepairApplication(
                subject_id=subject.id,
                department_id=data.market.id,
                applicant_name=subject.name,
                status="granted",
                rule_version=1,
                submitted_at=AT,
                submitted_on=submitted,
                decided_on=decided,
                decide_due=due,
            )
        )
    db.flush()


def objections(db: Session, data: Data) -> None:
    """Two objections closed in the month on 市桥 records: one on time, one overdue."""
    batch = make_batch(db, data.market, submitted_on=date(2026, 10, 20))
    record = make_record(
        db, batch, doc_no="番市监罚〔2026〕9号", decided_on=date(2026, 10, 15), subject=data.shiqiao[1]
    )
    for overdue in (False, True):
        db.add(
            Objection(
                record_id=record.id,
                item_id="penalty",
                department_id=data.market.id,
                doc_no=record.doc_no,
                subject_id=data.shiqiao[1].id,
                applicant_name=record.subject_name,
                reasons="决定书文号有误",
                status="closed",
                outcome="upheld",
                accept_due=date(2026, 11, 3),
                overdue=overdue,
                rule_version=1,
                submitted_at=AT,
                submitted_on=date(2026, 11, 1),
                closed_on=date(2026, 11, 18),
            )
        )
    db.flush()


def commitments(db: Session, data: Data) -> None:
    """Three commitments signed in the month by 市桥 enterprises, one signed in October."""
    for subject, day in (
        (data.shiqiao[0], date(2026, 11, 3)),
        (data.shiqiao[1], date(2026, 11, 4)),
        (data.shiqiao[2], date(2026, 11, 5)),
        (data.shiqiao[0], date(2026, 10, 5)),
    ):
        db.add(
            Commitment(
                kind="approval",
                subject_id=subject.id,
                subject_name=subject.name,
                subject_uscc=subject.uscc,
                department_id=data.market.id,
                matter="食品经营许可",
                text="承诺所填信息真实",
                signer_name="张三",
                recorded_by="subject",
                signed_on=day,
                status="signed",
                rule_version=1,
                created_at=AT,
            )
        )
    db.flush()


def evaluation(db: Session, data: Data) -> None:
    """An evaluation run as of 2026-11-01 grading two 市桥 enterprises and the 沙头 one."""
    run = EvaluationRun(
        model="enterprise",
        model_version=1,
        as_of=date(2026, 11, 1),
        started_at=AT,
        finished_at=AT,
        subjects=3,
        grades={"A": 3},
        actor="test",
    )
    db.add(run)
    db.flush()
    for subject in (data.shiqiao[0], data.shiqiao[1], data.shatou):
        db.add(EvaluationResult(run_id=run.id, subject_id=subject.id, score=90.0, grade="A"))
    db.flush()


def checks(db: Session, data: Data) -> None:
    """Four joint checks in the month: three hits (two with feedback) and one miss."""
    for i, (hit, fed) in enumerate(((True, True), (True, True), (True, False), (False, False))):
        check = ListCheck(
            at=AT,
            checked_on=date(2026, 11, 10),
            department_id=data.market.id,
            actor="test",
            scenario="procurement",
            code=data.shatou.uscc or "",
            subject_id=data.shatou.id,
            entry_ids=[],
            measure_ids=["m1"],
            hit=hit,
            request_id=f"req{i}",
        )
        db.add(check)
        db.flush()
        if fed:
            db.add(
                CheckFeedback(
                    check_id=check.id,
                    measure_id="m1",
                    applied=True,
                    department_id=data.market.id,
                    recorded_by="test",
                    recorded_at=AT,
                )
            )
    db.flush()


def everything(ctx: Context) -> Data:
    """The whole set."""
    data = base(ctx)
    for make in (gongshi, repairs, objections, commitments, evaluation, checks):
        make(ctx.session, data)
    return data
