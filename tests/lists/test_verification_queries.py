"""Case-verification reads: the list by stage, department, overdue as of a day and subject (a department sees its
own), the dashboard counts, one case with its timeline, links, choices and actions (the read audited), evidence
files and the rulebook; SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import company
from list_factories import published_entry
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.clock import CHINA_TZ
from xinyong.errors import InvalidInput, NotFound
from xinyong.lists import verification
from xinyong.lists import verification_queries as queries
from xinyong.lists.models import VerificationCase
from xinyong.subjects.models import Department, Subject

PDF = b"%PDF-1.4\n%%EOF\n"


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=CHINA_TZ).astimezone(UTC)


def office(db: Session, day: date | None = None) -> Context:
    ctx = Context(session=db, actor="office:陈主任", role="credit_office_staff")
    return dataclasses.replace(ctx, at=_at(day)) if day else ctx


def officer(db: Session, department: Department, day: date | None = None) -> Context:
    ctx = Context(session=db, actor="dept:李科员", role="department_officer", department_id=department.id)
    return dataclasses.replace(ctx, at=_at(day)) if day else ctx


def open_one(
    db: Session, department: Department, subject: Subject | None = None, *, day: date | None = None, ref: str = ""
) -> VerificationCase:
    return verification.open_case(
        office(db, day),
        "拒不履行法院判决",
        subject.id if subject else None,
        "" if subject else "广州某某有限公司",
        "department_referral",
        ref,
        "区法院通报该企业为失信被执行人，拒不履行生效判决。",
        department.id,
        "王核查",
    )


def advance(ctx: Context, case: VerificationCase, **change: object) -> VerificationCase:
    founded = True if case.stage == "verify" else None
    return verification.complete_stage(ctx, case.id, "办理完毕", case.lock_version, founded=founded, **change)  # type: ignore[arg-type]


@pytest.fixture
def town(db: Session, ctx: Context, departments: tuple[Department, Department]) -> dict[str, object]:
    """Four cases: market ones at 核查 (late), 监管 and closed (unfounded); one of 司法局 at 核查 (on time)."""
    market, justice = departments
    firm = company(ctx, "广州查询对象有限公司", 601)
    late = open_one(db, market, firm, day=date(2026, 9, 1), ref="late")  # due 2026-09-21 (20 September a make-up day)
    supervising = open_one(db, market, firm, day=date(2026, 11, 2), ref="sup")
    supervising = advance(officer(db, market, date(2026, 11, 3)), supervising)
    supervising = advance(officer(db, market, date(2026, 11, 4)), supervising)
    closed = open_one(db, market, day=date(2026, 8, 3), ref="closed")
    verification.complete_stage(officer(db, market), closed.id, "不属实", closed.lock_version, founded=False)
    justice_case = open_one(db, justice, ref="justice")
    return {
        "market": market,
        "justice": justice,
        "firm": firm,
        "late": late,
        "supervising": supervising,
        "closed": closed,
        "justice_case": justice_case,
    }


def ids(rows: list[queries.CaseRow]) -> list[int]:
    return [r.id for r in rows]


def test_the_list_filters_by_stage_department_overdue_and_subject(db: Session, town: dict) -> None:
    me = office(db)
    late, sup, closed, other = town["late"], town["supervising"], town["closed"], town["justice_case"]
    everything = queries.list_cases(me)
    assert ids(everything) == [late.id, sup.id, other.id, closed.id]  # by due date, closed last
    assert ids(queries.list_cases(me, stage="verify")) == [late.id, other.id]
    assert ids(queries.list_cases(me, stage="open")) == [late.id, sup.id, other.id]
    assert ids(queries.list_cases(me, stage="closed")) == [closed.id]
    assert ids(queries.list_cases(me, department_id=town["justice"].id)) == [other.id]
    assert ids(queries.list_cases(me, overdue=True)) == [late.id]
    assert ids(queries.list_cases(me, overdue=True, as_of=date(2026, 9, 21))) == []  # due that day
    assert ids(queries.list_cases(me, overdue=True, as_of=date(2026, 12, 31))) == [late.id, sup.id, other.id]
    assert ids(queries.list_cases(me, subject_id=town["firm"].id)) == [late.id, sup.id]
    row = everything[0]
    assert (row.stage_label, row.source_label, row.department_name, row.overdue) == (
        "核查",
        "部门移送",
        "广州市番禺区市场监督管理局",
        True,
    )
    assert everything[-1].outcome_label == "经核查不属实" and everything[-1].stage_label == "已办结"
    with pytest.raises(InvalidInput, match="环节应为"):
        queries.list_cases(me, stage="nowhere")


def test_a_department_reads_its_own_cases_only(db: Session, town: dict) -> None:
    market, justice = town["market"], town["justice"]
    assert ids(queries.list_cases(officer(db, justice))) == [town["justice_case"].id]
    with pytest.raises(PermissionDenied, match="只能访问本部门"):
        queries.list_cases(officer(db, justice), department_id=market.id)
    with pytest.raises(PermissionDenied):
        queries.get_case(officer(db, justice), town["late"].id)
    with pytest.raises(PermissionDenied):
        queries.list_cases(Context(session=db, actor="r", role="regulator"))
    assert queries.case_counts(officer(db, justice)).open == 1
    assert queries.get_case(officer(db, market), town["late"].id).id == town["late"].id


def test_counts_per_stage_overdue_and_outcome(db: Session, town: dict) -> None:
    counts = queries.case_counts(office(db))
    assert counts.by_stage == {"verify": 2, "record": 0, "supervise": 1, "punish": 0, "rectify": 0, "educate": 0}
    assert (counts.open, counts.overdue, counts.closed) == (3, 1, 1)
    assert counts.overdue_by_stage["verify"] == 1
    assert counts.by_outcome["unfounded"] == 1 and counts.by_outcome["rectified"] == 0
    later = queries.case_counts(office(db), as_of=date(2026, 12, 31))
    assert (later.overdue, later.as_of) == (3, date(2026, 12, 31))
    assert queries.case_counts(office(db), department_id=town["market"].id).open == 2


def test_detail_shows_the_timeline_links_choices_and_actions(db: Session, ctx: Context, town: dict) -> None:
    market = town["market"]
    firm = town["firm"]
    sup = town["supervising"]
    detail = queries.get_case(office(db), sup.id)
    assert [(s.label, s.state) for s in detail.stages] == [
        ("核查", "done"),
        ("记录", "done"),
        ("监管", "current"),
        ("惩戒", "pending"),
        ("整改", "pending"),
        ("教育", "pending"),
    ]
    assert detail.stages[0].completed_by == "dept:李科员" and detail.stages[2].due == sup.stage_due
    assert [h.action_label for h in detail.history] == ["登记立案", "完成核查", "完成记录"]
    assert detail.actions == ["complete", "reassign", "attach", "close"]
    assert [o.code for o in detail.office_outcomes] == ["transferred", "merged", "withdrawn"]
    assert detail.stage_outcomes == [] and detail.link_choices == []  # 监管 links nothing
    assert queries.get_case(officer(db, market), sup.id).actions == ["complete", "reassign", "attach"]
    reads = db.scalars(select(AuditEvent).where(AuditEvent.action == "read.verification_case")).all()
    assert len(reads) == 2

    # at 惩戒 the subject's entries are offered, and the linked one is shown once chosen
    entry = published_entry(db, firm)
    case = advance(officer(db, market, date(2026, 11, 5)), sup)
    assert [c.id for c in queries.get_case(office(db), case.id).link_choices] == [entry.id]
    case = advance(officer(db, market, date(2026, 11, 6)), case, list_entry_id=entry.id)
    shown = queries.get_case(office(db), case.id)
    assert shown.list_entry is not None and "拖欠农民工工资" in shown.list_entry.label

    closed = queries.get_case(office(db), town["closed"].id)
    assert [s.state for s in closed.stages] == ["done"] + ["skipped"] * 5
    assert closed.actions == [] and closed.outcome == "unfounded"


def test_record_choices_are_the_subjects_own_records(db: Session, ctx: Context, town: dict) -> None:
    market, firm = town["market"], town["firm"]
    mine = make_record(
        db, make_batch(db, market), doc_no="番市监罚〔2026〕88号", decided_on=date(2026, 5, 6), subject=firm
    )
    make_record(db, make_batch(db, market), doc_no="番市监罚〔2026〕89号", decided_on=date(2026, 5, 7))
    case = advance(officer(db, market, date(2026, 10, 12)), town["late"])
    choices = queries.get_case(officer(db, market), case.id).link_choices
    assert [c.id for c in choices] == [mine.id]
    assert "番市监罚〔2026〕88号" in choices[0].label
    case = advance(officer(db, market, date(2026, 10, 13)), case, record_id=mine.id)
    assert queries.get_case(office(db), case.id).record.id == mine.id  # type: ignore[union-attr]


def test_the_last_stage_offers_its_outcomes(db: Session, departments: tuple[Department, Department]) -> None:
    market, _ = departments
    case = open_one(db, market, day=date(2026, 5, 4))
    me = officer(db, market, date(2026, 5, 5))
    while case.stage != "educate":
        case = advance(me, case)
    detail = queries.get_case(me, case.id)
    assert [o.code for o in detail.stage_outcomes] == ["rectified", "punished"]


def test_files_are_listed_and_downloaded_by_readers(db: Session, town: dict) -> None:
    late = town["late"]
    row = verification.attach(officer(db, town["market"]), late.id, "举报材料.pdf", PDF)
    assert [f.filename for f in queries.get_case(office(db), late.id).files] == ["举报材料.pdf"]
    assert queries.case_file_content(office(db), late.id, row.id).content == PDF
    with pytest.raises(NotFound):
        queries.case_file_content(office(db), town["supervising"].id, row.id)
    with pytest.raises(PermissionDenied):
        queries.case_file_content(officer(db, town["justice"]), late.id, row.id)
    with pytest.raises(NotFound):
        queries.get_case(office(db), 987654)


def test_the_rulebook_is_readable_as_data() -> None:
    shown = queries.rules_out()
    assert [s.code for s in shown.stages] == ["verify", "record", "supervise", "punish", "rectify", "educate"]
    assert shown.stages[1].link == "credit_record" and shown.stages[0].workdays == 15
    assert {o.closed_by for o in shown.outcomes} == {"unfounded", "last_stage", "office"}
