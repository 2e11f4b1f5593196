"""Working-day calendar: chinesecalendar for covered years, overrides, declared years, fallback, actions.

Dates are pinned; the 2026 facts are the State Council's 2026 schedule as chinesecalendar 1.11.0 has it:
元旦 01-01..03 (work 01-04 Sun), 春节 02-15..23 (work 02-14 Sat, 02-28 Sat), 劳动节 05-01..05 (work 05-09 Sat),
中秋 09-25..27, 国庆节 10-01..07 (work 09-20 Sun, 10-10 Sat). 2027 data in these tests is fictional.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong import calendar as calmod
from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.calendar import (
    CalendarDay,
    CalendarError,
    CalendarRangeError,
    CalendarYear,
    OverrideNotFound,
    WorkCalendar,
    declare_year,
    import_schedule,
    load_calendar,
    parse_schedule,
    remove_day,
    set_day,
)
from xinyong.settings import get_settings

D = date
FICTIONAL = "测试用虚构安排 (fictional test schedule, not a real notice)"
DOCS = Path(__file__).resolve().parents[1] / "docs" / "calendar.md"


def events(db: Session, action: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.scalars(query))


def public_ctx(db: Session) -> Context:
    return Context(session=db, actor="visitor", role="public")


# ------------------------------------------------------------------------------------------ covered years


def test_coverage_is_read_from_the_package() -> None:
    years = {d.year for d in chinese_calendar.holidays}
    assert (min(years), max(years)) == calmod.CHINESECALENDAR_YEARS
    assert calmod.chinesecalendar_covers(2026)
    assert not calmod.chinesecalendar_covers(2027)


def test_spring_festival_2026() -> None:
    cal = WorkCalendar()
    for offset in range(9):  # 2026-02-15 (Sun) .. 2026-02-23 (Mon), all off
        assert not cal.is_workday(D(2026, 2, 15) + timedelta(days=offset))
    assert cal.is_workday(D(2026, 2, 14))  # Saturday, make-up working day
    assert cal.is_workday(D(2026, 2, 28))  # Saturday, make-up working day
    assert cal.decide(D(2026, 2, 17)).name == "春节"
    assert cal.next_workday(D(2026, 2, 13)) == D(2026, 2, 14)
    assert cal.next_workday(D(2026, 2, 14)) == D(2026, 2, 24)


def test_spring_festival_2026_seven_days_counted() -> None:
    cal = WorkCalendar()
    # 2026-02-12 Thu: 02-13 Fri (1), 02-14 Sat make-up (2), 02-24 (3), 02-25 (4), 02-26 (5), 02-27 (6), 02-28 Sat (7)
    assert cal.deadline(D(2026, 2, 12), 7) == D(2026, 2, 28)


def test_national_day_2026_objection_deadlines() -> None:
    cal = WorkCalendar()
    # rules.md §4: accept an objection within 2 working days.
    assert cal.deadline(D(2026, 9, 25), 2) == D(2026, 9, 29)  # received on Friday 09-25 (中秋): 09-28, 09-29
    assert cal.deadline(D(2026, 9, 30), 2) == D(2026, 10, 9)  # 10-01..07 off: 10-08, 10-09
    assert cal.deadline(D(2026, 10, 8), 2) == D(2026, 10, 10)  # 10-09, then Saturday 10-10 (make-up)
    # rules.md §4: data provider verifies within 10 working days.
    assert cal.deadline(D(2026, 9, 29), 10) == D(2026, 10, 19)
    for offset in range(7):
        assert not cal.is_workday(D(2026, 10, 1) + timedelta(days=offset))


def test_make_up_saturday_and_sunday_2026() -> None:
    cal = WorkCalendar()
    saturday, sunday = D(2026, 10, 10), D(2026, 9, 20)
    assert saturday.weekday() == 5 and sunday.weekday() == 6
    assert cal.is_workday(saturday)
    assert cal.is_workday(sunday)
    decision = cal.decide(saturday)
    assert decision.basis == "chinesecalendar"
    assert decision.name == "国庆节"
    assert not cal.is_workday(D(2026, 10, 11))  # the Sunday after is an ordinary weekend day


def test_agrees_with_chinesecalendar_for_all_of_2026() -> None:
    cal = WorkCalendar()
    d = D(2026, 1, 1)
    while d.year == 2026:
        assert cal.is_workday(d) == chinese_calendar.is_workday(d)
        d += timedelta(days=1)


# ------------------------------------------------------------------------------------------- conventions


def test_n_zero_returns_the_day_or_the_next_workday() -> None:
    cal = WorkCalendar()
    assert cal.add_workdays(D(2026, 10, 9), 0) == D(2026, 10, 9)
    assert cal.add_workdays(D(2026, 10, 1), 0) == D(2026, 10, 8)
    assert cal.add_workdays(D(2026, 10, 10), 0) == D(2026, 10, 10)  # make-up Saturday is a working day
    assert cal.deadline(D(2026, 10, 3), 0) == D(2026, 10, 8)


def test_start_day_is_not_counted() -> None:
    cal = WorkCalendar()
    assert cal.add_workdays(D(2026, 11, 24), 1) == D(2026, 11, 25)  # Tuesday -> Wednesday
    assert cal.add_workdays(D(2026, 11, 27), 1) == D(2026, 11, 30)  # Friday -> Monday
    assert cal.add_workdays(D(2026, 11, 28), 1) == D(2026, 11, 30)  # Saturday -> Monday


def test_negative_n_goes_backward() -> None:
    cal = WorkCalendar()
    assert cal.add_workdays(D(2026, 10, 8), -1) == D(2026, 9, 30)
    assert cal.add_workdays(D(2026, 10, 8), -3) == D(2026, 9, 28)
    assert cal.add_workdays(D(2026, 9, 28), -1) == D(2026, 9, 24)  # over 中秋 09-25..27
    assert cal.previous_workday(D(2026, 9, 21)) == D(2026, 9, 20)  # make-up Sunday
    assert cal.workdays_between(D(2026, 10, 8), D(2026, 9, 28)) == -3


def test_workdays_between() -> None:
    cal = WorkCalendar()
    assert cal.workdays_between(D(2026, 9, 30), D(2026, 10, 9)) == 2
    assert cal.workdays_between(D(2026, 9, 30), D(2026, 9, 30)) == 0
    assert cal.workdays_between(D(2026, 10, 1), D(2026, 10, 7)) == 0
    assert cal.workdays_between(D(2026, 2, 13), D(2026, 2, 28)) == 6  # 02-14, 02-24..28


@given(
    d=st.dates(min_value=D(2004, 3, 1), max_value=D(2026, 10, 31)),
    n=st.integers(min_value=-30, max_value=30).filter(lambda n: n != 0),
)
def test_workdays_between_inverts_add_workdays(d: date, n: int) -> None:
    cal = WorkCalendar()
    end = cal.add_workdays(d, n)
    assert cal.is_workday(end)
    assert (end > d) == (n > 0)
    assert cal.workdays_between(d, end) == n


def test_invalid_arguments() -> None:
    cal = WorkCalendar()
    with pytest.raises(TypeError):
        cal.is_workday(datetime(2026, 10, 8, 9, 0, tzinfo=UTC))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cal.add_workdays(D(2026, 10, 8), 1.5)  # type: ignore[arg-type]
    with pytest.raises(CalendarError):
        cal.deadline(D(2026, 10, 8), -1)
    with pytest.raises(ValueError):
        WorkCalendar(fallback="lenient")  # type: ignore[arg-type]


def test_decisions_are_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    cal = WorkCalendar()
    calls: list[date] = []
    original = WorkCalendar._decide

    def counting(self: WorkCalendar, d: date) -> calmod.DayDecision:
        calls.append(d)
        return original(self, d)

    monkeypatch.setattr(WorkCalendar, "_decide", counting)
    cal.deadline(D(2026, 9, 30), 2)
    cal.deadline(D(2026, 9, 30), 2)
    assert len(calls) == len(set(calls)) == 9  # 10-01 .. 10-09, each decided once


# ---------------------------------------------------------------------------------------- year boundary


def test_year_boundary_strict_raises(db: Session) -> None:
    cal = load_calendar(db, fallback="strict")
    assert cal.add_workdays(D(2026, 12, 30), 1) == D(2026, 12, 31)
    with pytest.raises(CalendarRangeError) as info:
        cal.add_workdays(D(2026, 12, 30), 2)
    assert isinstance(info.value, ValueError)
    assert info.value.year == 2027
    message = str(info.value)
    assert "2027" in message
    assert "declare-year" in message
    assert "XINYONG_CALENDAR_FALLBACK" in message
    with pytest.raises(CalendarRangeError):
        cal.is_workday(D(2003, 6, 2))  # before chinesecalendar's range too


def test_year_boundary_weekends_only_fallback(db: Session) -> None:
    cal = load_calendar(db, fallback="weekends_only")
    assert cal.add_workdays(D(2026, 12, 30), 2) == D(2027, 1, 1)  # a guess: Friday counted as a working day
    assert cal.decide(D(2027, 1, 1)).basis == "fallback"
    assert cal.add_workdays(D(2026, 12, 30), 3) == D(2027, 1, 4)


def test_fallback_comes_from_settings(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_calendar(db).fallback == "strict"
    monkeypatch.setenv("XINYONG_CALENDAR_FALLBACK", "weekends_only")
    get_settings.cache_clear()
    assert load_calendar(db).fallback == "weekends_only"


def test_year_boundary_after_declaring_2027(ctx: Context) -> None:
    set_day(ctx, D(2027, 1, 1), False, "元旦", FICTIONAL)
    set_day(ctx, D(2027, 1, 4), False, "虚构假日", FICTIONAL)
    set_day(ctx, D(2027, 1, 9), True, "虚构调休", FICTIONAL)
    declare_year(ctx, 2027, FICTIONAL)
    cal = load_calendar(ctx.session, fallback="strict")
    assert cal.covers(2027)
    assert cal.add_workdays(D(2026, 12, 30), 2) == D(2027, 1, 5)  # 12-31, then 01-01..04 off, 01-05
    assert cal.add_workdays(D(2027, 1, 8), 1) == D(2027, 1, 9)  # the overridden Saturday
    assert cal.decide(D(2027, 1, 6)).basis == "declared_year"
    assert not cal.is_workday(D(2027, 1, 10))  # an ordinary Sunday
    assert cal.add_workdays(D(2027, 1, 5), -2) == D(2026, 12, 30)


def test_override_in_undeclared_year_does_not_make_the_year_known(ctx: Context) -> None:
    set_day(ctx, D(2027, 1, 1), False, "元旦", FICTIONAL)
    cal = load_calendar(ctx.session, fallback="strict")
    assert not cal.is_workday(D(2027, 1, 1))
    with pytest.raises(CalendarRangeError):
        cal.is_workday(D(2027, 1, 4))


# --------------------------------------------------------------------------------------------- overrides


def test_override_beats_chinesecalendar(ctx: Context) -> None:
    set_day(ctx, D(2026, 10, 12), False, "区政府临时放假", FICTIONAL)  # a Monday
    set_day(ctx, D(2026, 10, 7), True, "应急值班", FICTIONAL)  # a National Day holiday
    cal = load_calendar(ctx.session)
    assert not cal.is_workday(D(2026, 10, 12))
    assert cal.decide(D(2026, 10, 12)).basis == "override"
    assert cal.decide(D(2026, 10, 12)).source == FICTIONAL
    assert cal.is_workday(D(2026, 10, 7))
    assert cal.add_workdays(D(2026, 10, 9), 2) == D(2026, 10, 13)  # 10-10 (make-up), skip 10-11, 10-12
    assert cal.add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 7)


def test_set_day_appends_audit_event_with_old_and_new(ctx: Context) -> None:
    before = len(events(ctx.session))
    row = set_day(ctx, D(2026, 10, 12), False, "区政府临时放假", "区政府通知 (test)")
    assert row.created_by == "tester"
    assert row.created_at is not None
    created = events(ctx.session, "calendar.set_day")
    assert len(events(ctx.session)) == before + 1
    assert created[-1].target_type == "calendar_day"
    assert created[-1].target_id == "2026-10-12"
    assert created[-1].detail["old"] is None
    assert created[-1].detail["new"] == {"is_workday": False, "name": "区政府临时放假", "source": "区政府通知 (test)"}

    set_day(ctx, D(2026, 10, 12), True, "", "区政府更正通知 (test)")
    changed = events(ctx.session, "calendar.set_day")[-1]
    assert changed.detail["old"] == {"is_workday": False, "name": "区政府临时放假", "source": "区政府通知 (test)"}
    assert changed.detail["new"] == {"is_workday": True, "name": "", "source": "区政府更正通知 (test)"}
    assert ctx.session.get(CalendarDay, D(2026, 10, 12)).is_workday

    count = len(events(ctx.session))
    set_day(ctx, D(2026, 10, 12), True, "", "区政府更正通知 (test)")  # same values: nothing to record
    assert len(events(ctx.session)) == count
    assert audit.verify_chain(ctx.session).ok


def test_remove_day(ctx: Context) -> None:
    set_day(ctx, D(2026, 10, 12), False, "区政府临时放假", FICTIONAL)
    remove_day(ctx, D(2026, 10, 12), "误录 (entered by mistake)")
    assert ctx.session.get(CalendarDay, D(2026, 10, 12)) is None
    removed = events(ctx.session, "calendar.remove_day")[-1]
    assert removed.detail["old"]["is_workday"] is False
    assert removed.detail["reason"] == "误录 (entered by mistake)"
    assert load_calendar(ctx.session).is_workday(D(2026, 10, 12))
    with pytest.raises(OverrideNotFound):
        remove_day(ctx, D(2026, 10, 12), "again")


def test_permission_denied_for_public(db: Session, tmp_path: Path) -> None:
    ctx = public_ctx(db)
    with pytest.raises(PermissionDenied):
        set_day(ctx, D(2026, 10, 12), False, "x", FICTIONAL)
    with pytest.raises(PermissionDenied):
        remove_day(ctx, D(2026, 10, 12), FICTIONAL)
    with pytest.raises(PermissionDenied):
        declare_year(ctx, 2027, FICTIONAL)
    with pytest.raises(PermissionDenied):
        import_schedule(ctx, tmp_path / "none.yaml")
    assert db.scalar(select(func.count()).select_from(CalendarDay)) == 0
    assert events(db) == []


@pytest.mark.parametrize("source", ["", "   ", None, "x" * 201])
def test_invalid_source_rejected(ctx: Context, source: object) -> None:
    with pytest.raises(CalendarError) as info:
        set_day(ctx, D(2027, 1, 1), False, "元旦", source)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError)
    assert info.value.field == "source"
    with pytest.raises(CalendarError):
        declare_year(ctx, 2027, source)  # type: ignore[arg-type]
    assert ctx.session.get(CalendarDay, D(2027, 1, 1)) is None
    assert events(ctx.session) == []


def test_invalid_day_name_and_flag_rejected(ctx: Context) -> None:
    with pytest.raises(CalendarError):
        set_day(ctx, datetime(2027, 1, 1, tzinfo=UTC), False, "", FICTIONAL)
    with pytest.raises(CalendarError):
        set_day(ctx, D(1900, 1, 1), False, "", FICTIONAL)
    with pytest.raises(CalendarError):
        set_day(ctx, D(2027, 1, 1), False, "名" * 65, FICTIONAL)
    with pytest.raises(CalendarError):
        set_day(ctx, D(2027, 1, 1), "no", "", FICTIONAL)  # type: ignore[arg-type]


def test_declare_year_checks(ctx: Context) -> None:
    with pytest.raises(CalendarError, match="chinesecalendar"):
        declare_year(ctx, 2026, FICTIONAL)
    with pytest.raises(CalendarError):
        declare_year(ctx, 2027, FICTIONAL)  # nothing entered for 2027 yet
    with pytest.raises(CalendarError):
        declare_year(ctx, 1999, FICTIONAL)
    with pytest.raises(CalendarError):
        declare_year(ctx, "2027", FICTIONAL)  # type: ignore[arg-type]
    set_day(ctx, D(2027, 1, 1), False, "元旦", FICTIONAL)
    row = declare_year(ctx, 2027, FICTIONAL)
    assert (row.year, row.source, row.declared_by) == (2027, FICTIONAL, "tester")
    assert events(ctx.session, "calendar.declare_year")[-1].detail == {"old": None, "new": {"source": FICTIONAL}}
    count = len(events(ctx.session))
    declare_year(ctx, 2027, FICTIONAL)  # same again: nothing changes
    assert len(events(ctx.session)) == count
    declare_year(ctx, 2027, "补充通知 (fictional)")
    assert events(ctx.session, "calendar.declare_year")[-1].detail["old"]["source"] == FICTIONAL
    assert calmod.declared_years(ctx.session) == [(2027, "补充通知 (fictional)")]


# ---------------------------------------------------------------------------------------- schedule files

SCHEDULE_2099 = {
    "year": 2099,
    "source": FICTIONAL,
    "holidays": [
        {"name": "元旦", "dates": ["2099-01-01", "2099-01-02"]},
        {"name": "虚构长假", "from": "2099-02-02", "to": "2099-02-08"},
    ],
    "workdays": [{"name": "虚构调休", "dates": ["2099-01-31"]}],  # a Saturday
}


def write(tmp_path: Path, data: object, name: str = "schedule.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_import_schedule_declares_year(ctx: Context, tmp_path: Path) -> None:
    result = import_schedule(ctx, write(tmp_path, SCHEDULE_2099))
    assert result.year == 2099
    assert len(result.added) == 10
    assert result.declared
    assert ctx.session.get(CalendarYear, 2099).source == FICTIONAL
    cal = load_calendar(ctx.session, fallback="strict")
    assert not cal.is_workday(D(2099, 2, 2))
    assert cal.is_workday(D(2099, 1, 31))
    assert cal.decide(D(2099, 1, 31)).name == "虚构调休"
    assert cal.add_workdays(D(2099, 1, 30), 2) == D(2099, 2, 9)  # 01-31 (make-up), then 02-09
    [event] = events(ctx.session, "calendar.import_schedule")
    assert event.target_id == "2099"
    assert len(event.detail["sha256"]) == 64
    assert event.detail["added"][0] == "2099-01-01"

    again = import_schedule(ctx, write(tmp_path, SCHEDULE_2099))  # same file: no change, no event
    assert (again.added, again.changed, again.removed, again.declared) == ([], [], [], False)
    assert len(events(ctx.session, "calendar.import_schedule")) == 1

    revised = dict(SCHEDULE_2099, holidays=[{"name": "元旦假期", "dates": ["2099-01-01"]}], workdays=[])
    result = import_schedule(ctx, write(tmp_path, revised))
    assert result.changed == ["2099-01-01"]
    assert len(result.removed) == 9
    latest = events(ctx.session, "calendar.import_schedule")[-1]
    assert latest.detail["changed"][0]["old"]["name"] == "元旦"
    assert latest.detail["changed"][0]["new"]["name"] == "元旦假期"
    assert ctx.session.scalar(select(func.count()).select_from(CalendarDay)) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"source": "  "}, "来源"),
        ({"year": 1800}, "年份"),
        ({"holidays": [{"name": "x", "dates": ["2098-12-31"]}]}, "不在 2099"),
        ({"workdays": [{"name": "x", "dates": ["2099-01-02"]}]}, "同时"),
        ({"workdays": [{"name": "x", "dates": ["2099-01-30"]}]}, "周六或周日"),
        ({"holidays": [{"name": "x", "dates": ["2099-02-30"]}]}, "日期无效"),
        ({"holidays": [{"name": "x", "from": "2099-02-08", "to": "2099-02-02"}]}, "早于"),
        ({"holidays": [{"name": "x", "dates": ["2099-01-01", "2099-01-01"]}]}, "重复"),
        ({"holidays": []}, "holidays"),
        ({"holiday": []}, "未知字段"),
    ],
)
def test_import_validation_is_all_or_nothing(ctx: Context, tmp_path: Path, change: dict, message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        import_schedule(ctx, write(tmp_path, {**SCHEDULE_2099, **change}))
    assert ctx.session.scalar(select(func.count()).select_from(CalendarDay)) == 0
    assert ctx.session.get(CalendarYear, 2099) is None
    assert events(ctx.session) == []


def test_import_rolls_back_when_a_write_fails(ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    set_day(ctx, D(2099, 3, 2), False, "旧记录", FICTIONAL)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(calmod.audit, "record", broken)
    with pytest.raises(RuntimeError):
        import_schedule(ctx, write(tmp_path, SCHEDULE_2099))
    monkeypatch.undo()
    ctx.session.expire_all()
    days = ctx.session.scalars(select(CalendarDay.day)).all()
    assert days == [D(2099, 3, 2)]
    assert ctx.session.get(CalendarYear, 2099) is None


def test_import_refuses_covered_year_and_bad_files(ctx: Context, tmp_path: Path) -> None:
    with pytest.raises(CalendarError, match="chinesecalendar"):
        import_schedule(
            ctx,
            write(
                tmp_path, dict(SCHEDULE_2099, year=2026, holidays=[{"name": "x", "dates": ["2026-10-01"]}], workdays=[])
            ),
        )
    with pytest.raises(CalendarError, match="无法读取"):
        import_schedule(ctx, tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("year: 2099\nholidays: [\n", encoding="utf-8")
    with pytest.raises(CalendarError, match="YAML"):
        import_schedule(ctx, bad)


def assert_schedule_matches_chinesecalendar(schedule: calmod.Schedule) -> None:
    """Overrides plus the Monday–Friday rule (a declared year) give exactly chinesecalendar's answers."""
    d = D(schedule.year, 1, 1)
    while d.year == schedule.year:
        listed = schedule.days.get(d)
        actual = listed.is_workday if listed is not None else d.weekday() < 5
        assert actual == chinese_calendar.is_workday(d), d
        d += timedelta(days=1)


def test_docs_example_matches_chinesecalendar_2026() -> None:
    block = re.search(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    assert block is not None
    schedule = parse_schedule(yaml.safe_load(block.group(1)))
    assert schedule.year == 2026
    assert_schedule_matches_chinesecalendar(schedule)


@pytest.mark.parametrize("year", [2004, 2015, 2020, 2026])
def test_export_round_trips(year: int) -> None:
    assert_schedule_matches_chinesecalendar(parse_schedule(calmod.schedule_from_chinesecalendar(year)))
