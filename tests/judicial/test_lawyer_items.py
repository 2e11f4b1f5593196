"""律师及律师事务所执业信用信息 (``lawyer_credit``, issue #11 item 5) through the intake pipeline: the catalogue item's
shape, the sample CSV with Chinese headers (a law firm and a lawyer), ID numbers stored only encrypted, unknown
subjects created unverified, bad rows reported by row and column with nothing stored — SQLite and PostgreSQL."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factories import company, uscc
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied
from xinyong.catalog.items import load_catalog
from xinyong.intake import service
from xinyong.records.models import CreditRecord
from xinyong.subjects.departments import add_department
from xinyong.subjects.models import Department, Subject

ITEM = load_catalog().item("lawyer_credit")
SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "lawyer-credit.csv"
SFJ_USCC = uscc(9101, authority="1", org_type="1")
FIRM_CODE = "31440113MA5C00031C"  # 广东示例律师事务所 in the sample (司法行政 authority 3, type 1)
LAWYER_RIC = "440113199001010631"  # 陈示例 in the sample


@pytest.fixture
def sfj(ctx: Context) -> Department:
    """广州市番禺区司法局 with a valid government USCC."""
    return add_department(ctx, "sfj", "广州市番禺区司法局", uscc=SFJ_USCC)


def sample_rows() -> list[list[str]]:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    return [line.split(",") for line in lines]


def csv_of(rows: list[list[str]]) -> bytes:
    return ("\n".join(",".join(r) for r in rows) + "\n").encode("utf-8")


def records(db: Session) -> list[CreditRecord]:
    stmt = select(CreditRecord).where(CreditRecord.item_id == "lawyer_credit").order_by(CreditRecord.row_no)
    return list(db.scalars(stmt))


def test_the_item_cites_its_basis_and_comes_from_the_justice_bureau() -> None:
    assert ITEM.source_departments == ("sfj",)
    for text in ("司法部令第122号", "律师执业管理办法", "工作要点（四）"):
        assert text in ITEM.source
    kinds = ITEM.field(ITEM.roles.category or "")
    assert kinds.values == ("行政处罚", "行业处分", "年度考核", "表彰奖励")
    assert ITEM.field("adverse").values == ("是", "否") and ITEM.field("adverse").required
    number = ITEM.field(ITEM.roles.id_number or "")
    assert (number.personal, number.sharing) == ("id_number", "conditional")
    assert ITEM.field("practice_no").required
    assert [c.in_ for c in ITEM.field("review_result").required_when] == [("年度考核",)]


def test_the_sample_csv_loads_a_law_firm_and_a_lawyer(ctx: Context, db: Session, sfj: Department) -> None:
    summary = service.submit_file(ctx, "lawyer_credit", sfj.id, io.BytesIO(SAMPLE.read_bytes()), SAMPLE.name)
    assert (summary.status, summary.rows, summary.accepted, summary.rejected) == ("loaded", 3, 3, 0), summary.errors
    penalty, sanction, review = records(db)
    assert (penalty.subject_kind, penalty.subject_uscc, penalty.category) == ("legal_person", FIRM_CODE, "行政处罚")
    assert penalty.data["adverse"] == "是" and penalty.data["source_department_uscc"] == SFJ_USCC
    assert (review.category, review.data["review_result"], review.data["adverse"]) == ("年度考核", "合格", "否")
    assert review.subject_id == penalty.subject_id  # the same firm, matched by its code
    assert (sanction.subject_kind, sanction.category, sanction.data["practice_no"]) == (
        "natural_person",
        "行业处分",
        "14401201510000002",
    )
    # The lawyer's ID number is stored only encrypted: not in the record's values, not in clear on the subject.
    assert LAWYER_RIC not in str(sanction.data) and "id_number" not in sanction.data
    lawyer = db.get(Subject, sanction.subject_id)
    assert lawyer is not None and lawyer.kind == "natural_person" and lawyer.ric_cipher
    assert LAWYER_RIC not in lawyer.ric_cipher
    # Neither subject was in the registry: both were created unverified (待核实) and the feedback says so.
    firm = db.get(Subject, penalty.subject_id)
    assert firm is not None and (firm.verified, lawyer.verified) == (False, False)
    assert {m.row for m in summary.warnings if "待核实" in m.reason} >= {1, 2}


def test_a_registered_law_firm_is_linked_not_duplicated(ctx: Context, db: Session, sfj: Department) -> None:
    firm = company(ctx, "广东示例律师事务所", 1, code=FIRM_CODE)
    before = db.scalar(select(func.count()).select_from(Subject))
    service.submit_file(ctx, "lawyer_credit", sfj.id, io.BytesIO(SAMPLE.read_bytes()), SAMPLE.name)
    assert {r.subject_id for r in records(db) if r.subject_kind == "legal_person"} == {firm.id}
    assert db.scalar(select(func.count()).select_from(Subject)) == (before or 0) + 1  # only the lawyer is new


def test_bad_rows_are_reported_and_nothing_is_stored(ctx: Context, db: Session, sfj: Department) -> None:
    header, firm, lawyer, review = sample_rows()
    col = {label: i for i, label in enumerate(header)}
    no_id = list(lawyer)
    no_id[col["证件号码"]] = ""
    bad_kind = list(firm)
    bad_kind[col["记录类别"]] = "约谈"
    no_result = list(review)
    no_result[col["考核结果"]] = ""
    subjects = db.scalar(select(func.count()).select_from(Subject))
    summary = service.submit_file(
        ctx, "lawyer_credit", sfj.id, io.BytesIO(csv_of([header, bad_kind, no_id, no_result])), "bad.csv"
    )
    assert (summary.status, summary.accepted, summary.rejected) == ("rejected", 0, 3)
    assert {(m.row, m.field) for m in summary.errors} == {(1, "记录类别"), (2, "证件号码"), (3, "考核结果")}
    assert all(m.reason for m in summary.errors)
    assert records(db) == [] and db.scalar(select(func.count()).select_from(Subject)) == subjects


def test_another_department_may_not_report_for_the_justice_bureau(db: Session, sfj: Department) -> None:
    other = add_department(
        Context(session=db, actor="tester", role="system"),
        "scjgj",
        "广州市番禺区市场监督管理局",
        uscc=uscc(9102, authority="1", org_type="1"),
    )
    officer = Context(session=db, actor="scjgj:officer", role="department_officer", department_id=other.id)
    with pytest.raises(PermissionDenied):
        service.submit_file(officer, "lawyer_credit", sfj.id, io.BytesIO(SAMPLE.read_bytes()), SAMPLE.name)
    assert records(db) == []
