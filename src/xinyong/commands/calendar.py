"""``xinyong calendar``: working days and the holiday override table (thin: parse, call, print).

Errors (bad date, uncovered year in strict mode, invalid schedule file, permission) print one line on
stderr and exit with code 2; see docs/calendar.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TypeVar

import typer
import yaml
from sqlalchemy.orm import Session

from xinyong import calendar as cal
from xinyong.auth.context import Context, system_context
from xinyong.commands.operator import cli_actor
from xinyong.db.session import session_scope
from xinyong.errors import XinyongError

app = typer.Typer(help="工作日历：工作日判断与节假日安排 (working-day calendar)", no_args_is_help=True)

T = TypeVar("T")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"错误: {message}", err=True)
    return typer.Exit(2)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _fail(f"日期无效，应为 YYYY-MM-DD (invalid date): {text!r}") from None


def _int(text: str, what: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise _fail(f"{what} 应为整数 (must be an integer): {text!r}") from None


@contextmanager
def _session() -> Iterator[Session]:
    """A committed-on-success session; expected errors become one line and exit code 2."""
    try:
        with session_scope() as session:
            yield session
    except XinyongError as exc:  # CalendarError, CalendarRangeError, PermissionDenied, ...
        raise _fail(exc.message) from None


def _read(fn: Callable[[cal.WorkCalendar], T]) -> T:
    with _session() as session:
        return fn(cal.load_calendar(session))


def _write(fn: Callable[[Context], T]) -> T:
    with _session() as session:
        return fn(system_context(session, actor=cli_actor()))


@app.command("is-workday")
def is_workday(day: str = typer.Argument(..., metavar="DATE", help="YYYY-MM-DD")) -> None:
    """Print true if DATE is a working day, else false."""
    d = _date(day)
    typer.echo("true" if _read(lambda c: c.is_workday(d)) else "false")


@app.command(
    "add-workdays",
    context_settings={"ignore_unknown_options": True},  # so that a negative N (-3) is not taken for an option
)
def add_workdays(
    day: str = typer.Argument(..., metavar="DATE", help="YYYY-MM-DD"),
    n: str = typer.Argument(..., metavar="N", help="工作日数，可为负 (working days, may be negative)"),
) -> None:
    """Print the N-th working day after DATE (DATE itself not counted; N=0: DATE or the next working day)."""
    d, k = _date(day), _int(n, "N")
    typer.echo(_read(lambda c: c.add_workdays(d, k)).isoformat())


@app.command("set")
def set_day(
    day: str = typer.Argument(..., metavar="DATE", help="YYYY-MM-DD"),
    workday: bool | None = typer.Option(None, "--workday/--off", help="上班 (--workday) 或放假 (--off)"),
    name: str = typer.Option("", "--name", help="名称，如 春节 / 春节调休上班"),
    source: str = typer.Option("", "--source", help="国务院办公厅放假安排通知的名称和文号"),
) -> None:
    """Override DATE as a working day or a day off (beats chinesecalendar)."""
    d = _date(day)
    if workday is None:
        raise _fail("请指定 --workday 或 --off (say --workday or --off)")
    row = _write(lambda ctx: cal.set_day(ctx, d, workday, name, source))
    typer.echo(f"{row.day.isoformat()} {'上班 workday' if row.is_workday else '放假 off'} {row.name}".rstrip())


@app.command("remove")
def remove_day(
    day: str = typer.Argument(..., metavar="DATE", help="YYYY-MM-DD"),
    source: str = typer.Option("", "--source", help="删除的依据 (why: the notice or correction)"),
) -> None:
    """Delete the override of DATE."""
    d = _date(day)
    _write(lambda ctx: cal.remove_day(ctx, d, source))
    typer.echo(f"{d.isoformat()} 覆盖已删除 (override removed)")


@app.command("declare-year")
def declare_year(
    year: str = typer.Argument(..., metavar="YEAR"),
    source: str = typer.Option("", "--source", help="国务院办公厅关于YEAR年部分节假日安排的通知"),
) -> None:
    """Declare YEAR's holiday schedule completely entered (after `calendar set` for each date)."""
    y = _int(year, "YEAR")
    _write(lambda ctx: cal.declare_year(ctx, y, source))
    typer.echo(f"{y} 年已声明 (declared)")


@app.command("import")
def import_schedule(file: Path = typer.Argument(..., metavar="FILE.yaml", dir_okay=False)) -> None:
    """Load a year's holidays and make-up working days from YAML and declare the year (all or nothing)."""
    result = _write(lambda ctx: cal.import_schedule(ctx, file))
    typer.echo(
        f"{result.year} 年: 新增 {len(result.added)}, 修改 {len(result.changed)}, 删除 {len(result.removed)}"
        f"{', 已声明 (declared)' if result.declared else ''}"
    )


@app.command("export")
def export(year: str = typer.Argument(..., metavar="YEAR")) -> None:
    """Print a year chinesecalendar covers in the import file's format (a template for a new year)."""
    y = _int(year, "YEAR")
    try:
        data = cal.schedule_from_chinesecalendar(y)
    except cal.CalendarError as exc:
        raise _fail(exc.message) from None
    typer.echo(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), nl=False)


@app.command("status")
def status() -> None:
    """Print which years are covered (chinesecalendar, declared) and the fallback."""
    lo, hi = cal.CHINESECALENDAR_YEARS
    with _session() as session:
        c = cal.load_calendar(session)
        years = cal.declared_years(session)
    typer.echo(f"chinesecalendar {cal.CHINESECALENDAR_VERSION}: {lo}–{hi}")
    for y, src in years:
        typer.echo(f"declared {y}: {src}")
    typer.echo(f"overrides: {len(c.overrides)}")
    typer.echo(f"fallback: {c.fallback}")
