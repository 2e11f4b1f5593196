"""Setup for lifecycle tests: penalties whose publicity columns are what intake stores (``record_window``),
effects written through the effect path, and a status check that asserts the SQL forms (correlated and
joined) and the Python form agree."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.catalog.items import load_catalog
from xinyong.records import effects
from xinyong.records.models import CreditRecord, RecordEffect
from xinyong.records.periods import record_window
from xinyong.records.status import effect_ranks, join_ranks, record_status, status_expr
from xinyong.subjects.models import Department, Subject

_DOCS = iter(range(1, 10_000))


def regime_record(
    db: Session,
    dept: Department,
    decided_on: date,
    *,
    category: str = "罚款",
    severity: str | None = None,
    basis: str = "《中华人民共和国广告法》第五十五条",
    doc_no: str | None = None,
    supersedes: CreditRecord | None = None,
    subject: Subject | None = None,
) -> CreditRecord:
    """A penalty whose publicity columns are what intake stores (``record_window``)."""
    values = {"penalty_category": category, "severity": severity, "legal_basis": basis, "violation_type": "虚假宣传"}
    record = make_record(
        db,
        make_batch(db, dept),
        doc_no=doc_no or f"番罚〔状态〕{next(_DOCS)}号",
        decided_on=decided_on,
        category=category,
        supersedes=supersedes,
        subject=subject,
    )
    window = record_window(load_catalog().item("penalty"), values, decided_on)  # type: ignore[arg-type]
    (
        record.publicity_end,
        record.severity,
        record.regime,
        record.publicity_min_end,
        record.publicity_later_end,
        record.publicity_later_from,
        record.publishable,
    ) = window
    db.flush()
    return record


def sql_status(db: Session, record: CreditRecord, as_of: date) -> str:
    """Status by the correlated SQL form and, checked equal, by the joined form."""
    correlated = db.scalar(select(status_expr(as_of)).where(CreditRecord.id == record.id))
    ranks = effect_ranks(as_of)
    joined = db.scalar(join_ranks(select(status_expr(as_of, ranks)), ranks).where(CreditRecord.id == record.id))
    assert correlated == joined
    return str(correlated)


def status(ctx: Context, record: CreditRecord, as_of: date) -> str:
    """The status on ``as_of``, asserting the SQL and Python forms agree."""
    code = record_status(ctx, record, as_of).code
    assert sql_status(ctx.session, record, as_of) == code
    return code


def effect(ctx: Context, record: CreditRecord, kind: str, starts: date, ends: date | None = None) -> RecordEffect:
    return effects.add_effect(
        ctx,
        record,
        kind,
        starts,
        source_type="job",
        source_id=None,
        reason="测试",
        ends_on=ends,  # type: ignore[arg-type]
    )
