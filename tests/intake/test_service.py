"""The intake pipeline through ``xinyong.intake.service``: atomic and partial batches, duplicates, idempotent and
changed re-sends, registry verification, personal data, permissions, file problems, audit; SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factories import company, ric, uscc
from intake_rows import PENALTY_LABEL, penalty_row
from xinyong.auth import audit, pii
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.catalog.items import load_catalog
from xinyong.errors import Conflict, NotFound
from xinyong.intake import queries, service
from xinyong.intake.models import IntakeBatch, IntakeIssue, IntakeRejectedRow
from xinyong.records.models import CreditRecord
from xinyong.settings import get_settings
from xinyong.subjects.departments import add_department
from xinyong.subjects.models import Department, Subject

PENALTY = load_catalog().item("penalty")
LABEL = PENALTY_LABEL
DEPT_USCC = uscc(9001, authority="1", org_type="1")
OTHER_USCC = uscc(9002, authority="1", org_type="1")


@pytest.fixture
def dept(ctx: Context) -> Department:
    """广州市番禺区市场监督管理局 with a valid government USCC."""
    return add_department(ctx, "scjgj", "广州市番禺区市场监督管理局", uscc=DEPT_USCC)


@pytest.fixture
def other(ctx: Context) -> Department:
    """广州市番禺区司法局."""
    return add_department(ctx, "sfj", "广州市番禺区司法局", uscc=OTHER_USCC)


def penalty(n: int, **over: str) -> dict[str, str]:
    """A valid 行政处罚 row of an enterprise (code ``uscc(n)``) keyed by the national column headers."""
    return penalty_row(n, DEPT_USCC, **over)


def person(n: int, number: str, **over: str) -> dict[str, str]:
    """A penalty on a natural person identified by 身份证 ``number``."""
    fields = {"subject_name": "李四", "subject_category": "自然人", "uscc": "", "legal_representative": ""}
    return penalty(n, **{**fields, "id_type": "身份证", "id_number": number, **over})


def csv_bytes(rows: list[dict[str, str]], encoding: str = "utf-8") -> bytes:
    headers = list(rows[0])
    lines = [",".join(headers)] + [",".join(row[h] for h in headers) for row in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def counts(db: Session) -> tuple[int, int, int]:
    return (
        db.scalar(select(func.count()).select_from(CreditRecord)) or 0,
        db.scalar(select(func.count()).select_from(Subject)) or 0,
        db.scalar(select(func.count()).select_from(IntakeRejectedRow)) or 0,
    )


def current(db: Session, doc_no: str) -> list[CreditRecord]:
    return list(db.scalars(select(CreditRecord).where(CreditRecord.doc_no == doc_no).order_by(CreditRecord.version)))


# --- all or nothing ----------------------------------------------------------------------------------------


def test_valid_batch_loads_every_row(ctx: Context, dept: Department) -> None:
    summary = service.submit_rows(ctx, "penalty", dept.id, [penalty(1), penalty(2), penalty(3)])
    assert (summary.status, summary.rows, summary.accepted, summary.rejected, summary.held) == ("loaded", 3, 3, 0, 0)
    assert summary.errors == []
    [record] = current(ctx.session, "番市监罚〔2026〕2号")
    assert record.version == 1 and record.supersedes_id is None and record.batch_id == summary.batch_id
    assert record.subject_uscc == uscc(2) and record.subject_kind == "legal_person" and record.category == "罚款"
    assert record.data["fine_amount"] == "0.500000" and record.data["source_department_uscc"] == DEPT_USCC
    assert record.data["source_department"] == "广州市番禺区市场监督管理局"
    assert str(record.decided_on) == "2026-11-20" and str(record.publicity_end) == "2027-11-20"
    assert str(record.reported_on) == "2026-11-27" and record.row_no == 2
    batch = ctx.session.get(IntakeBatch, summary.batch_id)
    assert batch is not None and batch.status == "loaded" and batch.channel == "api" and batch.accepted == 3


def test_atomic_batch_with_one_bad_row_stores_nothing(ctx: Context, dept: Department) -> None:
    before = counts(ctx.session)
    rows = [penalty(1), penalty(2, decided_on="2026-13-01", penalty_category="没收"), penalty(3)]
    summary = service.submit_rows(ctx, "penalty", dept.id, rows)
    assert (summary.status, summary.accepted, summary.rejected, summary.held) == ("rejected", 0, 1, 2)
    reported = {(m.row, m.field) for m in summary.errors}
    assert reported == {(2, "处罚决定日期"), (2, "处罚类别")}
    assert all(m.reason for m in summary.errors)
    records, subjects, rejected = counts(ctx.session)
    assert (records, subjects) == before[:2]
    stored = {r.row_no: r.valid for r in ctx.session.scalars(select(IntakeRejectedRow))}
    assert stored == {1: True, 2: False, 3: True} and rejected == before[2] + 3
    issues = ctx.session.scalars(select(IntakeIssue).where(IntakeIssue.level == "error")).all()
    assert {(i.row_no, i.field) for i in issues} == reported


def test_error_after_loaded_chunks_rolls_everything_back(
    ctx: Context, dept: Department, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "CHUNK_ROWS", 2)
    before = counts(ctx.session)
    rows = [penalty(n) for n in range(1, 6)] + [penalty(6, subject_name="")]
    summary = service.submit_rows(ctx, "penalty", dept.id, rows)
    assert (summary.status, summary.rows, summary.accepted, summary.rejected, summary.held) == ("rejected", 6, 0, 1, 5)
    assert [(m.row, m.field) for m in summary.errors] == [(6, "行政相对人名称")]
    assert counts(ctx.session)[:2] == before[:2]
    valid = sorted(r.valid for r in ctx.session.scalars(select(IntakeRejectedRow)))
    assert valid == [False] + [True] * 5
    # the unknown subjects' warnings are still given (read-only), once per row
    created = [m for m in summary.warnings if "待核实" in m.reason]
    assert sorted(m.row for m in created) == [1, 2, 3, 4, 5] and all("入库时将" in m.reason for m in created)


def test_partial_loads_valid_rows_and_reports_every_rejected_row(ctx: Context, dept: Department) -> None:
    rows = [penalty(1), penalty(2, uscc="91440113MA0000000X"), penalty(3), penalty(4, fine_amount="五千元"), penalty(5)]
    summary = service.submit_rows(ctx, "penalty", dept.id, rows, partial=True)
    assert (summary.status, summary.accepted, summary.rejected, summary.held) == ("loaded", 3, 2, 0)
    assert {(m.row, m.field) for m in summary.errors} == {(2, "统一社会信用代码"), (4, "罚款金额（万元）")}
    assert ctx.session.scalar(select(func.count()).select_from(CreditRecord)) == 3
    rejected = ctx.session.scalars(select(IntakeRejectedRow).order_by(IntakeRejectedRow.row_no)).all()
    assert [(r.row_no, r.valid, r.doc_no) for r in rejected] == [
        (2, False, "番市监罚〔2026〕2号"),
        (4, False, "番市监罚〔2026〕4号"),
    ]
    assert rejected[1].values[LABEL["fine_amount"]] == "五千元"  # raw, as sent


def test_partial_batch_with_every_row_rejected_is_rejected(ctx: Context, dept: Department) -> None:
    summary = service.submit_rows(ctx, "penalty", dept.id, [penalty(1, doc_no="")], partial=True)
    assert (summary.status, summary.accepted, summary.rejected) == ("rejected", 0, 1)


def test_duplicate_document_number_within_a_batch(ctx: Context, dept: Department) -> None:
    doc = "番市监罚〔2026〕1号"
    rows = [penalty(1), penalty(2), penalty(3, doc_no=doc)]
    summary = service.submit_rows(ctx, "penalty", dept.id, rows, partial=True)
    assert summary.accepted == 2 and summary.rejected == 1
    [error] = summary.errors
    assert (error.row, error.field) == (3, "行政处罚决定书文号") and "第 1 行" in error.reason


def test_source_department_code_must_be_the_submitters(ctx: Context, dept: Department) -> None:
    rows = [penalty(1, source_department_uscc=OTHER_USCC), penalty(2, source_department_uscc=DEPT_USCC)]
    summary = service.submit_rows(ctx, "penalty", dept.id, rows, partial=True)
    assert summary.accepted == 1
    [error] = summary.errors
    assert (error.row, error.field) == (1, "数据来源单位统一社会信用代码") and "本部门" in error.reason


# --- re-sends --------------------------------------------------------------------------------------------


def test_identical_resend_is_unchanged(ctx: Context, dept: Department) -> None:
    rows = [penalty(1), penalty(2)]
    service.submit_rows(ctx, "penalty", dept.id, rows)
    before = counts(ctx.session)
    again = service.submit_rows(ctx, "penalty", dept.id, rows)
    assert (again.status, again.accepted, again.unchanged, again.superseded) == ("loaded", 0, 2, 0)
    assert counts(ctx.session) == before


def test_changed_resend_supersedes_and_keeps_the_old_version(ctx: Context, dept: Department) -> None:
    first = service.submit_rows(ctx, "penalty", dept.id, [penalty(1), penalty(2)])
    second = service.submit_rows(ctx, "penalty", dept.id, [penalty(1, fine_amount="0.8"), penalty(2)])
    assert (second.accepted, second.superseded, second.unchanged) == (1, 1, 1)
    old, new = current(ctx.session, "番市监罚〔2026〕1号")
    assert (old.version, new.version, new.supersedes_id) == (1, 2, old.id)
    assert old.data["fine_amount"] == "0.500000" and new.data["fine_amount"] == "0.800000"
    assert (old.batch_id, new.batch_id) == (first.batch_id, second.batch_id)
    assert old.subject_id == new.subject_id  # the subject created the first time is found the second
    third = service.submit_rows(ctx, "penalty", dept.id, [penalty(1, fine_amount="0.8")])
    assert third.unchanged == 1  # compared with the current version, not the first


def test_same_document_number_of_another_department_is_another_record(
    ctx: Context, dept: Department, other: Department
) -> None:
    service.submit_rows(ctx, "penalty", dept.id, [penalty(1)])
    summary = service.submit_rows(ctx, "penalty", other.id, [penalty(1, authority_uscc=OTHER_USCC)])
    assert (summary.accepted, summary.superseded) == (1, 0)


# --- registry verification ---------------------------------------------------------------------------------


def test_unknown_subject_is_created_unverified_with_a_warning(ctx: Context, dept: Department) -> None:
    summary = service.submit_rows(ctx, "penalty", dept.id, [penalty(7), penalty(8, doc_no="另一个文号")])
    [record] = current(ctx.session, "番市监罚〔2026〕7号")
    subject = ctx.session.get(Subject, record.subject_id)
    assert subject is not None and subject.verified is False and subject.uscc == uscc(7)
    assert subject.name == "广州禾丰贸易7有限公司" and subject.legal_representative == "王五"
    assert "广州市番禺区市场监督管理局" in subject.source and "行政处罚" in subject.source
    warning = next(m for m in summary.warnings if m.row == 1)
    assert warning.reason == "主体库中无此主体，已按报送信息新建并标记为待核实"
    # searchable at once (the bulk insert indexes names)
    from xinyong.subjects.queries import search_subjects

    assert search_subjects(ctx.session, "禾丰贸易7").total == 1


def test_known_subject_is_linked_and_a_different_name_warned(ctx: Context, dept: Department) -> None:
    known = company(ctx, "广州禾丰贸易有限公司", 11)
    summary = service.submit_rows(ctx, "penalty", dept.id, [penalty(11, subject_name="广州禾丰商贸有限公司")])
    [record] = current(ctx.session, "番市监罚〔2026〕11号")
    assert record.subject_id == known.id
    [warning] = summary.warnings
    assert (warning.row, warning.field) == (1, "行政相对人名称")
    assert warning.reason == "主体名称与主体库不一致（主体库：广州禾丰贸易有限公司）"
    assert ctx.session.get(Subject, known.id).verified is True  # type: ignore[union-attr]


def test_same_name_in_other_width_is_not_a_mismatch(ctx: Context, dept: Department) -> None:
    company(ctx, "ABC贸易有限公司", 12)
    summary = service.submit_rows(ctx, "penalty", dept.id, [penalty(12, subject_name="ＡＢＣ贸易有限公司")])
    assert summary.warnings == []


def test_code_held_by_several_subjects_links_none(ctx: Context, dept: Department) -> None:
    company(ctx, "甲公司", 13)
    company(ctx, "乙公司", 13, allow_duplicate=True)
    before = counts(ctx.session)[1]
    summary = service.submit_rows(ctx, "penalty", dept.id, [penalty(13)])
    [record] = current(ctx.session, "番市监罚〔2026〕13号")
    assert record.subject_id is None and counts(ctx.session)[1] == before
    [warning] = summary.warnings
    assert warning.field == "统一社会信用代码" and "重码" in warning.reason


def test_placeholder_subject_matched_by_name_and_registration_number(ctx: Context, dept: Department) -> None:
    shop = {"subject_category": "个体工商户", "uscc": "00000000000000000X", "legal_representative": ""}
    first = service.submit_rows(
        ctx, "penalty", dept.id, [penalty(21, subject_name="番禺区市桥小明士多", reg_no="440126600123456", **shop)]
    )
    assert first.accepted == 1
    [record] = current(ctx.session, "番市监罚〔2026〕21号")
    subject = ctx.session.get(Subject, record.subject_id)
    assert subject is not None and subject.kind == "individual_business" and subject.verified is False
    assert (subject.uscc, subject.reg_no) == ("00000000000000000X", "440126600123456")
    assert record.subject_uscc is None
    again = service.submit_rows(
        ctx,
        "penalty",
        dept.id,
        [
            penalty(22, subject_name="番禺区市桥小明士多", reg_no="440126600123456", **shop),
            penalty(23, subject_name="番禺区市桥小明士多", reg_no="440126600999999", **shop),
        ],
    )
    [second] = current(ctx.session, "番市监罚〔2026〕22号")
    [third] = current(ctx.session, "番市监罚〔2026〕23号")
    assert second.subject_id == subject.id and third.subject_id not in (None, subject.id)
    assert [m.row for m in again.warnings] == [2]


def test_natural_person_id_is_encrypted_and_kept_out_of_data(ctx: Context, dept: Department) -> None:
    number = ric("19850312", "123")
    summary = service.submit_rows(ctx, "penalty", dept.id, [person(31, number)])
    assert summary.accepted == 1
    [record] = current(ctx.session, "番市监罚〔2026〕31号")
    assert "id_number" not in record.data and number not in json.dumps(record.data)
    assert record.id_cipher and pii.decrypt(record.id_cipher) == number
    assert record.id_hash == pii.lookup_hash(number) and record.id_masked == pii.mask_id(number)
    assert record.subject_kind == "natural_person" and record.subject_uscc is None
    subject = ctx.session.get(Subject, record.subject_id)
    assert subject is not None and subject.kind == "natural_person" and subject.ric_hash == pii.lookup_hash(number)
    assert subject.verified is False and number not in (subject.ric_masked or "")
    # a second penalty on the same person links the same subject
    service.submit_rows(ctx, "penalty", dept.id, [person(32, number)])
    [again] = current(ctx.session, "番市监罚〔2026〕32号")
    assert again.subject_id == subject.id
    events = ctx.session.scalars(select(AuditEvent)).all()
    issues = ctx.session.scalars(select(IntakeIssue)).all()
    assert number not in json.dumps([e.detail for e in events], ensure_ascii=False)
    assert all(number not in i.reason for i in issues)


def test_rejected_rows_keep_id_numbers_masked(ctx: Context, dept: Department) -> None:
    number = ric("19900101", "456")
    summary = service.submit_rows(ctx, "penalty", dept.id, [person(33, number, decided_on="")])
    assert summary.status == "rejected"
    [row] = ctx.session.scalars(select(IntakeRejectedRow)).all()
    assert row.values[LABEL["id_number"]] == pii.mask_id(number)
    assert number not in json.dumps(row.values, ensure_ascii=False)


def test_person_with_a_passport_stays_unlinked_with_a_warning(ctx: Context, dept: Department) -> None:
    summary = service.submit_rows(ctx, "penalty", dept.id, [person(34, "E12345678", id_type="护照号")])
    [record] = current(ctx.session, "番市监罚〔2026〕34号")
    assert record.subject_id is None and record.id_cipher and pii.decrypt(record.id_cipher) == "E12345678"
    [warning] = summary.warnings
    assert warning.field == "证件类型" and "护照号" in warning.reason


# --- refusals ------------------------------------------------------------------------------------------------


def test_unregistered_department_is_refused(ctx: Context, dept: Department) -> None:
    with pytest.raises(NotFound) as err:
        service.submit_rows(ctx, "penalty", dept.id + 1000, [penalty(1)])
    assert "未登记" in err.value.message
    assert ctx.session.scalar(select(func.count()).select_from(IntakeBatch)) == 0


def test_unknown_item_is_refused(ctx: Context, dept: Department) -> None:
    with pytest.raises(NotFound) as err:
        service.submit_rows(ctx, "arrears_nosuch", dept.id, [penalty(1)])
    assert "资源目录中没有数据项" in err.value.message


def test_officer_cannot_submit_for_another_department(
    db: Session, ctx: Context, dept: Department, other: Department
) -> None:
    officer = Context(session=db, actor="account:officer", role="department_officer", department_id=other.id)
    with pytest.raises(PermissionDenied):
        service.submit_rows(officer, "penalty", dept.id, [penalty(1)])
    regulator = Context(session=db, actor="account:reg", role="regulator")
    with pytest.raises(PermissionDenied):
        service.submit_rows(regulator, "penalty", dept.id, [penalty(1)])
    own = service.submit_rows(officer, "penalty", other.id, [penalty(1, authority_uscc=OTHER_USCC)])
    assert own.accepted == 1


@pytest.mark.parametrize(
    ("content", "name", "fragment"),
    [
        (b"", "empty.csv", "文件为空"),
        (b"PK\x03\x04broken", "penalty.xlsx", "损坏"),
        ("行政相对人名称,备注\n甲公司,无\n".encode(), "penalty.csv", "缺少必填列"),
    ],
)
def test_file_problem_gives_a_rejected_batch_and_changes_nothing(
    ctx: Context, dept: Department, content: bytes, name: str, fragment: str
) -> None:
    service.submit_rows(ctx, "penalty", dept.id, [penalty(1)])
    before = counts(ctx.session)
    summary = service.submit_file(ctx, "penalty", dept.id, io.BytesIO(content), name)
    assert (summary.status, summary.rows, summary.accepted) == ("rejected", 0, 0)
    assert summary.file_error is not None and fragment in summary.file_error
    assert [(m.row, m.field, m.reason) for m in summary.errors] == [(0, "", summary.file_error)]
    assert counts(ctx.session) == before
    batch = ctx.session.get(IntakeBatch, summary.batch_id)
    assert batch is not None and batch.file_error == summary.file_error and batch.filename == name


def test_gbk_csv_file_with_an_unknown_column(ctx: Context, dept: Department) -> None:
    rows = [{**penalty(41), "内部编号": "A-1"}, {**penalty(42), "内部编号": "A-2"}]
    content = csv_bytes(rows, encoding="gbk")
    summary = service.submit_file(ctx, "penalty", dept.id, io.BytesIO(content), "处罚.csv", channel="upload")
    assert (summary.status, summary.accepted) == ("loaded", 2)
    [note] = [m for m in summary.warnings if m.row == 0]
    assert "内部编号" in note.reason and note.field == ""
    batch = ctx.session.get(IntakeBatch, summary.batch_id)
    assert batch is not None and batch.headers[-1] == "内部编号" and len(batch.file_sha256) == 64
    [record] = current(ctx.session, "番市监罚〔2026〕41号")
    assert record.subject_name == "广州禾丰贸易41有限公司"


class _Stream(io.RawIOBase):
    """A non-seekable upload stream."""

    def __init__(self, data: bytes) -> None:
        self._chunks: Iterator[bytes] = iter([data[i : i + 100] for i in range(0, len(data), 100)])

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = next(self._chunks, b"")
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_non_seekable_stream_with_late_error_is_read_again(
    ctx: Context, dept: Department, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "CHUNK_ROWS", 2)
    content = csv_bytes([penalty(n) for n in range(1, 5)] + [penalty(5, decided_on="2027-01-01")])
    summary = service.submit_file(ctx, "penalty", dept.id, _Stream(content), "penalty.csv")  # type: ignore[arg-type]
    assert (summary.status, summary.held, summary.rejected) == ("rejected", 4, 1)
    assert [(m.row, m.field) for m in summary.errors] == [(5, "处罚决定日期")]


def test_too_large_file_is_a_file_problem(ctx: Context, dept: Department, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XINYONG_INTAKE_MAX_FILE_MB", "1")
    get_settings.cache_clear()
    assert service.max_upload_bytes() == 1024 * 1024
    monkeypatch.setattr(service, "max_upload_bytes", lambda: 1000)
    summary = service.submit_file(
        ctx, "penalty", dept.id, io.BytesIO(csv_bytes([penalty(n) for n in range(20)])), "a.csv"
    )
    assert summary.status == "rejected" and "大小上限" in (summary.file_error or "")


# --- audit, summaries, lists -----------------------------------------------------------------------------------


def test_one_audit_event_per_batch_without_personal_data(ctx: Context, dept: Department) -> None:
    number = ric("19850312", "123")
    summary = service.submit_rows(ctx, "penalty", dept.id, [penalty(51), person(52, number)])
    [event] = ctx.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "intake.submit").order_by(AuditEvent.id)
    ).all()
    assert (event.target_type, event.target_id, event.outcome) == ("intake_batch", str(summary.batch_id), "ok")
    assert event.detail["item"] == "penalty" and event.detail["accepted"] == 2 and event.detail["department"] == "scjgj"
    assert number not in json.dumps(event.detail, ensure_ascii=False) and "李四" not in json.dumps(event.detail)


def test_stored_summary_matches_the_returned_one(ctx: Context, dept: Department) -> None:
    rows = [penalty(1), penalty(2, decided_on="")]
    returned = service.submit_rows(ctx, "penalty", dept.id, rows)
    stored = queries.batch_summary(ctx, returned.batch_id)
    assert stored == returned
    event = ctx.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "read.intake_batch").order_by(AuditEvent.id)
    ).one()
    assert event.target_id == str(returned.batch_id)


def test_summary_lists_are_capped(ctx: Context, dept: Department, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "MAX_MESSAGES", 2)
    monkeypatch.setattr(queries, "MAX_MESSAGES", 2)
    rows = [penalty(n, decided_on="") for n in range(1, 6)]
    returned = service.submit_rows(ctx, "penalty", dept.id, rows)
    assert [m.row for m in returned.errors] == [1, 2, 0] and "另有 3 条错误" in returned.errors[-1].reason
    assert queries.batch_summary(ctx, returned.batch_id).errors == returned.errors
    assert ctx.session.scalar(select(func.count()).select_from(IntakeIssue)) == 5


def test_batches_are_scoped_to_the_officers_department(
    db: Session, ctx: Context, dept: Department, other: Department
) -> None:
    mine = service.submit_rows(ctx, "penalty", dept.id, [penalty(1)])
    theirs = service.submit_rows(ctx, "penalty", other.id, [penalty(2, authority_uscc=OTHER_USCC)])
    officer = Context(session=db, actor="account:officer", role="department_officer", department_id=dept.id)
    assert [b.id for b in queries.list_batches(officer)] == [mine.batch_id]
    with pytest.raises(PermissionDenied):
        queries.list_batches(officer, other.id)
    with pytest.raises(PermissionDenied):
        queries.batch_summary(officer, theirs.batch_id)
    office = Context(session=db, actor="account:office", role="credit_office_staff")
    listed = queries.list_batches(office)
    assert [b.id for b in listed] == [theirs.batch_id, mine.batch_id]
    assert listed[1].item_name == "行政处罚信息" and listed[1].department_code == "scjgj" and listed[1].accepted == 1
    with pytest.raises(NotFound):
        queries.batch_summary(office, 10**9)


def test_busy_batch_after_audited_work_is_a_conflict_not_a_deadlock(
    db: Session, ctx: Context, dept: Department, dialect: str
) -> None:
    """Another transaction loads the same item for the department; this one already appended an audit event (so
    holds the audit lock the other will want at its end): it must fail fast instead of waiting."""
    if dialect != "postgresql":
        pytest.skip("advisory locks: PostgreSQL only (SQLite serialises writers)")
    other = db.get_bind().engine.connect()
    try:
        other.exec_driver_sql(
            "SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':' || %s, 0))",
            (f"intake:penalty:{dept.id}",),
        )
        audit.record(ctx, "test.before", "test", 1)
        with pytest.raises(Conflict) as err:
            service.submit_rows(ctx, "penalty", dept.id, [penalty(1)])
        assert "正在入库" in err.value.message
    finally:
        other.rollback()
        other.close()
