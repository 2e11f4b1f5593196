"""``xinyong jobs run-monthly``: the previous month's city credit monitoring is computed once (a re-run finds it
and changes nothing, ``--force`` recomputes keeping history), audited; a bad date exits 2; a record without a
legal basis makes the job exit 1 after storing the run. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from factories import departments
from records_factories import make_batch, make_record
from xinyong.auth.models import AuditEvent
from xinyong.cli import app
from xinyong.db.session import make_engine
from xinyong.monitoring.models import MonitoringRun


def jobs(*args: str) -> Result:
    return CliRunner().invoke(app, ["jobs", *args])


def _runs(url: str) -> tuple[list[tuple[str, bool]], int]:
    engine = make_engine(url)
    with Session(engine) as session:
        runs = [(r.month, r.current) for r in session.scalars(select(MonitoringRun).order_by(MonitoringRun.id))]
        audited = session.scalar(select(func.count()).where(AuditEvent.action == "jobs.run_monthly")) or 0
    engine.dispose()
    return runs, audited


def test_previous_month_once(cli_db: str) -> None:
    first = jobs("run-monthly", "--as-of", "2026-11-03", "--json")
    assert first.exit_code == 0, first.output
    out = json.loads(first.output)
    assert out["month"] == "2026-10" and out["computed"] is True and out["negative_ok"] is True

    again = jobs("run-monthly", "--as-of", "2026-11-27", "--json")
    assert again.exit_code == 0 and json.loads(again.output)["computed"] is False
    assert json.loads(again.output)["run_id"] == out["run_id"]
    assert _runs(cli_db) == ([("2026-10", True)], 2)

    january = jobs("run-monthly", "--as-of", "2026-01-05")
    assert january.exit_code == 0 and "2025-12 城市信用监测已计算" in january.output
    forced = jobs("run-monthly", "--as-of", "2026-11-27", "--force", "--json")
    assert json.loads(forced.output)["computed"] is True
    assert _runs(cli_db)[0] == [("2026-10", False), ("2025-12", True), ("2026-10", True)]


def test_default_date_and_bad_input(cli_db: str) -> None:
    today = jobs("run-monthly", "--json")  # the pinned clock: 2026-11-27
    assert today.exit_code == 0 and json.loads(today.output)["month"] == "2026-10"
    bad = jobs("run-monthly", "--as-of", "2026-13-01")
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    future = jobs("run-monthly", "--as-of", "2027-02-01")
    assert future.exit_code == 2 and "尚未开始" in future.output


def test_negative_check_fails_loudly(cli_db: str) -> None:
    engine = make_engine(cli_db)
    with Session(engine) as session:
        scjgj, _ = departments(session)
        batch = make_batch(session, scjgj)
        make_record(
            session,
            batch,
            doc_no="罚信访1",
            decided_on=date(2026, 10, 9),
            category="信访",
            data={"subject_name": "某公司", "reason": "越级信访"},
        )
        session.commit()
    engine.dispose()
    failed = jobs("run-monthly", "--as-of", "2026-11-27")
    assert failed.exit_code == 1 and "负面清单检查未通过" in failed.output
    assert _runs(cli_db)[0] == [("2026-10", True)]
