"""Demo licence and penalty records: deterministic, exact shares of late/bad/omitted, realistic rows that the real
intake checks accept (or reject for exactly the planted reason), and a load whose scorecard finds the truth."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.calendar import CHINESECALENDAR_YEARS, WorkCalendar, load_calendar
from xinyong.catalog.departments import load_departments
from xinyong.catalog.items import load_catalog
from xinyong.cli import app
from xinyong.codes.ric import is_valid_ric
from xinyong.codes.uscc import PLACEHOLDER, uscc_problem_string
from xinyong.db.migrate import upgrade
from xinyong.db.session import make_engine, reset_caches
from xinyong.demo import casebook
from xinyong.demo.generator import DistrictGenerator, department_uscc
from xinyong.demo.records import (
    BAD_KINDS,
    ITEMS,
    Authority,
    Party,
    RecordGenerator,
    RecordSet,
    RecordWindowError,
    Shares,
    generate_for_registry,
    load_demo_records,
    record_counts,
    record_window,
)
from xinyong.demo.service import DemoSummary, load_demo
from xinyong.errors import InvalidInput
from xinyong.intake.check import RowChecker, map_columns
from xinyong.intake.models import IntakeBatch, IntakeIssue, IntakeRejectedRow
from xinyong.intake.parse import RawRow
from xinyong.quality.models import ReferenceDecision
from xinyong.quality.scorecard import scorecard
from xinyong.records.models import CreditRecord
from xinyong.settings import get_settings
from xinyong.subjects.models import Department, Subject

TODAY = date(2026, 11, 27)  # the pinned clock's day
START = date(2026, 1, 1)
CALENDAR = WorkCalendar()


def _parties(n: int = 3000, seed: int = 2021) -> list[Party]:
    """Demo subjects straight from the generator (no database): 存续, planted code errors left out."""
    gen = DistrictGenerator(n, seed)
    found = []
    for row in gen.rows():
        planted = row["id"] in gen.log.erroneous_ids or row["id"] in gen.log.duplicate_ids
        if row["status"] != "存续" or planted or row["kind"] == "government_body":
            continue
        found.append(
            Party(
                row["id"], row["kind"], row["name"], row["uscc"], row["reg_no"], row["ric"], row["legal_representative"]
            )
        )
    return found


PARTIES = _parties()
AUTHORITIES = [Authority(d.code, d.name, department_uscc(d.code, d.org_type)) for d in load_departments().departments]


def generate(seed: int = 7, penalties: int = 400, licences: int = 600, shares: Shares | None = None) -> RecordSet:
    return RecordGenerator(
        PARTIES,
        AUTHORITIES,
        seed=seed,
        penalties=penalties,
        licences=licences,
        calendar=CALENDAR,
        start=START,
        end=TODAY,
        shares=shares,
    ).generate()


@pytest.fixture(scope="module")
def records() -> RecordSet:
    return generate()


# ------------------------------------------------------------------------------------------------ generator


def test_same_seed_same_records_other_seed_other_records(records: RecordSet) -> None:
    again = generate()
    assert [(d.doc_no, d.fate, d.reported_on, d.row) for d in again.decisions] == [
        (d.doc_no, d.fate, d.reported_on, d.row) for d in records.decisions
    ]
    other = generate(seed=8)
    assert [d.row for d in other.decisions] != [d.row for d in records.decisions]


def test_shares_are_exact(records: RecordSet) -> None:
    assert records.counts("penalty") | {"blank_expected": 0} == {
        "decisions": 400,
        "on_time": 400 - 32 - 12 - 8,
        "late": 32,
        "bad": 12,
        "omitted": 8,
        "submitted": 392,
        "loaded": 380,
        "blank_expected": 0,
    }
    licence = records.counts("licence")
    assert (licence["late"], licence["bad"], licence["omitted"]) == (48, 18, 12)
    assert records.bad_kinds() == dict.fromkeys(BAD_KINDS, 6)
    custom = generate(penalties=100, licences=0, shares=Shares(late=0.2, bad=0.1, omitted=0.05))
    assert {k: custom.counts()[k] for k in ("late", "bad", "omitted")} == {"late": 20, "bad": 10, "omitted": 5}


def test_shares_must_be_valid() -> None:
    with pytest.raises(InvalidInput):
        Shares(late=0.9, bad=0.2)
    with pytest.raises(InvalidInput):
        Shares(omitted=-0.1)
    # rounding each share up may overshoot the total: the late count gives way
    assert Shares(late=0.5, bad=0.25, omitted=0.25).counts(3) == {"on_time": 0, "late": 1, "bad": 1, "omitted": 1}


def test_dates_against_the_working_day_deadline(records: RecordSet) -> None:
    catalog = load_catalog()
    for d in records.decisions:
        days = catalog.item(d.item_id).deadline_for(d.department)
        assert START <= d.decided_on <= TODAY and CALENDAR.is_workday(d.decided_on)
        assert d.deadline == CALENDAR.deadline(d.decided_on, days)
        if d.fate == "omitted":
            assert d.reported_on is None and d.deadline < TODAY
            continue
        assert d.reported_on is not None and d.decided_on <= d.reported_on <= TODAY
        if d.fate == "late":
            assert d.reported_on > d.deadline
            assert CALENDAR.workdays_between(d.deadline, d.reported_on) >= 1
        else:
            assert d.reported_on <= d.deadline
    # market supervision penalties have 20 working days (SAMR Order 45), the rest 7
    scjgj = [d for d in records.select("penalty", "scjgj") if d.fate == "on_time"]
    assert scjgj and all(CALENDAR.workdays_between(d.decided_on, d.deadline) == 20 for d in scjgj)


def test_documents_numbered_per_department_in_date_order(records: RecordSet) -> None:
    keys = [(d.item_id, d.department, d.doc_no) for d in records.decisions]
    assert len(set(keys)) == len(keys)
    for item_id in ITEMS:
        for dept in {d.department for d in records.select(item_id)}:
            chosen = sorted(records.select(item_id, dept), key=lambda d: int(d.doc_no.split("〕")[1][:-1]))
            assert [d.decided_on for d in chosen] == sorted(d.decided_on for d in chosen)
            assert chosen[0].doc_no.endswith("〔2026〕1号")


def test_rows_pass_the_intake_checks_or_fail_for_the_planted_reason(records: RecordSet) -> None:
    catalog = load_catalog()
    expected_field = {
        "invalid_uscc": {"统一社会信用代码"},
        "end_before_start": {"有效期至", "处罚有效期"},
        "future_decision": {"许可决定日期", "处罚决定日期"},
        "unknown_enum": {"许可类别", "处罚类别"},
    }
    for item_id in ITEMS:
        item = catalog.item(item_id)
        headers = list(records.select(item_id)[0].row)
        checkers: dict[date, RowChecker] = {}
        for n, d in enumerate(records.select(item_id), start=1):
            day = d.reported_on or TODAY
            if day not in checkers:
                checkers[day] = RowChecker(item, map_columns(item, headers), today=day)
            checked = checkers[day].check(RawRow(n, tuple(d.row[h] for h in headers), {}))
            errors = [i for i in checked.issues if i.level == "error"]
            if d.fate != "bad":
                assert errors == [], (d.doc_no, errors)
                continue
            assert len(errors) == 1, (d.bad_kind, errors)
            if d.bad_kind == "missing_required":
                assert "必填" in errors[0].reason
            else:
                assert errors[0].field in expected_field[d.bad_kind or ""], (d.bad_kind, errors)


def test_realistic_content_and_subject_mix(records: RecordSet) -> None:
    groups = Counter(d.group for d in records.decisions)
    total = len(records.decisions)
    assert groups["org"] > 0.6 * total
    assert 0.08 * total < groups["ind"] < 0.35 * total
    assert 0 < groups["person"] < 0.08 * total
    for d in records.decisions:
        row = d.row
        if d.group == "person":
            assert row["subject_category"] == "自然人" and row["id_type"] == "身份证" and is_valid_ric(row["id_number"])
            assert row["uscc"] == ""
        elif d.bad_kind != "invalid_uscc":
            assert (row["uscc"] == PLACEHOLDER and row["reg_no"]) or uscc_problem_string(row["uscc"]) == ""
        assert row["authority"] == row["source_department"]
    penalties = records.select("penalty")
    laws = {d.row["legal_basis"] for d in penalties}
    assert "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项" in laws
    assert any(law.startswith("《城市市容和环境卫生管理条例》") for law in laws)
    assert any(law.startswith("《中华人民共和国大气污染防治法》") for law in laws)
    for d in penalties:
        if d.row["fine_amount"] and d.fate != "bad":
            yuan = round(float(d.row["fine_amount"]) * 10000)
            assert f"{yuan}元" in d.row["content"]  # the amount in 万元 matches the decision text in 元
    certificates = {d.row["certificate_name"] for d in records.select("licence")}
    assert {"食品经营许可证", "建筑工程施工许可证", "排污许可证"} <= certificates
    casebook_departments = {p.code for p in casebook.PROFILES}
    assert {d.department for d in records.decisions} <= casebook_departments
    assert {"scjgj", "zjj", "sthjfj", "cgj", "gafj"} <= {d.department for d in records.decisions}


def test_batches_and_reference_lists(records: RecordSet) -> None:
    batches = records.batches()
    assert sum(len(b[3]) for b in batches) == sum(1 for d in records.decisions if d.submitted)
    assert [b[0] for b in batches] == sorted(b[0] for b in batches)
    assert all(d.reported_on == day and d.department == dept for day, dept, _, ds in batches for d in ds)
    listed = [d for ds in records.reference_lists().values() for d in ds]
    assert len(listed) == len(records.decisions) - records.counts()["bad"]
    assert {d.fate for d in listed} == {"on_time", "late", "omitted"}


def test_record_window() -> None:
    assert record_window(CALENDAR, TODAY) == (START, TODAY)
    assert record_window(CALENDAR, date(2026, 1, 20)) == (date(2025, 1, 1), date(2025, 12, 31))
    last = CHINESECALENDAR_YEARS[1]  # the last year the calendar knows: used in full after it
    assert record_window(CALENDAR, date(last + 2, 6, 1)) == (date(last, 1, 1), date(last, 12, 31))
    with pytest.raises(RecordWindowError):
        record_window(CALENDAR, date(last + 10, 6, 1))


def test_record_counts_scale() -> None:
    assert record_counts(20_000) == (1000, 2000)
    assert record_counts(20_000, 0.5) == (500, 1000)
    with pytest.raises(InvalidInput):
        record_counts(100, -1)


# ------------------------------------------------------------------------------------------------ loading

N = 1000


@pytest.fixture
def loaded(ctx: Context) -> DemoSummary:
    return load_demo(ctx, N, 2021, records=1.0, lifecycle=False)  # the records phase on its own


@pytest.fixture
def truth(ctx: Context, loaded: DemoSummary) -> RecordSet:
    """The same generation again from the loaded registry (deterministic)."""
    return generate_for_registry(ctx.session, 2021, today=ctx.today, subjects=N)


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_load_goes_through_the_intake_pipeline(ctx: Context, loaded: DemoSummary, truth: RecordSet) -> None:
    s = ctx.session
    summary = loaded.records
    assert summary is not None and summary.decisions == len(truth.decisions) == 150
    total = truth.counts()
    assert (summary.accepted, summary.rejected, summary.held) == (total["loaded"], total["bad"], 0)
    assert summary.expected == {item_id: truth.counts(item_id) for item_id in ITEMS}
    assert _count(s, CreditRecord) == total["loaded"]
    assert _count(s, IntakeRejectedRow) == total["bad"]
    assert _count(s, IntakeBatch) == summary.batches == len(truth.batches())
    assert set(s.scalars(select(IntakeBatch.channel))) == {"demo"}
    stored = {(r.item_id, r.doc_no): r for r in s.scalars(select(CreditRecord))}
    for d in truth.decisions:
        record = stored.get((d.item_id, d.doc_no))
        assert (record is not None) == d.loaded
        if record is not None:
            assert (record.reported_on, record.decided_on, record.subject_id) == (
                d.reported_on,
                d.decided_on,
                d.subject_id,
            )
    # every record is linked to its demo subject: no subject was created by intake
    assert s.scalar(select(func.count()).select_from(Subject).where(Subject.source != "demo")) == 0
    # rejected rows carry their reasons, one error each
    for row in s.scalars(select(IntakeRejectedRow)):
        errors = s.scalars(
            select(IntakeIssue.reason).where(
                IntakeIssue.batch_id == row.batch_id, IntakeIssue.row_no == row.row_no, IntakeIssue.level == "error"
            )
        ).all()
        assert len(errors) == 1 and errors[0]
    rejected_docs = set(s.scalars(select(IntakeRejectedRow.doc_no)))
    assert rejected_docs == {d.doc_no for d in truth.decisions if d.fate == "bad"}
    # one audit event for the records (with the truth), one per batch from intake
    events = s.scalars(select(AuditEvent).where(AuditEvent.action == "demo.records").order_by(AuditEvent.id)).all()
    assert len(events) == 1 and events[0].detail["seed"] == 2021
    assert events[0].detail["expected"]["penalty"]["late"] == truth.counts("penalty")["late"]
    assert s.scalar(select(func.count()).where(AuditEvent.action == "intake.submit")) == len(truth.batches())


def test_late_and_omitted_found_by_sql_and_by_the_scorecard(
    ctx: Context, loaded: DemoSummary, truth: RecordSet
) -> None:
    total = truth.counts()
    calendar = load_calendar(ctx.session)
    catalog = load_catalog()
    rows = ctx.session.execute(
        select(CreditRecord.item_id, Department.code, CreditRecord.decided_on, CreditRecord.reported_on).join(
            Department, Department.id == CreditRecord.department_id
        )
    ).all()
    late_by_sql = sum(
        1
        for item_id, code, decided, reported in rows
        if reported > calendar.deadline(decided, catalog.item(item_id).deadline_for(code))
    )
    assert late_by_sql == total["late"] == 12
    late = bad = blank = records = 0
    for month in range(1, 12):
        card = scorecard(ctx, f"2026-{month:02d}", as_of=TODAY)
        for row in card.departments:
            records += row.records
            late += row.records - row.on_time
            bad += row.keys_first_submitted - row.keys_passed
            blank += row.expected_fields - row.filled_fields
    assert (records, late, bad, blank) == (total["loaded"], total["late"], total["bad"], total["blank_expected"])
    november = scorecard(ctx, "2026-11", as_of=TODAY)
    assert sum(r.omissions for r in november.departments) == total["omitted"] == 3
    by_department = {r.code: r.omissions for r in november.departments if r.omissions}
    expected = Counter(d.department for d in truth.decisions if d.fate == "omitted")
    assert by_department == dict(expected)
    assert _count(ctx.session, ReferenceDecision) == loaded.records.reference_rows  # type: ignore[union-attr]


def test_without_records_nothing_is_reported(ctx: Context) -> None:
    summary = load_demo(ctx, 300, 3)
    assert summary.records is None
    assert _count(ctx.session, CreditRecord) == 0 and _count(ctx.session, IntakeBatch) == 0


def test_public_role_may_not_load_records(ctx: Context) -> None:
    load_demo(ctx, 300, 3)
    with pytest.raises(PermissionDenied):
        load_demo_records(Context(session=ctx.session, actor="x", role="public"), 3)
    assert _count(ctx.session, IntakeBatch) == 0


# ------------------------------------------------------------------------------------------------ command


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("XINYONG_DATABASE_URL", url)
    get_settings.cache_clear()
    reset_caches()
    upgrade(make_engine(url))
    yield url
    reset_caches()


def _records_in(url: str) -> int:
    """Licences and penalties the demo's own batches loaded (the lifecycle phase adds corrections and breach
    records; its judicial and sector feeds load lawyers' and credit agencies' records, other items)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        found = (
            conn.scalar(
                select(func.count())
                .select_from(CreditRecord)
                .join(IntakeBatch, IntakeBatch.id == CreditRecord.batch_id)
                .where(IntakeBatch.channel == "demo", CreditRecord.item_id.in_(("licence", "penalty")))
            )
            or 0
        )
    engine.dispose()
    return found


def test_command_loads_records_by_default(database: str) -> None:
    result = CliRunner().invoke(app, ["demo", "--subjects", "1000", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "许可、处罚决定 150 条" in result.output and "预置迟报 12 条、错误 5 条、漏报 3 条" in result.output
    assert _records_in(database) == 150 - 5 - 3
    assert "异议 8 件" in result.output and "信用承诺" in result.output


def test_command_without_records(database: str) -> None:
    result = CliRunner().invoke(app, ["demo", "--subjects", "500", "--no-records"])
    assert result.exit_code == 0, result.output
    assert "许可、处罚决定" not in result.output
    assert _records_in(database) == 0
