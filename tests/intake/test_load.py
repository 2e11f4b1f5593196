"""Loading helpers (``xinyong.intake.load``): content hash, current versions by natural key, bulk inserts that read
back through the ORM exactly as written; SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from records_factories import make_batch, make_record
from xinyong.intake import load
from xinyong.intake.models import IntakeIssue, IntakeRejectedRow
from xinyong.records.models import CreditRecord
from xinyong.subjects.models import Department

AT = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def test_content_hash_is_canonical() -> None:
    a = {"doc_no": "番市监罚〔2026〕1号", "fine_amount": "0.500000", "remarks": None}
    b = {"remarks": None, "fine_amount": "0.500000", "doc_no": "番市监罚〔2026〕1号"}
    assert load.content_hash(a) == load.content_hash(b)
    assert load.content_hash(a) != load.content_hash({**a, "fine_amount": "0.500001"})
    assert load.content_hash(a) != load.content_hash({**a, "remarks": ""})
    assert "番市监罚" in load.canonical_json(a) and " " not in load.canonical_json(a)


def test_current_versions_follow_supersession(
    db: Session, departments: tuple[Department, Department], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load, "LOOKUP_CHUNK", 2)  # several look-up chunks
    scjgj, sfj = departments
    batch = make_batch(db, scjgj)
    v1 = make_record(db, batch, doc_no="A", decided_on=date(2026, 11, 1))
    v2 = make_record(db, batch, doc_no="A", decided_on=date(2026, 11, 2), supersedes=v1)
    b1 = make_record(db, batch, doc_no="B", decided_on=date(2026, 11, 1))
    make_record(db, make_batch(db, sfj), doc_no="C", decided_on=date(2026, 11, 1))
    make_record(db, make_batch(db, scjgj, item_id="licence"), doc_no="D", decided_on=date(2026, 11, 1))
    found = load.current_versions(db, "penalty", scjgj.id, ["A", "B", "C", "D", "E"])
    assert found == {
        "A": load.Current(v2.id, 2, v2.content_hash),
        "B": load.Current(b1.id, 1, b1.content_hash),
    }


def test_inserted_rows_read_back_as_the_orm_writes_them(
    db: Session, departments: tuple[Department, Department]
) -> None:
    batch = make_batch(db, departments[0])
    data = {"subject_name": "广州禾丰贸易有限公司", "fine_amount": "0.500000"}
    record = (
        "penalty", 1, batch.department_id, None, batch.id, 7, "番市监罚〔2026〕1号", 1, None,
        "广州禾丰贸易有限公司", "legal_person", "91440113MA59AAAA1X", "罚款", date(2026, 11, 20),
        date(2029, 11, 19), "general", "order36", date(2027, 2, 20), None, None, True,
        load.canonical_json(data), None, None, None, "f" * 64, date(2026, 11, 27), AT,
    )  # fmt: skip
    load.insert_rows(db, "credit_record", load.RECORD_COLUMNS, [record])
    load.insert_rows(db, "intake_issue", load.ISSUE_COLUMNS, [(batch.id, 7, "罚款金额（万元）", "warning", "原因")])
    rejected = (
        batch.id,
        8,
        "penalty",
        batch.department_id,
        None,
        True,
        load.canonical_json({"列": "值"}),
        date(2026, 11, 27),
    )
    load.insert_rows(db, "intake_rejected_row", load.REJECTED_COLUMNS, [rejected])
    load.insert_rows(db, "intake_issue", load.ISSUE_COLUMNS, [])  # nothing to do
    db.expire_all()
    stored = db.scalars(select(CreditRecord)).one()
    assert (
        stored.data == data and stored.decided_on == date(2026, 11, 20) and stored.publicity_end == date(2029, 11, 19)
    )
    assert stored.loaded_at.replace(tzinfo=stored.loaded_at.tzinfo or UTC) == AT and stored.row_no == 7
    assert stored.subject_uscc == "91440113MA59AAAA1X" and stored.reported_on == date(2026, 11, 27)
    assert (stored.severity, stored.regime, stored.publicity_min_end) == ("general", "order36", date(2027, 2, 20))
    assert stored.publishable is True and stored.publicity_later_end is None
    issue = db.scalars(select(IntakeIssue)).one()
    assert (issue.row_no, issue.field, issue.level, issue.reason) == (7, "罚款金额（万元）", "warning", "原因")
    row = db.scalars(select(IntakeRejectedRow)).one()
    assert row.valid is True and row.values == {"列": "值"} and row.doc_no is None


@pytest.mark.parametrize("key", ["a_first", "m_middle", "z_last"])
def test_without_null_key_equals_dumping_without_it(key: str) -> None:
    values = {"a_first": None, "m_middle": None, "z_last": None, "b": 'x","m_middle":null,"', "n": "\\"}
    text = load.canonical_json(values)
    assert load.without_null_key(text, key) == load.canonical_json({k: v for k, v in values.items() if k != key})


def test_bulk_rows_are_stored_in_the_orms_own_form(db: Session, departments: tuple[Department, Department]) -> None:
    """Same stored text as an ORM insert (on SQLite dates and times are text: comparisons in SQL must agree)."""
    batch = make_batch(db, departments[0], submitted_on=date(2026, 11, 20))
    make_record(db, batch, doc_no="ORM", decided_on=date(2026, 3, 5), publicity_end=date(2029, 3, 5))
    row = (
        "penalty", 1, batch.department_id, None, batch.id, 1, "BULK", 1, None, "广州禾丰贸易有限公司",
        "legal_person", None, "罚款", date(2026, 3, 5), date(2029, 3, 5),
        None, None, None, None, None, True, "{}", None, None, None, "0" * 64,
        date(2026, 11, 20), AT,
    )  # fmt: skip
    load.insert_rows(db, load.RECORDS, load.RECORD_COLUMNS, [row])
    stored = db.connection().exec_driver_sql(
        "SELECT decided_on, publicity_end, reported_on, loaded_at, publishable FROM credit_record ORDER BY doc_no DESC"
    )
    orm, bulk = stored.all()
    assert orm == bulk
