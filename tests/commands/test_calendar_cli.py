"""``xinyong calendar``: thin commands over xinyong.calendar, against a migrated database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from testdb import rows
from xinyong.auth.models import AuditEvent
from xinyong.calendar import CalendarDay, CalendarYear, parse_schedule
from xinyong.cli import app
from xinyong.settings import get_settings

FICTIONAL = "测试用虚构安排 (fictional test schedule, not a real notice)"


@pytest.fixture(autouse=True)
def _no_calendar_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's ``XINYONG_CALENDAR_FALLBACK`` does not reach these tests (set up before ``cli_db``)."""
    monkeypatch.delenv("XINYONG_CALENDAR_FALLBACK", raising=False)


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["calendar", *args])


def assert_one_line_error(result: Result, *fragments: str) -> None:
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("错误: ")
    for fragment in fragments:
        assert fragment in lines[0]


def test_is_workday(cli_db: str) -> None:
    assert run("is-workday", "2026-10-10").stdout == "true\n"  # make-up Saturday (国庆节 2026)
    assert run("is-workday", "2026-10-01").stdout == "false\n"
    assert run("is-workday", "2026-02-17").stdout == "false\n"  # 春节 2026


def test_add_workdays(cli_db: str) -> None:
    result = run("add-workdays", "2026-09-25", "2")
    assert result.exit_code == 0
    assert result.stdout == "2026-09-29\n"
    assert run("add-workdays", "2026-09-30", "2").stdout == "2026-10-09\n"
    assert run("add-workdays", "2026-10-08", "-3").stdout == "2026-09-28\n"
    assert run("add-workdays", "2026-10-01", "0").stdout == "2026-10-08\n"


@pytest.mark.parametrize("bad", ["2026-02-30", "abc", "2026-13-01", ""])
def test_bad_dates_give_one_line_and_exit_2(cli_db: str, bad: str) -> None:
    assert_one_line_error(run("is-workday", bad), "日期无效")
    assert_one_line_error(run("add-workdays", bad, "1"), "日期无效")
    assert_one_line_error(run("set", bad, "--off", "--source", FICTIONAL), "日期无效")


def test_bad_n_and_year(cli_db: str) -> None:
    assert_one_line_error(run("add-workdays", "2026-10-08", "two"), "N")
    assert_one_line_error(run("declare-year", "20x7", "--source", FICTIONAL), "YEAR")


def test_uncovered_year_strict_then_fallback(cli_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_one_line_error(run("add-workdays", "2026-12-30", "2"), "2027", "declare-year", "XINYONG_CALENDAR_FALLBACK")
    assert_one_line_error(run("is-workday", "2027-03-01"), "2027")
    monkeypatch.setenv("XINYONG_CALENDAR_FALLBACK", "weekends_only")
    get_settings.cache_clear()
    assert run("add-workdays", "2026-12-30", "2").stdout == "2027-01-01\n"


def test_set_and_declare_year(cli_db: str) -> None:
    result = run("set", "2027-01-01", "--off", "--name", "元旦", "--source", FICTIONAL)
    assert result.exit_code == 0, result.output
    assert run("set", "2027-01-04", "--off", "--name", "虚构假日", "--source", FICTIONAL).exit_code == 0
    assert run("declare-year", "2027", "--source", FICTIONAL).exit_code == 0
    assert run("add-workdays", "2026-12-30", "2").stdout == "2027-01-05\n"
    assert run("is-workday", "2027-01-04").stdout == "false\n"
    assert rows(cli_db, select(CalendarYear.year, CalendarYear.source)) == [(2027, FICTIONAL)]
    actors = {actor for (actor,) in rows(cli_db, select(AuditEvent.actor))}
    assert len(actors) == 1
    assert actors.pop().startswith("cli:")

    assert run("remove", "2027-01-04", "--source", "误录").exit_code == 0
    assert run("is-workday", "2027-01-04").stdout == "true\n"
    status = run("status")
    assert "declared 2027" in status.stdout
    assert "fallback: strict" in status.stdout


def test_set_validation(cli_db: str) -> None:
    assert_one_line_error(run("set", "2027-01-01", "--name", "元旦", "--source", FICTIONAL), "--workday")
    assert_one_line_error(run("set", "2027-01-01", "--off", "--name", "元旦"), "来源")
    assert_one_line_error(run("declare-year", "2027", "--source", FICTIONAL), "2027")  # nothing entered yet
    assert_one_line_error(run("remove", "2027-01-01", "--source", "x"), "2027-01-01")
    assert rows(cli_db, select(func.count()).select_from(CalendarDay)) == [(0,)]


def test_import(cli_db: str, tmp_path: Path) -> None:
    good = tmp_path / "2099.yaml"
    good.write_text(
        f"year: 2099\nsource: {FICTIONAL}\n"
        "holidays:\n- name: 元旦\n  from: 2099-01-01\n  to: 2099-01-02\n"
        "workdays:\n- name: 虚构调休\n  dates: [2099-01-03]\n",
        encoding="utf-8",
    )
    result = run("import", str(good))
    assert result.exit_code == 0, result.output
    assert "2099" in result.stdout
    assert run("is-workday", "2099-01-03").stdout == "true\n"  # a Saturday made a working day
    assert run("is-workday", "2099-01-05").stdout == "true\n"  # the year is declared

    bad = tmp_path / "2098.yaml"
    bad.write_text(
        f"year: 2098\nsource: {FICTIONAL}\nholidays:\n- name: x\n  dates: [2098-01-01]\n"
        "workdays:\n- name: y\n  dates: [2098-01-01]\n",
        encoding="utf-8",
    )
    assert_one_line_error(run("import", str(bad)), "2098-01-01")
    assert_one_line_error(run("import", str(tmp_path / "missing.yaml")), "missing.yaml")
    assert (
        rows(
            cli_db,
            select(CalendarDay.day).where(CalendarDay.day >= date(2098, 1, 1), CalendarDay.day < date(2099, 1, 1)),
        )
        == []
    )


def test_export_is_an_importable_template(cli_db: str) -> None:
    result = run("export", "2026")
    assert result.exit_code == 0
    schedule = parse_schedule(yaml.safe_load(result.stdout))
    assert not schedule.days[date(2026, 10, 1)].is_workday
    assert schedule.days[date(2026, 10, 10)].is_workday
    assert_one_line_error(run("export", "2027"), "2027")
