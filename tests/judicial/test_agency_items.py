"""信用服务机构信用信息 (``credit_agency_record``, issue #11 item 5) through the intake pipeline: the item's shape and
citations (marked not confirmed), filings, violations and penalties of agencies loaded for the credit office, an
unknown agency created unverified, bad rows reported with nothing stored — SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factories import company, uscc
from xinyong.auth.context import Context
from xinyong.catalog.departments import load_departments
from xinyong.catalog.items import load_catalog
from xinyong.intake import service
from xinyong.records.models import CreditRecord
from xinyong.subjects.departments import add_department
from xinyong.subjects.models import Department, Subject

ITEM = load_catalog().item("credit_agency_record")
LABEL = {f.key: f.label for f in ITEM.fields}
FGJ_USCC = uscc(9201, authority="1", org_type="1")


@pytest.fixture
def fgj(ctx: Context) -> Department:
    """广州市番禺区发展和改革局 (区信用办) with a valid government USCC."""
    return add_department(ctx, "fgj", "广州市番禺区发展和改革局", uscc=FGJ_USCC)


def agency_row(n: int, kind: str = "违规记录", **over: str) -> dict[str, str]:
    """A record of the agency ``uscc(n)`` keyed by the Chinese column headers."""
    values = {
        "subject_name": f"广州示例信用评估{n}有限公司",
        "subject_category": "法人及非法人组织",
        "uscc": uscc(n),
        "legal_representative": "赵示例",
        "agency_type": "综合信用服务机构",
        "record_kind": kind,
        "doc_no": f"番发改信〔2026〕{n}号",
        "matter": "出具虚假信用报告" if kind != "备案" else "综合信用服务机构备案",
        "legal_basis": "《征信业管理条例》" if kind != "备案" else "信用服务机构备案管理规定",
        "result": "责令限期整改" if kind != "备案" else "准予备案",
        "decided_on": "2026-10-20",
        "valid_to": "",
        "publicity_end": "",
        "authority": "广州市番禺区发展和改革局",
        "source_department": "",
        "source_department_uscc": "",
    }
    values.update(over)
    return {LABEL[k]: v for k, v in values.items()}


def stored(db: Session) -> list[CreditRecord]:
    stmt = select(CreditRecord).where(CreditRecord.item_id == "credit_agency_record").order_by(CreditRecord.row_no)
    return list(db.scalars(stmt))


def test_the_item_is_reported_by_the_credit_office_on_cited_not_confirmed_rules() -> None:
    known = {d.code for d in load_departments().departments}
    assert set(ITEM.source_departments) <= known and "fgj" in ITEM.source_departments
    for text in ("国务院令第631号", "信用评级业管理暂行办法", "工作要点（五）", "not confirmed"):
        assert text in ITEM.source
    assert "not confirmed" in ITEM.reporting_deadline_source
    assert ITEM.field(ITEM.roles.category or "").values == ("备案", "违规记录", "行政处罚")
    assert ITEM.field(ITEM.roles.uscc or "").required


def test_filings_violations_and_penalties_load_and_unknown_agencies_are_created_unverified(
    ctx: Context, db: Session, fgj: Department
) -> None:
    known = company(ctx, "广州示例信用评估1有限公司", 1)
    rows = [agency_row(1, "备案", valid_to="2029-10-19"), agency_row(2), agency_row(3, "行政处罚")]
    summary = service.submit_rows(ctx, "credit_agency_record", fgj.id, rows)
    assert (summary.status, summary.accepted, summary.rejected) == ("loaded", 3, 0), summary.errors
    filing, violation, penalty = stored(db)
    assert filing.subject_id == known.id and filing.category == "备案"
    assert str(filing.publicity_end) == "2029-10-19"  # a filing is public while it is valid
    assert str(violation.publicity_end) == "2029-10-19"  # three years from the decision by default (L)
    assert (violation.category, penalty.category) == ("违规记录", "行政处罚")
    new = db.get(Subject, violation.subject_id)
    assert new is not None and (new.kind, new.verified, new.uscc) == ("legal_person", False, uscc(2))
    assert violation.data["source_department_uscc"] == FGJ_USCC and violation.data["agency_type"] == "综合信用服务机构"


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_stored(
    ctx: Context, db: Session, fgj: Department
) -> None:
    before = db.scalar(select(func.count()).select_from(Subject))
    rows = [
        agency_row(4, agency_type="评级公司"),
        agency_row(5, uscc=""),
        agency_row(6, decided_on="2027-01-05"),
        agency_row(7, subject_category="自然人"),
        agency_row(8),
    ]
    summary = service.submit_rows(ctx, "credit_agency_record", fgj.id, rows)
    assert (summary.status, summary.accepted, summary.rejected, summary.held) == ("rejected", 0, 4, 1)
    assert {(m.row, m.field) for m in summary.errors} == {
        (1, "机构类型"),
        (2, "统一社会信用代码"),
        (3, "决定日期"),
        (4, "主体类别"),
    }
    assert stored(db) == [] and db.scalar(select(func.count()).select_from(Subject)) == before
