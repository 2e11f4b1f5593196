"""``xinyong jobs run-daily``: every step runs, counts what it changed, and a re-run changes nothing."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from factories import departments
from records_factories import make_batch, make_record
from xinyong.auth.models import AuditEvent
from xinyong.cli import app
from xinyong.db.session import make_engine
from xinyong.records.jobs import STEPS
from xinyong.records.models import RecordEffect


def _seed(url: str) -> None:
    """Two penalties: one whose publicity ended on 2026-11-20, one still published."""
    engine = make_engine(url)
    with Session(engine) as session:
        scjgj, _ = departments(session)
        batch = make_batch(session, scjgj)
        make_record(session, batch, doc_no="罚1", decided_on=date(2025, 11, 20), publicity_end=date(2026, 11, 20))
        make_record(session, batch, doc_no="罚2", decided_on=date(2026, 6, 1), publicity_end=date(2027, 6, 1), row_no=2)
        session.commit()
    engine.dispose()


def _state(url: str) -> tuple[list[tuple[str, str, date]], int]:
    engine = make_engine(url)
    with Session(engine) as session:
        effects = [(e.doc_no, e.kind, e.starts_on) for e in session.scalars(select(RecordEffect))]
        runs = session.scalar(select(func.count()).where(AuditEvent.action == "jobs.run_daily")) or 0
    engine.dispose()
    return effects, runs


def test_run_daily_expires_once_and_is_safe_to_rerun(cli_db: str) -> None:
    _seed(cli_db)
    runner = CliRunner()
    first = runner.invoke(app, ["jobs", "run-daily", "--as-of", "2026-11-27", "--json"])
    assert first.exit_code == 0, first.output
    result = json.loads(first.output)
    assert result["as_of"] == "2026-11-27" and set(result["steps"]) == set(STEPS)
    assert result["steps"]["expire_publicity"] == 1
    effects, runs = _state(cli_db)
    assert [(doc, kind) for doc, kind, _ in effects] == [("罚1", "expired")] and runs == 1

    again = runner.invoke(app, ["jobs", "run-daily", "--as-of", "2026-11-27", "--json"])
    assert again.exit_code == 0 and json.loads(again.output)["steps"] == dict.fromkeys(STEPS, 0)
    assert _state(cli_db) == (effects, 2)  # nothing new, the run itself is audited

    table = runner.invoke(app, ["jobs", "run-daily", "--as-of", "2026-11-27"])
    assert table.exit_code == 0 and "公示期满自动停止公示" in table.output


def test_a_bad_date_is_refused(cli_db: str) -> None:
    result = CliRunner().invoke(app, ["jobs", "run-daily", "--as-of", "2026-13-01"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
